"""The "How we contact you" settings form: channels in order, and where each goes. Works without JavaScript."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from webapp.forms import BaseForm
from webapp.messaging import addresses
from webapp.messaging.models import EMAIL, LETTER, PUSH, SMS

CHANNEL_LABELS = {PUSH: _l("Notification on my phone or computer (the app)"), SMS: _l("Text message"),
                  EMAIL: _l("Email"), LETTER: _l("Letter by post")}
POSITIONS = ("first", "second", "third", "fourth")


def _choices():
    return [("", _l("Nothing more"))] + [(key, label) for key, label in CHANNEL_LABELS.items()]


class ChannelsForm(BaseForm):
    first = SelectField(_l("First, try"), choices=_choices(), validate_choice=False)
    second = SelectField(_l("If that does not reach me, try"), choices=_choices(), validate_choice=False)
    third = SelectField(_l("Then"), choices=_choices(), validate_choice=False)
    fourth = SelectField(_l("And last"), choices=_choices(), validate_choice=False)
    phone = StringField(_l("Mobile number for texts"), description=_l("A UK mobile, like 07700 900123."))
    email = StringField(_l("Email address"))
    address = TextAreaField(_l("Address for letters"),
                            description=_l("Two to six lines, without the postcode."))
    postcode = StringField(_l("Postcode"))
    name_service = BooleanField(
        _l("Say who the message is from"),
        description=_l("Off (the default): a text, email or envelope does not name Flourish or say what it is "
                       "about, only \u201cYou have a new message\u201d. Turn on only if nobody else reads your "
                       "messages or post. Details are only sent to a number or email you have proved is yours."))

    normalised: dict

    def order(self) -> list[str]:
        return [getattr(self, name).data for name in POSITIONS if getattr(self, name).data]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.normalised = {"phone": None, "email": None, "address": None}
        seen: set[str] = set()
        for name in POSITIONS:
            field = getattr(self, name)
            if not field.data:
                continue
            if field.data not in CHANNEL_LABELS:
                field.errors = [*field.errors, _l("Choose one of the ways in the list.")]
                valid = False
            elif field.data in seen:
                field.errors = [*field.errors, _l("You chose this way already. Choose another, or nothing more.")]
                valid = False
            seen.add(field.data)
        chosen = set(self.order())
        valid = self._check(self.phone, SMS in chosen, "phone", addresses.normalise_mobile) and valid
        valid = self._check(self.email, EMAIL in chosen, "email", addresses.normalise_email) and valid
        if LETTER in chosen or (self.address.data or "").strip() or (self.postcode.data or "").strip():
            valid = self._check_address() and valid
        return valid

    def _check_address(self) -> bool:
        try:
            postcode = addresses.normalise_postcode(self.postcode.data)
        except addresses.AddressError as error:
            self.postcode.errors = [*self.postcode.errors, error.message]
            postcode = None
        try:
            lines = addresses.normalise_address_lines(self.address.data)
        except addresses.AddressError as error:
            self.address.errors = [*self.address.errors, error.message]
            return False
        if postcode is None:
            return False
        self.normalised["address"] = {"lines": lines, "postcode": postcode}
        return True

    def _check(self, field, needed: bool, key: str, normalise) -> bool:
        if not needed and not (field.data or "").strip():
            return True
        try:
            self.normalised[key] = normalise(field.data)
        except addresses.AddressError as error:
            field.errors = [*field.errors, error.message]
            return False
        return True
