"""The Web Push client: a pool of kept-alive connections per push-service origin, the threads that
send on them, the VAPID key, and the VAPID tokens made with it.

Encryption is RFC 8291 (aes128gcm) with the `http_ece` package's public `encrypt`: a fresh P-256
key pair for every message, ECDH with the browser's `p256dh` key and its `auth` secret (the key
derivation is `http_ece`'s, the curve arithmetic `cryptography`'s). The VAPID JWT (RFC 8292) is
made here with PyJWT: one token per push-service origin, reused until an hour before it expires,
and it expires after 12 hours (at most 24 are allowed).

Sending is I/O: a push service across a network answers after tens of milliseconds, so messages
go `concurrency` at a time from a thread pool, over one `requests.Session` whose urllib3 pool keeps
up to `concurrency` connections open per origin (reused, never one connection per message).
"""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit
from urllib.request import getproxies

import http_ece
import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_public_key,
)
from flask import Flask, current_app
from requests.adapters import HTTPAdapter

TIMEOUT = (3.05, 10)  # seconds to connect, to read
CONCURRENCY = 64  # messages in flight at once per worker process (PUSH_CONCURRENCY)
ORIGINS_KEPT = 16  # push-service origins whose connection pools are kept (FCM, Mozilla, Apple, ...)
TOKEN_LIFETIME = timedelta(hours=12)
TOKEN_RENEW_BEFORE = timedelta(hours=1)


class PushTarget(Protocol):
    endpoint: str
    p256dh: str
    auth: str


class PushConfigError(RuntimeError):
    """VAPID keys are missing or unreadable."""


def _unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def encrypt(payload: bytes, device: PushTarget) -> bytes:
    """The aes128gcm body for one device (RFC 8291), with a new sender key pair of its own."""
    return http_ece.encrypt(payload, private_key=ec.generate_private_key(ec.SECP256R1()),
                            dh=_unb64url(device.p256dh), auth_secret=_unb64url(device.auth), version="aes128gcm")


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


@dataclass
class PushClient:
    """One per worker process: the HTTP session and its threads, the VAPID key and the tokens made with it."""

    private_pem: bytes
    public_pem: bytes
    subject: str
    concurrency: int = CONCURRENCY
    session: requests.Session = field(default_factory=requests.Session)
    tokens: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    tokens_made: int = 0

    def __post_init__(self) -> None:
        public = load_pem_public_key(self.public_pem)
        raw = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        self.application_server_key = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if not self.subject.startswith(("mailto:", "https:")):
            self.subject = f"mailto:{self.subject}"
        self.concurrency = max(1, self.concurrency)
        self._tokens_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        # One urllib3 pool per origin, each keeping up to `concurrency` connections open; a thread
        # waits for a free connection rather than opening one it would throw away.
        adapter = HTTPAdapter(pool_connections=ORIGINS_KEPT, pool_maxsize=self.concurrency, pool_block=True)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # With no proxy in the environment, skip requests' per-request look-ups of proxy
        # variables and ~/.netrc (a large share of the CPU per message); with one, honour it.
        if not any(key != "no" for key in getproxies()):
            self.session.trust_env = False

    @property
    def pool(self) -> ThreadPoolExecutor:
        """The sending threads, started on first use and kept for the life of the process."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="push")
        return self._pool

    def authorization(self, endpoint: str, now: datetime) -> str:
        """The VAPID header for the endpoint's origin: one token per origin (under a lock, so the
        sending threads never sign one each), signed again an hour before it expires."""
        origin = origin_of(endpoint)
        with self._tokens_lock:
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
        with self._tokens_lock:
            self.tokens.pop(origin_of(endpoint), None)

    def encrypt(self, payload: bytes, device: PushTarget) -> bytes:
        return encrypt(payload, device)

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
                            app.config.get("VAPID_SUBJECT") or "mailto:digital@flourish.example",
                            int(app.config.get("PUSH_CONCURRENCY") or CONCURRENCY))
        app.extensions["flourish_push_client"] = client
    return client


def application_server_key(app: Flask | None = None) -> str:
    """The VAPID public key as the browser's `applicationServerKey` wants it (base64url, 65 bytes)."""
    return client_for(app).application_server_key
