"""wait figures marked out of date by appending a change row (`wait_figure_changes`), not by updating
the one snapshot row (`wait_snapshots.stale`, gone), so support writes never queue on it

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'wait_figure_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('changed_at', webapp.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wait_figure_changes')),
    )
    # Figures marked stale before this revision are out of date: one change row says so now.
    op.execute("INSERT INTO wait_figure_changes (changed_at) SELECT computed_at FROM wait_snapshots WHERE stale")
    with op.batch_alter_table('wait_snapshots') as batch_op:
        batch_op.drop_column('stale')


def downgrade():
    with op.batch_alter_table('wait_snapshots') as batch_op:
        batch_op.add_column(sa.Column('stale', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE wait_snapshots SET stale = true WHERE EXISTS (SELECT 1 FROM wait_figure_changes)")
    with op.batch_alter_table('wait_snapshots') as batch_op:
        batch_op.alter_column('stale', server_default=None)
    op.drop_table('wait_figure_changes')
