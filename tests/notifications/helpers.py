"""Push subscriptions as a browser makes them, for the notifications tests (checking them in
tests/notifications/test_service.py, sending them to the API in tests/notifications/test_routes.py)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64(data: bytes) -> str:
    """`data` in base64url without padding, as a browser's push subscription gives its keys."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def subscription(endpoint="https://fcm.googleapis.com/fcm/send/abc123", p256dh=None, auth=None) -> dict:
    """A browser's push subscription (its JSON) with a new P-256 key, or the keys given."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)
    keys = {"p256dh": b64(point) if p256dh is None else p256dh, "auth": b64(b"a" * 16) if auth is None else auth}
    return {"endpoint": endpoint, "expirationTime": None, "keys": keys}
