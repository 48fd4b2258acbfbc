"""The web app manifest, the service worker's version and what it keeps for offline use."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _

from webapp.hooks import hooks_for

SERVICE_WORKER_DIR = Path(__file__).resolve().parents[2] / "service_worker"
SERVICE_WORKER_SOURCE = SERVICE_WORKER_DIR / "service-worker.js"
THEME_COLOUR = "#005eb8"
BACKGROUND_COLOUR = "#f0f4f5"
STATIC_PRECACHE = ("css/app.css", "js/app.js", "js/quick-exit.js", "js/csrf.js", "icons/icon-192.png",
                   "icons/icon-512.png", "icons/icon-maskable-512.png")


@lru_cache(maxsize=256)
def _file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A static file's URL with a content hash, so it can be cached for ever."""
    path = Path(current_app.static_folder) / filename
    if current_app.debug:
        _file_hash.cache_clear()
    return url_for("static", filename=filename, v=_file_hash(str(path)))


def precache_urls() -> list[str]:
    urls = ["/", "/help-now", "/offline"]
    for provider in hooks_for().offline_urls:
        urls.extend(provider())
    urls.extend(static_url(name) for name in STATIC_PRECACHE)
    return list(dict.fromkeys(urls))


def service_worker_script() -> str:
    precache = precache_urls()
    # The core worker first, then each capability's own part (push.js, sync.js, ...), in name order.
    parts = [SERVICE_WORKER_SOURCE, *sorted(p for p in SERVICE_WORKER_DIR.glob("*.js") if p != SERVICE_WORKER_SOURCE)]
    source = "\n".join(part.read_text(encoding="utf-8") for part in parts)
    version = hashlib.sha256((source + json.dumps(precache)).encode()).hexdigest()[:12]
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
