"""User administration (API, page, CLI) and the app database: migrations, durability, restarts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.settings import Settings
from tests.web.conftest import PASSWORD, admin_password, api_login, new_draft, page_csrf


def test_user_admin_api(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))
    r = client.post("/api/users", json={"username": "zhao", "role": "reviewer", "password": PASSWORD, "display_name": "赵审核"})
    # Without a bureaus file every account is in the configured bureau: key "default", named by the settings.
    assert r.status_code == 201 and (r.json()["bureau"], r.json()["bureau_name"]) == ("default", settings.bureau_name)
    uid = r.json()["id"]
    assert client.post("/api/users", json={"username": "zhao", "role": "drafter", "password": PASSWORD}).status_code == 409
    assert client.post("/api/users", json={"username": "a b", "role": "drafter", "password": PASSWORD}).status_code == 422
    assert client.post("/api/users", json={"username": "short", "role": "drafter", "password": "123"}).status_code == 422
    assert client.patch(f"/api/users/{uid}", json={"role": "drafter", "active": False}).json()["active"] is False
    assert client.post("/api/auth/login", json={"username": "zhao", "password": PASSWORD}).status_code == 401
    r = client.patch("/api/users/1", json={"role": "drafter"})
    assert r.status_code == 409 and "最后一位管理员" in r.json()["detail"]
    assert client.patch("/api/users/999", json={"active": True}).status_code == 404


def test_user_admin_page(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))
    page = client.get("/users")
    token = page_csrf(page.text)
    r = client.post("/users", data={"csrf_token": token, "username": "qian", "role": "drafter", "password": PASSWORD})
    assert r.status_code == 200 and "已创建用户" in r.text and "qian" in r.text
    r = client.post("/users", data={"csrf_token": token, "username": "qian", "role": "drafter", "password": PASSWORD})
    assert r.status_code == 409 and "已存在" in r.text
    users = client.get("/api/users").json()
    qian = next(u for u in users if u["username"] == "qian")
    r = client.post(f"/users/{qian['id']}", data={"csrf_token": token, "role": "reviewer", "active": "1",
                                                  "password": "new-password-9"}, follow_redirects=False)
    assert r.status_code == 303
    assert client.post("/api/auth/login", json={"username": "qian", "password": "new-password-9"}).json()["user"]["role"] == "reviewer"


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("ASSISTANT_KB_DIR", str(settings.kb_dir))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", "")
    return CliRunner()


def test_cli_user_commands(cli_env: CliRunner, settings: Settings, kb) -> None:  # type: ignore[no-untyped-def]
    from assistant.cli import app

    r = cli_env.invoke(app, ["user", "create", "sun", "--role", "admin", "--password", PASSWORD])
    assert r.exit_code == 0, r.output
    r = cli_env.invoke(app, ["user", "create", "sun", "--role", "admin", "--password", PASSWORD])
    assert r.exit_code == 1 and "已存在" in r.output
    r = cli_env.invoke(app, ["user", "create", "zhou", "--role", "boss", "--password", PASSWORD])
    assert r.exit_code == 1
    r = cli_env.invoke(app, ["user", "create", "wu", "--role", "reviewer"], input="pass-word-1\npass-word-1\n")
    assert r.exit_code == 0, r.output
    r = cli_env.invoke(app, ["user", "list"])
    assert "sun" in r.output and "wu" in r.output
    r = cli_env.invoke(app, ["user", "passwd", "wu", "--password", "changed-pass-2"])
    assert r.exit_code == 0
    assert cli_env.invoke(app, ["user", "passwd", "nobody", "--password", "changed-pass-2"]).exit_code == 1
    from assistant.web.app import create_app

    with TestClient(create_app(settings, kb=kb)) as c:
        assert c.post("/api/auth/login", json={"username": "wu", "password": "changed-pass-2"}).status_code == 200
        # Users existed before the first start: no generated admin.
        assert not (settings.var_dir / "initial_admin_password.txt").exists()


def test_database_is_durable_and_survives_restart(settings: Settings, kb) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import create_app

    with TestClient(create_app(settings, kb=kb)) as c:
        api_login(c, "admin", admin_password(settings))
        did = new_draft(c)["id"]
    db = settings.var_dir / "app.sqlite3"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "drafts", "draft_versions", "reviews", "review_events", "ingest_jobs", "alembic_version"} <= tables
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == _head()
    conn.close()
    with TestClient(create_app(settings, kb=kb)) as c:
        api_login(c, "admin", admin_password(settings))
        assert c.get(f"/api/drafts/{did}").json()["current_version"] == 1


def _head() -> str:
    from alembic.script import ScriptDirectory

    from assistant.web import db as appdb

    head = ScriptDirectory.from_config(appdb.alembic_config("sqlite://")).get_current_head()
    assert head
    return head


def test_migrations_build_the_schema_the_code_uses(settings: Settings) -> None:
    """Every table and column of the ORM comes from a migration (a new column without one would fail here)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from assistant.web import db as appdb
    from assistant.web.orm import Base

    engine = appdb.make_engine(appdb.database_url(settings))
    appdb.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff


def test_connections_use_full_sync(settings: Settings) -> None:
    from assistant.web import db as appdb

    engine = appdb.make_engine(appdb.database_url(settings))
    appdb.upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_interrupted_ingest_is_reported_after_restart(settings: Settings, kb) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import create_app
    from assistant.web.orm import IngestJob

    with TestClient(create_app(settings, kb=kb)) as c:
        sessions = c.app.state.services.sessions  # type: ignore[attr-defined]
        with sessions() as s:
            s.add(IngestJob(user_id=1, bureau_id=1, status="running", total=1))
            s.commit()
    with TestClient(create_app(settings, kb=kb)) as c:
        api_login(c, "admin", admin_password(settings))
        job = c.get("/api/kb/jobs/1").json()
        assert job["status"] == "interrupted" and "重新上传" in job["error"]


def test_alembic_ini_points_at_migrations() -> None:
    ini = Path(__file__).resolve().parents[2] / "alembic.ini"
    assert "script_location = assistant/web/migrations" in ini.read_text(encoding="utf-8")
