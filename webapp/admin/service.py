"""Administration: staff accounts, services, bases and system health.

Plain functions over the database session; no `request` here. Every change is audited (ids only)
and every rule an admin's input breaks comes back as `AdminErrors` (field -> message) for the form.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp import audit, clock
from webapp.accounts import service as accounts
from webapp.accounts import two_factor
from webapp.accounts.models import TwoFactorCredential, User
from webapp.accounts.roles import STAFF_ROLES, Role
from webapp.bookings import places
from webapp.bookings.models import COMMUNITY_BASE, ONE_STOP_SHOP, CommunityBase
from webapp.bookings.places import BASE_FIELDS
from webapp.directory import service as directory
from webapp.directory.models import Service
from webapp.directory.service import SERVICE_FIELDS, THRIVE_GROUP_NAMES
from webapp.extensions import db

log = logging.getLogger("flourish.admin")

STAFF_ROLE_NAMES = {
    "base_staff": _l("Community base staff"),
    "clinician": _l("Front door clinician"),
    "admin": _l("Administrator"),
}
BASE_KIND_NAMES = {ONE_STOP_SHOP: _l("One Stop Shop (ages 14 to 25)"), COMMUNITY_BASE: _l("Community base")}
# What the admin's forms set: the fields of the data files (a base also says whether it is demo data).
SERVICE_FORM_FIELDS = SERVICE_FIELDS
BASE_FORM_FIELDS = (*BASE_FIELDS, "is_demo")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PASSWORD_GROUPS, PASSWORD_GROUP_LENGTH = 4, 5  # 20 characters, about 99 bits
# A due outbox row still not sent this long after it was due suggests the worker is not running.
OVERDUE_AFTER = timedelta(minutes=10)
# A worker passes every few seconds; one silent this long has stopped (or is stuck).
WORKER_SILENT_AFTER = timedelta(minutes=2)


class AdminErrors(ValueError):
    """What was wrong with an admin's input: {field name: message}, each shown by its field."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(", ".join(errors))
        self.errors = errors


