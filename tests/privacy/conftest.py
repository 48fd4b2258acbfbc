import pytest

from webapp.directory.service import sync_services_from_data
from webapp.extensions import db


@pytest.fixture
def services(app):
    sync_services_from_data()
    db.session.commit()
