"""Notify's delivery receipts (`POST /api/v1/notify/callback`), the "How we contact you" settings page,
staff's view of texts, emails and letters, and the development-only `/dev/messages`."""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.accounts.roles import Role, role_required
from webapp.extensions import csrf, db
from webapp.messaging import admin, channels, receipts, words
from webapp.messaging.addresses import display_mobile
from webapp.messaging.forms import CHANNEL_LABELS, POSITIONS, ChannelsForm

bp = Blueprint("messaging", __name__)
api = Blueprint("notify_api", __name__, url_prefix="/api/v1/notify")
csrf.exempt(api)  # Notify authenticates with a bearer token, never a cookie

log = logging.getLogger("flourish.messaging")


def _json_error(status: int, error: str, message: str):
    response = jsonify(error=error, message=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="notify-callback"'
    return response


def _callback_authorised() -> bool:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    expected = str(current_app.config.get("NOTIFY_CALLBACK_TOKEN") or "")
    same = hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
    return scheme.lower() == "bearer" and bool(expected) and same


@api.post("/callback")
def callback():
    """A delivery receipt from Notify (its callback, `Authorization: Bearer NOTIFY_CALLBACK_TOKEN`)."""
    if not _callback_authorised():
        log.info("notify callback refused: wrong token")
        return _json_error(401, "unauthorised", "A valid bearer token is needed")
    try:
        applied = receipts.apply(request.get_json(silent=True))
    except receipts.ReceiptError as error:
        db.session.rollback()
        response = _json_error(error.status, error.error, error.message)
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    db.session.commit()
    return jsonify(status="ok", message_id=applied.message_id, outcome=applied.outcome)


# -- the person's channels -----------------------------------------------------------------------------

def _form_from_preferences() -> ChannelsForm:
    prefs = channels.preferences_of(current_user.id)
    form = ChannelsForm()
    if prefs is None:
        form.first.data = "push"
        form.email.data = current_user.email
        return form
    for name, channel in zip(POSITIONS, prefs.order, strict=False):
        getattr(form, name).data = channel
    form.phone.data = display_mobile(prefs.phone) if prefs.phone else ""
    form.email.data = prefs.email or ""
    form.address.data = "\n".join((prefs.address or {}).get("lines", []))
    form.postcode.data = (prefs.address or {}).get("postcode", "")
    form.name_service.data = prefs.name_service
    return form


@bp.route("/settings/contact", methods=["GET", "POST"])
@login_required
def settings():
    if request.method == "POST":
        form = ChannelsForm()
        if not form.validate_on_submit():
            return render_template("messaging/settings.html", form=form, labels=CHANNEL_LABELS), 400
        channels.save(current_user.id, order=form.order(), phone=form.normalised["phone"],
                      email=form.normalised["email"], address=form.normalised["address"],
                      name_service=bool(form.name_service.data))
        db.session.commit()
        flash(_("How we contact you is saved."), "success")
        return redirect(url_for("messaging.settings"), 303)
    return render_template("messaging/settings.html", form=_form_from_preferences(), labels=CHANNEL_LABELS,
                           unproved=_unproved())


def _unproved() -> list[tuple[str, str]]:
    """The saved number and email not yet proved (details never go to them), each with its proving link."""
    from webapp.accounts import verification

    prefs = channels.preferences_of(current_user.id)
    if prefs is None:
        return []
    here = url_for("messaging.settings")
    return [(shown, verification.prove_url(channel, address, next=here))
            for channel, address, shown in (("sms", prefs.phone, display_mobile(prefs.phone or "")),
                                            ("email", prefs.email, prefs.email))
            if address and not verification.is_proved(current_user.id, channel, address)]


# -- staff -----------------------------------------------------------------------------------------------

@bp.route("/staff/messages")
@role_required(Role.ADMIN)
def staff_messages():
    return render_template("messaging/staff.html", counts=admin.counts_by_channel(), recent=admin.recent(),
                           configured=admin.configured(), channel_names=words.CHANNEL_NAMES,
                           state_names=words.STATE_NAMES, kind_names=words.KIND_NAMES)


# -- development -----------------------------------------------------------------------------------------

@bp.route("/dev/messages")
def dev_messages():
    """Every text, email and letter the Notify stand-in received, newest first (never in production)."""
    if not admin.development_page_allowed():
        abort(404)
    received, problem = admin.standin_messages()
    return render_template("messaging/dev_messages.html", received=received, problem=problem)
