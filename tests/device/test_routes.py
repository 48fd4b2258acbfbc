"""`/this-device`: removing what this browser keeps works signed out and without JavaScript."""

from __future__ import annotations


def test_the_page_is_the_confirm_and_says_what_will_go(client):
    page = client.get("/this-device").get_data(as_text=True)
    assert "Yes, remove what this device keeps" in page
    assert "mood check-ins" in page and "safety plan" in page


def test_without_javascript_the_browser_is_told_to_clear_storage_and_caches(client):
    response = client.post_form("/this-device")
    assert response.status_code == 200
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "cookies" not in response.headers["Clear-Site-Data"]  # stays signed in
    assert "asked to remove everything Flourish kept" in response.get_data(as_text=True)


def test_when_the_page_removed_it_the_counts_are_said_the_http_cache_goes_and_the_quick_exit_record_is_kept(client):
    response = client.post_form("/this-device", {"removed_by_page": "1", "mood_entries": "3", "kept_pages": "41",
                                                 "goal_copies": "1", "other_items": "0"})
    page = response.get_data(as_text=True)
    # A script cannot reach the browser's HTTP cache; "storage" would also remove the quick-exit record.
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert "3 mood check-ins" in page and "41 pages kept for use with no signal" in page
    assert "the copy of your goals" in page


def test_made_up_counts_fall_back_to_clearing_everything(client):
    response = client.post_form("/this-device", {"removed_by_page": "1", "mood_entries": "lots"})
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_without_a_csrf_token_nothing_happens(client):
    response = client.post("/this-device", data={})
    assert response.status_code == 400
    assert "Clear-Site-Data" not in response.headers


def test_settings_and_the_privacy_and_help_pages_link_to_it(client, make_user, login):
    for path in ("/privacy", "/help-now"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/this-device"' in page and 'id="clear-history"' in page
        assert "Chrome on an Android phone" in page and "Safari on an iPhone" in page and "Samsung Internet" in page
    login(client, make_user(role="young_person"))
    assert 'href="/this-device"' in client.get("/settings/").get_data(as_text=True)
