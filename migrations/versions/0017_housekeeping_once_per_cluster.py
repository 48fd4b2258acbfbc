"""housekeeping once per cluster: job_runs (when retention and weekly series last ran), indexes under
retention's columns, one session a day per weekly series

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 08:00:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_runs',
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('last_run_at', webapp.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_index('ix_scheduled_notifications_created_at', 'scheduled_notifications', ['created_at'])
    op.create_index('ix_bookings_ends_at', 'bookings', ['ends_at'])
    op.create_index('ix_booking_waiting_list_created_at', 'booking_waiting_list', ['created_at'])
    # A session two workers made at once (before this key) stays, with its bookings, as a one-off:
    # only the first of each (series, day) keeps its series.
    op.execute("""
        UPDATE drop_in_sessions SET series_id = NULL
        WHERE series_id IS NOT NULL AND id > (
            SELECT MIN(first.id) FROM drop_in_sessions AS first
            WHERE first.series_id = drop_in_sessions.series_id AND first.local_date = drop_in_sessions.local_date)
    """)
    with op.batch_alter_table('drop_in_sessions') as batch_op:
        batch_op.create_unique_constraint('uq_drop_in_sessions_series_id_local_date', ['series_id', 'local_date'])


def downgrade():
    with op.batch_alter_table('drop_in_sessions') as batch_op:
        batch_op.drop_constraint('uq_drop_in_sessions_series_id_local_date', type_='unique')
    op.drop_index('ix_booking_waiting_list_created_at', table_name='booking_waiting_list')
    op.drop_index('ix_bookings_ends_at', table_name='bookings')
    op.drop_index('ix_scheduled_notifications_created_at', table_name='scheduled_notifications')
    op.drop_table('job_runs')
