"""The check-in tests use the request-for-support fixtures (services, a front-door receiver)."""

from tests.support.conftest import services  # noqa: F401 - a fixture
