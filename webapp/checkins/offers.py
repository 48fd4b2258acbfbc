"""Help that fits, offered to everyone waiting within a week of asking (at the worker's next pass after
sending): the self-help topics and tools that match what they told us, the drop-ins near them they can
book now, and the services they can contact themselves that fit their age and what it is about.

Each item carries "this helped / didn't help"; the offer and each answer are rows (appended, never
rewritten), counted in the leaders' figures and in the front door's record (each answer sends it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db
from webapp.i18n import N_
from webapp.support import service as support
from webapp.support.ages import age_today
from webapp.support.models import SupportRequest

MOST_ITEMS_PER_KIND = 3
ALWAYS_TOOLS = ("breathing", "grounding")


class HelpOffer(db.Model):
    """The list offered to one request (one per request: the unique key makes a second impossible)."""

    __tablename__ = "help_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), unique=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    # ["topic:worry", "tool:breathing", "base:norwich-one-stop-shop", "service:kooth"], in the order shown.
    items: Mapped[list] = mapped_column(JSON, default=list)


class HelpFeedback(db.Model):
    """One "this helped / didn't help" (appended; the latest for an item is what counts)."""

    __tablename__ = "help_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("help_offers.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(80))
    helped: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


def _age_key(age: int) -> str:
    from webapp.selfhelp.service import AGE_BANDS

    return next(key for key, _label, low, high in AGE_BANDS if low <= age <= high)


def items_for(req: SupportRequest) -> list[str]:
    """What fits this request: topics and tools from what it is about, the nearest drop-ins with a
    free place, and services they can contact themselves that fit their age and topics."""
    from webapp.selfhelp.content import topic
    from webapp.selfhelp.service import Answers, suggest

    answers = req.answers or {}
    situations = [slug for slug in answers.get("topics") or [] if topic(slug, "en") is not None] or ["low-mood"]
    age = min(age_today(req.young_person_date_of_birth), 26)
    age_key = _age_key(age)
    topics, tools, services = [], list(ALWAYS_TOOLS), []
    for situation in situations:
        found = suggest(Answers(situation=situation, urgency="ideas", age=age_key, area="not-say"), "en")
        if found.topic is not None:
            topics.append(found.topic.slug)
        tools += [tool.slug for tool in found.tools]
        # Their own age, not only its band: 18 to 25 is one band, but Childline is for under 19s.
        services += [signpost.id for signpost in found.national if signpost.fits_age(age, age)]
    unique = lambda values: list(dict.fromkeys(values))[:MOST_ITEMS_PER_KIND]  # noqa: E731 - local shorthand
    return ([f"topic:{slug}" for slug in unique(topics)] + [f"tool:{slug}" for slug in unique(tools)]
            + [f"base:{slug}" for slug in _bases_with_places(answers.get("postcode"))]
            + [f"service:{sid}" for sid in unique(services)])


def _bases_with_places(postcode: str | None) -> list[str]:
    from webapp.bookings.places import nearest_bases, parse_district
    from webapp.bookings.rules import next_free_slots

    district = parse_district(postcode or "")
    if district is None:
        return []
    found = []
    for base, _km in nearest_bases(district):
        if next_free_slots(base.id, limit=1):
            found.append(base.slug)
        if len(found) == 2:
            break
    return found


def offer_due() -> int:
    """Worker job: an offer for every request waiting without one (so within a week of asking, and in
    practice at the next pass). Any number of workers: the unique request_id lets one win."""
    waiting = db.session.scalars(
        select(SupportRequest).outerjoin(HelpOffer, HelpOffer.request_id == SupportRequest.id)
        .where(HelpOffer.id.is_(None), SupportRequest.status.in_(support.WAITING),
               SupportRequest.fhir_record.is_not(None)).order_by(SupportRequest.id).limit(500)).all()
    made = 0
    for req in waiting:
        made += _offer(req)
        db.session.commit()
    return made


def _offer(req: SupportRequest) -> bool:
    support.lock(req)
    if db.session.scalar(select(HelpOffer.id).where(HelpOffer.request_id == req.id)) is not None:
        return False
    savepoint = db.session.begin_nested()
    try:
        db.session.add(HelpOffer(request_id=req.id, offered_at=clock.now(), items=items_for(req)))
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    _notify(req)
    # The record the front door pulls now lists the offer; no webhook update of its own (it would double
    # every request's deliveries): it rides with the next update, and what helped sends one.
    support.refresh_record(req)
    return True


def _notify(req: SupportRequest) -> None:
    if req.requester_user_id is None:
        return
    from webapp.notifications.models import REQUEST_UPDATE
    from webapp.notifications.service import schedule

    schedule(user_id=req.requester_user_id, kind=REQUEST_UPDATE, due_at=clock.now(),
             title=N_("Help while you wait"),
             body=N_("Some things chosen for you to try while you wait (%(reference)s)."),
             params={"reference": req.reference}, url=f"/request-support/my-requests/{req.reference}#help-that-fits",
             subject_type="help_offer", subject_id=req.id, topic=f"help-offer-{req.id}")


def offer_of(req: SupportRequest) -> HelpOffer | None:
    return db.session.scalar(select(HelpOffer).where(HelpOffer.request_id == req.id))


def feedback_of(offer: HelpOffer) -> dict[str, bool]:
    """The latest "helped or not" for each item."""
    latest: dict[str, bool] = {}
    for row in db.session.scalars(select(HelpFeedback).where(HelpFeedback.offer_id == offer.id)
                                  .order_by(HelpFeedback.at, HelpFeedback.id)):
        latest[row.item] = row.helped
    return latest


def give_feedback(req: SupportRequest, item: str, helped: bool) -> bool:
    """Record one answer for an item of this request's offer; False for an item it was never offered."""
    support.lock(req)
    offer = offer_of(req)
    if offer is None or item not in offer.items:
        return False
    db.session.add(HelpFeedback(offer_id=offer.id, item=item, helped=helped, at=clock.now()))
    db.session.flush()
    support.send_update(req)
    return True


