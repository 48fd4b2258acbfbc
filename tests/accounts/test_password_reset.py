"""Resetting a forgotten password by email (#20 item 5, #21 item 9): the same answer for every
address, a single-use expiring link kept only as a hash, the usual password rules, every session
ended after, and limits on asking."""

from __future__ import annotations

import logging
from datetime import timedelta

from tests.accounts.helpers import comparable
from tests.accounts.messages import last_to, link_path, sent_to
from tests.conftest import DEFAULT_PASSWORD
from webapp.accounts import service, verification
from webapp.accounts.models import PasswordReset
from webapp.extensions import db, limiter

NEW_PASSWORD = "lighthouse orange picnic"


def ask(client, email: str):
    return client.post_form("/password-reset", {"email": email})


def open_link(client, email: str):
    return client.get(link_path(last_to(email, "password_reset")))


def test_every_address_gets_the_same_answer(app, make_user, frozen_clock):
    make_user(email="known@example.org")
    known, unknown = app.test_client(), app.test_client()
    known_answer = ask(known, "known@example.org")
    limiter.reset()  # each from a fresh start: the rate-limit headers count requests from this address
    unknown_answer = ask(unknown, "nobod@example.org")
    assert known_answer.status_code == 303
    assert known_answer.headers["Location"] == "/password-reset/check-your-email"
    assert comparable(known_answer) == comparable(unknown_answer)
    pages = [client.get("/password-reset/check-your-email") for client in (known, unknown)]
    assert "If the address you gave has an account" in pages[0].get_data(as_text=True)
    assert comparable(pages[0]) == comparable(pages[1])
    assert len(sent_to("known@example.org")) == 1 and sent_to("nobod@example.org") == []


