"""Friendly error pages that leak nothing, and log lines without personal data."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from webapp.database import DATABASE_UNAVAILABLE
from webapp.extensions import db, login_manager

RETRY_AFTER_SECONDS = 30

log = logging.getLogger("flourish.errors")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, template: str, **context):
    if _wants_json():
        return jsonify(error=context.get("code", str(status))), status
    return render_template(template, status=status, **context), status


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        from webapp.page_cache import csrf_missing

        again = csrf_missing()  # a kept page's form sent without JavaScript: shown again, not acted on
        if again is not None:
            return again
        log.info("csrf refused endpoint=%s", request.endpoint)
        return _render(400, "errors/csrf.html", code="csrf_failed")

    @app.errorhandler(403)
    def forbidden(error):
        return _render(403, "errors/403.html", code="forbidden")

    @app.errorhandler(404)
    def not_found(error):
        return _render(404, "errors/404.html", code="not_found")

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _render(405, "errors/404.html", code="method_not_allowed")

    @app.errorhandler(429)
    def too_many(error):
        log.info("rate limited endpoint=%s", request.endpoint)
        return _render(429, "errors/429.html", code="too_many_requests")

    @app.errorhandler(400)
    def bad_request(error):
        return _render(400, "errors/400.html", code="bad_request")

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(500, "errors/500.html", code="server_error")

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeoutError)
    def database_error(error: Exception):
        """The database is down (or unreachable, or saturated): 503 with Retry-After, said honestly,
        never 500. Nothing is cached, so the next request after it returns is served normally (the
        pool's pre-ping replaces connections that died with it)."""
        if not isinstance(error, DATABASE_UNAVAILABLE) and not getattr(error, "connection_invalidated", False):
            raise error  # a fault in a statement, not an outage: logged, and the 500 page
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may already be gone; the session is reset below
            log.debug("rollback failed during a database outage")
        db.session.remove()
        log.warning("database unavailable endpoint=%s error=%s", request.endpoint, type(error).__name__)
        if "_login_user" not in g:  # the page must not ask the database who is signed in again
            g._login_user = login_manager.anonymous_user()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        if _wants_json():
            return jsonify(error="database_unavailable", reason="The database is not answering. Try again shortly.",
                           retry_after=RETRY_AFTER_SECONDS), 503, headers
        return render_template("errors/500.html", status=503, code="database_unavailable"), 503, headers

    @app.errorhandler(HTTPException)
    def other_http_error(error: HTTPException):
        status = error.code or 500
        return _render(status, "errors/400.html" if status < 500 else "errors/500.html", code=str(status))
