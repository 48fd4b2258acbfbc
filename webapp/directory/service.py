"""The services directory: the data file, and the allocatable services in the database."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp import data
from webapp.database import assign_fields
from webapp.directory.models import THRIVE_GROUPS, Service
from webapp.extensions import db

THRIVE_GROUP_NAMES = {
    "getting_advice": _l("Getting Advice"),
    "getting_help": _l("Getting Help"),
    "getting_more_help": _l("Getting More Help"),
    "getting_risk_support": _l("Getting Risk Support"),
}
# The needs-based groupings as people would say them, the THRIVE name beside (issue 15, item 3).
PLAIN_GROUP_NAMES = {
    "getting_advice": _l("Advice and information"),
    "getting_help": _l("Short-term help"),
    "getting_more_help": _l("Specialist help"),
    "getting_risk_support": _l("Help to keep safe in a crisis"),
}
GROUP_NAMES = {group: _l("%(plain)s (THRIVE: %(thrive)s)", plain=PLAIN_GROUP_NAMES[group],
                         thrive=THRIVE_GROUP_NAMES[group]) for group in THRIVE_GROUPS}
if not set(THRIVE_GROUP_NAMES) == set(PLAIN_GROUP_NAMES) == set(THRIVE_GROUPS):
    raise RuntimeError("every THRIVE grouping needs a display name")


def directory_entries(scope: str | None = None) -> list[dict[str, Any]]:
    """Every entry of services.yaml (local and national), optionally of one scope."""
    return [entry for entry in data.load("services") if scope is None or entry.get("scope") == scope]


def sync_services_from_data() -> int:
    """Create or update the allocatable services from the data file. Returns how many."""
    count = 0
    for entry in directory_entries():
        if not entry.get("allocatable"):
            continue
        service = db.session.get(Service, entry["id"]) or Service(id=entry["id"])
        service.name = entry["name"]
        service.thrive_group = entry["thrive_group"]
        service.description = entry.get("description", "")
        service.min_age = entry.get("min_age", 0)
        service.max_age = entry.get("max_age", 25)
        service.waiting_list = entry.get("waiting_list", True)
        service.how_to_get = entry.get("how_to_get")
        service.active = True
        db.session.add(service)
        count += 1
    return count


def services(active_only: bool = True) -> list[Service]:
    query = select(Service).order_by(Service.thrive_group, Service.name)
    if active_only:
        query = query.where(Service.active.is_(True))
    return list(db.session.scalars(query))


def get_service(service_id: str) -> Service | None:
    return db.session.get(Service, service_id)


def set_wait_note(service_id: str, *, wait_note: str | None = None, paused: bool | None = None,
                  paused_reason: str | None = None) -> Service:
    """The IFD's correction of what people are told about a service's wait (or a pause, with why)."""
    service = db.session.get(Service, service_id)
    if service is None:
        raise LookupError(service_id)
    if wait_note is not None:
        service.wait_note = wait_note.strip() or None
    if paused is not None:
        service.paused = paused
        service.paused_reason = (paused_reason or "").strip() or None if paused else None
    return service


SERVICE_FIELDS = ("name", "thrive_group", "description", "min_age", "max_age", "active", "wait_note", "paused",
                  "paused_reason")


def save_service(service: Service, values: dict[str, Any]) -> Service:
    """Add a service (a new `Service(id=...)`) or change one, from values the admin's service has
    checked. The id is never among them: the front door's system and past requests refer to it."""
    assign_fields(service, values, SERVICE_FIELDS)
    if not service.paused:
        service.paused_reason = None
    db.session.add(service)
    db.session.flush()
    return service
