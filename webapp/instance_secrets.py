"""Development secrets, generated once into `instance/` so `make run` needs no set-up.

Production never uses these: `ProductionConfig.check` refuses to start without real secrets.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


def _read_or_create(path: Path, make) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        content = make()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
    return path.read_text(encoding="utf-8")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _vapid_pair() -> tuple[str, str]:
    from webpush.vapid import VAPID

    private_pem, public_pem, _server_key = VAPID.generate_keys()
    return private_pem.decode(), public_pem.decode()


def _notify_dev_key() -> str:
    """An API key shaped as Notify's, `<name>-<service id>-<secret>`, for the local stand-in."""
    import uuid

    return f"flourish_dev-{uuid.uuid4()}-{uuid.uuid4()}"


def ensure_instance_secrets(app: Flask, instance_dir: Path) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _read_or_create(instance_dir / "secret_key", lambda: secrets.token_urlsafe(48))
    if not app.config.get("SEALING_KEYS"):
        app.config["SEALING_KEYS"] = _read_or_create(instance_dir / "sealing_key", _fernet_key)
    for name in ("FRONT_DOOR_WEBHOOK_SECRET", "FRONT_DOOR_API_TOKEN"):
        if not app.config.get(name):
            app.config[name] = _read_or_create(instance_dir / name.lower(), lambda: secrets.token_urlsafe(32))
    if not app.config.get("NOTIFY_API_KEY"):
        app.config["NOTIFY_API_KEY"] = _read_or_create(instance_dir / "notify_api_key", _notify_dev_key)
    if not app.config.get("NOTIFY_CALLBACK_TOKEN"):
        app.config["NOTIFY_CALLBACK_TOKEN"] = _read_or_create(instance_dir / "notify_callback_token",
                                                              lambda: secrets.token_urlsafe(32))
    if not (app.config.get("VAPID_PRIVATE_KEY") and app.config.get("VAPID_PUBLIC_KEY")):
        private_path, public_path = instance_dir / "vapid_private.pem", instance_dir / "vapid_public.pem"
        if not private_path.exists() or not public_path.exists():
            private_pem, public_pem = _vapid_pair()
            private_path.unlink(missing_ok=True)
            public_path.unlink(missing_ok=True)
            _read_or_create(private_path, lambda: private_pem)
            _read_or_create(public_path, lambda: public_pem)
        app.config["VAPID_PRIVATE_KEY"] = private_path.read_text(encoding="utf-8")
        app.config["VAPID_PUBLIC_KEY"] = public_path.read_text(encoding="utf-8")
