"""/safety-plan: the plan for everyone (a printable form without JavaScript, kept encrypted on the
device with it), its settings for signed-in young people, and the allocated worker's shared view."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import audit
from webapp.accounts.models import User
from webapp.accounts.roles import Role, has_role, role_required
from webapp.extensions import db
from webapp.pwa.service import static_url
from webapp.safety_plan import service
from webapp.safety_plan.forms import AdditionForm, KeepForm, PlanForm, ReviewForm, ShareForm

bp = Blueprint("safety_plan", __name__)
SCRIPTS = ("js/safety_plan/plan-store.js", "js/safety_plan/plan.js")


def offline_urls() -> list[str]:
    """The plan page as an anonymous visitor sees it (no one's plan: its script reads the device's)."""
    return [url_for("safety_plan.plan"), *(static_url(script) for script in SCRIPTS)]


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _account_plan():
    if not has_role(current_user, Role.YOUNG_PERSON):
        return None
    return service.account_copy(current_user.id)


def _render_plan(form: PlanForm | None = None, status: int = 200):
    account = _account_plan()
    if form is None:
        form = PlanForm(data=account.content if account and account.content else service.prefilled())
    owner = str(current_user.id) if getattr(current_user, "is_authenticated", False) else ""
    response = render_template(
        "safety_plan/plan.html", form=form, account=account, owner=owner,
        additions=service.additions_by_step(current_user.id) if account else {},
        is_young_person=has_role(current_user, Role.YOUNG_PERSON))
    return response, status


@bp.route("/safety-plan", methods=["GET"])
def plan():
    return _render_plan()


@bp.route("/safety-plan", methods=["POST"])
def save():
    """Without JavaScript: print what was typed, download it as a file, or keep it in the account."""
    form = PlanForm()
    if not form.validate_on_submit():
        body, status = _render_plan(form, 400)
        return _no_store(Response(body, status))
    content = form.content()
    action = request.form.get("action", "print")
    if action == "file":
        response = Response(service.as_text(content, _additions()), mimetype="text/plain")
        response.headers["Content-Disposition"] = "attachment; filename=my-safety-plan.txt"
        return _no_store(response)
    if action == "account":
        if _account_plan() is None:
            abort(403)
        service.save(current_user.id, content)
        db.session.commit()
        flash(_("Your plan is saved in your account."), "success")
        return redirect(url_for("safety_plan.plan"), 303)
    return _no_store(Response(render_template("safety_plan/print.html", content=content, additions=_additions(),
                                              blank=False)))


def _additions():
    account = _account_plan()
    return service.additions_by_step(current_user.id) if account else {}


@bp.route("/safety-plan/print")
def print_view():
    """The plan kept in the account, ready to print; for everyone else a blank plan to fill in by hand."""
    account = _account_plan()
    return render_template("safety_plan/print.html", content=account.content if account else {},
                           additions=_additions(), blank=account is None)


def _render_settings(keep_form=None, share_form=None, review_form=None, status=200):
    plan = service.settings_for(current_user.id)
    db.session.commit()
    keep_form = keep_form or KeepForm(data={"keep": "yes" if plan.keep_in_account else "no"})
    share_form = share_form or ShareForm(data={"share": "yes" if plan.share_with_worker else "no"})
    review_form = review_form or ReviewForm(data={"review_on": plan.review_on})
    return render_template(
        "safety_plan/settings.html", plan=plan, keep_form=keep_form, share_form=share_form, review_form=review_form,
        has_worker=bool(service.allocated_clinician_ids(current_user.id)),
        pending=service.pending_review(current_user.id)), status


@bp.route("/safety-plan/settings")
@role_required(Role.YOUNG_PERSON)
def settings():
    return _render_settings()


@bp.route("/safety-plan/settings/account", methods=["POST"])
@role_required(Role.YOUNG_PERSON)
def set_keep():
    form = KeepForm()
    if not form.validate_on_submit():
        return _render_settings(keep_form=form, status=400)
    on = form.keep.data == "yes"
    service.set_keep_in_account(current_user.id, on)
    db.session.commit()
    flash(_("A copy of your plan will be kept in your account when you save it.") if on
          else _("The copy in your account is deleted. The plan on this device is still here."), "success")
    return redirect(url_for("safety_plan.settings"), 303)


@bp.route("/safety-plan/settings/sharing", methods=["POST"])
@role_required(Role.YOUNG_PERSON)
def set_sharing():
    form = ShareForm()
    if form.validate_on_submit():
        on = form.share.data == "yes"
        try:
            service.set_sharing(current_user.id, on)
        except service.PlanError as error:
            db.session.rollback()
            form.share.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your plan is now shared with your worker.") if on
                  else _("Your plan is no longer shared. Your worker cannot see it."), "success")
            return redirect(url_for("safety_plan.settings"), 303)
    return _render_settings(share_form=form, status=400)


@bp.route("/safety-plan/settings/review", methods=["POST"])
@role_required(Role.YOUNG_PERSON)
def set_review():
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.set_review(current_user.id, form.review_on.data)
        except service.PlanError as error:
            db.session.rollback()
            form.review_on.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("We will remind you on the day you chose.") if form.review_on.data
                  else _("No reminder to look over your plan."), "success")
            return redirect(url_for("safety_plan.settings"), 303)
    return _render_settings(review_form=form, status=400)


def _render_shared(user_id: int, form=None, status=200):
    plan = service.shared_plan(current_user, user_id)
    if plan is None:
        abort(404)
    return render_template("safety_plan/shared.html", person=db.session.get(User, user_id),
                           form=form or AdditionForm(), **service.shared_view(plan)), status


@bp.route("/safety-plan/shared/<int:user_id>")
@role_required(Role.CLINICIAN)
def shared(user_id: int):
    """A young person's plan for the clinician allocated to their request, while they share it."""
    if service.shared_plan(current_user, user_id) is None:
        abort(404)
    audit.record("safety_plan.viewed_shared", actor_id=current_user.id, subject_type="user", subject_id=user_id)
    db.session.commit()
    return _render_shared(user_id)


@bp.route("/safety-plan/shared/<int:user_id>/add", methods=["POST"])
@role_required(Role.CLINICIAN)
def add(user_id: int):
    if service.shared_plan(current_user, user_id) is None:
        abort(404)
    form = AdditionForm()
    if form.validate_on_submit():
        try:
            service.add_by_worker(current_user, user_id, form.step.data, form.text.data)
        except service.PlanError as error:
            db.session.rollback()
            getattr(form, error.field, form.text).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Added to the plan. The young person sees that you wrote it."), "success")
            return redirect(url_for("safety_plan.shared", user_id=user_id), 303)
    return _render_shared(user_id, form, 400)


@bp.route("/request-support/my-requests/<reference>/about-me", methods=["GET", "POST"])
@role_required(Role.YOUNG_PERSON)
def about_me(reference: str):
    """'About me' kept up to date while waiting; each change reaches the front door as an update."""
    from webapp.safety_plan import about_me as about
    from webapp.support import service as support
    from webapp.support.forms import AboutMeForm

    req = support.by_reference(reference)
    if req is None or not about.editable(req, current_user):
        abort(404)
    form = AboutMeForm(data=about.current(req) if request.method == "GET" else None, audience="self")
    if form.validate_on_submit():
        changed = about.update(req, form.data, current_user.id)
        db.session.commit()
        flash(_("Thank you. The team has your changes.") if changed else _("Nothing has changed."), "success")
        return redirect(url_for("support_requester.timeline", reference=req.reference), 303)
    return render_template("safety_plan/about_me.html", form=form, req=req), 400 if form.errors else 200
