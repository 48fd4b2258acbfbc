"""The settings page shows how the last test notification went, refusals included (issue 15, item 5)."""

from __future__ import annotations

from tests.notifications.push_service import Answer
from webapp.extensions import db
from webapp.notifications import sender, service


def _settings(app, login, user) -> str:
    client = app.test_client()
    login(client, user)
    return client.get("/settings/notifications").get_data(as_text=True)


def test_a_refused_test_is_reported_with_the_reason(app, login, frozen_clock, make_user, device, push_service):
    user = make_user()
    phone = device(user)
    push_service.answer(phone, Answer(413))
    service.send_test(user.id)
    db.session.commit()
    assert "Your last test notification" in _settings(app, login, user)  # on its way
    sender.send_due()
    page = _settings(app, login, user)
    assert "It did not reach your devices" in page and "refused it (code 413)" in page


def test_a_delivered_test_says_so_and_no_test_says_nothing(app, login, frozen_clock, make_user, device,
                                                          push_service):
    user = make_user()
    device(user)
    assert "Your last test notification" not in _settings(app, login, user)
    service.send_test(user.id)
    db.session.commit()
    sender.send_due()
    assert "the push service accepted it" in _settings(app, login, user)


def test_a_test_one_device_refused_says_which_part_failed(app, login, frozen_clock, make_user, device, push_service):
    user = make_user()
    device(user)
    laptop = device(user)
    push_service.answer(laptop, Answer(400))
    service.send_test(user.id)
    db.session.commit()
    sender.send_due()
    page = _settings(app, login, user)
    assert "the push service accepted it" in page and "One of your devices did not take it" in page
    assert "code 400" in page
