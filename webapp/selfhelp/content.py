"""Self-help topics: Markdown files with YAML front matter, one per topic per language.

`content/<lang>/<slug>.md` starts with a front matter block between `---` lines (title,
summary, sources, reviewed, related_tools). The body is Markdown, rendered with raw HTML
turned off, so nothing in a content file can inject markup or scripts. A topic missing in a
language falls back to English and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt

CONTENT_DIR = Path(__file__).resolve().parent / "content"
DEFAULT_LANGUAGE = "en"

# Grouped by what is going on for the person, never by diagnosis.
GROUPS: tuple[tuple[str, object], ...] = (
    ("feelings", _l("When feelings get big")),
    ("life", _l("When life is hard")),
    ("body", _l("Sleep, eating and your body")),
    ("urges", _l("When you want to hurt yourself")),
    ("carers", _l("For parents and carers")),
)
# The one list of topics (other packages link to these slugs): each topic's group and, for a topic a
# request for support can be about, the words its form uses ("What is it about?", in this order;
# webapp.support.forms.TOPICS is REQUEST_TOPICS below).
TOPICS: tuple[tuple[str, str, object | None], ...] = (
    ("worry", "feelings", _l("Worry, panic or feeling anxious")),
    ("low-mood", "feelings", _l("Feeling low, sad or empty")),
    ("stress-exams", "life", _l("Stress, school, college or exams")),
    ("friendships-bullying", "life", _l("Friendships, relationships or bullying")),
    ("anger", "feelings", _l("Anger that feels too big")),
    ("sleep", "body", _l("Not sleeping well")),
    ("loss-grief", "life", _l("Someone has died, or another big loss")),
    ("eating-body", "body", _l("Worries about eating, food or the body")),
    ("self-harm", "urges", _l("Self-harm, or urges to self-harm")),
    ("unsafe-at-home", "life", _l("Not feeling safe at home")),
    ("parents-carers", "carers", None),
    ("child-worry", "carers", None),
    ("child-sleep", "carers", None),
    ("child-anger", "carers", None),
    ("school-refusal", "carers", None),
)
TOPIC_GROUPS: tuple[tuple[str, object, tuple[str, ...]], ...] = tuple(
    (key, label, tuple(slug for slug, group, _asked_as in TOPICS if group == key)) for key, label in GROUPS)
TOPIC_SLUGS: tuple[str, ...] = tuple(slug for _key, _label, slugs in TOPIC_GROUPS for slug in slugs)
# What a request for support can say it is about: (slug, the form's words), in the form's order.
REQUEST_TOPICS: tuple[tuple[str, object], ...] = tuple(
    (slug, asked_as) for slug, _group, asked_as in TOPICS if asked_as is not None)
# Written for parents and carers (plain English for adults); every other topic is written for young
# people themselves, at a reading age of about 9 (tests/selfhelp/test_readability.py).
FOR_PARENTS: frozenset[str] = frozenset(next(slugs for key, _label, slugs in TOPIC_GROUPS if key == "carers"))


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Topic:
    slug: str
    lang: str  # the language the text is in (English when falling back)
    title: str
    summary: str
    html: str
    reviewed: date
    sources: tuple[Source, ...] = ()
    related_tools: tuple[str, ...] = ()
    fallback: bool = field(default=False)

    @property
    def for_parents(self) -> bool:
        return self.slug in FOR_PARENTS


class ContentError(ValueError):
    """A content file is malformed (checked by the tests for every file shipped)."""


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    default_link_open = md.renderer.rules.get("link_open")

    def link_open(tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        if urlsplit(href).scheme in ("http", "https"):
            token.attrSet("rel", "noopener noreferrer")
            token.attrSet("hreflang", "en")  # every site linked to is in English only (WCAG 3.1.2, #21)
        if default_link_open:
            return default_link_open(tokens, idx, options, env)
        return md.renderer.renderToken(tokens, idx, options, env)

    md.renderer.rules["link_open"] = link_open
    # Only web, phone, text and email links (markdown-it already refuses javascript:, data: and vbscript:).
    md.validateLink = lambda url: urlsplit(url.strip()).scheme in ("", "http", "https", "tel", "sms", "mailto")
    return md


MARKDOWN = _markdown()


def render_markdown(text: str) -> str:
    return MARKDOWN.render(text)


def split_front_matter(raw: str) -> tuple[dict, str]:
    if not raw.startswith("---\n"):
        raise ContentError("content file must start with a front matter block")
    head, sep, body = raw[4:].partition("\n---\n")
    if not sep:
        raise ContentError("front matter block is not closed")
    meta = yaml.safe_load(head) or {}
    if not isinstance(meta, dict):
        raise ContentError("front matter must be a mapping")
    return meta, body


def parse_topic(slug: str, lang: str, raw: str) -> Topic:
    meta, body = split_front_matter(raw)
    missing = {"title", "summary", "sources", "reviewed"} - meta.keys()
    if missing:
        raise ContentError(f"{lang}/{slug}: missing {', '.join(sorted(missing))}")
    reviewed = meta["reviewed"]
    if not isinstance(reviewed, date):
        raise ContentError(f"{lang}/{slug}: reviewed must be a date (YYYY-MM-DD)")
    sources = tuple(Source(title=str(s["title"]), url=str(s["url"])) for s in meta["sources"] or ())
    return Topic(slug=slug, lang=lang, title=str(meta["title"]), summary=str(meta["summary"]).strip(),
                 html=render_markdown(body), reviewed=reviewed, sources=sources,
                 related_tools=tuple(meta.get("related_tools") or ()))


@lru_cache(maxsize=256)
def _load(slug: str, lang: str) -> Topic | None:
    path = CONTENT_DIR / lang / f"{slug}.md"
    if not path.is_file():
        return None
    return parse_topic(slug, lang, path.read_text(encoding="utf-8"))


def topic(slug: str, lang: str) -> Topic | None:
    """The topic in `lang`, else in English marked as a fallback; None for an unknown slug."""
    if slug not in TOPIC_SLUGS:
        return None
    found = _load(slug, lang)
    if found is not None:
        return found
    english = _load(slug, DEFAULT_LANGUAGE)
    if english is None:
        return None
    return Topic(**{**english.__dict__, "fallback": lang != DEFAULT_LANGUAGE})


def grouped_topics(lang: str) -> list[tuple[str, object, list[Topic]]]:
    return [(key, label, [t for s in slugs if (t := topic(s, lang))]) for key, label, slugs in TOPIC_GROUPS]
