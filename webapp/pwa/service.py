"""The web app manifest, the service worker's version and what it keeps for offline use."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, g, url_for
from flask_babel import gettext as _

from webapp.hooks import hooks_for

ROOT = Path(__file__).resolve().parents[2]
SERVICE_WORKER_DIR = ROOT / "service_worker"
SERVICE_WORKER_SOURCE = SERVICE_WORKER_DIR / "service-worker.js"
THEME_COLOUR = "#005eb8"
BACKGROUND_COLOUR = "#f0f4f5"
STATIC_PRECACHE = ("css/app.css", "js/app.js", "js/quick-exit.js", "js/exit-guard.js", "js/csrf.js",
                   "icons/icon-192.png", "icons/icon-512.png", "icons/icon-maskable-512.png")


@lru_cache(maxsize=256)
def _file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A static file's URL with a content hash, so it can be cached for ever."""
    path = Path(current_app.static_folder) / filename
    if current_app.debug:
        _file_hash.cache_clear()
    return url_for("static", filename=filename, v=_file_hash(str(path)))


# Headers of a kept page that still matter when the service worker serves it from the offline pack.
KEPT_PAGE_HEADERS = ("Content-Type", "Content-Language", "Content-Security-Policy", "X-Content-Type-Options",
                     "Referrer-Policy", "Permissions-Policy")
# What kept pages are made of: when any of it changes, the worker's version changes and it keeps them anew.
PAGE_SOURCES = (("templates", "**/*.html"), ("translations", "**/*.mo"), ("webapp", "**/content/**/*.md"))


def _offline_urls() -> list[str]:
    urls = ["/", "/help-now", "/offline"]
    for provider in hooks_for().offline_urls:
        urls.extend(provider())
    return list(dict.fromkeys(urls))


def offline_pages() -> list[str]:
    """The public pages kept for offline use: the same for everyone, in each kept language."""
    return [url for url in _offline_urls() if not url.startswith("/static/")]


def precache_urls() -> list[str]:
    """What the service worker fetches as it installs: the static files the kept pages use.

    The pages themselves come in one compressed offline pack per language (`offline_pack`), which
    is about a third of the bytes of fetching them one by one.
    """
    statics = [url for url in _offline_urls() if url.startswith("/static/")]
    return list(dict.fromkeys([*statics, *(static_url(name) for name in STATIC_PRECACHE)]))


def kept_page_key(path: str, language: str) -> str:
    """Where a page in one language is kept: its path with `?lang=` (as self-help's own links)."""
    return f"{path}{'&' if urlsplit(path).query else '?'}{urlencode({'lang': language})}"


@dataclass(frozen=True)
class OfflinePack:
    content: dict
    json: bytes
    gzip: bytes  # compressed once, as hard as gzip goes: it is the biggest thing a first visit fetches


def offline_pack(language: str) -> OfflinePack:
    """Every kept page rendered for an anonymous visitor in `language`, with the headers to serve it with.

    Built once per language and service worker version (the pages are the same for everyone), by
    dispatching each page inside its own app context so nothing of the asking request leaks in.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    packs = app.extensions.setdefault("flourish_offline_packs", {})
    key = (language, service_worker_version())
    if key not in packs or app.debug:
        pages: dict[str, str] = {}
        headers: dict[str, str] = {}
        for path in offline_pages():
            body, headers = _render_for_anonymous(app, path, language)
            pages[kept_page_key(path, language)] = body
        content = {"language": language, "headers": headers, "pages": pages}
        data = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
        packs[key] = OfflinePack(content, data, gzip.compress(data, compresslevel=9, mtime=0))
    return packs[key]


def _render_for_anonymous(app: Flask, path: str, language: str) -> tuple[str, dict[str, str]]:
    with app.app_context():
        g.locale_override = language
        g.offline_copy = True  # the page says so: its forms get a fresh CSRF token before sending
        with app.test_request_context(path, headers={"Accept": "text/html"}):
            response = app.full_dispatch_request()
            if response.status_code != 200:
                raise RuntimeError(f"kept page {path} answered {response.status_code}")
            kept = {name: response.headers[name] for name in KEPT_PAGE_HEADERS if name in response.headers}
            return response.get_data(as_text=True), kept


def service_worker_version() -> str:
    return _service_worker_source()[1]


@lru_cache(maxsize=1)
def _page_sources_fingerprint() -> str:
    digest = hashlib.sha256()
    for folder, pattern in PAGE_SOURCES:
        for path in sorted((ROOT / folder).glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _service_worker_source() -> tuple[str, str]:
    precache = precache_urls()
    # The core worker first, then each capability's own part (push.js, sync.js, ...), in name order.
    parts = [SERVICE_WORKER_SOURCE, *sorted(p for p in SERVICE_WORKER_DIR.glob("*.js") if p != SERVICE_WORKER_SOURCE)]
    source = "\n".join(part.read_text(encoding="utf-8") for part in parts)
    if current_app.debug:
        _page_sources_fingerprint.cache_clear()
    for placeholder, value in hooks_for().service_worker_values.items():
        source = source.replace(placeholder, json.dumps(value(), ensure_ascii=False))
    made_of = source + json.dumps(precache) + json.dumps(offline_pages()) + _page_sources_fingerprint()
    version = hashlib.sha256(made_of.encode()).hexdigest()[:12]
    return source, version


def service_worker_script() -> str:
    source, version = _service_worker_source()
    precache = precache_urls()
    return (source.replace("__FLOURISH_VERSION__", version)
                  .replace("__FLOURISH_PRECACHE__", json.dumps(precache)))


def manifest(locale: str) -> dict:
    return {
        "id": "/",
        "name": _("Flourish: mental health support for 0 to 25s"),
        "short_name": "Flourish",
        "description": _("Self-help, support while you wait, drop-ins and one place to ask for help, "
                         "in Norfolk and Waveney."),
        "lang": locale,
        "dir": "ltr",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["health", "medical", "lifestyle"],
        "icons": [
            {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static_url("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
