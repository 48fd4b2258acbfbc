"""Anonymous public pages kept rendered until what they show changes (#15 item 9).

Home, help now, self-help and its topics and tools, /waits, /bookings/ and a base's page are the same
for every visitor who is not signed in, in the same language on the same day, with the same data. So
each is rendered once per (page, URL arguments, language, cookies other than the session, local day,
data version) and kept in this process, gzipped too. What is per visitor is left out and filled in
apart:

- The CSRF token: the kept copy has `value=""` in its token fields (and its `csrf-token` meta).
  `static/js/app.js` fills them from `/csrf-token` (no-store, `webapp/pwa`) as a form is sent.
  Without JavaScript, a form sent with no token is not acted on: the
  page is shown again with what was typed and a fresh token (`csrf_missing`), one more press sends it.
  The token is still checked on every POST; nothing here accepts a POST without one.
- Being signed in: a signed-in person's page is never served from, nor stored in, this cache; nor
  one whose session holds anything but a CSRF token (a flashed message, a reply to show once).

The data version of each source (services, the published wait figures, bases with their sessions and
slots) is read from the database at most every CHECK_EVERY per process, and at once after this
process commits a change: a page is never kept past a change of what it shows by more than that,
however long ago it was rendered. Nothing is kept by time alone.

A kept page holds no secret (no token, nothing personal), so its gzip is made once; the random gzip
file name against BREACH (`webapp/compression.py`) is for pages that carry a token.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Response, current_app, flash, g, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header, parse_cookie

from webapp import clock
from webapp.database import DATABASE_UNAVAILABLE

CHECK_EVERY = 1.0  # seconds between reads of a source's data version (and at once after a local commit)
MAX_KEPT = 500  # pages x languages x days; past it, start again
# Session keys an anonymous visitor's page does not depend on (Flask-WTF's token, Flask-Login's own).
NEUTRAL_SESSION_KEYS = frozenset({"csrf_token", "_permanent", "_fresh", "_id"})
# Query arguments a kept page may have (others are rendered every time: they could be anything).
KEPT_ARGUMENTS = frozenset({"lang"})
# Each page kept, and the data sources it shows.
PAGES: dict[str, tuple[str, ...]] = {
    "core.home": (), "core.help_now": (),
    "selfhelp.index": (), "selfhelp.topic": (), "selfhelp.breathing": (), "selfhelp.grounding": (),
    "selfhelp.distraction": (), "selfhelp.sleep": (), "selfhelp.worry_time": (), "selfhelp.what_would_help": (),
    "selfhelp.services": (),
    "waits.index": ("waits", "directory"),
    "bookings.index": ("bookings",), "bookings.base": ("bookings",),
}
# Forms on kept pages: sent without JavaScript their token is missing; not acted on, their page is
# shown again (400) with what was typed and a fresh token. "What would help" checks its own token the
# same way (webapp.selfhelp.routes). The others get a "press once more" page holding what was sent.
SHOWN_AGAIN = frozenset({"bookings.index"})
CONFIRMED = frozenset({"accounts.set_language", "waits.index"})
CSRF_FIELD_NAME = "csrf_token"  # the form field (and g key) Flask-WTF keeps the token under


@dataclass(frozen=True)
class Kept:
    body: bytes
    gzipped: bytes
    headers: tuple[tuple[str, str], ...]


# -- data versions ------------------------------------------------------------------------------

def _fingerprint(rows: Any) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _directory_version() -> tuple[Any, ...]:
    """Every service's row (a few dozen): a change by the front door shows, whatever the clock says."""
    from webapp.directory.models import Service
    from webapp.extensions import db

    return (_fingerprint(db.session.execute(select(Service.__table__).order_by(Service.id)).all()),)


def _waits_version() -> tuple[Any, ...]:
    """The published figures themselves (read about once a second, not per page)."""
    from webapp.extensions import db
    from webapp.waits.models import SNAPSHOT_ID, WaitSnapshot
    from webapp.waits.service import TOO_OLD_TO_SHOW

    row = db.session.execute(select(WaitSnapshot.computed_at, WaitSnapshot.payload)
                             .where(WaitSnapshot.id == SNAPSHOT_ID)).first()
    if row is None:
        return None, True
    # Too old to show: the page recomputes them (webapp.waits.service.current_snapshot), so render it.
    return row.computed_at, _fingerprint(row.payload), clock.now() - row.computed_at > TOO_OLD_TO_SHOW


