"""messages by text, email and letter through Notify (#20): filled in by the messaging work

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 09:30:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice', sa.String(length=36), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=True),
        sa.Column('address', sa.JSON(), nullable=True),
        sa.Column('template', sa.String(length=40), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('personalisation', sa.JSON(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=False),
        sa.Column('round', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('sensitive', sa.Boolean(), nullable=False),
        sa.Column('quiet_hours', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('subject_type', sa.String(length=30), nullable=True),
        sa.Column('subject_id', sa.String(length=40), nullable=True),
        sa.Column('fallbacks', sa.JSON(), nullable=False),
        sa.Column('expires_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('sent_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('notify_id', sa.String(length=36), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('outcome_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', webapp.database.UTCDateTime(), nullable=False),
        sa.Column('claimed_at', webapp.database.UTCDateTime(), nullable=True),
        sa.Column('claimed_by', sa.String(length=80), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_messages_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
        sa.UniqueConstraint('notice', 'channel', name='uq_messages_notice_channel'),
        sa.UniqueConstraint('reference', name=op.f('uq_messages_reference')),
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_status_next_attempt', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_messages_subject', ['subject_type', 'subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_notify_id'), ['notify_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_user_id'), ['user_id'], unique=False)

    op.create_table(
        'channel_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('order', sa.JSON(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('address', sa.JSON(), nullable=True),
        sa.Column('name_service', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('updated_at', webapp.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_channel_preferences_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_channel_preferences')),
    )


def downgrade():
    op.drop_table('channel_preferences')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        for name in ('ix_messages_user_id', 'ix_messages_status', 'ix_messages_sent_at', 'ix_messages_notify_id',
                     'ix_messages_next_attempt_at', 'ix_messages_created_at', 'ix_messages_subject',
                     'ix_messages_status_next_attempt'):
            batch_op.drop_index(name)
    op.drop_table('messages')
