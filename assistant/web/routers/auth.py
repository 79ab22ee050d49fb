"""Login, logout and one's own password: pages and API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from assistant.web.deps import AnyUser, DbDep, MaybeUser, check_csrf, render, router, services
from assistant.web.forms import LoginIn, PasswordIn
from assistant.web.orm import User
from assistant.web.schemas.common import OkOut, error_responses
from assistant.web.schemas.users import MeOut
from assistant.web.security import new_session, verify_password
from assistant.web.services import sessions as login_sessions
from assistant.web.services import throttle
from assistant.web.services import users as user_service
from assistant.web.services.errors import ServiceError

pages = router(tags=["pages"], include_in_schema=False)
api = router(prefix="/api/auth", tags=["auth"], responses=error_responses(422))
routers = [pages, api]
BAD_LOGIN = "用户名或密码不正确，或账号已停用。请检查大小写和输入法；多次输错后将暂时锁定，忘记密码请联系管理员重设。"


def _safe_next(target: str) -> str:
    # Only paths on this site: no scheme, no //host, no backslash tricks.
    if target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target:
        return target
    return "/drafts"


def _login(request: Request, db: Session, user: User) -> None:
    request.state.session = login_sessions.start(db, services(request).settings, user)
    request.state.user = user


def _address(request: Request) -> str:
    # Behind the office reverse proxy uvicorn puts the forwarded client address here (proxy_headers).
    return request.client.host if request.client else "unknown"


def _authenticate(request: Request, db: Session, username: str, password: str) -> User | None:
    """The user, or None for a wrong name or password; LoginLocked while the name or address is locked."""
    settings = services(request).settings
    address = _address(request)
    throttle.check(db, settings, username, address)
    user = user_service.authenticate(db, username, password)
    if user is None:
        throttle.failed(db, settings, username, address)
    else:
        throttle.succeeded(db, settings, username, address)
    return user


def _end_session(request: Request, db: Session) -> None:
    login_sessions.end(db, request.state.session)
    request.state.session = new_session()


@pages.get("/login")
def login_page(request: Request, next: str = "/drafts", bye: int = 0) -> Response:
    return render(request, "login.html", next=_safe_next(next), error="",
                  notice="您已退出登录。" if bye else "")


@pages.post("/login")
async def login_submit(request: Request, db: DbDep, username: Annotated[str, Form()] = "",
                       password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/drafts") -> Response:
    await check_csrf(request)
    try:
        user = _authenticate(request, db, username, password)
    except throttle.LoginLocked as err:
        response = render(request, "login.html", status_code=429, next=_safe_next(next), username=username,
                          error=str(err))
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    if user is None:
        return render(request, "login.html", status_code=400, next=_safe_next(next), username=username,
                      error=BAD_LOGIN)
    _login(request, db, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@pages.post("/logout")
async def logout(request: Request, db: DbDep) -> Response:
    await check_csrf(request)
    _end_session(request, db)
    return RedirectResponse("/login?bye=1", status_code=303)


@pages.get("/account")
def account_page(request: Request, user: AnyUser) -> Response:
    return render(request, "account.html", error="", done=False)


@pages.post("/account/password")
def account_password(request: Request, db: DbDep, user: AnyUser,
                     old_password: Annotated[str, Form()] = "", new_password: Annotated[str, Form()] = "") -> Response:
    try:
        _change_password(db, user, old_password, new_password)
    except ServiceError as err:
        return render(request, "account.html", status_code=err.status, error=str(err), done=False)
    _login(request, db, user)
    return render(request, "account.html", error="", done=True)


def _change_password(db: Session, user: User, old: str, new: str) -> None:
    if not verify_password(old, user.password_hash):
        raise ServiceError("原密码不正确。", 400)
    user_service.update_user(db, user, password=new)


@api.post("/login", responses=error_responses(401, 415, 429))
def api_login(request: Request, body: LoginIn, db: DbDep) -> MeOut:
    """Log in; the response carries the CSRF token to send as X-CSRF-Token on every mutating call.

    Exempt from the CSRF check (there is no session yet); a JSON body cannot be sent cross-site without CORS.
    """
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(415, "请以 JSON 提交。")
    try:
        user = _authenticate(request, db, body.username, body.password)
    except throttle.LoginLocked as err:
        raise HTTPException(429, str(err), headers={"Retry-After": str(err.retry_after)}) from err
    if user is None:
        raise HTTPException(401, BAD_LOGIN)
    _login(request, db, user)
    return _me(request, user)


def _me(request: Request, user: User) -> MeOut:
    return MeOut(user=user_service.user_out(user), csrf_token=request.state.session["c"])


@api.post("/logout", responses=error_responses(401, 403))
def api_logout(request: Request, db: DbDep, user: AnyUser) -> OkOut:
    """Log out; the session ends on the server, so a kept cookie no longer works."""
    _end_session(request, db)
    return OkOut()


@api.get("/me", responses=error_responses(401))
def api_me(request: Request, user: MaybeUser) -> MeOut:
    """The logged-in user and the CSRF token."""
    if user is None:
        raise HTTPException(401, "请先登录。")
    return _me(request, user)


@api.post("/password", responses=error_responses(400, 401, 403))
def api_password(request: Request, body: PasswordIn, db: DbDep, user: AnyUser) -> OkOut:
    """Change one's own password; every other session of the account ends."""
    _change_password(db, user, body.old_password, body.new_password)
    _login(request, db, user)
    return OkOut()
