"""The pages of the request-for-support form, and the forms of the timeline, /track and triage.

Each step's form is rebuilt from the draft's stored input at the check page, so every answer is
validated again on the server before anything is sent.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import Optional, ValidationError

from webapp.forms import BaseForm, LocalDateField, input_required, max_length, required
from webapp.selfhelp.content import REQUEST_TOPICS
from webapp.support import checks

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
# The risk questions: "not sure" is a real answer, and counts as a possible risk (see drafts.any_risk).
NOT_SURE = checks.NOT_SURE
YES_NO_NOT_SURE = [*YES_NO, (NOT_SURE, _l("I'm not sure"))]
TEXT_LIMIT = 3000
SHORT_LIMIT = 120

REQUESTER_TYPES = (
    ("young_person", _l("I am the young person, asking for myself")),
    ("parent", _l("I am a parent or carer, asking for my child")),
    ("professional", _l("I am a professional, for example from a school, GP surgery or social care")),
)
HOW_LONG = (
    ("under_1_month", _l("Less than a month")),
    ("1_to_6_months", _l("1 to 6 months")),
    ("6_to_12_months", _l("6 months to a year")),
    ("over_1_year", _l("More than a year")),
)
# What it is about: self-help topics, matched to while they wait (the one list of topics is
# webapp.selfhelp.content.TOPICS, with the words this form uses for each).
TOPICS = REQUEST_TOPICS
INVOLVE_PARENT = (
    ("yes", _l("Yes, please involve a parent or carer")),
    ("no", _l("No, please do not involve a parent or carer")),
    ("not_sure", _l("I am not sure yet: I would like to talk about it first")),
)

PHONE_CLEAN = re.compile(r"[\s\-().]")
UK_PHONE = re.compile(r"^0\d{9,10}$")
POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def normalise_phone(value: str) -> str | None:
    """A UK phone number as digits starting 0 (from "+44 7700 900123" too), or None if it is not one."""
    digits = PHONE_CLEAN.sub("", value or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].lstrip("0")
    return digits if UK_PHONE.match(digits) else None


def normalise_postcode(value: str) -> str | None:
    match = POSTCODE.match((value or "").strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


nhs_number_is_valid = checks.nhs_number_is_valid  # shared with the FHIR record (webapp/support/checks.py)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class DraftForm(BaseForm):
    """A step of the request form. `audience` is "self" (a young person) or "other"."""

    def __init__(self, *args, audience: str = "other", **kwargs):
        super().__init__(*args, **kwargs)
        self.audience = audience


class WhoForm(DraftForm):
    requester_type = RadioField(_l("Who is asking for support?"), choices=list(REQUESTER_TYPES),
                                validators=[input_required(_l("Choose who is asking for support."))])


class ParentForm(DraftForm):
    requester_name = StringField(_l("Your name"), validators=[required(_l("Enter your name.")),
                                                              max_length(SHORT_LIMIT)])
    relationship = StringField(_l("Your relationship to the young person"),
                               description=_l("For example mum, dad, grandparent, foster carer."),
                               validators=[required(_l("Enter your relationship to the young person.")),
                                           max_length(60)])


# Whether the young person (or, under 16, a parent or carer) knows about a professional's request and agrees.
KNOWS_AND_AGREES = (("yes", _l("Yes")), ("no", _l("No")), ("not_sure", _l("Not sure")))
PHONE_MESSAGE = _l("Enter a UK phone number, like 07700 900123 or 01603 123456.")
EMAIL_MESSAGE = _l("Enter an email address like name@example.com.")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email_is_valid(value: str | None) -> bool:
    """Empty, or shaped like an email address."""
    value = (value or "").strip()
    return not value or bool(EMAIL.fullmatch(value))


class ProfessionalForm(DraftForm):
    requester_name = StringField(_l("Your name"), validators=[required(_l("Enter your name.")),
                                                              max_length(SHORT_LIMIT)])
    professional_role = StringField(_l("Your role"), description=_l("For example school nurse, GP, social worker."),
                                    validators=[required(_l("Enter your role.")), max_length(SHORT_LIMIT)])
    organisation = StringField(_l("Your organisation"), validators=[required(_l("Enter your organisation.")),
                                                                    max_length(SHORT_LIMIT)])
    requester_phone = StringField(_l("Your work phone number"), validators=[max_length(20)])
    requester_email = StringField(_l("Your work email address"), validators=[max_length(254)])
    young_person_knows = RadioField(
        _l("Does the young person know about this request, and agree to it?"), choices=list(KNOWS_AND_AGREES),
        validators=[input_required(_l("Say whether the young person knows about this request and agrees to it."))])
    young_person_knows_why_not = TextAreaField(_l("If they do not know or agree, why not?"),
                                               description=_l("Needed if you answered no."),
                                               validators=[max_length(TEXT_LIMIT)])

    def validate_requester_phone(self, field):
        if (field.data or "").strip() and normalise_phone(field.data) is None:
            raise ValidationError(PHONE_MESSAGE)
        if not (field.data or "").strip() and not (self.requester_email.data or "").strip():
            raise ValidationError(_l("Give a work phone number or a work email address, so the front door can "
                                     "reach you."))

    def validate_requester_email(self, field):
        if not email_is_valid(field.data):
            raise ValidationError(EMAIL_MESSAGE)

    def validate_young_person_knows_why_not(self, field):
        if self.young_person_knows.data == "no" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the young person does not know or agree."))


AGE_MESSAGES = {
    "future": _l("The date of birth is in the future. Check the year, month and day."),
    "too_old": _l("Flourish is for people up to their 26th birthday, so we cannot take this request. "
                  "Adult mental health services can help: see below."),
    "too_young": _l("You need to be 13 or older to ask for support yourself. A parent, carer, or someone at "
                    "school or your GP surgery can ask for you: see below."),
}


class YoungPersonForm(DraftForm):
    age_outcome: str | None = None

    given_name = StringField(_l("First name"), validators=[required(_l("Enter a first name.")),
                                                           max_length(60)])
    family_name = StringField(_l("Last name"), validators=[required(_l("Enter a last name.")), max_length(60)])
    date_of_birth = LocalDateField(_l("Date of birth"), validators=[input_required(_l("Enter a date of birth."))])
    postcode = StringField(_l("Home postcode"), description=_l("For example NR1 3SR."),
                           validators=[required(_l("Enter a postcode."))])
    school = StringField(_l("School or college (optional)"), validators=[max_length(SHORT_LIMIT)])
    gp_practice = StringField(_l("GP surgery (optional)"), validators=[max_length(SHORT_LIMIT)])
    nhs_number = StringField(_l("NHS number (optional)"),
                             description=_l("10 digits, for example 943 476 5919. You can leave this out."),
                             validators=[Optional()])

    def __init__(self, *args, audience: str = "other", **kwargs):
        super().__init__(*args, audience=audience, **kwargs)
        if audience == "self":
            self.given_name.label.text = _l("Your first name")
            self.family_name.label.text = _l("Your last name")
            self.date_of_birth.label.text = _l("Your date of birth")
            self.postcode.label.text = _l("Your home postcode")
        else:
            self.given_name.label.text = _l("The young person's first name")
            self.family_name.label.text = _l("The young person's last name")
            self.date_of_birth.label.text = _l("The young person's date of birth")
            self.postcode.label.text = _l("The young person's home postcode")

    def validate_date_of_birth(self, field):
        from webapp.support.ages import age_outcome

        if field.data is None:
            return
        self.age_outcome = age_outcome(field.data, self.audience)
        if self.age_outcome is not None:
            raise ValidationError(AGE_MESSAGES[self.age_outcome])

    def validate_postcode(self, field):
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError(_l("Enter a UK postcode, like NR1 3SR."))

    def validate_nhs_number(self, field):
        if field.data and not nhs_number_is_valid(field.data):
            raise ValidationError(_l("This is not a valid NHS number. Check it, or leave it out."))


RISK_QUESTIONS = {
    "risk_ending_life": (_l("Are you having thoughts of ending your life right now?"),
                         _l("Are they having thoughts of ending their life right now?")),
    "risk_self_harm": (_l("Have you hurt yourself in a way that may need medical help?"),
                       _l("Have they hurt themselves in a way that may need medical help?")),
    "risk_unsafe_tonight": (_l("Are you worried you may not be safe tonight?"),
                            _l("Are you worried they may not be safe tonight?")),
    "risk_being_hurt": (_l("Is someone hurting you, or making you feel unsafe?"),
                        _l("Is someone hurting them, or making them feel unsafe?")),
}
RISK_FIELDS = checks.RISK_FIELDS  # the same names as RISK_QUESTIONS (tests/support/test_checks.py)
# Each question's own error, so an error summary read aloud says which question is unanswered.
RISK_ERRORS = {
    "risk_ending_life": (_l("Answer whether you are having thoughts of ending your life."),
                         _l("Answer whether they are having thoughts of ending their life.")),
    "risk_self_harm": (_l("Answer whether you have hurt yourself in a way that may need medical help."),
                       _l("Answer whether they have hurt themselves in a way that may need medical help.")),
    "risk_unsafe_tonight": (_l("Answer whether you are worried you may not be safe tonight."),
                            _l("Answer whether you are worried they may not be safe tonight.")),
    "risk_being_hurt": (_l("Answer whether someone is hurting you or making you feel unsafe."),
                        _l("Answer whether someone is hurting them or making them feel unsafe.")),
}


class RiskForm(DraftForm):
    risk_ending_life = RadioField("", choices=YES_NO_NOT_SURE, validators=[input_required()])
    risk_self_harm = RadioField("", choices=YES_NO_NOT_SURE, validators=[input_required()])
    risk_unsafe_tonight = RadioField("", choices=YES_NO_NOT_SURE, validators=[input_required()])
    risk_being_hurt = RadioField("", choices=YES_NO_NOT_SURE, validators=[input_required()])

    def __init__(self, *args, audience: str = "other", **kwargs):
        super().__init__(*args, audience=audience, **kwargs)
        for name, (self_label, other_label) in RISK_QUESTIONS.items():
            getattr(self, name).label.text = self_label if audience == "self" else other_label
            self_error, other_error = RISK_ERRORS[name]
            getattr(self, name).validators = [input_required(self_error if audience == "self" else other_error)]


class StoryForm(DraftForm):
    topics = MultiCheckboxField(_l("What is it about? Choose any that fit (optional)"), choices=list(TOPICS),
                                validate_choice=True)
    whats_happening = TextAreaField(_l("What is happening, in your own words?"),
                                    description=_l("What is hard at the moment, and how it affects day-to-day life."),
                                    validators=[required(_l("Tell us a little about what is happening.")),
                                                max_length(TEXT_LIMIT)])
    goal_1 = StringField(_l("First thing"), validators=[max_length(200)])
    goal_2 = StringField(_l("Second thing (optional)"), validators=[max_length(200)])
    goal_3 = StringField(_l("Third thing (optional)"), validators=[max_length(200)])
    how_long = RadioField(_l("How long has it been going on?"), choices=list(HOW_LONG),
                          validators=[input_required(_l("Choose how long it has been going on."))])
    what_helped = TextAreaField(_l("What has helped, even a little? (optional)"), validators=[max_length(TEXT_LIMIT)])
    others_involved = TextAreaField(_l("Who else is involved or helping? (optional)"),
                                    description=_l("For example a school nurse, social worker, or another service."),
                                    validators=[max_length(TEXT_LIMIT)])

    def validate_goal_1(self, field):
        if not any((g.data or "").strip() for g in (self.goal_1, self.goal_2, self.goal_3)):
            raise ValidationError(_l("Write at least one thing you would like to be different."))


# "About me" (#19): what the young person wants their worker to know, so the story is told once. All optional.
APPOINTMENT_NEEDS = (("neurodivergence", _l("I am neurodivergent (for example autistic, or I have ADHD)")),
                     ("waiting_rooms", _l("Waiting rooms make me anxious")),
                     ("interpreter", _l("I need an interpreter")),
                     ("access", _l("I have access needs (for example a wheelchair, or help with hearing or seeing)")))


class AboutMeForm(DraftForm):
    name_used = StringField(_l("The name I use (optional)"),
                            description=_l("If it is different from my legal name, "
                                           "this is what I would like to be called."),
                            validators=[max_length(SHORT_LIMIT)])
    what_matters = TextAreaField(_l("What matters to me (optional)"), validators=[max_length(TEXT_LIMIT)])
    helped_before = TextAreaField(_l("What has helped before, and what has not (optional)"),
                                  validators=[max_length(TEXT_LIMIT)])
    contact_preferences = TextAreaField(_l("How and when I like to be contacted (optional)"),
                                        description=_l('For example "text, don\'t call" or "not during school".'),
                                        validators=[max_length(TEXT_LIMIT)])
    appointment_needs = MultiCheckboxField(_l("Things that make appointments hard (optional)"),
                                           choices=list(APPOINTMENT_NEEDS), validate_choice=True)
    appointment_needs_more = TextAreaField(_l("Anything else that would make appointments easier? (optional)"),
                                           validators=[max_length(TEXT_LIMIT)])


ABOUT_ME_FIELDS = ("name_used", "what_matters", "helped_before", "contact_preferences", "appointment_needs",
                   "appointment_needs_more")


FAMILY_CONTACT_UNDER = 16  # a professional gives a parent or carer's contact details for a younger child
UPDATES_FIELDS = ("updates_text", "updates_email", "updates_letter", "updates_first")
FAMILY_FIELDS = ("family_knows", "family_knows_why_not", "parent_carer_name", "parent_carer_relationship")
PHONE_NOT_ALLOWED = _l("You gave a phone number but did not say how we may use it. Tick call, text or voicemail, "
                       "or give another way.")


def _given(field) -> str:
    return (field.data or "").strip()


class ContactForm(DraftForm):
    """How the front door may reach the person the request is about, safely: at least one way they
    said is safe (a phone with calls, texts or voicemail allowed, an email address, letters to an
    address), or "there is no safe way".

    `requester` is who is asking (young_person, parent, professional) and `age` the young person's.
    A parent gives their own details; a professional gives the young person's, or for an under-16
    (`family`) a parent or carer's, and says whether the family knows and agrees.
    """

    family_knows = RadioField(_l("Does a parent or carer know about this request, and agree to it?"),
                              choices=list(KNOWS_AND_AGREES), validate_choice=False)
    family_knows_why_not = TextAreaField(_l("If a parent or carer does not know or agree, why not?"),
                                         description=_l("Needed if you answered no."),
                                         validators=[max_length(TEXT_LIMIT)])
    parent_carer_name = StringField(_l("The parent or carer's name"), validators=[max_length(SHORT_LIMIT)])
    parent_carer_relationship = StringField(_l("Their relationship to the young person (optional)"),
                                            description=_l("For example mum, dad, grandparent, foster carer."),
                                            validators=[max_length(60)])
    phone = StringField(_l("Phone number (optional)"), description=_l("A UK mobile or landline."),
                        validators=[max_length(20)])
    email = StringField(_l("Email address (optional)"), validators=[max_length(254)])
    can_call = BooleanField(_l("You can call this number"))
    can_text = BooleanField(_l("You can send a text message"))
    can_voicemail = BooleanField(_l("You can leave a voicemail"))
    can_letter = BooleanField(_l("You can send a letter to the home address"))
    address = TextAreaField(_l("Address for letters"), description=_l("Only needed if we can send a letter."),
                            validators=[max_length(300)])
    no_safe_contact = BooleanField(_l("There is no safe way to contact me"))
    # Updates about the request by text, email or letter (webapp/messaging), in the order chosen.
    updates_text = BooleanField(_l("By text message, to the mobile number above"))
    updates_email = BooleanField(_l("By email, to the address above"))
    updates_letter = BooleanField(_l("By letter, to the address above"))
    updates_first = RadioField(_l("If you ticked more than one, which should we try first?"),
                               choices=[("sms", _l("Text message")), ("email", _l("Email")), ("letter", _l("Letter"))],
                               validate_choice=False)
    best_times = StringField(_l("Best times to contact (optional)"),
                             description=_l("For example after 4pm on weekdays."),
                             validators=[max_length(200)])
    communication_needs = TextAreaField(_l("Anything that helps communication? (optional)"),
                                        description=_l("For example British Sign Language, easy read, or extra time."),
                                        validators=[max_length(1000)])
    preferred_language = StringField(_l("Preferred language (optional)"), validators=[max_length(60)])
    # Asked only of some (below); not Optional(), which would stop their checks from running when empty.
    involve_parent = RadioField(_l("Would you like us to involve a parent or carer?"), choices=list(INVOLVE_PARENT),
                                validate_choice=False)
    parent_may_track = RadioField(
        _l("May a parent or carer follow this request with its reference and your date of birth?"),
        choices=YES_NO, validate_choice=False)

    def __init__(self, *args, audience: str = "other", age: int | None = None, requester: str | None = None,
                 family: bool | None = None, **kwargs):
        super().__init__(*args, audience=audience, **kwargs)
        self.age = age
        self.can_call.summary_question = _l("Which of these are OK?")  # the page's question for the ticks
        self.requester = requester or ("young_person" if audience == "self" else None)
        self.family = bool(family if family is not None else (
            self.requester == "professional" and age is not None and age < FAMILY_CONTACT_UNDER))
        self.no_safe_contact.description = _l(
            "Tick this only if no call, text, voicemail, email or letter would be safe. The front door will then "
            "not contact you: check the request's page instead (sign in, or track it with its reference), as "
            "they may ask you a question there.")
        if self.requester == "professional":
            if self.family:
                self.phone.label.text = _l("The parent or carer's phone number (optional)")
                self.email.label.text = _l("The parent or carer's email address (optional)")
                self.no_safe_contact.label.text = _l("There is no safe way to contact the young person's parent "
                                                     "or carer")
            else:
                self.phone.label.text = _l("The young person's phone number (optional)")
                self.email.label.text = _l("The young person's email address (optional)")
                self.no_safe_contact.label.text = _l("There is no safe way to contact the young person")
            self.no_safe_contact.description = _l(
                "Tick this only if no call, text, voicemail, email or letter to them would be safe. The front "
                "door will not contact them: it will talk to you first.")

    def asked(self, name: str) -> bool:
        """Whether this requester is asked `name` (answers not asked are left out of the request)."""
        if name in UPDATES_FIELDS:
            return self.requester != "professional"  # the details given are someone else's
        return self.family if name in FAMILY_FIELDS else True

    def validate_updates_text(self, field):
        from webapp.messaging.addresses import AddressError, normalise_mobile

        if not field.data:
            return
        if not self.can_text.data:
            raise ValidationError(_l("Tick \u201cYou can send a text message\u201d above, or untick updates by text."))
        try:
            normalise_mobile(self.phone.data)
        except AddressError as error:
            raise ValidationError(error.message) from None

    def validate_updates_email(self, field):
        if field.data and not _given(self.email):
            raise ValidationError(_l("Give an email address above, or untick updates by email."))

    def validate_updates_letter(self, field):
        from webapp.messaging.channels import address_from_text

        if not field.data:
            return
        if not self.can_letter.data:
            raise ValidationError(_l("Tick \u201cYou can send a letter\u201d above, or untick updates by letter."))
        if address_from_text(self.address.data) is None:
            raise ValidationError(_l("Give the full address above, with the postcode on its last line, or "
                                     "untick updates by letter."))

    def validate_updates_first(self, field):
        chosen = {"sms": self.updates_text.data, "email": self.updates_email.data, "letter": self.updates_letter.data}
        if field.data and (field.data not in chosen or not chosen[field.data]):
            raise ValidationError(_l("Choose one of the ways you ticked, or leave this empty."))

    def _phone_ways(self) -> bool:
        return bool(self.can_call.data or self.can_text.data or self.can_voicemail.data)

    def validate_family_knows(self, field):
        if self.family and field.data not in dict(KNOWS_AND_AGREES):
            raise ValidationError(_l("Say whether a parent or carer knows about this request and agrees to it."))

    def validate_family_knows_why_not(self, field):
        if self.family and self.family_knows.data == "no" and not _given(field):
            raise ValidationError(_l("Say why a parent or carer does not know or agree."))

    def validate_parent_carer_name(self, field):
        if self.family and not self.no_safe_contact.data and not _given(field):
            raise ValidationError(_l("Enter the name of a parent or carer."))

    def validate_phone(self, field):
        if _given(field) and normalise_phone(field.data) is None:
            raise ValidationError(PHONE_MESSAGE)

    def validate_email(self, field):
        if not email_is_valid(field.data):
            raise ValidationError(EMAIL_MESSAGE)

    def validate_can_call(self, field):
        """At least one safe way (its own errors explain a bad number, address or email)."""
        phone = _given(self.phone)
        if self._phone_ways() and not phone:
            raise ValidationError(_l("Give a phone number, or untick calls, texts and voicemail."))
        if self.no_safe_contact.data or (phone and self._phone_ways()) or _given(self.email) or self.can_letter.data:
            return
        if phone:
            raise ValidationError(PHONE_NOT_ALLOWED)
        raise ValidationError(_l("Give a safe way to contact: a phone number with calls, texts or voicemail "
                                 "ticked, an email address, or letters to an address. If there is no safe way, "
                                 "tick the box below to say so."))

    def validate_address(self, field):
        if self.can_letter.data and not _given(field):
            raise ValidationError(_l("Give the address for letters, or untick letters."))

    def validate_no_safe_contact(self, field):
        if field.data and (_given(self.phone) or _given(self.email) or self._phone_ways() or self.can_letter.data):
            raise ValidationError(_l("You said there is no safe way to contact, but also gave a way. Untick this "
                                     "box, or remove the phone number and email address and untick the ways "
                                     "above."))

    def validate_involve_parent(self, field):
        asked = self.audience == "self" and self.age is not None and self.age < 16
        if (field.data and field.data not in dict(INVOLVE_PARENT)) or (asked and not field.data):
            raise ValidationError(_l("Choose whether to involve a parent or carer."))

    def validate_parent_may_track(self, field):
        if (field.data and field.data not in dict(YES_NO)) or (self.audience == "self" and not field.data):
            raise ValidationError(_l("Choose whether a parent or carer may follow this request."))


class ConsentForm(DraftForm):
    consent_share = BooleanField(
        _l("I agree that this request is shared with the Integrated Front Door, the NHS team that reads every "
           "request and finds the right help"),
        validators=[input_required(_l("We can only send the request if you agree to it being shared with the "
                                      "front door."))])


class SubmitForm(BaseForm):
    """The check page's button. `draft` must be the session's draft, so an old page cannot send."""

    draft = StringField()


class WorseForm(BaseForm):
    what_changed = TextAreaField(_l("What has changed?"),
                                 description=_l("A clinician at the front door will read this."),
                                 validators=[required(_l("Tell us what has changed.")), max_length(TEXT_LIMIT)])


class AnswerForm(BaseForm):
    answer = TextAreaField(_l("Your answer"), validators=[required(_l("Write your answer.")), max_length(TEXT_LIMIT)])


class TrackForm(BaseForm):
    reference = StringField(_l("Reference"), description=_l("For example FL-7KX3-9QPA. It is on the page you saw "
                                                             "when the request was sent."),
                            validators=[required(_l("Enter the reference.")), max_length(20)])
    date_of_birth = LocalDateField(_l("The young person's date of birth"),
                                   validators=[input_required(_l("Enter the young person's date of birth."))])


class TriageForm(BaseForm):
    status = SelectField(_l("Status"), choices=[], validators=[input_required()])
    thrive_group = SelectField(_l("Needs-based grouping"), choices=[], validators=[Optional()], validate_choice=False)
    service_id = SelectField(_l("Service or offer"), choices=[], validators=[Optional()], validate_choice=False)
    note_for_requester = TextAreaField(_l("Note the requester will see (optional)"),
                                       validators=[max_length(TEXT_LIMIT)])
    question = TextAreaField(_l("Question for the requester"),
                             description=_l("Needed when more information is needed: they answer it in the app."),
                             validators=[max_length(TEXT_LIMIT)])

    def validate_question(self, field):
        if self.status.data == "more_information_needed" and not (field.data or "").strip():
            raise ValidationError(_l("Write the question the requester should answer."))


class ReviewedForm(BaseForm):
    """Marks a "things have got worse" flag as looked at."""
