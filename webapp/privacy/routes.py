"""The privacy notice in layers, the accessibility statement, and privacy concerns (raised by
anyone; read and marked handled by admins). Thin routes: the work is in service.py."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.accounts.roles import Role, role_required
from webapp.extensions import db, limiter
from webapp.privacy import data_names, notice, service
from webapp.privacy.forms import ConcernForm, HandledForm

bp = Blueprint("privacy", __name__)


@bp.route("/privacy/<any('13-to-15', '16-to-25', 'parents-and-carers', 'full'):layer>")
def layer(layer: str):
    return render_template(f"privacy/{layer.replace('-', '_')}.html", periods=notice.retention_periods(),
                           layers=notice.LAYERS, current=layer)


@bp.route("/accessibility")
def accessibility():
    return render_template("privacy/accessibility.html")


def _not_sent(response) -> bool:
    return response.status_code != 303


@bp.route("/privacy/concern", methods=["GET", "POST"])
@limiter.limit("5 per hour;20 per day", methods=["POST"], deduct_when=lambda response: not _not_sent(response))
def raise_concern():
    form = ConcernForm()
    if form.validate_on_submit():
        service.raise_concern(form.concern.data, form.reply_to.data,
                              current_user.id if current_user.is_authenticated else None)
        db.session.commit()
        return redirect(url_for(".concern_sent"), 303)
    return render_template("privacy/concern.html", form=form), 400 if form.errors else 200


@bp.route("/privacy/concern/sent")
def concern_sent():
    return render_template("privacy/concern_sent.html")


@bp.route("/staff/admin/privacy-concerns")
@role_required(Role.ADMIN)
def concerns():
    return render_template("privacy/concerns.html", open_concerns=service.open_concerns(),
                           handled=service.handled_concerns(), form=HandledForm())


@bp.route("/staff/admin/privacy-concerns/<int:concern_id>/handled", methods=["POST"])
@role_required(Role.ADMIN)
def handled(concern_id: int):
    if not HandledForm().validate_on_submit():
        abort(400)
    if service.mark_handled(concern_id, current_user.id) is None:
        abort(404)
    db.session.commit()
    flash(_("Marked as handled."), "success")
    return redirect(url_for(".concerns"), 303)


@bp.route("/settings/data/page")
@login_required
def my_data_page():
    """"Download my data" as a page to read (and print), the same as the JSON file."""
    from webapp.accounts.service import export_personal_data

    return render_template("privacy/my_data_page.html", data=export_personal_data(current_user),
                           names=data_names.names_for_page(current_user), codes=data_names.value_names(),
                           readable_when=data_names.readable_when)
