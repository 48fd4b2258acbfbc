"""Devices with reminders turned on: checking a browser's push subscription, keeping and removing it.

A subscription is what `PushSubscription.toJSON()` gives in the browser:
`{"endpoint": "https://...", "expirationTime": null, "keys": {"p256dh": "...", "auth": "..."}}`,
keys in unpadded base64url. `p256dh` must be an uncompressed P-256 point (65 bytes starting 0x04,
on the curve) and `auth` 16 bytes (RFC 8291), or nothing we encrypt could ever be read.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from webapp import audit, clock
from webapp.extensions import db
from webapp.notifications.models import PushSubscription

P256DH_BYTES = 65
AUTH_BYTES = 16
MAX_ENDPOINT_LENGTH = 1000
MAX_DEVICES = 10  # per person; the oldest goes when an eleventh is added
# Push services of the browsers people use. In production an endpoint must be on one of these
# (or on PUSH_SERVICE_HOSTS), so nobody can make the worker POST to any other address.
KNOWN_PUSH_SERVICES = ("fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com",
                       "push.services.mozilla.com", "notify.windows.com", "push.apple.com")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
# A push endpoint as browsers give it: printable ASCII, no spaces or control characters (RFC 3986).
_URL_CHARACTERS = re.compile(r"[\x21-\x7e]+")


class SubscriptionError(ValueError):
    """A subscription we cannot use, with a message saying why (shown to the developer, in the 400)."""

    def __init__(self, field: str, message: Any):
        super().__init__(str(message))
        self.field = field
        self.message = message


class SubscriptionConflict(ValueError):
    """The endpoint is kept for another account, and this request did not send that subscription's
    own keys: knowing an endpoint URL is not enough to take someone's reminders."""

    field = "keys"
    message = _l("This endpoint is kept for another account. Only the browser that holds the "
                 "subscription, with its own keys, can move it.")

    def __init__(self) -> None:
        super().__init__(str(self.message))


@dataclass(frozen=True)
class EndpointRules:
    https_only: bool
    allowed_hosts: tuple[str, ...] | None  # None: any host


def _decode_key(value: Any, field: str, length: int) -> bytes:
    if not isinstance(value, str) or not value or not _BASE64URL.match(value):
        raise SubscriptionError(field, _l("%(field)s must be a base64url string.", field=field))
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise SubscriptionError(field, _l("%(field)s must be a base64url string.", field=field)) from None
    if len(raw) != length:
        raise SubscriptionError(field, _l("%(field)s must be %(expected)d bytes; it is %(actual)d.",
                                          field=field, expected=length, actual=len(raw)))
    return raw


