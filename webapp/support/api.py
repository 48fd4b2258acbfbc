"""The front-door API for the IFD's own system (Bearer FRONT_DOOR_API_TOKEN, checked in constant time).

- GET  /api/v1/front-door/requests?since=<ISO 8601>  a searchset Bundle, oldest first, `next` links
- GET  /api/v1/front-door/requests/<reference>        the full record
With no webhook set (pull only), a record read by either GET counts as delivered.
- POST /api/v1/front-door/requests/<reference>/status  move it on (422 with the reason when wrong);
  with an Idempotency-Key header a replay answers as the first time and changes nothing
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from webapp.extensions import csrf, db
from webapp.support import delivery, idempotency, record, service
from webapp.support.models import StatusIdempotencyKey, SupportRequest

bp = Blueprint("support_api", __name__, url_prefix="/api/v1/front-door")
csrf.exempt(bp)  # token-authenticated, never by cookie

log = logging.getLogger("flourish.support.api")
FHIR_JSON = "application/fhir+json"
MAX_ROW_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def _authorised() -> bool:
    """The bearer token is FRONT_DOOR_API_TOKEN or, during a rotation, FRONT_DOOR_API_TOKEN_PREVIOUS."""
    given = request.headers.get("Authorization", "")
    scheme, _sep, token = given.partition(" ")
    matches = False
    for name in ("FRONT_DOOR_API_TOKEN", "FRONT_DOOR_API_TOKEN_PREVIOUS"):
        expected = current_app.config.get(name) or ""
        # Always compare both (even when unset or malformed), so the time taken says nothing.
        same = hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
        matches = matches or (bool(expected) and same)
    return scheme.lower() == "bearer" and matches


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _authorised():
            log.info("front door api refused endpoint=%s", request.endpoint)
            response = jsonify(error="unauthorised")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="front-door"'
            return response
        return view(*args, **kwargs)

    return wrapped


def _fhir(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=FHIR_JSON)


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return datetime(1970, 1, 1, tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _parse_after(value: str | None) -> int | None | bool:
    """The paging cursor: a row id (a 32-bit integer), None when absent, False when nonsense."""
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_ROW_ID:
        return False
    return int(value)


@bp.route("/requests")
@token_required
def pull():
    since = _parse_since(request.args.get("since"))
    after = _parse_after(request.args.get("after"))
    if since is None or after is False:
        return jsonify(error="invalid", field="since" if since is None else "after",
                       reason="since must be an ISO 8601 date and time; after a cursor from a next link"), 400
    unsent = delivery.unsent_before_a_pull()
    rows = service.pulled_since(since, after)
    page, more = rows[:service.PULL_PAGE], len(rows) > service.PULL_PAGE
    links = [{"relation": "self", "url": request.url}]
    if more:
        last = page[-1]
        query = urlencode({"since": last.received_at.isoformat(), "after": last.id})
        links.append({"relation": "next", "url": url_for(".pull", _external=True) + "?" + query})
    bundle = {"resourceType": "Bundle", "type": "searchset", "link": links,
              "entry": [{"fullUrl": url_for(".one", reference=r.reference, _external=True),
                         "resource": json.loads(r.fhir_record), "search": {"mode": "match"}} for r in page]}
    _delivered_by_pull(unsent, [r.id for r in page])
    return _fhir(bundle)


def _delivered_by_pull(unsent: dict[int, list[int]], request_ids: list[int]) -> None:
    """The front door's system has these records now (and, pull only, their unsent outbox rows)."""
    delivery.mark_pulled(unsent, request_ids)
    db.session.commit()


@bp.route("/requests/<reference>")
@token_required
def one(reference: str):
    normalised = service.well_formed_reference(reference)
    if normalised is None:
        return jsonify(error="not_found"), 404
    unsent = delivery.unsent_before_a_pull(normalised)
    req = service.by_reference(normalised)
    if req is None or req.fhir_record is None:
        return jsonify(error="not_found"), 404
    body = json.loads(req.fhir_record)
    _delivered_by_pull(unsent, [req.id])
    return _fhir(body)


def _unprocessable(field: str, reason: str) -> tuple[Response, int]:
    return jsonify(error="unprocessable", field=field, reason=reason), 422


@bp.route("/requests/<reference>/status", methods=["POST"])
@token_required
def status(reference: str):
    req = service.by_reference(reference)
    if req is None or req.fhir_record is None:
        return jsonify(error="not_found"), 404
    key = request.headers.get(idempotency.HEADER)
    if key is None:
        return _change_status(req)
    try:
        return _change_status_once(req, key)
    except idempotency.KeyRefused as refused:
        db.session.rollback()
        return _unprocessable(idempotency.HEADER, refused.reason)


def _change_status_once(req: SupportRequest, key: str) -> Response | tuple[Response, int]:
    """With an Idempotency-Key: the stored answer when the key was used (by a POST before this one, or
    one at the same moment that committed first), otherwise the change, remembered with its answer."""
    idempotency.check_shape(key)
    body_digest = idempotency.digest(request.get_data())
    answered = idempotency.stored(key, req, body_digest)
    if answered is None:
        claim = idempotency.claim(key, req, body_digest)
        if claim is not None:
            return _change_status(req, claim)
        answered = idempotency.stored(key, req, body_digest)
    log.info("front door status replayed request=%s", req.id)
    return Response(answered.response, status=answered.status_code, mimetype="application/json",
                    headers={idempotency.REPLAYED_HEADER: "true"})


def _change_status(req: SupportRequest, claim: StatusIdempotencyKey | None = None) -> Response | tuple[Response, int]:
    try:
        event = service.apply_status_payload(req, request.get_json(silent=True))
    except service.ApiError as problem:
        db.session.rollback()
        return _unprocessable(problem.field, problem.reason)
    sr = record.service_request_of(json.loads(req.fhir_record))
    response = jsonify(reference=req.reference, status=req.status, thrive_group=req.thrive_group,
                       service_id=req.service_id, priority=sr["priority"],
                       event_at=event.occurred_at.isoformat() if event else None)
    if claim is not None:
        idempotency.remember(claim, response.status_code, response.get_data(as_text=True))
    db.session.commit()
    return response
