"""Fixtures for the accounts tests: staff two-step sign-in switched on."""

from __future__ import annotations

import pytest

from tests.helpers.two_factor import two_factor_required


@pytest.fixture
def staff_two_factor(app):
    """STAFF_TWO_FACTOR_REQUIRED on for this test (the testing config has it off for now)."""
    with two_factor_required(app):
        yield
