"""The bureaus table, kept in step with the bureaus file at every start (app and CLI alike).

The file says which bureaus the deployment serves and what they are called; the table is what users,
drafts and ingest jobs point at. A key new in the file is added, a changed name is taken over, and a
bureau that left the file is removed only when nothing points at it: with users, drafts or jobs it is
kept, marked inactive (its users are refused with a reason) and a warning is logged at each start.
Without a bureaus file the configured bureau (``ASSISTANT_TENANT`` or ``default``, named by
``ASSISTANT_BUREAU_NAME``) is the table's first row.
"""

from __future__ import annotations

import logging

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.bureaus import Bureaus
from assistant.settings import Settings
from assistant.web import db as appdb
from assistant.web.orm import BureauRecord, DraftRecord, IngestJob, User

log = logging.getLogger(__name__)


def in_use(db: Session, row: BureauRecord) -> bool:
    return any(db.scalar(select(exists().where(model.bureau_id == row.id)))
               for model in (User, DraftRecord, IngestJob))


def _sync_once(db: Session, bureaus: Bureaus) -> None:
    rows = {r.key: r for r in db.scalars(select(BureauRecord))}
    for bureau in bureaus.items:
        row = rows.get(bureau.key)
        if row is None:
            db.add(BureauRecord(key=bureau.key, name=bureau.name, active=True))
            log.info("bureau %s (%s) added", bureau.key, bureau.name)
            continue
        if row.name != bureau.name:
            log.info("bureau %s renamed: %s -> %s", bureau.key, row.name, bureau.name)
            row.name = bureau.name
        row.active = True
    for key, row in rows.items():
        if bureaus.get(key) is not None:
            continue
        if not in_use(db, row):
            db.delete(row)
            log.info("bureau %s (%s) removed: no longer configured and nothing belongs to it", key, row.name)
        elif bureaus.configured:
            row.active = False
            log.warning("单位 %s（%s）已不在单位配置文件中，但仍有用户、草稿或入库任务，保留为停用；"
                        "其用户无法使用知识库和草稿；如仍需使用，请把它加回配置文件。", key, row.name)
        else:
            # Without a file every bureau works on the one knowledge base, its drafts kept apart, as
            # accounts with their own bureau text always did before bureaus were a table.
            row.active = True
    db.commit()


def sync(db: Session, bureaus: Bureaus) -> list[BureauRecord]:
    """Bring the table in line with ``bureaus``; returns every row, configured ones first in file order."""
    try:
        _sync_once(db, bureaus)
    except IntegrityError:
        # Another worker starting at the same moment inserted the same key first: its rows are as good.
        db.rollback()
        _sync_once(db, bureaus)
    order = {key: i for i, key in enumerate(bureaus.keys())}
    rows = list(db.scalars(select(BureauRecord)))
    return sorted(rows, key=lambda r: (order.get(r.key, len(order)), r.id))


def open_database(settings: Settings, bureaus: Bureaus) -> tuple[sessionmaker[Session], list[BureauRecord]]:
    """The app database migrated and its bureaus synced; the session factory and the bureau rows."""
    engine = appdb.make_engine(appdb.database_url(settings))
    appdb.upgrade(engine, bureaus)
    sessions = appdb.session_factory(engine)
    with sessions() as db:
        rows = sync(db, bureaus)
    return sessions, rows


def by_key(db: Session, key: str) -> BureauRecord | None:
    return db.scalar(select(BureauRecord).where(BureauRecord.key == key.strip()))


def listing(rows: list[BureauRecord]) -> str:
    return "、".join(f"{r.key}（{r.name}）" for r in rows)


def active(db: Session) -> list[BureauRecord]:
    return list(db.scalars(select(BureauRecord).where(BureauRecord.active.is_(True)).order_by(BureauRecord.id)))
