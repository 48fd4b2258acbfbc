"""/safety-plan through the test client: no account needed, errors by the field, sharing, parents never."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template_string
from flask_login import login_user

from tests.safety_plan.conftest import HOSTILE_TEXT
from webapp import clock
from webapp.extensions import db
from webapp.safety_plan import service

INCLUDE = '{% with user_id=uid %}{% include "safety_plan/_shared_with_worker.html" %}{% endwith %}'


def test_the_plan_is_there_for_anyone_without_an_account_prefilled_and_linked_from_help_now(client):
    page = client.get("/safety-plan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for step in ("My warning signs", "People I can ask for help", "Making where I am safer",
                 "My reasons for living", "My trusted adult"):
        assert step in html
    assert 'value="111"' in html and 'href="tel:111"' in html
    assert "/safety-plan" in client.get("/help-now").get_data(as_text=True)
    assert 'href="/safety-plan"' in client.get("/").get_data(as_text=True)  # the menu


def test_without_javascript_the_typed_plan_prints_exactly_and_is_never_stored(client):
    response = client.post_form("/safety-plan", {"reasons": HOSTILE_TEXT, "trusted_name": "Nan",
                                                 "trusted_phone": "07700 900123", "action": "print"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert HOSTILE_TEXT.replace("\n", "\n") in html.replace("&#39;", "'")
    assert 'href="tel:07700900123"' in html and 'href="sms:07700900123"' in html


def test_a_wrong_phone_number_is_shown_by_its_field_and_nothing_typed_is_lost(client):
    response = client.post_form("/safety-plan", {"warning_signs": "Not sleeping 😴", "helper_1_name": "Sam",
                                                 "helper_1_phone": "ring sam", "action": "print"})
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert 'id="helper_1_phone-error"' in html and "like 07700 900123" in html
    assert 'href="#helper_1_phone"' in html  # the error summary
    assert "Not sleeping 😴" in html and 'value="ring sam"' in html and 'value="Sam"' in html


def test_the_plan_downloads_as_a_text_file(client):
    response = client.post_form("/safety-plan", {"coping": "Music 🎧", "action": "file"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Music 🎧" in response.get_data(as_text=True)


def test_a_blank_plan_prints_for_filling_in_by_hand(client):
    html = client.get("/safety-plan/print").get_data(as_text=True)
    assert "blank plan to print" in html and "My warning signs" in html


def test_a_young_person_keeps_a_copy_in_their_account_only_by_choice(client, login, young):
    login(client, young)
    html = client.get("/safety-plan").get_data(as_text=True)
    assert "Save in my account" not in html
    assert client.post_form("/safety-plan", {"coping": "x", "action": "account"}).status_code == 403
    assert client.post_form("/safety-plan/settings/account", {"keep": "yes"}).status_code == 303
    response = client.post_form("/safety-plan", {"coping": "Walk the dog", "reasons": HOSTILE_TEXT,
                                                 "action": "account"})
    assert response.status_code == 303
    assert service.account_copy(young.id).content["reasons"] == HOSTILE_TEXT
    page = client.get("/safety-plan")
    assert page.headers["Cache-Control"] == "no-store"
    assert "Walk the dog" in page.get_data(as_text=True)
    assert "Walk the dog" in client.get("/safety-plan/print").get_data(as_text=True)


def test_sharing_needs_the_account_copy_and_shows_the_error_by_the_field(client, login, young):
    login(client, young)
    response = client.post_form("/safety-plan/settings/sharing", {"share": "yes"})
    assert response.status_code == 400
    assert "Keep a copy in your account first" in response.get_data(as_text=True)
    assert not service.settings_for(young.id).share_with_worker


def test_share_with_the_worker_and_revoke(app, client, login, young, clinician, make_request, make_user):
    request = make_request(young, clinician)
    login(client, young)
    client.post_form("/safety-plan/settings/account", {"keep": "yes"})
    client.post_form("/safety-plan", {"safer": "Give the blades to Mum", "action": "account"})
    worker = app.test_client()
    login(worker, clinician)
    assert worker.get(f"/safety-plan/shared/{young.id}").status_code == 404
    assert client.post_form("/safety-plan/settings/sharing", {"share": "yes"}).status_code == 303
    page = worker.get(f"/safety-plan/shared/{young.id}")
    assert page.status_code == 200 and "Give the blades to Mum" in page.get_data(as_text=True)
    detail = worker.get(f"/staff/requests/{request.reference}").get_data(as_text=True)
    assert "data-shared-safety-plan-include" in detail and "Give the blades to Mum" in detail
    added = worker.post_form(f"/safety-plan/shared/{young.id}/add", {"step": "safer", "text": "Call 111 option 2"})
    assert added.status_code == 303
    own = client.get("/safety-plan").get_data(as_text=True)
    assert "Call 111 option 2" in own and "Added by your worker" in own
    assert client.post_form("/safety-plan/settings/sharing", {"share": "no"}).status_code == 303
    assert worker.get(f"/safety-plan/shared/{young.id}").status_code == 404
    assert worker.post_form(f"/safety-plan/shared/{young.id}/add", {"step": "safer", "text": "x"}).status_code == 404
    detail = worker.get(f"/staff/requests/{request.reference}").get_data(as_text=True)
    assert "data-shared-safety-plan-include" not in detail


def test_a_parent_never_sees_a_young_persons_plan(app, client, login, young, clinician, make_request, make_user):
    make_request(young, clinician)
    service.set_keep_in_account(young.id, True)
    service.save(young.id, {"coping": "Secret coping words"})
    service.set_sharing(young.id, True)
    db.session.commit()
    parent = make_user(role="parent")
    login(client, parent)
    assert client.get(f"/safety-plan/shared/{young.id}").status_code == 403
    assert client.get("/safety-plan/settings").status_code == 403
    for url in ("/safety-plan", "/safety-plan/print"):
        assert "Secret coping words" not in client.get(url).get_data(as_text=True)
    with app.test_request_context():
        login_user(parent)
        assert "Secret coping words" not in render_template_string(INCLUDE, uid=young.id)


def test_an_addition_with_no_words_is_shown_by_its_field(app, client, login, young, clinician, make_request):
    make_request(young, clinician)
    service.set_keep_in_account(young.id, True)
    service.set_sharing(young.id, True)
    db.session.commit()
    login(client, clinician)
    response = client.post_form(f"/safety-plan/shared/{young.id}/add", {"step": "safer", "text": "  "})
    assert response.status_code == 400 and 'id="text-error"' in response.get_data(as_text=True)


def test_the_review_day_is_chosen_on_the_settings_page(client, login, young, frozen_clock):
    login(client, young)
    day = clock.today_local() + timedelta(days=7)
    assert client.post_form("/safety-plan/settings/review", {"review_on": day.isoformat()}).status_code == 303
    assert service.pending_review(young.id) is not None
    wrong = client.post_form("/safety-plan/settings/review", {"review_on": clock.today_local().isoformat()})
    assert wrong.status_code == 400 and 'id="review_on-error"' in wrong.get_data(as_text=True)
