"""drop-in bookings at community bases

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:30:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
