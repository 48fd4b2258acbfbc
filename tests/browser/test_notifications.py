"""Reminders in a real Chromium: the settings page (with and without JavaScript, push unsupported or
blocked), turning push on, and a push message the worker really sent, delivered to the registered
service worker through the DevTools protocol, shown, and clicked."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page
from tests.notifications.push_service import LocalPushService
from webapp import clock
from webapp.extensions import db
from webapp.notifications import devices, sender, service
from webapp.notifications.models import PushSubscription
from webapp.notifications.preferences import update_preferences

PAGE = "/settings/notifications"


def sign_in(page, user):
    sign_in_page(page, user)


@pytest.fixture
def push_service(app):
    service_ = LocalPushService(now=clock.now).start()
    app.extensions.pop("flourish_push_client", None)
    yield service_
    service_.stop()


def fake_push_manager(browser_subscription: dict) -> str:
    """Chromium here has no push service to subscribe with (no network, no FCM), so the page's
    PushManager answers with a subscription whose keys the local push service holds."""
    return """
      (() => {
        const json = JSON_HERE;
        const key = "flourish-test-subscribed";
        const make = () => ({ endpoint: json.endpoint, toJSON: () => json,
                              unsubscribe: async () => { localStorage.removeItem(key); return true; } });
        PushManager.prototype.subscribe = async function (options) {
          if (!options || !options.userVisibleOnly || options.applicationServerKey.byteLength !== 65) {
            throw new Error("bad subscribe options");
          }
          localStorage.setItem(key, "1");
          return make();
        };
        PushManager.prototype.getSubscription = async function () {
          return localStorage.getItem(key) ? make() : null;
        };
      })();
    """.replace("JSON_HERE", json.dumps(browser_subscription))


def wait_for_service_worker(page):
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_reminders_page_and_staff_page_pass_axe(page, make_user, app):
    user = make_user()
    sign_in(page, user)
    page.goto("/settings/")
    page.get_by_role("link", name="Reminders", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    expect(page.get_by_role("button", name="Turn on reminders on this device")).to_be_visible()
    assert_accessible(page)

    devices.subscribe(user.id, LocalPushService().new_browser().subscription, devices.EndpointRules(False, None),
                      "Chrome/131.0 (Linux; Android 14)")
    db.session.commit()
    page.reload()
    expect(page.get_by_text("Chrome on Android", exact=True)).to_be_visible()
    page.get_by_label("Quiet from").fill("07:00")
    page.get_by_label("Quiet until").fill("07:00")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    admin = make_user(role="admin")
    page.context.clear_cookies()
    sign_in(page, admin)
    page.goto("/staff/")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_accessible(page)


def test_everything_but_turning_push_on_works_without_javascript(browser, live_server, make_user):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    user = make_user()
    devices.subscribe(user.id, LocalPushService().new_browser().subscription, devices.EndpointRules(False, None),
                      "Firefox/130.0 (Windows NT 10.0)")
    db.session.commit()
    try:
        sign_in(page, user)
        page.goto(PAGE)
        expect(page.get_by_text("Turning on reminders for a device needs JavaScript.")).to_be_visible()
        page.get_by_label("Goal check-ins").uncheck()
        page.get_by_label("Discreet text").uncheck()
        page.get_by_label("Quiet from").fill("22:00")
        page.get_by_role("button", name="Save my choices").click()
        expect(page.get_by_text("Your reminder settings are saved.")).to_be_visible()
        prefs = service.preferences_for(user.id)
        db.session.refresh(prefs)
        assert (prefs.goal_checkins, prefs.discreet, prefs.quiet_start.hour) == (False, False, 22)
        page.get_by_role("button", name="Send me a test notification").click()
        expect(page.get_by_text("A test notification is on its way.")).to_be_visible()
        page.get_by_role("button", name=re.compile("^Remove Firefox on Windows")).click()
        expect(page.get_by_text("That device will not get reminders any more.")).to_be_visible()
        assert db.session.scalars(select(PushSubscription)).all() == []
    finally:
        context.close()


def test_a_browser_without_push_is_told_plainly(browser, live_server, make_user):
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script("delete window.PushManager;")
    page = context.new_page()
    try:
        sign_in(page, make_user())
        page.goto(PAGE)
        expect(page.get_by_text("This browser cannot show reminders from websites.")).to_be_visible()
        expect(page.get_by_role("button", name="Turn on reminders on this device")).to_be_hidden()
        assert_accessible(page)
    finally:
        context.close()


def test_blocked_notifications_say_how_to_change_it(browser, live_server, make_user):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    try:
        sign_in(page, make_user())
        cdp = context.new_cdp_session(page)
        browser_context = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
        cdp.send("Browser.setPermission", {"permission": {"name": "notifications"}, "setting": "denied",
                                           "origin": live_server.url, "browserContextId": browser_context})
        page.goto(PAGE)
        expect(page.get_by_text("Notifications are blocked for Flourish in this browser")).to_be_visible()
        expect(page.get_by_text(re.compile("choose \u201cAllow\u201d"))).to_be_visible()
        assert_accessible(page)
    finally:
        context.close()


def registration_id(context, page, origin: str):
    """A CDP session with ServiceWorker enabled, and the id of the page's service worker registration."""
    cdp = context.new_cdp_session(page)
    found: list[str] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: found.extend(r["registrationId"] for r in event["registrations"]
                                      if r["scopeURL"] == origin + "/"))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            break
        page.wait_for_timeout(100)
    assert found, "no service worker registration reported"
    return cdp, found[0]


