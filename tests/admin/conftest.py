"""Fixtures for the admin tests: an admin signed in, and staff to manage."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="admin.one@example.org")


@pytest.fixture
def admin_client(app, admin, login):
    client = app.test_client()
    login(client, admin)
    return client


@pytest.fixture
def signed_in(app, login):
    """signed_in(user) -> a new test client with `user` signed in."""

    def make(user):
        client = app.test_client()
        login(client, user)
        return client

    return make