def _bookings_version() -> tuple[Any, ...]:
    """Bases and coming sessions (a fingerprint of every field), and the coming slots: places,
    bookings, holds (weighted by id, so two changes rarely cancel out), and how many fall in the
    weeks a base's page shows."""
    from webapp.bookings.models import CommunityBase, DropInSession, Slot
    from webapp.bookings.rules import PAGE_WEEKS
    from webapp.extensions import db

    now = clock.now()
    bases = _fingerprint(db.session.execute(select(CommunityBase.__table__).order_by(CommunityBase.id)).all())
    sessions = _fingerprint(db.session.execute(
        select(DropInSession.__table__).where(DropInSession.ends_at > now).order_by(DropInSession.id)).all())
    slots = db.session.execute(select(
        func.count(), func.max(Slot.id), func.sum(Slot.id * Slot.booked), func.sum(Slot.id * Slot.held),
        func.sum(Slot.id * Slot.places), func.sum(Slot.id * Slot.over_capacity)).where(Slot.ends_at > now)).one()
    # The first slot to start: when it starts it is no longer bookable, so the page changes.
    first = db.session.scalar(select(func.min(Slot.starts_at)).where(Slot.starts_at > now))
    # A base's page shows the next weeks only: a slot coming into that window changes it.
    in_window = db.session.scalar(select(func.count()).where(
        Slot.starts_at > now, Slot.starts_at < now + timedelta(weeks=PAGE_WEEKS)))
    return bases, sessions, tuple(slots), first, in_window


SOURCES: dict[str, Callable[[], tuple[Any, ...]]] = {
    "directory": _directory_version, "waits": _waits_version, "bookings": _bookings_version}


class Versions:
    """Each source's last read version, read again when older than CHECK_EVERY or after a local change."""

    def __init__(self) -> None:
        self.read: dict[str, tuple[float, tuple[Any, ...]]] = {}
        self.changed = threading.Event()
        self.lock = threading.Lock()

    def due(self, sources: tuple[str, ...]) -> bool:
        """Some source's version is to be read again (old, or changed here): needs the database."""
        if self.changed.is_set():
            return True
        now = time.monotonic()
        return any(now - self.read.get(source, (-CHECK_EVERY, ()))[0] >= CHECK_EVERY for source in sources)

    def of(self, sources: tuple[str, ...], app: Flask) -> tuple[Any, ...]:
        """Each source's version, read again from the database (in an app context) when due; one
        thread at a time, so a clear by one never leaves another without a version."""
        with self.lock:
            if not self.due(sources):
                return tuple(self.read[source][1] for source in sources)
            if self.changed.is_set():
                self.changed.clear()
                self.read.clear()
            now = time.monotonic()
            versions = []
            with app.app_context():
                for source in sources:
                    read_at, version = self.read.get(source, (-CHECK_EVERY, ()))
                    if now - read_at >= CHECK_EVERY:
                        version = SOURCES[source]()
                        self.read[source] = (now, version)
                    versions.append(version)
            return tuple(versions)


def _watch_commits(versions: Versions) -> None:
    """A commit in this process that wrote anything: read every version again before the next page."""

    def wrote(session: Session, *_args) -> None:
        if session.new or session.dirty or session.deleted:
            session.info["page_cache.wrote"] = True

    def executed(state) -> None:
        if state.is_update or state.is_delete or state.is_insert:
            state.session.info["page_cache.wrote"] = True

    def committed(session: Session) -> None:
        if session.info.pop("page_cache.wrote", False):
            versions.changed.set()

    event.listen(Session, "before_flush", wrote)
    event.listen(Session, "do_orm_execute", executed)
    event.listen(Session, "after_commit", committed)


# -- keeping and serving ------------------------------------------------------------------------

KEY, BODY = "flourish.page_cache.key", "flourish.page_cache.body"  # passed in the WSGI environ
DROPPED_HEADERS = ("set-cookie", "content-length", "content-encoding", "x-ratelimit-", "retry-after")


