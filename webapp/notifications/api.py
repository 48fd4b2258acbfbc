"""The push API (contract): GET /api/v1/push/vapid-public-key; POST and DELETE /api/v1/push/subscriptions.

Subscriptions need a signed-in person and the CSRF token (`X-CSRFToken`), like every other
state-changing request. Errors are JSON: `{"error": "...", "field": "...", "message": "..."}`.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp.extensions import db, limiter
from webapp.notifications import devices
from webapp.notifications.webpush_client import application_server_key

bp = Blueprint("push_api", __name__, url_prefix="/api/v1/push")


def _signed_in(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return jsonify(error="sign_in_required", message="Sign in to turn on reminders."), 401
        return view(*args, **kwargs)

    return wrapped


def endpoint_rules() -> devices.EndpointRules:
    config = current_app.config
    https_only = config.get("PUSH_HTTPS_ONLY", config.get("ENV_NAME") == "production")
    hosts = config.get("PUSH_SERVICE_HOSTS", devices.KNOWN_PUSH_SERVICES)
    if isinstance(hosts, str):
        hosts = tuple(h.strip().lower() for h in hosts.split(",") if h.strip())
    return devices.EndpointRules(https_only=bool(https_only), allowed_hosts=None if "*" in hosts else tuple(hosts))


def _invalid(error: devices.SubscriptionError):
    db.session.rollback()
    return jsonify(error="invalid_subscription", field=error.field, message=str(error.message)), 400


@bp.route("/vapid-public-key")
def vapid_public_key():
    """The key for `pushManager.subscribe`, and a CSRF token the service worker can use when
    it subscribes again by itself (`pushsubscriptionchange`)."""
    return jsonify(publicKey=application_server_key(), csrfToken=generate_csrf())


def _per_person() -> str:
    """Rate limits per account, not per address: a whole school may share one address."""
    return f"push-subscribe:{current_user.get_id()}"


@bp.route("/subscriptions", methods=["POST"])
@_signed_in
@limiter.limit("30 per hour", key_func=_per_person)
def subscribe():
    body = request.get_json(silent=True)
    try:
        subscription, added = devices.subscribe(current_user.id, body, endpoint_rules(),
                                                request.headers.get("User-Agent"))
    except devices.SubscriptionError as error:
        return _invalid(error)
    except devices.SubscriptionConflict as conflict:
        db.session.commit()  # the refusal's audit row
        return jsonify(error="subscription_conflict", field=conflict.field, message=str(conflict.message)), 409
    db.session.commit()
    return jsonify(id=subscription.id, device=subscription.device_label), 201 if added else 200


@bp.route("/subscriptions", methods=["DELETE"])
@_signed_in
def unsubscribe():
    body = request.get_json(silent=True)
    endpoint = body.get("endpoint") if isinstance(body, dict) else request.args.get("endpoint")
    try:
        removed = devices.unsubscribe(current_user.id, endpoint)
    except devices.SubscriptionError as error:
        return _invalid(error)
    db.session.commit()
    if not removed:
        return jsonify(error="not_found", message="No such device for you."), 404
    return "", 204
