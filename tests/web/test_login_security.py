"""Password guessing is throttled; logout ends the session on the server; pages are not cached; headers; file rights."""

from __future__ import annotations

import logging
import os
import re
import stat
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.web.security import COOKIE
from assistant.web.services import throttle
from tests.web.conftest import PASSWORD, admin_password, api_login, make_user, new_draft, page_csrf
from vectorstore.kb import KnowledgeBase


class Clock:
    """Stands in for the throttle's clock, so a lock can run out without waiting."""

    def __init__(self) -> None:
        self.at = datetime(2026, 3, 2, 8, 0, 0)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(throttle, "now", c)
    return c


def _login(c: TestClient, username: str, password: str) -> int:
    return c.post("/api/auth/login", json={"username": username, "password": password}).status_code


def test_wrong_passwords_lock_the_account_for_a_while(client: TestClient, settings: Settings, clock: Clock) -> None:
    good = admin_password(settings)
    limit = settings.login_max_failures
    assert [_login(client, "admin", f"guess-{i}") for i in range(limit)] == [401] * limit
    locked = client.post("/api/auth/login", json={"username": "admin", "password": "guess-x"})
    assert locked.status_code == 429
    detail = locked.json()["detail"]
    assert "登录失败次数过多" in detail and "分钟后" in detail and "再试" in detail
    assert 0 < int(locked.headers["retry-after"]) <= settings.login_lock_minutes * 60
    # While locked, even the right password is refused: otherwise the guesser would learn it.
    assert _login(client, "admin", good) == 429
    clock.advance(minutes=settings.login_lock_minutes - 1)
    assert _login(client, "admin", good) == 429
    clock.advance(minutes=2)
    assert _login(client, "admin", good) == 200
    # A success clears the count: the next typos start from zero.
    assert [_login(client, "admin", "typo") for _ in range(limit - 1)] == [401] * (limit - 1)
    assert _login(client, "admin", good) == 200


def test_after_a_lock_each_wrong_guess_locks_again(client: TestClient, settings: Settings, clock: Clock) -> None:
    for i in range(settings.login_max_failures):
        _login(client, "admin", f"guess-{i}")
    clock.advance(minutes=settings.login_lock_minutes + 1)
    assert _login(client, "admin", "one-more-guess") == 401
    assert _login(client, "admin", admin_password(settings)) == 429


def test_240_fast_guesses_get_nowhere(client: TestClient, settings: Settings, clock: Clock) -> None:
    codes = [_login(client, "admin", f"pw{i:04d}") for i in range(240)]
    assert codes.count(401) == settings.login_max_failures and codes.count(429) == 240 - settings.login_max_failures
    assert _login(client, "admin", admin_password(settings)) == 429


def test_unknown_names_are_throttled_like_real_ones(client: TestClient, settings: Settings, clock: Clock) -> None:
    codes = [_login(client, "nobody-here", "x") for _ in range(settings.login_max_failures + 1)]
    assert codes[-1] == 429, "a lock on an unknown name looks the same as on a real one"


def test_spraying_many_names_locks_the_address(settings: Settings, kb: KnowledgeBase, clock: Clock) -> None:
    from assistant.web.app import create_app

    app = create_app(settings, kb=kb)
    with TestClient(app, client=("10.0.0.7", 5000)) as guesser, TestClient(app, client=("10.0.0.8", 5000)) as office:
        limit = settings.login_max_failures * throttle.ADDRESS_FACTOR
        codes = [_login(guesser, f"user{i}", "Passw0rd!") for i in range(limit)]
        assert codes == [401] * limit
        assert _login(guesser, "admin", admin_password(settings)) == 429
        assert _login(office, "admin", admin_password(settings)) == 200, "another address is not affected"
        clock.advance(minutes=settings.login_lock_minutes + 1)
        assert _login(guesser, "admin", admin_password(settings)) == 200


def test_every_worker_sees_the_same_lock(settings: Settings, kb: KnowledgeBase, clock: Clock) -> None:
    from assistant.web.app import create_app

    # Two app instances on one database stand for two uvicorn workers.
    with TestClient(create_app(settings, kb=kb)) as one, TestClient(create_app(settings, kb=kb)) as two:
        for i in range(settings.login_max_failures):
            assert _login(one if i % 2 else two, "admin", f"guess-{i}") == 401
        assert _login(one, "admin", admin_password(settings)) == 429
        assert _login(two, "admin", admin_password(settings)) == 429


def test_failed_logins_are_logged(client: TestClient, settings: Settings, clock: Clock,
                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="assistant.web.login"):
        for _ in range(settings.login_max_failures + 1):
            _login(client, "admin", "wrong")
    lines = [r.getMessage() for r in caplog.records]
    assert any("failed login for user 'admin' from testclient" in line for line in lines), lines
    assert any("login locked for user:admin" in line for line in lines), lines
    assert any("login refused" in line for line in lines), lines


def test_login_page_says_when_to_retry_and_keeps_the_name(client: TestClient, settings: Settings, clock: Clock) -> None:
    token = page_csrf(client.get("/login").text)
    for _ in range(settings.login_max_failures):
        r = client.post("/login", data={"username": "admin", "password": "bad", "csrf_token": token})
        assert r.status_code == 400 and "用户名或密码不正确" in r.text
    r = client.post("/login", data={"username": "admin", "password": admin_password(settings), "csrf_token": token})
    assert r.status_code == 429 and "登录失败次数过多" in r.text and re.search(r"\d\d:\d\d 以后", r.text)
    assert 'name="username" value="admin"' in r.text


