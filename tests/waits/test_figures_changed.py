"""The published wait figures go out of date through support's own hook, on every path that sends a
request or records a status event, and marking them so never makes support writes wait on each other.

`webapp.support.service.record_status` is the one place a status event is made; it runs the
`request_status_recorded` hook, and waits appends a change row there (`waits.service.figures_changed`),
never updating the one snapshot row.
"""

from __future__ import annotations

import ast
import re
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.checkins.helpers import answer_check_in, due_now, tracker_client
from tests.support.conftest import API_TOKEN, api_token, services  # noqa: F401 - fixtures
from tests.support.helpers import send
from webapp import clock
from webapp.checkins.models import WaitCheckIn
from webapp.extensions import db
from webapp.support import demo
from webapp.support import service as support
from webapp.support.models import RequestStatusEvent, SupportRequest
from webapp.waits import service as waits
from webapp.waits.models import WaitFigureChange

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


def _changes() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(WaitFigureChange))


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(RequestStatusEvent))


def _clinician(app, make_user, login):
    staff = app.test_client()
    login(staff, make_user(role="clinician"))
    return staff


# -- every path, each a (setup, act) pair: setup leaves what the path needs, act is the path ----------

def _sent(app, **_):
    return send(app.test_client(), "parent")[0]


def _nothing(app, **_):
    return None


def _form(app, state, **_):
    assert send(app.test_client(), "parent")[0]


def _triage(app, state, make_user, login, **_):
    response = _clinician(app, make_user, login).post_form(f"/staff/requests/{state}/update", {
        "status": "allocated", "thrive_group": "getting_help", "service_id": "point-1",
        "note_for_requester": "", "question": ""})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def _api(app, state, **_):
    response = app.test_client().post(f"/api/v1/front-door/requests/{state}/status",
                                      headers={"Authorization": f"Bearer {API_TOKEN}"},
                                      json={"status": "triaged", "thrive_group": "getting_help"})
    assert response.status_code == 200, response.get_json()


def _asked(app, **_):
    reference = _sent(app)
    support.move(support.by_reference(reference), "more_information_needed", actor="ifd_api",
                 question="Which school?", deliver=False)
    db.session.commit()
    return reference


def _answer_question(app, state, **_):
    tracker = tracker_client(app, state)
    assert tracker.post_form(f"/track/{state}/answer", {"answer": "Year 9"}).status_code == 303


def _ok_now(app, **_):
    reference = _sent(app)
    due_now(reference)
    answer_check_in(tracker_client(app, reference), reference, "ok_now", "Much better")
    return db.session.scalar(select(WaitCheckIn.id))


def _check_in_closed(app, state, make_user, login, **_):
    response = _clinician(app, make_user, login).post_form(f"/staff/requests/check-ins/{state}/closed",
                                                           {"note": "Closed, as you are OK now."})
    assert response.status_code == 303


def _closed(app, **_):
    reference = _sent(app)
    req = support.by_reference(reference)
    support.move(req, "allocated", actor="ifd_api", thrive_group="getting_help", service_id="point-1", deliver=False)
    support.move(req, "closed", actor="ifd_api", note="Closed after your last session.", deliver=False)
    db.session.commit()
    return reference


def _come_back(app, state, **_):
    response = tracker_client(app, state).post_form(f"/track/{state}/come-back",
                                                    {"what_changed": "The panic attacks are back", "worse": "no"})
    assert response.status_code == 303


def _demo_requests(app, state, **_):
    now = clock.now()
    demo.seed_requests()  # sets the clock to each demo request's day, then lets it run again
    clock.freeze(now)
    db.session.commit()


