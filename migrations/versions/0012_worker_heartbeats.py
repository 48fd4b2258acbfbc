"""worker heartbeats: when each worker last finished a pass, for the admin's system health

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'worker_heartbeats',
        sa.Column('worker', sa.String(length=120), nullable=False),
        sa.Column('started_at', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('last_pass_at', webapp.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_heartbeats')),
    )
    op.create_index(op.f('ix_worker_heartbeats_last_pass_at'), 'worker_heartbeats', ['last_pass_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_worker_heartbeats_last_pass_at'), table_name='worker_heartbeats')
    op.drop_table('worker_heartbeats')
