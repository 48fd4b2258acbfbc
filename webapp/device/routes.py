"""`/this-device`: what Flourish keeps in this browser, and removing it after a confirm.

The page is the confirm. Its script removes everything itself and says what it found; without
JavaScript, the answer's `Clear-Site-Data` header has the browser remove it (storage, caches and
the service worker, never the sign-in cookie).
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

bp = Blueprint("device", __name__, url_prefix="/this-device")

CLEAR_SITE_DATA = '"cache", "storage"'
CLEAR_HTTP_CACHE = '"cache"'
COUNTED = ("mood_entries", "kept_pages", "goal_copies", "other_items")


def _count(name: str) -> int | None:
    """A count the page's script sent (what it found and removed), or None when it did not run."""
    value = request.form.get(name, "")
    return int(value) if value.isdigit() and len(value) < 7 else None


@bp.get("")
def this_device():
    return render_template("device/this_device.html")


@bp.post("")
def remove():
    counts = {name: _count(name) for name in COUNTED}
    removed_by_page = request.form.get("removed_by_page") == "1" and None not in counts.values()
    response = make_response(render_template("device/removed.html", counts=counts if removed_by_page else None))
    # The browser's HTTP cache is out of a script's reach, so it is always cleared. Storage and the
    # service worker's caches too when the page's script did not run; when it did, it has removed them
    # itself and kept only the record of a quick exit (which "storage" would also remove).
    response.headers["Clear-Site-Data"] = CLEAR_HTTP_CACHE if removed_by_page else CLEAR_SITE_DATA
    return response
