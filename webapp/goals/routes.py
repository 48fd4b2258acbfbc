"""/goals/: the young person's goals, check-ins, closing, settings; the worker's shared view."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import audit
from webapp.accounts.models import User
from webapp.accounts.roles import Role, role_required
from webapp.database import works_without_database
from webapp.extensions import db
from webapp.goals import charts, reminders, service, sharing
from webapp.goals.forms import (
    ButtonForm,
    CheckInForm,
    CloseForm,
    GoalForm,
    ReminderForm,
    SharingForm,
)
from webapp.pwa.service import static_url

bp = Blueprint("goals", __name__, url_prefix="/goals")
YOUNG = (Role.YOUNG_PERSON,)
SCRIPTS = ("js/goals/goals-store.js", "js/goals/goals.js", "js/goals/offline.js")


def offline_urls() -> list[str]:
    """The device-only page (the same for everyone) and its scripts; never anyone's goals."""
    return [url_for("goals.offline"), *(static_url(script) for script in SCRIPTS)]


def _progress(goals):
    return [(goal, service.progress_for(goal)) for goal in goals]


@bp.route("/")
@role_required(*YOUNG)
def index():
    active = _progress(service.active_goals(current_user.id))
    return render_template(
        "goals/index.html", active=active, closed=service.closed_goals(current_user.id),
        review_suggested=service.any_stalled([p for _g, p in active]),
        offers=sharing.carry_over_offers(current_user.id) if len(active) < service.MAX_ACTIVE_GOALS else [],
        settings=service.settings_for(current_user.id), max_goals=service.MAX_ACTIVE_GOALS,
        device_copy=service.device_copy(current_user.id, [goal for goal, _p in active]), button_form=ButtonForm())


def _from_request() -> tuple[int, int, str] | None:
    """The carried-over goal asked for by `?request=<id>&goal=<n>`, if it is still on offer."""
    request_id, index = request.args.get("request", type=int), request.args.get("goal", type=int)
    if request_id is None or index is None:
        return None
    text = sharing.offered_goal(current_user.id, request_id, index)
    return (request_id, index, text) if text else None


@bp.route("/new", methods=["GET", "POST"])
@role_required(*YOUNG)
def new():
    carried = _from_request()
    form = GoalForm(data={"text": carried[2]} if carried and request.method == "GET" else None)
    full = service.count_active(current_user.id) >= service.MAX_ACTIVE_GOALS
    if form.validate_on_submit():
        source = {"source_request_id": carried[0], "source_goal_index": carried[1]} if carried else {}
        try:
            service.once(lambda: service.add_goal(current_user.id, form.text.data, form.rating.data,
                                                  client_id=form.client_id.data, **source))
        except service.GoalError as error:
            db.session.rollback()
            getattr(form, error.field, form.text).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your goal is set. You can rate it again whenever you like."), "success")
            return redirect(url_for("goals.index"), 303)
    status = 400 if form.errors else 200
    return render_template("goals/new.html", form=form, full=full, carried=carried,
                           max_goals=service.MAX_ACTIVE_GOALS), status


def _render_goal(goal, check_in_form=None, close_form=None, status=200):
    return render_template(
        "goals/goal.html", goal=goal, progress=service.progress_for(goal), chart=charts.chart(goal.ratings),
        check_in_form=check_in_form or CheckInForm(), close_form=close_form or CloseForm()), status


def _own_goal_or_404(goal_id: int):
    goal = service.goal_for(current_user.id, goal_id)
    if goal is None:
        abort(404)
    return goal


@bp.route("/<int:goal_id>")
@role_required(*YOUNG)
def goal(goal_id: int):
    return _render_goal(_own_goal_or_404(goal_id))


@bp.route("/<int:goal_id>/check-in", methods=["POST"])
@role_required(*YOUNG)
def check_in(goal_id: int):
    goal = _own_goal_or_404(goal_id)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            service.once(lambda: service.check_in(current_user.id, goal_id, form.rating.data, form.note.data,
                                                  client_id=form.client_id.data))
        except service.GoalError as error:
            db.session.rollback()
            getattr(form, error.field, form.rating).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Thank you. Your rating is saved."), "success")
            return redirect(url_for("goals.goal", goal_id=goal_id), 303)
    return _render_goal(service.goal_for(current_user.id, goal.id), check_in_form=form, status=400)


