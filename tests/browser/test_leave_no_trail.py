"""Leave no trail (#14 item 5): after Quick exit, Back never shows a Flourish page; "Remove what this
device keeps" empties IndexedDB, the caches and localStorage. In a real Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import expect

NEUTRAL = "https://www.bbc.co.uk/weather"


def _neutral_site(context):
    context.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"))


def _quick_exit(page):
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    page.wait_for_url(NEUTRAL)


def _back(page):
    """Back, then wait for wherever it settles (a Flourish page from before the exit moves on at once)."""
    page.go_back(wait_until="commit")
    page.wait_for_load_state("load")


def _not_flourish(page, live_server):
    page.wait_for_url(lambda url: not url.startswith(live_server.url))
    assert page.url in (NEUTRAL, "about:blank")


def test_back_after_quick_exit_lands_on_the_neutral_site_not_flourish(context, live_server):
    _neutral_site(context)
    page = context.new_page()
    page.goto("/self-help/topics/self-harm")
    page.goto("/self-help/mood")
    _quick_exit(page)
    _back(page)  # the mood check-in was replaced; the page before it, "self-harm", moves on at once
    _not_flourish(page, live_server)
    assert page.url == NEUTRAL
    expect(page.locator("h1")).to_have_text("Weather")
    _back(page)  # then the new tab page: nothing of Flourish left behind
    _not_flourish(page, live_server)


def test_escape_twice_also_leaves_no_trail(context, live_server):
    _neutral_site(context)
    page = context.new_page()
    page.goto("/help-now")
    page.goto("/privacy")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    _back(page)
    _not_flourish(page, live_server)
    assert page.url == NEUTRAL


def test_coming_back_on_purpose_after_a_quick_exit_works_and_back_within_it_too(context):
    _neutral_site(context)
    page = context.new_page()
    page.goto("/help-now")
    _quick_exit(page)
    page.goto("/")  # typed in again: a new visit is not sent away
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support for your mental health")
    page.goto("/privacy")
    _back(page)
    assert page.url.endswith("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support for your mental health")


def test_a_quick_exit_in_one_tab_sends_other_flourish_tabs_away_too(context):
    _neutral_site(context)
    other = context.new_page()
    other.goto("/self-help/topics/self-harm")
    page = context.new_page()
    page.goto("/help-now")
    _quick_exit(page)
    other.wait_for_url(NEUTRAL)


def test_remove_what_this_device_keeps_empties_indexeddb_caches_and_local_storage(persistent_context):
    page = persistent_context.new_page()
    page.goto("/")
    page.wait_for_function(
        "async () => { await navigator.serviceWorker.ready; return (await caches.keys()).length > 0; }")
    page.evaluate("""async () => {
        localStorage.setItem('flourish.mood.v1', JSON.stringify([{id: 'a', score: 3}, {id: 'b', score: 4}]));
        sessionStorage.setItem('something', '1');
        await new Promise((resolve, reject) => {
            const open = indexedDB.open('flourish-goals', 1);
            open.onupgradeneeded = () => open.result.createObjectStore('copy');
            open.onsuccess = () => {
                const tx = open.result.transaction('copy', 'readwrite');
                tx.objectStore('copy').put({goals: ['sleep better']}, 'current');
                tx.oncomplete = () => { open.result.close(); resolve(); };
            };
            open.onerror = reject;
        });
    }""")
    page.goto("/privacy")
    page.get_by_role("link", name="Remove what this device keeps").click()
    page.get_by_role("button", name="Yes, remove what this device keeps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Removed from this device")
    removed = page.locator("[data-removed-list]")
    expect(removed).to_contain_text("2 mood check-ins")
    expect(removed).to_contain_text("the copy of your goals")
    expect(removed).to_contain_text(re.compile(r"[1-9]\d* pages? kept for use with no signal"))
    left = page.evaluate("""async () => ({
        databases: (await indexedDB.databases()).map((db) => db.name),
        caches: await caches.keys(),
        local: Object.keys(localStorage),
        session: Object.keys(sessionStorage),
        workers: (await navigator.serviceWorker.getRegistrations()).length,
    })""")
    assert left == {"databases": [], "caches": [], "local": [], "session": [], "workers": 0}


def test_removing_keeps_the_record_of_a_quick_exit(context, live_server):
    _neutral_site(context)
    page = context.new_page()
    page.goto("/self-help/topics/self-harm")
    page.goto("/self-help/mood")
    _quick_exit(page)
    page.goto("/this-device")
    page.get_by_role("button", name="Yes, remove what this device keeps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Removed from this device")
    assert page.evaluate("Object.keys(localStorage)") == ["flourish:quick-exit"]
    _back(page)  # /this-device, opened after the exit: shown
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove what this device keeps")
    _back(page)  # the neutral site
    _back(page)  # the self-harm page, from before the exit: still sent away
    _not_flourish(page, live_server)
    assert page.url == NEUTRAL


def test_the_new_pages_pass_axe_at_320px_and_200_percent(browser, live_server):
    from tests.helpers.axe import assert_accessible

    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640}, locale="en-GB")
    page = context.new_page()
    for path in ("/this-device", "/help-now", "/privacy"):
        page.goto(path)
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert_accessible(page)
        page.evaluate("document.documentElement.style.zoom = '2'")
        assert_accessible(page)
    page.goto("/this-device")
    page.get_by_role("button", name="Yes, remove what this device keeps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Removed from this device")
    assert_accessible(page)
    context.close()