def test_a_reset_from_start_to_end_signs_out_every_old_session(app, make_user, login, frozen_clock):
    user = make_user(email="robin@example.org")
    phone, laptop, forgetful = app.test_client(), app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    assert ask(forgetful, "robin@example.org").status_code == 303
    message = last_to("robin@example.org", "password_reset")
    token = link_path(message).rsplit("/", 1)[1]
    stored = db.session.query(PasswordReset).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64  # only the hash is kept

    opened = open_link(forgetful, "robin@example.org")
    assert opened.status_code == 303 and opened.headers["Location"] == "/password-reset/new"
    page = forgetful.get("/password-reset/new")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert token not in page.get_data(as_text=True)
    done = forgetful.post_form("/password-reset/new", {"new_password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert "Your password is set" in forgetful.get("/login").get_data(as_text=True)

    assert phone.get("/settings/").status_code == 302 and laptop.get("/settings/").status_code == 302
    assert forgetful.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 400
    assert forgetful.post_form("/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 303
    assert verification.is_proved(user.id, "email", "robin@example.org")  # the link reached them


def test_the_link_works_once(app, make_user, frozen_clock):
    make_user(email="robin@example.org")
    first, second = app.test_client(), app.test_client()
    ask(first, "robin@example.org")
    open_link(first, "robin@example.org")
    open_link(second, "robin@example.org")  # the same link, in another browser
    assert first.post_form("/password-reset/new", {"new_password": NEW_PASSWORD}).status_code == 303
    again = second.post_form("/password-reset/new", {"new_password": "another lovely passphrase"})
    assert again.status_code == 400 and "This link no longer works" in again.get_data(as_text=True)
    assert open_link(second, "robin@example.org").status_code == 404


def test_the_link_expires_after_an_hour(client, make_user, frozen_clock):
    make_user(email="robin@example.org")
    ask(client, "robin@example.org")
    frozen_clock.advance(timedelta(hours=1, seconds=1))
    answer = open_link(client, "robin@example.org")
    assert answer.status_code == 404 and "Ask for a new link" in answer.get_data(as_text=True)


def test_an_expiry_while_the_page_is_open_is_caught_too(client, make_user, frozen_clock):
    make_user(email="robin@example.org")
    ask(client, "robin@example.org")
    open_link(client, "robin@example.org")
    frozen_clock.advance(timedelta(hours=1, seconds=1))
    answer = client.post_form("/password-reset/new", {"new_password": NEW_PASSWORD})
    assert answer.status_code == 400 and "This link no longer works" in answer.get_data(as_text=True)


def test_the_new_password_is_held_to_the_usual_rules_and_the_link_stays_usable(client, make_user, frozen_clock):
    user = make_user(email="robin.fairweather@example.org", display_name="Robin")
    ask(client, user.email)
    open_link(client, user.email)
    same = client.post_form("/password-reset/new", {"new_password": DEFAULT_PASSWORD})
    assert same.status_code == 400 and "not the one you have now" in same.get_data(as_text=True)
    weak = client.post_form("/password-reset/new", {"new_password": "fairweather1"})
    body = weak.get_data(as_text=True)
    assert weak.status_code == 400 and "too easy to guess" in body and 'value="fairweather1"' not in body
    assert 'id="new_password-error"' in body and 'aria-describedby="new_password-hint new_password-error"' in body
    assert client.post_form("/password-reset/new", {"new_password": NEW_PASSWORD}).status_code == 303


def test_a_password_changed_another_way_ends_the_links_sent_before(app, make_user, login, frozen_clock):
    user = make_user(email="robin@example.org")
    ask(app.test_client(), "robin@example.org")
    signed_in = app.test_client()
    login(signed_in, user)
    signed_in.post_form("/settings/password", {"current_password": DEFAULT_PASSWORD,
                                               "new_password": "a completely new phrase"})
    assert open_link(app.test_client(), "robin@example.org").status_code == 404


def test_asking_is_limited_per_address_the_same_for_every_email(app, make_user, frozen_clock):
    make_user(email="known@example.org")
    client = app.test_client()
    for number in range(10):  # throttle.RESET_REQUESTS
        assert ask(client, f"guess{number}@example.org").status_code == 303
    known, unknown = ask(client, "known@example.org"), ask(client, "nobod@example.org")
    assert known.status_code == unknown.status_code == 429
    assert int(known.headers["Retry-After"]) >= 1 and "Too many tries" in known.get_data(as_text=True)
    assert 'value="known@example.org"' in known.get_data(as_text=True)  # what was typed is kept
    assert sent_to("known@example.org") == []


def test_emails_to_one_address_are_limited_silently(app, make_user, frozen_clock):
    make_user(email="known@example.org")
    for _ in range(5):
        assert ask(app.test_client(), "known@example.org").status_code == 303
    assert len(sent_to("known@example.org", "password_reset")) == 3  # throttle.ACCOUNT_EMAILS
    frozen_clock.advance(timedelta(hours=2))
    ask(app.test_client(), "known@example.org")
    assert len(sent_to("known@example.org", "password_reset")) == 4


def test_a_deactivated_account_gets_no_link(client, make_user, frozen_clock):
    user = make_user(email="left@example.org", role="clinician")
    service.deactivate(user)
    db.session.commit()
    assert ask(client, "left@example.org").status_code == 303
    assert sent_to("left@example.org") == []


def test_staff_still_sign_in_with_their_second_factor_after_a_reset(app, make_user, staff_two_factor,
                                                                     frozen_clock):
    from tests.helpers.two_factor import CODE_STEP_PATH, enrol

    nurse = make_user(role="clinician", email="nurse@example.org")
    enrol(nurse)
    db.session.commit()
    client = app.test_client()
    ask(client, "nurse@example.org")
    open_link(client, "nurse@example.org")
    assert client.post_form("/password-reset/new", {"new_password": NEW_PASSWORD}).status_code == 303
    signed = client.post_form("/login", {"email": "nurse@example.org", "password": NEW_PASSWORD})
    assert signed.status_code == 303 and signed.headers["Location"] == CODE_STEP_PATH
    assert client.get("/staff/").status_code == 302  # not signed in until the code step is done


def test_the_reset_email_is_in_the_accounts_language(client, make_user, frozen_clock):
    make_user(email="ola@example.org", locale="pl")
    ask(client, "ola@example.org")
    assert last_to("ola@example.org").language == "pl"


def test_no_email_or_token_reaches_the_logs(client, make_user, caplog, frozen_clock):
    make_user(email="private.person@example.org")
    with caplog.at_level(logging.INFO):
        ask(client, "private.person@example.org")
        token = link_path(last_to("private.person@example.org")).rsplit("/", 1)[1]
        open_link(client, "private.person@example.org")
    assert "password reset sent" in caplog.text
    assert "private.person" not in caplog.text and token not in caplog.text


def test_the_access_log_never_shows_a_links_token():
    from webapp.log_safety import EscapedAtoms

    atoms = EscapedAtoms({"U": "/password-reset/link/s3cr3t-Token_x", "r": "GET /register/finish/an0ther HTTP/1.1",
                          "h": "192.0.2.1"})
    assert atoms["U"] == "/password-reset/link/(hidden)"
    assert atoms["r"] == "GET /register/finish/(hidden) HTTP/1.1"
    assert "s3cr3t" not in atoms["U"] and "an0ther" not in atoms["r"]


def test_one_link_used_twice_at_once_sets_one_password(app, make_user, frozen_clock):
    """Run on PostgreSQL too: the link is used up by a conditional update, so only one request wins."""
    from tests.helpers.at_once import at_once
    from webapp.accounts import password_reset

    user = make_user(email="robin@example.org")
    ask(app.test_client(), "robin@example.org")
    token = link_path(last_to("robin@example.org")).rsplit("/", 1)[1]
    passwords = iter(["lighthouse orange picnic", "harbour violet kettle", "meadow copper lantern"])
    chosen = [next(passwords) for _ in range(3)]
    index = iter(range(3))

    def use_link():
        return password_reset.reset_password(token, chosen[next(index)]).id

    results = at_once(app, use_link, workers=3)
    assert [result for result in results if result == user.id] == [user.id], results
    assert all(isinstance(result, password_reset.LinkNoLongerWorks) for result in results if result != user.id)
    db.session.refresh(user)
    assert sum(service.verify_password(user, password) for password in chosen) == 1
