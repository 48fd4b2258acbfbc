"""A low moment gets a kind answer: the lowest mood check-in, and danger answers to "what would help"."""

from __future__ import annotations

import re

REPLY = "Thank you for checking in"
REPLY_SECTION = re.compile(r"<section[^>]*data-mood-low-reply[^>]*>.*?</section>", re.S)


def _reply(html: str) -> tuple[str, bool]:
    """The reply's HTML, and whether it is shown (not hidden)."""
    section = REPLY_SECTION.search(html).group(0)
    opening = section.split(">", 1)[0]
    return section, " hidden" not in opening


def test_the_lowest_check_in_signed_in_gets_a_kind_reply_without_javascript(client, make_user, login, db):
    login(client, make_user())
    response = client.post_form("/self-help/mood", {"score": "1", "words": "everything is too much"})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    section, shown = _reply(html)
    assert shown and REPLY in section
    assert "It sounds like things are really hard right now." in section
    for href in ("tel:111", "sms:85258?body=SHOUT", "tel:08001111", "/help-now", "/request-support/",
                 "/self-help/tools/breathing", "/self-help/tools/grounding"):
        assert f'href="{href}' in section, href
    assert "someone you trust" in section
    assert "Your check-in is saved." in html
    # once: a reload is a normal page again
    assert not _reply(client.get("/self-help/mood").get_data(as_text=True))[1]


def test_a_check_in_above_the_lowest_gets_no_reply(client, make_user, login, db):
    login(client, make_user())
    response = client.post_form("/self-help/mood", {"score": "2", "words": "meh"})
    assert not _reply(client.get(response.headers["Location"]).get_data(as_text=True))[1]


def test_the_reply_is_in_the_device_page_hidden_for_the_script_and_translated_on_the_server(client):
    section, shown = _reply(client.get("/self-help/mood").get_data(as_text=True))
    assert not shown and REPLY in section and 'tabindex="-1"' in section
    polish = client.get("/self-help/mood?lang=pl").get_data(as_text=True)
    assert '<html lang="pl"' in polish and REPLY_SECTION.search(polish)
    assert 'href="/self-help/tools/breathing?lang=pl"' in REPLY_SECTION.search(polish).group(0)


def test_the_reply_is_kept_for_offline_use(client):
    pack = client.get("/offline-pack.json?lang=en").get_json()
    assert REPLY in pack["pages"]["/self-help/mood?lang=en"]


def test_an_anonymous_lowest_check_in_sent_without_javascript_still_gets_the_reply(client):
    response = client.post_form("/self-help/mood", {"score": "1"})
    assert response.status_code == 303
    assert _reply(client.get(response.headers["Location"]).get_data(as_text=True))[1]


def test_danger_answers_land_on_help_now_that_opens_kindly(client):
    response = client.post_form("/self-help/what-would-help", {"situation": "suicidal", "urgency": "ideas",
                                                               "age": "18-25", "area": "norwich"})
    assert response.headers["Location"] == "/help-now"
    page = client.get("/help-now").get_data(as_text=True)
    main = page[page.index("<h1"):]
    warm = main.index("You don&#39;t have to face this on your own") if "&#39;" in main else main.index(
        "You don't have to face this on your own")
    assert warm < main.index('href="tel:999"')  # a kind sentence first, then the help
