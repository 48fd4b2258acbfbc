"""Configuration classes. Everything comes from the environment, with safe defaults for development.

`FLOURISH_ENV` picks the class: `development` (default), `testing` or `production`.
Production refuses to start without its secrets (see `ProductionConfig.check`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("FLOURISH_INSTANCE_DIR", BASE_DIR / "instance"))


def normalise_database_url(url: str) -> str:
    """Send plain `postgresql://` URLs to psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options() -> dict:
    """The connection pool per process (docs/deploy.md, "Connection pooling"): DATABASE_POOL_SIZE and
    DATABASE_MAX_OVERFLOW when set (SQLAlchemy's 5 and 10 otherwise); DATABASE_PGBOUNCER=1 behind
    PgBouncer in transaction mode, where a server-side prepared statement may be asked for on another
    server connection than the one it was made on, so psycopg prepares none."""
    options: dict = {"pool_pre_ping": True}
    for setting, option in (("DATABASE_POOL_SIZE", "pool_size"), ("DATABASE_MAX_OVERFLOW", "max_overflow")):
        if os.environ.get(setting):
            options[option] = int(os.environ[setting])
    if os.environ.get("DATABASE_PGBOUNCER", "").lower() in ("1", "true", "yes"):
        options["connect_args"] = {"prepare_threshold": None}
    return options


class Config:
    ENV_NAME = "development"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'flourish.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = engine_options()
    FLOURISH_TIMEZONE = os.environ.get("FLOURISH_TIMEZONE", "Europe/London")

    # Languages: the shipped catalogues. The first is the fallback.
    LANGUAGES = ("en", "pl", "pt", "lt")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = FLOURISH_TIMEZONE
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # Sessions: signed cookies, never "remember me" on a possibly shared phone.
    SESSION_COOKIE_NAME = "flourish_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    REMEMBER_COOKIE_DURATION = 0

    # Staff (base staff, clinicians, admins) sign in with a password and an authenticator code.
    STAFF_TWO_FACTOR_REQUIRED = True
    # Fernet keys (comma-separated; the first seals) for secrets kept at rest: authenticator keys.
    SEALING_KEYS: str | None = os.environ.get("SEALING_KEYS")

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; a slow form-filler must not lose work
    # Flask-WTF's strict mode refuses an HTTPS POST without a same-site Referer, but we send
    # `Referrer-Policy: no-referrer` (privacy), so browsers send none: every form would fail in
    # production. The token, SameSite=Lax and the __Host- cookie are the protection.
    WTF_CSRF_SSL_STRICT = False

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # With Redis unreachable, count in this process rather than refuse every sign-in or request:
    # asking for help must not depend on the rate-limit store.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True

    VAPID_PRIVATE_KEY: str | None = os.environ.get("VAPID_PRIVATE_KEY")
    VAPID_PUBLIC_KEY: str | None = os.environ.get("VAPID_PUBLIC_KEY")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:digital@flourish.example")
    PUSH_CONCURRENCY = int(os.environ.get("PUSH_CONCURRENCY", "64"))  # push messages in flight per worker

    # This site's namespace for the identifiers in its FHIR records (reference, Bundle, THRIVE coding).
    FHIR_IDENTIFIER_BASE = os.environ.get("FHIR_IDENTIFIER_BASE", "https://flourish.example/Id")
    FRONT_DOOR_WEBHOOK_URL = os.environ.get("FRONT_DOOR_WEBHOOK_URL", "")
    FRONT_DOOR_WEBHOOK_SECRET = os.environ.get("FRONT_DOOR_WEBHOOK_SECRET", "")
    FRONT_DOOR_API_TOKEN = os.environ.get("FRONT_DOOR_API_TOKEN", "")
    # During a rotation (docs/deploy.md): the old token, still accepted, and the old secret, still
    # signing each record in a second header. Unset once the front door has switched.
    FRONT_DOOR_API_TOKEN_PREVIOUS = os.environ.get("FRONT_DOOR_API_TOKEN_PREVIOUS", "")
    FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS = os.environ.get("FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS", "")
    # How long one delivery waits for the front door's answer (each record has its own timeout).
    FRONT_DOOR_TIMEOUT_SECONDS = float(os.environ.get("FRONT_DOOR_TIMEOUT_SECONDS", "10"))

    # NHS Notify (the GOV.UK Notify API) for texts, emails and letters (webapp/messaging). Unset outside
    # production: the local stand-in (`make run` starts it) with a key and token made in instance/.
    NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "")
    NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
    NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
    NOTIFY_STANDIN_PORT = int(os.environ.get("NOTIFY_STANDIN_PORT", "6011"))
    NOTIFY_RATE_PER_MINUTE = int(os.environ.get("NOTIFY_RATE_PER_MINUTE", "3000"))
    # {"<template>:<language>:<channel>": "<Notify template id>"} (JSON); unset: our own ids (the stand-in's).
    NOTIFY_TEMPLATES: dict = json.loads(os.environ.get("NOTIFY_TEMPLATES") or "{}")

    # The privacy notice's data controller and how to reach its Data Protection Officer (/privacy/full).
    # Set for the deployment: the NHS organisation that runs Flourish (docs/deploy.md).
    PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "the NHS organisation that runs Flourish")
    PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "privacy@flourish.example")
    # Where "Quick exit" sends someone: a neutral, busy site.
    QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
    # The site's own address (https://flourish.example), for links in emails and texts (sign-up, password
    # reset): never built from a request's Host header in production. Unset: this request's host.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    HSTS = False
    WORKER_INTERVAL_SECONDS = float(os.environ.get("WORKER_INTERVAL_SECONDS", "5"))

    @classmethod
    def check(cls) -> list[str]:
        """Return a list of configuration problems that must stop the app starting."""
        return []


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    )
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-flourish_session"
    SESSION_COOKIE_SECURE = True
    HSTS = True
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL", ""))

    @classmethod
    def check(cls) -> list[str]:
        required = ("SECRET_KEY", "DATABASE_URL", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "SEALING_KEYS",
                    "FRONT_DOOR_WEBHOOK_SECRET", "FRONT_DOOR_API_TOKEN", "FHIR_IDENTIFIER_BASE",
                    "PUBLIC_BASE_URL")
        return [name for name in required if not os.environ.get(name)]


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(env_name: str | None = None) -> type[Config]:
    name = env_name or os.environ.get("FLOURISH_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise SystemExit(f"FLOURISH_ENV must be one of {', '.join(CONFIGS)}; got {name!r}") from None
