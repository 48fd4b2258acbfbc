"""wait well: check-ins while waiting ("How are things now?"), each service's check-in cadence, and
the help that fits offered to everyone waiting, with what helped

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'wait_check_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('asked_at', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('asked_by', sa.String(length=40), nullable=False),
        sa.Column('reminded_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('answer', sa.String(length=20), nullable=True),
        sa.Column('words', sa.Text(), nullable=True),
        sa.Column('answered_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('decision', sa.String(length=10), nullable=True),
        sa.Column('decided_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE',
                                name=op.f('fk_wait_check_ins_request_id_support_requests')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_wait_check_ins_decided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wait_check_ins')),
    )
    op.create_index('ix_wait_check_ins_request_id_asked_at', 'wait_check_ins', ['request_id', 'asked_at'])
    op.create_index('ix_wait_check_ins_answered_at_asked_at', 'wait_check_ins', ['answered_at', 'asked_at'])
    op.add_column('services', sa.Column('check_in_weeks', sa.Integer(), server_default='4', nullable=False))
    op.create_table(
        'help_offers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('offered_at', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE',
                                name=op.f('fk_help_offers_request_id_support_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_offers')),
        sa.UniqueConstraint('request_id', name=op.f('uq_help_offers_request_id')),
    )
    op.create_index(op.f('ix_help_offers_offered_at'), 'help_offers', ['offered_at'])
    op.create_table(
        'help_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('item', sa.String(length=80), nullable=False),
        sa.Column('helped', sa.Boolean(), nullable=False),
        sa.Column('at', webapp.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['offer_id'], ['help_offers.id'], ondelete='CASCADE',
                                name=op.f('fk_help_feedback_offer_id_help_offers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_feedback')),
    )
    op.create_index(op.f('ix_help_feedback_offer_id'), 'help_feedback', ['offer_id'])


def downgrade():
    op.drop_index(op.f('ix_help_feedback_offer_id'), table_name='help_feedback')
    op.drop_table('help_feedback')
    op.drop_index(op.f('ix_help_offers_offered_at'), table_name='help_offers')
    op.drop_table('help_offers')
    op.drop_column('services', 'check_in_weeks')
    op.drop_index('ix_wait_check_ins_answered_at_asked_at', table_name='wait_check_ins')
    op.drop_index('ix_wait_check_ins_request_id_asked_at', table_name='wait_check_ins')
    op.drop_table('wait_check_ins')
