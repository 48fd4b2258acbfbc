"""Accounts: people, roles, sign-in, consent and age rules, personal data."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.accounts.roles import STAFF_ROLES
from webapp.hooks import Link, hooks_for


def init_app(app: Flask) -> None:
    from webapp.accounts import cli, routes, two_factor, two_factor_routes  # noqa: F401 (routes on the blueprint)
    from webapp.accounts.models import User
    from webapp.extensions import db, login_manager

    app.register_blueprint(routes.bp)
    cli.init_cli(app)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        """The cookie holds "id:session_version"; an older version means the session was ended."""
        user_id, _sep, version = token.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version):
            return None
        return user

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
