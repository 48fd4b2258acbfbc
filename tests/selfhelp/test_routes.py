"""Self-help pages through the test client."""

from __future__ import annotations

import gzip
import json
import re
import shutil

import pytest
from sqlalchemy import select

from webapp.selfhelp import content
from webapp.selfhelp.models import MoodEntry

LANGUAGES = ("en", "pl", "pt", "lt")
TOOL_PAGES = ("/self-help/tools/breathing", "/self-help/tools/grounding", "/self-help/tools/distraction",
              "/self-help/tools/sleep", "/self-help/tools/worry-time", "/self-help/mood")
PAGES = ("/self-help/", "/self-help/what-would-help", "/self-help/services", *TOOL_PAGES,
         *(f"/self-help/topics/{slug}" for slug in content.TOPIC_SLUGS))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_loads_in_every_language(client, lang):
    for path in PAGES:
        response = client.get(f"{path}?lang={lang}")
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.get_data(as_text=True), path


def test_links_keep_the_language_of_the_page(client):
    page = client.get("/self-help/?lang=pt").get_data(as_text=True)
    assert 'href="/self-help/tools/breathing?lang=pt"' in page
    assert 'href="/self-help/topics/worry?lang=pt"' in page
    plain = client.get("/self-help/").get_data(as_text=True)
    assert 'href="/self-help/tools/breathing"' in plain


@pytest.fixture
def polish_worry_missing(tmp_path, monkeypatch):
    """The content folder as shipped, less the Polish "worry" topic (every topic is translated
    today, so the fallback is proven on a copy rather than skipped)."""
    shutil.copytree(content.CONTENT_DIR, tmp_path / "content")
    (tmp_path / "content" / "pl" / "worry.md").unlink()
    monkeypatch.setattr(content, "CONTENT_DIR", tmp_path / "content")
    content._load.cache_clear()
    yield
    content._load.cache_clear()


def test_untranslated_topic_says_it_is_in_english(client, polish_worry_missing):
    page = client.get("/self-help/topics/worry?lang=pl").get_data(as_text=True)
    assert '<article class="topic" lang="en">' in page
    translated = client.get("/self-help/topics/sleep?lang=pl").get_data(as_text=True)
    assert '<article class="topic">' in translated


def test_unknown_topic_is_404(client):
    assert client.get("/self-help/topics/nope").status_code == 404


def test_pages_are_public_and_may_be_kept(client):
    response = client.get("/self-help/tools/breathing")
    assert "no-store" not in response.headers["Cache-Control"]


def test_distraction_try_another_without_js(client):
    first = client.get("/self-help/tools/distraction").get_data(as_text=True)
    assert 'href="/self-help/tools/distraction?n=1"' in first
    last = client.get("/self-help/tools/distraction?n=15").get_data(as_text=True)
    assert 'href="/self-help/tools/distraction?n=0"' in last
    assert client.get("/self-help/tools/distraction?n=abc").status_code == 200


def test_breathing_rhythm_without_js(client):
    page = client.get("/self-help/tools/breathing?rhythm=box").get_data(as_text=True)
    assert re.search(r'id="rhythm-box" value="box"\s+data-phases="[^"]+" checked', page)
    assert client.get("/self-help/tools/breathing?rhythm=nonsense").status_code == 200


def test_anonymous_mood_page_keeps_nothing_on_the_server(client):
    page = client.get("/self-help/mood").get_data(as_text=True)
    assert "stay on this phone or computer only" in page
    assert "needs JavaScript" in page
    assert "data-mood-device-form hidden" in page


def test_signed_in_check_in_saves_and_deletes(client, make_user, login, db):
    user = make_user()
    login(client, user)
    response = client.post_form("/self-help/mood", {"score": "2", "tags": ["tired", "worried"], "words": "long week"})
    assert response.status_code == 303
    entry = db.session.scalars(select(MoodEntry)).one()
    assert (entry.user_id, entry.score, entry.tags, entry.words) == (user.id, 2, ["tired", "worried"], "long week")
    page = client.get("/self-help/mood")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "long week" in html and "<svg" in html and "<polyline" not in html
    assert client.post_form(f"/self-help/mood/{entry.id}/delete").status_code == 303
    assert db.session.scalars(select(MoodEntry)).all() == []


