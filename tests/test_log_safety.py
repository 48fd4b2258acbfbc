"""Logs cannot be forged (CWE-117): every logged value from a request has its control characters
escaped, in the app's log and in gunicorn's access log."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from webapp import behind_proxies
from webapp.log_safety import CONTINUATION, LOG_FORMAT, EscapingFormatter, escape_control

ROOT = Path(__file__).resolve().parents[1]
FORGED = "2026-06-15 12:00:00,000 INFO flourish.audit audit action=account.deleted actor=6"
# Raw characters a request can carry into a log line, and how they must read there.
HOSTILE = {
    "\n": "\\n", "\r": "\\r", "\x00": "\\x00", "\x1b[31m": "\\x1b[31m", "\t": "\\t", "\x7f": "\\x7f",
    "\x85": "\\x85", "\u2028": "\\u2028", "\u202e": "\\u202e", "\u200b": "\\u200b", "\\x0a": "\\\\x0a",
}
XFF_FORGED = FORGED.replace(",", ".")  # a comma would split X-Forwarded-For
ACCESS_LINE = re.compile(r'[^"]* "GET [^"]*" \d{3} "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*"')
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(("raw", "escaped"), HOSTILE.items())
def test_control_characters_are_escaped(raw, escaped):
    assert escape_control(f"a{raw}b") == f"a{escaped}b"


def test_plain_text_is_untouched():
    for text in ("GET /waits", "Łódź, São Paulo, Vilnius", "quote \" and 'single'", ""):
        assert escape_control(text) == text


def test_a_logged_value_never_makes_a_second_line(app, caplog):
    """Once the app is made (`create_app`), every value handed to any logger is escaped."""
    path = f"/bookings/bases/x\n{FORGED}\r\x00\x1b[2J"
    with caplog.at_level(logging.INFO):
        logging.getLogger("flourish.test").info("not found path=%s agent=%s", path, b"curl\n\x1b")
    (record,) = [r for r in caplog.records if r.name == "flourish.test"]
    message = record.getMessage()
    assert "\n" not in message and not RAW_CONTROL.search(message)
    assert message == ("not found path=/bookings/bases/x\\n" + FORGED + "\\r\\x00\\x1b[2J agent=curl\\n\\x1b")


def test_the_app_log_handler_indents_every_line_after_the_first():
    formatter = EscapingFormatter(LOG_FORMAT)
    built_before = logging.LogRecord("flourish.x", logging.INFO, __file__, 1, f"made earlier /x\n{FORGED}\x1b", (),
                                     None)
    try:
        raise ValueError(f"boom\n{FORGED}")
    except ValueError:
        failing = logging.LogRecord("flourish.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    for record in (built_before, failing):
        lines = formatter.format(record).split("\n")
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|ERROR) flourish\.x ", lines[0])
        assert len(lines) > 1 and all(line.startswith(CONTINUATION[1:]) for line in lines[1:])
        assert not RAW_CONTROL.search("\n".join(lines))


def test_an_address_from_the_proxy_header_is_escaped_in_the_app_log(app, caplog, frozen_clock):
    """The throttle logs the address slowed for trying many accounts: it comes from X-Forwarded-For."""
    original = app.wsgi_app
    behind_proxies(app, 1)
    try:
        client = app.test_client()
        hostile = f"203.0.113.9\t{FORGED.replace(',', '.')}\x1b[31m\x00"  # (the test client refuses CR and LF)
        with caplog.at_level(logging.INFO):
            for number in range(20):
                client.post_form("/login", {"email": f"nobody{number}@example.org", "password": "wrong one here"},
                                 headers={"X-Forwarded-For": hostile})
    finally:
        app.wsgi_app = original
    (slowed,) = [r.getMessage() for r in caplog.records if "slowed for an address" in r.getMessage()]
    assert "address=203.0.113.9\\t" + FORGED.replace(",", ".") + "\\x1b[31m\\x00 failures=20" in slowed
    assert not RAW_CONTROL.search(slowed) and "\t" not in slowed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _raw_request(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.slow
def test_gunicorn_writes_no_forged_line(app, tmp_path):
    """A real gunicorn with gunicorn.conf.py, its access log naming the user agent and a header too:
    %0A, %0D, %00 and ANSI escapes in the path, and a tab in headers, are written escaped. (And its
    Server header gives no version: ZAP rule 10036.)"""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLOURISH_", "TEST_DATABASE"))}
    env.update(FLOURISH_ENV="development", FLOURISH_INSTANCE_DIR=str(tmp_path), PYTHONPATH=str(ROOT),
               WEB_CONCURRENCY="1", FLOURISH_PROXY_COUNT="1", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    log_format = '%(h)s "%(m)s %(U)s" %(s)s "%(a)s" "%({x-forwarded-for}i)s"'
    with access.open("w") as out, errors.open("w") as err:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b",
                                   f"127.0.0.1:{port}", "--access-logformat", log_format, "webapp:create_app()"],
                                  cwd=ROOT, env=env, stdout=out, stderr=err)
        try:
            for _ in range(150):
                try:
                    requests.get(f"http://127.0.0.1:{port}/offline", timeout=30)
                    break
                except requests.ConnectionError:
                    assert server.poll() is None, errors.read_text()[-2000:]
                    time.sleep(0.2)
            forged_path = "/bookings/bases/x%0A" + FORGED.replace(" ", "%20")
            paths = [forged_path, "/x%0D%0Aforged%0D%0A", "/x%00nul", "/x%1B[31mred%1B[0m", "/x%1B]0;title%07",
                     "/x%E2%80%A8sep%C2%85nel", "/offline"]
            for path in paths:
                answer = _raw_request(port, (
                    f"GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: agent\tcolumn\r\n"
                    f"X-Forwarded-For: 203.0.113.9\t{XFF_FORGED}\r\nConnection: close\r\n\r\n").encode())
                assert answer.startswith(b"HTTP/1.1 "), answer[:100]
                # ZAP 10036: the server names itself without a version
                assert re.search(rb"\r\nServer: gunicorn\r\n", answer), answer[:300]
            # Control characters a header cannot carry are refused by gunicorn before anything is logged.
            refused = _raw_request(port, b"GET /offline HTTP/1.1\r\nHost: localhost\r\nUser-Agent: a\x1b[2Jb\r\n"
                                         b"Connection: close\r\n\r\n")
            assert refused.startswith(b"HTTP/1.1 400")
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = access.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(paths) + 1  # one line a request (and the start-up probe), never more
    for line in lines:
        assert ACCESS_LINE.fullmatch(line), f"a line gunicorn did not write as a record: {line!r}"
        assert not RAW_CONTROL.search(line), repr(line)
    forged_line = next(line for line in lines if "bases/x" in line)
    # behind the proxy, the client's address is the one X-Forwarded-For gave: escaped as well
    assert forged_line == (f'203.0.113.9\\t{XFF_FORGED} "GET /bookings/bases/x\\n{FORGED}" 404 "agent\\tcolumn" '
                           f'"203.0.113.9\\t{XFF_FORGED}"')
    assert any("/x\\r\\nforged\\r\\n" in line for line in lines)
    assert any("/x\\x00nul" in line for line in lines)
    assert any("/x\\x1b[31mred\\x1b[0m" in line for line in lines)
    assert any("/x\\x1b]0;title\\x07" in line for line in lines)
    error_text = errors.read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(error_text)
    for line in error_text.splitlines():
        assert re.match(r"(\[\d{4}-\d\d-\d\d |\d{4}-\d\d-\d\d |    \| )", line), f"not a record: {line!r}"
