"""Manifest, service worker and the offline page."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_wtf.csrf import generate_csrf

from webapp.database import works_without_database
from webapp.i18n import current_language
from webapp.pwa import service

bp = Blueprint("pwa", __name__)


@bp.route("/manifest.webmanifest")
def manifest():
    body = json.dumps(service.manifest(current_language()), ensure_ascii=False)
    return Response(body, mimetype="application/manifest+json")


@bp.route("/service-worker.js")
def service_worker():
    response = Response(service.service_worker_script(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
@works_without_database
def offline():
    return render_template("pwa/offline.html")


@bp.route("/offline-pack.json")
@works_without_database
def offline_pack():
    """The kept pages in one language, for the service worker: `?lang=`, else the person's language."""
    language = request.args.get("lang") or current_language()
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    pack = service.offline_pack(language)
    response = Response(pack.json, mimetype="application/json")
    response.vary.add("Accept-Encoding")
    if "gzip" in request.accept_encodings:
        response.set_data(pack.gzip)
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Language"] = language
    if "lang" not in request.args:
        response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.route("/csrf-token")
def csrf_token():
    """A CSRF token for this session, for a form on a page kept for offline use (whose own token
    belongs to no one's session) to send once the signal is back."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response
