"""risk first and nothing lost: risk signals (the queue's risk band), each requester update its own row,
status API idempotency keys, and when the front door first had a record

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 07:00:00

"""
import json
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'support_request_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('question', sa.Text(), nullable=True),
        sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE',
                                name=op.f('fk_support_request_updates_request_id_support_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request_updates')),
    )
    op.create_index(op.f('ix_support_request_updates_request_id'), 'support_request_updates', ['request_id'])
    op.create_table(
        'risk_signals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('arrived_at', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('due_by', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('reviewed_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE',
                                name=op.f('fk_risk_signals_request_id_support_requests')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_risk_signals_reviewed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_signals')),
    )
    op.create_index(op.f('ix_risk_signals_request_id'), 'risk_signals', ['request_id'])
    op.create_index('ix_risk_signals_reviewed_at_arrived_at', 'risk_signals', ['reviewed_at', 'arrived_at'])
    op.create_table(
        'front_door_idempotency_keys',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('body_digest', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=False),
        sa.Column('response', sa.Text(), nullable=False),
        sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE',
                                name=op.f('fk_front_door_idempotency_keys_request_id_support_requests')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_front_door_idempotency_keys')),
    )
    op.create_index(op.f('ix_front_door_idempotency_keys_request_id'), 'front_door_idempotency_keys',
                    ['request_id'])
    op.create_index(op.f('ix_front_door_idempotency_keys_created_at'), 'front_door_idempotency_keys',
                    ['created_at'])
    op.add_column('support_requests',
                  sa.Column('front_door_received_at', webapp.database.UTCDateTime(), nullable=True))
    op.add_column('support_requests', sa.Column('language', sa.String(length=5), server_default='en', nullable=False))
    _move_updates_and_flags()
    op.drop_index('ix_support_requests_needs_review_at', table_name='support_requests')
    op.drop_column('support_requests', 'needs_review_at')


def _aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _move_updates_and_flags():
    """Each JSON update becomes a row; a 'needs review' flag or an urgent request not yet looked at
    becomes an unreviewed risk signal, due a working day later (the promise made at the time)."""
    bind = op.get_bind()
    requests = sa.table('support_requests', sa.column('id'), sa.column('answers', sa.JSON),
                        sa.column('priority'), sa.column('status'), sa.column('received_at'),
                        sa.column('needs_review_at'))
    updates = sa.table('support_request_updates', sa.column('request_id'), sa.column('kind'), sa.column('text'),
                       sa.column('question'), sa.column('created_at', webapp.database.UTCDateTime()))
    signals = sa.table('risk_signals', sa.column('request_id'), sa.column('kind'),
                       sa.column('arrived_at', webapp.database.UTCDateTime()),
                       sa.column('due_by', webapp.database.UTCDateTime()))
    for row in bind.execute(sa.select(requests)).mappings():
        answers = row['answers'] if isinstance(row['answers'], dict) else json.loads(row['answers'] or '{}')
        for update in answers.pop('updates', None) or []:
            bind.execute(updates.insert().values(request_id=row['id'], kind=update.get('kind', 'worse'),
                                                 text=update.get('text', ''), question=update.get('question'),
                                                 created_at=_aware(update['at'])))
        bind.execute(requests.update().where(requests.c.id == row['id']).values(answers=answers))
        flagged = row['needs_review_at']
        if flagged is not None:
            at = _aware(flagged)
            bind.execute(signals.insert().values(request_id=row['id'], kind='worse', arrived_at=at,
                                                 due_by=at + timedelta(days=1)))
        elif row['priority'] == 'urgent' and row['status'] in ('received', 'more_information_needed'):
            at = _aware(row['received_at'])
            bind.execute(signals.insert().values(request_id=row['id'], kind='risk_answers', arrived_at=at,
                                                 due_by=at + timedelta(days=1)))


def downgrade():
    op.add_column('support_requests', sa.Column('needs_review_at', webapp.database.UTCDateTime(), nullable=True))
    op.create_index('ix_support_requests_needs_review_at', 'support_requests', ['needs_review_at'])
    op.drop_column('support_requests', 'language')
    op.drop_column('support_requests', 'front_door_received_at')
    op.drop_index(op.f('ix_front_door_idempotency_keys_created_at'), table_name='front_door_idempotency_keys')
    op.drop_index(op.f('ix_front_door_idempotency_keys_request_id'), table_name='front_door_idempotency_keys')
    op.drop_table('front_door_idempotency_keys')
    op.drop_index('ix_risk_signals_reviewed_at_arrived_at', table_name='risk_signals')
    op.drop_index(op.f('ix_risk_signals_request_id'), table_name='risk_signals')
    op.drop_table('risk_signals')
    op.drop_index(op.f('ix_support_request_updates_request_id'), table_name='support_request_updates')
    op.drop_table('support_request_updates')
