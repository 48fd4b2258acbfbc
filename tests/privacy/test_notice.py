"""The privacy notice in layers, the accessibility statement, and the readable data page (#21 items 8, 9)."""

from __future__ import annotations

import re

import pytest

from webapp.privacy import notice
from webapp.privacy.data_names import NAMES
from webapp.retention import RULES
from webapp.support.drafts import DRAFT_KEPT_FOR

LAYERS = ("13-to-15", "16-to-25", "parents-and-carers", "full")


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("language", ["en", "pl", "pt", "lt"])
def test_every_layer_is_served_in_every_language_and_links_the_others(client, layer, language):
    client.post_form("/language", {"locale": language, "next": "/"})
    page = client.get(f"/privacy/{layer}").get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    others = [other for other in LAYERS if other != layer]
    assert all(f'href="/privacy/{other}' in page for other in others), layer
    assert 'href="/privacy/concern"' in page


def test_the_full_notice_names_controller_lawful_basis_rights_and_the_ico(client, app):
    page = client.get("/privacy/full").get_data(as_text=True)
    assert app.config["PRIVACY_CONTROLLER"] in page and app.config["PRIVACY_CONTACT_EMAIL"] in page
    assert "Article 6(1)(e)" in page and "Article 9(2)(h)" in page
    assert "ico.org.uk" in page and "0303 123 1113" in page
    assert "kept in this browser only" in page  # what is kept on the device, said truthfully
    for right in ("To see your data", "To correct it", "To delete it", "To object", "To take it elsewhere"):
        assert right in page


def test_the_notices_periods_are_the_codes_periods(client):
    """Every retention rule the worker applies, and the drafts' period, is on the page as the code has it."""
    page = client.get("/privacy/full").get_data(as_text=True)
    shown = re.findall(r'<td role="cell" data-label="[^"]*">([^<]+)</td><td role="cell" data-label="[^"]*" data-period>'
                       r"([^<]+)</td>", page)
    assert len(shown) == len(RULES) + 1
    unnamed = [rule.name for rule in RULES if rule.name not in notice.RULE_LABELS]
    assert not unnamed, f"say what these are in webapp/privacy/notice.py RULE_LABELS: {unnamed}"
    with client.application.test_request_context():
        expected = {str(notice.RULE_LABELS[rule.name]): notice.how_long(rule.keep_for) for rule in RULES}
        expected["A request for support you started but did not send"] = notice.how_long(DRAFT_KEPT_FOR)
    assert {what.replace("&#39;", "'"): how_long for what, how_long in shown} == expected
    assert "8 years" in expected.values() and "30 days" in page


def test_the_old_claim_that_nothing_is_kept_on_the_phone_is_gone(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "Nothing personal is kept on your phone" not in page
    assert "kept on this phone only" in page
    assert all(f'href="/privacy/{layer}"' in page for layer in LAYERS)


def test_the_accessibility_statement_is_in_the_usual_form(client):
    page = client.get("/accessibility").get_data(as_text=True)
    for heading in ("How accessible this website is", "Feedback and contact information", "Enforcement procedure",
                    "Compliance status", "Non-accessible content", "Preparation of this accessibility statement"):
        assert heading in page
    assert 'href="/accessibility"' in client.get("/").get_data(as_text=True)  # in every page's footer


def test_just_in_time_notices_where_data_is_asked(client, frozen_clock):
    client.post_form("/request-support/")
    client.post_form("/request-support/who", {"requester_type": "parent"})
    assert "Why we ask: the front door needs the name, date of birth" in \
        client.get("/request-support/young-person").get_data(as_text=True)
    assert "Why we ask your date of birth" in client.get("/register").get_data(as_text=True)


def test_my_data_is_readable_as_a_page_with_the_same_content_as_the_file(app, make_user, login, frozen_clock):
    client = app.test_client()
    user = make_user(role="young_person", email="reader@example.org")
    login(client, user)
    page = client.get("/settings/data/page").get_data(as_text=True)
    data = client.get("/settings/data/flourish-my-data.json").get_json()
    assert "Everything we keep about you" in page and "reader@example.org" in page
    assert all(str(NAMES[section]) in page for section in data)
    assert 'href="/settings/data/page"' in client.get("/settings/data").get_data(as_text=True)
    assert app.test_client().get("/settings/data/page").status_code == 302  # signed in only
