"""Nothing personal or sensitive in a URL (#21 item 2).

Every page each demo account can reach is crawled through the test client (the shared crawl,
tests/helpers/client_crawl.py, as the accessibility crawl does in Chromium). On each, every form
that sends by GET and every link or form action with a query string is listed; the test fails if
one could carry a personal or sensitive value: a field or parameter named for one (postcode, date
of birth, an answer, a name, an email, a situation), a value that is personal data the app holds
(an email, a name, a date of birth, a postcode, words of a story), or a situation or risk word. A
URL sits in the browser's history, in server logs and in a shared phone's autocomplete.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from sqlalchemy import select

from tests.helpers.client_crawl import client_crawl
from webapp.extensions import db

MAX_PAGES_PER_ACCOUNT = 80
# Names of fields and parameters that would carry personal or sensitive answers.
SENSITIVE_NAME = re.compile(r"postcode|birth|dob|email|phone|name|answer|situation|risk|topic|story|happening|"
                            r"mood|feeling|address|nhs|note|question|password|reason|words|tags|^age$|district", re.I)
# Words of situations and risk, in any value.
SENSITIVE_WORD = re.compile(r"suicid|self-?harm|unsafe|hurt|abuse|ending[-_ ]life|overdose|eating|"
                            r"being[-_]hurt|low-mood|worr|panic|grief|\bsad\b|lonely|numb|angry|stressed", re.I)
# Fields a person types into: in a GET form, whatever they type ends up in the URL.
TYPED = {"text", "search", "email", "tel", "number", "textarea", "password", "url"}
# Typed fields that name no one: a calendar day to show (the staff day list's date boxes).
NOT_PERSONAL_TYPED = re.compile(r"^date(-day|-month|-year)?$")
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
EMAIL = re.compile(r"[^@\s/?&=]+(@|%40)[^@\s/?&=]+\.[a-z]{2,}", re.I)


class _Collector(HTMLParser):
    """Links, GET forms (with their fields' names and values) and form actions on one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.get_forms: list[dict] = []
        self.actions: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.actions.append(attrs.get("action") or "")
            method = (attrs.get("method") or "get").lower()
            self._form = {"action": attrs.get("action") or "", "fields": []} if method == "get" else None
            if self._form is not None:
                self.get_forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form is not None and attrs.get("name"):
            kind = "textarea" if tag == "textarea" else (attrs.get("type") or ("text" if tag == "input" else tag))
            self._form["fields"].append((attrs["name"], attrs.get("value") or "", kind.lower()))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _personal_values() -> set[str]:
    """Personal data the app holds after the demo seed: what must never appear in a URL."""
    from webapp.accounts.models import User
    from webapp.support.models import SupportRequest

    values: set[str] = set()
    for user in db.session.scalars(select(User)):
        values.add(user.email.lower())
        if user.display_name and len(user.display_name) > 3:
            values.add(user.display_name.lower())
        if user.date_of_birth:
            values.add(user.date_of_birth.isoformat())
    for req in db.session.scalars(select(SupportRequest)):
        values.add(req.young_person_date_of_birth.isoformat())
        for value in (req.answers or {}).values():
            if isinstance(value, str) and len(value) >= 5 and not value.isdigit() and "_" not in value:
                values.add(value.lower())
    return values


def _problems_in(url: str, personal: set[str], where: str) -> list[str]:
    parts = urlsplit(url)
    problems = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        problems.extend(_judge(name, value, personal, f"{where}: link {url}"))
    return problems


def _judge(name: str, value: str, personal: set[str], where: str) -> list[str]:
    found = []
    lowered = value.lower()
    if SENSITIVE_NAME.search(name):
        found.append(f"{where}: parameter {name!r} names personal data")
    if SENSITIVE_WORD.search(value):
        found.append(f"{where}: {name}={value!r} is a sensitive word")
    if UK_POSTCODE.search(value) or EMAIL.search(value):
        found.append(f"{where}: {name}={value!r} looks like a postcode or email")
    if any(item in lowered for item in personal if len(item) >= 5) and lowered not in ("", "1"):
        found.append(f"{where}: {name}={value!r} holds personal data")
    return found


def _crawl(client, role: str, start: list[str], personal: set[str], problems: list[str], label: str) -> int:
    """Every page `role` reaches (from its start pages and `start`) judged; returns how many pages."""
    pages = 0
    for path, response in client_crawl(client, role, also=start, max_pages=MAX_PAGES_PER_ACCOUNT):
        pages += 1
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        collector = _Collector()
        collector.feed(response.get_data(as_text=True))
        where = f"[{label}] {path}"
        for form in collector.get_forms:
            for name, value, kind in form["fields"]:
                problems.extend(_judge(name, value, personal, f"{where}: GET form {form['action']!r}"))
                if kind in TYPED and not NOT_PERSONAL_TYPED.match(name):
                    problems.append(f"{where}: GET form {form['action']!r} has a {kind} field {name!r}: "
                                    "what is typed would sit in the URL")
        for href in [*collector.links, *collector.actions]:
            url = urlsplit(urljoin(f"http://localhost{path}", href))
            if url.netloc not in ("localhost", ""):
                problems.extend(_problems_in(href, personal, where))
                continue
            if url.query:
                problems.extend(_problems_in(href, personal, where))
    return pages


@pytest.fixture
def demo_data(app, frozen_clock):
    from tests.support.helpers import send
    from webapp.demo import seed

    seed()
    db.session.commit()
    return send


def test_no_get_form_or_query_string_carries_personal_or_sensitive_values(app, demo_data, login):
    from webapp.accounts.service import find_by_email
    from webapp.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    anonymous = app.test_client()
    demo_data(anonymous, "parent")  # a request sent this session: its pages are reachable too
    personal = _personal_values()
    assert "nr1 3sr" in personal and any("@" in value for value in personal)
    problems: list[str] = []
    crawled = _crawl(anonymous, "anonymous", ["/request-support/", "/track", "/self-help/", "/bookings/"],
                     personal, problems, "anonymous")
    for email, role, _name in DEMO_ACCOUNTS:
        client = app.test_client()
        login(client, find_by_email(email), DEMO_PASSWORD)
        crawled += _crawl(client, role, ["/settings/", "/staff/", "/request-support/my-requests"], personal,
                          problems, email.split("@")[0])
    assert crawled > 60, crawled
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_audit_catches_a_sensitive_get_form_and_query_string():
    """The rules themselves: a GET form with a situation, and a link with a postcode, are found."""
    personal = {"jamie morgan"}
    assert _judge("situation", "unsafe-at-home", personal, "x")
    assert _judge("tags", "worried", personal, "x") and _judge("age", "14", personal, "x")
    assert _judge("q", "NR1 3SR", personal, "x")
    assert _problems_in("/bookings/?district=x&who=Jamie%20Morgan", personal, "x")
    assert not _problems_in("/request-support/your-story?review=1", personal, "x")
    assert not _judge("page", "2", personal, "x")
