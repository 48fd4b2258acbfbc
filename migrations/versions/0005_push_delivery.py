"""push reminders: delivery details

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:30:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_hours', sa.Boolean(), server_default=sa.text('true'), nullable=False))

    with op.batch_alter_table('scheduled_notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_to', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.create_index('ix_scheduled_notifications_status_next_attempt', ['status', 'next_attempt_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('scheduled_notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduled_notifications_status_next_attempt')
        batch_op.drop_column('delivered_to')

    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_column('quiet_hours')
