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
    "pwa.manifest": PUBLIC, "pwa.service_worker": PUBLIC, "pwa.offline": PUBLIC,
    "accounts.login": PUBLIC, "accounts.register": PUBLIC, "accounts.logout": PUBLIC,
    "accounts.set_language": PUBLIC,
    "accounts.settings": SIGNED_IN, "accounts.my_data": SIGNED_IN, "accounts.download_data": SIGNED_IN,
    "accounts.delete_account": SIGNED_IN, "accounts.change_password": SIGNED_IN,
    "staff.home": STAFF,
    "selfhelp.index": PUBLIC, "selfhelp.mood": PUBLIC, "selfhelp.mood_delete": SIGNED_IN,
    "selfhelp.mood_import": SIGNED_IN, "selfhelp.services": PUBLIC, "selfhelp.breathing": PUBLIC,
    "selfhelp.distraction": PUBLIC, "selfhelp.grounding": PUBLIC, "selfhelp.sleep": PUBLIC,
    "selfhelp.worry_time": PUBLIC, "selfhelp.topic": PUBLIC, "selfhelp.what_would_help": PUBLIC,
    "waits.index": PUBLIC, "waits.api": PUBLIC, "waits.leaders": LEADERS, "waits.leaders_csv": LEADERS,
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
                    ok = ok and ("open for too long" in response.get_data(as_text=True)
                                 or response.is_json)
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
