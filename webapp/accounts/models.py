"""People with accounts."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.accounts.roles import STAFF_ROLES, Role
from webapp.database import SealedString, UTCDateTime
from webapp.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    # What the person would like to be called; optional, never required.
    display_name: Mapped[str | None] = mapped_column(String(80))
    # Only for young people: how we keep accounts to 13-25.
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    organisation: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(5))
    # Bumped on logout and password change, so every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by an admin: the account cannot sign in (staff who have left). Cleared to reactivate.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A temporary password an admin gave: it must be changed before anything else is done.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        return self.role in {str(r) for r in STAFF_ROLES}

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:  # ids only: never names or emails in logs
        return f"<User {self.id} {self.role}>"


class TwoFactorCredential(db.Model):
    """A staff member's TOTP authenticator (RFC 6238: six digits, 30-second steps).

    A row with no `confirmed_at` is an app being set up: the key is kept so that reloading the
    set-up page shows the same QR code, and it only counts once a code from the app has proved it.
    """

    __tablename__ = "two_factor_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Base32 TOTP key (160 bits), shared with the person's authenticator app; sealed at rest.
    secret: Mapped[str] = mapped_column(SealedString)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step whose code was accepted: a code is never accepted twice.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):
    """A one-time code for when the authenticator app is lost. Only its SHA-256 hash is kept."""

    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
