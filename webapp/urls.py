"""Redirect targets we accept from the outside world."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, otherwise `default` (no open redirects)."""
    if not target:
        return default
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a message (an email, a text): on `PUBLIC_BASE_URL` when it is set, as it must
    be in production (a link built from the request's Host header could point anywhere, and a reset
    link pointing at someone else's site hands them the token), else on this request's host."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
