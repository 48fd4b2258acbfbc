"""request for support: drafts, front-door deliveries, triage

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:30:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=43), nullable=True))
        batch_op.add_column(sa.Column('fhir_record', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('trackable', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('needs_review_at', webapp.database.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_support_requests_submission_key'), ['submission_key'])
        batch_op.create_index(batch_op.f('ix_support_requests_needs_review_at'), ['needs_review_at'], unique=False)
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.alter_column('trackable', server_default=None)

    op.create_table('support_request_drafts',
    sa.Column('id', sa.String(length=43), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('submitted_request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['submitted_request_id'], ['support_requests.id'], name=op.f('fk_support_request_drafts_submitted_request_id_support_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_request_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request_drafts'))
    )
    with op.batch_alter_table('support_request_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_request_drafts_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_drafts_user_id'), ['user_id'], unique=False)

    op.create_table('front_door_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('sent_at', webapp.database.UTCDateTime(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', webapp.database.UTCDateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_front_door_deliveries_request_id_support_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_front_door_deliveries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_front_door_deliveries_idempotency_key'))
    )
    with op.batch_alter_table('front_door_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_front_door_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_front_door_deliveries_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_front_door_deliveries_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('front_door_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_front_door_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_front_door_deliveries_request_id'))
        batch_op.drop_index(batch_op.f('ix_front_door_deliveries_next_attempt_at'))
    op.drop_table('front_door_deliveries')
    with op.batch_alter_table('support_request_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_request_drafts_user_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_drafts_updated_at'))
    op.drop_table('support_request_drafts')
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_requests_needs_review_at'))
        batch_op.drop_constraint(batch_op.f('uq_support_requests_submission_key'), type_='unique')
        batch_op.drop_column('needs_review_at')
        batch_op.drop_column('trackable')
        batch_op.drop_column('fhir_record')
        batch_op.drop_column('submission_key')
