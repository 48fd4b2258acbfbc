"""over-capacity bookings with a reason (#15): filled in by the bookings work

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 09:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # Staff may book someone into a full slot, with a reason: counted apart from the slot's places, so
    # `booked + held <= places` still holds and the waiting list never gets those extra places.
    with op.batch_alter_table('drop_in_slots') as batch_op:
        batch_op.add_column(sa.Column('over_capacity', sa.SmallInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.add_column(sa.Column('over_capacity_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.drop_column('over_capacity_reason')
    with op.batch_alter_table('drop_in_slots') as batch_op:
        batch_op.drop_column('over_capacity')
