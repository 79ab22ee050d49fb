"""Bureaus as a table: the migration from bureau texts, the sync from the bureaus file, scoping by foreign key."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.bureaus import Bureaus, load_bureaus
from assistant.settings import Settings
from assistant.web import db as appdb
from assistant.web.orm import BureauRecord, DraftRecord, IngestJob, User
from assistant.web.services import bureaus as svc_bureaus
from assistant.web.services import drafts as svc_drafts
from assistant.web.services import kb as svc_kb
from assistant.web.services.errors import NotFound
from assistant.web.tenants import Tenants
from tests.web.conftest import TWO_BUREAUS as TWO


def _settings(tmp_path: Path, toml: str | None) -> Settings:
    if toml is not None:
        (tmp_path / "bureaus.toml").write_text(toml, encoding="utf-8")
    return Settings(kb_dir=tmp_path / "kb", embedding_model="hashing", var_dir=tmp_path / "var",
                    secret_key="test-secret-key", database_url="",
                    bureaus_file=tmp_path / "bureaus.toml" if toml is not None else None)


# --- the migration -------------------------------------------------------------------------------------------

USERS = [(1, "jia1", "jia"), (2, "yi1", "乙市科学技术局"), (3, "bing1", "丙市科学技术局"), (4, "nobody", ""),
         (5, "jia2", " jia ")]
DRAFTS = [(1, "jia", 1), (2, "乙市科学技术局", 2), (3, "丙市科学技术局", 3)]


def _at_0003(settings: Settings) -> str:
    """A database at revision 0003 with users, drafts, versions, co-editors, sessions, reviews and jobs."""
    url = appdb.database_url(settings)
    engine = appdb.make_engine(url)
    cfg = appdb.alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        for uid, name, bureau in USERS:
            conn.execute(text("INSERT INTO users (id, username, display_name, role, bureau, password_hash, active, "
                              "session_version, created_at) VALUES (:id, :name, '', 'drafter', :bureau, 'x', 1, 1, "
                              "'2025-01-01')"), {"id": uid, "name": name, "bureau": bureau})
            conn.execute(text("INSERT INTO login_sessions (id, user_id, created_at, last_seen) "
                              "VALUES (:sid, :id, '2025-01-01', '2025-01-01')"), {"sid": f"s{uid}", "id": uid})
        for did, bureau, author in DRAFTS:
            conn.execute(text("INSERT INTO drafts (id, bureau, title, number, session, proposer, author_id, owner_id, "
                              "current_version, review_status, created_at, updated_at) VALUES (:id, :bureau, 't', "
                              "'1', 's', 'p', :a, :a, 1, 'pending', '2025-01-01', '2025-01-01')"),
                         {"id": did, "bureau": bureau, "a": author})
            conn.execute(text("INSERT INTO draft_versions (draft_id, number, data, note, editor_id, created_at) "
                              "VALUES (:id, 1, '{}', '生成', :a, '2025-01-01')"), {"id": did, "a": author})
            conn.execute(text("INSERT INTO review_events (draft_id, version, actor_id, action, source_key, comment, "
                              "created_at) VALUES (:id, 1, :a, 'created', '', '', '2025-01-01')"),
                         {"id": did, "a": author})
        conn.execute(text("INSERT INTO draft_editors (draft_id, user_id) VALUES (1, 5)"))
        conn.execute(text("INSERT INTO ingest_jobs (id, user_id, status, stage, done, total, files, error, "
                          "created_at) VALUES (9, 2, 'done', '', 1, 1, '[]', '', '2025-01-01')"))
    engine.dispose()
    return url


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("users", "drafts", "draft_versions", "draft_editors", "login_sessions", "review_events",
                          "ingest_jobs")}


def test_migration_attaches_every_row_to_its_bureau_and_loses_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path, TWO)
    url = _at_0003(settings)
    path = settings.var_dir / "app.sqlite3"
    before = _counts(path)
    engine = appdb.make_engine(url)
    appdb.upgrade(engine, load_bureaus(settings))
    assert _counts(path) == before  # rebuilding the tables cascaded into nothing
    with Session(engine) as db:
        bureaus = {b.key: (b.name, b.active) for b in db.scalars(select(BureauRecord))}
        # Key or full name: the configured bureau; anything else: a bureau of its own, inactive as it was refused.
        assert bureaus == {"jia": ("甲市科学技术局", True), "yi": ("乙市科学技术局", True),
                           "legacy-1": ("（未填写单位）", False), "legacy-2": ("丙市科学技术局", False)}
        users = {u.username: u.bureau.key for u in db.scalars(select(User))}
        assert users == {"jia1": "jia", "yi1": "yi", "bing1": "legacy-2", "nobody": "legacy-1", "jia2": "jia"}
        assert {d.id: d.bureau.key for d in db.scalars(select(DraftRecord))} == {1: "jia", 2: "yi", 3: "legacy-2"}
        # The job had no bureau: it takes its uploader's.
        assert db.get(IngestJob, 9).bureau.key == "yi"  # type: ignore[union-attr]
        # The bureau is a foreign key now: a bureau with rows cannot be deleted.
        with pytest.raises(IntegrityError):
            db.execute(delete(BureauRecord).where(BureauRecord.key == "jia"))
        db.rollback()
    with sqlite3.connect(path) as conn:
        for table in ("users", "drafts", "ingest_jobs"):
            columns = {r[1]: r for r in conn.execute(f"PRAGMA table_info({table})")}
            assert "bureau" not in columns and columns["bureau_id"][3] == 1, table  # NOT NULL, the text gone
            fks = [r for r in conn.execute(f"PRAGMA foreign_key_list({table})") if r[2] == "bureaus"]
            assert [(f[3], f[6]) for f in fks] == [("bureau_id", "RESTRICT")], table
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    engine.dispose()

    # Down again: the texts come back as the app stored them (keys with a bureaus file), nothing lost.
    plain = create_engine(url)  # no foreign-key enforcement, as for the `alembic` command
    cfg = appdb.alembic_config(url)
    cfg.attributes["bureaus"] = load_bureaus(settings)
    with plain.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    plain.dispose()
    assert _counts(path) == before
    with sqlite3.connect(path) as conn:
        assert dict(conn.execute("SELECT username, bureau FROM users").fetchall()) == {
            "jia1": "jia", "yi1": "yi", "bing1": "丙市科学技术局", "nobody": "", "jia2": "jia"}
        assert dict(conn.execute("SELECT id, bureau FROM drafts").fetchall()) == {1: "jia", 2: "yi", 3: "丙市科学技术局"}


def test_migration_without_a_bureaus_file_keeps_other_bureau_texts_apart(tmp_path: Path) -> None:
    settings = _settings(tmp_path, None)
    url = _at_0003(settings)
    engine = appdb.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET bureau = :name WHERE id IN (1, 5)"), {"name": settings.bureau_name})
        conn.execute(text("UPDATE drafts SET bureau = :name WHERE id = 1"), {"name": settings.bureau_name})
    appdb.upgrade(engine, load_bureaus(settings))
    with Session(engine) as db:
        users = {u.username: (u.bureau.key, u.bureau.name, u.bureau.active) for u in db.scalars(select(User))}
    assert users["jia1"] == users["jia2"] == ("default", settings.bureau_name, True)
    # Without a file such accounts worked (one knowledge base, their drafts apart): they still do.
    assert users["yi1"][1:] == ("乙市科学技术局", True) and users["yi1"][0].startswith("legacy-")
    assert users["bing1"][1:] == ("丙市科学技术局", True) and users["bing1"][0] not in (users["yi1"][0], "default")
    engine.dispose()


# --- the sync from the bureaus file -------------------------------------------------------------------------

def _open(settings: Settings) -> tuple[Session, list[BureauRecord], Bureaus]:
    bureaus = load_bureaus(settings)
    sessions, rows = svc_bureaus.open_database(settings, bureaus)
    return sessions(), rows, bureaus


def test_sync_adds_renames_and_keeps_bureaus_with_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(tmp_path, TWO)
    db, rows, _ = _open(settings)
    assert [(r.key, r.name, r.active) for r in rows] == [("jia", "甲市科学技术局", True), ("yi", "乙市科学技术局", True)]
    jia_id = rows[0].id
    db.add(User(username="jia1", role="drafter", bureau_id=jia_id, password_hash="x"))
    db.commit()
    db.close()

    # jia leaves the file (it has a user), yi is renamed, bing is new.
    (tmp_path / "bureaus.toml").write_text(
        '[[bureau]]\nkey = "yi"\nname = "乙市科技创新局"\nregion = "乙省乙市"\n'
        '[[bureau]]\nkey = "bing"\nname = "丙市科学技术局"\nregion = "丙省丙市"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="assistant.web.services.bureaus"):
        db, rows, bureaus = _open(settings)
    assert [(r.key, r.name, r.active) for r in rows] == [
        ("yi", "乙市科技创新局", True), ("bing", "丙市科学技术局", True), ("jia", "甲市科学技术局", False)]
    assert rows[2].id == jia_id  # kept under its user, same id
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "jia" in warned[0] and "保留为停用" in warned[0]
    # Its user is refused with the reason; the others are served under their new names.
    tenants = Tenants(settings, bureaus, rows)
    user = db.scalar(select(User).where(User.username == "jia1"))
    assert user is not None and tenants.tenant(user.bureau) is None
    assert tenants.choices() == [("yi", "乙市科技创新局"), ("bing", "丙市科学技术局")]
    db.close()

    # bing leaves again, with nothing in it: removed. jia comes back: active again, same row.
    (tmp_path / "bureaus.toml").write_text(TWO, encoding="utf-8")
    db, rows, _ = _open(settings)
    assert [(r.key, r.name, r.active) for r in rows] == [("jia", "甲市科学技术局", True), ("yi", "乙市科学技术局", True)]
    assert rows[0].id == jia_id
    db.close()


def test_sync_without_a_file_keeps_one_default_bureau(tmp_path: Path) -> None:
    settings = _settings(tmp_path, None)
    db, rows, _ = _open(settings)
    assert [(r.key, r.name, r.active) for r in rows] == [("default", settings.bureau_name, True)]
    db.close()
    renamed = settings.model_copy(update={"bureau_name": "另一市科学技术局"})
    db, rows, _ = _open(renamed)
    assert [(r.key, r.name) for r in rows] == [("default", "另一市科学技术局")]
    db.close()


# --- scoping by foreign key ---------------------------------------------------------------------------------

def test_drafts_and_jobs_are_scoped_by_bureau_id(tmp_path: Path) -> None:
    settings = _settings(tmp_path, TWO)
    db, rows, bureaus = _open(settings)
    tenants = Tenants(settings, bureaus, rows)
    jia, yi = tenants.by_key("jia"), tenants.by_key("yi")
    assert jia is not None and yi is not None
    users = {}
    for name, tenant in (("a", jia), ("b", yi)):
        users[name] = User(username=name, role="drafter", bureau_id=tenant.bureau_id, password_hash="x")
        db.add(users[name])
    db.flush()
    # The same title in both bureaus: only the ids tell them apart.
    drafts = {name: DraftRecord(bureau_id=u.bureau_id, title="同名提案", author_id=u.id, owner_id=u.id)
              for name, u in users.items()}
    jobs = {name: IngestJob(user_id=u.id, bureau_id=u.bureau_id) for name, u in users.items()}
    db.add_all([*drafts.values(), *jobs.values()])
    db.commit()
    a, b = users["a"], users["b"]
    assert tenants.for_user(a) == jia and tenants.for_user(b) == yi
    query = svc_drafts.DraftQuery()
    assert [d.id for d in svc_drafts.list_drafts(db, a, jia, query)] == [drafts["a"].id]
    assert [d.id for d in svc_drafts.list_drafts(db, b, yi, query)] == [drafts["b"].id]
    assert svc_drafts.get_record(db, a, jia, drafts["a"].id).id == drafts["a"].id
    with pytest.raises(NotFound):
        svc_drafts.get_record(db, a, jia, drafts["b"].id)
    assert [j.id for j in svc_kb.recent_jobs(db, jia)] == [jobs["a"].id]
    assert [j.id for j in svc_kb.recent_jobs(db, yi)] == [jobs["b"].id]
    with pytest.raises(NotFound):
        svc_kb.get_job(db, b, yi, jobs["a"].id)
    # Co-editors come from the draft's bureau only.
    from assistant.web.services import access

    assert [u.username for u in access.candidates(db, tenants, drafts["a"])] == ["a"]
    db.close()
