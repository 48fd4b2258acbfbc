"""Who may see a request, as a matrix: the requester signed in, /track with reference and date of
birth (rate-limited, one generic error), clinicians and admins; nobody else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.helpers import send
from webapp.audit import AuditEvent
from webapp.extensions import db

GENERIC = "We could not find a request with that reference and date of birth."


@pytest.fixture
def sent(client, services, make_user, login):
    """A parent's request, made while signed in; returns (reference, the parent)."""
    parent = make_user(role="parent")
    login(client, parent)
    reference, _ = send(client, "parent")
    return reference, parent


# (who, may see the timeline at /request-support/my-requests/<ref>, may see /staff/requests/<ref>)
MATRIX = [
    ("the requester", 200, 403),
    ("another parent", 404, 403),
    ("young_person", 404, 403),
    ("professional", 404, 403),
    ("base_staff", 403, 403),
    ("clinician", 403, 200),
    ("admin", 403, 200),
    ("anonymous", 302, 302),
]


@pytest.mark.parametrize(("who", "timeline_status", "staff_status"), MATRIX)
def test_who_may_see_a_request(app, sent, make_user, login, who, timeline_status, staff_status):
    reference, parent = sent
    client = app.test_client()
    if who == "the requester":
        login(client, parent)
    elif who == "another parent":
        login(client, make_user(role="parent"))
    elif who != "anonymous":
        login(client, make_user(role=who))
    assert client.get(f"/request-support/my-requests/{reference}").status_code == timeline_status
    assert client.get(f"/staff/requests/{reference}").status_code == staff_status
    assert client.get(f"/track/{reference}").status_code == 404  # not without giving the date of birth here
    sent_page = client.get(f"/request-support/sent/{reference}").status_code
    assert sent_page == (200 if who == "the requester" else 404)


def test_each_clinician_view_is_audited(app, sent, make_user, login):
    reference, _ = sent
    clinician = make_user(role="clinician")
    client = app.test_client()
    login(client, clinician)
    client.get(f"/staff/requests/{reference}")
    client.get(f"/staff/requests/{reference}")
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "support_request.viewed")).all()
    assert len(views) == 2 and all(v.actor_id == clinician.id for v in views)


def test_track_with_reference_and_date_of_birth(app, sent):
    reference, _ = sent
    client = app.test_client()
    response = client.post_form("/track", {"reference": reference.lower().replace("-", " "),
                                           "date_of_birth": "2012-03-27"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/track/{reference}")
    page = client.get(f"/track/{reference}").get_data(as_text=True)
    assert "Now: Sent" in page and "Things have got worse?" in page
    assert "How long you might wait" in page  # the personal estimate, on /track too
    assert app.test_client().get(f"/track/{reference}").status_code == 404  # a grant is per browser session


@pytest.mark.parametrize("case", ["wrong date of birth", "no such reference", "not a reference"])
def test_track_gives_one_generic_error_that_reveals_nothing(app, sent, case):
    reference, _ = sent
    given = {"wrong date of birth": (reference, "2012-03-28"), "no such reference": ("FL-AAAA-BBBB", "2012-03-27"),
             "not a reference": ("hello", "2012-03-27")}[case]
    response = app.test_client().post_form("/track", {"reference": given[0], "date_of_birth": given[1]})
    assert response.status_code == 400 and GENERIC in response.get_data(as_text=True)


def test_track_is_rate_limited(app, sent):
    reference, _ = sent
    client = app.test_client()
    statuses = [client.post_form("/track", {"reference": reference, "date_of_birth": "2001-01-01"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    # even the right answer is refused now, so guessing cannot go on
    assert client.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"}).status_code == 429
