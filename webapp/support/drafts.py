"""The request form as a server-side draft: its steps, what was typed, and the answers it makes.

What someone types on a step is kept in the draft exactly as sent (even when it does not pass
yet), so a failed submit, a reload, going back or a dropped connection loses nothing. At the
check page and on sending, every step is validated again from the draft on the server.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from webapp import clock
from webapp.accounts.roles import PUBLIC_ROLES, Role, has_role
from webapp.extensions import db
from webapp.forms import date_from_form_values
from webapp.support import forms
from webapp.support.ages import YOUNGEST_DECIDING_ABOUT_PARENTS, age_today
from webapp.support.models import RequestDraft

DRAFT_KEPT_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Step:
    name: str  # the URL segment
    title: Any
    form_class: type[forms.DraftForm]
    applies: Callable[[dict], bool] = lambda answers: True
    title_for_self: Any = None  # the title when a young person asks for themselves, if it differs

    def title_for(self, audience: str) -> Any:
        """The step's title as its person reads it (the page, its browser title, the check page)."""
        return self.title_for_self if audience == "self" and self.title_for_self else self.title


def _requester_type(answers: dict) -> str | None:
    return answers.get("requester_type")


STEPS: tuple[Step, ...] = (
    Step("who", _l("Who is asking"), forms.WhoForm),
    Step("about-you", _l("About you"), forms.ParentForm, lambda a: _requester_type(a) == "parent"),
    Step("about-you-professional", _l("About you"), forms.ProfessionalForm,
         lambda a: _requester_type(a) == "professional"),
    Step("young-person", _l("About the young person"), forms.YoungPersonForm, title_for_self=_l("About you")),
    Step("safety", _l("Staying safe"), forms.RiskForm),
    Step("your-story", _l("What is happening"), forms.StoryForm),
    Step("about-me", _l("About me"), forms.AboutMeForm, lambda a: _requester_type(a) == "young_person"),
    Step("contact", _l("Contact and communication"), forms.ContactForm),
    Step("consent", _l("Sharing"), forms.ConsentForm),
)
STEPS_BY_NAME = {step.name: step for step in STEPS}


# -- storage ------------------------------------------------------------------------------------

def new_draft(user_id: int | None) -> RequestDraft:
    now = clock.now()
    draft = RequestDraft(id=secrets.token_urlsafe(32), user_id=user_id, answers={}, created_at=now, updated_at=now)
    db.session.add(draft)
    db.session.flush()
    return draft


def get_draft(draft_id: str | None) -> RequestDraft | None:
    if not draft_id or not isinstance(draft_id, str) or len(draft_id) > 43:
        return None
    draft = db.session.get(RequestDraft, draft_id)
    if draft is None or clock.now() - draft.updated_at > DRAFT_KEPT_FOR:
        return None
    return draft


def save_input(draft: RequestDraft, step: Step, formdata: MultiDict) -> None:
    """Keep what was typed on this step, field by field, as given (valid or not)."""
    fields = [name for field in step.form_class(formdata=None, meta={"csrf": False})
              if field.type != "CSRFTokenField" for name in getattr(field, "input_names", (field.name,))]
    kept = {name: [value[:5000] for value in formdata.getlist(name)][:20] for name in fields if name in formdata}
    inputs = dict(draft.answers or {})
    inputs[step.name] = kept
    draft.answers = inputs  # a new dict, so the JSON column sees the change
    draft.updated_at = clock.now()


def stored_input(draft: RequestDraft, step: Step) -> MultiDict | None:
    kept = (draft.answers or {}).get(step.name)
    if kept is None:
        return None
    return MultiDict([(name, value) for name, values in kept.items() for value in values])


def delete_old_drafts() -> int:
    """Worker job: unsent drafts no one has touched for DRAFT_KEPT_FOR go (sent ones go at once)."""
    cutoff = clock.now() - DRAFT_KEPT_FOR
    result = db.session.execute(delete(RequestDraft).where(RequestDraft.updated_at < cutoff))
    return result.rowcount or 0


# -- the steps and their forms -------------------------------------------------------------------

