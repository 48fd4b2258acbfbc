"""gzip for text responses, so a phone on one bar of signal downloads a third of the bytes.

gunicorn sends bodies as they are, and a deployment may have no proxy in front that compresses, so the
app does it: only for GET, only when the browser accepts gzip, only text types over MIN_SIZE bytes, never
for a streamed or partial response or one already encoded. A proxy that compresses sees
`Content-Encoding` and leaves it alone.

Static files hold nothing secret: each version is compressed once and kept. Pages carry a CSRF token
and can echo what is in the URL, which is what the BREACH attack needs to guess a secret from compressed
sizes; so every dynamic response gets a random-length file name in its gzip header ("Heal the BREACH",
the mitigation Django's GZipMiddleware adopted in 4.2), and its length no longer tells whether a guess
matched.
"""

from __future__ import annotations

import gzip
import secrets
import string

from flask import Flask, Response, request

MIN_SIZE = 512
MAX_RANDOM_BYTES = 100
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "application/fhir+json", "application/problem+json", "image/svg+xml",
    "text/plain", "text/csv", "text/calendar", "application/xml",
})
_STATIC_CACHE_SIZE = 256
_static_cache: dict[tuple[str, str], bytes] = {}


def init_compression(app: Flask) -> None:
    app.after_request(compress)


def compress(response: Response) -> Response:
    if request.method != "GET" or response.status_code != 200 or response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if "Content-Encoding" in response.headers or "gzip" not in request.accept_encodings:
        return response
    static = response.direct_passthrough  # a file from send_file / the static route
    if static:
        response.direct_passthrough = False
    elif response.is_streamed:
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    etag, weak = response.get_etag()
    if static and etag:
        compressed = _static_gzip((request.path, etag), data)
    else:
        compressed = gzip_with_random_name(data)
    response.set_data(compressed)
    response.headers["Content-Encoding"] = "gzip"
    if etag and not weak:
        response.set_etag(etag, weak=True)  # the gzip bytes differ; If-None-Match still compares weakly
    return response


def gzip_with_random_name(data: bytes) -> bytes:
    """gzip `data` with a random-length FNAME field in the header (RFC 1952), as Django does."""
    body = gzip.compress(data, compresslevel=6, mtime=0)
    header = bytearray(body[:10])
    header[3] |= gzip.FNAME
    name_length = secrets.randbelow(MAX_RANDOM_BYTES) + 1
    name = "".join(secrets.choice(string.ascii_letters) for _ in range(name_length)).encode() + b"\x00"
    return bytes(header) + name + body[10:]


def _static_gzip(key: tuple[str, str], data: bytes) -> bytes:
    compressed = _static_cache.get(key)
    if compressed is None:
        if len(_static_cache) >= _STATIC_CACHE_SIZE:
            _static_cache.clear()
        compressed = _static_cache[key] = gzip.compress(data, compresslevel=9, mtime=0)
    return compressed
