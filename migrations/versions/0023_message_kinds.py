"""what each text, email or letter is about (`messages.kind`), so a kind turned off is not sent

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# Each template's kind, as webapp/messaging/templates.py says when this revision was written (kept
# here, not imported, so the revision means the same whatever the code becomes).
KIND_OF_TEMPLATE = {
    'verify_code': 'proof_code',
    'sign_up_finish': 'sign_up',
    'already_registered': 'sign_up',
    'password_reset': 'account_recovery',
    'booking_reminder': 'appointment_reminder',
    'request_update': 'request_update',
    'check_in': 'request_update',
}
# The discreet words ("You have a new message") carry any kind: told by what they are about.
KIND_OF_DISCREET_SUBJECT = {'booking': 'appointment_reminder'}
DEFAULT_KIND = 'request_update'  # news about a request (support_request, wait_check_in, anything else)

messages = sa.table('messages', sa.column('template', sa.String), sa.column('subject_type', sa.String),
                    sa.column('kind', sa.String))


def upgrade():
    with op.batch_alter_table('messages') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=30), nullable=False, server_default=DEFAULT_KIND))
    for template, kind in KIND_OF_TEMPLATE.items():
        op.execute(messages.update().where(messages.c.template == template).values(kind=kind))
    for subject_type, kind in KIND_OF_DISCREET_SUBJECT.items():
        op.execute(messages.update().where(messages.c.template == 'discreet_news',
                                           messages.c.subject_type == subject_type).values(kind=kind))


def downgrade():
    with op.batch_alter_table('messages') as batch_op:
        batch_op.drop_column('kind')
