"""User administration (admin only): pages and API. Users can also be made from the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from assistant.web.deps import Admin, DbDep, render, router, services
from assistant.web.forms import UserIn, UserPatch
from assistant.web.orm import User
from assistant.web.schemas.common import error_responses
from assistant.web.schemas.users import UserOut
from assistant.web.services import users as svc_users
from assistant.web.services.errors import ServiceError

pages = router(tags=["pages"], include_in_schema=False)
api = router(prefix="/api/users", tags=["users"], responses=error_responses(401, 403, 422))
routers = [pages, api]


def _page(request: Request, db: Session, admin: User, error: str = "", notice: str = "",
          status_code: int = 200) -> Response:
    return render(request, "users.html", status_code=status_code, users=svc_users.list_users(db), error=error,
                  notice=notice, **svc_users.bureau_form(services(request).tenants, admin))


@pages.get("/users")
def users_page(request: Request, db: DbDep, user: Admin) -> Response:
    return _page(request, db, user)


@pages.post("/users")
def create_page(request: Request, db: DbDep, user: Admin, username: Annotated[str, Form()],
                role: Annotated[str, Form()], password: Annotated[str, Form()],
                display_name: Annotated[str, Form()] = "", bureau: Annotated[str | None, Form()] = None) -> Response:
    try:
        stored = svc_users.new_user_bureau(services(request).tenants, user, bureau)
        made = svc_users.create_user(db, username, role, password, stored, display_name)
    except ServiceError as err:
        return _page(request, db, user, error=str(err), status_code=err.status)
    return _page(request, db, user, notice=f"已创建用户“{made.username}”。")


@pages.post("/users/{user_id}")
def update_page(request: Request, user_id: int, db: DbDep, user: Admin, role: Annotated[str, Form()] = "",
                active: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "") -> Response:
    target = svc_users.get_user(db, user_id)
    try:
        svc_users.update_user(db, target, role=role or None, active={"1": True, "0": False}.get(active),
                              password=password or None)
    except ServiceError as err:
        return _page(request, db, user, error=str(err), status_code=err.status)
    return RedirectResponse("/users", status_code=303)


@api.get("")
def list_users(db: DbDep, user: Admin) -> list[UserOut]:
    """Every account."""
    return [svc_users.user_out(u) for u in svc_users.list_users(db)]


@api.post("", status_code=201, responses=error_responses(409))
def create_user(request: Request, body: UserIn, db: DbDep, user: Admin) -> UserOut:
    """Create an account (role, bureau, display name, initial password)."""
    bureau = svc_users.new_user_bureau(services(request).tenants, user, body.bureau)
    return svc_users.user_out(svc_users.create_user(db, body.username, body.role, body.password, bureau,
                                                    body.display_name))


@api.patch("/{user_id}", responses=error_responses(404, 409))
def update_user(user_id: int, body: UserPatch, db: DbDep, user: Admin) -> UserOut:
    """Change role, active, password or display name; a new password ends the sessions and lifts a login lock."""
    target = svc_users.get_user(db, user_id)
    return svc_users.user_out(svc_users.update_user(db, target, role=body.role, active=body.active,
                                                    password=body.password, display_name=body.display_name))
