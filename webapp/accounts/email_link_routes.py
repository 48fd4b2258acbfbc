"""Pages reached from an emailed link: finishing sign-up, and resetting a forgotten password.

A link's token is read once, kept in the session and the browser sent on to a page without it, so
the token does not stay in the address bar, in history or on the page.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user
from werkzeug.wrappers import Response

from webapp.accounts import password_reset, service, sign_up, staff_sign_in, throttle
from webapp.accounts.forms import FinishSignUpForm, NewPasswordForm, RequestPasswordResetForm
from webapp.accounts.routes import _apply_errors, bp, throttled, too_many_tries
from webapp.extensions import db
from webapp.i18n import current_language

# Session keys holding an emailed link's token once it is followed.
SESSION_SIGN_UP_LINK = "sign_up_link"
SESSION_RESET_LINK = "password_reset_link"


def _page(template: str, status: int | None = None, **context) -> Response:
    """Never kept by any cache: these pages act on a token from an email."""
    code = status if status is not None else (200 if request.method == "GET" else 400)
    response = make_response(render_template(template, **context), code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _link_no_longer_works(kind: str, *, from_link: bool = False) -> Response:
    """Used, expired or never ours: 404 for the emailed link itself, else 200 for a page opened
    again (Back, a bookmark) and 400 for a form sent after the link stopped working."""
    status = 404 if from_link else (200 if request.method == "GET" else 400)
    return _page("accounts/link_no_longer_works.html", status=status, kind=kind)


# Finishing sign-up ----------------------------------------------------------------------------------

@bp.route("/register/check-your-email")
def sign_up_sent():
    return render_template("accounts/sign_up_sent.html")


@bp.route("/register/finish/<token>")
def finish_sign_up_link(token: str):
    if sign_up.pending(token) is None:
        return _link_no_longer_works("sign_up", from_link=True)
    session[SESSION_SIGN_UP_LINK] = token
    return redirect(url_for("accounts.finish_sign_up"), 303)


@bp.route("/register/finish", methods=["GET", "POST"])
def finish_sign_up():
    """The link was followed: typing the password chosen at sign-up again makes the account."""
    pending = sign_up.pending(session.get(SESSION_SIGN_UP_LINK))
    if pending is None:
        return _link_no_longer_works("sign_up")
    form = FinishSignUpForm()
    if form.validate_on_submit():
        tried = sign_up.try_password(pending, form.password.data)
        if tried.wait is not None:
            form.password.errors = [too_many_tries(tried.wait)]
            return throttled(_page("accounts/finish_sign_up.html", form=form), tried.wait)
        if tried.matches:
            return _make_account(pending)
        form.password.errors = [_("This is not the password you chose when you made your account.")]
    return _page("accounts/finish_sign_up.html", form=form)


def _make_account(pending) -> Response:
    try:
        user = sign_up.finish(pending)
    except sign_up.AlreadyFinished:
        db.session.commit()
        session.pop(SESSION_SIGN_UP_LINK, None)
        flash(_("You already have an account with this email address. Sign in, or reset your password if "
                "you have forgotten it."), "info")
        return redirect(url_for("accounts.login"), 303)
    db.session.commit()
    staff_sign_in.start_session(user, second_factor=False)  # a fresh session: the token goes with the old one
    flash(_("Your account is ready. Everything is private unless you choose to share it."), "success")
    return redirect(url_for("core.home"), 303)


# Resetting a forgotten password ---------------------------------------------------------------------

@bp.route("/password-reset", methods=["GET", "POST"])
def request_password_reset():
    """The same answer for every address (`password_reset`); 429 for an address asking too often."""
    form = RequestPasswordResetForm()
    if form.validate_on_submit():
        wait = throttle.use(throttle.RESET_REQUESTS)
        if wait is not None:
            form.email.errors = [too_many_tries(wait)]
            return throttled(_page("accounts/request_password_reset.html", form=form), wait)
        password_reset.request_reset(form.email.data, current_language())
        db.session.commit()
        return redirect(url_for("accounts.password_reset_sent"), 303)
    return _page("accounts/request_password_reset.html", form=form)


@bp.route("/password-reset/check-your-email")
def password_reset_sent():
    return render_template("accounts/password_reset_sent.html", minutes=_link_minutes())


def _link_minutes() -> int:
    return int(password_reset.LINK_LIFETIME.total_seconds() // 60)


@bp.route("/password-reset/link/<token>")
def password_reset_link(token: str):
    if password_reset.live_reset(token) is None:
        return _link_no_longer_works("reset", from_link=True)
    session[SESSION_RESET_LINK] = token
    return redirect(url_for("accounts.choose_new_password"), 303)


@bp.route("/password-reset/new", methods=["GET", "POST"])
def choose_new_password():
    token = session.get(SESSION_RESET_LINK)
    if password_reset.live_reset(token) is None:
        return _link_no_longer_works("reset")
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.new_password.data)
        except service.AccountError as error:
            db.session.rollback()
            _apply_errors(form, error)
        except password_reset.LinkNoLongerWorks:
            db.session.rollback()
            return _link_no_longer_works("reset")
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your password is set. Sign in with it now. Every device that was signed in to your account "
                    "has been signed out."), "success")
            return redirect(url_for("accounts.login"), 303)
    return _page("accounts/new_password.html", form=form)
