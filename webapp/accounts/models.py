"""People with accounts."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false, text
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


class SignUpRequest(db.Model):
    """A sign-up waiting for the link emailed to its address: no account exists until it is followed.

    Holds what the form asked, the password already hashed; the link's token only as its SHA-256.
    Deleted when the account is made, and by retention (the link works for a day).
    """

    __tablename__ = "sign_up_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    display_name: Mapped[str | None] = mapped_column(String(80))
    organisation: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # never the email
        return f"<SignUpRequest {self.id}>"


class PasswordReset(db.Model):
    """A password reset link sent to an account's email: single use, expiring; only the token's SHA-256."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContactCode(db.Model):
    """A 6-digit code sent to a phone number or email address, to prove it is the person's.

    Only a keyed hash of the code is kept. The newest code for an address is the one that counts;
    `tries` counts every code typed against it (at most `verification.MAX_TRIES`).
    """

    __tablename__ = "contact_codes"
    __table_args__ = (Index("ix_contact_codes_address", "channel", "address", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None: proved by someone without an account (a requester), in their browser.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(320))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProvedContact(db.Model):
    """A phone number or email address proved to be the person's (a code typed back, or a link followed).

    One row per person and address: the unique key, and for proofs without an account (`user_id` None,
    which a unique key counts as all different) a unique index of their own. Proofs are added with
    ON CONFLICT DO NOTHING (`verification.record_proof`), so two at once keep one and raise nothing.
    """

    __tablename__ = "proved_contacts"
    __table_args__ = (
        Index("ix_proved_contacts_address", "channel", "address", "user_id"),
        UniqueConstraint("user_id", "channel", "address", name="uq_proved_contacts_user_id_channel_address"),
        Index("uq_proved_contacts_channel_address_without_account", "channel", "address", unique=True,
              sqlite_where=text("user_id IS NULL"), postgresql_where=text("user_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(320))
    proved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
