"""Bureaus as a table: users, drafts and ingest jobs point at their bureau by foreign key.

The stored ``bureau`` texts are matched as the app matched them before: a bureau's key or full name
from the bureaus file (without a file, the configured bureau name and the implicit key). A text that
matches none becomes a bureau of its own, keyed ``legacy-N`` and named by the text, so no account,
draft or job loses its bureau or joins another one. Ingest jobs carried no bureau: they take the
uploader's. Downgrading writes the texts back (keys with a bureaus file, names without).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

from assistant.bureaus import Bureaus, load_bureaus

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LEGACY_PREFIX = "legacy-"
UNNAMED = "（未填写单位）"
TABLES = ("users", "drafts", "ingest_jobs")


def _bureaus() -> Bureaus:
    # The app hands over the bureaus it loaded (with its own settings); the alembic command reads the environment.
    given = context.config.attributes.get("bureaus")
    if isinstance(given, Bureaus):
        return given
    from assistant.settings import Settings

    return load_bureaus(Settings())


def _insert(conn: sa.Connection, key: str, name: str, active: bool) -> int:
    now = datetime.now(UTC).replace(tzinfo=None)
    result = conn.execute(sa.text("INSERT INTO bureaus (key, name, active, created_at) "
                                  "VALUES (:key, :name, :active, :now)"),
                          {"key": key, "name": name, "active": active, "now": now})
    new_id = result.lastrowid
    assert new_id is not None
    return int(new_id)


def _fill(conn: sa.Connection, bureaus: Bureaus) -> dict[str, int]:
    """Insert the configured bureaus and one per unmatched text; return stored text → bureau id."""
    ids = {b.key: _insert(conn, b.key, b.name, True) for b in bureaus.items}
    texts = sorted({row[0] for table in ("users", "drafts")
                    for row in conn.execute(sa.text(f"SELECT DISTINCT bureau FROM {table}"))})
    legacy: dict[str, int] = {}
    found: dict[str, int] = {}
    for text in texts:
        bureau = bureaus.resolve(text)
        if bureau is not None:
            found[text] = ids[bureau.key]
            continue
        name = text.strip() or UNNAMED
        if name not in legacy:
            n = len(legacy) + 1
            while f"{LEGACY_PREFIX}{n}" in ids:
                n += 1
            # Without a bureaus file such accounts worked on the one knowledge base, their drafts apart: they
            # still do. With a file they were refused (not configured): they still are, until an admin moves them.
            legacy[name] = ids[f"{LEGACY_PREFIX}{n}"] = _insert(conn, f"{LEGACY_PREFIX}{n}", name,
                                                                not bureaus.configured)
        found[text] = legacy[name]
    return found


def upgrade() -> None:
    bureaus = _bureaus()
    op.create_table('bureaus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    conn = op.get_bind()
    found = _fill(conn, bureaus)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('bureau_id', sa.Integer(), nullable=True))
    for text, bureau_id in found.items():
        for table in ("users", "drafts"):
            conn.execute(sa.text(f"UPDATE {table} SET bureau_id = :id WHERE bureau = :text"),
                         {"id": bureau_id, "text": text})
    # Jobs recorded no bureau: the uploader's is the best account of whose knowledge base they filled.
    conn.execute(sa.text("UPDATE ingest_jobs SET bureau_id = "
                         "(SELECT bureau_id FROM users WHERE users.id = ingest_jobs.user_id)"))
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_bureau'))
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('bureau_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_bureau_id_bureaus'), 'bureaus', ['bureau_id'], ['id'],
                                        ondelete='RESTRICT')
            batch_op.create_index(batch_op.f(f'ix_{table}_bureau_id'), ['bureau_id'], unique=False)
            if table != "ingest_jobs":
                batch_op.drop_column('bureau')


def downgrade() -> None:
    bureaus = _bureaus()
    conn = op.get_bind()
    for table in ("users", "drafts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('bureau', sa.String(length=128), nullable=True))
    for bureau_id, key, name in conn.execute(sa.text("SELECT id, key, name FROM bureaus")).all():
        # What the app stored before: the key with a bureaus file, else the name; legacy texts as they were.
        if bureaus.configured and bureaus.get(key) is not None:
            text = key
        else:
            text = "" if name == UNNAMED and key.startswith(LEGACY_PREFIX) else name
        for table in ("users", "drafts"):
            conn.execute(sa.text(f"UPDATE {table} SET bureau = :text WHERE bureau_id = :id"),
                         {"text": text, "id": bureau_id})
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_bureau_id'))
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_bureau_id_bureaus'), type_='foreignkey')
            batch_op.drop_column('bureau_id')
            if table != "ingest_jobs":
                batch_op.alter_column('bureau', existing_type=sa.String(length=128), nullable=False)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_bureau'), ['bureau'], unique=False)
    op.drop_table('bureaus')
