"""Fixtures for the request-for-support tests: services, a filled-in form, a local front-door receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webapp.directory.service import sync_services_from_data
from webapp.extensions import db

WEBHOOK_SECRET = "test-webhook-secret"
API_TOKEN = "test-api-token-0123456789"


@pytest.fixture
def services(app):
    sync_services_from_data()
    db.session.commit()


class Receiver:
    """A local HTTP server speaking the webhook protocol: it checks the signature, remembers
    Idempotency-Keys (a repeat is answered 200 but not stored twice) and can be told to fail."""

    def __init__(self, secret: str):
        self.secret = secret
        self.received: list[dict] = []
        self.keys: set[str] = set()
        self.duplicates = 0
        self.fail_next: list[int] = []  # status codes to answer with, in turn, before succeeding
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.handle(body, self.headers)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/fhir/requests"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def handle(self, body: bytes, headers) -> int:
        with self.lock:
            expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(headers.get("X-Flourish-Signature", ""), expected):
                self.bad_signatures += 1
                return 401
            if headers.get("Content-Type") != "application/fhir+json":
                return 415
            if self.fail_next:
                return self.fail_next.pop(0)
            key = headers.get("Idempotency-Key", "")
            if key in self.keys:
                self.duplicates += 1
                return 200
            self.keys.add(key)
            self.received.append({"key": key, "reference": headers.get("X-Flourish-Reference"),
                                  "bundle": json.loads(body)})
            return 201

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    found = Receiver(WEBHOOK_SECRET)
    old = {k: app.config.get(k) for k in ("FRONT_DOOR_WEBHOOK_URL", "FRONT_DOOR_WEBHOOK_SECRET")}
    app.config.update(FRONT_DOOR_WEBHOOK_URL=found.url, FRONT_DOOR_WEBHOOK_SECRET=WEBHOOK_SECRET)
    yield found
    found.stop()
    app.config.update(old)


@pytest.fixture
def api_token(app):
    old = app.config.get("FRONT_DOOR_API_TOKEN")
    app.config["FRONT_DOOR_API_TOKEN"] = API_TOKEN
    yield API_TOKEN
    app.config["FRONT_DOOR_API_TOKEN"] = old