def _first_values(draft: RequestDraft, step_name: str) -> dict[str, str]:
    kept = (draft.answers or {}).get(step_name) or {}
    return {name: values[0] for name, values in kept.items() if values}


def quick_answers(draft: RequestDraft) -> dict[str, str]:
    """The few raw answers that decide which steps apply (who is asking)."""
    return _first_values(draft, "who")


def audience(draft: RequestDraft) -> str:
    return "self" if quick_answers(draft).get("requester_type") == "young_person" else "other"


def young_person_age(draft: RequestDraft) -> int | None:
    born = date_from_form_values(_first_values(draft, "young-person"), "date_of_birth")
    return age_today(born) if born else None


def applicable_steps(draft: RequestDraft) -> list[Step]:
    answers = quick_answers(draft)
    return [step for step in STEPS if step.applies(answers)]


def make_form(draft: RequestDraft, step: Step, formdata: MultiDict | None = None, csrf: bool = True):
    """The step's form, filled from `formdata` (a POST) or else from what the draft holds."""
    data = formdata if formdata is not None else stored_input(draft, step)
    kwargs: dict[str, Any] = {"audience": audience(draft)}
    if step.form_class is forms.ContactForm:
        kwargs["age"] = young_person_age(draft)
        kwargs["requester"] = quick_answers(draft).get("requester_type")
    if not csrf:
        kwargs["meta"] = {"csrf": False}
    return step.form_class(formdata=data, **kwargs)


def validated_forms(draft: RequestDraft) -> tuple[dict[str, Any], Step | None]:
    """Every applicable step's form rebuilt from the draft and validated; and the first that fails."""
    result: dict[str, Any] = {}
    first_bad = None
    for step in applicable_steps(draft):
        form = make_form(draft, step, formdata=stored_input(draft, step) or MultiDict(), csrf=False)
        if not form.validate() and first_bad is None:
            first_bad = step
        result[step.name] = form
    return result, first_bad


def next_step(draft: RequestDraft, current: Step) -> Step | None:
    steps = applicable_steps(draft)
    names = [s.name for s in steps]
    if current.name not in names:
        return steps[0]
    index = names.index(current.name)
    return steps[index + 1] if index + 1 < len(steps) else None


def previous_step(draft: RequestDraft, current: Step) -> Step | None:
    steps = applicable_steps(draft)
    names = [s.name for s in steps]
    if current.name not in names or names.index(current.name) == 0:
        return None
    return steps[names.index(current.name) - 1]


# Each risk question's situation, as the crisis lines name it (webapp/data/crisis_lines.yaml).
RISK_SITUATIONS = {"risk_ending_life": "suicidal_thoughts", "risk_self_harm": "self_harm",
                   "risk_unsafe_tonight": "unsafe_tonight", "risk_being_hurt": "being_hurt"}
RISK_ANSWERS = ("yes", forms.NOT_SURE)  # "not sure" is a possible risk: urgent help, and marked urgent


def any_risk(values: dict[str, Any]) -> bool:
    return any(values.get(name) in RISK_ANSWERS for name in forms.RISK_FIELDS)


def risk_situations(values: dict[str, Any]) -> list[str]:
    """The situations answered yes or not sure, in the order the questions are asked."""
    return [RISK_SITUATIONS[name] for name in forms.RISK_FIELDS if values.get(name) in RISK_ANSWERS]


def draft_risk_situations(draft: RequestDraft) -> list[str]:
    """The situations the draft's safety answers point to (as typed, valid or not)."""
    return risk_situations(_first_values(draft, "safety"))


# -- the answers a draft makes ---------------------------------------------------------------------

def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, date):
        return value.isoformat()
    return value


