"""Flourish: the app factory."""

from __future__ import annotations

import importlib
import logging
import os
import traceback
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, INSTANCE_DIR, config_for

# Capability packages, in the order their hooks (navigation, demo data, worker jobs) run.
CAPABILITIES = (
    "webapp.core",
    "webapp.accounts",
    "webapp.pwa",
    "webapp.staff",
    "webapp.directory",
    "webapp.notifications",
    "webapp.messaging",
    "webapp.selfhelp",
    "webapp.support",
    "webapp.checkins",
    "webapp.waits",
    "webapp.bookings",
    "webapp.goals",
    "webapp.safety_plan",
    "webapp.admin",
    "webapp.privacy",
    "webapp.device",
)

log = logging.getLogger("flourish")


class FlourishFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """Log where it failed and the exception's type, never its message (it may hold personal data)."""
        from flask import request

        exc_type, _exc, tb = exc_info
        frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
        # The frames (our source, not the request's) stay lines of their own: the log handler indents
        # them under the record (webapp/log_safety.py); the values are escaped.
        self.logger.error("unhandled %s at endpoint=%s\n" + frames.replace("%", "%%"), exc_type.__name__,
                          request.endpoint)


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    config_class = config_for(config_name)
    problems = config_class.check()
    if problems:
        raise SystemExit(
            "Flourish will not start in production without these settings: "
            + ", ".join(problems) + ". Set them in the environment (see docs/deploy.md)."
        )
    app = FlourishFlask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        static_folder=str(BASE_DIR / "static"),
        template_folder=str(BASE_DIR / "templates"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    _configure_logging(app)

    from webapp import clock
    from webapp.instance_secrets import ensure_instance_secrets

    clock.configure(app.config["FLOURISH_TIMEZONE"])
    if config_class.ENV_NAME != "production":
        ensure_instance_secrets(app, Path(app.config.get("INSTANCE_DIR", INSTANCE_DIR)))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and ":memory:" not in app.config[
        "SQLALCHEMY_DATABASE_URI"
    ]:
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True)

    behind_proxies(app, int(os.environ.get("FLOURISH_PROXY_COUNT", "0")))

    _init_extensions(app)
    from webapp.hooks import init_hooks

    init_hooks(app)
    for module_name in CAPABILITIES:
        importlib.import_module(module_name).init_app(app)

    from webapp import cli, i18n, security, worker  # noqa: F401 - worker: its heartbeat table

    security.init_security(app)
    i18n.init_i18n(app)
    cli.init_cli(app)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    from webapp.templating import init_templating

    init_templating(app)
    from webapp.accounts.roles import has_role

    app.jinja_env.globals["has_role"] = has_role  # the one role check, in templates too
    from webapp.hooks import hooks_for, visible

    app.jinja_env.globals["hooks_nav_links"] = lambda: visible(hooks_for(app).nav_links)
    from webapp.page_cache import init_page_cache

    init_page_cache(app)  # last: its before_request runs after the others, its after_request first
    return app


def behind_proxies(app: Flask, count: int) -> None:
    """Trust `count` proxies in front (FLOURISH_PROXY_COUNT): the client's address is the one they
    add to X-Forwarded-For (rate limits and sign-in throttling key on it). With none, it is ignored."""
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _init_extensions(app: Flask) -> None:
    from webapp import i18n
    from webapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)


def _configure_logging(app: Flask) -> None:
    """INFO and up to stderr, every logged value with its control characters escaped (log_safety)."""
    from webapp.log_safety import LOG_FORMAT, EscapingFormatter, escape_logged_values

    escape_logged_values()
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(EscapingFormatter(LOG_FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    app.logger.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
