"""What is typed on a step is kept in the server-side draft as it is typed (#21 item 1)."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.helpers import STEP_DATA
from webapp.extensions import db
from webapp.support.models import RequestDraft


def _on_story_step(client) -> None:
    assert client.post_form("/request-support/").status_code == 303
    for step in ("who", "young-person", "safety"):
        assert client.post_form(f"/request-support/{step}", STEP_DATA[step]("young_person")).status_code == 303


def test_autosave_keeps_a_half_typed_story_without_checking_it(client, frozen_clock):
    _on_story_step(client)
    response = client.post_form("/request-support/your-story/autosave", {"whats_happening": "Panicky before sch"})
    assert response.status_code == 204
    draft = db.session.scalar(select(RequestDraft))
    db.session.refresh(draft)
    assert draft.answers["your-story"] == {"whats_happening": ["Panicky before sch"]}
    page = client.get("/request-support/your-story").get_data(as_text=True)
    assert "Panicky before sch" in page
    assert "There is a problem" not in page  # kept, not judged: errors come on "Save and continue"


def test_autosave_needs_the_csrf_token(client, frozen_clock):
    _on_story_step(client)
    response = client.post("/request-support/your-story/autosave", data={"whats_happening": "A replayed story"})
    assert response.status_code == 400
    draft = db.session.scalar(select(RequestDraft))
    db.session.refresh(draft)
    assert "your-story" not in draft.answers


def test_autosave_without_a_draft_or_for_a_step_not_asked_keeps_nothing(client, frozen_clock):
    assert client.post_form("/request-support/your-story/autosave", {"whats_happening": "x"}).status_code == 404
    _on_story_step(client)
    # A young person asking for themselves is never asked the parent's step.
    assert client.post_form("/request-support/about-you/autosave", {"requester_name": "x"}).status_code == 404
    assert client.post_form("/request-support/no-such-step/autosave", {}).status_code == 404