def shown_notifications(page) -> list[dict]:
    return page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        return (await registration.getNotifications()).map((n) => ({
            title: n.title, body: n.body, tag: n.tag, data: n.data,
            actions: (n.actions || []).map((a) => ({ action: a.action, title: a.title })),
        }));
    }""")


def deliver_push(context, page, origin: str, payload: dict | str) -> list[dict]:
    """Deliver `payload` (JSON, or a string as it is) as a push message to the page's service worker
    and return what it shows.

    On a loaded machine Chromium now and then drops a message delivered while it is still
    starting the worker, so it is delivered once more if nothing shows within five seconds.
    """
    cdp, registration = registration_id(context, page, origin)
    for _attempt in range(2):
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": origin, "registrationId": registration,
                                                      "data": payload if isinstance(payload, str)
                                                      else json.dumps(payload)})
        for _ in range(50):
            shown = shown_notifications(page)
            if shown:
                return shown
            page.wait_for_timeout(100)
    return []


def click_notification(context, action: str = "") -> None:
    """Chromium offers no protocol command to click a notification, so the test dispatches the
    same `notificationclick` event the browser would, in the service worker itself."""
    [worker] = context.service_workers
    worker.evaluate("""async (action) => {
        const [notification] = await self.registration.getNotifications();
        const event = new NotificationEvent("notificationclick", { notification, action });
        let done;
        event.waitUntil = (promise) => { done = promise; };
        self.dispatchEvent(event);
        await done;
    }""", action)


def test_turning_push_on_then_a_real_push_is_shown_and_opens_the_app(persistent_context, live_server, make_user,
                                                                     push_service, app):
    user = make_user()
    fake_browser = push_service.new_browser()
    context = persistent_context
    context.add_init_script(fake_push_manager(fake_browser.subscription))
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, user)
    page.goto(PAGE)
    wait_for_service_worker(page)

    page.get_by_role("button", name="Turn on reminders on this device").click()
    expect(page.get_by_text("Reminders are on for this device.")).to_be_visible()
    [kept] = db.session.scalars(select(PushSubscription)).all()
    assert (kept.user_id, kept.endpoint) == (user.id, fake_browser.endpoint)

    page.get_by_role("button", name="Send me a test notification").click()
    expect(page.get_by_text("A test notification is on its way.")).to_be_visible()
    assert sender.send_due() == 1  # the worker, against the local push service
    [message] = push_service.received

    [shown] = deliver_push(context, page, live_server.url, message.payload)
    assert shown["title"] == "Flourish" and shown["body"] == "You have a new reminder from Flourish"
    assert shown["actions"] == []

    page.goto("/")
    click_notification(context)
    page.wait_for_url(re.compile(r"/settings/notifications$"))
    assert shown_notifications(page) == []  # the click closed it


def test_a_detailed_appointment_reminder_offers_replies_that_open_the_booking(persistent_context, live_server,
                                                                              make_user, push_service, app):
    user = make_user()
    fake_browser = push_service.new_browser()
    devices.subscribe(user.id, fake_browser.subscription, devices.EndpointRules(False, None))
    prefs = service.preferences_for(user.id)
    update_preferences(user.id, appointment_reminders=True, goal_checkins=True, request_updates=True,
                       discreet=False, quiet_hours=False, quiet_start=prefs.quiet_start, quiet_end=prefs.quiet_end)
    service.schedule(user_id=user.id, kind="appointment_reminder", due_at=clock.now(),
                     expires_at=clock.now() + timedelta(hours=2), title="Drop-in at %(place)s",
                     body="Today at %(time)s.", params={"place": "The Garage", "time": "16:00"},
                     url="/settings/notifications?booking=12", subject_type="booking", subject_id=12)
    db.session.commit()
    sender.send_due()
    [message] = push_service.received

    context = persistent_context
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, user)
    page.goto("/")
    wait_for_service_worker(page)
    [shown] = deliver_push(context, page, live_server.url, message.payload)
    assert shown["title"] == "Drop-in at The Garage" and shown["body"] == "Today at 16:00."
    assert [a["title"] for a in shown["actions"]] == ["I'll be there", "Can't make it"]

    click_notification(context, "cannot-attend")
    page.wait_for_url(re.compile(r"/settings/notifications\?booking=12&reply=no$"))


def test_a_changed_subscription_is_sent_to_the_server_by_the_service_worker(persistent_context, live_server,
                                                                             make_user):
    user = make_user()
    push = LocalPushService()
    old, new = push.new_browser(), push.new_browser()
    devices.subscribe(user.id, old.subscription, devices.EndpointRules(False, None))
    db.session.commit()
    page = persistent_context.new_page()
    sign_in(page, user)
    page.goto("/")
    wait_for_service_worker(page)
    [worker] = persistent_context.service_workers
    # Chromium never fires `pushsubscriptionchange` itself, so the test fires it as Firefox would.
    worker.evaluate("""async ([oldEndpoint, next]) => {
        const event = new Event("pushsubscriptionchange");
        event.oldSubscription = { endpoint: oldEndpoint };
        event.newSubscription = { endpoint: next.endpoint, toJSON: () => next };
        let done;
        event.waitUntil = (promise) => { done = promise; };
        self.dispatchEvent(event);
        await done;
    }""", [old.endpoint, new.subscription])
    db.session.expire_all()
    assert [d.endpoint for d in devices.devices_for(user.id)] == [new.endpoint]


def test_a_push_it_cannot_read_still_shows_discreet_text_in_the_language_last_read(persistent_context,
                                                                                   live_server):
    context = persistent_context
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    page.goto("/self-help/?lang=pl")  # the worker installs from a Polish page: Polish is the language read
    wait_for_service_worker(page)
    assert page.evaluate("""async () => {
        const cache = await caches.open((await caches.keys()).find((k) => k.startsWith("flourish-")));
        return (await cache.match("/offline-pack.json?read")).text();
    }""") == "pl"
    [shown] = deliver_push(context, page, live_server.url, "not json")
    assert shown["title"] == "Flourish"
    assert shown["body"] == "Masz nowe przypomnienie od Flourish"
