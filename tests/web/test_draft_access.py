"""Who may change a draft: its owner, the colleagues assigned to it and admins; the rest of the bureau reads."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.conftest import PASSWORD, add_bureau, admin_password, api_login, new_draft, page_csrf


def _as(c: TestClient, username: str, password: str = PASSWORD) -> None:
    c.post("/api/auth/logout")
    c.headers.pop("X-CSRF-Token", None)
    api_login(c, username, password)


@pytest.fixture
def office(client: TestClient, settings: Settings) -> tuple[TestClient, int, str]:
    """zhang (owner of a draft), li and zhao (drafters), wang (reviewer); returns (client, draft id, its text)."""
    api_login(client, "admin", admin_password(settings))
    for name, role, label in (("zhang", "drafter", "张起草"), ("li", "drafter", "李起草"), ("zhao", "drafter", "赵起草"),
                              ("wang", "reviewer", "王审核")):
        r = client.post("/api/users", json={"username": name, "role": role, "password": PASSWORD, "display_name": label})
        assert r.status_code == 201, r.text
    _as(client, "zhang")
    made = new_draft(client)
    text = client.get(f"/api/drafts/{made['id']}").json()["text"]
    return client, made["id"], text


def _edit(text: str, mark: str) -> str:
    closing = next(line for line in text.splitlines() if line.startswith("感谢"))
    return text.replace(closing, closing + mark)


def test_a_colleague_reads_but_cannot_change(office: tuple[TestClient, int, str]) -> None:
    c, did, text = office
    assert c.get(f"/api/drafts/{did}").json()["can_edit"] is True
    _as(c, "li")
    got = c.get(f"/api/drafts/{did}").json()
    assert got["can_edit"] is False and got["owner"] == "zhang" and got["owner_name"] == "张起草"
    r = c.post(f"/api/drafts/{did}/versions", json={"text": _edit(text, "李擅改。")})
    assert r.status_code == 403 and "负责人（张起草）" in r.json()["detail"] and "协办人" in r.json()["detail"]
    assert c.post(f"/api/drafts/{did}/versions/1/restore").status_code == 403
    assert c.get(f"/api/drafts/{did}/export/docx").status_code == 200
    assert c.get(f"/api/drafts/{did}/diff", params={"a": 1, "b": 1}).status_code == 200
    page = c.get(f"/drafts/{did}")
    assert 'id="letter-text"' not in page.text and 'id="read-only"' in page.text
    token = page_csrf(page.text)
    r = c.post(f"/drafts/{did}/edit", data={"csrf_token": token, "text": _edit(text, "李擅改。")})
    assert r.status_code == 403 and "负责人" in r.text
    r = c.post(f"/drafts/{did}/restore", data={"csrf_token": token, "version": 1})
    assert r.status_code == 403
    assert c.get(f"/api/drafts/{did}").json()["current_version"] == 1


def test_a_reviewer_reviews_but_does_not_edit(office: tuple[TestClient, int, str]) -> None:
    c, did, text = office
    _as(c, "wang")
    src = c.get(f"/api/drafts/{did}/reviews").json()["citations"][0]["source_id"]
    assert c.post(f"/api/drafts/{did}/reviews", json={"source_id": src, "decision": "accepted"}).status_code == 201
    assert c.post(f"/api/drafts/{did}/versions", json={"text": _edit(text, "改。")}).status_code == 403


def test_the_owner_assigns_a_colleague_who_may_then_edit(office: tuple[TestClient, int, str]) -> None:
    c, did, text = office
    r = c.put(f"/api/drafts/{did}/assignment", json={"editors": ["li"]})
    assert r.status_code == 200 and [e["username"] for e in r.json()["editors"]] == ["li"]
    assert c.put(f"/api/drafts/{did}/assignment", json={"owner": "li", "editors": []}).status_code == 403
    _as(c, "li")
    assert c.get(f"/api/drafts/{did}").json()["can_edit"] is True
    r = c.post(f"/api/drafts/{did}/versions", json={"text": _edit(text, "李协办修改。")})
    assert r.status_code == 201 and r.json()["editor_name"] == "李起草"
    # An editor does not hand the draft on.
    assert c.put(f"/api/drafts/{did}/assignment", json={"editors": ["li", "zhao"]}).status_code == 403
    _as(c, "zhao")
    assert c.post(f"/api/drafts/{did}/versions", json={"text": _edit(text, "赵。")}).status_code == 403
    trail = c.get(f"/api/drafts/{did}/reviews").json()["trail"]
    assigned = [e for e in trail if e["action"] == "assigned"]
    assert assigned and assigned[0]["who_name"] == "张起草" and "协办人：李起草" in assigned[0]["comment"]
    assert assigned[0]["action_name"] == "指派"


def test_an_admin_hands_the_draft_to_someone_else(office: tuple[TestClient, int, str], settings: Settings) -> None:
    c, did, text = office
    _as(c, "admin", admin_password(settings))
    r = c.put(f"/api/drafts/{did}/assignment", json={"owner": "li", "editors": ["zhao"]})
    assert r.status_code == 200 and r.json()["owner"] == "li" and r.json()["author"] == "zhang"
    _as(c, "zhang")
    assert c.post(f"/api/drafts/{did}/versions", json={"text": _edit(text, "张。")}).status_code == 403
    for name in ("li", "zhao"):
        _as(c, name)
        latest = c.get(f"/api/drafts/{did}").json()
        r = c.post(f"/api/drafts/{did}/versions",
                   json={"text": _edit(latest["text"], f"{name}改。"), "base_version": latest["current_version"]})
        assert r.status_code == 201, r.text
    mine = c.get("/api/drafts", params={"mine": "true"}).json()
    assert [d["id"] for d in mine] == [did]
    _as(c, "zhang")
    assert c.get("/api/drafts", params={"mine": "true"}).json() == []
    assert c.get("/api/drafts", params={"author": "李起草"}).json()[0]["id"] == did


def test_only_active_drafters_of_the_bureau_can_be_assigned(office: tuple[TestClient, int, str],
                                                            settings: Settings) -> None:
    c, did, _ = office
    for bad in (["wang"], ["nobody"]):
        r = c.put(f"/api/drafts/{did}/assignment", json={"editors": bad})
        assert r.status_code == 422 and "须为本单位在用的起草人" in r.json()["detail"], bad
    _as(c, "admin", admin_password(settings))
    add_bureau(c, "far", "另一市科学技术局")
    r = c.post("/api/users", json={"username": "far", "role": "drafter", "password": PASSWORD, "bureau": "far"})
    assert r.status_code == 201
    assert c.put(f"/api/drafts/{did}/assignment", json={"editors": ["far"]}).status_code == 422


def test_assignment_from_the_page(office: tuple[TestClient, int, str]) -> None:
    c, did, _ = office
    page = c.get(f"/drafts/{did}")
    assert 'name="editors" value="li"' in page.text and 'name="owner"' not in page.text  # owners do not reassign
    r = c.post(f"/drafts/{did}/assignment", data={"csrf_token": page_csrf(page.text), "editors": ["li", "zhao"]},
               follow_redirects=False)
    assert r.status_code == 303
    view = c.get(f"/drafts/{did}")
    assert "协办：李起草、赵起草" in view.text
    assert "张起草" in c.get("/drafts").text  # the list shows people by name


def test_migration_makes_the_author_the_owner_of_existing_drafts(settings: Settings) -> None:
    from alembic import command
    from sqlalchemy import text

    from assistant.web import db as appdb

    engine = appdb.make_engine(appdb.database_url(settings))
    cfg = appdb.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("INSERT INTO users (id, username, display_name, role, bureau, password_hash, active, "
                          "session_version, created_at) VALUES (7, 'old', '', 'drafter', 'b', 'x', 1, 1, '2025-01-01')"))
        conn.execute(text("INSERT INTO drafts (id, bureau, title, number, session, proposer, author_id, "
                          "current_version, review_status, created_at, updated_at) VALUES "
                          "(3, 'b', 't', '1', 's', 'p', 7, 1, 'pending', '2025-01-01', '2025-01-01')"))
        conn.execute(text("INSERT INTO draft_versions (draft_id, number, data, note, editor_id, created_at) "
                          "VALUES (3, 1, '{}', '生成', 7, '2025-01-01')"))
    appdb.upgrade(engine)
    engine.dispose()
    with sqlite3.connect(settings.var_dir / "app.sqlite3") as conn:
        assert conn.execute("SELECT owner_id FROM drafts WHERE id = 3").fetchone() == (7,)
        # Rebuilding the drafts table must not cascade into its versions (foreign keys are off meanwhile).
        assert conn.execute("SELECT count(*) FROM draft_versions WHERE draft_id = 3").fetchone() == (1,)
