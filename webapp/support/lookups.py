"""/track look-ups, shown to the young person on their timeline (#21 item 9).

A parent or carer (or anyone with the reference and the date of birth) can follow a request on
/track when the young person allowed it. Each look-up is kept as a time only, no IP address,
device or name, so the young person sees "Someone looked up your request ..." and is never
followed unseen.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.i18n import local_date
from webapp.support.models import SupportRequest, TrackLookup
from webapp.support.service import TimelineEntry


def record_lookup(req: SupportRequest) -> TrackLookup:
    lookup = TrackLookup(request_id=req.id, looked_up_at=clock.now())
    db.session.add(lookup)
    return lookup


def shown_to_young_person(req: SupportRequest, via_track: bool) -> bool:
    """Look-ups are for the young person who asked for themselves, on their own signed-in timeline."""
    return not via_track and req.requester_type == "young_person"


def lookup_entries(req: SupportRequest) -> list[TimelineEntry]:
    times = db.session.scalars(select(TrackLookup.looked_up_at).where(TrackLookup.request_id == req.id)
                               .order_by(TrackLookup.looked_up_at))
    return [TimelineEntry(at, _("Someone looked up your request with its reference on %(date)s",
                                date=local_date(at)),
                          _l("Someone used your request's reference and your date of birth to see its progress "
                             "on the Track a request page. If that was not you or someone you expected, talk to "
                             "the front door or raise a privacy concern."))
            for at in times]


def export_for(user) -> list[dict]:
    rows = db.session.execute(
        select(SupportRequest.reference, TrackLookup.looked_up_at).join(TrackLookup)
        .where(SupportRequest.requester_user_id == user.id).order_by(TrackLookup.looked_up_at))
    return [{"request": reference, "looked_up_at": at.isoformat()} for reference, at in rows]
