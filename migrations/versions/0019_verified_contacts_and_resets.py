"""proved contact details, sign-up and password reset tokens (#20): filled in by the accounts work

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:30:00

"""
import sqlalchemy as sa
from alembic import op

import webapp.database

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_up_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('display_name', sa.String(length=80), nullable=True),
    sa.Column('organisation', sa.String(length=120), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', webapp.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_up_requests')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_up_requests_token_hash'))
    )
    with op.batch_alter_table('sign_up_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_up_requests_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_up_requests_created_at'), ['created_at'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('used_at', webapp.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_resets_created_at'), ['created_at'], unique=False)

    op.create_table('contact_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', webapp.database.UTCDateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), server_default='0', nullable=False),
    sa.Column('used_at', webapp.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contact_codes_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_codes'))
    )
    with op.batch_alter_table('contact_codes', schema=None) as batch_op:
        batch_op.create_index('ix_contact_codes_address', ['channel', 'address', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_codes_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_codes_created_at'), ['created_at'], unique=False)

    op.create_table('proved_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('proved_at', webapp.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proved_contacts_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proved_contacts'))
    )
    with op.batch_alter_table('proved_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_proved_contacts_address', ['channel', 'address', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proved_contacts_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proved_contacts_proved_at'), ['proved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('proved_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proved_contacts_proved_at'))
        batch_op.drop_index(batch_op.f('ix_proved_contacts_user_id'))
        batch_op.drop_index('ix_proved_contacts_address')
    op.drop_table('proved_contacts')

    with op.batch_alter_table('contact_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_codes_created_at'))
        batch_op.drop_index(batch_op.f('ix_contact_codes_user_id'))
        batch_op.drop_index('ix_contact_codes_address')
    op.drop_table('contact_codes')

    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_created_at'))
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')

    with op.batch_alter_table('sign_up_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_up_requests_created_at'))
        batch_op.drop_index(batch_op.f('ix_sign_up_requests_email'))
    op.drop_table('sign_up_requests')
