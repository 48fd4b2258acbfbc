"""Every form on every page, fed random and hostile input: never a 500, never unescaped output."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.hostile import HOSTILE, MARKER, forms_on
from tests.test_access_matrix import ACCESS, ANONYMOUS, allowed


def reachable_forms(app, client, role):
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        if not allowed(ACCESS.get(rule.endpoint), role):
            continue
        for action, form in forms_on(client, rule.rule):
            key = (action.split("?")[0], form["method"], tuple(sorted(form["fields"])))
            found[key] = form
    return found


@pytest.mark.parametrize("role", (ANONYMOUS, "young_person", "parent", "clinician"))
def test_forms_survive_hostile_input(app, make_user, login, role):
    client = app.test_client()
    if role != ANONYMOUS:
        login(client, make_user(role=role))
    forms = reachable_forms(app, client, role)
    assert forms, "no forms found"
    skip_actions = {"/logout", "/settings/delete", "/settings/password"}  # would end the test's session

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def fuzz(data):
        for (action, method, names), _form in sorted(forms.items()):
            if action in skip_actions:
                continue
            values = {name: data.draw(HOSTILE, label=f"{action}:{name}") for name in names}
            if method == "post":
                response = client.post_form(action, values)
            else:
                response = client.get(action, query_string=values)
            failure = f"{method.upper()} {action} -> {response.status_code} with {values!r}"
            assert response.status_code < 500, failure[:500]
            assert MARKER not in response.get_data(as_text=True), f"unescaped output from {action}"

    fuzz()


def test_control_characters_are_dropped_before_the_database_sees_them(client, make_user):
    """PostgreSQL refuses NUL in text: a form must answer with its own error, never a 500."""
    make_user(email="sam@example.org")
    response = client.post_form("/login", {"email": "sam@\x00example.org", "password": "not-it\x00"})
    assert response.status_code == 400
    assert "The email address or password is not right." in response.get_data(as_text=True)
    response = client.post_form("/register", {"email": "\x00\x01\x02", "password": "x\x00y"})
    assert response.status_code == 400
    assert "\x00" not in response.get_data(as_text=True)