class NotAllowed(ValueError):
    """A change an admin may not make (their own account, the last active admin)."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


# Staff accounts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffMember:
    user: User
    bases: list[str]
    authenticator: bool

    @property
    def active(self) -> bool:
        return self.user.deactivated_at is None


def _staff_roles() -> list[str]:
    return [str(role) for role in STAFF_ROLES]


def staff_accounts() -> list[StaffMember]:
    """Every staff account, active first, then by role and email (three queries in all)."""
    users = list(db.session.scalars(
        select(User).where(User.role.in_(_staff_roles()))
        .order_by(User.deactivated_at.is_not(None), User.role, User.email)))
    ids = [user.id for user in users]
    enrolled = set(db.session.scalars(select(TwoFactorCredential.user_id).where(
        TwoFactorCredential.user_id.in_(ids), TwoFactorCredential.confirmed_at.is_not(None)))) if ids else set()
    bases = places.bases_of_staff([user.id for user in users if user.role == Role.BASE_STAFF])
    return [StaffMember(user, bases.get(user.id, []), user.id in enrolled) for user in users]


def staff_member(user_id: int) -> StaffMember | None:
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff:
        return None
    bases = places.bases_of_staff([user.id]).get(user.id, []) if user.role == Role.BASE_STAFF else []
    return StaffMember(user, bases, two_factor.is_enrolled(user))


def temporary_password() -> str:
    """A strong one-time password, in groups to read out: shown once, then only its hash is kept.
    The recovery codes' alphabet: no 0/o, 1/l/i, nothing that reads as something else."""
    groups = ("".join(secrets.choice(two_factor.RECOVERY_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
              for _ in range(PASSWORD_GROUPS))
    return "-".join(groups)


def create_staff_account(actor: User, *, email: str, role: str, base_id: int | None = None) -> tuple[User, str]:
    """Make a staff account with a temporary password (returned, to show once). At their first
    sign-in they set up an authenticator app, as every staff member does."""
    errors: dict[str, Any] = {}
    email = accounts.normalise_email(email or "")
    if role not in _staff_roles():
        errors["role"] = _l("Choose what this person does.")
    if email and accounts.find_by_email(email) is not None:
        errors["email"] = _l("There is already an account with this email address.")
    if role == Role.BASE_STAFF and base_id and db.session.get(CommunityBase, base_id) is None:
        errors["base_id"] = _l("Choose a base from the list.")
    if errors:
        raise AdminErrors(errors)
    password = temporary_password()
    try:
        user = accounts.create_user(email=email, role=role, password=password, actor_id=actor.id)
    except accounts.AccountError as error:
        raise AdminErrors({error.field if error.field in ("email", "role") else "email": error.message}) from None
    user.password_must_change = True
    if role == Role.BASE_STAFF and base_id:
        places.assign_staff(user.id, base_id)
    return user, password


def new_temporary_password(actor: User, user: User) -> str:
    """A forgotten or lost password: a new temporary one (returned, to show once); every session ends."""
    if user.id == actor.id:
        raise NotAllowed(_l("Change your own password in Settings."))
    password = temporary_password()
    accounts.give_temporary_password(user, password)
    audit.record("admin.temporary_password_set", actor_id=actor.id, subject_type="user", subject_id=user.id)
    return password


def _active_admin_ids(lock: bool = False) -> list[int]:
    query = select(User.id).where(User.role == Role.ADMIN, User.deactivated_at.is_(None))
    if lock:  # PostgreSQL: two admins deactivating each other at once cannot both win
        query = query.with_for_update()
    return list(db.session.scalars(query))


def deactivate_staff(actor: User, user: User) -> None:
    """The person can no longer sign in and every session of theirs ends now."""
    if user.id == actor.id:
        raise NotAllowed(_l("You cannot deactivate your own account. Ask another administrator."))
    others = [admin_id for admin_id in _active_admin_ids(lock=True) if admin_id != user.id]
    if user.role == Role.ADMIN and user.deactivated_at is None and not others:
        raise NotAllowed(_l("This is the last active administrator. Make another administrator first."))
    accounts.deactivate(user, actor_id=actor.id)


def reactivate_staff(actor: User, user: User) -> None:
    accounts.reactivate(user, actor_id=actor.id)


def reset_second_factor(actor: User, user: User) -> None:
    """A lost phone: remove the authenticator and recovery codes and end every session; at the
    next sign-in they set up an app again."""
    if user.id == actor.id:
        raise NotAllowed(_l("You cannot reset your own two-step sign-in. Ask another administrator."))
    two_factor.reset(user)
    audit.record("admin.two_factor_reset", actor_id=actor.id, subject_type="user", subject_id=user.id)


# Services -----------------------------------------------------------------------------------------

def all_services() -> list[Service]:
    return directory.services(active_only=False)


def get_service(service_id: str) -> Service | None:
    return directory.get_service(service_id)


def _check_ages(values: dict[str, Any], errors: dict[str, Any]) -> None:
    low, high = values.get("min_age"), values.get("max_age")
    if low is not None and high is not None and low > high:
        errors["max_age"] = _l("The oldest age must be the same as or more than the youngest age.")


def _check_service(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if values.get("thrive_group") not in THRIVE_GROUP_NAMES:  # one name for each of THRIVE_GROUPS
        errors["thrive_group"] = _l("Choose a THRIVE grouping.")
    _check_ages(values, errors)
    if values.get("paused") and not (values.get("paused_reason") or "").strip():
        errors["paused_reason"] = _l("Say why the service is paused: people waiting are shown this.")
    return errors


def _clean(values: dict[str, Any], *optional_text: str) -> dict[str, Any]:
    cleaned = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
    for name in optional_text:
        if name in cleaned:
            cleaned[name] = cleaned[name] or None
    return cleaned


def add_service(actor: User, service_id: str, values: dict[str, Any]) -> Service:
    service_id = (service_id or "").strip()
    values = _clean(values, "wait_note", "paused_reason")
    errors = _check_service(values)
    if not SLUG.match(service_id):
        errors["service_id"] = _l("Use lower-case letters, numbers and hyphens only, like point-1.")
    elif directory.get_service(service_id) is not None:
        errors["service_id"] = _l("There is already a service with this id.")
    if errors:
        raise AdminErrors(errors)
    service = directory.save_service(Service(id=service_id), values)
    audit.record("admin.service_added", actor_id=actor.id, subject_type="service", subject_id=service.id)
    return service


def change_service(actor: User, service: Service, values: dict[str, Any]) -> Service:
    values = _clean(values, "wait_note", "paused_reason")
    errors = _check_service(values)
    if errors:
        raise AdminErrors(errors)
    directory.save_service(service, values)
    audit.record("admin.service_changed", actor_id=actor.id, subject_type="service", subject_id=service.id)
    return service


# Bases --------------------------------------------------------------------------------------------

def all_bases() -> list[CommunityBase]:
    return places.all_bases()


def get_base(base_id: int) -> CommunityBase | None:
    return db.session.get(CommunityBase, base_id)


def _check_base(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if values.get("kind") not in BASE_KIND_NAMES:
        errors["kind"] = _l("Choose what kind of base it is.")
    district = places.parse_district(values.get("postcode_district") or "")
    if district is None:
        errors["postcode_district"] = _l("Enter the first half of the postcode, like NR2 or PE30.")
    else:
        values["postcode_district"] = district
    _check_ages(values, errors)
    return errors


def add_base(actor: User, slug: str, values: dict[str, Any]) -> CommunityBase:
    slug = (slug or "").strip()
    values = _clean(values)
    errors = _check_base(values)
    if not SLUG.match(slug):
        errors["slug"] = _l("Use lower-case letters, numbers and hyphens only, like norwich-one-stop-shop.")
    elif places.base_by_slug(slug) is not None:
        errors["slug"] = _l("There is already a base with this web address.")
    if errors:
        raise AdminErrors(errors)
    base = places.save_base(CommunityBase(slug=slug), values)
    audit.record("admin.base_added", actor_id=actor.id, subject_type="base", subject_id=base.id)
    return base


def change_base(actor: User, base: CommunityBase, values: dict[str, Any]) -> CommunityBase:
    values = _clean(values)
    errors = _check_base(values)
    if errors:
        raise AdminErrors(errors)
    places.save_base(base, values)
    audit.record("admin.base_changed", actor_id=actor.id, subject_type="base", subject_id=base.id)
    return base


# System health ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outbox:
    """One outbox's figures: nothing here records when the worker last ran, so these stand in."""

    counts: dict[str, int]
    waiting: int  # not yet sent (pending or being sent; failed counted apart)
    failed: int
    overdue: int  # due more than OVERDUE_AFTER ago and still not sent: is the worker running?
    oldest_waiting_since: datetime | None
    last_sent_at: datetime | None


@dataclass(frozen=True)
class Workers:
    """The worker processes seen in the last week (each records every pass it finishes)."""

    last_pass_at: datetime | None  # the latest pass of any worker
    running: int  # workers with a pass in the last WORKER_SILENT_AFTER

    @property
    def stopped(self) -> bool:
        return self.running == 0


@dataclass(frozen=True)
class JobState:
    job: Any  # webapp.jobs.Job
    last_run_at: datetime | None


def _jobs(database_up: bool) -> tuple[JobState, ...]:
    from webapp import jobs
    from webapp.worker import last_runs

    runs = last_runs() if database_up else {}
    return tuple(JobState(job, runs.get(job.name)) for job in jobs.registered())


@dataclass(frozen=True)
class Health:
    checked_at: datetime
    database_up: bool
    database_ms: int | None
    database_kind: str
    workers: Workers | None
    push: Outbox | None
    front_door: Outbox | None
    front_door_webhook: bool
    offline_version: str | None
    # (unreviewed risk signals past their promise, the oldest promise); None when the database is down.
    risk_overdue: tuple[int, datetime | None] | None = None
    # Failed sign-ins in the last 24 hours (the sign-in throttle's audit); None when the database is down.
    sign_in: accounts.SignInFailures | None = None
    # Texts, emails and letters through NHS Notify (webapp/messaging); None when the database is down.
    messages: Outbox | None = None
    # Every registered worker job, with when it last ran (jobs with a schedule; None when not known).
    jobs: tuple[JobState, ...] = ()

    @property
    def problems(self) -> int:
        """How many things need looking at: never none while anything is overdue or failed (issue 15).
        Without a webhook the front door pulls records by the API, so records waiting in its outbox are
        expected then, but not for longer than the overdue time: it has stopped reading them."""
        count = 0 if self.database_up else 1
        if self.workers is not None:
            count += self.workers.stopped
        if self.push is not None:
            count += self.push.failed > 0 or self.push.overdue > 0
        if self.front_door is not None:
            count += self.front_door.failed > 0 or self.front_door.overdue > 0
        if self.messages is not None:
            count += self.messages.failed > 0 or self.messages.overdue > 0
        if self.risk_overdue is not None:
            count += self.risk_overdue[0] > 0
        if self.sign_in is not None:
            count += bool(self.sign_in.accounts)
        return count


def _outbox(model, now: datetime) -> Outbox:
    from webapp.outbox import FAILED, PENDING, SENDING

    counts = {status: count for status, count in db.session.execute(
        select(model.status, func.count()).group_by(model.status))}
    unsent = model.status.in_((PENDING, SENDING))
    overdue = db.session.scalar(select(func.count()).select_from(model).where(
        unsent, model.next_attempt_at < now - OVERDUE_AFTER)) or 0
    oldest = db.session.scalar(select(func.min(model.next_attempt_at)).where(unsent))
    last_sent = db.session.scalar(select(func.max(model.sent_at)))
    return Outbox(counts=counts, waiting=counts.get(PENDING, 0) + counts.get(SENDING, 0),
                  failed=counts.get(FAILED, 0), overdue=overdue, oldest_waiting_since=oldest,
                  last_sent_at=last_sent)


def _workers(now: datetime) -> Workers:
    from webapp.worker import last_passes

    passes = [beat.last_pass_at for beat in last_passes()]
    return Workers(last_pass_at=passes[0] if passes else None,
                   running=sum(1 for moment in passes if moment >= now - WORKER_SILENT_AFTER))


def _offline_version() -> str | None:
    try:
        from webapp.pwa.service import service_worker_version

        return service_worker_version()
    except Exception:  # noqa: BLE001 - the health page must show even when this cannot be worked out
        log.warning("health: the service worker version could not be worked out")
        return None


def health() -> Health:
    """What an admin needs to see that Flourish is working. Read-only."""
    from dataclasses import replace

    from webapp.core.service import database_is_up
    from webapp.messaging.admin import held_by_refused_key
    from webapp.messaging.models import Message
    from webapp.notifications.models import ScheduledNotification
    from webapp.support.models import FrontDoorDelivery

    now = clock.now()
    started = time.perf_counter()
    up = database_is_up()
    took = round((time.perf_counter() - started) * 1000) if up else None
    workers = push = front_door = risk_overdue = sign_in = messages = None
    if up:
        from webapp.support.service import overdue_signals

        risk_overdue = overdue_signals()
        workers = _workers(now)
        push = _outbox(ScheduledNotification, now)
        messages = _outbox(Message, now)
        messages = replace(messages, overdue=messages.overdue + held_by_refused_key(now - OVERDUE_AFTER))
        front_door = _outbox(FrontDoorDelivery, now)
        sign_in = accounts.sign_in_failures(now)
    return Health(checked_at=now, database_up=up, database_ms=took, database_kind=db.engine.dialect.name,
                  workers=workers, push=push, front_door=front_door,
                  front_door_webhook=bool(current_app.config.get("FRONT_DOOR_WEBHOOK_URL")),
                  offline_version=_offline_version(), risk_overdue=risk_overdue, sign_in=sign_in,
                  jobs=_jobs(up), messages=messages)
