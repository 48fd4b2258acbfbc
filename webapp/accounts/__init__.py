"""Accounts: people, roles, sign-in, consent and age rules, personal data."""

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l

from webapp.accounts.roles import STAFF_ROLES
from webapp.hooks import Link, hooks_for


def init_app(app: Flask) -> None:
    from webapp.accounts import (  # noqa: F401 (routes on the blueprint)
        cli,
        email_link_routes,
        routes,
        two_factor,
        two_factor_routes,
        verification_routes,
    )
    from webapp.accounts.models import User
    from webapp.database import DATABASE_UNAVAILABLE
    from webapp.extensions import db, login_manager

    app.register_blueprint(routes.bp)
    cli.init_cli(app)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # No Flask-Login session protection. "basic" only marks a session not fresh (nothing here asks for
    # a fresh sign-in), and it does so by writing the session on the first request that asks who is
    # signed in: a stylesheet, the manifest or a service worker fetch made alongside a page would then
    # send back its stale copy of the session, overwriting a newer one: the CSRF token of the sign-in
    # form, or a sign-in half done ("This page was open for too long"). Sessions are bound instead by
    # `session_version` (ended everywhere on sign-out), staff time limits and the cookie's flags.
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_user(token: str):
        """The cookie holds "id:session_version"; an older version means the session was ended. A
        deactivated account is nobody, whatever its cookie says."""
        user_id, _sep, version = token.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        try:
            user = db.session.get(User, int(user_id))
        except DATABASE_UNAVAILABLE:
            # Urgent help and the offline pages answer through an outage, shown as to anyone; every
            # other page is the 503 page (`webapp/core/errors.py`).
            if not getattr(current_app.view_functions.get(request.endpoint), "works_without_database", False):
                raise
            db.session.rollback()
            return None
        if user is None or user.session_version != int(version) or user.deactivated_at is not None:
            return None
        return user

    _register_retention()
    hooks = hooks_for(app)
    from webapp.demo import seed_accounts

    hooks.demo_seeders.append(("accounts", seed_accounts))
    hooks.personal_data_exporters.append(("two_factor", two_factor.export_personal_data))
    hooks.settings_links.extend([
        Link("accounts.change_password", _l("Change your password"),
             _l("Changing it signs you out on every other device.")),
        Link("accounts.my_data", _l("Your data"),
             _l("See what we keep about you and download a copy.")),
        Link("accounts.delete_account", _l("Delete your account"),
             _l("Remove your account and everything in it.")),
        Link("accounts.two_factor_settings", _l("Two-step sign-in"),
             _l("Your authenticator app and recovery codes."), roles=tuple(str(r) for r in STAFF_ROLES)),
    ])


def _register_retention() -> None:
    """Sign-up and reset links, codes, and proofs held for people without an account (docs/data-inventory.yaml)."""
    from datetime import timedelta

    from webapp.accounts.models import ContactCode, PasswordReset, ProvedContact, SignUpRequest
    from webapp.retention import RetentionRule, register_rule

    register_rule(RetentionRule("sign-ups not finished", lambda: SignUpRequest, "created_at", timedelta(days=7)))
    register_rule(RetentionRule("password reset links", lambda: PasswordReset, "created_at", timedelta(days=7)))
    register_rule(RetentionRule("contact codes", lambda: ContactCode, "created_at", timedelta(days=1)))
    register_rule(RetentionRule("contact proofs without an account", lambda: ProvedContact, "proved_at",
                                timedelta(days=365), lambda model: model.user_id.is_(None)))
