from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from webapp.accounts.roles import STAFF_ROLES, role_required
from webapp.forms import NextForm
from webapp.hooks import hooks_for, visible
from webapp.urls import safe_next

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@role_required(*STAFF_ROLES)
def home():
    links = visible(hooks_for().staff_links)
    return render_template("staff/home.html", links=links)


@bp.route("/stay-signed-in", methods=["POST"])
@role_required(*STAFF_ROLES)
def stay_signed_in():
    """"Stay signed in" in the idle warning (WCAG 2.2.1): any staff request counts as activity
    (accounts.staff_sign_in.enforce_staff_session), so reaching here is enough. The page's script
    gets 204; without it, the form comes back to the page it was on."""
    if request.accept_mimetypes.best == "application/json":
        return "", 204
    form = NextForm()
    form.validate_on_submit()
    return redirect(safe_next(form.next.data, url_for(".home")), 303)
