"""The README's API section is the app's own route table, and every /api path it names exists."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assistant.web import routes_doc
from tests.web.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(path)) + "$")


def test_readme_table_is_generated_from_the_routes() -> None:
    assert routes_doc.updated(README) == README, "run: python -m assistant.web.routes_doc"
    assert routes_doc.main(["--check"]) == 0


def test_every_api_path_the_readme_names_exists() -> None:
    routes = [_pattern(r.path) for r in routes_doc.api_routes()]
    named = set(re.findall(r"`(?:GET |POST |PUT |PATCH |DELETE )?(/api/[^`\s?]*)", README))
    named = {re.sub(r"/export/(docx|review-docx|md|json|txt|md\|json\|txt)$", "/export/x", p) for p in named}
    assert named, "the README names API paths"
    missing = sorted(p for p in named if p != "/api/openapi.json" and not any(r.match(p) for r in routes))
    assert not missing, missing


def test_openapi_is_where_the_readme_says(client: TestClient) -> None:
    assert "`/api/openapi.json`" in README and "`/docs`" not in README
    assert client.get("/api/openapi.json").status_code == 200


def test_who_comes_from_the_role_dependencies() -> None:
    rows = {line.split("|")[2].strip(" `"): line.split("|")[3].strip() for line in routes_doc.table().splitlines()[2:]}
    assert rows["/api/users"] == "admin" and rows["/api/auth/login"].startswith("anyone")
    assert rows["/api/drafts/{draft_id}/assignment"] == "drafter (or admin)"
    assert rows["/api/drafts/{draft_id}/diff"] == "any user"
