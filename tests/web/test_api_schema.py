"""The API is typed: /api/openapi.json names a model for every answer and body, and real answers match them."""

from __future__ import annotations

import inspect
import json
import re
import time
from typing import Any, get_args, get_origin

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from assistant.settings import Settings
from assistant.web import routes_doc
from assistant.web.orm import DraftRecord, IngestJob
from assistant.web.schemas.drafts import SourceContextOut
from assistant.web.schemas.kb import ChunkOut, DocumentOut, DocumentSummary, FileResultOut, StatsOut
from assistant.web.services import drafts as svc_drafts
from assistant.web.services import kb as svc_kb
from tests.web.conftest import PASSWORD, admin_password, api_login, make_user, new_draft, proposal_text

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), path, op) for path, ops in doc["paths"].items() if path.startswith("/api/")
            for m, op in ops.items() if m in METHODS]


def _typed(schema: dict[str, Any]) -> bool:
    """A schema a client can code against: a named model, a list of one, or a typed scalar (files)."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}))
    return schema.get("type") == "string" and schema.get("format") == "binary"


@pytest.fixture
def openapi(client: TestClient) -> dict[str, Any]:
    doc: dict[str, Any] = client.get("/api/openapi.json").json()
    return doc


def test_every_operation_answers_a_declared_model(openapi: dict[str, Any]) -> None:
    ops = _operations(openapi)
    assert len(ops) >= 29
    untyped = []
    for method, path, op in ops:
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        contents = [c for r in ok.values() for c in (r.get("content") or {}).values()]
        if not contents or not all(_typed(c.get("schema", {})) for c in contents):
            untyped.append(f"{method} {path}")
    assert not untyped, untyped


def test_every_request_body_is_a_model(openapi: dict[str, Any]) -> None:
    bodies = [(f"{m} {p}", op["requestBody"]["content"]) for m, p, op in _operations(openapi) if "requestBody" in op]
    assert len(bodies) >= 10
    for name, content in bodies:
        assert content, name
        for media, spec in content.items():
            assert media in ("application/json", "multipart/form-data"), name
            assert "$ref" in spec["schema"], name
    json_bodies = {n for n, c in bodies if "application/json" in c}
    assert {"POST /api/drafts", "POST /api/drafts/{draft_id}/versions", "POST /api/auth/login"} <= json_bodies


def test_errors_are_documented_with_the_chinese_error_body(openapi: dict[str, Any], client: TestClient) -> None:
    schemas = openapi["components"]["schemas"]
    assert set(schemas["ErrorOut"]["required"]) == {"detail"}
    assert "errors" in schemas["ValidationErrorOut"]["properties"]
    routes = {(m, r.path): r for r in routes_doc.api_routes() for m in r.methods or ()}
    for method, path, op in _operations(openapi):
        codes = op["responses"]
        for code, model in (("401", "ErrorOut"), ("403", "ErrorOut"), ("404", "ErrorOut"),
                            ("422", "ValidationErrorOut")):
            if code in codes:
                assert codes[code]["content"]["application/json"]["schema"]["$ref"].endswith(f"/{model}"), \
                    (method, path, code)
        # Who must log in is told so; whatever names an object in its path may not find it.
        if routes_doc._roles(routes[(method, path)].dependant) is not None:
            assert "401" in codes, (method, path)
        if re.search(r"\{(draft|job|user|doc)_id\}", path):
            assert "404" in codes, (method, path)
        assert "422" in codes, (method, path)
    # The documented bodies are what the app really answers.
    r = client.get("/api/drafts/1")
    assert r.status_code == 401 and set(r.json()) == {"detail"}


def _route(method: str, path: str) -> APIRoute:
    for route in routes_doc.api_routes():
        if method in (route.methods or ()) and route.path_regex.match(path):
            return route
    raise AssertionError(f"no route for {method} {path}")


class Checked:
    """Calls the API and checks each JSON answer against the route's declared model, keys and all."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: set[str] = set()

    def __call__(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        r = self.client.request(method, path, **kwargs)
        assert r.status_code == status, (method, path, r.text[:300])
        route = _route(method, path.split("?")[0])
        assert route.response_model is not None, route.path
        body = r.json()
        model = route.response_model
        TypeAdapter(model).validate_python(body)
        # Nothing undeclared either: an answer built by hand would show here.
        many = get_origin(model) is list
        item = get_args(model)[0] if many else model
        assert isinstance(item, type) and issubclass(item, BaseModel), (route.path, model)
        for one in body if many else [body]:
            assert set(one) == set(item.model_fields), (route.path, set(one) ^ set(item.model_fields))
        self.seen.add(f"{method} {route.path}")
        return body


def test_main_flows_answer_what_they_declare(client: TestClient, settings: Settings) -> None:
    call = Checked(client)
    make_user(client, settings, "zhang", "drafter")
    make_user(client, settings, "li", "reviewer")
    api_login(client, "admin", admin_password(settings))
    call("GET", "/api/auth/me")
    users = call("GET", "/api/users")
    assert {u["username"] for u in users} == {"admin", "zhang", "li"}
    made = call("POST", "/api/users", 201, json={"username": "wang", "role": "drafter", "password": PASSWORD})
    assert call("PATCH", f"/api/users/{made['id']}", json={"active": False})["active"] is False
    call("POST", "/api/auth/logout")
    client.headers.pop("X-CSRF-Token")

    me = call("POST", "/api/auth/login", json={"username": "zhang", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = me["csrf_token"]
    proposal = call("POST", "/api/proposals/parse", json={"text": proposal_text()})
    parsed = call("POST", "/api/proposals/parse-file",
                  files={"file": ("p.txt", proposal_text().encode(), "text/plain")})
    assert proposal["title"] and parsed["suggestions"] == proposal["suggestions"]
    made = call("POST", "/api/drafts", 201, json={"proposal": proposal, "options": {"reply_date": "2025-06-30"}})
    draft_id = made["id"]
    got = call("GET", f"/api/drafts/{draft_id}")
    assert got["draft"] == made["draft"] and got["text"] == made["text"]
    assert got["text"] and got["draft"]["letter"]["title"] and got["can_edit"] is True
    listed = call("GET", "/api/drafts")
    assert [d["id"] for d in listed] == [draft_id]
    call("PUT", f"/api/drafts/{draft_id}/assignment", json={"editors": []})
    saved = call("POST", f"/api/drafts/{draft_id}/versions", 201,
                 json={"text": got["text"] + "\n我局将持续推进。", "base_version": 1})
    assert saved["number"] == 2 and saved["draft"]["letter"]
    call("GET", f"/api/drafts/{draft_id}/versions")
    call("GET", f"/api/drafts/{draft_id}/versions/1")
    call("POST", f"/api/drafts/{draft_id}/versions/1/restore", 201)
    assert "<p" in call("GET", f"/api/drafts/{draft_id}/diff?a=1&b=2")["html"]
    source_id = got["draft"]["sources"][0]["id"]
    ctx = call("GET", f"/api/drafts/{draft_id}/sources/{source_id}")
    assert ctx["found"] and ctx["url"].startswith("/kb/docs/")
    reviews = call("GET", f"/api/drafts/{draft_id}/reviews")

    docs = call("GET", "/api/kb/documents")
    call("GET", f"/api/kb/documents/{docs[0]['doc_id']}")
    call("GET", "/api/kb/search?q=中试平台")
    assert call("GET", "/api/kb/stats")["documents"] == 2
    job = call("POST", "/api/kb/uploads", 202,
               files=[("files", ("n.txt", "示例市科技局推进会。\n示例市科学技术局\n2024年9月10日\n".encode(), "text/plain"))])
    for _ in range(200):
        job = call("GET", f"/api/kb/jobs/{job['id']}")
        if job["finished"]:
            break
        time.sleep(0.05)
    assert job["status"] == "done" and job["files"][0]["chunks"]
    # The per-file results are read from what the ingest thread stored: it stores no more than they declare.
    with client.app.state.services.sessions() as db:  # type: ignore[attr-defined]
        stored = json.loads(db.get(IngestJob, job["id"]).files)
    assert set(stored[0]) | {"status_name"} == set(FileResultOut.model_fields)
    call("POST", "/api/auth/password", json={"old_password": PASSWORD, "new_password": PASSWORD + "-2"})
    client.headers["X-CSRF-Token"] = call("GET", "/api/auth/me")["csrf_token"]

    client.post("/api/auth/logout")
    api_login(client, "li", PASSWORD)
    decided = call("POST", f"/api/drafts/{draft_id}/reviews", 201,
                   json={"source_id": reviews["citations"][0]["source_id"], "decision": "accepted"})
    assert decided["citations"][0]["decision"] == "accepted" and decided["trail"][-1]["action"] == "accepted"
    client.post("/api/auth/logout")
    api_login(client, "admin", admin_password(settings))
    call("DELETE", f"/api/kb/documents/{docs[0]['doc_id']}")

    every = {f"{m} {r.path}" for r in routes_doc.api_routes() for m in r.methods or ()}
    assert every - call.seen == {"GET /api/drafts/{draft_id}/export/{fmt}"}


def test_export_is_a_file_of_the_documented_type(as_drafter: TestClient, openapi: dict[str, Any]) -> None:
    draft_id = new_draft(as_drafter)["id"]
    documented = openapi["paths"]["/api/drafts/{draft_id}/export/{fmt}"]["get"]["responses"]["200"]["content"]
    for fmt in svc_drafts.EXPORTS:
        r = as_drafter.get(f"/api/drafts/{draft_id}/export/{fmt}")
        assert r.status_code == 200 and r.headers["content-type"] in documented, fmt
        assert "attachment" in r.headers["content-disposition"]


def test_service_shapes_match_the_models(client: TestClient, settings: Settings) -> None:
    """Models validated from a service's dict would silently drop a key the service adds; they agree."""
    make_user(client, settings, "zhang", "drafter")
    api_login(client, "zhang", PASSWORD)
    draft_id = new_draft(client)["id"]
    svc = client.app.state.services  # type: ignore[attr-defined]
    tenant = svc.tenants.default()
    assert set(svc_kb.stats(svc, tenant)) == set(StatsOut.model_fields)
    listed = svc_kb.list_documents(svc, tenant, svc_kb.DocQuery())
    assert listed and all(set(d) == set(DocumentSummary.model_fields) for d in listed)
    view = svc_kb.document_view(svc, tenant, str(listed[0]["doc_id"]))
    assert set(DocumentOut.model_fields) <= set(view)
    chunks = view["chunks"]
    assert isinstance(chunks, list) and all(set(c) == set(ChunkOut.model_fields) for c in chunks)
    with svc.sessions() as db:
        record = db.get(DraftRecord, draft_id)
        draft = svc_drafts.load_draft(svc_drafts.get_version(db, record))
        contexts = svc_drafts.source_contexts(svc, record, draft)
    assert contexts and all(set(c) | {"url"} == set(SourceContextOut.model_fields) for c in contexts)


def test_routers_take_their_dependencies_from_deps() -> None:
    """Roles and the DB session are declared once (deps.py); a router defining its own would drift from it."""
    from assistant.web.app import ROUTER_MODULES

    for module in ROUTER_MODULES:
        source = inspect.getsource(module)
        assert "Depends(need(" not in source and "Depends(get_db)" not in source, module.__name__
