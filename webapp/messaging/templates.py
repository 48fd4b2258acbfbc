"""What each text, email and letter says, in the person's language.

The words are English message ids marked with `N_` (so the catalogue has them in every language) and
translated when the message is sent, with the caller's personalisation (`%(code)s`, `%(link)s`)
filled in. Notify is given the finished words as personalisation (`body`, `subject`) for a template
per message, language and channel whose content is just `((subject))` / `((body))`: the wording stays
in one place (our catalogue) and Notify's template ids come from config (`notify_template_id`).

Texts are kept to one fragment where they can be: 160 characters in the GSM alphabet, 70 in UCS-2
(Polish and Lithuanian letters force it); `sms_fragments` counts them, and a test checks each
template in each language. Discreet texts and letters name no service unless the person chose that.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.i18n import N_
from webapp.messaging.models import ACCOUNT_RECOVERY, PROOF_CODE, SIGN_UP
from webapp.notifications.models import APPOINTMENT_REMINDER, REQUEST_UPDATE


@dataclass(frozen=True)
class Template:
    """The words of one message: `sms` for a text, `subject` and `body` for an email or a letter."""

    name: str
    sms: str
    subject: str
    body: str
    fields: tuple[str, ...] = ()  # the personalisation it needs
    sensitive: bool = False  # says what it is about (needs a proved address and a chosen detailed text)
    kind: str | None = None  # what it is about (models.KINDS); None: it may carry any kind (the discreet words)


_TEMPLATES = (
    Template("verify_code",
             sms=N_("Your code is %(code)s. It expires in 10 minutes. Do not share it."),
             subject=N_("Your code"),
             body=N_("Your code is %(code)s.\n\nType it in to prove this address is yours. It expires in "
                     "10 minutes. If you did not ask for it, ignore this message."),
             fields=("code",), kind=PROOF_CODE),
    Template("sign_up_finish",
             sms=N_("Finish signing up: %(link)s"),
             subject=N_("Finish signing up"),
             body=N_("To finish signing up, open this link:\n\n%(link)s\n\nIt works once and expires in "
                     "24 hours. If you did not ask for this, ignore this message."),
             fields=("link",), kind=SIGN_UP),
    Template("already_registered",
             sms=N_("You already have an account. Sign in: %(link)s"),
             subject=N_("You already have an account"),
             body=N_("Someone, probably you, tried to sign up with this address, but you already have an "
                     "account.\n\nSign in: %(link)s\n\nForgotten your password? Reset it: %(reset_link)s\n\n"
                     "If this was not you, ignore this message: nothing has changed."),
             fields=("link", "reset_link"), kind=SIGN_UP),
    Template("password_reset",
             sms=N_("Reset your password: %(link)s"),
             subject=N_("Reset your password"),
             body=N_("To choose a new password, open this link:\n\n%(link)s\n\nIt works once and expires "
                     "in one hour. If you did not ask for this, ignore this message: your password has "
                     "not changed."),
             fields=("link",), kind=ACCOUNT_RECOVERY),
    Template("discreet_news",
             sms=N_("You have a new message. Open the app or visit %(link)s"),
             subject=N_("You have a new message"),
             body=N_("You have a new message. Open the app or visit %(link)s to read it."),
             fields=("link",)),
    Template("request_update",
             sms=N_("Flourish: news about your request %(reference)s. See %(link)s"),
             subject=N_("Update on your request"),
             body=N_("There is news about your request for support (%(reference)s).\n\nSee it here: "
                     "%(link)s"),
             fields=("reference", "link"), sensitive=True, kind=REQUEST_UPDATE),
    Template("check_in",
             sms=N_("Flourish: how are things while you wait? %(link)s"),
             subject=N_("How are things while you wait?"),
             body=N_("We would like to know how things are while you wait for support. Tell us here: "
                     "%(link)s"),
             fields=("link",), sensitive=True, kind=REQUEST_UPDATE),  # a wait check-in: news about a request
    Template("booking_reminder",
             sms=N_("Flourish: reminder of your appointment %(when)s. %(link)s"),
             subject=N_("Reminder of your appointment"),
             body=N_("A reminder of your appointment %(when)s.\n\nSee the details or tell us you cannot "
                     "make it: %(link)s"),
             fields=("when", "link"), sensitive=True, kind=APPOINTMENT_REMINDER),
)

TEMPLATES: dict[str, Template] = {template.name: template for template in _TEMPLATES}
# What a discreet message (the default) says instead of a sensitive template.
DISCREET = "discreet_news"
# Carry a code or a sign-in link: never sent again after a temporary failure (the person can ask again).
SECRET_TEMPLATES = frozenset({"verify_code", "password_reset", "sign_up_finish", "already_registered"})


def template(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValueError(f"unknown message template {name!r}") from None


def _fill(message: str, personalisation: dict[str, str]) -> str:
    try:
        return _(message, **personalisation) if personalisation else _(message)
    except (KeyError, ValueError, TypeError):
        return _(message)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(name: str, channel: str, language: str, personalisation: dict[str, str]) -> Rendered:
    """The words of template `name` on `channel`, in `language`, filled in."""
    chosen = template(name)
    with force_locale(language or "en"):
        if channel == "sms":
            return Rendered("", _fill(chosen.sms, personalisation))
        return Rendered(_fill(chosen.subject, personalisation), _fill(chosen.body, personalisation))


def default_template_id(name: str, language: str, channel: str) -> str:
    """Our own id for a template (the stand-in knows these): stable, and shaped like Notify's."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"flourish:{name}:{language}:{channel}"))


def notify_template_id(name: str, language: str, channel: str) -> str:
    """The Notify template id for a message, language and channel: from NOTIFY_TEMPLATES (keys
    "name:language:channel", or "name:channel" for every language) else our own id."""
    configured = current_app.config.get("NOTIFY_TEMPLATES") or {}
    return (configured.get(f"{name}:{language}:{channel}") or configured.get(f"{name}:{channel}")
            or default_template_id(name, language, channel))


GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_fragments(text: str) -> int:
    """How many SMS fragments a text costs: GSM 7-bit 160 (153 each when split, extended characters
    count twice), otherwise UCS-2 70 (67 each when split)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        return 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
    return 1 if units <= 70 else -(-units // 67)
