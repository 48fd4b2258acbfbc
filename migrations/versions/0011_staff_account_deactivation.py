"""staff accounts an admin can deactivate (users.deactivated_at) or give a temporary password
(users.password_must_change)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch copy of `users`: on SQLite a batch copy drops the old table, and with
# foreign keys on that would cascade-delete every row that refers to an account.

def upgrade():
    op.add_column('users', sa.Column('deactivated_at', webapp.database.UTCDateTime(), nullable=True))
    op.add_column('users', sa.Column('password_must_change', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('users', 'password_must_change')
    op.drop_column('users', 'deactivated_at')
