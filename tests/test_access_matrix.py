"""Every route x every role -> the expected answer, and CSRF on every state-changing route.

Each route must be declared in ACCESS below: a new route that is not makes this test fail, so
nobody adds a page without deciding who may see it.
"""

from __future__ import annotations

import re

import pytest

from webapp.accounts.roles import Role

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *(role.value for role in Role))
PUBLIC, SIGNED_IN, TOKEN = "public", "signed_in", "token"
STAFF = ("base_staff", "clinician", "admin")
LEADERS = ("clinician", "admin")

# endpoint -> who may use it: PUBLIC, SIGNED_IN, TOKEN (bearer-token API) or a tuple of roles.
ACCESS: dict[str, object] = {
    "static": PUBLIC,
    "core.home": PUBLIC, "core.help_now": PUBLIC, "core.privacy": PUBLIC, "core.healthz": PUBLIC,
    "core.openapi": PUBLIC,
    "device.this_device": PUBLIC, "device.remove": PUBLIC,
    "pwa.manifest": PUBLIC, "pwa.service_worker": PUBLIC, "pwa.offline": PUBLIC, "pwa.offline_pack": PUBLIC,
    "pwa.csrf_token": PUBLIC,
    "accounts.login": PUBLIC, "accounts.register": PUBLIC, "accounts.logout": PUBLIC,
    "accounts.set_language": PUBLIC,
    "accounts.settings": SIGNED_IN, "accounts.my_data": SIGNED_IN, "accounts.download_data": SIGNED_IN,
    "accounts.delete_account": SIGNED_IN, "accounts.change_password": SIGNED_IN,
    "accounts.two_factor_code": PUBLIC, "accounts.two_factor_setup": PUBLIC,
    "accounts.recovery_codes": SIGNED_IN, "accounts.two_factor_settings": STAFF,
    # sign-up and password reset by emailed link, and proving a number or email (#20): for anyone.
    "accounts.sign_up_sent": PUBLIC, "accounts.finish_sign_up_link": PUBLIC, "accounts.finish_sign_up": PUBLIC,
    "accounts.request_password_reset": PUBLIC, "accounts.password_reset_sent": PUBLIC,
    "accounts.password_reset_link": PUBLIC, "accounts.choose_new_password": PUBLIC,
    "accounts.prove_contact": PUBLIC, "accounts.send_contact_code": PUBLIC,
    "staff.home": STAFF, "staff.stay_signed_in": STAFF,
    # privacy (#21): the notice's layers, the accessibility statement and raising a concern are for
    # everyone; the concerns raised are for admins.
    "privacy.layer": PUBLIC, "privacy.accessibility": PUBLIC, "privacy.raise_concern": PUBLIC,
    "privacy.concern_sent": PUBLIC, "privacy.my_data_page": SIGNED_IN,
    "privacy.concerns": ("admin",), "privacy.handled": ("admin",),
    "selfhelp.index": PUBLIC, "selfhelp.mood": PUBLIC, "selfhelp.mood_delete": SIGNED_IN,
    "selfhelp.mood_import": SIGNED_IN, "selfhelp.services": PUBLIC, "selfhelp.breathing": PUBLIC,
    "selfhelp.distraction": PUBLIC, "selfhelp.grounding": PUBLIC, "selfhelp.sleep": PUBLIC,
    "selfhelp.worry_time": PUBLIC, "selfhelp.topic": PUBLIC, "selfhelp.what_would_help": PUBLIC,
    "waits.index": PUBLIC, "waits.api": PUBLIC, "waits.leaders": LEADERS, "waits.leaders_csv": LEADERS,
    "support.start": PUBLIC, "support.step": PUBLIC, "support.urgent_help": PUBLIC, "support.check": PUBLIC,
    "support.sent": PUBLIC, "support.autosave": PUBLIC,
    "support_requester.track": PUBLIC, "support_requester.track_page": PUBLIC,
    "support_requester.track_worse": PUBLIC, "support_requester.track_answer": PUBLIC,
    "support_requester.mine": ("young_person", "parent", "professional"),
    "support_requester.timeline": ("young_person", "parent", "professional"),
    "support_requester.worse": ("young_person", "parent", "professional"),
    "support_requester.answer": ("young_person", "parent", "professional"),
    "support_staff.queue": LEADERS, "support_staff.detail": LEADERS, "support_staff.update": LEADERS,
    "support_staff.reviewed": LEADERS, "support_staff.undelivered": LEADERS,
    "checkins.track_answer": PUBLIC, "checkins.track_come_back": PUBLIC, "checkins.track_feedback": PUBLIC,
    "checkins.feedback": ("young_person", "parent", "professional"),
    "checkins.answer": ("young_person", "parent", "professional"),
    "checkins.come_back": ("young_person", "parent", "professional"),
    "checkins.ask_now": LEADERS, "checkins.decide": LEADERS, "checkins.lists": LEADERS,
    "checkins.figures": LEADERS, "checkins.figures_csv": LEADERS,
    "support_api.pull": TOKEN, "support_api.one": TOKEN, "support_api.status": TOKEN,
    "notifications.settings": SIGNED_IN, "notifications.remove_device": SIGNED_IN,
    "notifications.send_test": SIGNED_IN, "notifications.staff_outbox": ("admin",),
    "notifications.staff_retry": ("admin",), "push_api.vapid_public_key": PUBLIC,
    "push_api.subscribe": SIGNED_IN, "push_api.unsubscribe": SIGNED_IN,
    # texts, emails and letters (#20): Notify's receipts by bearer token; /dev/messages only outside production.
    "messaging.settings": SIGNED_IN, "messaging.staff_messages": ("admin",), "messaging.dev_messages": PUBLIC,
    "notify_api.callback": TOKEN,
    # bookings: bases and slots are public; booking is for young people and parents (their own bookings only,
    # 404 for anyone else's); base staff run their own bases (404 for another's), admins all.
    "bookings.index": PUBLIC, "bookings.base": PUBLIC,
    "bookings.book": ("young_person", "parent"), "bookings.wait": ("young_person", "parent"),
    "bookings.mine": ("young_person", "parent"), "bookings.cancel": ("young_person", "parent"),
    "bookings.move": ("young_person", "parent"), "bookings.calendar_file": ("young_person", "parent"),
    "bookings.take_offer": ("young_person", "parent"), "bookings.leave_waiting": ("young_person", "parent"),
    "bookings_staff.home": ("base_staff", "admin"), "bookings_staff.day": ("base_staff", "admin"),
    "bookings_staff.walk_in": ("base_staff", "admin"),
    "bookings_staff.over_capacity": ("base_staff", "admin"), "bookings_staff.attendance": ("base_staff", "admin"),
    "bookings_staff.new_session": ("base_staff", "admin"), "bookings_staff.edit_session": ("base_staff", "admin"),
    "bookings_staff.cancel_session": ("base_staff", "admin"), "bookings_staff.follow_ups": ("base_staff", "admin"),
    "bookings_staff.follow_up_done": ("base_staff", "admin"),
    "bookings_staff.assignments": ("admin",), "bookings_staff.unassign": ("admin",),
    # goals: the young person's own; the shared view is for the allocated clinician (404 for any other).
    "goals.index": ("young_person",), "goals.new": ("young_person",), "goals.goal": ("young_person",),
    "goals.check_in": ("young_person",), "goals.close": ("young_person",),
    "goals.dismiss_offer": ("young_person",), "goals.settings": ("young_person",),
    "goals.set_sharing": ("young_person",), "goals.set_reminders": ("young_person",),
    "goals.stop_reminders": ("young_person",), "goals.device_copy": ("young_person",),
    "goals.sync_check_ins": ("young_person",), "goals.shared": ("clinician",), "goals.offline": PUBLIC,
    # safety plan: the plan is for everyone (kept on the device); the account copy and sharing are the young
    # person's; the shared view is for the allocated clinician (404 for any other). Never a parent.
    "safety_plan.plan": PUBLIC, "safety_plan.save": PUBLIC, "safety_plan.print_view": PUBLIC,
    "safety_plan.settings": ("young_person",), "safety_plan.set_keep": ("young_person",),
    "safety_plan.set_sharing": ("young_person",), "safety_plan.set_review": ("young_person",),
    "safety_plan.shared": ("clinician",), "safety_plan.add": ("clinician",),
    "safety_plan.about_me": ("young_person",),
    # admin: staff accounts, services, bases and system health, for admins only.
    "admin.home": ("admin",), "admin.staff": ("admin",), "admin.new_staff": ("admin",),
    "admin.staff_member": ("admin",), "admin.deactivate": ("admin",),
    "admin.reactivate": ("admin",), "admin.reset_two_factor": ("admin",), "admin.new_password": ("admin",),
    "admin.services": ("admin",), "admin.new_service": ("admin",), "admin.edit_service": ("admin",),
    "admin.bases": ("admin",), "admin.new_base": ("admin",), "admin.edit_base": ("admin",),
    "admin.health": ("admin",),
}

PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")
SAMPLE_VALUES = {"int": "987654", "path": "nothing-here.txt", "string": "no-such-thing", None: "no-such-thing"}


def concrete(rule: str) -> str:
    return PLACEHOLDER.sub(lambda m: SAMPLE_VALUES.get(m.group(1), "no-such-thing"), rule)


def test_every_route_is_declared(app):
    undeclared = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(ACCESS))
    assert not undeclared, f"declare who may use these routes in ACCESS: {undeclared}"


def allowed(policy, role: str) -> bool:
    if policy == PUBLIC:
        return True
    if policy == SIGNED_IN:
        return role != ANONYMOUS
    if policy == TOKEN:
        return False
    return role in policy


@pytest.fixture
def client_as(app, make_user, login):
    def make(role: str):
        client = app.test_client()
        if role != ANONYMOUS:
            login(client, make_user(role=role))
        return client

    return make


@pytest.mark.parametrize("role", ROLES)
def test_get_routes_answer_as_the_matrix_says(app, client_as, role):
    client = client_as(role)
    problems = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        policy = ACCESS[rule.endpoint]
        has_params = bool(rule.arguments)
        response = client.get(concrete(rule.rule))
        status = response.status_code
        if status >= 500:
            problems.append(f"{rule.rule}: {status}")
        elif policy == TOKEN:
            if status != 401:
                problems.append(f"{rule.rule}: {status}, expected 401 without a token")
        elif not allowed(policy, role):
            expected = 302 if role == ANONYMOUS else 403
            if status != expected:
                problems.append(f"{rule.rule}: {status}, expected {expected} for {role}")
            if status == 302 and "/login" not in response.headers["Location"]:
                problems.append(f"{rule.rule}: redirected to {response.headers['Location']}")
        elif has_params:
            if status not in (200, 302, 404):
                problems.append(f"{rule.rule}: {status} with made-up ids")
        elif status not in (200, 302):
            problems.append(f"{rule.rule}: {status} for {role}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", (ANONYMOUS, "young_person", "clinician"))
def test_state_changing_routes_refuse_a_missing_csrf_token(app, client_as, role):
    client = client_as(role)
    problems = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            policy = ACCESS[rule.endpoint]
            response = client.open(concrete(rule.rule), method=method, data={"x": "1"})
            if policy == TOKEN:
                ok = response.status_code == 401
            else:
                ok = response.status_code in (400, 302, 403) and response.status_code < 500
                if response.status_code == 400:
                    # or, for a form of a page kept for anonymous visitors (webapp/page_cache.py), shown
                    # again with a fresh token and not acted on
                    page = response.get_data(as_text=True)
                    ok = ok and ("open for too long" in page or response.is_json or "Press once more" in page
                                 or "press the button again" in page)
            if not ok:
                problems.append(f"{method} {rule.rule}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_every_response_carries_the_security_headers(app, client_as):
    client = client_as("young_person")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments:
            continue
        headers = client.get(rule.rule).headers
        assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), rule.rule
        assert headers.get("X-Content-Type-Options") == "nosniff", rule.rule
        assert headers.get("Referrer-Policy") == "no-referrer", rule.rule
        assert headers.get("Cache-Control") == "no-store", f"{rule.rule} is cached while signed in"
