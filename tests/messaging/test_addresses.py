"""Numbers, emails and addresses in every odd shape: made sendable, or refused with a clear reason."""

from __future__ import annotations

import pytest

from webapp.messaging.addresses import (
    AddressError,
    normalise_email,
    normalise_letter_address,
    normalise_mobile,
)


@pytest.mark.parametrize("typed", ["07700900123", "07700 900123", " 07700-900-123 ", "+447700900123",
                                   "+44 7700 900123", "+44 (0)7700 900123", "447700900123", "0044 7700 900123",
                                   "(07700) 900 123"])
def test_a_uk_mobile_in_any_usual_shape_becomes_e164(typed):
    assert normalise_mobile(typed) == "+447700900123"


@pytest.mark.parametrize(("typed", "says"), [
    ("", "Enter a mobile phone number"),
    ("   ", "Enter a mobile phone number"),
    ("01603 123456", "texts cannot go to a landline"),
    ("0770090012", "11 digits"),
    ("077009001234", "11 digits"),
    ("+33 6 12 34 56 78", "UK mobile"),
    ("07700 9OO123", "only numbers"),
    ("call me", "only numbers"),
])
def test_a_number_that_cannot_take_a_text_is_refused_with_a_reason(app, typed, says):
    with app.test_request_context(), pytest.raises(AddressError) as refused:
        normalise_mobile(typed)
    assert says in str(refused.value.message)


@pytest.mark.parametrize("typed", ["  Parent@Example.org ", "parent@example.org"])
def test_an_email_is_trimmed(typed):
    assert normalise_email(typed).lower() == "parent@example.org"


@pytest.mark.parametrize("typed", ["", "parent", "parent@", "@example.org", "parent@example", "a b@example.org",
                                   "parent@@example.org"])
def test_an_email_in_the_wrong_shape_is_refused(app, typed):
    with app.test_request_context(), pytest.raises(AddressError):
        normalise_email(typed)


def test_a_letter_address_needs_two_lines_and_a_real_postcode(app):
    assert normalise_letter_address("Alex Morgan\n 1 Elm Road, \n\nNorwich", " nr13sr") == {
        "lines": ["Alex Morgan", "1 Elm Road", "Norwich"], "postcode": "NR1 3SR"}
    with app.test_request_context():
        for lines, postcode in (("Just one line", "NR1 3SR"), ("A\nB", "12345"), ("A\nB", ""),
                                ("\n".join("x" * 10 for _ in range(7)), "NR1 3SR"), ("A\n" + "x" * 51, "NR1 3SR")):
            with pytest.raises(AddressError):
                normalise_letter_address(lines, postcode)
