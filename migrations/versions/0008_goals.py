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
    pass


def downgrade():
    pass
