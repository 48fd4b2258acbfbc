"""Sign-in throttling that cannot be turned against a person (OWASP ASVS 5.0 V6.3.1): failures slow
the pair (account, client address) and the address across accounts, never the account alone.

Two client addresses come through the configured proxy header: the app is put behind one proxy
as `FLOURISH_PROXY_COUNT=1` does (`webapp.behind_proxies`), and each request says its address in
`X-Forwarded-For`."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.two_factor import current_code, enrol, two_factor_required
from webapp import behind_proxies, clock
from webapp.accounts import throttle
from webapp.audit import AuditEvent
from webapp.extensions import db

ATTACKER, OWNER, SCHOOL = "203.0.113.66", "198.51.100.7", "192.0.2.10"
WRONG = "not the password at all"


@pytest.fixture
def behind_a_proxy(app):
    """The app behind one proxy, as in production with FLOURISH_PROXY_COUNT=1."""
    original = app.wsgi_app
    behind_proxies(app, 1)
    yield
    app.wsgi_app = original


def from_address(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}}


def try_password(client, email: str, password: str, address: str):
    return client.post_form("/login", {"email": email, "password": password}, **from_address(address))


def patiently(client, email: str, password: str, address: str, tries: int) -> list[int]:
    """`tries` real attempts, each after waiting as long as the answer before it said to."""
    statuses = []
    while len(statuses) < tries:
        response = try_password(client, email, password, address)
        if response.status_code == 429:
            clock.advance(timedelta(seconds=int(response.headers["Retry-After"])))
            continue
        statuses.append(response.status_code)
    return statuses


def audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_fifty_failures_from_one_address_do_not_keep_the_owner_out_from_another(
        app, make_user, behind_a_proxy, frozen_clock):
    owner = make_user(role="young_person", email="owner@example.org")
    attacker = app.test_client()
    started = clock.now()
    assert patiently(attacker, owner.email, WRONG, ATTACKER, 50) == [400] * 50
    assert clock.now() - started > timedelta(hours=5)  # fifty guesses took the attacker over five hours ...
    # ... while the owner, from anywhere else, signs in at once
    signed_in = try_password(app.test_client(), owner.email, DEFAULT_PASSWORD, OWNER)
    assert signed_in.status_code == 303
    assert len(audited("account.login_failed")) == 50
    assert all(event.subject_id == str(owner.id) for event in audited("account.login_failed"))
    assert audited("account.sign_in_paused")


def test_a_staff_member_still_gets_in_past_the_second_step_from_another_address(
        app, make_user, behind_a_proxy, frozen_clock):
    with two_factor_required(app):
        clinician = make_user(role="clinician", email="on.call@example.org")
        enrol(clinician)
        patiently(app.test_client(), clinician.email, WRONG, ATTACKER, 50)
        browser = app.test_client()
        password = try_password(browser, clinician.email, DEFAULT_PASSWORD, OWNER)
        assert password.status_code == 303 and password.headers["Location"] == "/login/two-factor"
        code = browser.post_form("/login/two-factor", {"code": current_code(clinician)}, **from_address(OWNER))
        assert code.status_code == 303
        assert browser.get("/staff/requests/").status_code == 200


def test_the_delay_grows_then_the_pair_pauses_and_the_right_password_clears_it(
        app, make_user, behind_a_proxy, frozen_clock):
    user = make_user(email="typo.prone@example.org")
    client = app.test_client()
    assert [try_password(client, user.email, WRONG, ATTACKER).status_code for _ in range(3)] == [400] * 3
    waits = []
    for _ in range(7):
        slowed = try_password(client, user.email, DEFAULT_PASSWORD, ATTACKER)  # even the right one must wait
        assert slowed.status_code == 429
        waits.append(int(slowed.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1]))
        assert try_password(client, user.email, WRONG, ATTACKER).status_code == 400
    paused = try_password(client, user.email, DEFAULT_PASSWORD, ATTACKER)
    waits.append(int(paused.headers["Retry-After"]))
    assert waits == [1, 2, 4, 8, 16, 32, 64, 900]
    assert "Too many tries. Wait 15 minutes, then try again." in paused.get_data(as_text=True)
    clock.advance(timedelta(minutes=1))
    assert try_password(client, user.email, DEFAULT_PASSWORD, ATTACKER).status_code == 429  # still paused
    clock.advance(timedelta(minutes=15))
    assert try_password(client, user.email, DEFAULT_PASSWORD, ATTACKER).status_code == 303
    # the right password started the pair afresh: three free tries again
    other = app.test_client()
    assert [try_password(other, user.email, WRONG, ATTACKER).status_code for _ in range(4)] == [400] * 3 + [429]


def test_one_address_trying_many_accounts_is_slowed_and_others_are_not(
        app, make_user, behind_a_proxy, frozen_clock):
    people = [make_user(email=f"pupil{number}@example.org") for number in range(25)]
    sprayer = app.test_client()
    answers = [try_password(sprayer, person.email, "Summer2026!", SCHOOL).status_code for person in people[:20]]
    assert answers == [400] * 20  # one try each: no pair is slowed, the address has used its 20
    slowed = try_password(sprayer, people[20].email, "Summer2026!", SCHOOL)
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "1"
    # the same address is slowed even for someone typing their own right password ...
    assert try_password(app.test_client(), people[21].email, DEFAULT_PASSWORD, SCHOOL).status_code == 429
    # ... never locked: after the wait it may try
    clock.advance(timedelta(seconds=1))
    assert try_password(app.test_client(), people[21].email, DEFAULT_PASSWORD, SCHOOL).status_code == 303
    # and every other address is untouched
    assert try_password(app.test_client(), people[22].email, DEFAULT_PASSWORD, OWNER).status_code == 303
    # the wait doubles with each further failure, up to a minute
    waits = []
    for person in people[:12]:
        response = try_password(sprayer, person.email, "Summer2026!", SCHOOL)
        assert response.status_code == 400
        waits.append(int(try_password(sprayer, person.email, "x" * 9, SCHOOL).headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1]))
    assert waits[:6] == [2, 4, 8, 16, 32, 60] and set(waits[6:]) == {60}
    assert len(audited("sign_in.address_slowed")) == 1


def test_unknown_accounts_count_for_the_address_and_the_answer_is_the_same(
        app, make_user, behind_a_proxy, frozen_clock):
    make_user(email="known@example.org")
    client = app.test_client()
    known = [try_password(client, "known@example.org", WRONG, ATTACKER).status_code for _ in range(4)]
    unknown = [try_password(client, "nobody@example.org", WRONG, ATTACKER).status_code for _ in range(4)]
    assert known == unknown == [400, 400, 400, 429]  # nothing tells an existing account from none
    assert len(audited("account.login_failed")) == 3  # only a known account's failures are audited


def test_twenty_wrong_codes_pause_the_code_step_until_the_password_changes(
        app, make_user, behind_a_proxy, frozen_clock):
    """Past the password only: someone who has it cannot guess codes from many addresses; the code
    step pauses for the account, and a new password (or signing out everywhere) lifts it."""
    with two_factor_required(app):
        clinician = make_user(role="clinician")
        enrol(clinician)
        for number in range(20):
            address = f"203.0.113.{number + 1}"
            browser = app.test_client()
            assert try_password(browser, clinician.email, DEFAULT_PASSWORD, address).status_code == 303
            wrong = browser.post_form("/login/two-factor", {"code": "000000"}, **from_address(address))
            assert wrong.status_code == 400
        owner = app.test_client()
        try_password(owner, clinician.email, DEFAULT_PASSWORD, OWNER)
        paused = owner.post_form("/login/two-factor", {"code": current_code(clinician)}, **from_address(OWNER))
        assert paused.status_code == 429 and int(paused.headers["Retry-After"]) > 60 * 60
        assert len(audited("account.second_step_failed")) == 20
        from webapp.accounts import service

        service.end_all_sessions(clinician)  # an admin's new password, or the owner signing out everywhere
        db.session.commit()
        owner = app.test_client()
        try_password(owner, clinician.email, DEFAULT_PASSWORD, OWNER)
        signed_in = owner.post_form("/login/two-factor", {"code": current_code(clinician)}, **from_address(OWNER))
        assert signed_in.status_code == 303


def test_without_a_trusted_proxy_the_header_is_ignored(app, make_user, frozen_clock):
    """No FLOURISH_PROXY_COUNT: a client cannot pick a new address for each try."""
    user = make_user(email="steady@example.org")
    client = app.test_client()
    answers = [try_password(client, user.email, WRONG, f"203.0.113.{number}").status_code for number in range(4)]
    assert answers == [400, 400, 400, 429]


def test_the_throttle_keeps_no_email_or_address_in_its_keys_or_logs(
        app, make_user, behind_a_proxy, frozen_clock, caplog):
    from webapp.extensions import limiter

    make_user(email="private.person@example.org")
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        patiently(client, "private.person@example.org", WRONG, "203.0.113.99", 12)
    keys = list(getattr(limiter.storage, "storage", {}))
    assert keys and not any("private" in key or "203.0.113" in key for key in keys)
    assert "private.person" not in caplog.text


def test_with_the_store_unreachable_it_counts_in_this_process(app, make_user, behind_a_proxy, frozen_clock,
                                                              monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("no redis here")

            return fail

    monkeypatch.setattr(throttle._Store, "_primary", lambda self: Down())
    throttle.reset()
    user = make_user(email="still.limited@example.org")
    client = app.test_client()
    answers = [try_password(client, user.email, WRONG, ATTACKER).status_code for _ in range(4)]
    assert answers == [400, 400, 400, 429]
    assert try_password(app.test_client(), user.email, DEFAULT_PASSWORD, OWNER).status_code == 303
    throttle.reset()


def test_admins_see_repeated_failures_on_the_health_page(app, make_user, login, behind_a_proxy, frozen_clock):
    from webapp.admin.service import health

    nurse = make_user(role="clinician", email="nurse.on.shift@example.org")
    pupil = make_user(email="pupil@example.org")
    problems_before = health().problems
    patiently(app.test_client(), nurse.email, WRONG, ATTACKER, 12)
    patiently(app.test_client(), pupil.email, WRONG, ATTACKER, 2)  # a couple of typos: not listed
    for number in range(21):
        try_password(app.test_client(), f"nobody{number}@example.org", WRONG, SCHOOL)
    admin = app.test_client()
    login(admin, make_user(role="admin"))
    page = admin.get("/staff/admin/health").get_data(as_text=True)
    assert "Failed sign-ins" in page and health().problems == problems_before + 1
    row = page[page.index('id="failed-sign-ins-caption"'):]
    assert f'href="/staff/admin/staff/{nurse.id}">nurse.on.shift@example.org</a></td><td>12</td><td>0</td>' in row
    assert f"Account {pupil.id} (not staff)" not in row
    summary = page[page.index("Failed sign-ins"):page.index('id="failed-sign-ins-caption"')]
    assert "<dd class=\"summary-list__value\">14</dd>" in summary  # failed tries at known accounts
    assert "Addresses slowed for trying many accounts</dt><dd class=\"summary-list__value\">1</dd>" in summary
    assert "An account paused for one address</dt><dd class=\"summary-list__value\">" in summary
    # a day later it has gone
    clock.advance(timedelta(hours=25))
    page = admin.get("/staff/admin/health").get_data(as_text=True)
    assert 'id="failed-sign-ins-caption"' not in page


def test_two_failures_written_at_once_never_make_a_longer_wait(app, frozen_clock):
    """The store can only add: had two failures added their "wait until" to one key, the time would
    be doubled (decades). Each number of failures has its own key, and a wait is never longer than
    its number of failures asks for, whatever the store holds."""
    from webapp.extensions import limiter

    with app.test_request_context("/login", method="POST", environ_base={"REMOTE_ADDR": ATTACKER}):
        for _ in range(3):
            throttle.failed(throttle.PASSWORD, "someone@example.org")
        assert throttle.wait_for(throttle.PASSWORD, "someone@example.org").seconds == 1
        doubled = [key for key in limiter.storage.storage if ":until:" in key]
        for key in doubled:  # a second writer adding the same time again
            limiter.storage.incr(key, 120, amount=limiter.storage.get(key))
        assert throttle.wait_for(throttle.PASSWORD, "someone@example.org").seconds == 1
        db.session.rollback()
