"""goals and ratings (Goal Based Outcomes)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:30:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('goal_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('share_with_worker', sa.Boolean(), nullable=False),
    sa.Column('reminder_weekday', sa.SmallInteger(), nullable=True),
    sa.Column('reminder_time', sa.Time(), nullable=True),
    sa.Column('next_reminder_at', webapp.database.UTCDateTime(), nullable=True),
    sa.Column('dismissed_request_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', webapp.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_goal_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_goal_settings'))
    )
    with op.batch_alter_table('goal_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_settings_next_reminder_at'), ['next_reminder_at'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('closed_at', webapp.database.UTCDateTime(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('source_request_id', sa.Integer(), nullable=True),
    sa.Column('source_goal_index', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_goals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    sa.UniqueConstraint('user_id', 'client_id', name='uq_goals_user_id_client_id')
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('ix_goals_user_id_status', ['user_id', 'status'], unique=False)

    op.create_table('goal_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('rating >= 0 AND rating <= 10', name=op.f('ck_goal_ratings_rating_0_to_10')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_ratings_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_ratings')),
    sa.UniqueConstraint('goal_id', 'client_id', name='uq_goal_ratings_goal_id_client_id')
    )
    with op.batch_alter_table('goal_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_goal_ratings_goal_id_recorded_at', ['goal_id', 'recorded_at'], unique=False)


def downgrade():
    with op.batch_alter_table('goal_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_ratings_goal_id_recorded_at')

    op.drop_table('goal_ratings')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index('ix_goals_user_id_status')

    op.drop_table('goals')
    with op.batch_alter_table('goal_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_settings_next_reminder_at'))

    op.drop_table('goal_settings')