def answers_from(validated: dict[str, Any]) -> dict[str, Any]:
    """One flat dict of every answer, cleaned (the request's `answers`, and the FHIR record's source).

    `goals` is a list of up to three strings: the goals capability reads it.
    """
    answers: dict[str, Any] = {}
    for form in validated.values():
        asked = getattr(form, "asked", lambda name: True)
        for field in form:
            if field.type in ("CSRFTokenField", "SubmitField") or not asked(field.name):
                continue
            answers[field.name] = _clean(field.data)
    answers["goals"] = [answers.pop(name) for name in ("goal_1", "goal_2", "goal_3") if answers.get(name)]
    if answers.get("postcode"):
        answers["postcode"] = forms.normalise_postcode(answers["postcode"])
    for name in ("phone", "requester_phone"):
        if answers.get(name):
            answers[name] = forms.normalise_phone(answers[name])
    if answers.get("nhs_number"):
        answers["nhs_number"] = answers["nhs_number"].replace(" ", "")
    if answers.get("requester_type") != "young_person":
        answers.pop("involve_parent", None)
        answers.pop("parent_may_track", None)
    elif (age_today(date.fromisoformat(answers["date_of_birth"])) >= YOUNGEST_DECIDING_ABOUT_PARENTS):
        answers.pop("involve_parent", None)
    return answers


