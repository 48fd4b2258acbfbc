"""Installable and offline, asked of Chromium itself."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.two_factor import sign_in_page


def _wait_for_control(page):
    page.goto("/")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_service_worker_takes_control(persistent_context):
    page = persistent_context.new_page()
    _wait_for_control(page)
    scope = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).scope")
    assert scope.endswith("/")


def test_chromium_finds_the_app_installable(persistent_context):
    page = persistent_context.new_page()
    _wait_for_control(page)
    cdp = persistent_context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors


def test_offline_page_shows_when_the_network_is_cut(persistent_context):
    page = persistent_context.new_page()
    _wait_for_control(page)
    persistent_context.set_offline(True)
    try:
        page.goto("/a-page-never-visited")
        expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
        page.goto("/help-now")  # precached: opens with no signal
        expect(page.get_by_role("link", name=re.compile("Call 999"))).to_be_visible()
    finally:
        persistent_context.set_offline(False)


def test_signed_in_pages_are_never_kept_and_logout_clears_caches(persistent_context, make_user):
    user = make_user()
    page = persistent_context.new_page()
    _wait_for_control(page)
    sign_in_page(page, user)
    page.goto("/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    kept = page.evaluate("""async () => {
        const urls = [];
        for (const key of await caches.keys()) {
            for (const request of await (await caches.open(key)).keys()) urls.push(request.url);
        }
        return urls;
    }""")
    assert kept, "the shell should be precached"
    assert not [url for url in kept if "/settings" in url or "/api/" in url]
    page.goto("/logout")
    page.locator("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    left = page.evaluate("""async () => {
        const urls = [];
        for (const key of await caches.keys()) {
            for (const request of await (await caches.open(key)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    # Everything kept before is gone; at most the signed-out page's own static files come back.
    assert all(path.startswith("/static/") for path in left), left
    assert "/help-now" not in left
