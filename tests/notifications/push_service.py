"""A local Web Push service for tests and the benchmark: a real HTTP server on 127.0.0.1.

It does what FCM or Mozilla's autopush do with a push message (RFC 8030), and checks it as they
would: the VAPID JWT (RFC 8292: ES256, signed by the key in `k=`, `aud` the endpoint's origin,
`exp` in the future and within 24 hours, `sub` a mailto: or https: URL), the TTL, Urgency and
Topic headers, a body under 4096 bytes, and then decrypts the aes128gcm body (RFC 8291) with the
`http_ece` package and the fake browser's own private key, so a test sees exactly what the
browser would. A message that fails a check is refused with 400 (or 401/403 for VAPID), and the
reason kept in `refused`.

Each fake browser (`FakeBrowser`) has a real P-256 key pair and auth secret, like a browser's
subscription. `answers` scripts the next responses for an endpoint (e.g. 503 then 201).

It is cheap enough to stand beside the worker in the push benchmark: HTTP/1.1 with keep-alive is
read and written by a small handler of its own (`http.server` parses every request's headers
with the `email` package, which cost more than decrypting), and a VAPID token whose signature
checked out once is kept, as a real push service would: `aud`, `exp` and `sub` are still checked
on every message, and the body is still decrypted every time. `opened` counts the TCP
connections it accepted, so a test can see that a sender reuses them.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from socketserver import StreamRequestHandler, ThreadingTCPServer
from urllib.parse import urlsplit

import http_ece
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

URGENCIES = {"very-low", "low", "normal", "high"}
TOPIC_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class FakeBrowser:
    """One browser profile's push subscription, with the private half a real browser keeps."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def subscription(self) -> dict:
        """What `PushSubscription.toJSON()` gives the page."""
        public = self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}}


@dataclass
class Received:
    token: str
    headers: dict[str, str]
    claims: dict
    vapid_key: str
    jwt: str
    payload: dict
    body_size: int
    peer: tuple[str, int]

    @property
    def ttl(self) -> int:
        return int(self.headers["ttl"])


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # a worker opens many connections at once; the default backlog of 5 drops some


MAX_HEADER_LINES = 100
VERIFIED_KEPT = 1024  # VAPID tokens whose signature was checked, kept (a real push service caches them too)


