from __future__ import annotations

import logging
import re

import pytest

from tests.conftest import DEFAULT_PASSWORD
from webapp.accounts.models import User
from webapp.extensions import db


def register(client, **overrides):
    data = {"role": "young_person", "email": "sam@example.org", "password": "blue kettle running late",
            "date_of_birth": "2010-03-27", "display_name": "Sam"}
    data.update(overrides)
    return client.post_form("/register", data)


def test_register_finishes_by_the_emailed_link_and_keeps_nothing_shared(client, frozen_clock):
    """More in tests/accounts/test_sign_up.py: the same answer whether or not the address has an account."""
    from tests.accounts.messages import last_to, link_path

    response = register(client)
    assert response.status_code == 303 and response.headers["Location"] == "/register/check-your-email"
    client.get(link_path(last_to("sam@example.org", "sign_up_finish")))
    assert client.post_form("/register/finish", {"password": "blue kettle running late"}).status_code == 303
    user = db.session.query(User).filter_by(email="sam@example.org").one()
    assert user.role == "young_person"
    settings = client.get("/settings/")
    assert settings.status_code == 200
    assert settings.headers["Cache-Control"] == "no-store"


def test_register_error_keeps_typed_values_but_never_the_password(client, frozen_clock):
    response = register(client, password="password")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "too easy to guess" in body
    assert 'value="sam@example.org"' in body
    assert 'name="date_of_birth-day" type="text" inputmode="numeric" value="27"' in body
    assert 'name="date_of_birth-year" type="text" inputmode="numeric" value="2010"' in body
    assert "password" not in [v for v in body.split('value="')[1:] if v.startswith("password\"")]
    assert db.session.query(User).count() == 0


def test_under_13_cannot_make_an_account(client, frozen_clock):
    response = register(client, date_of_birth="2016-01-01")
    assert response.status_code == 400
    assert "You need to be 13 or older" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_registering_an_address_with_an_account_says_only_check_your_email(client, make_user, frozen_clock):
    make_user(email="taken@example.org")
    response = register(client, email="taken@example.org")
    assert response.status_code == 303 and response.headers["Location"] == "/register/check-your-email"
    body = client.get("/register/check-your-email").get_data(as_text=True)
    assert "Check your email to finish signing up" in body
    assert "already exists" not in body and "sign in instead" not in body


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    make_user(email="known@example.org")
    wrong_password = client.post_form("/login", {"email": "known@example.org", "password": "not it at all"})
    unknown = client.post_form("/login", {"email": "nobody@example.org", "password": "not it at all"})
    assert wrong_password.status_code == unknown.status_code == 400
    assert "The email address or password is not right." in wrong_password.get_data(as_text=True)
    assert "The email address or password is not right." in unknown.get_data(as_text=True)
    assert 'value="known@example.org"' in wrong_password.get_data(as_text=True)


def test_login_is_slowed_for_this_account_from_this_address(client, make_user):
    """More in tests/accounts/test_throttle.py: the owner elsewhere is never slowed by it."""
    user = make_user(email="target@example.org")
    for _ in range(5):
        client.post_form("/login", {"email": user.email, "password": "wrong guess here"})
    limited = client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "Too many tries" in limited.get_data(as_text=True)
    # another account from the same address is not locked by that
    other = make_user(email="other@example.org")
    assert client.post_form("/login", {"email": other.email, "password": DEFAULT_PASSWORD}).status_code == 303


def test_login_is_slowed_per_address(client):
    for number in range(20):
        client.post_form("/login", {"email": f"guess{number}@example.org", "password": "wrong guess here"})
    assert client.post_form("/login", {"email": "new@example.org", "password": "x" * 10}).status_code == 429


def test_login_logs_carry_no_personal_data(client, make_user, caplog):
    make_user(email="private.person@example.org")
    with caplog.at_level(logging.INFO):
        client.post_form("/login", {"email": "private.person@example.org", "password": "wrong guess here"})
        client.post_form("/login", {"email": "private.person@example.org", "password": DEFAULT_PASSWORD})
    assert "login failed" in caplog.text and "account.login" in caplog.text
    assert "private.person" not in caplog.text
    assert "wrong guess" not in caplog.text


