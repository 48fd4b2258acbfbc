"""Every shipped language is complete: each string the code and templates use is translated,
nothing is fuzzy, placeholders survive, and each catalogue compiles."""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = ("pl", "pt", "lt")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2)}


@lru_cache(maxsize=1)
def used_messages() -> frozenset[str]:
    """What `pybabel extract` would collect right now, using our babel.cfg."""
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(m for m in found if m)


def catalogue(locale: str):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_used_string_is_translated(locale):
    cat = catalogue(locale)
    missing = []
    for msgid in sorted(used_messages()):
        message = cat.get(msgid)
        text = message.string if message else None
        if isinstance(text, tuple):
            text = text[0] if all(text) else ""
        if not text or (message and message.fuzzy):
            missing.append(msgid)
    assert not missing, f"{len(missing)} strings untranslated or fuzzy in {locale}, e.g. {missing[:5]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_survive_translation(locale):
    broken = []
    for message in catalogue(locale):
        if not message.id or not message.string:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
            broken.append(source)
    assert not broken, f"placeholders changed in {locale}: {broken[:5]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalogue_compiles(locale):
    cat = catalogue(locale)
    assert not list(cat.check()), f"{locale} has catalogue errors"
    write_mo(io.BytesIO(), cat)


def test_pages_render_in_each_language(client):
    for locale, phrase in (("pl", 'lang="pl"'), ("pt", 'lang="pt"'), ("lt", 'lang="lt"')):
        page = client.get("/help-now", headers={"Accept-Language": locale}).get_data(as_text=True)
        assert phrase in page
        english = catalogue(locale).get("Get help now")
        assert english and english.string and english.string in page
