"""services without a waiting list (open access, self-referral, crisis): how to get them instead of a wait

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('services') as batch_op:
        batch_op.add_column(sa.Column('waiting_list', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('how_to_get', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('services') as batch_op:
        batch_op.drop_column('how_to_get')
        batch_op.drop_column('waiting_list')
