"""What every request needs: the services built at startup, the DB session, the user, CSRF checks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response

from assistant.resources import resource_dir
from assistant.settings import Settings
from assistant.web.orm import User
from assistant.web.security import ROLE_NAMES, Signer, csrf_ok
from assistant.web.services import sessions as login_sessions
from assistant.web.tenants import Tenant, Tenants

TEMPLATES = resource_dir("templates") / "web"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BUREAU_PARAM = "Admins only: the bureau (key or full name) to work on; default: the user's own"


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker[Session]
    signer: Signer
    templates: Jinja2Templates
    # Each bureau's knowledge base and drafter, opened on first use.
    tenants: Tenants


class FormRequest(Request):
    """Reads forms whose text fields may be as large as an upload (Starlette stops at 1 MB per field).

    A proposal pasted into the form is a text field: at 1 MB it would be refused with an English
    message and lost. The body as a whole is still capped by the app's upload limit.
    """

    def form(self, *, max_files: int | float = 1000, max_fields: int | float = 1000,
             max_part_size: int | None = None) -> Any:
        if max_part_size is None:
            max_part_size = services(self).settings.max_upload_bytes
        return super().form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)


class AppRoute(APIRoute):
    """Every route of the app: hands the endpoint and its dependencies a :class:`FormRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(FormRequest(request.scope, request.receive))

        return route


def router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=AppRoute, **kwargs)


class LoginRequired(Exception):
    """Raised for a page that needs a login; turned into a redirect to the login page."""


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def get_db(request: Request) -> Iterator[Session]:
    db = services(request).sessions()
    try:
        yield db
    finally:
        db.close()


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def current_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    sess = request.state.session
    user = db.get(User, sess["u"]) if sess.get("u") else None
    if user is not None and (not user.active or user.session_version != sess.get("v")
                             or not login_sessions.is_live(db, services(request).settings, sess, user)):
        user = None
    request.state.user = user
    return user


async def _form_token(request: Request) -> str | None:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get("x-csrf-token") or await _form_token(request)
    if not csrf_ok(request.state.session, token):
        raise HTTPException(403, "安全校验失败（CSRF），请刷新页面后重试。")


def need(*roles: str) -> Callable[..., Coroutine[Any, Any, User]]:
    """Dependency: a logged-in user with one of ``roles`` (admin always passes), CSRF-checked when mutating."""

    async def dependency(request: Request, user: User | None = Depends(current_user)) -> User:
        if user is None:
            raise _login_required(request)
        if roles and user.role not in roles and user.role != "admin":
            names = "、".join(ROLE_NAMES[r] for r in roles)
            raise HTTPException(403, f"权限不足：此操作需要{names}角色。")
        await check_csrf(request)
        return user

    dependency.roles = roles  # type: ignore[attr-defined]  # read by routes_doc for the README's API table
    return dependency


def _login_required(request: Request) -> Exception:
    if is_api(request):
        return HTTPException(401, "请先登录。", headers={"WWW-Authenticate": "Cookie"})
    return LoginRequired()


async def tenant(request: Request, user: User | None = Depends(current_user),
                 bureau: Annotated[str, Query(description=BUREAU_PARAM)] = "") -> Tenant:
    """The bureau whose knowledge base and drafts this request works on.

    The user's own bureau; an admin may name another with a ``bureau`` query or form parameter.
    Routes list this beside their role dependency, which does the role and CSRF checks.
    """
    if user is None:
        raise _login_required(request)
    if not bureau and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("bureau")  # parsed once; the CSRF check reads the same form
        bureau = value if isinstance(value, str) else ""
    return services(request).tenants.chosen(user, bureau)


# What routes declare, defined here only: a role is asked for the same way on every router, and routes_doc
# finds the roles of each ``need(...)`` for the README's API table.
DbDep = Annotated[Session, Depends(get_db)]
MaybeUser = Annotated[User | None, Depends(current_user)]
AnyUser = Annotated[User, Depends(need())]
DrafterUser = Annotated[User, Depends(need("drafter"))]
ReviewerUser = Annotated[User, Depends(need("reviewer"))]
Admin = Annotated[User, Depends(need("admin"))]
TenantDep = Annotated[Tenant, Depends(tenant)]


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    svc = services(request)
    user = getattr(request.state, "user", None)
    base = {
        "user": user, "csrf_token": request.state.session.get("c", ""), "role_names": ROLE_NAMES,
        "bureau_name": svc.tenants.display_name(user), "path": request.url.path,
    }
    return svc.templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
