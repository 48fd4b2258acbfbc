"""privacy concerns and /track lookups on the timeline (#21): filled in by the privacy work

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 09:30:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'support_track_lookups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('looked_up_at', webapp.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_support_track_lookups_request_id', 'support_track_lookups', ['request_id'])
    op.create_table(
        'privacy_concerns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('concern', sa.Text(), nullable=False),
        sa.Column('reply_to', sa.String(length=254), nullable=True),
        sa.Column('handled_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_privacy_concerns_created_at', 'privacy_concerns', ['created_at'])
    op.create_index('ix_privacy_concerns_user_id', 'privacy_concerns', ['user_id'])
    op.create_index('ix_privacy_concerns_handled_at', 'privacy_concerns', ['handled_at'])


def downgrade():
    op.drop_index('ix_privacy_concerns_handled_at', table_name='privacy_concerns')
    op.drop_index('ix_privacy_concerns_user_id', table_name='privacy_concerns')
    op.drop_index('ix_privacy_concerns_created_at', table_name='privacy_concerns')
    op.drop_table('privacy_concerns')
    op.drop_index('ix_support_track_lookups_request_id', table_name='support_track_lookups')
    op.drop_table('support_track_lookups')