def _texts(draft_audience: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for step in STEPS:
        form = step.form_class(formdata=None, meta={"csrf": False}, audience=draft_audience)
        for field in form:
            if field.type != "CSRFTokenField":
                texts[field.name] = str(field.label.text)
    texts["goals"] = str(_l("What would you like to be different? (up to three things)"))
    # Asked of professionals before they said whether the young person and family know (older requests).
    texts["consent_confirmed"] = str(_l("The young person agreed to this request (or, if they cannot decide for "
                                        "themselves, their parent or carer did)"))
    return texts


def question_texts(draft_audience: str, english: bool = True) -> dict[str, str]:
    """Each answer's question, in English as the front door reads it (QuestionnaireResponse.item.text)."""
    if not english:
        return _texts(draft_audience)
    with force_locale("en"):
        return _texts(draft_audience)


def contact_texts(answers: dict[str, Any], english: bool = True) -> dict[str, str]:
    """The contact step's questions as this request's requester was asked them: a professional gave the
    young person's phone number, or (under 16) a parent or carer's, not their own."""
    from webapp.support.contact import PARENT_CARER, contact_person

    def texts() -> dict[str, str]:
        form = forms.ContactForm(formdata=None, meta={"csrf": False}, requester=answers.get("requester_type"),
                                 audience="self" if answers.get("requester_type") == "young_person" else "other",
                                 family=answers.get("requester_type") == "professional"
                                 and contact_person(answers) == PARENT_CARER)
        return {field.name: str(field.label.text) for field in form if field.type != "CSRFTokenField"}

    if not english:
        return texts()
    with force_locale("en"):
        return texts()


def choice_labels() -> dict[tuple[str, str], Any]:
    labels: dict[tuple[str, str], Any] = {}
    for step in STEPS:
        for field in step.form_class(formdata=None, meta={"csrf": False}):
            for value, label in getattr(field, "choices", None) or []:
                labels[(field.name, value)] = label
    return labels


def shown(name: str, value: Any, labels: dict[tuple[str, str], Any]) -> Any:
    """An answer as a person reads it."""
    from webapp.i18n import local_date

    if value is None or value == "" or value == []:
        return _l("Not given")
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if isinstance(value, list):
        return ", ".join(str(labels.get((name, v), v)) for v in value)
    if isinstance(value, date):
        return local_date(value)
    if name == "date_of_birth":
        return local_date(date.fromisoformat(value))
    return labels.get((name, value), value)


def summary(validated: dict[str, Any]) -> list[dict[str, Any]]:
    """The check page: each step with its questions and answers, and where to change them."""
    labels = choice_labels()
    sections = []
    for step_name, form in validated.items():
        asked = getattr(form, "asked", lambda name: True)
        rows = [(field.label.text, shown(field.name, field.data, labels), field.id)
                for field in form if field.type != "CSRFTokenField" and asked(field.name)
                and not (field.name in ("involve_parent", "parent_may_track") and form.audience != "self")
                and not (field.name == "involve_parent" and (getattr(form, "age", None) or 0) >= 16)]
        step = STEPS_BY_NAME[step_name]
        sections.append({"step": step, "title": step.title_for(form.audience), "rows": rows})
    return sections


def answer_rows(answers: dict[str, Any], texts: dict[str, str]) -> list[tuple[str, Any]]:
    """A sent request's answers as (question, answer), for the page to keep or print."""
    labels = choice_labels()
    texts = {**texts, **contact_texts(answers, english=False)}
    order = {name: index for index, name in enumerate(_field_order())}
    names = sorted(answers, key=lambda n: (order.get(n, len(order)), n))
    return [(texts.get(name, name), shown(name, answers[name], labels)) for name in names]


def _field_order() -> list[str]:
    """Every answer's name in the order the form asks it (`goals` where the three goals are)."""
    names: list[str] = []
    for step in STEPS:
        for field in step.form_class(formdata=None, meta={"csrf": False}):
            if field.type == "CSRFTokenField":
                continue
            if field.name.startswith("goal_"):
                if "goals" not in names:
                    names.append("goals")
                continue
            if field.name not in names:
                names.append(field.name)
    return names


def drafts_for_export(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(RequestDraft).where(RequestDraft.user_id == user_id,
                                                         RequestDraft.submitted_request_id.is_(None)))
    return [{"started_at": d.created_at.isoformat(), "typed_so_far": d.answers} for d in rows]


# -- asked once (#21 item 7): what a signed-in person's account already knows ----------------------

def account_answers(user) -> dict[str, dict[str, str]]:
    """What the account knows, by step and field: who is asking, a young person's date of birth, the
    email address (a professional's work address), a professional's organisation. Only the roles that
    ask for support themselves (`PUBLIC_ROLES`) have answers: staff and anyone signed out none."""
    if not has_role(user, *PUBLIC_ROLES):
        return {}
    known: dict[str, dict[str, str]] = {"who": {"requester_type": str(user.role)}}
    if has_role(user, Role.YOUNG_PERSON) and user.date_of_birth:
        known["young-person"] = {"date_of_birth": user.date_of_birth.isoformat()}
    if has_role(user, Role.PROFESSIONAL):
        known["about-you-professional"] = {"requester_email": user.email,
                                           **({"organisation": user.organisation} if user.organisation else {})}
    else:
        known["contact"] = {"email": user.email}
    return known


def prefill_from_account(draft: RequestDraft, user) -> None:
    """A new draft starts with what the account knows, so it is shown for checking, not asked again."""
    answers = dict(draft.answers or {})
    for step_name, values in account_answers(user).items():
        answers[step_name] = {**answers.get(step_name, {}), **{name: [value] for name, value in values.items()}}
    draft.answers = answers


def from_account(draft: RequestDraft, step: Step, user) -> dict[str, str]:
    """This step's fields still holding the account's value: shown as a line to check, with a change link."""
    known = account_answers(user).get(step.name, {})
    kept = (draft.answers or {}).get(step.name) or {}
    return {name: value for name, value in known.items() if kept.get(name) == [value]}


def start_for(user) -> RequestDraft:
    """A new draft for whoever is asking (theirs when signed in), starting with what their account knows."""
    draft = new_draft(user.id if getattr(user, "is_authenticated", False) else None)
    prefill_from_account(draft, user)
    return draft


def first_step(draft: RequestDraft, user) -> Step:
    """Where the form starts: who is asking, unless the account already says (then the step after it;
    the answer is there on Back, to check or change)."""
    steps = applicable_steps(draft)
    if len(steps) > 1 and from_account(draft, steps[0], user):
        return steps[1]
    return steps[0]


def keep_account_answers(draft: RequestDraft, step: Step, formdata: MultiDict, user) -> MultiDict:
    """The page sent without the fields shown as "from your account": add them back from the draft."""
    shown = from_account(draft, step, user)
    missing = {name: value for name, value in shown.items()
               if not any(key == name or key.startswith(f"{name}-") for key in formdata)}
    if not missing:
        return formdata
    merged = MultiDict(formdata)
    for name, value in missing.items():
        merged.add(name, value)
    return merged
