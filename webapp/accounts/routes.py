"""Sign up, sign in and out, and the account parts of /settings/."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from webapp.accounts import service, sign_in, sign_up, staff_sign_in, throttle
from webapp.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
)
from webapp.accounts.roles import STAFF_ROLES, has_role
from webapp.extensions import db, limiter
from webapp.hooks import hooks_for, visible
from webapp.i18n import LOCALE_COOKIE, browser_language, current_language
from webapp.messaging.addresses import AddressError
from webapp.urls import safe_next

bp = Blueprint("accounts", __name__)
bp.before_app_request(staff_sign_in.enforce_staff_session)

# What a person with a temporary password may still open: changing it, signing out, urgent help, and
# what every page needs (the language, files, the service worker).
OPEN_WITH_TEMPORARY_PASSWORD = {"accounts.change_password", "accounts.logout", "accounts.set_language",
                                "accounts.recovery_codes",
                                "core.help_now", "core.privacy", "core.healthz", "static"}


@bp.before_app_request
def require_own_password() -> Response | None:
    """Before every request: someone signed in with an admin's temporary password chooses their own first."""
    if not current_user.is_authenticated or not getattr(current_user, "password_must_change", False):
        return None
    endpoint = request.endpoint or ""
    if endpoint in OPEN_WITH_TEMPORARY_PASSWORD or endpoint.startswith("pwa.") or request.path.startswith("/api/"):
        return None
    flash(_("Choose a password of your own before you go on: the one you were given was for your first "
            "sign-in only."), "info")
    return redirect(url_for("accounts.change_password"), 303 if request.method != "GET" else 302)


def too_many_tries(wait: throttle.Wait) -> str:
    """What a person is told when this address must wait before trying again (the throttle)."""
    if wait.seconds < 60:
        return ngettext("Too many tries. Wait %(num)d second, then try again.",
                        "Too many tries. Wait %(num)d seconds, then try again.", wait.seconds)
    minutes = -(-wait.seconds // 60)
    return ngettext("Too many tries. Wait %(num)d minute, then try again.",
                    "Too many tries. Wait %(num)d minutes, then try again.", minutes)


def throttled(page: Response | str, wait: throttle.Wait) -> Response:
    """The page again, as 429, saying how long to wait (and Retry-After, for scripts)."""
    response = page if isinstance(page, Response) else Response(page)
    response.status_code = 429
    response.headers["Retry-After"] = str(wait.seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


def _failed(response: Response) -> bool:
    return response.status_code != 303


def _apply_errors(form, error: service.AccountError) -> None:
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = [*field.errors, error.message]


def _start_session(user) -> None:
    """A fresh session at sign-in: nothing from before carries over, bar the language choice."""
    staff_sign_in.start_session(user, second_factor=False)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], deduct_when=_failed)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        wait = throttle.use(throttle.SIGN_UPS)
        if wait is not None:
            form.email.errors = [too_many_tries(wait)]
            return throttled(render_template("accounts/register.html", form=form), wait)
        try:
            sign_up.start(email=form.email.data, password=form.password.data, role=form.role.data,
                          date_of_birth=form.date_of_birth.data, display_name=form.display_name.data,
                          organisation=form.organisation.data, language=current_language(),
                          locale=browser_language())
        except service.AccountError as error:
            db.session.rollback()
            _apply_errors(form, error)
        except AddressError as error:
            db.session.rollback()
            form.email.errors = [error.message]
        else:
            db.session.commit()
            # The same answer whether or not the address has an account (`sign_up`).
            return redirect(url_for("accounts.sign_up_sent"), 303)
    return render_template("accounts/register.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in (the rules are in `sign_in.attempt`)."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        tried = sign_in.attempt(form.email.data, form.password.data)
        if tried.wait is not None:
            form.password.errors = [too_many_tries(tried.wait)]
            return throttled(render_template("accounts/login.html", form=form), tried.wait)
        if tried.refused is not None:
            form.password.errors = [tried.refused]
            return render_template("accounts/login.html", form=form), 400
        if tried.second_step:
            return staff_sign_in.begin_second_step(tried.user, form.next.data)
        db.session.commit()
        if tried.user is not None:
            _start_session(tried.user)
            landing = url_for("staff.home") if has_role(tried.user, *STAFF_ROLES) else url_for("core.home")
            return redirect(safe_next(form.next.data, landing), 303)
        form.password.errors = [_("The email address or password is not right.")]
    status = 200 if request.method == "GET" else 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("core.home"))
        return render_template("accounts/logout.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        service.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
    session.clear()
    response = Response(render_template("accounts/logged_out.html"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    locale = form.locale.data if form.locale.data in current_app.config["LANGUAGES"] else "en"
    if current_user.is_authenticated:
        service.set_locale(current_user, locale)
        db.session.commit()
    # A page's `?lang=` (self-help URLs kept offline per language) would undo the choice just made.
    target = safe_next(form.next.data, url_for("core.home"))
    path, _sep, query = target.partition("?")
    query = "&".join(part for part in query.split("&") if part and not part.startswith("lang="))
    response = redirect(f"{path}?{query}" if query else path, 303)
    response.set_cookie(LOCALE_COOKIE, locale, max_age=60 * 60 * 24 * 365, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


@bp.route("/settings/")
@login_required
def settings():
    links = visible(hooks_for().settings_links)
    return render_template("accounts/settings.html", links=links)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data, form.new_password.data)
        except service.AccountError as error:
            db.session.rollback()
            _apply_errors(form, error)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this device stays signed in
            flash(_("Your password is changed. Any other device has been signed out."), "success")
            return redirect(url_for("accounts.settings"), 303)
    return render_template("accounts/change_password.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/settings/data")
@login_required
def my_data():
    return render_template("accounts/my_data.html")


@bp.route("/settings/data/flourish-my-data.json")
@login_required
def download_data():
    body = json.dumps(service.export_personal_data(current_user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="flourish-my-data.json"'})


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not service.verify_password(user, form.password.data):
            form.password.errors = [_("Your password is not right.")]
        else:
            service.delete_account(user)
            db.session.commit()
            logout_user()
            session.clear()
            response = Response(render_template("accounts/deleted.html"))
            response.headers["Clear-Site-Data"] = '"cache", "storage"'
            return response
    return render_template("accounts/delete.html", form=form), 200 if request.method == "GET" else 400
