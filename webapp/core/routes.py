"""Home, urgent help, the privacy notice and the health check."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from flask import Blueprint, jsonify, render_template

from webapp.core import service
from webapp.database import works_without_database
from webapp.hooks import hooks_for, visible

bp = Blueprint("core", __name__)
OPENAPI = Path(__file__).with_name("openapi.yaml")


@bp.route("/")
def home():
    return render_template("core/home.html", links=visible(hooks_for().nav_links))


@bp.route("/help-now")
@works_without_database
def help_now():
    return render_template("core/help_now.html", lines=service.crisis_lines())


@bp.route("/privacy")
def privacy():
    return render_template("core/privacy.html")


@bp.route("/healthz")
def healthz():
    if service.database_is_up():
        return jsonify(status="ok")
    return jsonify(status="unavailable"), 503


@lru_cache(maxsize=1)
def _openapi_description() -> dict:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


@bp.route("/api/v1/openapi.json")
def openapi():
    """The OpenAPI description of /api/v1, for the IFD's developers and for schemathesis."""
    return jsonify(_openapi_description())
