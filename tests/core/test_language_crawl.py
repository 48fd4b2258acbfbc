"""Every word a person reads is in their language: every page each role can reach, the offline pack,
error pages, push texts, calendar files and CSV headings, rendered in Polish, Portuguese and
Lithuanian and compared with the same thing in English. Any visible text of three or more words
that reads exactly as in English fails, listed by page, language and text so a translator can act.

Skipped: <script>/<style>, hidden inputs, text marked `lang="en"` (what staff or people typed, see
`staff_text`), and the few proper names in ALLOWED. (Last round /help-now in Polish had 19 lines in
English while every catalogue count said complete: only a rendered page shows it.)
"""

from __future__ import annotations

import json
import re

import pytest

from tests.core.helpers import client_for, read_page
from tests.helpers.client_crawl import client_crawl
from tests.helpers.crawl import fold_ids
from webapp.i18n import LOCALE_COOKIE

pytestmark = pytest.mark.database_independent

LANGUAGES = ("pl", "pt", "lt")
ROLES = ("anonymous", "young_person", "parent", "professional", "base_staff", "clinician", "admin")
# The shared crawl's SKIP but for calendar files and CSVs: their texts are compared too.
SKIP_PATH = re.compile(r"^/(logout|static/|service-worker\.js|manifest\.webmanifest|api/)|\.(json|png|svg)$")
MAX_PAGES_PER_ROLE = 150  # never reached: the test fails if a role's crawl is cut short by it
# Start pages beyond the role's own (tests/helpers/crawl.py `start_pages`).
ANONYMOUS_START = ["/help-now", "/self-help/", "/bookings/", "/waits", "/login", "/register", "/privacy",
                   "/support/", "/offline"]
# Proper names that read the same in every language (reviewed: keep it short). Taken out of a text
# before its words are counted, so "NHS Every Mind Matters: stress" counts one word.
ALLOWED = ("Papyrus HOPELINE247", "NHS 111", "Shout", "Childline", "Samaritans", "Kooth", "Norfolk and Waveney",
           "Just One Norfolk", "Just One Number", "NHS Every Mind Matters", "Hope Again", "Cruse Bereavement Support",
           "Beat", "YoungMinds", "Flourish", "One Stop Shop", "The Sleep Charity")
# A word: letters (an apostrophe or hyphen inside), maybe with punctuation round it; not a code
# (FL-ABCD-1234), an address (name@example.org) or a web address (childline.org.uk).
WORD = re.compile(r"[(\"'“‘]*[^\W\d_]+(?:['’-][^\W\d_]+)*[)\"'”’.,:;!?]*")


def word_count(text: str) -> int:
    return sum(1 for token in text.split() if WORD.fullmatch(token))


def names_pattern(names: tuple[str, ...]) -> re.Pattern:
    """Any of `names` as whole words, longest first (so a longer one is taken before one inside it)."""
    ordered = sorted(set(names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in ordered) + r")(?!\w)")


ALLOWED_NAMES = names_pattern(ALLOWED)


def left_in_english(english: list[str], translated: list[str], typed: re.Pattern | None = None) -> list[str]:
    """Texts of three or more words that read exactly as in English, once proper names and what
    people typed are taken out."""
    english_texts = set(english)

    def words_left(text: str) -> int:
        text = ALLOWED_NAMES.sub(" ", typed.sub(" ", text) if typed else text)
        return word_count(text)

    return sorted({text for text in translated if text in english_texts and words_left(text) >= 3})


# Tables whose text comes from the data files and is shown through the catalogues: never "typed".
FROM_DATA_FILES = {"services", "directory_services"}
TRANSLATED_COLUMNS = {"getting_there", "accessibility", "opening_hours", "how_to_get", "description", "summary"}


def typed_by_people() -> tuple[str, ...]:
    """Every text people or staff typed (or the demo seeded as if typed): names, notes, goals,
    answers, a base's name. Shown as typed in every language."""
    from sqlalchemy import select

    from webapp.extensions import db

    found: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, str):
            if value.strip():
                found.add(" ".join(value.split()))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    for table in db.metadata.sorted_tables:
        if table.name in FROM_DATA_FILES:
            continue
        columns = [c for c in table.columns if c.name not in TRANSLATED_COLUMNS]
        for row in db.session.execute(select(*columns)):
            collect(list(row))
    return tuple(text for text in found if word_count(text) >= 1)


