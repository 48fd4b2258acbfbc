"""The page where a person proves a phone number or email address: ask for a code, type it back.

Other pages link here with `verification.prove_url(channel, address, next)`: the address travels
sealed in the path, never readable in a URL. Signed in, the proof is the account's; signed out, it
is for someone without an account (a requester).
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.accounts import throttle, verification
from webapp.accounts.forms import ProveContactForm, SendCodeForm
from webapp.accounts.routes import bp, throttled, too_many_tries
from webapp.accounts.verification import Outcome
from webapp.extensions import db
from webapp.i18n import current_language
from webapp.messaging.addresses import AddressError
from webapp.urls import safe_next


def _person() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _target(target: str) -> tuple[str, str, str]:
    opened = verification.open_target(target)
    if opened is None:
        abort(404)
    return opened


def _page(target: str, channel: str, address: str, *, form: ProveContactForm | None = None,
          send_error: str | None = None, status: int | None = None) -> Response:
    live = verification.has_live_code(_person(), channel, address)
    context = {
        "target": target, "channel": channel, "shown_address": verification.display(channel, address),
        "live": live, "form": form or ProveContactForm(), "send_form": SendCodeForm(), "send_error": send_error,
        "minutes": int(verification.CODE_LIFETIME.total_seconds() // 60),
    }
    code = status if status is not None else (200 if request.method == "GET" else 400)
    response = make_response(render_template("accounts/prove_contact.html", **context), code)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/contact/prove/<target>", methods=["GET", "POST"])
def prove_contact(target: str):
    """GET: the page. POST: a code typed back."""
    channel, address, next_target = _target(target)
    form = ProveContactForm()
    if request.method == "POST" and form.validate_on_submit():
        result = verification.check(_person(), channel, address, form.code.data)
        db.session.commit()  # the try is counted whatever the outcome
        if result.outcome is Outcome.PROVED:
            flash(_("Thank you: %(address)s is confirmed as yours.",
                    address=verification.display(channel, address)), "success")
            default = url_for("accounts.settings") if current_user.is_authenticated else url_for("core.home")
            return redirect(safe_next(next_target, default), 303)
        if result.outcome is not Outcome.WRONG:  # no code left to type: the error goes by "send a new code"
            return _page(target, channel, address, send_error=_why_not(result))
        form.code.errors = [_why_not(result)]
    elif request.method == "POST" and not verification.has_live_code(_person(), channel, address):
        return _page(target, channel, address, send_error=_why_not(verification.Result(Outcome.NO_CODE)))
    return _page(target, channel, address, form=form)


def _why_not(result: verification.Result) -> str:
    if result.outcome is Outcome.WRONG:
        return ngettext("That is not the code we sent. You can try %(num)d more time.",
                        "That is not the code we sent. You can try %(num)d more times.", result.tries_left)
    if result.outcome is Outcome.EXPIRED:
        return _("That code has expired: codes work for %(minutes)d minutes. Ask for a new code below.",
                 minutes=int(verification.CODE_LIFETIME.total_seconds() // 60))
    if result.outcome is Outcome.SPENT:
        return _("That code was typed wrongly too many times, so it no longer works. Ask for a new code below.")
    return _("There is no code waiting for this address. Ask for a code below.")


@bp.route("/contact/prove/<target>/send", methods=["POST"])
def send_contact_code(target: str):
    channel, address, _next = _target(target)
    form = SendCodeForm()
    if not form.validate_on_submit():
        return _page(target, channel, address, send_error=_("This page was open for too long. Ask again."))
    wait = throttle.use(throttle.CODES_SENT)
    if wait is not None:
        return throttled(_page(target, channel, address, send_error=too_many_tries(wait)), wait)
    try:
        verification.start(_person(), channel, address, current_language())
    except (verification.ProofError, AddressError) as error:
        db.session.rollback()
        return _page(target, channel, address, send_error=str(error.message))
    db.session.commit()
    return redirect(url_for("accounts.prove_contact", target=target), 303)
