"""Watches every log record the suite produces for personal data.

Logs must carry ids, never names, emails, passwords or free text. Tests type emails (any
address), the default password and a hostile marker into forms; none of them may reach a log.
"""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Strings tests type into free-text fields and passwords: seeing one in a log means it leaked.
TYPED_BY_TESTS = ("correct horse battery staple", "<script>alert('flourish')</script>")


class PersonalDataWatch(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is not ours to judge here
            return
        if EMAIL.search(message) or any(typed in message for typed in TYPED_BY_TESTS):
            self.leaks.append(f"{record.name}: {message[:200]}")


def install() -> PersonalDataWatch:
    """Log as the app does (INFO and up, see webapp._configure_logging), through the watch."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    watch = PersonalDataWatch()
    logging.getLogger().addHandler(watch)
    return watch
