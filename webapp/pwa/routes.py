"""Manifest, service worker and the offline page."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template

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
def offline():
    return render_template("pwa/offline.html")
