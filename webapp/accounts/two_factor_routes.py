"""Staff second factor pages: the code step of sign-in, setting up an app, recovery codes."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.accounts import service, staff_sign_in, throttle, two_factor
from webapp.accounts.forms import ConfirmAuthenticatorForm, NewRecoveryCodesForm, SecondFactorForm
from webapp.accounts.roles import STAFF_ROLES, role_required
from webapp.accounts.routes import bp, throttled, too_many_tries
from webapp.extensions import db, limiter
from webapp.urls import safe_next

# The code steps of sign-in are slowed by `throttle` (per account and address, per address, and per
# account at twenty wrong codes a day: only someone with the password gets that far). Making new
# recovery codes when signed in: per account (only its owner is signed in to it).
PER_ACCOUNT = "5 per 15 minutes;20 per day"


def _failed(response: Response) -> bool:
    return response.status_code != 303


def _signed_in_account_key() -> str:
    return f"two-factor:{getattr(current_user, 'id', '')}"


def _start_again() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    flash(_("Your sign-in was not finished in time. Please sign in again."), "info")
    return redirect(url_for("accounts.login"), 303 if request.method == "POST" else 302)


def _page(template: str, **context) -> Response:
    """A sign-in step: never stored by any cache (the set-up page shows the key itself)."""
    response = make_response(render_template(template, **context), 200 if request.method == "GET" else 400)
    response.headers["Cache-Control"] = "no-store"
    return response


def _finish(user, *, via: str, new_codes: list[str] | None = None) -> Response:
    """The second factor passed: sign in for real, with fresh session times."""
    service.record_login(user)
    db.session.commit()
    target = safe_next(staff_sign_in.pending_next(), url_for("staff.home"))  # staff land on the staff home
    staff_sign_in.start_session(user, second_factor=True)
    if new_codes:
        return _show_recovery_codes(new_codes, target)
    if via == "recovery":
        left = two_factor.recovery_codes_left(user)
        flash(ngettext("You used a recovery code. You have %(num)d recovery code left: make new ones in Settings.",
                       "You used a recovery code. You have %(num)d recovery codes left: make new ones in Settings.",
                       left), "info")
    return redirect(target, 303)


def _code_wait(user) -> throttle.Wait | None:
    return throttle.wait_for(throttle.CODE, str(user.id), account_version=user.get_id())


def _code_failed(user) -> None:
    throttle.failed(throttle.CODE, str(user.id), user_id=user.id, account_version=user.get_id())
    db.session.commit()


def _throttled(template: str, form, wait: throttle.Wait, **context) -> Response:
    form.code.errors = [too_many_tries(wait)]
    return throttled(_page(template, form=form, **context), wait)


def _show_recovery_codes(codes: list[str], then: str) -> Response:
    session[staff_sign_in.NEW_RECOVERY_CODES] = codes
    session[staff_sign_in.AFTER_RECOVERY_CODES] = then
    return redirect(url_for("accounts.recovery_codes"), 303)


@bp.route("/login/two-factor", methods=["GET", "POST"])
def two_factor_code():
    user = staff_sign_in.pending_user()
    if user is None:
        return _start_again()
    if not two_factor.is_enrolled(user):
        return redirect(url_for("accounts.two_factor_setup"), 303)
    form = SecondFactorForm()
    if form.validate_on_submit():
        wait = _code_wait(user)
        if wait is not None:
            return _throttled("accounts/two_factor_code.html", form, wait)
        via = two_factor.verify_second_factor(user, form.code.data)
        if via is not None:
            throttle.succeeded(throttle.CODE, str(user.id))
            return _finish(user, via=via)
        _code_failed(user)
        form.code.errors = [two_factor.WRONG_CODE]
    return _page("accounts/two_factor_code.html", form=form)


@bp.route("/login/two-factor/set-up", methods=["GET", "POST"])
def two_factor_setup():
    user = staff_sign_in.pending_user()
    if user is None:
        return _start_again()
    if two_factor.is_enrolled(user):
        return redirect(url_for("accounts.two_factor_code"), 303)
    credential = two_factor.start_enrolment(user)
    db.session.commit()
    form = ConfirmAuthenticatorForm()
    uri = two_factor.provisioning_uri(user, credential)
    context = {"qr_code": two_factor.qr_code_data_uri(uri), "secret": two_factor.grouped_secret(credential.secret),
               "account": user.email}
    if form.validate_on_submit():
        wait = _code_wait(user)
        if wait is not None:
            return _throttled("accounts/two_factor_setup.html", form, wait, **context)
        codes = two_factor.confirm_enrolment(user, form.code.data)
        if codes is not None:
            throttle.succeeded(throttle.CODE, str(user.id))
            return _finish(user, via="totp", new_codes=codes)
        _code_failed(user)
        form.code.errors = [two_factor.WRONG_CODE]
    return _page("accounts/two_factor_setup.html", form=form, **context)


@bp.route("/login/two-factor/recovery-codes")
@login_required
def recovery_codes():
    """Shown once: the codes leave the session as this page is drawn."""
    codes = session.pop(staff_sign_in.NEW_RECOVERY_CODES, None)
    then = safe_next(session.pop(staff_sign_in.AFTER_RECOVERY_CODES, None), url_for("staff.home"))
    if not codes:
        return redirect(then)
    return render_template("accounts/recovery_codes.html", codes=codes, then=then)


@bp.route("/settings/two-factor", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
@limiter.limit(PER_ACCOUNT, methods=["POST"], key_func=_signed_in_account_key, deduct_when=_failed)
def two_factor_settings():
    user = current_user._get_current_object()
    credential = two_factor.credential_for(user)
    enrolled = credential is not None and credential.confirmed_at is not None
    form = NewRecoveryCodesForm()
    if form.validate_on_submit() and enrolled:
        if two_factor.verify_app_code(user, form.code.data):
            codes = two_factor.replace_recovery_codes(user)
            db.session.commit()
            return _show_recovery_codes(codes, url_for("accounts.two_factor_settings"))
        form.code.errors = [two_factor.WRONG_CODE]
    return _page("accounts/two_factor_settings.html", form=form, credential=credential if enrolled else None,
                 codes_left=two_factor.recovery_codes_left(user))
