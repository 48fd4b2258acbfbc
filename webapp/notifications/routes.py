"""/settings/notifications (the person's reminders) and /staff/notifications (admins: what failed)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.accounts.roles import Role, role_required
from webapp.extensions import db, limiter
from webapp.notifications import admin, devices, preferences, service
from webapp.notifications.forms import ButtonForm, PreferencesForm

bp = Blueprint("notifications", __name__)


def _page(form: PreferencesForm, status: int = 200):
    prefs = service.preferences_for(current_user.id)
    last_test = service.last_test(current_user.id)
    return render_template("notifications/settings.html", form=form, button=ButtonForm(),
                           devices=devices.devices_for(current_user.id),
                           quiet_now=preferences.quiet_until(prefs) is not None,
                           last_test=last_test, last_test_reason=service.error_in_words(
                               last_test.last_error if last_test else None)), status


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    prefs = service.preferences_for(current_user.id)
    form = PreferencesForm(obj=prefs)
    if request.method == "POST":
        if not form.validate_on_submit():
            db.session.rollback()
            return _page(form, 400)
        preferences.update_preferences(
            current_user.id, appointment_reminders=form.appointment_reminders.data,
            goal_checkins=form.goal_checkins.data, request_updates=form.request_updates.data,
            discreet=form.discreet.data, quiet_hours=form.quiet_hours.data,
            quiet_start=form.quiet_start.data, quiet_end=form.quiet_end.data)
        db.session.commit()
        flash(_("Your reminder settings are saved."), "success")
        return redirect(url_for("notifications.settings"), 303)
    db.session.commit()  # the defaults, made on first visit
    return _page(form)


@bp.route("/settings/notifications/devices/<int:device_id>/remove", methods=["POST"])
@login_required
def remove_device(device_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not devices.remove_device(current_user.id, device_id):
        abort(404)
    db.session.commit()
    flash(_("That device will not get reminders any more."), "success")
    return redirect(url_for("notifications.settings"), 303)


@bp.route("/settings/notifications/test", methods=["POST"])
@login_required
@limiter.limit("10 per hour", key_func=lambda: f"push-test:{current_user.get_id()}")
def send_test():
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not devices.devices_for(current_user.id):
        flash(_("Turn on reminders on a device first, then send a test."), "error")
        return redirect(url_for("notifications.settings"), 303)
    service.send_test(current_user.id)
    db.session.commit()
    flash(_("A test notification is on its way. It should arrive within a minute."), "success")
    return redirect(url_for("notifications.settings"), 303)


@bp.route("/staff/notifications")
@role_required(Role.ADMIN)
def staff_outbox():
    return render_template("notifications/staff.html", counts=admin.status_counts(), failed=admin.failed(),
                           button=ButtonForm())


@bp.route("/staff/notifications/<int:notification_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def staff_retry(notification_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not admin.try_again(notification_id, current_user.id):
        abort(404)
    db.session.commit()
    flash(_("Notification %(id)s will be tried again now.", id=notification_id), "success")
    return redirect(url_for("notifications.staff_outbox"), 303)
