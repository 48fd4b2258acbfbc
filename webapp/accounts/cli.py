"""`flask create-user` (the way staff accounts are made), `flask reset-two-factor` and
`flask reseal-secrets`."""

from __future__ import annotations

import os

import click
from flask import Flask

from webapp.accounts import service, two_factor
from webapp.accounts.roles import Role
from webapp.extensions import db


def init_cli(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option("--name", "display_name", default=None, help="What to call them (optional).")
    @click.option("--date-of-birth", "date_of_birth", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="YYYY-MM-DD: a young person's, so bookings can check the drop-in is for their age.")
    def create_user(email: str, role: str, display_name: str | None, date_of_birth) -> None:
        """Create an account. The password comes from FLOURISH_PASSWORD or a prompt."""
        if date_of_birth is not None and role != Role.YOUNG_PERSON:
            raise click.ClickException("--date-of-birth is for young people's accounts only.")
        password = os.environ.get("FLOURISH_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        try:
            user = service.create_user(email=email, role=role, password=password, display_name=display_name)
            if date_of_birth is not None:
                service.check_young_person_age(date_of_birth.date())
                user.date_of_birth = date_of_birth.date()
        except service.AccountError as error:
            db.session.rollback()
            raise click.ClickException(f"{error.field}: {error}") from None
        db.session.commit()
        click.echo(f"Created user {user.id} with role {role}.")

    @app.cli.command("reset-two-factor")
    @click.option("--email", required=True)
    def reset_two_factor(email: str) -> None:
        """Remove a staff member's authenticator app and recovery codes (a lost or new phone).

        Every session of theirs ends; they set up an app again at their next sign-in.
        """
        user = service.find_by_email(email)
        if user is None:
            raise click.ClickException("No account has that email address.")
        two_factor.reset(user)
        db.session.commit()
        click.echo(f"Two-step sign-in reset for user {user.id}. They will set it up again when they next sign in.")

    @app.cli.command("reseal-secrets")
    def reseal_secrets() -> None:
        """Seal every authenticator key again with the first key of SEALING_KEYS.

        To change the key: put the new key first in SEALING_KEYS (keep the old one after it), run
        this, then drop the old key.
        """
        count = two_factor.reseal_all()
        db.session.commit()
        click.echo(f"Sealed {count} authenticator keys again with the first key.")
