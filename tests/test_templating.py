"""Template helpers: error summaries that name and link each question, and text staff typed marked
with its language (WCAG 3.1.2)."""

from __future__ import annotations

import pytest
from flask import g
from wtforms import RadioField, StringField

from webapp.forms import BaseForm, input_required, max_length, required
from webapp.templating import error_links, staff_text


class _Form(BaseForm):
    class Meta:
        csrf = False

    first = RadioField("Are you safe tonight?", choices=[("yes", "Yes"), ("no", "No")],
                       validators=[input_required()])
    second = RadioField("Is someone hurting you?", choices=[("yes", "Yes"), ("no", "No")],
                        validators=[input_required()])
    name = StringField("Your name", validators=[required("Enter your name.")])


def test_error_links_point_at_the_first_radio_and_name_repeated_messages(app):
    with app.test_request_context("/", method="POST", data={}):
        form = _Form()
        assert not form.validate()
        links = error_links(form)
    assert [control for control, _text in links] == ["first-0", "second-0", "name"]
    texts = [text for _control, text in links]
    assert len(set(texts)) == 3
    assert texts[0] == "Are you safe tonight? – Choose an answer."
    assert texts[2] == "Enter your name."


@pytest.mark.parametrize("language", ["pl", "pt", "lt"])
def test_staff_text_is_marked_english_on_a_page_in_another_language(app, language):
    with app.test_request_context(f"/?lang={language}"):
        g.locale_override = language
        assert str(staff_text("Bring a <friend>")) == '<span lang="en">Bring a &lt;friend&gt;</span>'
        assert str(staff_text(None)) == "" and str(staff_text("")) == ""


def test_staff_text_in_english_is_plain_and_escaped(app):
    with app.test_request_context("/"):
        g.locale_override = "en"
        assert str(staff_text("Bring a <friend>")) == "Bring a &lt;friend&gt;"


def test_staff_text_translated_from_the_catalogue_is_not_marked(app):
    with app.test_request_context("/?lang=pl"):
        g.locale_override = "pl"
        # A string the catalogue translates (demo data and the app's own) shows in Polish, unmarked.
        shown = str(staff_text("Self-help", translate=True))
        assert shown != "Self-help" and "lang=" not in shown


class _Lone(BaseForm):
    class Meta:
        csrf = False

    purpose = StringField("What it is for", validators=[required()])
    story = StringField("Your story", validators=[max_length(5)])
    phone = StringField("Phone number", validators=[required("Enter a phone number.")])
    other_phone = StringField("Phone number", validators=[required("Enter a phone number.")])


def test_a_lone_shared_message_and_a_repeated_one_are_named_by_their_question(app):
    with app.test_request_context("/", method="POST", data={"story": "far too long"}):
        form = _Lone()
        form.other_phone.summary_question = "Contact 2: phone number"
        assert not form.validate()
        texts = [text for _control, text in error_links(form)]
    # "This cannot be empty." and "Use 5 characters or fewer." say what is wrong, not where: the question is added.
    assert texts[0] == "What it is for – This cannot be empty."
    assert texts[1] == "Your story – Use 5 characters or fewer."
    # The same message twice: each named, by its own summary question when it has one.
    assert texts[2:] == ["Phone number – Enter a phone number.", "Contact 2: phone number – Enter a phone number."]
