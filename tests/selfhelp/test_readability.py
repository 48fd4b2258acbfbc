"""Self-help pages read easily: the young people's at a reading age of about 9, the parents' in
plain English. Scored on the page as served (rendered Markdown, in English), with `textstat`.

Flesch-Kincaid grade is a US school grade; a reading age is roughly the grade plus 5, so grade 4.5
is a reading age of about 9 to 10. Headings count as sentences of their own; everything else is
scored as written, so a long run-on list reads as the one long sentence it is.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import textstat

from webapp.selfhelp import content

YOUNG_PEOPLES = [slug for slug in content.TOPIC_SLUGS if slug not in content.FOR_PARENTS]
PARENTS = sorted(content.FOR_PARENTS)
YOUNG_MOST_GRADE, YOUNG_LEAST_EASE = 4.5, 80
PARENT_MOST_GRADE, PARENT_LEAST_EASE = 6, 70


class _ArticleText(HTMLParser):
    """The words of the page's `<article class="topic">`, each heading closed with a full stop."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "article"
        elif tag == "article" and ("class", "topic") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "article":
            self.depth -= 1
        elif tag in ("h1", "h2", "h3") and self.parts and not self.parts[-1].rstrip().endswith((".", "?", "!")):
            self.parts.append(".")
        self.parts.append(" ")

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def page_text(client, slug: str) -> str:
    response = client.get(f"/self-help/topics/{slug}?lang=en")
    assert response.status_code == 200
    parser = _ArticleText()
    parser.feed(response.get_data(as_text=True))
    text = " ".join("".join(parser.parts).split())
    assert len(text.split()) > 150, "the article was not found on the page"
    return text


@pytest.fixture(scope="module", autouse=True)
def english_scores():
    textstat.set_lang("en_GB")


@pytest.mark.parametrize("slug", YOUNG_PEOPLES)
def test_young_peoples_pages_have_a_reading_age_of_about_nine(client, slug):
    text = page_text(client, slug)
    assert textstat.flesch_kincaid_grade(text) <= YOUNG_MOST_GRADE
    assert textstat.flesch_reading_ease(text) >= YOUNG_LEAST_EASE


@pytest.mark.parametrize("slug", PARENTS)
def test_parents_pages_are_in_plain_english(client, slug):
    text = page_text(client, slug)
    assert textstat.flesch_kincaid_grade(text) <= PARENT_MOST_GRADE
    assert textstat.flesch_reading_ease(text) >= PARENT_LEAST_EASE


def test_a_long_winding_sentence_would_fail():
    """The measure can fail: one sentence of the kind the pages avoid scores far past the limit."""
    sentence = ("Notwithstanding the considerable variability in individual circumstances, practitioners "
                "recommend establishing consistent environmental conditions conducive to restorative sleep.")
    assert textstat.flesch_kincaid_grade(sentence) > YOUNG_MOST_GRADE


@pytest.mark.parametrize("slug", ["child-worry", "child-sleep", "child-anger", "school-refusal"])
def test_pages_for_parents_of_younger_children_say_what_to_do_and_where_to_turn(client, slug):
    page = client.get(f"/self-help/topics/{slug}?lang=en").get_data(as_text=True)
    assert "under 12" in page
    assert "<h2>What you can do</h2>" in page and "<h2>When to get more help</h2>" in page
    assert 'href="/request-support/"' in page and 'href="/help-now"' in page
    text = page_text(client, slug)
    assert "call 999" in text and "NHS 111 and choose option 2" in text
    assert "If you are not safe right now" not in page  # the young person's card is not shown to parents


def test_the_parents_page_links_each_younger_childs_topic(client):
    page = client.get("/self-help/topics/parents-carers?lang=en").get_data(as_text=True)
    for slug in ("child-worry", "child-sleep", "child-anger", "school-refusal"):
        assert f'href="/self-help/topics/{slug}"' in page
    index = client.get("/self-help/?lang=en").get_data(as_text=True)
    assert "When your child finds it hard to go to school" in index
