"""Every template in every language: filled in, and texts kept to as few SMS fragments as they can be."""

from __future__ import annotations

import pytest

from webapp.messaging import templates
from webapp.messaging.templates import TEMPLATES, render, sms_fragments

LANGUAGES = ("en", "pl", "pt", "lt")
SAMPLE = {"code": "123456", "link": "https://flourish.example/track", "reset_link": "https://flourish.example/r/x",
          "reference": "FL-7K3P-92QD", "when": "Tue 16 June 14:30"}
ONE_FRAGMENT = ("verify_code", "discreet_news")  # the ones sent most: one fragment in every language


def test_fragments_are_counted_as_networks_do():
    assert sms_fragments("a" * 160) == 1 and sms_fragments("a" * 161) == 2 and sms_fragments("a" * 306) == 2
    assert sms_fragments("€" * 80) == 1 and sms_fragments("€" * 81) == 2  # extended GSM counts twice
    assert sms_fragments("ą" * 70) == 1 and sms_fragments("ą" * 71) == 2  # Polish forces UCS-2
    assert sms_fragments("ė" * 134) == 2 and sms_fragments("ė" * 135) == 3  # 67 each when split


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_each_text_is_short_in_each_language(app, name, language):
    with app.test_request_context():
        text = render(name, "sms", language, SAMPLE).body
    assert "%(" not in text
    limit = 1 if name in ONE_FRAGMENT else 2
    assert sms_fragments(text) <= limit, (name, language, len(text), text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_discreet_words_never_name_the_service_or_say_what_it_is_about(app, language):
    with app.test_request_context():
        for channel in ("sms", "email", "letter"):
            rendered = render(templates.DISCREET, channel, language, SAMPLE)
            assert "Flourish" not in rendered.subject + rendered.body
            assert "request" not in (rendered.subject + rendered.body).lower()


def test_every_email_and_letter_has_a_subject_and_the_callers_details(app):
    with app.test_request_context():
        for name, template in TEMPLATES.items():
            rendered = render(name, "email", "en", SAMPLE)
            assert rendered.subject and rendered.body
            for field in template.fields:
                assert SAMPLE[field] in rendered.body, (name, field)


def test_notify_template_ids_come_from_config_else_our_own(app):
    with app.test_request_context():
        ours = templates.notify_template_id("verify_code", "pl", "sms")
        assert ours == templates.default_template_id("verify_code", "pl", "sms")
        app.config["NOTIFY_TEMPLATES"] = {"verify_code:pl:sms": "11111111-1111-4111-8111-111111111111",
                                          "verify_code:email": "22222222-2222-4222-8222-222222222222"}
        try:
            assert templates.notify_template_id("verify_code", "pl", "sms").startswith("1111")
            assert templates.notify_template_id("verify_code", "lt", "email").startswith("2222")
        finally:
            app.config["NOTIFY_TEMPLATES"] = {}
