"""/waits (public), /api/v1/waits (JSON), /staff/waits (leaders, with a CSV download)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from webapp.accounts.roles import Role, role_required
from webapp.csv_export import csv_response
from webapp.directory.service import THRIVE_GROUP_NAMES
from webapp.waits import service
from webapp.waits.forms import WaitsFilterForm
from webapp.waits.fragments import service_part

bp = Blueprint("waits", __name__)

LEADER_ROLES = (Role.CLINICIAN, Role.ADMIN)


@bp.route("/waits", methods=["GET", "POST"])
def index():
    # The filter is sent by POST, so an age and a kind of help never sit in a URL (#21); links made
    # before then still work.
    form = WaitsFilterForm(request.form if request.method == "POST" else request.args)
    valid = form.validate()
    group = form.group.data if valid and form.group.data in THRIVE_GROUP_NAMES else None
    age = form.age.data if valid else None
    rows, updated_at = service.public_waits(thrive_group=group, age=age)
    # Each service's part is rendered once for the same figures and language, then kept (fragments.py).
    return render_template("waits/index.html", form=form, rows=rows, parts=[service_part(row) for row in rows],
                           updated_at=updated_at, filtered=bool(group or age is not None),
                           recent_weeks=service.RECENT_WEEKS, min_people=service.MIN_PEOPLE)


@bp.route("/api/v1/waits")
def api():
    return jsonify(service.api_payload())


@bp.route("/staff/waits")
@role_required(*LEADER_ROLES)
def leaders():
    rows, updated_at = service.leaders_view()
    return render_template("waits/leaders.html", rows=rows, updated_at=updated_at, bands=service.PROFILE_BANDS,
                           standard_days=service.STANDARD_DAYS, recent_weeks=service.RECENT_WEEKS)


@bp.route("/staff/waits.csv")
@role_required(*LEADER_ROLES)
def leaders_csv():
    return csv_response(service.leaders_csv_rows(), "waiting-lists.csv")
