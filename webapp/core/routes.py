"""Home, urgent help, the privacy notice and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from webapp.core import service
from webapp.hooks import hooks_for

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    return render_template("core/home.html", links=hooks_for().nav_links)


@bp.route("/help-now")
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
