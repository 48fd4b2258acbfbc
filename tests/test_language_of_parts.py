"""Language of parts (WCAG 3.1.2, #21 item 4), in each language other than English.

With Polish, Portuguese or Lithuanian chosen, every page reachable by a young person and by
anyone is read: text staff typed (a note from the front door, a drop-in's purpose, a wait note)
must sit inside an element with lang="en", so a screen reader reads it with English rules; and
every link to another site (all are English-only) says so with hreflang="en".
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.helpers.client_crawl import client_crawl
from webapp.extensions import db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# The shared crawl's SKIP (tests/helpers/crawl.py), and staff pages.
SKIP = re.compile(r"^/(logout|static/|service-worker\.js|manifest\.webmanifest|api/|staff/)|\.(json|csv|ics|png|svg)$")
MAX_PAGES = 70
NOTE = "Ring the bell at the side door; Sam will meet you."


class _LanguageReader(HTMLParser):
    """Each text's language (from the nearest lang attribute), and each outside link's hreflang."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str]] = []
        self.outside_links: list[tuple[str, str | None, str | None]] = []

    def _language(self) -> str:
        return next((lang for _tag, lang in reversed(self.stack) if lang), "")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith(("http://", "https://")) and "data-quick-exit" not in attrs:
            self.outside_links.append((href, attrs.get("hreflang"), attrs.get("lang")))
        if tag not in VOID:
            self.stack.append((tag, attrs.get("lang")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if data.strip():
            self.texts.append((" ".join(data.split()), self._language()))


def _staff_typed() -> set[str]:
    from webapp.bookings.models import DropInSession
    from webapp.directory.models import Service
    from webapp.support.models import RequestStatusEvent

    typed = set(db.session.scalars(select(DropInSession.purpose)))
    typed |= {note for note in db.session.scalars(select(Service.wait_note)) if note}
    typed |= {note for note in db.session.scalars(select(RequestStatusEvent.note_for_requester)) if note}
    return {" ".join(text.split()) for text in typed if len(text) > 6}


def _read_pages(client, role: str, start: list[str], language: str, typed: set[str],
                problems: list[str]) -> set[str]:
    """The pages `role` reaches (the shared crawl, tests/helpers/client_crawl.py, from its start
    pages and `start`), each read for its parts' languages; returns the staff-typed texts seen."""
    seen_typed: set[str] = set()
    for path, response in client_crawl(client, role, also=start, max_pages=MAX_PAGES, skip=SKIP):
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        reader = _LanguageReader()
        reader.feed(response.get_data(as_text=True))
        assert f'<html lang="{language}"' in response.get_data(as_text=True), path
        for href, hreflang, lang in reader.outside_links:
            if hreflang != "en" and lang != "en":
                problems.append(f"[{language}] {path}: link to {href} has no hreflang=\"en\"")
        for text, lang in reader.texts:
            for staff_text in typed:
                if staff_text in text:
                    seen_typed.add(staff_text)
                    if lang != "en":
                        problems.append(f"[{language}] {path}: staff-typed {staff_text!r} read as {lang!r}")
    return seen_typed


@pytest.mark.parametrize("language", ["pl", "pt", "lt"])
def test_english_parts_carry_their_language(app, make_user, login, frozen_clock, language):
    from tests.support.helpers import send
    from webapp.demo import seed
    from webapp.support.models import SupportRequest
    from webapp.support.service import by_reference

    seed()
    user = make_user(role="young_person", date_of_birth=date(2010, 3, 27))
    young = app.test_client()
    login(young, user)
    reference, _draft = send(young, "young_person", {"young-person": {"date_of_birth": "2010-03-27"}})
    req = by_reference(reference)
    from webapp.support.models import RequestStatusEvent

    db.session.add(RequestStatusEvent(request_id=req.id, status="triaged", note_for_requester=NOTE,
                                      occurred_at=frozen_clock.now(), actor="user:1"))
    db.session.commit()
    assert db.session.scalar(select(SupportRequest.id).where(SupportRequest.id == req.id))
    typed = _staff_typed()
    assert NOTE in typed

    problems: list[str] = []
    seen: set[str] = set()
    anonymous = app.test_client()
    for role, client in (("anonymous", anonymous), ("young_person", young)):
        client.post_form("/language", {"locale": language, "next": "/"})
        seen |= _read_pages(client, role, ["/", "/help-now", "/self-help/", "/bookings/", "/waits", "/privacy",
                                           f"/request-support/my-requests/{reference}"], language, typed, problems)
    assert NOTE in seen, "the front door's note was not reached"
    assert len(seen) >= 2, seen
    assert not problems, "\n".join(sorted(set(problems)))
