"""Anonymous public pages kept rendered until what they show changes (issue 15, item 9; hazard H91):
new figures and free places show at once, each language is its own page, a signed-in person never
gets (or leaves) a kept page, no kept page holds anyone's CSRF token, and CSRF is still enforced
(a form sent with no token, as a kept page's form is without JavaScript, is shown again, not acted on)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.waits.helpers import make_journey, make_service
from webapp import clock
from webapp.extensions import db
from webapp.waits import service as waits

TOKEN_INPUT = re.compile(r'name="csrf_token" value="([^"]*)"')


def _kept(app, path: str) -> bool:
    return any(key[0] == path for key in app.extensions["page_cache"].kept)


def test_a_kept_page_holds_no_token_and_sets_no_cookie(app, client):
    first = client.get("/bookings/")
    token = TOKEN_INPUT.search(first.get_data(as_text=True))[1]
    assert token and _kept(app, "/bookings/")  # the first visitor's own page has their token
    stranger = app.test_client()
    again = stranger.get("/bookings/")
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and token not in page
    assert set(TOKEN_INPUT.findall(page)) == {""} and "Set-Cookie" not in again.headers
    # the security and caching rules are those of the page as first sent
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert "default-src 'self'" in again.headers["Content-Security-Policy"]
    assert again.headers["X-Frame-Options"] == "DENY" and again.headers["Content-Language"] == "en"
    gzipped = stranger.get("/bookings/", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    import gzip

    assert gzip.decompress(gzipped.get_data()) == again.get_data()


def test_a_kept_waits_page_shows_new_figures_after_a_refresh(app, client, frozen_clock):
    make_service("talk", name="Talking service")
    waits.refresh_snapshot()
    db.session.commit()
    client.get("/waits")
    before = app.test_client().get("/waits").get_data(as_text=True)
    assert app.test_client().get("/waits").get_data(as_text=True) == before and _kept(app, "/waits")
    now = clock.now()
    for days in range(6):
        make_journey("talk", now - (days + 9) * timedelta(days=1), allocated=now - (days + 7) * timedelta(days=1))
    waits.refresh_snapshot()
    db.session.commit()
    after = app.test_client().get("/waits").get_data(as_text=True)
    assert "6 people" in after and after != before


def test_a_kept_base_page_shows_a_place_taken_at_once(app, client, frozen_clock, make_user):
    from webapp.bookings import places, service, sessions
    from webapp.bookings.sessions import SessionDraft

    places.load_bases()
    admin = make_user(role="admin")
    base = next(b for b in places.all_bases() if b.slug == "norwich-one-stop-shop")
    made = sessions.create(admin, SessionDraft(base.id, date(2026, 6, 16), *_times(), 30, 1, "Drop-in chat",
                                               "everyone"))
    db.session.commit()
    path = "/bookings/bases/norwich-one-stop-shop"
    client.get(path)
    free = app.test_client().get(path).get_data(as_text=True)
    assert app.test_client().get(path).get_data(as_text=True) == free and _kept(app, path)
    service.book(make_user(role="young_person"), made[0].slots[0].id)
    db.session.commit()
    taken = app.test_client().get(path).get_data(as_text=True)
    assert taken != free


def _times():
    from datetime import time

    return time(16), time(17)


def test_each_language_is_its_own_kept_page(app):
    english = app.test_client().get("/help-now", headers={"Accept-Language": "en"}).get_data(as_text=True)
    polish = app.test_client().get("/help-now", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert 'lang="pl"' in polish and 'lang="en"' in english
    chosen = app.test_client()
    chosen.set_cookie("flourish_lang", "pt")
    assert 'lang="pt"' in chosen.get("/help-now", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert 'lang="pl"' in app.test_client().get("/help-now", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert 'lang="lt"' in app.test_client().get("/self-help/?lang=lt").get_data(as_text=True)


def test_a_signed_in_person_never_gets_nor_leaves_a_kept_page(app, client, make_user, login):
    app.test_client().get("/")  # kept for anonymous visitors
    person = make_user(role="young_person", display_name="Robin")
    login(client, person)
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    assert "Sign out" in page.get_data(as_text=True) or "sign out" in page.get_data(as_text=True).lower()
    assert TOKEN_INPUT.search(page.get_data(as_text=True))[1]  # their own token, filled in
    anonymous = app.test_client().get("/").get_data(as_text=True)
    assert "Robin" not in anonymous and "no-store" not in app.test_client().get("/").headers["Cache-Control"]


def test_a_visitor_with_a_message_to_show_is_not_given_a_kept_page(app, client):
    app.test_client().get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You have signed out.")]
    assert "You have signed out." in client.get("/").get_data(as_text=True)


def test_a_form_sent_without_a_token_is_shown_again_with_what_was_typed_not_acted_on(app, client):
    from webapp.bookings import places

    places.load_bases()
    db.session.commit()
    client.get("/bookings/")
    kept = app.test_client()
    assert set(TOKEN_INPUT.findall(kept.get("/bookings/").get_data(as_text=True))) == {""}
    answer = kept.post("/bookings/", data={"csrf_token": "", "district": "NR2"})
    page = answer.get_data(as_text=True)
    assert 'value="NR2"' in page and "press the button again" in page
    assert 'id="nearest"' not in page  # not acted on: no bases listed by distance
    fresh = TOKEN_INPUT.search(page)[1]
    assert fresh
    sent = kept.post("/bookings/", data={"csrf_token": fresh, "district": "NR2"})
    assert 'id="nearest"' in sent.get_data(as_text=True)


def test_the_language_sent_without_a_token_asks_for_one_more_press(app):
    visitor = app.test_client()
    answer = visitor.post("/language", data={"csrf_token": "", "locale": "pl", "next": "/help-now"})
    assert answer.status_code == 400 and "flourish_lang" not in answer.headers.get("Set-Cookie", "")
    page = answer.get_data(as_text=True)
    fresh = TOKEN_INPUT.search(page)[1]
    assert fresh and 'name="locale" value="pl"' in page
    done = visitor.post("/language", data={"csrf_token": fresh, "locale": "pl", "next": "/help-now"})
    assert done.status_code == 303 and "flourish_lang=pl" in done.headers["Set-Cookie"]


def test_csrf_is_still_enforced(app, client, make_user, login):
    wrong = app.test_client().post("/language", data={"csrf_token": "not-a-token", "locale": "pl"})
    assert wrong.status_code == 400 and "flourish_lang" not in wrong.headers.get("Set-Cookie", "")
    person = make_user(role="young_person")
    login(client, person)
    missing = client.post("/language", data={"locale": "pl"})
    assert missing.status_code == 400 and "Press once more" not in missing.get_data(as_text=True)
    assert "flourish_lang" not in missing.headers.get("Set-Cookie", "")
