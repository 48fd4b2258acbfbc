"""Safety plan fixtures: a young person, a clinician, and a request for support linking them."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.extensions import db


@pytest.fixture
def young(make_user):
    return make_user(role="young_person")


@pytest.fixture
def clinician(make_user):
    return make_user(role="clinician")


@pytest.fixture
def make_request(app):
    from webapp.support.models import SupportRequest

    counter = iter(range(1, 10_000))

    def factory(requester, clinician=None, status="allocated"):
        row = SupportRequest(reference=f"FL-PLAN-{next(counter):04d}", requester_user_id=requester.id,
                             requester_type="young_person", status=status,
                             assigned_clinician_id=clinician.id if clinician else None,
                             young_person_date_of_birth=date(2010, 1, 1), answers={})
        db.session.add(row)
        db.session.commit()
        return row

    return factory


HOSTILE_TEXT = "I feel 😀🌈 better with my cat\nשלום עולם مرحبا\u200f end " + "x" * 4000