PATHS = {
    "the request form": (_nothing, _form),
    "a clinician's triage": (_sent, _triage),
    "the front door's status API": (_sent, _api),
    "an answer to the front door's question": (_asked, _answer_question),
    "a check-in decision": (_ok_now, _check_in_closed),
    "coming back after closing": (_closed, _come_back),
    "the demo requests": (_nothing, _demo_requests),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_that_adds_a_request_or_status_event_marks_the_figures_out_of_date(
        app, services, api_token, make_user, login, frozen_clock, path):  # noqa: F811 - fixtures
    setup, act = PATHS[path]
    state = setup(app)
    waits.refresh_snapshot()
    db.session.commit()
    assert not waits.changed_since_refresh() and waits.refresh_if_due() == 0
    events = _events()

    act(app, state, make_user=make_user, login=login)

    assert _events() > events  # the path did add a status event ...
    assert waits.changed_since_refresh()  # ... and the figures know, committed with it
    assert waits.refresh_if_due() == 0  # not twice within MIN_REFRESH_GAP, however busy
    clock.advance(waits.MIN_REFRESH_GAP + timedelta(seconds=1))
    assert waits.refresh_if_due() == 1
    db.session.commit()
    assert not waits.changed_since_refresh() and waits.refresh_if_due() == 0


def _made_in(tree: ast.AST, names: set[str]) -> set[str]:
    """The functions in which a call to one of `names` (a constructor, or Core `insert(...)` of one)
    appears."""
    found = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            argument = ast.unparse(node.args[0]) if node.args else ""
            if callee in names or (callee == "insert" and argument.split(".")[0] in names):
                found.add(function.name)
    return found


def test_the_paths_above_are_every_place_a_request_or_status_event_is_made():
    """A new way to make either fails here until it goes through `record_status` (and a path above)."""
    made = set()
    for path in sorted(WEBAPP.rglob("*.py")):
        for function in _made_in(ast.parse(path.read_text(encoding="utf-8")), {"SupportRequest", "RequestStatusEvent"}):
            made.add(f"{path.relative_to(WEBAPP.parent).with_suffix('').as_posix().replace('/', '.')}.{function}")
    assert made == {
        "webapp.support.service.record_status",  # every status event; its hook marks the figures
        "webapp.support.service.submit",  # the form: the request, then record_status("received")
        "webapp.support.demo._make",  # the demo requests: the same
        "webapp.waits.demo.insert_requests",  # the synthetic year of flow: seed_flow refreshes after it
    }
    service_source = (WEBAPP / "support" / "service.py").read_text(encoding="utf-8")
    assert len(re.findall(r"\bRequestStatusEvent\(", service_source)) == 1


def test_figures_are_refreshed_after_the_synthetic_flow_is_loaded(app, services, frozen_clock):  # noqa: F811
    from webapp.waits.demo import seed_flow

    seed_flow()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SupportRequest)) > 0
    assert not waits.changed_since_refresh()
    assert waits.current_snapshot().computed_at == clock.now() and waits.current_snapshot().payload["services"]


def test_support_writes_at_once_never_wait_on_the_figures_nor_on_a_refresh(app, services, frozen_clock):  # noqa: F811
    """PostgreSQL: a refresh half done (its transaction open) and two status changes to two requests, each
    in its own connection with its transaction open and a lock timeout: neither change waits, and neither
    is lost to the refresh that could not see it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and lock_timeout are PostgreSQL's; SQLite has one writer at a time anyway")
    references = [_sent(app), _sent(app)]
    waits.refresh_snapshot()
    db.session.commit()
    assert not waits.changed_since_refresh()

    with ExitStack() as stack:
        sessions = []
        stack.enter_context(app.app_context())  # the worker's refresh, mid-pass
        db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        waits.refresh_snapshot()
        db.session.flush()
        sessions.append(db.session())
        for reference in references:  # two clinicians at once, each in their own connection
            stack.enter_context(app.app_context())
            db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            support.move(support.by_reference(reference), "triaged", actor="ifd_api", thrive_group="getting_help",
                         deliver=False)
            db.session.flush()  # written, the transaction still open: nothing waited
            sessions.append(db.session())
        assert len({id(session) for session in sessions}) == 3
        for session in reversed(sessions):
            session.commit()

    assert waits.changed_since_refresh()  # both changes outlived the refresh that could not see them
    clock.advance(waits.MIN_REFRESH_GAP + timedelta(seconds=1))
    assert waits.refresh_if_due() == 1
    db.session.commit()
    assert waits.current_snapshot().payload["overall"]["request_to_triage"]["count"] == 2
    assert not waits.changed_since_refresh()