class Findings:
    """What is left in English, by where and in which language, for the failure message."""

    def __init__(self, typed: tuple[str, ...] = ()) -> None:
        self.items: dict[tuple[str, str], set[str]] = {}
        self.checked: set[str] = set()
        self.typed = names_pattern(typed) if typed else None

    def compare(self, where: str, language: str, english: list[str], translated: list[str]) -> None:
        self.checked.add(where)
        for text in left_in_english(english, translated, self.typed):
            self.items.setdefault((where, language), set()).add(text)

    def report(self) -> str:
        """One line per text: the languages it is untranslated in and the first pages it is on."""
        by_text: dict[str, tuple[set[str], list[str]]] = {}
        for (where, language), texts in sorted(self.items.items()):
            for text in texts:
                languages, pages = by_text.setdefault(text, (set(), []))
                languages.add(language)
                if where not in pages:
                    pages.append(where)
        lines = [f"{len(by_text)} texts read the same as in English (text | languages | where):"]
        for text, (languages, pages) in sorted(by_text.items()):
            more = f" (+{len(pages) - 3} more)" if len(pages) > 3 else ""
            lines.append(f"  {text!r} | {', '.join(sorted(languages))} | {'; '.join(pages[:3])}{more}")
        return "\n".join(lines)


def file_texts(response) -> list[str]:
    """What a person reads in a download: a calendar file's title, description and alarm, a CSV's headings."""
    body = response.get_data(as_text=True)
    if response.mimetype == "text/calendar":
        unfolded = re.sub(r"\r?\n[ \t]", "", body)
        texts = []
        for line in unfolded.splitlines():
            name, _colon, value = line.partition(":")
            if name.split(";")[0] in ("SUMMARY", "DESCRIPTION"):
                texts.extend(part.replace("\\,", ",").replace("\\;", ";")
                             for part in value.replace("\\N", "\\n").split("\\n"))
        return [" ".join(text.split()) for text in texts if text.strip()]
    if response.mimetype == "text/csv":
        import csv
        import io

        return next(csv.reader(io.StringIO(body)), [])
    return []


def _in_language(client, path: str, language: str):
    client.set_cookie(LOCALE_COOKIE, language)
    return client.get(path)


def page_key(url: str) -> str:
    """Pages that differ only by an id, a date or a base are one page for this purpose (not the
    shared `pattern`, which makes every service's edit page one: here each is read, as before)."""
    path = re.sub(r"\d{4}-\d{2}-\d{2}", "D", url.split("?")[0])
    return fold_ids(re.sub(r"^(/staff)?/bookings/bases/[^/]+", r"\1/bookings/bases/B", path))


def crawl_role(app, login, role: str, findings: Findings, files: list[str], compared: set[str]) -> int:
    """The shared crawl (tests/helpers/client_crawl.py), each page in English, then in each language.
    A page another role's crawl compared already is only read for its links (that keeps it quick).
    Returns how many pages the role reached."""
    client = client_for(app, login, role)
    also = ANONYMOUS_START if role == "anonymous" else ["/settings/"]
    reached = 0
    for path, english in client_crawl(client, role, also=also, max_pages=MAX_PAGES_PER_ROLE, skip=SKIP_PATH,
                                      key=page_key, fetch=lambda url: _in_language(client, url, "en")):
        reached += 1
        if english.status_code != 200:
            continue
        if english.mimetype != "text/html":
            files.append(english.mimetype)
            for language in LANGUAGES:
                findings.compare(f"{role} {path}", language, file_texts(english),
                                 file_texts(_in_language(client, path, language)))
            continue
        page = read_page(english.get_data(as_text=True))
        key = page_key(path)
        if key in compared and key != "/":
            continue
        compared.add(key)
        for language in LANGUAGES:
            translated = _in_language(client, path, language)
            findings.compare(f"{role} {path}", language, page.texts,
                             read_page(translated.get_data(as_text=True)).texts)
    return reached


@pytest.fixture
def demo(app):
    from webapp.demo import seed, seed_accounts

    seed_accounts()
    seed()


def test_every_page_every_role_can_reach_is_in_each_language(app, demo, login):
    findings, files, compared = Findings(typed_by_people()), [], set()
    reached = {role: crawl_role(app, login, role, findings, files, compared) for role in ROLES}
    assert max(reached.values()) < MAX_PAGES_PER_ROLE, f"a crawl was cut short by its page budget: {reached}"
    assert len(findings.checked) > 40, f"the crawl reached too few pages: {sorted(findings.checked)}"
    assert {"text/calendar", "text/csv"} <= set(files), f"no calendar file or CSV reached: {files}"
    assert not findings.items, findings.report()


def test_the_offline_pack_is_in_each_language(app):
    findings = Findings()
    client = app.test_client()
    english = json.loads(client.get("/offline-pack.json?lang=en").get_data())["pages"]
    for language in LANGUAGES:
        pack = json.loads(client.get(f"/offline-pack.json?lang={language}").get_data())["pages"]
        for key, body in english.items():
            path = key.split("?")[0]
            translated = pack[key.replace("lang=en", f"lang={language}")]
            findings.compare(f"offline pack {path}", language, read_page(body).texts, read_page(translated).texts)
    assert len(findings.checked) >= 3
    assert not findings.items, findings.report()


