"""Security headers and caching rules applied to every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

from webapp.i18n import current_language

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ]
)

PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), payment=(), usb=(), interest-cohort=()"

# Paths whose responses must never be stored anywhere, signed in or not.
NEVER_STORED_PREFIXES = ("/api/", "/staff", "/settings", "/track", "/request-support")


def init_security(app: Flask) -> None:
    from webapp.compression import init_compression

    init_compression(app)  # registered first, so it runs last: on the final body, after the headers below

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        headers["X-Frame-Options"] = "DENY"
        # Site isolation (Spectre): nothing here is for other sites to embed or read, and every
        # page's parts come from this site (CSP default-src 'self'), each carrying this CORP.
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Cross-Origin-Embedder-Policy"] = "require-corp"
        if response.mimetype == "text/html":
            # The service worker reads it to keep the self-help pages in the language being read.
            headers.setdefault("Content-Language", current_language())
        if app.config.get("HSTS"):
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        _cache_rules(response)
        return response


def _cache_rules(response: Response) -> None:
    """Personal responses are never stored; public pages may be kept but must be revalidated.

    Every HTML page carries a per-session CSRF token, so even public pages are `private`.
    Versioned static files (`?v=`) are immutable.
    """
    path = request.path
    signed_in = getattr(current_user, "is_authenticated", False)
    if signed_in or path.startswith(NEVER_STORED_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return
    if path.startswith("/static/") and request.args.get("v"):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return
    response.headers.setdefault("Cache-Control", "private, no-cache")
