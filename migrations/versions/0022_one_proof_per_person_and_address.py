"""one proof per person and address: a unique key on proved_contacts (two proofs at once kept two rows)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    # Proofs made at the same moment before this key: only the first of each (person, channel, address)
    # stays (the same proof, so nothing is lost). Without an account (user_id NULL) counts as one person,
    # as `verification.is_proved(None, ...)` reads it.
    op.execute("""
        DELETE FROM proved_contacts
        WHERE id > (
            SELECT MIN(first.id) FROM proved_contacts AS first
            WHERE first.channel = proved_contacts.channel AND first.address = proved_contacts.address
              AND (first.user_id = proved_contacts.user_id
                   OR (first.user_id IS NULL AND proved_contacts.user_id IS NULL)))
    """)
    with op.batch_alter_table('proved_contacts') as batch_op:
        batch_op.create_unique_constraint('uq_proved_contacts_user_id_channel_address',
                                          ['user_id', 'channel', 'address'])
    # A unique key counts NULLs as all different: proofs without an account get a unique index of their own.
    op.create_index('uq_proved_contacts_channel_address_without_account', 'proved_contacts',
                    ['channel', 'address'], unique=True,
                    sqlite_where=sa.text('user_id IS NULL'), postgresql_where=sa.text('user_id IS NULL'))


def downgrade():
    op.drop_index('uq_proved_contacts_channel_address_without_account', table_name='proved_contacts')
    with op.batch_alter_table('proved_contacts') as batch_op:
        batch_op.drop_constraint('uq_proved_contacts_user_id_channel_address', type_='unique')
