"""JSON for the goals page's script and the service worker: the device copy, and offline check-ins."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp.accounts.roles import role_required
from webapp.extensions import db
from webapp.goals import service
from webapp.goals.routes import YOUNG, bp


@bp.route("/api/device")
@role_required(*YOUNG)
def device_copy():
    """What to keep on the device, and a CSRF token for the service worker, which has no page to read one from."""
    return jsonify(csrf_token=generate_csrf(), **service.device_copy(current_user.id))


@bp.route("/api/check-ins", methods=["POST"])
@role_required(*YOUNG)
def sync_check_ins():
    """Check-ins kept on the device while offline: `{"check_ins": [{"id", "goal_id", "rating", "note",
    "recorded_at"}]}`. Each is kept once, however often it is sent."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="invalid"), 400
    try:
        result = service.once(lambda: service.import_check_ins(current_user.id, body.get("check_ins")))
    except service.GoalError:
        db.session.rollback()
        return jsonify(error="invalid"), 400
    db.session.commit()
    return jsonify(added=result.added, already=result.already, refused=result.refused,
                   device=service.device_copy(current_user.id))
