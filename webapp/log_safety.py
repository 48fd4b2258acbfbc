"""Log lines nobody can forge (OWASP ASVS 5.0 16.4.1; CWE-117).

A request's path, headers or form values may hold a line feed, a carriage return, NUL or a
terminal escape: logged as they are, `GET /x%0A2026-06-15 ... INFO flourish.audit audit
action=account.deleted` would write a second, made-up line. So:

- every value handed to a log call (`log.info("... %s", value)`) has its control characters
  escaped (`\\n`, `\\x1b`, `\\u2028` ...) and its backslashes doubled, by a log record factory that
  runs for every logger in the process (`escape_logged_values`);
- the app's log handler (`EscapingFormatter`) escapes whatever else a record holds and indents
  every line after its first (a traceback), so a line at the start of the log is always a record;
- gunicorn's access and error logs do the same (`GunicornLogger`, named in gunicorn.conf.py): the
  path, user agent and every header it can log are escaped before they are written.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from gunicorn import glogging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
CONTINUATION = "\n    | "
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}  # controls, invisible formatting, line and paragraph separators


def _escape_char(char: str) -> str:
    code = ord(char)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_control(text: str, keep_newlines: bool = False, double_backslashes: bool = True) -> str:
    """`text` with every control, invisible-formatting and line-separator character escaped (and
    backslashes doubled, so an escape typed by someone reads apart from one made here): one value
    can never make two log lines or move the cursor."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for char in text:
        if char == "\\" and double_backslashes:
            out.append("\\\\")
        elif char == "\n" and keep_newlines:
            out.append(char)
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES:
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape_control(value)
    if isinstance(value, bytes | bytearray):
        return escape_control(bytes(value).decode("utf-8", "backslashreplace"))
    return value


_factory_installed = False


def escape_logged_values() -> None:
    """From now on, in this process, every string handed to a log call as an argument is escaped.
    (A mapping argument of another type, such as gunicorn's access atoms, is left to its logger.)"""
    global _factory_installed
    if _factory_installed:
        return
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if isinstance(record.args, tuple):
            record.args = tuple(_escaped(value) for value in record.args)
        elif type(record.args) is dict:
            record.args = {key: _escaped(value) for key, value in record.args.items()}
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


class EscapingFormatter(logging.Formatter):
    """Escapes what is left (a message built before it was logged, an exception's text) and indents
    every line after a record's first, so nothing inside a record can pass for another record."""

    def format(self, record: logging.LogRecord) -> str:
        text = escape_control(super().format(record), keep_newlines=True, double_backslashes=False)
        return text.replace("\n", CONTINUATION)


# Paths that carry a secret from an email (a link to finish signing up or reset a password): the
# access log shows them without it.
SECRET_IN_PATH = re.compile(r"(/register/finish/|/password-reset/link/)[^/?\s]+")


def without_secrets(path: Any) -> Any:
    return SECRET_IN_PATH.sub(r"\1(hidden)", path) if isinstance(path, str) else path


class EscapedAtoms(glogging.SafeAtoms):
    """gunicorn's access-log values (path, user agent, headers ...) with control characters escaped,
    and no emailed link's token in the path or request line."""

    def __init__(self, atoms: dict[str, Any]):
        super().__init__({key: _escaped(without_secrets(value) if key in ("U", "r") else value)
                          for key, value in atoms.items()})


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, writing the access and error logs through the escaping above."""

    atoms_wrapper_class = EscapedAtoms

    def setup(self, cfg) -> None:
        super().setup(cfg)
        escape_logged_values()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                current = handler.formatter
                handler.setFormatter(EscapingFormatter(current._fmt if current else None,
                                                       current.datefmt if current else None))
