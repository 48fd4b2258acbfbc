"""Demo data for Norfolk & Waveney: every package adds its part through `hooks.demo_seeders`."""

from __future__ import annotations

import logging
import os

from sqlalchemy import func, select

from webapp.accounts import service as accounts
from webapp.accounts.models import User
from webapp.accounts.roles import Role
from webapp.extensions import db
from webapp.hooks import hooks_for

log = logging.getLogger("flourish.demo")

# Demo sign-ins, printed by `make run` and listed in the README. Never used outside development.
DEMO_PASSWORD = os.environ.get("FLOURISH_DEMO_PASSWORD", "flourish-demo-2026")
DEMO_ACCOUNTS = (
    ("young.person@demo.flourish", Role.YOUNG_PERSON, "Sam"),
    ("parent@demo.flourish", Role.PARENT, "Alex"),
    ("professional@demo.flourish", Role.PROFESSIONAL, "Dr Patel"),
    ("base.staff@demo.flourish", Role.BASE_STAFF, "Jo"),
    ("clinician@demo.flourish", Role.CLINICIAN, "Priya"),
    ("admin@demo.flourish", Role.ADMIN, "Admin"),
)


def database_is_empty() -> bool:
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def seed_accounts() -> None:
    from datetime import date

    for email, role, name in DEMO_ACCOUNTS:
        if accounts.find_by_email(email):
            continue
        user = accounts.create_user(email=email, role=role, password=DEMO_PASSWORD, display_name=name)
        if role == Role.YOUNG_PERSON:
            user.date_of_birth = date(2010, 5, 14)
        _prove_demo_email(user)


def _prove_demo_email(user: User) -> None:
    """Demo accounts' emails count as proved, so the demo shows every message they would get."""
    from webapp.accounts import verification

    try:
        verification.record_proof(user.id, "email", user.email)
    except ValueError:
        log.info("demo email not recorded as proved account=%s", user.id)


def seed() -> None:
    for name, seeder in hooks_for().demo_seeders:
        seeder()
        db.session.commit()
        log.info("demo data loaded part=%s", name)