def test_check_in_errors_keep_what_was_typed(client, make_user, login, db):
    login(client, make_user())
    response = client.post_form("/self-help/mood", {"words": "still here"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose how you are feeling" in html and "still here" in html
    assert db.session.scalars(select(MoodEntry)).all() == []


def test_cannot_delete_someone_elses_check_in(client, make_user, login, db):
    from webapp.selfhelp import service

    other = make_user()
    entry = service.add_entry(other.id, 4)
    db.session.commit()
    login(client, make_user())
    assert client.post_form(f"/self-help/mood/{entry.id}/delete").status_code == 404
    assert db.session.get(MoodEntry, entry.id) is not None


def test_import_needs_sign_in_and_csrf(client, make_user, login, frozen_clock):
    body = {"entries": [{"id": "11111111-2222-4333-8444-555555555555", "score": 4, "tags": [],
                         "recorded_at": "2026-06-15T08:00:00Z"}]}
    assert client.post_json("/self-help/mood/import", body).status_code == 401
    login(client, make_user())
    assert client.post("/self-help/mood/import", json=body).status_code == 400  # no CSRF header
    first = client.post_json("/self-help/mood/import", body)
    assert first.status_code == 200 and first.get_json() == {"added": 1, "already": 0}
    again = client.post_json("/self-help/mood/import", body)
    assert again.get_json() == {"added": 0, "already": 1}
    bad = client.post_json("/self-help/mood/import", {"entries": [{"score": 4}]})
    assert bad.status_code == 400


WWH = "/self-help/what-would-help"


def test_danger_answers_go_straight_to_help_now(client):
    response = client.post_form(WWH, {"urgency": "danger"})
    assert response.status_code == 303 and response.headers["Location"] == "/help-now"
    response = client.post_form(WWH, {"situation": "suicidal", "urgency": "ideas", "age": "18-25", "area": "norwich"})
    assert response.headers["Location"] == "/help-now"
    assert response.headers["Cache-Control"] == "no-store"


def test_danger_answers_reach_help_now_even_with_a_stale_token(client):
    # Someone in danger is never stopped by "this page was open too long".
    response = client.post(WWH, data={"csrf_token": "stale", "situation": "suicidal"})
    assert response.status_code == 303 and response.headers["Location"] == "/help-now"


def test_what_would_help_answers_never_travel_in_a_url(client):
    html = client.get(WWH).get_data(as_text=True)
    form = re.search(r"<form[^>]*>", html[html.index("data-wwh-questions"):]).group(0)
    assert 'method="post"' in form and "?" not in form
    assert 'name="csrf_token"' in html
    # An old link with answers in its query string only shows the questions.
    old = client.get(WWH + "?situation=suicidal&urgency=ideas&age=18-25&area=norwich")
    assert old.status_code == 200 and "Location" not in old.headers
    assert "What would help right now?" in old.get_data(as_text=True)


def test_what_would_help_refuses_answers_without_a_valid_token(client):
    response = client.post(WWH, data={"situation": "sleep", "urgency": "today", "age": "16-17",
                                      "area": "great-yarmouth"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This page was open for too long" in html
    assert "What might help" not in html[:html.index("data-wwh-questions")]


def test_what_would_help_asks_again_with_errors(client):
    response = client.post_form(WWH, {"situation": "worry"})
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Choose how urgent it feels." in html
    assert 'value="worry" checked' in html or 'checked value="worry"' in html or re.search(
        r'<input checked[^>]*value="worry"', html)


def test_what_would_help_suggests(client):
    response = client.post_form(WWH, {"situation": "sleep", "urgency": "today", "age": "16-17",
                                      "area": "great-yarmouth"})
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Talk to someone today" in html
    assert "/self-help/tools/sleep" in html and "/self-help/topics/sleep" in html
    assert "/request-support/" in html
    assert "tel:08001111" in html


def test_services_page_lists_signposts_with_contacts(client):
    html = client.get("/self-help/services").get_data(as_text=True)
    for expected in ("tel:08001111", "sms:85258?body=SHOUT", "tel:116123", "tel:08000684141",
                     "https://www.kooth.com", "tel:08088005000"):
        assert expected in html


def test_nav_link_is_first(client):
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('class="site-nav"'):]
    first_link = re.search(r'<a href="([^"]+)"', nav).group(1)
    assert first_link == "/self-help/"


def test_offline_pack_holds_every_self_help_page_in_each_language(client):
    for lang in LANGUAGES:
        response = client.get(f"/offline-pack.json?lang={lang}")
        assert response.status_code == 200
        assert response.headers["Content-Language"] == lang
        pack = response.get_json()
        assert pack["language"] == lang
        assert pack["headers"]["Content-Type"].startswith("text/html")
        assert "script-src 'self'" in pack["headers"]["Content-Security-Policy"]
        for path in PAGES:
            html = pack["pages"][f"{path}?lang={lang}"]
            assert f'<html lang="{lang}" data-offline-copy>' in html, (lang, path)
        index = pack["pages"][f"/self-help/?lang={lang}"]
        assert f'href="/self-help/tools/breathing?lang={lang}"' in index  # offline browsing stays in one language
        assert f"/help-now?lang={lang}" in pack["pages"]


def test_offline_pack_without_a_language_is_in_the_persons_language(client):
    response = client.get("/offline-pack.json", headers={"Accept-Language": "pt-PT,pt;q=0.9"})
    assert response.get_json()["language"] == "pt"
    assert {"Cookie", "Accept-Language"} <= set(response.headers["Vary"].split(", "))
    client.post_form("/language", {"locale": "lt", "next": "/"})
    assert client.get("/offline-pack.json", headers={"Accept-Language": "pt"}).get_json()["language"] == "lt"
    assert client.get("/offline-pack.json?lang=fr").status_code == 404


def test_offline_pack_is_what_anyone_sees_even_when_asked_signed_in(client, make_user, login, db):
    user = make_user()
    login(client, user)
    client.post_form("/self-help/mood", {"score": "4", "words": "a private note"})
    assert db.session.scalars(select(MoodEntry)).all()
    assert "a private note" in client.get("/self-help/mood").get_data(as_text=True)
    pack = client.get("/offline-pack.json?lang=en").get_data(as_text=True)
    assert "a private note" not in pack and user.email not in pack
    assert "Sign out" not in pack and "Sign in" in pack


def test_offline_pack_is_compressed_for_the_one_bar_of_signal(client):
    plain = client.get("/offline-pack.json?lang=pl").get_data()
    response = client.get("/offline-pack.json?lang=pl", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == plain
    assert len(response.get_data()) < len(plain) / 5


def test_service_worker_precaches_the_scripts_the_kept_pages_use(client):
    script = client.get("/service-worker.js").get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
    for name in ("mood.js", "mood-store.js", "breathing.js", "offline-languages.js"):
        assert any(url.startswith(f"/static/js/selfhelp/{name}?v=") for url in precache), name
    assert not [url for url in precache if not url.startswith("/static/")]  # pages come in the pack


def test_only_kept_copies_say_they_are_kept(client):
    assert "data-offline-copy" not in client.get("/self-help/").get_data(as_text=True)
    assert "data-offline-copy" in client.get("/offline-pack.json?lang=en").get_json()["pages"]["/self-help/?lang=en"]


def test_pages_say_their_language(client):
    assert client.get("/self-help/topics/worry?lang=lt").headers["Content-Language"] == "lt"
    assert client.get("/self-help/", headers={"Accept-Language": "pl"}).headers["Content-Language"] == "pl"


def test_language_switch_drops_the_page_language(client):
    response = client.post_form("/language", {"locale": "lt", "next": "/self-help/?lang=pl&x=1"})
    assert response.headers["Location"] == "/self-help/?x=1"


def test_personal_data_export_includes_check_ins(client, make_user, login, db):
    from webapp.accounts.service import export_personal_data
    from webapp.selfhelp import service

    user = make_user()
    service.add_entry(user.id, 5, "good")
    db.session.commit()
    assert export_personal_data(user)["mood_check_ins"][0]["words"] == "good"
