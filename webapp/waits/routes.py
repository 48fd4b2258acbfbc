"""/waits (public), /api/v1/waits (JSON), /staff/waits (leaders, with a CSV download)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, render_template, request

from webapp.accounts.roles import Role, role_required
from webapp.directory.service import THRIVE_GROUP_NAMES
from webapp.waits import service
from webapp.waits.charts import chart
from webapp.waits.forms import WaitsFilterForm

bp = Blueprint("waits", __name__)

LEADER_ROLES = (Role.CLINICIAN, Role.ADMIN)


@bp.route("/waits")
def index():
    form = WaitsFilterForm(request.args)
    valid = form.validate()
    group = form.group.data if valid and form.group.data in THRIVE_GROUP_NAMES else None
    age = form.age.data if valid else None
    rows, updated_at = service.public_waits(thrive_group=group, age=age)
    charts = {row.service.id: {"starts": chart([w["starts"] for w in row.weeks]),
                               "waiting": chart([w["waiting"] for w in row.weeks])} for row in rows}
    return render_template("waits/index.html", form=form, rows=rows, charts=charts, updated_at=updated_at,
                           filtered=bool(group or age is not None), group_names=THRIVE_GROUP_NAMES,
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
    buffer = io.StringIO()
    csv.writer(buffer).writerows(service.leaders_csv_rows())
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="waiting-lists.csv"'})
