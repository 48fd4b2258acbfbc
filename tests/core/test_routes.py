from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from webapp.core import service


def test_home_offers_help_now_and_quick_exit(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/help-now"' in page
    assert "data-quick-exit" in page
    assert 'name="csrf-token"' in page


def test_help_now_lists_every_crisis_line_as_a_link(client):
    page = client.get("/help-now").get_data(as_text=True)
    for href in ("tel:999", "tel:111", "sms:85258?body=SHOUT", "tel:08001111", "tel:116123", "tel:08000684141"):
        assert f'href="{href}"' in page
    assert "not crisis services" in page


def test_crisis_lines_each_say_when_they_were_last_checked():
    lines = service.crisis_lines()
    assert {line.id for line in lines} >= {"emergency", "nhs111", "shout", "childline", "samaritans", "papyrus"}
    assert all(line.last_checked for line in lines)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    from webapp.extensions import db

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_unknown_url_gets_friendly_404_with_help_link(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body and 'href="/help-now"' in body


def test_crash_gets_500_page_and_log_without_message(tmp_path, caplog):
    from webapp import create_app

    crashing = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_DIR": str(tmp_path),
                                      "PROPAGATE_EXCEPTIONS": False})

    @crashing.route("/__boom")
    def boom():
        from flask import request

        raise RuntimeError(request.args["who"])

    response = crashing.test_client().get("/__boom?who=Jane+Doe")
    assert response.status_code == 500
    assert "went wrong" in response.get_data(as_text=True)
    assert "Jane Doe" not in response.get_data(as_text=True)
    assert "RuntimeError" in caplog.text
    assert "Jane Doe" not in caplog.text


@pytest.mark.parametrize(("error", "status"), [
    (OperationalError("SELECT 1", {}, Exception("connection refused")), 503),  # the database is down
    (InterfaceError("SELECT 1", {}, Exception("connection already closed")), 503),
    (PoolTimeoutError("QueuePool limit reached"), 503),  # every connection busy: saturated, not broken
    (IntegrityError("INSERT", {}, Exception("duplicate key")), 500),  # our fault, not an outage: logged
])
def test_a_database_outage_is_503_with_retry_after_and_any_other_database_error_500(tmp_path, caplog, error, status):
    from webapp import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_DIR": str(tmp_path),
                                 "PROPAGATE_EXCEPTIONS": False})

    def fail():
        raise error

    app.add_url_rule("/__database", "database", fail)
    app.add_url_rule("/api/__database", "api_database", fail)
    page, api = app.test_client().get("/__database"), app.test_client().get("/api/__database")
    assert page.status_code == api.status_code == status
    assert 'href="/help-now"' in page.get_data(as_text=True)  # the way to urgent help, either way
    if status == 503:
        assert page.headers["Retry-After"] == api.headers["Retry-After"] == "30"
        assert api.get_json()["error"] == "database_unavailable" and api.get_json()["reason"]
        assert "Traceback" not in caplog.text
    else:
        assert api.get_json() == {"error": "server_error"} and "IntegrityError" in caplog.text


@pytest.mark.parametrize("path", ["/", "/help-now", "/offline", "/login", "/manifest.webmanifest"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    for feature in ("geolocation=()", "camera=()", "microphone=()"):
        assert feature in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # only in production
