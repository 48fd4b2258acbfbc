"""The Web Push client: one `requests.Session`, the VAPID key, and the VAPID tokens made with it.

Encryption (RFC 8291 aes128gcm) is the `webpush` package's. The VAPID JWT (RFC 8292) is made
here with PyJWT, because the package's own makes a new one for every message, always writes
`mailto:` and drops a non-default port from `aud`: one token per push-service origin, reused
until an hour before it expires, and it expires after 12 hours (at most 24 are allowed).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit
from urllib.request import getproxies

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from flask import Flask, current_app
from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription
from webpush.vapid import VAPID

TIMEOUT = (3.05, 10)  # seconds to connect, to read
TOKEN_LIFETIME = timedelta(hours=12)
TOKEN_RENEW_BEFORE = timedelta(hours=1)


class PushTarget(Protocol):
    endpoint: str
    p256dh: str
    auth: str


class PushConfigError(RuntimeError):
    """VAPID keys are missing or unreadable."""


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


@dataclass
class PushClient:
    """One per worker process: the HTTP session, the VAPID key and the tokens made with it."""

    private_pem: bytes
    public_pem: bytes
    subject: str
    session: requests.Session = field(default_factory=requests.Session)
    tokens: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    tokens_made: int = 0

    def __post_init__(self) -> None:
        self.vapid = VAPID(private_key=self.private_pem, public_key=self.public_pem)
        self.application_server_key = VAPID.get_application_server_key(self.vapid.public_key)
        self.encryptor = WebPush(private_key=self.private_pem, public_key=self.public_pem)
        if not self.subject.startswith(("mailto:", "https:")):
            self.subject = f"mailto:{self.subject}"
        # With no proxy in the environment, skip requests' per-request look-ups of proxy
        # variables and ~/.netrc (a large share of the CPU per message); with one, honour it.
        if not any(key != "no" for key in getproxies()):
            self.session.trust_env = False

    def authorization(self, endpoint: str, now: datetime) -> str:
        origin = origin_of(endpoint)
        kept = self.tokens.get(origin)
        if kept and kept[1] - TOKEN_RENEW_BEFORE > now:
            return kept[0]
        expires = now + TOKEN_LIFETIME
        token = jwt.encode({"aud": origin, "exp": int(expires.timestamp()), "sub": self.subject},
                           self.private_pem, algorithm="ES256")
        header = f"vapid t={token}, k={self.application_server_key}"
        self.tokens[origin] = (header, expires)
        self.tokens_made += 1
        return header

    def forget_token(self, endpoint: str) -> None:
        self.tokens.pop(origin_of(endpoint), None)

    def encrypt(self, payload: bytes, device: PushTarget) -> bytes:
        subscription = WebPushSubscription(endpoint=device.endpoint,
                                           keys=WebPushKeys(p256dh=device.p256dh, auth=device.auth))
        return self.encryptor._encrypt(payload, subscription)  # the package's RFC 8291 encryption

    def post(self, device: PushTarget, body: bytes, headers: dict[str, str],
             now: datetime) -> requests.Response:
        headers = {**headers, "Authorization": self.authorization(device.endpoint, now),
                   "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"}
        return self.session.post(device.endpoint, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)


def _pem(value: str | bytes | None, name: str) -> bytes:
    """A VAPID key as PEM. Accepts PEM (what `make run` generates) or the raw base64url form other
    tools print (32 bytes private, 65 bytes public)."""
    if not value:
        raise PushConfigError(f"{name} is not set")
    text = (value.decode() if isinstance(value, bytes) else value).strip()
    if text.startswith("-----BEGIN"):
        return text.encode()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        if len(raw) == 65:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
            return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    except ValueError:
        pass
    raise PushConfigError(f"{name} is neither a PEM key nor a base64url P-256 key")


def client_for(app: Flask | None = None) -> PushClient:
    app = app or current_app._get_current_object()
    client = app.extensions.get("flourish_push_client")
    if client is None:
        client = PushClient(_pem(app.config.get("VAPID_PRIVATE_KEY"), "VAPID_PRIVATE_KEY"),
                            _pem(app.config.get("VAPID_PUBLIC_KEY"), "VAPID_PUBLIC_KEY"),
                            app.config.get("VAPID_SUBJECT") or "mailto:digital@flourish.example")
        app.extensions["flourish_push_client"] = client
    return client


def application_server_key(app: Flask | None = None) -> str:
    """The VAPID public key as the browser's `applicationServerKey` wants it (base64url, 65 bytes)."""
    return client_for(app).application_server_key
