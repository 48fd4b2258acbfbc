"""Bases and postcode districts: loading the data files and finding the nearest base.

No geolocation: a person types a postcode district ("NR2", or a full postcode, of which we keep only the
district and never store it), and bases are put in order of straight-line distance from its centroid.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select

from webapp.accounts.roles import Role, has_role
from webapp.bookings.models import BaseStaff, CommunityBase
from webapp.database import assign_fields
from webapp.extensions import db

DATA = Path(__file__).resolve().parent / "data"
DISTRICT = re.compile(r"^\s*([A-Z]{1,2}[0-9][0-9A-Z]?)(?:\s*[0-9][A-Z]{2})?\s*$")
BASE_FIELDS = ("name", "kind", "town", "address", "postcode_district", "latitude", "longitude", "getting_there",
               "accessibility", "opening_hours", "min_age", "max_age")


@dataclass(frozen=True)
class District:
    code: str
    latitude: float
    longitude: float
    place: str


@lru_cache(maxsize=1)
def districts() -> dict[str, District]:
    lines = (DATA / "postcode_districts.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return {row["district"]: District(row["district"], float(row["latitude"]), float(row["longitude"]),
                                      row["place"]) for row in rows}


def parse_district(text: str) -> str | None:
    """"nr2", "NR2 1AB", " Nr2 " -> "NR2"; anything else -> None."""
    match = DISTRICT.match((text or "").upper())
    return match.group(1) if match else None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), plenty for "which base is nearer"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def all_bases() -> list[CommunityBase]:
    return list(db.session.scalars(select(CommunityBase).order_by(CommunityBase.kind.desc(), CommunityBase.name)))


def base_by_slug(slug: str) -> CommunityBase | None:
    return db.session.scalar(select(CommunityBase).where(CommunityBase.slug == slug))


def nearest_bases(district_code: str) -> list[tuple[CommunityBase, float]]:
    """Every base with its distance in km from the district's centroid, nearest first."""
    district = districts()[district_code]
    ranked = [(base, distance_km(district.latitude, district.longitude, base.latitude, base.longitude))
              for base in all_bases()]
    return sorted(ranked, key=lambda pair: pair[1])


def load_bases(path: Path | None = None) -> int:
    """Add or update bases from the YAML file, keyed by slug (bases missing from the file are kept)."""
    entries = yaml.safe_load((path or DATA / "bases.yaml").read_text(encoding="utf-8"))["bases"]
    existing = {base.slug: base for base in db.session.scalars(select(CommunityBase))}
    for entry in entries:
        base = existing.get(entry["slug"]) or CommunityBase(slug=entry["slug"])
        assign_fields(base, entry, BASE_FIELDS)
        base.is_demo = bool(entry.get("demo", True))
        db.session.add(base)
    db.session.flush()
    return len(entries)


def bases_run_by(user) -> list[CommunityBase]:
    """The bases this staff member may manage: all for admins, their own for base staff."""
    query = select(CommunityBase).order_by(CommunityBase.name)
    if not has_role(user, Role.ADMIN):
        query = query.join(BaseStaff, BaseStaff.base_id == CommunityBase.id).where(BaseStaff.user_id == user.id)
    return list(db.session.scalars(query))


def may_manage(user, base_id: int) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    if not has_role(user, Role.BASE_STAFF):
        return False
    return db.session.get(BaseStaff, (user.id, base_id)) is not None


def assign_staff(user_id: int, base_id: int) -> None:
    if db.session.get(BaseStaff, (user_id, base_id)) is None:
        db.session.add(BaseStaff(user_id=user_id, base_id=base_id))


def unassign_staff(user_id: int, base_id: int) -> None:
    link = db.session.get(BaseStaff, (user_id, base_id))
    if link is not None:
        db.session.delete(link)


def staff_assignments() -> list[tuple[BaseStaff, str, str]]:
    from webapp.accounts.models import User

    rows = db.session.execute(
        select(BaseStaff, User.email, CommunityBase.name).join(User, User.id == BaseStaff.user_id)
        .join(CommunityBase, CommunityBase.id == BaseStaff.base_id).order_by(CommunityBase.name, User.email))
    return [(link, email, name) for link, email, name in rows]


def save_base(base: CommunityBase, values: dict) -> CommunityBase:
    """Add a base (a new `CommunityBase(slug=...)`) or change one, from values the admin's service has
    checked. The slug is never among them: it is in the base's public address and keys `load-bases`."""
    assign_fields(base, values, (*BASE_FIELDS, "is_demo"))
    db.session.add(base)
    db.session.flush()
    return base


def bases_of_staff(user_ids: list[int]) -> dict[int, list[str]]:
    """user id -> the names of the bases they run, for the admin's list of staff."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(BaseStaff.user_id, CommunityBase.name).join(CommunityBase, CommunityBase.id == BaseStaff.base_id)
        .where(BaseStaff.user_id.in_(user_ids)).order_by(CommunityBase.name))
    found: dict[int, list[str]] = {}
    for user_id, name in rows:
        found.setdefault(user_id, []).append(name)
    return found