class PageCache:
    """WSGI middleware in front of Flask: a kept page is sent from here, before any of the app runs;
    a page to keep is rendered by the app as usual, and `keep` (the app's first after_request) hands
    its body without the token back here to keep, with the headers the app finally sent."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.kept: dict[tuple[Any, ...], Kept] = {}
        self.versions = Versions()
        self.supported = tuple(app.config["LANGUAGES"])
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self._pages: dict[str, tuple[str, ...] | None] = {}
        self._languages: dict[str, str] = {}
        self._sessions: dict[str, bool] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        key = self._key(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if key is None:
            return self.wsgi_app(environ, start_response)
        kept = self.kept.get(key)
        if kept is not None:
            gzipped = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
            body = kept.gzipped if gzipped else kept.body
            headers = [*kept.headers, ("Content-Length", str(len(body)))]
            if gzipped:
                headers.append(("Content-Encoding", "gzip"))
            start_response("200 OK", headers)
            return [body]
        environ[KEY] = key
        sent: list[tuple[str, str]] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            if status.startswith("200"):
                sent.extend(headers)
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        body = environ.get(BODY)
        if body is not None and sent:
            if len(self.kept) >= MAX_KEPT:
                self.kept.clear()
            headers = tuple((name, value) for name, value in sent if not name.lower().startswith(DROPPED_HEADERS))
            self.kept[key] = Kept(body, gzip.compress(body, compresslevel=6, mtime=0), headers)
        return result

    def _key(self, environ: dict[str, Any]) -> tuple[Any, ...] | None:
        """What the page shows, and so what it is kept under; None when it is not one to keep."""
        path = environ.get("PATH_INFO", "")
        sources = self._sources(path)
        if sources is None:
            return None
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if not {name for name, _value in query} <= KEPT_ARGUMENTS:
            return None
        cookies = parse_cookie(environ)
        session_cookie = cookies.get(self.session_cookie)
        if session_cookie is not None and not self._anonymous_session(session_cookie):
            return None
        others = tuple(sorted((name, value) for name, value in cookies.items() if name != self.session_cookie))
        versions: tuple[Any, ...] = ()
        if sources:
            try:
                versions = self.versions.of(sources, self.app)
            except DATABASE_UNAVAILABLE:
                return None  # the database is away: the app itself answers (503, urgent help still shown)
        return (path, tuple(sorted(query)), self._language(environ.get("HTTP_ACCEPT_LANGUAGE", "")), others,
                clock.today_local(), versions)

    def _sources(self, path: str) -> tuple[str, ...] | None:
        if path not in self._pages:
            try:
                endpoint, _args = self.app.url_map.bind("localhost").match(path, method="GET")
            except HTTPException:
                endpoint = None
            if len(self._pages) >= MAX_KEPT:
                self._pages.clear()
            self._pages[path] = PAGES.get(endpoint) if isinstance(endpoint, str) else None
        return self._pages[path]

    def _language(self, header: str) -> str:
        """The browser's best language (the account's and the cookie's choices are in the key apart)."""
        if header not in self._languages:
            if len(self._languages) >= MAX_KEPT:
                self._languages.clear()
            self._languages[header] = (parse_accept_header(header, LanguageAccept).best_match(self.supported)
                                       or self.supported[0])
        return self._languages[header]

    def _anonymous_session(self, cookie: str) -> bool:
        """A session holding nothing but a CSRF token: nobody signed in, nothing to show once."""
        if cookie not in self._sessions:
            serializer = self.app.session_interface.get_signing_serializer(self.app)
            try:
                data = serializer.loads(cookie, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
            except BadSignature:
                data = {}
            if len(self._sessions) >= MAX_KEPT:
                self._sessions.clear()
            self._sessions[cookie] = set(data) <= NEUTRAL_SESSION_KEYS
        return self._sessions[cookie]


def _anonymous_visit() -> bool:
    if getattr(current_user, "is_authenticated", False):
        return False
    return set(session.keys()) <= NEUTRAL_SESSION_KEYS


def keep(response: Response) -> Response:
    """After a page to keep was rendered: hand its body, without the CSRF token, to `PageCache`."""
    environ = request.environ
    if (KEY not in environ or response.status_code != 200 or response.mimetype != "text/html"
            or response.is_streamed or "Content-Encoding" in response.headers or not _anonymous_visit()
            or "no-store" in response.headers.get("Cache-Control", "")):
        return response
    body = response.get_data()
    token = g.get(CSRF_FIELD_NAME)
    if token:
        body = body.replace(token.encode(), b"")
    environ[BODY] = body
    return response


def forget() -> None:
    """Drop every kept page and every version read (tests; a deploy starts with none anyway)."""
    cache = current_app.extensions["page_cache"]
    cache.kept.clear()
    cache.versions.read.clear()


# -- the token, filled in apart (static/js/app.js fetches it from /csrf-token, webapp/pwa) ---------

def _token_missing() -> bool:
    return request.method == "POST" and not request.form.get(CSRF_FIELD_NAME) and not request.headers.get("X-CSRFToken")


def csrf_missing() -> Response | tuple[str, int] | None:
    """A form from a kept page sent without JavaScript has no token. Not acted on: shown again with
    what was typed and a fresh token (its view's own CSRF check refuses it), or for the language,
    a page to press once more. Only for someone not signed in, on these forms; None otherwise."""
    if not _token_missing() or not _anonymous_visit():
        return None
    endpoint = request.endpoint or ""
    if endpoint in SHOWN_AGAIN:
        flash(_("Nothing was sent yet: press the button again to go on."), "info")
        for before in current_app.before_request_funcs.get(request.blueprint, ()):
            early = before()
            if early is not None:
                return early
        response = current_app.make_response(current_app.view_functions[endpoint](**(request.view_args or {})))
        response.status_code = 400
        return response
    if endpoint in CONFIRMED:
        fields = [(name, value) for name, value in request.form.items(multi=True) if name != CSRF_FIELD_NAME]
        return render_template("errors/press_again.html", fields=fields, action=request.path), 400
    return None


def init_page_cache(app: Flask) -> None:
    cache = PageCache(app, app.wsgi_app)
    app.extensions["page_cache"] = cache
    _watch_commits(cache.versions)
    app.after_request(keep)
    app.wsgi_app = cache
