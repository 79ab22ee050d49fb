"""The app factory: services built once in the lifespan, routers, session cookie, error pages."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.bureaus import load_bureaus
from assistant.settings import Settings
from assistant.web import validation
from assistant.web.deps import TEMPLATES, LoginRequired, Services, current_user, is_api, render, services
from assistant.web.routers import auth as auth_routes
from assistant.web.routers import drafts as draft_routes
from assistant.web.routers import drafts_api as draft_api_routes
from assistant.web.routers import kb as kb_routes
from assistant.web.routers import reviews as review_routes
from assistant.web.routers import users as user_routes
from assistant.web.security import COOKIE, Signer, load_secret, new_session
from assistant.web.services import bureaus as svc_bureaus
from assistant.web.services import kb as kb_service
from assistant.web.services.errors import ServiceError
from assistant.web.services.uploads import human_size
from assistant.web.services.users import INITIAL_PASSWORD_FILE, ensure_first_admin
from assistant.web.tenants import Tenants
from vectorstore.vector_index import VectorStoreUnavailable

if TYPE_CHECKING:
    from assistant.drafting import Drafter
    from vectorstore.kb import KnowledgeBase

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
# Multipart framing and form fields on top of the files themselves.
UPLOAD_OVERHEAD = 256 * 1024
# Re-issue the session cookie this often so that an active user is not logged out mid-work.
REFRESH_S = 600
ROUTER_MODULES = (auth_routes, draft_routes, draft_api_routes, review_routes, kb_routes, user_routes)


def prepare(settings: Settings) -> tuple[Services, str | None]:
    """Database migrated, secret key ready, first admin created; shared by the app and `assistant serve`."""
    bureaus = load_bureaus(settings)  # a bad bureaus file stops the start, with the reason
    sessions, rows = svc_bureaus.open_database(settings, bureaus)  # the bureaus table synced from the file
    tenants = Tenants(settings, bureaus, rows)
    password = None
    with sessions() as db:
        try:
            password = ensure_first_admin(db, settings, tenants.default().bureau_id)
        except (IntegrityError, ServiceError):
            db.rollback()  # another worker made it first
        kb_service.mark_interrupted(db)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    signer = Signer(load_secret(settings), settings.session_hours * 3600)
    return Services(settings=settings, sessions=sessions, signer=signer, templates=templates,
                    tenants=tenants), password


def announce_admin(settings: Settings, password: str) -> None:
    path = settings.var_dir / INITIAL_PASSWORD_FILE
    print(f"\n已创建首个管理员：用户名 admin，密码 {password}\n（同时写入 {path}，登录后请修改密码并删除该文件）\n",
          flush=True)


def create_app(settings: Settings | None = None, *, kb: KnowledgeBase | None = None,
               drafter: Drafter | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc, password = prepare(settings)
        if password:
            announce_admin(settings, password)
        svc.tenants.provide(kb, drafter)
        if not svc.tenants.several:
            # One bureau: open it now, as before, so a broken index shows at start and not on a user's first search.
            tenant = svc.tenants.default()
            svc.tenants.drafter(tenant)
            # Tokenizer, keyword index, embedder and Chroma load in the background: the first search does
            # not wait for them (it uses keywords until the vectors are ready).
            svc.tenants.kb(tenant).warm_up()
        app.state.services = svc
        yield

    app = FastAPI(title="答复函助手", version="0.1.0", lifespan=lifespan, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in ROUTER_MODULES:
        for router in module.routers:
            app.include_router(router)
    _install_middleware(app, settings)
    _install_handlers(app)
    return app


class BodyTooLarge(HTTPException):
    """A request body without Content-Length grew past the limit while it was being read.

    An HTTPException, because FastAPI turns any other error while reading a body into a 400.
    """


class LimitBody:
    """Counts the body as it arrives: chunked requests carry no Content-Length for the check below."""

    def __init__(self, app: ASGIApp, limit: int, message: str) -> None:
        self.app, self.limit, self.message = app, limit, message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(413, self.message)
            return message

        await self.app(scope, limited, send)


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    too_large = (f"提交的内容太大（上限 {human_size(settings.max_upload_bytes)}）：粘贴提案时请只粘贴正文，"
                 "上传文件时请拆分后分批上传。")
    app.add_middleware(LimitBody, limit=settings.max_upload_bytes + UPLOAD_OVERHEAD, message=too_large)

    @app.middleware("http")
    async def session_and_limits(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        svc: Services = request.app.state.services
        raw = request.cookies.get(COOKIE)
        payload = svc.signer.loads(raw) if raw else None
        fresh = payload is None
        request.state.session = payload or new_session()
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_upload_bytes + UPLOAD_OVERHEAD:
            return _error(request, 413, too_large)
        response = await call_next(request)
        session: dict[str, Any] = request.state.session
        if fresh or session is not payload or time.time() - float(session["t"]) > REFRESH_S:
            session["t"] = time.time()
            response.set_cookie(COOKIE, svc.signer.dumps(session), max_age=int(settings.session_hours * 3600),
                                httponly=True, samesite="lax", secure=settings.cookie_secure, path="/")
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith("/static/"):
            # Drafts and proposals must not stay in the browser cache: after 退出, Back would show them.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


# No inline script or style anywhere (every page uses /static/app.js and app.css), so none is allowed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _error(request: Request, status: int, message: str) -> Response:
    if is_api(request) or not hasattr(request.state, "session"):
        return JSONResponse({"detail": message}, status_code=status)
    _identify(request)
    return render(request, "error.html", status_code=status, status=status, message=message,
                  back=_back(request))


def _back(request: Request) -> str:
    """Where an error on a form submission sends the user back to (the form, not the list)."""
    path = request.url.path
    if request.method == "GET":
        return ""
    if path in ("/drafts/parse", "/drafts"):
        return "/drafts/new"
    if path.startswith("/kb/"):
        return "/kb"
    match = re.match(r"^/drafts/(\d+)/", path)
    return f"/drafts/{match.group(1)}" if match else ""


def _identify(request: Request) -> None:
    """The logged-in user for an error page (the navigation bar), when no route dependency looked it up."""
    if hasattr(request.state, "user"):
        return
    db = services(request).sessions()
    try:
        user = current_user(request, db)
        if user is not None:
            db.expunge(user)
    finally:
        db.close()


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: Exception) -> Response:
        # Only a page can be come back to; a form post would be replayed as a GET.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/drafts"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceError)
        return _error(request, exc.status, str(exc))

    @app.exception_handler(VectorStoreUnavailable)
    async def vectors_unavailable(request: Request, exc: Exception) -> Response:
        # Chroma is down or restarting; the index already retried what was safe to retry. Nothing was
        # written, so the user may simply try again; the details (URL, cause) go to the log only.
        log.error("vector store unavailable: %s", exc)
        response = _error(request, 503, VECTORS_DOWN)
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else ""
        response = _error(request, exc.status_code, chinese_detail(exc.status_code, detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        if is_api(request):
            # A Chinese sentence for people; the structured list stays for programs.
            return JSONResponse({"detail": validation.summary(errors), "errors": _plain(errors)}, status_code=422)
        return _error(request, 422, validation.summary(errors))


def chinese_detail(status: int, detail: str) -> str:
    """Starlette's own details (status phrases, form parser errors) are English; users get Chinese."""
    if _CJK.search(detail):
        return detail
    too_big = _TOO_BIG_FIELD.search(detail)
    if too_big:
        limit = human_size(int(too_big.group(2)) * 1024)
        return f"表单中的一项内容太长（上限 {limit}）：粘贴提案时请只粘贴正文，较长的材料请保存为文件后上传。"
    if detail.startswith("Too many files"):
        return "一次选择的文件太多：请分批上传。"
    if detail.startswith("Too many fields"):
        return "表单项太多，无法处理：请刷新页面后重试。"
    if status == 400 and detail and detail != HTTPStatus(400).phrase:
        return "提交的表单无法读取：请刷新页面后重试。"
    return _DEFAULTS.get(status, "请求无法完成，请刷新页面后重试。")


_CJK = re.compile(r"[\u4e00-\u9fff]")
_TOO_BIG_FIELD = re.compile(r"(Part|Field) exceeded maximum size of (\d+)KB")
VECTORS_DOWN = "知识库检索服务（向量库）暂时无法连接，检索和生成草稿暂不可用，请稍后重试；已保存的草稿不受影响。"
_DEFAULTS = {404: "没有找到该页面。", 405: "不支持该请求方法。", 401: "请先登录。", 403: "权限不足。"}


def _plain(errors: Any) -> Any:
    return [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in errors]
