"""The data files' words reach people in their language, as rendered: the crisis lines on /help-now,
services on the self-help directory and /waits, and a base's directions, access and hours. (Last
round every catalogue count said complete while /help-now was half English in Polish: the data files
were never extracted. A count cannot catch that; a page can.)"""

from __future__ import annotations

import html
import re

import pytest
import yaml

from webapp.data import DATA_DIR, TRANSLATABLE_KEYS
from webapp.i18n import LOCALE_COOKIE

BASES = DATA_DIR.parent / "bookings" / "data" / "bases.yaml"
# Names of organisations, phone numbers and the like read the same in every language.
SAME_IN_EVERY_LANGUAGE = re.compile(r"^[\d\s+()]+$|^Text SHOUT to 85258$")


def _sentences(path, keys=TRANSLATABLE_KEYS - {"name", "display"}) -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in keys and isinstance(value, str):
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return {text for text in found if len(text.split()) >= 3 and not SAME_IN_EVERY_LANGUAGE.match(text)}


def _page(client, path: str, language: str) -> str:
    client.set_cookie(LOCALE_COOKIE, language)
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("language", ["pl", "pt", "lt"])
def test_help_now_shows_every_crisis_line_in_the_persons_language(app, client, language):
    english = _sentences(DATA_DIR / "crisis_lines.yaml")
    page = _page(client, "/help-now", language)
    assert english and _page(app.test_client(), "/help-now", "en").count("24 hours a day") >= 1
    left_in_english = sorted(text for text in english if text in page)
    assert not left_in_english, left_in_english


@pytest.mark.parametrize("language", ["pl", "pt", "lt"])
def test_services_and_bases_are_shown_in_the_persons_language(app, client, language):
    from webapp.bookings.places import load_bases
    from webapp.directory.service import sync_services_from_data
    from webapp.extensions import db

    sync_services_from_data()
    load_bases()
    db.session.commit()
    services = _sentences(DATA_DIR / "services.yaml")
    for path in ("/self-help/services", "/waits"):
        page = _page(client, path, language)
        assert not sorted(text for text in services if text in page), path
    bases = _sentences(BASES)
    page = _page(client, "/bookings/bases/norwich-one-stop-shop", language)
    assert not sorted(text for text in bases if text in page)