@dataclass(frozen=True)
class ShownItem:
    key: str
    title: str
    url: str
    helped: bool | None


def shown_items(offer: HelpOffer, lang: str) -> list[ShownItem]:
    """Each item with its title in the person's language and where it leads."""
    from flask import url_for
    from flask_babel import gettext as _

    from webapp.bookings.places import base_by_slug
    from webapp.selfhelp.content import topic
    from webapp.selfhelp.service import signposts
    from webapp.selfhelp.tools import TOOLS_BY_SLUG

    feedback = feedback_of(offer)
    services = {s.id: s for s in signposts()}
    shown = []
    for key in offer.items:
        kind, _sep, value = key.partition(":")
        if kind == "topic" and (found := topic(value, lang)) is not None:
            shown.append(ShownItem(key, found.title, url_for("selfhelp.topic", slug=value), feedback.get(key)))
        elif kind == "tool" and value in TOOLS_BY_SLUG:
            tool = TOOLS_BY_SLUG[value]
            shown.append(ShownItem(key, str(tool.title), url_for(tool.endpoint), feedback.get(key)))
        elif kind == "base" and (base := base_by_slug(value)) is not None:
            shown.append(ShownItem(key, _("Drop in at %(base)s", base=_(base.name)),
                                   url_for("bookings.base", slug=value), feedback.get(key)))
        elif kind == "service" and value in services:
            shown.append(ShownItem(key, _(services[value].name), url_for("selfhelp.services") + f"#service-{value}",
                                   feedback.get(key)))
    return shown


def export_for(user) -> list[dict]:
    """What was offered to help while waiting, on each of this person's requests, and what they said
    helped, for "download my data" (titles in the reader's language)."""
    from webapp.i18n import current_language

    offers = db.session.execute(
        select(SupportRequest.reference, HelpOffer).join(HelpOffer, HelpOffer.request_id == SupportRequest.id)
        .where(SupportRequest.requester_user_id == user.id).order_by(HelpOffer.offered_at, HelpOffer.id))
    return [{"request": reference, "offered_at": offer.offered_at.isoformat(),
             "offered": [{"title": item.title, "helped": item.helped}
                         for item in shown_items(offer, current_language())]}
            for reference, offer in offers]


def record_items(req: SupportRequest) -> list[dict]:
    """The offer and what helped, for the front door's record."""
    offer = offer_of(req)
    if offer is None:
        return []
    feedback = feedback_of(offer)
    words = {True: "helped", False: "did not help"}
    answers = [{"valueString": f"{item}" + (f" ({words[feedback[item]]})" if item in feedback else "")}
               for item in offer.items]
    return [{"linkId": "help-offered", "text": f"Help offered while waiting ({offer.offered_at.isoformat()})",
             **({"answer": answers} if answers else {})}]
