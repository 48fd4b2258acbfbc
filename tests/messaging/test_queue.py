"""Queueing a message: `send_to_address` keeps it in the outbox for the worker, never sends inline."""

from __future__ import annotations

import pytest

from webapp.messaging import service
from webapp.messaging.addresses import AddressError
from webapp.messaging.models import Message
from webapp.outbox import PENDING


def test_a_code_is_queued_for_the_worker_and_commits_with_the_callers_transaction(db):
    row = service.send_to_address(channel="sms", to="07700 900123", template="verify_code",
                                  personalisation={"code": "123456"}, language="pl")
    db.session.commit()
    stored = db.session.get(Message, row.id)
    assert (stored.status, stored.channel, stored.recipient) == (PENDING, "sms", "+447700900123")
    assert stored.personalisation == {"code": "123456"} and stored.language == "pl"
    assert stored.reference and stored.notify_id is None


def test_a_letter_takes_notifys_address_lines_or_ours(db):
    row = service.send_to_address(channel="letter", to={"address_line_1": "A Person", "address_line_2": "1 High St",
                                                        "address_line_3": "Norwich", "postcode": "nr13sr"},
                                  template="discreet_news", personalisation={"link": "https://x.test"},
                                  language="en")
    assert row.address == {"lines": ["A Person", "1 High St", "Norwich"], "postcode": "NR1 3SR"}


def test_an_unusable_address_is_refused_before_anything_is_queued(db):
    with pytest.raises(AddressError):
        service.send_to_address(channel="email", to="not an email", template="verify_code",
                                personalisation={"code": "1"}, language="en")
    with pytest.raises(ValueError):
        service.send_to_address(channel="pigeon", to="x", template="verify_code", personalisation={}, language="en")
    with pytest.raises(ValueError):
        service.send_to_address(channel="sms", to="07700900123", template="no_such", personalisation={},
                                language="en")
    assert db.session.query(Message).count() == 0
