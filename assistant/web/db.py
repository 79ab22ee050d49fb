"""The app database: engine with durable SQLite pragmas, sessions, and migrations run at startup."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from assistant.bureaus import Bureaus
from assistant.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    path = (settings.var_dir / "app.sqlite3").resolve()
    private_file(path)
    return f"sqlite:///{path}"


def private_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable by the owner only: the app database holds password hashes.

    SQLite gives its -wal and -shm files the database file's mode, so they are private too. A file made by
    an older version with wider rights is narrowed.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists() and stat.S_IMODE(part.stat().st_mode) & 0o077:
            os.chmod(part, 0o600)


def make_engine(url: str) -> Engine:
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30} if sqlite else {})
    if sqlite:
        @event.listens_for(engine, "connect")
        def _pragmas(conn: sqlite3.Connection, _record: Any) -> None:
            # WAL lets readers run beside the writer; FULL makes every commit survive power loss,
            # which is the promise made to users ("nothing saved is lost").
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, bureaus: Bureaus | None = None) -> None:
    """Bring the schema to the newest migration (``alembic upgrade head``).

    ``bureaus`` (the deployment's, loaded with the app's settings) tells the bureaus migration which
    stored texts name which bureau; without it the migration reads the environment's settings.
    """
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    cfg.attributes["bureaus"] = bureaus
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild tables that other tables reference (copy, drop, rename). With foreign
            # keys enforced, dropping the old copy would delete the referencing rows (ON DELETE CASCADE: login
            # sessions, co-editors) or be refused. SQLite's own procedure: keys off (only possible outside a
            # transaction), rebuild, check, keys on.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            before = _fk_violations(conn)
            conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = _fk_violations(conn) - before
                    if broken:
                        raise RuntimeError(f"数据库升级后外键不一致，已回滚：{sorted(broken)[:5]}")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def _fk_violations(conn: Connection) -> set[tuple[str, str]]:
    """(table, referenced table) pairs with dangling references; older ones must not block an upgrade."""
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    return {(str(r[0]), str(r[2])) for r in rows}


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success; used outside requests (CLI, background jobs)."""
    db = factory()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()
