"""/staff/admin/: staff accounts, services, bases and system health. Admins only; thin routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.roles import Role, role_required
from webapp.admin import service
from webapp.admin.forms import (
    BaseDetailsForm,
    ConfirmForm,
    EditBaseForm,
    EditServiceForm,
    NewStaffForm,
    ServiceForm,
)
from webapp.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


def _me():
    return current_user._get_current_object()


def _show_errors(form, errors: service.AdminErrors) -> None:
    for name, message in errors.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]


def _values(form, names: tuple[str, ...]) -> dict:
    return {name: getattr(form, name).data for name in names}


def _saved(form, save: Callable[[], Any], done: str | None = None) -> Any:
    """For a sent, valid form: what `save` made, committed (and `done` flashed); else None, with the
    rules it broke shown next to their fields and nothing saved."""
    if not form.validate_on_submit():
        return None
    try:
        made = save()
    except service.AdminErrors as errors:
        db.session.rollback()
        _show_errors(form, errors)
        return None
    db.session.commit()
    if done:
        flash(done, "success")
    return made


@bp.route("/")
@role_required(Role.ADMIN)
def home():
    return render_template("admin/home.html", health=service.health(), staff=service.staff_accounts(),
                           services=service.all_services(), bases=service.all_bases())


# Staff accounts -----------------------------------------------------------------------------------

@bp.route("/staff")
@role_required(Role.ADMIN)
def staff():
    return render_template("admin/staff.html", members=service.staff_accounts(), roles=service.STAFF_ROLE_NAMES)


def _password_once(member: service.StaffMember, password: str, *, new: bool):
    """A temporary password is shown once, in the answer to the form that made it: never kept in the
    session cookie, never on a page that can be opened again (signed-in answers are `no-store`)."""
    return render_template("admin/staff_created.html", member=member, password=password, new=new,
                           roles=service.STAFF_ROLE_NAMES), 201 if new else 200


@bp.route("/staff/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_staff():
    form = NewStaffForm()
    form.base_id.choices = [(0, _("No base for now"))] + [(b.id, b.name) for b in service.all_bases()]
    made = _saved(form, lambda: service.create_staff_account(
        _me(), email=form.email.data, role=form.role.data, base_id=form.base_id.data or None))
    if made is not None:
        user, password = made
        return _password_once(service.staff_member(user.id), password, new=True)
    return render_template("admin/new_staff.html", form=form), 422 if form.errors else 200


@bp.route("/staff/<int:user_id>")
@role_required(Role.ADMIN)
def staff_member(user_id: int):
    member = service.staff_member(user_id) or abort(404)
    return render_template("admin/staff_member.html", member=member, roles=service.STAFF_ROLE_NAMES,
                           form=ConfirmForm(formdata=None), is_me=member.user.id == current_user.id)


def _change(user_id: int, change, done: str):
    member = service.staff_member(user_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            change(_me(), member.user)
        except service.NotAllowed as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for(".staff_member", user_id=user_id), 303)


@bp.route("/staff/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    return _change(user_id, service.deactivate_staff,
                   _("Account deactivated. They cannot sign in, and they have been signed out everywhere."))


@bp.route("/staff/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    return _change(user_id, service.reactivate_staff, _("Account reactivated. They can sign in again."))


@bp.route("/staff/<int:user_id>/reset-two-factor", methods=["POST"])
@role_required(Role.ADMIN)
def reset_two_factor(user_id: int):
    return _change(user_id, service.reset_second_factor,
                   _("Two-step sign-in reset. They have been signed out, and will set up their authenticator "
                     "app again when they next sign in."))


@bp.route("/staff/<int:user_id>/new-password", methods=["POST"])
@role_required(Role.ADMIN)
def new_password(user_id: int):
    member = service.staff_member(user_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            password = service.new_temporary_password(_me(), member.user)
        except service.NotAllowed as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            return _password_once(member, password, new=False)
    return redirect(url_for(".staff_member", user_id=user_id), 303)


# Services -----------------------------------------------------------------------------------------

@bp.route("/services")
@role_required(Role.ADMIN)
def services():
    return render_template("admin/services.html", services=service.all_services(),
                           thrive_group_names=service.THRIVE_GROUP_NAMES)


@bp.route("/services/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_service():
    form = ServiceForm()
    fields = service.SERVICE_FORM_FIELDS
    made = _saved(form, lambda: service.add_service(_me(), form.service_id.data, _values(form, fields)),
                  _("Service added."))
    if made is not None:
        return redirect(url_for(".edit_service", service_id=made.id), 303)
    return render_template("admin/service_form.html", form=form, item=None), 422 if form.errors else 200


@bp.route("/services/<service_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_service(service_id: str):
    item = service.get_service(service_id) or abort(404)
    form = EditServiceForm(obj=item)
    fields = service.SERVICE_FORM_FIELDS
    if _saved(form, lambda: service.change_service(_me(), item, _values(form, fields)), _("Saved.")):
        return redirect(url_for(".edit_service", service_id=service_id), 303)
    return render_template("admin/service_form.html", form=form, item=item), 422 if form.errors else 200


# Bases --------------------------------------------------------------------------------------------

@bp.route("/bases")
@role_required(Role.ADMIN)
def bases():
    return render_template("admin/bases.html", bases=service.all_bases(), kinds=service.BASE_KIND_NAMES)


@bp.route("/bases/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_base():
    form = BaseDetailsForm()
    made = _saved(form, lambda: service.add_base(_me(), form.slug.data, _values(form, service.BASE_FORM_FIELDS)),
                  _("Base added."))
    if made is not None:
        return redirect(url_for(".edit_base", base_id=made.id), 303)
    return render_template("admin/base_form.html", form=form, item=None), 422 if form.errors else 200


@bp.route("/bases/<int:base_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_base(base_id: int):
    item = service.get_base(base_id) or abort(404)
    form = EditBaseForm(obj=item)
    if _saved(form, lambda: service.change_base(_me(), item, _values(form, service.BASE_FORM_FIELDS)), _("Saved.")):
        return redirect(url_for(".edit_base", base_id=base_id), 303)
    return render_template("admin/base_form.html", form=form, item=item), 422 if form.errors else 200


# System health ------------------------------------------------------------------------------------

@bp.route("/health")
@role_required(Role.ADMIN)
def health():
    return render_template("admin/health.html", health=service.health())