ERROR_PAGES = {
    "404": ("anonymous", "/no-such-page-here"),
    "403": ("young_person", "/staff/"),
}


@pytest.mark.parametrize("status", sorted(ERROR_PAGES))
def test_error_pages_are_in_each_language(app, demo, login, status):
    role, path = ERROR_PAGES[status]
    client = client_for(app, login, role)
    findings = Findings()
    english = _in_language(client, path, "en")
    assert english.status_code == int(status)
    for language in LANGUAGES:
        translated = _in_language(client, path, language)
        findings.compare(f"error {status}", language, read_page(english.get_data(as_text=True)).texts,
                         read_page(translated.get_data(as_text=True)).texts)
    assert not findings.items, findings.report()


@pytest.mark.parametrize(("template", "status"), [("errors/500.html", 500), ("errors/500.html", 503),
                                                  ("errors/429.html", 429), ("errors/400.html", 400),
                                                  ("errors/csrf.html", 400)])
def test_server_error_pages_are_in_each_language(app, template, status):
    """The 500 and 503 pages as their handlers render them (a fault and an outage cannot be asked for)."""
    from flask import g, render_template

    def render(language: str) -> list[str]:
        with app.app_context(), app.test_request_context("/"):
            g.locale_override = language
            return read_page(render_template(template, status=status)).texts

    findings = Findings()
    for language in LANGUAGES:
        findings.compare(f"{template} ({status})", language, render("en"), render(language))
    assert not findings.items, findings.report()


def test_push_texts_are_in_each_language(app, make_user):
    """Every kind of notification as the sender would build it, detailed and discreet."""
    from webapp.notifications import payload
    from webapp.notifications.models import NotificationPreferences, ScheduledNotification

    findings = Findings()
    params = {"starts_at": "2026-12-06T14:30:00+00:00", "base": "Norwich One Stop Shop", "until": "14:30",
              "reference": "FL-ABC-123", "count": 2, "status": "received"}
    rows = _notification_texts()
    assert rows, "no notification texts found"
    for kind, title, body in rows:
        row = ScheduledNotification(kind=kind, title=title, body=body, params=params, url="/", user_id=1)
        for discreet in (False, True):
            prefs = NotificationPreferences(discreet=discreet)
            english = payload.build_payload(row, prefs, "en")
            for language in LANGUAGES:
                translated = payload.build_payload(row, prefs, language)
                texts = [english["title"], english["body"], *(a["title"] for a in english.get("actions", []))]
                theirs = [translated["title"], translated["body"],
                          *(a["title"] for a in translated.get("actions", []))]
                findings.compare(f"push {kind} discreet={discreet}", language, texts, theirs)
    for language, text in payload.discreet_text_in_every_language().items():
        if language != "en":
            findings.compare("push fallback (service worker)", language,
                             [payload.discreet_text_in_every_language()["en"]], [text])
    assert not findings.items, findings.report()


def _notification_texts() -> list[tuple[str, str, str]]:
    """(kind, title, body) of every notification the app schedules, read from the code that schedules it."""
    import ast
    from pathlib import Path

    found = []
    for path in Path("webapp").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            if {"title", "body"} <= set(keywords) and ("kind" in keywords or len(node.args) >= 2):
                title, body = _text_of(keywords["title"]), _text_of(keywords["body"])
                if title and body:
                    kind = _text_of(keywords.get("kind")) or "reminder"
                    found.append((kind, title, body))
    return found


def _text_of(node) -> str | None:
    import ast

    if isinstance(node, ast.Call) and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def test_email_text_and_letter_texts_are_in_each_language(app):
    """Every text, email and letter the app sends, as it renders them for sending."""
    from webapp.messaging import templates

    findings = Findings()
    sample = {"code": "123456", "link": "https://flourish.example/x", "when": "14:30", "reference": "FL-ABCD-1234"}
    for name, chosen in templates.TEMPLATES.items():
        values = {field: sample.get(field, "x") for field in chosen.fields}
        for channel in ("sms", "email"):
            english = templates.render(name, channel, "en", values)
            for language in LANGUAGES:
                theirs = templates.render(name, channel, language, values)
                findings.compare(f"{channel} {name}", language, [english.subject, *english.body.split("\n")],
                                 [theirs.subject, *theirs.body.split("\n")])
    assert len(findings.checked) >= len(templates.TEMPLATES)
    assert not findings.items, findings.report()
