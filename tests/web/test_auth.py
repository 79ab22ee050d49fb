"""Logins, sessions, roles and CSRF: every route refuses what it must."""

from __future__ import annotations

import os
import re
import stat

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.web.security import COOKIE, hash_password, verify_password
from tests.web.conftest import PASSWORD, admin_password, api_login, make_user, page_csrf


def test_password_hash_is_salted_scrypt() -> None:
    a, b = hash_password("secret-pass"), hash_password("secret-pass")
    assert a != b and a.startswith("scrypt$")
    assert verify_password("secret-pass", a)
    assert not verify_password("secret-pasS", a)
    assert not verify_password("x", "garbage")


def test_first_admin_is_created_once_with_private_password_file(client: TestClient, settings: Settings) -> None:
    path = settings.var_dir / "initial_admin_password.txt"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    api_login(client, "admin", admin_password(settings))
    users = client.get("/api/users").json()
    assert [u["username"] for u in users] == ["admin"] and users[0]["role"] == "admin"


def test_login_page_flow_and_cookie_flags(client: TestClient, settings: Settings) -> None:
    r = client.get("/drafts", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/drafts"
    token = page_csrf(client.get("/login").text)
    bad = client.post("/login", data={"username": "admin", "password": "wrong", "csrf_token": token})
    assert bad.status_code == 400 and "用户名或密码不正确" in bad.text
    r = client.post("/login", data={"username": "admin", "password": admin_password(settings), "csrf_token": token,
                                    "next": "/kb"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kb"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" not in cookie
    assert client.get("/drafts").status_code == 200


def test_open_redirect_is_refused(client: TestClient, settings: Settings) -> None:
    token = page_csrf(client.get("/login").text)
    r = client.post("/login", data={"username": "admin", "password": admin_password(settings), "csrf_token": token,
                                    "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/drafts"


def test_secure_cookie_when_configured(settings: Settings, kb) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import create_app

    settings.cookie_secure = True
    with TestClient(create_app(settings, kb=kb)) as c:
        assert "Secure" in c.get("/login").headers["set-cookie"]


def test_login_form_needs_csrf(client: TestClient, settings: Settings) -> None:
    r = client.post("/login", data={"username": "admin", "password": admin_password(settings)})
    assert r.status_code == 403 and "CSRF" in r.text


def test_api_login_logout_me(client: TestClient, settings: Settings) -> None:
    assert client.get("/api/auth/me").status_code == 401
    assert client.post("/api/auth/login", json={"username": "admin", "password": "nope"}).status_code == 401
    assert client.post("/api/auth/login", data={"username": "admin", "password": "x"}).status_code in (415, 422)
    token = api_login(client, "admin", admin_password(settings))
    me = client.get("/api/auth/me").json()
    assert me["user"]["username"] == "admin" and me["csrf_token"] == token
    assert client.post("/api/auth/logout").status_code == 200
    assert client.get("/api/auth/me").status_code == 401


def test_tampered_cookie_is_ignored(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))
    value = client.cookies[COOKIE]
    body, sig = value.split(".")
    client.cookies.clear()
    client.cookies.set(COOKIE, body + "." + sig[::-1])
    assert client.get("/api/auth/me").status_code == 401


def test_password_change_ends_other_sessions(client: TestClient, settings: Settings) -> None:
    make_user(client, settings, "li", "drafter")
    api_login(client, "li", PASSWORD)
    old_cookie = client.cookies[COOKIE]
    r = client.post("/api/auth/password", json={"old_password": PASSWORD, "new_password": "another-pass-2"})
    assert r.status_code == 200
    assert client.get("/api/auth/me").status_code == 200  # this session was renewed
    client.cookies.clear()
    client.cookies.set(COOKIE, old_cookie)
    assert client.get("/api/auth/me").status_code == 401
    bad = client.post("/api/auth/login", json={"username": "li", "password": "another-pass-2"})
    assert bad.status_code == 200


def test_account_page_changes_password(client: TestClient, settings: Settings) -> None:
    make_user(client, settings, "wang", "reviewer")
    api_login(client, "wang", PASSWORD)
    page = client.get("/account")
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[-1]
    r = client.post("/account/password", data={"old_password": "wrong", "new_password": "x" * 9, "csrf_token": token})
    assert r.status_code == 400 and "原密码不正确" in r.text
    r = client.post("/account/password", data={"old_password": PASSWORD, "new_password": "y" * 9, "csrf_token": token})
    assert r.status_code == 200 and "密码已修改" in r.text


def _sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _routes() -> list[APIRoute]:
    from assistant.web.app import ROUTER_MODULES

    return [r for m in ROUTER_MODULES for router in m.routers for r in router.routes if isinstance(r, APIRoute)]


def test_every_api_route_needs_login(client: TestClient) -> None:
    open_routes = {"/api/auth/login"}
    checked = 0
    for route in _routes():
        if not route.path.startswith("/api/") or route.path in open_routes:
            continue
        for method in route.methods:
            r = client.request(method, _sample_path(route.path))
            assert r.status_code == 401, (method, route.path, r.status_code, r.text)
            assert "请先登录" in r.json()["detail"]
            checked += 1
    assert checked >= 25


def test_every_page_redirects_to_login(client: TestClient) -> None:
    open_pages = {"/login", "/logout", "/"}
    checked = 0
    for route in _routes():
        if route.path.startswith("/api/") or route.path in open_pages:
            continue
        for method in route.methods:
            r = client.request(method, _sample_path(route.path), follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (method, route.path)
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize(("role", "method", "path", "body"), [
    ("reviewer", "POST", "/api/drafts", {"proposal": {"title": "关于测试的提案"}}),
    ("reviewer", "POST", "/api/proposals/parse", {"text": "关于测试的提案"}),
    ("reviewer", "POST", "/api/drafts/1/versions", {"text": "x"}),
    ("drafter", "POST", "/api/drafts/1/reviews", {"source_id": 1, "decision": "accepted"}),
    ("drafter", "GET", "/api/users", None),
    ("drafter", "POST", "/api/users", {"username": "x1", "role": "admin", "password": "12345678"}),
    ("drafter", "PATCH", "/api/users/1", {"role": "drafter"}),
    ("drafter", "DELETE", "/api/kb/documents/whatever", None),
    ("reviewer", "POST", "/api/kb/uploads", None),
])
def test_wrong_role_is_forbidden(client: TestClient, settings: Settings, role: str, method: str, path: str,
                                 body: dict | None) -> None:
    make_user(client, settings, "someone", role)
    api_login(client, "someone", PASSWORD)
    r = client.request(method, path, json=body)
    assert r.status_code == 403, r.text
    assert "权限不足" in r.json()["detail"]


def test_wrong_role_pages_are_forbidden(client: TestClient, settings: Settings) -> None:
    make_user(client, settings, "rev", "reviewer")
    api_login(client, "rev", PASSWORD)
    for path in ("/drafts/new", "/users"):
        r = client.get(path)
        assert r.status_code == 403 and "权限不足" in r.text


def test_api_mutations_need_csrf_header(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))
    token = client.headers.pop("X-CSRF-Token")
    r = client.post("/api/users", json={"username": "nocsrf", "role": "drafter", "password": "12345678"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = client.post("/api/users", json={"username": "nocsrf", "role": "drafter", "password": "12345678"},
                    headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    r = client.post("/api/users", json={"username": "nocsrf", "role": "drafter", "password": "12345678"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 201


def test_page_forms_need_csrf_field(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))
    client.headers.pop("X-CSRF-Token")
    for path, data in (("/users", {"username": "u2", "role": "drafter", "password": "12345678"}),
                       ("/drafts/parse", {"text": "关于测试的提案"}),
                       ("/logout", {})):
        r = client.post(path, data={**data, "csrf_token": "wrong"})
        assert r.status_code == 403 and "CSRF" in r.text, path


def test_security_headers(client: TestClient) -> None:
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    for path in ("/api/drafts", "/api/drafts/{draft_id}/reviews", "/api/kb/uploads", "/api/users", "/api/auth/login"):
        assert path in doc["paths"]
    assert not any(p.startswith("/drafts") for p in doc["paths"])


def test_unknown_paths_answer_in_chinese(client: TestClient, settings: Settings) -> None:
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["detail"] == "没有找到该页面。"
    api_login(client, "admin", admin_password(settings))
    page = client.get("/nothing-here")
    assert page.status_code == 404 and "没有找到该页面" in page.text
    assert client.get("/drafts/12345").status_code == 404 and "没有这份草稿" in client.get("/drafts/12345").text


def test_post_page_without_login_returns_to_a_page(client: TestClient) -> None:
    r = client.post("/drafts/1/edit", data={"text": "x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/drafts"
