"""The Web Push client: a pool of kept-alive connections per push-service origin, the threads that
send on them, the VAPID key, and the VAPID tokens made with it.

Encryption is RFC 8291 (aes128gcm) with the `http_ece` package's public `encrypt`: a fresh P-256
key pair for every message, ECDH with the browser's `p256dh` key and its `auth` secret (the key
derivation is `http_ece`'s, the curve arithmetic `cryptography`'s). The VAPID JWT (RFC 8292) is
made here with PyJWT: one token per push-service origin, reused until an hour before it expires,
and it expires after 12 hours (at most 24 are allowed).

Sending is I/O: a push service across a network answers after tens of milliseconds, so messages
go `concurrency` at a time from a thread pool, straight through urllib3 (no `requests` session:
its per-request work cost more CPU than encrypting), whose pool keeps up to `concurrency`
connections open per origin (reused, never one connection per message). A proxy in the
environment (`https_proxy`, `no_proxy`) is honoured, decided once per origin.
"""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass_environment

import http_ece
import jwt
import urllib3
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_public_key,
)
from flask import Flask, current_app

TIMEOUT = urllib3.Timeout(connect=3.05, read=10)  # seconds
CONCURRENCY = 64  # messages in flight at once per worker process (PUSH_CONCURRENCY)
ORIGINS_KEPT = 16  # push-service origins whose connection pools are kept (FCM, Mozilla, Apple, ...)
TOKEN_LIFETIME = timedelta(hours=12)
TOKEN_RENEW_BEFORE = timedelta(hours=1)

# What a push service's answer is made of, for the sender: the status and its Retry-After.
SendError = urllib3.exceptions.HTTPError  # could not connect, timed out, or the connection broke


class PushTarget(Protocol):
    endpoint: str
    p256dh: str
    auth: str


class PushConfigError(RuntimeError):
    """VAPID keys are missing or unreadable."""


@dataclass(frozen=True)
class PushAnswer:
    """What the push service said: its status and `Retry-After` ("" when it gave none)."""

    status: int
    retry_after: str = ""


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
    """One per worker process: the connection pools and the threads that send on them, the VAPID
    key and the tokens made with it."""

    private_pem: bytes
    public_pem: bytes
    subject: str
    concurrency: int = CONCURRENCY
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
        # waits for a free connection rather than opening one it would throw away. No retries and
        # no redirects: a message is tried once per attempt, and the outbox decides what next.
        self._pools = {"num_pools": ORIGINS_KEPT, "maxsize": self.concurrency, "block": True, "timeout": TIMEOUT,
                       "retries": False}
        self.http = urllib3.PoolManager(**self._pools)
        self._environment = getproxies()  # https_proxy, no_proxy, ... as requests would have honoured them
        self._via: dict[str, urllib3.ProxyManager] = {}
        self._managers: dict[str, urllib3.PoolManager] = {}
        self._managers_lock = threading.Lock()

    @property
    def pool(self) -> ThreadPoolExecutor:
        """The sending threads, started on first use and kept for the life of the process."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="push")
        return self._pool

    def _manager(self, endpoint: str) -> urllib3.PoolManager:
        """Straight to the push service, or through the environment's proxy (decided once per origin)."""
        origin = origin_of(endpoint)
        manager = self._managers.get(origin)
        if manager is None:
            with self._managers_lock:
                manager = self._managers.get(origin) or self._choose_manager(endpoint)
                if len(self._managers) < 4 * ORIGINS_KEPT:
                    self._managers[origin] = manager
        return manager

    def _choose_manager(self, endpoint: str) -> urllib3.PoolManager:
        parts = urlsplit(endpoint)
        proxy = self._environment.get(parts.scheme) if parts.scheme in ("http", "https") else None
        if not proxy or proxy_bypass_environment(parts.hostname or "", self._environment):
            return self.http
        if proxy not in self._via:
            self._via[proxy] = urllib3.ProxyManager(proxy, **self._pools)
        return self._via[proxy]

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

    def post(self, device: PushTarget, body: bytes, headers: dict[str, str], now: datetime) -> PushAnswer:
        """POST one encrypted message on a kept-alive connection; raises `SendError` when the push
        service could not be reached or did not answer in time."""
        headers = {**headers, "Authorization": self.authorization(device.endpoint, now),
                   "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"}
        response = self._manager(device.endpoint).urlopen("POST", device.endpoint, body=body, headers=headers,
                                                           redirect=False)
        return PushAnswer(response.status, (response.headers.get("Retry-After") or "").strip())


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
