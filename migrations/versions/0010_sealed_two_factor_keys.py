"""authenticator keys sealed at rest (Fernet, SEALING_KEYS)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.database


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

credentials = sa.table('two_factor_credentials', sa.column('user_id', sa.Integer), sa.column('secret', sa.String))


def _rewrite(change):
    connection = op.get_bind()
    for user_id, secret in connection.execute(sa.select(credentials.c.user_id, credentials.c.secret)).all():
        connection.execute(credentials.update().where(credentials.c.user_id == user_id)
                           .values(secret=change(secret)))


def upgrade():
    with op.batch_alter_table('two_factor_credentials') as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), type_=webapp.database.SealedString(),
                              existing_nullable=False)
    keys = webapp.database.sealing_keys()
    _rewrite(lambda secret: keys.encrypt(secret.encode()).decode())


def downgrade():
    keys = webapp.database.sealing_keys()
    _rewrite(lambda sealed: keys.decrypt(sealed.encode()).decode())
    with op.batch_alter_table('two_factor_credentials') as batch_op:
        batch_op.alter_column('secret', existing_type=webapp.database.SealedString(), type_=sa.String(length=64),
                              existing_nullable=False)