@bp.route("/<int:goal_id>/close", methods=["POST"])
@role_required(*YOUNG)
def close(goal_id: int):
    goal = _own_goal_or_404(goal_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _render_goal(goal, close_form=form, status=400)
    service.close_goal(current_user.id, goal_id, form.outcome.data)
    reminders.cancel_if_no_goals(current_user.id)
    db.session.commit()
    flash(_("Well done for reaching your goal.") if form.outcome.data == "reached"
          else _("This goal is closed. Its ratings are kept, so you can look back on it."), "success")
    return redirect(url_for("goals.index"), 303)


@bp.route("/carry-over/<int:request_id>/dismiss", methods=["POST"])
@role_required(*YOUNG)
def dismiss_offer(request_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    sharing.dismiss_offer(current_user.id, request_id)
    db.session.commit()
    return redirect(url_for("goals.index"), 303)


def _render_settings(sharing_form=None, reminder_form=None, status=200):
    settings = service.settings_for(current_user.id)
    if reminder_form is None:
        reminder_form = ReminderForm(data={"weekday": settings.reminder_weekday if settings.reminders_on else 6,
                                           "at": (settings.reminder_time.strftime("%H:%M")
                                                  if settings.reminders_on else "18:00")})
    sharing_form = sharing_form or SharingForm(data={"share": "yes" if settings.share_with_worker else "no"})
    return render_template(
        "goals/settings.html", settings=settings, sharing_form=sharing_form, reminder_form=reminder_form,
        stop_form=ButtonForm(), has_worker=bool(sharing.allocated_clinician_ids(current_user.id)),
        pending=reminders.pending_reminder(current_user.id), weekdays=dict(reminders.WEEKDAYS)), status


@bp.route("/settings")
@role_required(*YOUNG)
def settings():
    return _render_settings()


@bp.route("/settings/sharing", methods=["POST"])
@role_required(*YOUNG)
def set_sharing():
    form = SharingForm()
    if not form.validate_on_submit():
        return _render_settings(sharing_form=form, status=400)
    on = form.share.data == "yes"
    sharing.set_sharing(current_user.id, on)
    db.session.commit()
    flash(_("Your goals are now shared with your worker.") if on
          else _("Your goals are no longer shared. Your worker cannot see them."), "success")
    return redirect(url_for("goals.settings"), 303)


@bp.route("/settings/reminders", methods=["POST"])
@role_required(*YOUNG)
def set_reminders():
    form = ReminderForm()
    if not form.validate_on_submit():
        return _render_settings(reminder_form=form, status=400)
    at = datetime.strptime(form.at.data, "%H:%M").time()
    reminders.set_reminders(current_user.id, form.weekday.data, at)
    db.session.commit()
    flash(_("Check-in reminders are on."), "success")
    return redirect(url_for("goals.settings"), 303)


@bp.route("/settings/reminders/stop", methods=["POST"])
@role_required(*YOUNG)
def stop_reminders():
    if not ButtonForm().validate_on_submit():
        abort(400)
    reminders.stop_reminders(current_user.id)
    db.session.commit()
    flash(_("Check-in reminders are off."), "success")
    return redirect(url_for("goals.settings"), 303)


@bp.route("/shared/<int:user_id>")
@role_required(Role.CLINICIAN)
def shared(user_id: int):
    """A young person's goals for the clinician allocated to their request, while they share them."""
    shared_goals = sharing.shared_goals(current_user, user_id)
    if shared_goals is None:
        abort(404)
    audit.record("goals.viewed_shared", actor_id=current_user.id, subject_type="user", subject_id=user_id)
    db.session.commit()
    person = db.session.get(User, user_id)
    charts_by_goal = {p.goal.id: charts.chart(p.goal.ratings) for p in shared_goals.active}
    return render_template("goals/shared.html", shared=shared_goals, person=person, goal_charts=charts_by_goal)


@bp.route("/offline")
@works_without_database
def offline():
    """The same page for everyone: its script shows what the goals page kept on this device."""
    return render_template("goals/offline.html", form=CheckInForm(meta={"csrf": False}))
