"""my safety plan: the account copy (off by default) and a worker's additions

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 07:10:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('safety_plans',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('keep_in_account', sa.Boolean(), nullable=False),
    sa.Column('share_with_worker', sa.Boolean(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_safety_plans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_safety_plans'))
    )
    op.create_table('safety_plan_additions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_user_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_safety_plan_additions_author_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_user_id'], ['safety_plans.user_id'],
                            name=op.f('fk_safety_plan_additions_plan_user_id_safety_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_plan_additions'))
    )
    with op.batch_alter_table('safety_plan_additions', schema=None) as batch_op:
        batch_op.create_index('ix_safety_plan_additions_plan_user_id', ['plan_user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('safety_plan_additions', schema=None) as batch_op:
        batch_op.drop_index('ix_safety_plan_additions_plan_user_id')
    op.drop_table('safety_plan_additions')
    op.drop_table('safety_plans')
