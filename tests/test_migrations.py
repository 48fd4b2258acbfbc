"""The Alembic history builds exactly the schema the models describe (on SQLite, or PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from tests.helpers.databases import fresh_url
from webapp import create_app
from webapp.extensions import db


def test_migrations_match_models_and_downgrade_cleanly(tmp_path, worker_id):
    url = fresh_url(tmp_path, worker_id)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        downgrade(revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()


def test_authenticator_keys_kept_before_sealing_are_sealed_by_the_upgrade(tmp_path, worker_id):
    from sqlalchemy import text

    from tests.helpers.two_factor import code_at_step
    from webapp import clock
    from webapp.accounts import two_factor
    from webapp.accounts.models import TwoFactorCredential, User

    url = fresh_url(tmp_path, worker_id)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0009")
        # Raw SQL, as the ORM's User has columns that revision 0009 does not.
        user_id = db.session.execute(text(
            "INSERT INTO users (email, password_hash, role, session_version, created_at) "
            "VALUES ('nurse@example.org', 'not a real hash', 'clinician', 1, CURRENT_TIMESTAMP) RETURNING id"),
        ).scalar_one()
        db.session.commit()
        raw = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        db.session.execute(text("INSERT INTO two_factor_credentials (user_id, secret, created_at) "
                                "VALUES (:id, :secret, CURRENT_TIMESTAMP)"), {"id": user_id, "secret": raw})
        db.session.execute(text("UPDATE two_factor_credentials SET confirmed_at = CURRENT_TIMESTAMP"))
        db.session.commit()
        db.session.remove()
        upgrade()
        stored = db.session.execute(text("SELECT secret FROM two_factor_credentials")).scalar_one()
        assert raw not in stored
        assert db.session.get(TwoFactorCredential, user_id).secret == raw
        step = int(clock.now().timestamp()) // two_factor.STEP_SECONDS
        assert two_factor.verify_app_code(db.session.get(User, user_id), code_at_step(raw, step))  # still their app
        db.session.remove()
        downgrade(revision="0009")
        assert db.session.execute(text("SELECT secret FROM two_factor_credentials")).scalar_one() == raw
        db.session.remove()
        downgrade(revision="base")


def test_a_weekly_session_made_twice_before_0017_stays_as_a_one_off_and_the_key_holds(tmp_path, worker_id):
    """Two workers could make the same (series, day) before revision 0017: the upgrade keeps both
    sessions (and any bookings), the later one as a one-off, so the new unique key can hold."""
    from datetime import time, timedelta

    from sqlalchemy import select

    from webapp import clock
    from webapp.accounts import service as accounts
    from webapp.bookings import places, sessions
    from webapp.bookings.models import DropInSession

    url = fresh_url(tmp_path, worker_id)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0016")
        places.load_bases()
        admin = accounts.create_user(email="admin@example.org", role="admin", password="correct horse battery staple")
        base = places.all_bases()[0]
        day = clock.today_local() + timedelta(days=7)
        first = sessions.create(admin, sessions.SessionDraft(base.id, day, time(16), time(17), 30, 2, "Drop-in chat",
                                                             "young_people", repeat_weeks=2))[0]
        db.session.add(DropInSession(base_id=base.id, series_id=first.series_id, local_date=first.local_date,
                                     starts_at=first.starts_at, ends_at=first.ends_at, slot_minutes=30,
                                     places_per_slot=2, purpose="Drop-in chat", audience="young_people"))
        db.session.commit()
        series_id = first.series_id
        db.session.remove()
        upgrade()
        rows = db.session.execute(select(DropInSession.id, DropInSession.series_id, DropInSession.local_date)
                                  .order_by(DropInSession.id)).all()
        assert len(rows) == 3  # nothing deleted
        assert [row.series_id for row in rows] == [series_id, series_id, None]
        db.session.remove()
        downgrade(revision="base")


def test_proofs_kept_twice_before_0022_are_kept_once_and_the_key_holds(tmp_path, worker_id):
    """Two proofs at once could keep two rows before revision 0022: the upgrade keeps the first of each
    (person, channel, address), without an account counted as one person, and then the keys hold."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    url = fresh_url(tmp_path, worker_id)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0021")
        users = [db.session.execute(text(
            "INSERT INTO users (email, password_hash, role, session_version, created_at) "
            "VALUES (:email, 'not a real hash', 'parent', 1, CURRENT_TIMESTAMP) RETURNING id"),
            {"email": email}).scalar_one() for email in ("one@example.org", "two@example.org")]
        proofs = [(users[0], "sms", "+447700900123"), (users[0], "sms", "+447700900123"),
                  (users[0], "email", "a@example.org"), (users[1], "sms", "+447700900123"),
                  (None, "sms", "+447700900123"), (None, "sms", "+447700900123"), (None, "sms", "+447700900999")]
        for user_id, channel, address in proofs:
            db.session.execute(text("INSERT INTO proved_contacts (user_id, channel, address, proved_at) "
                                    "VALUES (:user_id, :channel, :address, CURRENT_TIMESTAMP)"),
                               {"user_id": user_id, "channel": channel, "address": address})
        db.session.commit()
        db.session.remove()
        upgrade()
        kept = db.session.execute(text("SELECT id, user_id, channel, address FROM proved_contacts ORDER BY id")).all()
        assert [row.id for row in kept] == [1, 3, 4, 5, 7]  # the first of each
        for user_id in (users[0], None):
            with pytest.raises(IntegrityError):
                db.session.execute(text("INSERT INTO proved_contacts (user_id, channel, address, proved_at) "
                                        "VALUES (:user_id, 'sms', '+447700900123', CURRENT_TIMESTAMP)"),
                                   {"user_id": user_id})
            db.session.rollback()
        db.session.remove()
        downgrade(revision="base")