def test_new_password_from_admin_lifts_the_lock(client: TestClient, settings: Settings, clock: Clock) -> None:
    make_user(client, settings, "li", "drafter")
    for _ in range(settings.login_max_failures):
        _login(client, "li", "forgot")
    assert _login(client, "li", PASSWORD) == 429
    api_login(client, "admin", admin_password(settings))
    uid = next(u["id"] for u in client.get("/api/users").json() if u["username"] == "li")
    assert client.patch(f"/api/users/{uid}", json={"password": "brand-new-pass-3"}).status_code == 200
    client.post("/api/auth/logout")
    assert _login(client, "li", "brand-new-pass-3") == 200


# --- sessions, caching, headers ----------------------------------------------------------------------------

def test_logout_ends_the_session_on_the_server(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))
    kept = client.cookies[COOKIE]
    assert client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 200
    client.cookies.clear()
    client.cookies.set(COOKIE, kept)  # someone kept a copy of the cookie
    assert client.get("/api/auth/me").status_code == 401
    r = client.get("/drafts", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_page_logout_ends_the_session_and_says_so(client: TestClient, settings: Settings) -> None:
    token = page_csrf(client.get("/login").text)
    client.post("/login", data={"username": "admin", "password": admin_password(settings), "csrf_token": token})
    page = client.get("/drafts")
    kept = client.cookies[COOKIE]
    r = client.post("/logout", data={"csrf_token": page_csrf(page.text)})
    assert r.status_code == 200 and "您已退出登录" in r.text
    client.cookies.clear()
    client.cookies.set(COOKIE, kept)
    assert client.get("/drafts", follow_redirects=False).status_code == 303


def test_deactivating_a_user_ends_their_sessions(client: TestClient, settings: Settings, kb: KnowledgeBase) -> None:
    from assistant.web.app import create_app

    make_user(client, settings, "zhou", "drafter")
    with TestClient(create_app(settings, kb=kb)) as other:
        api_login(other, "zhou", PASSWORD)
        api_login(client, "admin", admin_password(settings))
        uid = next(u["id"] for u in client.get("/api/users").json() if u["username"] == "zhou")
        client.patch(f"/api/users/{uid}", json={"active": False})
        assert other.get("/api/auth/me").status_code == 401
        client.patch(f"/api/users/{uid}", json={"active": True})
        assert other.get("/api/auth/me").status_code == 401, "reactivating does not revive the old session"


def test_authenticated_responses_are_not_cached(as_drafter: TestClient) -> None:
    did = new_draft(as_drafter)["id"]
    for path in ("/drafts", f"/drafts/{did}", f"/api/drafts/{did}", f"/drafts/{did}/export/docx", "/kb",
                 "/api/kb/documents", "/login", "/nothing-here"):
        r = as_drafter.get(path)
        assert "no-store" in r.headers.get("cache-control", ""), path
    assert "no-store" not in as_drafter.get("/static/app.css").headers.get("cache-control", "")


def test_security_headers_on_pages_api_and_errors(as_drafter: TestClient) -> None:
    for path in ("/drafts", "/api/drafts", "/nothing-here", "/api/nothing-here", "/login"):
        h = as_drafter.get(path).headers
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp, path
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff", path
        assert h["referrer-policy"] == "same-origin", path


_INLINE = [re.compile(r"<script(?![^>]*\bsrc=)[^>]*>"), re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
           re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), re.compile(r"<style\b"), re.compile(r"javascript:", re.I)]


def test_pages_have_no_inline_script_or_style(client: TestClient, settings: Settings) -> None:
    """The CSP allows no inline code; a template that slipped one in would break under it."""
    pages = [client.get("/login").text]
    api_login(client, "admin", admin_password(settings))
    did = new_draft(client)["id"]
    for path in ("/drafts", "/drafts/new", f"/drafts/{did}", f"/drafts/{did}?v=1", f"/drafts/{did}/diff", "/reviews",
                 "/kb", "/users", "/account", "/nothing-here"):
        pages.append(client.get(path).text)
    doc_id = client.get("/api/kb/documents").json()[0]["doc_id"]
    pages.append(client.get(f"/kb/docs/{doc_id}").text)
    for html in pages:
        for pattern in _INLINE:
            assert not pattern.search(html), (pattern.pattern, pattern.search(html))


def test_app_database_and_var_are_private(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))  # a write, so the WAL file exists
    assert stat.S_IMODE(os.stat(settings.var_dir).st_mode) == 0o700
    db = settings.var_dir / "app.sqlite3"
    for path in (db, db.with_name("app.sqlite3-wal")):
        assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_an_older_wider_database_file_is_narrowed(settings: Settings, kb: KnowledgeBase) -> None:
    from assistant.web.app import create_app

    settings.var_dir.mkdir(parents=True)
    db = settings.var_dir / "app.sqlite3"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    with TestClient(create_app(settings, kb=kb)):
        assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_error_pages_keep_the_navigation(as_drafter: TestClient) -> None:
    for path in ("/nothing-here", "/drafts/99999", "/kb/docs/nope"):
        r = as_drafter.get(path)
        assert r.status_code == 404 and 'class="topbar"' in r.text and "退出" in r.text, path