def _check_endpoint(endpoint: Any, rules: EndpointRules) -> str:
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise SubscriptionError("endpoint", _l("endpoint is missing."))
    endpoint = endpoint.strip()
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise SubscriptionError("endpoint", _l("endpoint is too long."))
    if not _URL_CHARACTERS.fullmatch(endpoint):
        raise SubscriptionError("endpoint", _l("endpoint is not a valid URL."))
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise SubscriptionError("endpoint", _l("endpoint is not a valid URL.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        raise SubscriptionError("endpoint", _l("endpoint must be an https:// URL."))
    if rules.https_only:
        if parts.scheme != "https":
            raise SubscriptionError("endpoint", _l("endpoint must be an https:// URL."))
        host = parts.hostname.lower()
        if port not in (None, 443) or _is_address(host) or host == "localhost":
            raise SubscriptionError("endpoint", _l("endpoint must be a push service's https:// URL."))
        if rules.allowed_hosts is not None and not any(
                host == allowed or host.endswith("." + allowed) for allowed in rules.allowed_hosts):
            raise SubscriptionError("endpoint", _l("endpoint is not on a push service we know."))
    return endpoint


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def validate_subscription(data: Any, rules: EndpointRules) -> dict[str, str]:
    """The endpoint and keys of a browser's subscription, or SubscriptionError saying what is wrong."""
    if not isinstance(data, dict):
        raise SubscriptionError("subscription", _l("Send the browser's PushSubscription as a JSON object."))
    endpoint = _check_endpoint(data.get("endpoint"), rules)
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise SubscriptionError("keys", _l("keys must hold p256dh and auth."))
    p256dh = _decode_key(keys.get("p256dh"), "keys.p256dh", P256DH_BYTES)
    if p256dh[0] != 0x04:
        raise SubscriptionError("keys.p256dh", _l("keys.p256dh must be an uncompressed P-256 public key."))
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        raise SubscriptionError("keys.p256dh", _l("keys.p256dh is not a point on the P-256 curve.")) from None
    _decode_key(keys.get("auth"), "keys.auth", AUTH_BYTES)
    return {"endpoint": endpoint, "p256dh": keys["p256dh"].rstrip("="), "auth": keys["auth"].rstrip("=")}


def device_label(user_agent: str | None) -> str:
    """A short label a person recognises ("Chrome on Android"); never the full user agent."""
    agent = user_agent or ""
    browser = next((name for token, name in (("Edg/", "Edge"), ("SamsungBrowser", "Samsung Internet"),
                                             ("Firefox/", "Firefox"), ("OPR/", "Opera"), ("Chrome/", "Chrome"),
                                             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
                    if token in agent), "Browser")
    system = next((name for token, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("CrOS", "Chromebook"),
                                            ("Linux", "Linux")) if token in agent), "")
    return f"{browser} on {system}" if system else browser


def display_label(label: str | None) -> str:
    """A stored label ("Chrome on Android", kept in English) in the reader's language."""
    from flask_babel import gettext

    if not label:
        return gettext("A device")
    browser, separator, system = label.partition(" on ")
    if not separator:
        return label if label != "Browser" else gettext("A browser")
    return gettext("%(browser)s on %(system)s", browser=browser if browser != "Browser" else gettext("A browser"),
                   system=system)


def subscribe(user_id: int, data: Any, rules: EndpointRules, user_agent: str | None = None) -> tuple[
        PushSubscription, bool]:
    """Keep this device's subscription for the person. Returns (subscription, newly added).

    An endpoint belongs to one browser profile, so if someone else signed in on this device had
    it, it moves to the person signed in now (a shared phone stops getting their reminders), but
    only when the request holds the subscription's own keys (`p256dh` and the secret `auth`, which
    only that browser and Flourish know): otherwise SubscriptionConflict, and nothing changes.
    """
    clean = validate_subscription(data, rules)
    existing = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == clean["endpoint"]))
    if existing is not None:
        moved = existing.user_id != user_id
        if moved and not _same_keys(existing, clean):
            audit.record("push.device_move_refused", actor_id=user_id, subject_type="push_subscription",
                         subject_id=existing.id)
            raise SubscriptionConflict()
        existing.user_id, existing.p256dh, existing.auth = user_id, clean["p256dh"], clean["auth"]
        existing.device_label = device_label(user_agent)
        if moved:
            audit.record("push.device_moved", actor_id=user_id, subject_type="push_subscription",
                         subject_id=existing.id)
        return existing, moved
    subscription = PushSubscription(user_id=user_id, device_label=device_label(user_agent),
                                    created_at=clock.now(), **clean)
    db.session.add(subscription)
    db.session.flush()
    _keep_newest(user_id)
    audit.record("push.device_added", actor_id=user_id, subject_type="push_subscription", subject_id=subscription.id)
    return subscription, True


def _same_keys(existing: PushSubscription, clean: dict[str, str]) -> bool:
    """Both keys the same as the ones kept, compared in constant time."""
    return (hmac.compare_digest(existing.p256dh.rstrip("=").encode(), clean["p256dh"].encode())
            & hmac.compare_digest(existing.auth.rstrip("=").encode(), clean["auth"].encode()))


def _keep_newest(user_id: int) -> None:
    ids = db.session.scalars(select(PushSubscription.id).where(PushSubscription.user_id == user_id)
                             .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())).all()
    if len(ids) > MAX_DEVICES:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids[MAX_DEVICES:])))


def unsubscribe(user_id: int, endpoint: Any) -> bool:
    """Forget this person's device by its endpoint (the browser turned reminders off)."""
    if not isinstance(endpoint, str) or not endpoint:
        raise SubscriptionError("endpoint", _l("endpoint is missing."))
    if not _URL_CHARACTERS.fullmatch(endpoint.strip()):
        raise SubscriptionError("endpoint", _l("endpoint is not a valid URL."))
    found = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == endpoint.strip(), PushSubscription.user_id == user_id))
    if found is None:
        return False
    return remove_device(user_id, found.id)


def remove_device(user_id: int, subscription_id: int) -> bool:
    result = db.session.execute(delete(PushSubscription).where(
        PushSubscription.id == subscription_id, PushSubscription.user_id == user_id))
    if result.rowcount:
        audit.record("push.device_removed", actor_id=user_id, subject_type="push_subscription",
                     subject_id=subscription_id)
    return bool(result.rowcount)


def devices_for(user_id: int) -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)
                                   .order_by(PushSubscription.created_at, PushSubscription.id)))
