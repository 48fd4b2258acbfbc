"""The topic files: every one parses, is safe, and falls back to English when missing."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.selfhelp import content
from webapp.selfhelp.tools import TOOLS_BY_SLUG

LANGUAGES = ("en", "pl", "pt", "lt")


@pytest.mark.parametrize("slug", content.TOPIC_SLUGS)
def test_every_english_topic_is_complete(slug):
    topic = content.topic(slug, "en")
    assert topic is not None and not topic.fallback
    assert topic.title and topic.summary and isinstance(topic.reviewed, date)
    assert topic.sources, "every topic names its sources"
    assert all(s.url.startswith("https://") for s in topic.sources)
    assert all(tool in TOOLS_BY_SLUG for tool in topic.related_tools)
    assert "<h2>" in topic.html
    assert "Where to get help" in topic.html
    assert any(place in topic.html for place in ('href="tel:', 'href="/request-support/"', "justonenorfolk"))


def test_slugs_other_packages_link_to_are_there():
    assert set(content.TOPIC_SLUGS) == {
        "worry", "low-mood", "sleep", "stress-exams", "self-harm", "anger", "friendships-bullying",
        "loss-grief", "eating-body", "unsafe-at-home", "parents-carers", "child-worry", "child-sleep", "child-anger",
        "school-refusal"}


def test_the_request_forms_topics_are_the_self_help_topics_in_the_forms_own_words_and_order(app):
    """One list: "What is it about?" on the request form offers every young people's self-help topic (and
    only those), in the order and the words (the same msgids, so every translation holds) it always has."""
    from webapp.support.forms import TOPICS, StoryForm

    assert [(slug, str(words)) for slug, words in TOPICS] == [
        ("worry", "Worry, panic or feeling anxious"), ("low-mood", "Feeling low, sad or empty"),
        ("stress-exams", "Stress, school, college or exams"),
        ("friendships-bullying", "Friendships, relationships or bullying"), ("anger", "Anger that feels too big"),
        ("sleep", "Not sleeping well"), ("loss-grief", "Someone has died, or another big loss"),
        ("eating-body", "Worries about eating, food or the body"), ("self-harm", "Self-harm, or urges to self-harm"),
        ("unsafe-at-home", "Not feeling safe at home")]
    assert {slug for slug, _words in TOPICS} == set(content.TOPIC_SLUGS) - content.FOR_PARENTS
    assert StoryForm.topics.kwargs["choices"] == list(TOPICS)
    assert [(key, tuple(slugs)) for key, _label, slugs in content.TOPIC_GROUPS] == [
        ("feelings", ("worry", "low-mood", "anger")),
        ("life", ("stress-exams", "friendships-bullying", "loss-grief", "unsafe-at-home")),
        ("body", ("sleep", "eating-body")), ("urges", ("self-harm",)),
        ("carers", ("parents-carers", "child-worry", "child-sleep", "child-anger", "school-refusal"))]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_topic_exists_in_every_language_or_falls_back(lang):
    for slug in content.TOPIC_SLUGS:
        topic = content.topic(slug, lang)
        assert topic is not None
        assert topic.fallback == (topic.lang != lang)
        if topic.fallback:
            assert topic.lang == "en"


@pytest.mark.parametrize("lang", ("pl", "pt", "lt"))
def test_translated_files_keep_the_english_structure(lang):
    for path in (content.CONTENT_DIR / lang).glob("*.md"):
        if path.name == "README.md":
            continue
        slug = path.stem
        assert slug in content.TOPIC_SLUGS, f"{lang}/{path.name} is not a known topic"
        translated, english = content.topic(slug, lang), content.topic(slug, "en")
        assert translated.related_tools == english.related_tools
        assert [s.url for s in translated.sources] == [s.url for s in english.sources]


def test_unknown_topic_is_none():
    assert content.topic("nonsense", "en") is None
    assert content.topic("../../etc/passwd", "en") is None


def test_raw_html_and_script_links_are_not_rendered():
    raw = ("---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\nsources: []\n---\n"
           "<script>alert(1)</script>\n\n[click](javascript:alert(1)) [web](https://example.org) [call](tel:999)\n")
    topic = content.parse_topic("worry", "en", raw)
    assert "<script>" not in topic.html
    assert "&lt;script&gt;" in topic.html
    assert 'href="javascript' not in topic.html
    assert 'href="https://example.org" rel="noopener noreferrer"' in topic.html
    assert 'href="tel:999"' in topic.html


def test_malformed_front_matter_is_refused():
    with pytest.raises(content.ContentError):
        content.parse_topic("worry", "en", "no front matter")
    with pytest.raises(content.ContentError):
        content.parse_topic("worry", "en", "---\ntitle: T\n---\nbody")
