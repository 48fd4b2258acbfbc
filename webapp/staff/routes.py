from __future__ import annotations

from flask import Blueprint, render_template

from webapp.accounts.roles import STAFF_ROLES, role_required
from webapp.hooks import hooks_for, visible

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@role_required(*STAFF_ROLES)
def home():
    links = visible(hooks_for().staff_links)
    return render_template("staff/home.html", links=links)
