"""Draft assignment: an owner (负责人, the author to begin with) and assigned editors (协办人).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
    # Every existing draft belongs to whoever wrote it.
    op.execute("UPDATE drafts SET owner_id = author_id")
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.alter_column('owner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_drafts_owner_id_users'), 'users', ['owner_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_drafts_owner_id'), ['owner_id'], unique=False)

    op.create_table('draft_editors',
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('draft_id', 'user_id')
    )
    with op.batch_alter_table('draft_editors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_editors_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('draft_editors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_editors_user_id'))
    op.drop_table('draft_editors')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_owner_id'))
        batch_op.drop_constraint(batch_op.f('fk_drafts_owner_id_users'), type_='foreignkey')
        batch_op.drop_column('owner_id')
