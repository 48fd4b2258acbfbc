"""Real worker processes (`flask --app webapp worker --once`) beside the test app, for the tests that run
several at once (tests/notifications/test_exactly_once.py, tests/messaging/test_exactly_once.py):
`worker_env(app)` is their environment, run them from `ROOT`."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker_env(app) -> dict[str, str]:
    """The environment of a worker process on the test app's database, instance folder and keys."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLOURISH_", "TEST_DATABASE"))}
    env.update(FLOURISH_ENV="development", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               FLOURISH_INSTANCE_DIR=str(app.config["INSTANCE_DIR"]), SECRET_KEY=app.config["SECRET_KEY"],
               VAPID_PRIVATE_KEY=app.config["VAPID_PRIVATE_KEY"], VAPID_PUBLIC_KEY=app.config["VAPID_PUBLIC_KEY"],
               VAPID_SUBJECT=app.config["VAPID_SUBJECT"], PYTHONPATH=str(ROOT))
    return env