def test_next_redirect_stays_on_this_site(client, make_user):
    user = make_user()
    for target, expected in (("/settings/", "/settings/"), ("https://evil.example/", "/"),
                             ("//evil.example/", "/"), ("/\\evil.example", "/")):
        client.forget_csrf()
        response = client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD, "next": target})
        assert response.status_code == 303
        assert response.headers["Location"] == expected
        client.post_form("/logout")


def test_logout_ends_every_session_and_clears_site_data(app, make_user, login):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    response = phone.post_form("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert laptop.get("/settings/").status_code == 302  # the other session ended too


def test_logout_get_changes_nothing(client, make_user, login):
    user = make_user()
    login(client, user)
    assert client.get("/logout").status_code == 200
    assert client.get("/settings/").status_code == 200


def test_password_change_keeps_this_device_and_ends_others(app, make_user, login):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    response = phone.post_form("/settings/password", {"current_password": DEFAULT_PASSWORD,
                                                      "new_password": "a completely new phrase"})
    assert response.status_code == 303
    assert phone.get("/settings/").status_code == 200
    assert laptop.get("/settings/").status_code == 302


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_is_host_prefixed_and_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_NAME.startswith("__Host-")
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.HSTS is True


def test_forms_without_csrf_token_are_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "open for too long" in response.get_data(as_text=True)


def test_download_my_data_is_json_of_my_account(client, make_user, login):
    user = make_user(display_name="Robin")
    login(client, user)
    response = client.get("/settings/data/flourish-my-data.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["account"]["display_name"] == "Robin"


def test_delete_account_needs_password_and_confirmation(client, make_user, login):
    user = make_user()
    user_id = user.id
    login(client, user)
    refused = client.post_form("/settings/delete", {"password": "wrong one here", "confirm": "y"})
    assert refused.status_code == 400
    assert db.session.get(User, user_id) is not None
    deleted = client.post_form("/settings/delete", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert deleted.status_code == 200
    assert deleted.headers["Clear-Site-Data"] == '"cache", "storage"'
    db.session.expire_all()
    assert db.session.get(User, user_id) is None


@pytest.mark.parametrize(("role", "status"), [
    ("young_person", 403), ("parent", 403), ("professional", 403),
    ("base_staff", 200), ("clinician", 200), ("admin", 200),
])
def test_staff_home_is_for_staff_roles_only(client, make_user, login, role, status):
    login(client, make_user(role=role))
    response = client.get("/staff/")
    assert response.status_code == status
    if status == 403:
        assert "You cannot see this page" in response.get_data(as_text=True)


def test_anonymous_staff_visit_is_sent_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_language_is_chosen_then_remembered(client, make_user, login):
    assert 'lang="pl"' in client.get("/", headers={"Accept-Language": "pl,en;q=0.5"}).get_data(as_text=True)
    response = client.post_form("/language", {"locale": "lt", "next": "/help-now"})
    assert response.status_code == 303 and response.headers["Location"] == "/help-now"
    assert 'lang="lt"' in client.get("/", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    user = make_user()
    login(client, user)
    client.post_form("/language", {"locale": "pt"})
    db.session.refresh(user)
    assert user.locale == "pt"


def test_create_user_command_makes_staff(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "nurse@example.org", "--role", "clinician"],
                           env={"FLOURISH_PASSWORD": "a strong clinic phrase"})
    assert result.exit_code == 0, result.output
    assert db.session.query(User).filter_by(email="nurse@example.org").one().role == "clinician"
    weak = runner.invoke(args=["create-user", "--email", "x@example.org", "--role", "admin"],
                         env={"FLOURISH_PASSWORD": "password"})
    assert weak.exit_code != 0


PRODUCTION_SECRETS = ("SECRET_KEY", "DATABASE_URL", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "SEALING_KEYS",
                      "FRONT_DOOR_WEBHOOK_SECRET", "FRONT_DOOR_API_TOKEN", "FHIR_IDENTIFIER_BASE")


def test_production_refuses_to_start_without_secrets(monkeypatch):
    from webapp import create_app

    for name in PRODUCTION_SECRETS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as stopped:
        create_app("production")
    assert all(name in str(stopped.value) for name in PRODUCTION_SECRETS)


@pytest.mark.parametrize("missing", ["FRONT_DOOR_WEBHOOK_SECRET", "FRONT_DOOR_API_TOKEN", "FHIR_IDENTIFIER_BASE"])
def test_production_refuses_to_start_without_each_front_door_setting(monkeypatch, missing):
    """Without the webhook secret every record would be signed with an empty key; without its own
    identifier base a site would issue identifiers in the example namespace, for good."""
    from webapp import create_app

    for name in PRODUCTION_SECRETS:
        monkeypatch.setenv(name, "set")
    monkeypatch.delenv(missing)
    with pytest.raises(SystemExit) as stopped:
        create_app("production")
    assert missing in str(stopped.value)


def test_development_makes_its_missing_secrets_once_and_keeps_them_private(tmp_path, monkeypatch):
    from webapp import create_app

    for name in PRODUCTION_SECRETS[2:-1]:
        monkeypatch.delenv(name, raising=False)
    overrides = {"INSTANCE_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}",
                 "FRONT_DOOR_WEBHOOK_SECRET": "", "FRONT_DOOR_API_TOKEN": "", "SECRET_KEY": None}
    first = create_app("development", overrides=overrides)
    again = create_app("development", overrides=overrides)
    for name in ("SECRET_KEY", "SEALING_KEYS", "FRONT_DOOR_WEBHOOK_SECRET", "FRONT_DOOR_API_TOKEN"):
        assert len(first.config[name]) >= 32 and again.config[name] == first.config[name]
    assert first.config["FRONT_DOOR_API_TOKEN"] != first.config["FRONT_DOOR_WEBHOOK_SECRET"]
    for path in tmp_path.iterdir():
        if path.suffix != ".db":
            assert path.stat().st_mode & 0o077 == 0, path.name


def test_forms_work_over_https_without_a_referer(client, make_user):
    """We send no Referer anywhere (Referrer-Policy: no-referrer); HTTPS forms must not need one."""
    user = make_user()
    token = client.csrf_token()
    response = client.post("/login", base_url="https://localhost",
                           data={"csrf_token": token, "email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    refused = client.post("/login", base_url="https://localhost", data={"email": user.email, "password": "x"})
    assert refused.status_code == 400 and "csrf" in refused.get_data(as_text=True).lower()


@pytest.mark.parametrize("moment", ["a sign-in form shown", "a staff sign-in half done", "signed out"])
def test_requests_made_alongside_a_page_never_write_the_session(client, app, make_user, moment):
    """A page's stylesheet, manifest or service worker fetches carry the session as it was when they
    set off; if their answers wrote it back, a newer session (a sign-in form's CSRF token, a sign-in
    half done) would be overwritten."""
    client.get("/login")  # the session now holds the form's CSRF token
    if moment == "a staff sign-in half done":
        staff = make_user(role="clinician")
        response = client.post_form("/login", {"email": staff.email, "password": DEFAULT_PASSWORD})
        assert "/login/two-factor" in response.headers["Location"]
    elif moment == "signed out":
        user = make_user()
        client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})
        client.post_form("/logout")
    static = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', client.get("/").get_data(as_text=True)).group(1)
    for url in (static, "/static/js/quick-exit.js", "/manifest.webmanifest", "/service-worker.js",
                "/offline-pack.json", "/self-help/", "/help-now"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url


def test_a_new_password_must_differ_from_the_current_one(client, make_user, login):
    user = make_user()
    login(client, user)
    response = client.post_form("/settings/password", {"current_password": DEFAULT_PASSWORD,
                                                       "new_password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "Choose a new password, not the one you have now." in response.get_data(as_text=True)
