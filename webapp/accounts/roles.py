"""Roles, and the one way to check them."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable)


class Role(StrEnum):
    YOUNG_PERSON = "young_person"
    PARENT = "parent"
    PROFESSIONAL = "professional"
    BASE_STAFF = "base_staff"
    CLINICIAN = "clinician"
    ADMIN = "admin"


PUBLIC_ROLES = (Role.YOUNG_PERSON, Role.PARENT, Role.PROFESSIONAL)
STAFF_ROLES = (Role.BASE_STAFF, Role.CLINICIAN, Role.ADMIN)


def has_role(user, *roles: Role | str) -> bool:
    """True when `user` is signed in and holds one of `roles`."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in {str(r) for r in roles}


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """Guard a view: anonymous people are sent to sign in, the wrong role gets the 403 page."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from webapp.extensions import login_manager

                return login_manager.unauthorized()
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