class LocalPushService:
    def __init__(self, now: Callable[[], datetime] | None = None, gate: int = 0, delay: float = 0.0):
        """`now` is the clock `exp` is checked against; `gate` > 0 holds every answer until that
        many different senders (VAPID tokens: each worker process signs its own) have sent a
        message, so workers are proven to overlap; `delay` seconds before each answer stand for a
        real push service's network and processing time."""
        self.now = now or (lambda: datetime.now(UTC))
        self.delay = delay
        self.browsers: dict[str, FakeBrowser] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.posts: list[str] = []  # the token of every message that passed the checks, whatever the answer
        self.answers: dict[str, deque[Answer]] = defaultdict(deque)
        self.lock = threading.Lock()
        self.gate = gate
        self._senders: set[str] = set()
        self.connections: set[tuple[str, int]] = set()  # every TCP connection a message came on
        self.opened = 0  # TCP connections accepted, whether or not a message came on them
        self._verified: dict[str, tuple[dict, str, str]] = {}  # Authorization -> claims, k, JWT (signature checked)
        self.in_flight = 0
        self.most_in_flight = 0  # the most messages being answered at the same moment
        # together > 0: answers wait until that many messages are in flight at once (then never
        # again), or 10 seconds, whichever is first: a sender that sends one at a time fails fast.
        self.together = 0
        self._together_reached = threading.Event()
        self._gate_open = threading.Event()
        if gate <= 0:
            self._gate_open.set()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LocalPushService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._gate_open.set()
        self._together_reached.set()
        self.server.shutdown()
        self.server.server_close()

    def new_browser(self) -> FakeBrowser:
        token = secrets.token_urlsafe(16)
        browser = FakeBrowser(token, f"{self.origin}/push/{token}", ec.generate_private_key(ec.SECP256R1()),
                              os.urandom(16))
        self.browsers[token] = browser
        return browser

    def answer(self, browser: FakeBrowser, *answers: Answer) -> None:
        self.answers[browser.token].extend(answers)

    def for_browser(self, browser: FakeBrowser) -> list[Received]:
        return [r for r in self.received if r.token == browser.token]

    # ------------------------------------------------------------ checks a real push service makes

    def _check_vapid(self, authorization: str, endpoint_origin: str) -> tuple[dict, str, str]:
        kept = self._verified.get(authorization)
        claims, key, token = kept if kept is not None else self._verify_signature(authorization)
        # The webpush package leaves a non-default port out of `aud`; real services are on 443.
        without_port = endpoint_origin.rsplit(":", 1)[0]
        if claims.get("aud") not in (endpoint_origin, without_port):
            raise PermissionError(403, f"aud {claims.get('aud')!r} is not {endpoint_origin!r}")
        now = self.now().timestamp()
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600:
            raise PermissionError(403, "exp is not within the next 24 hours")
        sub = claims.get("sub", "")
        if not isinstance(sub, str) or not (sub.startswith("mailto:") or sub.startswith("https:")):
            raise PermissionError(403, f"sub {sub!r} is not mailto: or https:")
        return claims, key, token

    def _verify_signature(self, authorization: str) -> tuple[dict, str, str]:
        """The token's claims once its ES256 signature by the key in `k=` checks out (then kept)."""
        if not authorization.startswith("vapid "):
            raise PermissionError(401, "Authorization is not vapid")
        parts = dict(part.strip().split("=", 1) for part in authorization[len("vapid "):].split(","))
        token, key = parts.get("t", ""), parts.get("k", "")
        raw_key = unb64url(key)
        if len(raw_key) != 65 or raw_key[0] != 4:
            raise PermissionError(401, "k is not an uncompressed P-256 key")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise PermissionError(401, f"bad token: {error}") from None
        if header.get("alg") != "ES256":
            raise PermissionError(401, f"alg {header.get('alg')}")
        try:
            claims = jwt.decode(token, public, algorithms=["ES256"], options={"verify_exp": False, "verify_aud": False})
        except jwt.InvalidTokenError as error:
            raise PermissionError(401, f"bad signature: {error}") from None
        with self.lock:
            if len(self._verified) >= VERIFIED_KEPT:
                self._verified.clear()
            self._verified[authorization] = (claims, key, token)
        return claims, key, token

    def _check_headers(self, headers: dict[str, str], body: bytes) -> None:
        if headers.get("content-encoding") != "aes128gcm":
            raise ValueError("Content-Encoding must be aes128gcm")
        if not headers.get("ttl", "").isdigit():
            raise ValueError("TTL missing")
        if "urgency" in headers and headers["urgency"] not in URGENCIES:
            raise ValueError("bad Urgency")
        if "topic" in headers:
            topic = headers["topic"]
            if not topic or len(topic) > 32 or not set(topic) <= TOPIC_CHARS:
                raise ValueError("bad Topic")
        if len(body) >= 4096:
            raise ValueError("body too large")

    def handle(self, path: str, headers: dict[str, str], body: bytes, peer: tuple[str, int]) -> tuple[int, dict]:
        parts = path.split("/")
        token = parts[2] if len(parts) == 3 and parts[1] == "push" else ""
        browser = self.browsers.get(token)
        if browser is None:
            return 404, {}
        try:
            claims, key, token_jwt = self._check_vapid(headers.get("authorization", ""), self.origin)
            self._check_headers(headers, body)
        except PermissionError as error:
            status, reason = error.args
            self.refused.append(reason)
            return status, {}
        except ValueError as error:
            self.refused.append(str(error))
            return 400, {}
        try:
            plain = http_ece.decrypt(body, private_key=browser.private_key, auth_secret=browser.auth_secret,
                                     version="aes128gcm")
            payload = json.loads(plain)
        except Exception as error:  # noqa: BLE001 - anything undecryptable is refused, as a browser would drop it
            self.refused.append(f"cannot decrypt: {type(error).__name__}")
            return 400, {}
        with self.lock:
            self.posts.append(token)
            scripted = self.answers[token].popleft() if self.answers[token] else Answer(201)
            if scripted.status == 201:
                self.received.append(Received(token, headers, claims, key, token_jwt, payload, len(body), peer))
        return scripted.status, scripted.headers

    def _wait_at_gate(self, authorization: str) -> None:
        with self.lock:
            self._senders.add(authorization)
            if len(self._senders) >= self.gate:
                self._gate_open.set()
        self._gate_open.wait(timeout=60)

    def _arrive(self, peer: tuple[str, int]) -> None:
        with self.lock:
            self.connections.add(peer)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.in_flight >= self.together:
                self._together_reached.set()
        if self.together and not self._together_reached.wait(timeout=10):
            self._together_reached.set()

    def _leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def _handler(self):
        service = self

        class Handler(StreamRequestHandler):
            """HTTP/1.1 POSTs with keep-alive, read and answered by hand (see the module's docstring)."""

            def handle(self):
                with service.lock:
                    service.opened += 1
                while self._one_request():
                    pass

            def _one_request(self) -> bool:
                """Answer one request; False when the connection is to close."""
                line = self.rfile.readline(65537)
                if not line:
                    return False
                method, path, version = (line.decode("latin-1").split() + ["", "", ""])[:3]
                headers: dict[str, str] = {}
                for _ in range(MAX_HEADER_LINES):
                    header = self.rfile.readline(65537)
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                else:
                    return self._answer(431, {}, close=True)
                length = headers.get("content-length", "0")
                if not length.isdigit():
                    return self._answer(400, {}, close=True)
                body = self.rfile.read(int(length))
                close = headers.get("connection", "").lower() == "close" or version != "HTTP/1.1"
                if method != "POST":
                    return self._answer(405, {}, close)
                service._arrive(self.client_address)
                try:
                    service._wait_at_gate(headers.get("authorization", ""))
                    if service.delay:
                        time.sleep(service.delay)
                    status, extra = service.handle(urlsplit(path).path, headers, body, self.client_address)
                finally:
                    service._leave()
                if status == 201:
                    extra = {**extra, "Location": f"{service.origin}/message/{secrets.token_urlsafe(8)}"}
                return self._answer(status, extra, close)

            def _answer(self, status: int, extra: dict[str, str], close: bool) -> bool:
                lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", *(f"{k}: {v}" for k, v in extra.items()),
                         "Content-Length: 0", *(["Connection: close"] if close else []), "", ""]
                self.wfile.write("\r\n".join(lines).encode("latin-1"))
                return not close

        return Handler
