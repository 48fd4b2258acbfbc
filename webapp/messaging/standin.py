"""A local stand-in for NHS Notify (the GOV.UK Notify API), for development and tests.

It speaks the API's requests (`POST /v2/notifications/sms`, `/email`, `/letter`; `GET
/v2/notifications/<id>` and `GET /v2/notifications?reference=...`), checks each request's JWT as
Notify does (HS256 signed with the secret part of the API key, `iss` the service id, `iat` within
30 seconds), answers with Notify's JSON, keeps what it received, and sends delivery receipts to the
app's callback URL with the callback bearer token (retrying a few times, as Notify does).

Run it with `flask --app webapp notify-standin --port 6011` (`make run` does). What it received is
shown on the app's development-only page `/dev/messages`.

Outcomes, like Notify's test numbers: a text to 07700 900002 or an email to
perm-fail@simulator.notify fails for good; 07700 900003 and temp-fail@simulator.notify fail for now;
every other message is delivered (a letter is "received"). A test can make the next answers errors
with `fail_next(status, times)` (e.g. 400, 403, 429, 500).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from flask import Flask, jsonify, request
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError
from werkzeug.serving import make_server

from webapp import clock

log = logging.getLogger("flourish.notify_standin")

PERMANENT_NUMBERS = {"+447700900002"}
TEMPORARY_NUMBERS = {"+447700900003"}
PERMANENT_EMAILS = {"perm-fail@simulator.notify"}
TEMPORARY_EMAILS = {"temp-fail@simulator.notify"}
CALLBACK_TRIES = 5
_ERROR_NAMES = {400: "BadRequestError", 403: "AuthError", 429: "RateLimitError", 500: "Exception"}


def split_api_key(api_key: str) -> tuple[str, str]:
    """(service id, secret) from a key `<name>-<service id>-<secret>`, as Notify reads it."""
    return api_key[-73:-37], api_key[-36:]


def _e164(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("44"):
        return "+" + digits
    if digits.startswith("0"):
        return "+44" + digits[1:]
    return "+" + digits


@dataclass
class Received:
    """One message as Notify would keep it."""

    id: str
    type: str  # sms | email | letter
    template_id: str
    reference: str | None
    personalisation: dict[str, Any]
    created_at: datetime
    to: str = ""
    status: str = "created"
    callbacks: list[str] = field(default_factory=list)  # statuses the app accepted (2xx)

    @property
    def body(self) -> str:
        return str(self.personalisation.get("body", ""))

    @property
    def subject(self) -> str:
        return str(self.personalisation.get("subject", ""))

    def as_json(self) -> dict[str, Any]:
        lines = {f"line_{n}": self.personalisation.get(f"address_line_{n}") for n in range(1, 8)}
        return {
            "id": self.id, "reference": self.reference, "type": self.type, "status": self.status,
            "template": {"id": self.template_id, "version": 1, "uri": f"/v2/template/{self.template_id}"},
            "body": self.body, "subject": self.subject if self.type != "sms" else None,
            "email_address": self.to if self.type == "email" else None,
            "phone_number": self.to if self.type == "sms" else None, **lines,
            "postcode": None, "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "created_by_name": None, "sent_at": None, "completed_at": None, "estimated_delivery": None,
            "postage": "second" if self.type == "letter" else None,
        }


class NotifyStandIn:
    """The stand-in's state and its HTTP server (werkzeug, threaded), started on `port` (0: any)."""

    def __init__(self, api_key: str, callback_url: str | None, callback_token: str, *, port: int = 0,
                 host: str = "127.0.0.1", callback_delay: float = 0.2, gate: int = 0) -> None:
        self.service_id, self.secret = split_api_key(api_key)
        self.callback_url, self.callback_token, self.callback_delay = callback_url, callback_token, callback_delay
        self.received: list[Received] = []
        self.answers: list[int] = []  # every status code answered to a send, in order
        self.peers: set[int] = set()  # client ports that sent (which workers)
        self._failures: list[int] = []
        self._callback_threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        # gate > 0: hold every send until that many different connections have sent (proves overlap).
        self._gate, self._gate_open = gate, threading.Event()
        if not gate:
            self._gate_open.set()
        self.app = self._make_app()
        self.server = make_server(host, port, self.app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> NotifyStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` sends with `status` (400, 403, 429, 500, ...), as Notify would."""
        with self._lock:
            self._failures.extend([status] * times)

    def by_reference(self, reference: str) -> list[Received]:
        with self._lock:
            return [message for message in self.received if message.reference == reference]

    # -- the API -----------------------------------------------------------------------------------

    def _auth_error(self) -> tuple[Any, int] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header.removeprefix("Bearer ")
        try:
            issuer = get_token_issuer(token)
            if issuer != self.service_id:
                return _error(403, "AuthError", "Invalid token: service not found")
            decode_jwt_token(token, self.secret)
        except TokenError as error:
            return _error(403, "AuthError", error.message)
        return None

    def _forced_failure(self) -> tuple[Any, int] | None:
        with self._lock:
            status = self._failures.pop(0) if self._failures else None
        if status is None:
            return None
        messages = {400: "phone_number Not a UK mobile number", 403: "Invalid token: API key not found",
                    429: "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
                    500: "Internal server error"}
        return _error(status, _ERROR_NAMES.get(status, "Exception"), messages.get(status, "Error"))

    def _wait_at_gate(self) -> None:
        port = request.environ.get("REMOTE_PORT")
        with self._lock:
            self.peers.add(int(port or 0))
            if self._gate and len(self.peers) >= self._gate:
                self._gate_open.set()
        self._gate_open.wait(timeout=30)

    def _make_app(self) -> Flask:
        app = Flask("notify_standin")

        @app.post("/v2/notifications/<kind>")
        def send(kind: str):
            if kind not in ("sms", "email", "letter"):
                return _error(404, "NotFound", "Not found")
            refused = self._auth_error() or self._forced_failure()
            if refused is None:
                self._wait_at_gate()
                refused, message = self._accept(kind, request.get_json(silent=True) or {})
            with self._lock:
                self.answers.append(refused[1] if refused else 201)
            if refused:
                return refused
            self._schedule_callback(message)
            return jsonify(_created(message, self.url)), 201

        @app.get("/v2/notifications/<notification_id>")
        def one(notification_id: str):
            refused = self._auth_error()
            if refused:
                return refused
            with self._lock:
                found = next((m for m in self.received if m.id == notification_id), None)
            if found is None:
                return _error(404, "NoResultFound", "No result found")
            return jsonify(found.as_json())

        @app.get("/v2/notifications")
        def many():
            refused = self._auth_error()
            if refused:
                return refused
            reference, kind = request.args.get("reference"), request.args.get("template_type")
            with self._lock:
                found = [m for m in reversed(self.received) if (reference is None or m.reference == reference)
                         and (kind is None or m.type == kind)]
            return jsonify({"notifications": [m.as_json() for m in found[:250]],
                            "links": {"current": f"{self.url}/v2/notifications"}})

        return app

    def _accept(self, kind: str, body: dict[str, Any]) -> tuple[tuple[Any, int] | None, Received | None]:
        personalisation = body.get("personalisation") or {}
        if not body.get("template_id"):
            return _error(400, "ValidationError", "template_id is a required property"), None
        try:
            uuid.UUID(str(body["template_id"]))
        except ValueError:
            return _error(400, "ValidationError", "template_id is not a valid UUID"), None
        to = ""
        if kind == "sms":
            to = str(body.get("phone_number") or "")
            if not _e164(to).startswith("+447") or len(_e164(to)) != 13:
                return _error(400, "ValidationError", "phone_number Not a UK mobile number"), None
        elif kind == "email":
            to = str(body.get("email_address") or "")
            if "@" not in to:
                return _error(400, "ValidationError", "email_address Not a valid email address"), None
        else:
            lines = [personalisation.get(f"address_line_{n}") for n in range(1, 8)]
            if len([line for line in lines if line]) < 3:
                return _error(400, "ValidationError", "Address must be at least 3 lines"), None
            to = ", ".join(str(line) for line in lines if line)
        message = Received(id=str(uuid.uuid4()), type=kind, template_id=str(body["template_id"]),
                           reference=body.get("reference"), personalisation=dict(personalisation),
                           created_at=clock.now(), to=to)
        with self._lock:
            self.received.append(message)
        return None, message

    # -- callbacks ---------------------------------------------------------------------------------

    def outcome_for(self, message: Received) -> str:
        if message.type == "letter":
            return "received"
        target = _e164(message.to) if message.type == "sms" else message.to.lower()
        if target in PERMANENT_NUMBERS or target in PERMANENT_EMAILS:
            return "permanent-failure"
        if target in TEMPORARY_NUMBERS or target in TEMPORARY_EMAILS:
            return "temporary-failure"
        return "delivered"

    def _schedule_callback(self, message: Received) -> None:
        message.status = self.outcome_for(message)
        if not self.callback_url:
            return
        thread = threading.Thread(target=self.send_callback, args=(message,), daemon=True)
        with self._lock:
            self._callback_threads.append(thread)
        thread.start()

    def wait_for_callbacks(self, timeout: float = 30) -> None:
        """Wait until every receipt sent so far has been answered (or given up on)."""
        with self._lock:
            threads, self._callback_threads = list(self._callback_threads), []
        for thread in threads:
            thread.join(timeout)

    def receipt(self, message: Received) -> dict[str, Any]:
        """The message's delivery receipt as Notify sends it, completed now (`webapp.clock`)."""
        now = clock.now().isoformat().replace("+00:00", "Z")
        return {"id": message.id, "reference": message.reference, "to": message.to, "status": message.status,
                "created_at": message.created_at.isoformat().replace("+00:00", "Z"), "completed_at": now,
                "sent_at": now, "notification_type": message.type, "template_id": message.template_id,
                "template_version": 1}

    def send_callback(self, message: Received) -> int | None:
        """POST the message's receipt to the app, as Notify does; tried again on failure."""
        time.sleep(self.callback_delay)
        body = self.receipt(message)
        status = None
        for attempt in range(CALLBACK_TRIES):
            try:
                response = requests.post(str(self.callback_url), json=body, timeout=10,
                                         headers={"Authorization": f"Bearer {self.callback_token}"})
                status = response.status_code
                if status < 300:
                    message.callbacks.append(message.status)
                    return status
            except requests.RequestException:
                status = None
            time.sleep(min(0.5 * 2 ** attempt, 5))
        log.info("notify stand-in could not deliver a receipt status=%s", status)
        return status


def _error(status: int, name: str, message: str) -> tuple[Any, int]:
    return jsonify({"status_code": status, "errors": [{"error": name, "message": message}]}), status


def _created(message: Received, base: str) -> dict[str, Any]:
    content: dict[str, Any] = {"body": message.body}
    if message.type == "sms":
        content["from_number"] = "Flourish"
    elif message.type == "email":
        content.update(subject=message.subject, from_email="flourish@notifications.service.gov.uk",
                       one_click_unsubscribe_url=None)
    else:
        content["subject"] = message.subject
    created = {"id": message.id, "reference": message.reference, "content": content,
               "uri": f"{base}/v2/notifications/{message.id}",
               "template": {"id": message.template_id, "version": 1,
                            "uri": f"{base}/v2/template/{message.template_id}"}}
    if message.type == "letter":
        created["scheduled_for"] = None
        created["postage"] = "second"
    return created
