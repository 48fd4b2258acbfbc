"""Which step of signing in a browser is on, and the limits on staff sessions.

Between the password and the second factor the person is NOT signed in: the session holds only
which account is part-way through (its `id:session_version`) and since when. Nothing that checks
`current_user` (every staff page, every signed-in page) can be reached until the code step is done.

Signed-in staff sessions carry their sign-in time and last-activity time; `enforce_staff_session`
ends them after 30 minutes idle or 12 hours in all, and (when STAFF_TWO_FACTOR_REQUIRED is on)
ends any staff session that did not pass the second factor.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from webapp import audit, clock
from webapp.accounts import two_factor
from webapp.accounts.models import User
from webapp.extensions import db

log = logging.getLogger("flourish.accounts")

PENDING = "two_factor_pending"
SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN_AT = "staff_last_seen_at"
SECOND_FACTOR_PASSED = "staff_two_factor"
NEW_RECOVERY_CODES = "new_recovery_codes"
AFTER_RECOVERY_CODES = "after_recovery_codes"

ENDED_MESSAGES = {
    "idle": _l("For your security, staff are signed out after 30 minutes without activity. "
               "Please sign in again."),
    "total": _l("For your security, staff are signed out 12 hours after signing in. Please sign in again."),
    "unknown": _l("For your security, please sign in again."),
    "second_factor": _l("Staff now sign in with a code from an authenticator app. Please sign in again."),
}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _from_epoch(value) -> datetime | None:
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


# Between the password and the code ------------------------------------------------------------

def begin_second_step(user: User, next_target: str | None) -> Response:
    """The password was right: remember who is part-way through and send them to the code step."""
    session.clear()
    session[PENDING] = {"user": user.get_id(), "since": _epoch(clock.now()), "next": next_target or ""}
    audit.record("account.password_verified", actor_id=user.id, subject_type="user", subject_id=user.id)
    db.session.commit()
    step = "accounts.two_factor_code" if two_factor.is_enrolled(user) else "accounts.two_factor_setup"
    return redirect(url_for(step), 303)


def pending_user() -> User | None:
    """The account part-way through signing in on this browser, if it is still in time."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    since = _from_epoch(pending.get("since"))
    if since is None or clock.now() - since > two_factor.PENDING_LIMIT:
        session.pop(PENDING, None)
        return None
    user_id, _sep, version = str(pending.get("user", "")).partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_staff or user.deactivated_at is not None:
        return None
    return user


def pending_next() -> str:
    pending = session.get(PENDING)
    return str(pending.get("next") or "") if isinstance(pending, dict) else ""


# Signed in -------------------------------------------------------------------------------------

def start_session(user: User, *, second_factor: bool) -> None:
    """A fresh session at sign-in: nothing from before carries over (the language is a cookie)."""
    session.clear()
    login_user(user, remember=False)
    if user.is_staff:
        now = _epoch(clock.now())
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now
        session[SECOND_FACTOR_PASSED] = second_factor


def _session_times() -> two_factor.SessionTimes | None:
    signed_in_at = _from_epoch(session.get(SIGNED_IN_AT))
    last_seen_at = _from_epoch(session.get(LAST_SEEN_AT))
    if signed_in_at is None or last_seen_at is None:
        return None
    return two_factor.SessionTimes(signed_in_at=signed_in_at, last_seen_at=last_seen_at)


def enforce_staff_session() -> Response | None:
    """Before every request: end a staff session that is too old, idle or lacks its second factor."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated or not current_user.is_staff:
        return None
    now = clock.now()
    reason = two_factor.session_ended_because(_session_times(), now)
    if reason is None and two_factor.required() and not session.get(SECOND_FACTOR_PASSED):
        reason = "second_factor"
    if reason is None:
        session[LAST_SEEN_AT] = _epoch(now)
        return None
    log.info("staff session ended reason=%s account=%s", reason, current_user.id)
    logout_user()
    session.clear()
    if request.endpoint == "accounts.logout" or request.path.startswith("/api/"):
        return None  # carry on signed out: the sign-out page, or the API's own answer to nobody
    flash(str(ENDED_MESSAGES[reason]), "info")
    next_target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("accounts.login", next=next_target), 303 if request.method != "GET" else 302)
