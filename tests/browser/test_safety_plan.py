"""My safety plan in a real Chromium: made with no account, kept encrypted on the device, opened with no
signal; damaged or unreadable storage; print; sharing with the worker and revoking; parents never; axe at 320 px."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page
from webapp.extensions import db
from webapp.safety_plan import service

NARROW = {"width": 320, "height": 640}
WARNING = "Not sleeping, staying in my room 😔"
RTL = "אני אוהב את הכלב שלי — أحب كلبي"
TRUSTED = "Auntie Jo 💜"
STORE = "import('/static/js/safety_plan/plan-store.js')"

DUMP_STORAGE = """async () => {
  const out = [];
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const walk = (v) => {
    if (v instanceof CryptoKey) return `[key extractable=${v.extractable}]`;
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return decoder.decode(v);
    if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}:${walk(x)}`).join(",");
    return String(v);
  };
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    for (const store of db.objectStoreNames) {
      const all = await new Promise((ok) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => ok(r.result);
      });
      out.push(`${name}/${store}: ${all.map(walk).join(";")}`);
    }
    db.close();
  }
  out.push(JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), document.cookie);
  return out.join("\\n");
}"""


@pytest.fixture
def young(make_user):
    return make_user(role="young_person")


def _ready(page):
    page.wait_for_selector("form[data-plan-ready]", state="attached")


def _controlled(page):
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _saved(page):
    expect(page.locator("[data-plan-status]")).to_have_text("Saved on this device.")


def _request_for(young, clinician):
    from webapp.support.models import SupportRequest

    row = SupportRequest(reference="FL-PLAN-0042", requester_user_id=young.id, requester_type="young_person",
                         status="allocated", assigned_clinician_id=clinician.id,
                         young_person_date_of_birth=date(2010, 1, 1), answers={})
    db.session.add(row)
    db.session.commit()
    return row


def test_a_plan_made_with_no_account_is_kept_locked_and_opens_with_no_signal(context, page):
    page.goto("/safety-plan")
    _controlled(page)
    _ready(page)
    page.get_by_role("textbox", name="1. My warning signs").fill(WARNING)
    page.get_by_role("textbox", name="My reasons for living").fill(RTL)
    trusted = page.locator("#step-trusted")
    trusted.get_by_label("Name").fill(TRUSTED)
    trusted.get_by_label("Phone number").fill("07700 900123")
    _saved(page)
    expect(trusted.get_by_role("link", name="Call Auntie Jo 💜")).to_have_attribute("href", "tel:07700900123")
    page.wait_for_timeout(600)  # the last keystroke's save
    stored = page.evaluate(DUMP_STORAGE)
    assert "flourish-safety-plan/plans" in stored and "[key extractable=false]" in stored
    for typed in (WARNING, RTL, TRUSTED, "Auntie", "sleeping", "07700", "900123"):
        assert typed not in stored
    context.set_offline(True)
    try:
        page.goto("/")  # from the home screen: two taps to the plan, with no signal
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My safety plan").click()
        _ready(page)
        expect(page.get_by_role("textbox", name="1. My warning signs")).to_have_value(WARNING)
        expect(page.get_by_role("textbox", name="My reasons for living")).to_have_value(RTL)
        expect(page.locator("#step-trusted").get_by_label("Name")).to_have_value(TRUSTED)
    finally:
        context.set_offline(False)
    page.get_by_role("button", name="Remove what this device keeps").click()
    expect(page.locator("[data-plan-status]")).to_have_text("Your plan has been removed from this device.")
    page.reload()
    _ready(page)
    expect(page.get_by_role("textbox", name="1. My warning signs")).to_have_value("")


def test_encryption_round_trips_and_another_key_cannot_open_it(page):
    page.goto("/safety-plan")
    _ready(page)
    result = page.evaluate("""async ([text]) => {
      const store = await """ + STORE + """;
      const key = await store.deviceKey();
      const sealed = await store.encryptText(key, text);
      const back = await store.decryptText(key, sealed);
      const other = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
      let refused = false;
      try { await store.decryptText(other, sealed); } catch (error) { refused = true; }
      let exported = true;
      try { await crypto.subtle.exportKey("raw", key); } catch (error) { exported = false; }
      return { same: back === text, refused, exported };
    }""", [RTL + WARNING + "x" * 20000])
    assert result == {"same": True, "refused": True, "exported": False}


def test_a_damaged_plan_opens_with_a_message_and_keeps_what_can_be_read(page):
    page.goto("/safety-plan")
    _ready(page)
    page.get_by_role("textbox", name="1. My warning signs").fill(WARNING)
    page.get_by_role("textbox", name="6. Making where I am safer").fill("Give the blades to Mum")
    page.wait_for_timeout(600)
    _saved(page)
    page.goto("/offline")  # away from the plan's page, as when the browser is closed
    page.evaluate("""async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open("flourish-safety-plan");
        r.onsuccess = () => ok(r.result);
      });
      const tx = db.transaction("plans", "readwrite");
      const store = tx.objectStore("plans");
      const record = await new Promise((ok) => { const r = store.get(""); r.onsuccess = () => ok(r.result); });
      record.fields.safer.data = new Uint8Array([1, 2, 3, 4, 5]).buffer;
      store.put(record, "");
      await new Promise((ok) => { tx.oncomplete = ok; });
      db.close();
    }""")
    page.goto("/safety-plan")
    _ready(page)
    expect(page.locator("[data-plan-problem]")).to_contain_text("Part of your plan on this device could not be read")
    expect(page.get_by_role("textbox", name="1. My warning signs")).to_have_value(WARNING)


def test_a_lost_key_gives_a_clear_message_and_a_fresh_start(page):
    page.goto("/safety-plan")
    _ready(page)
    page.get_by_role("textbox", name="1. My warning signs").fill(WARNING)
    page.wait_for_timeout(600)
    _saved(page)
    page.goto("/offline")  # away from the plan's page, as when the browser is closed
    page.evaluate("""async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open("flourish-safety-plan");
        r.onsuccess = () => ok(r.result);
      });
      const tx = db.transaction("keys", "readwrite");
      tx.objectStore("keys").clear();
      await new Promise((ok) => { tx.oncomplete = ok; });
      db.close();
    }""")
    page.goto("/safety-plan")
    _ready(page)
    expect(page.locator("[data-plan-problem]")).to_contain_text("cannot be opened any more")
    expect(page.get_by_role("textbox", name="1. My warning signs")).to_have_value("")
    page.get_by_role("textbox", name="2. Things I can do on my own to take my mind off things").fill("Music")
    _saved(page)
    page.wait_for_timeout(600)
    page.reload()
    _ready(page)
    expect(page.get_by_role("textbox", name="2. Things I can do on my own")).to_have_value("Music")
    expect(page.locator("[data-plan-problem]")).to_be_hidden()


def test_a_wrong_phone_number_is_explained_by_its_field_and_the_page_passes_axe_at_320px(page):
    page.set_viewport_size(NARROW)
    page.goto("/safety-plan")
    _ready(page)
    helper = page.locator("#step-helper fieldset").first
    helper.get_by_label("Name").fill("Sam")
    helper.get_by_label("Phone number").fill("ring sam")
    helper.get_by_label("Name").focus()
    expect(helper.get_by_text("Enter a phone number using digits")).to_be_visible()
    expect(helper.get_by_label("Phone number")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    helper.get_by_label("Phone number").fill("07700 900456")
    expect(helper.get_by_role("link", name="Text Sam")).to_have_attribute("href", "sms:07700900456")
    expect(helper.get_by_text("Enter a phone number using digits")).to_be_hidden()
    page.get_by_role("button", name="Show it ready to print").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    expect(page.get_by_role("link", name="07700 900456")).to_have_attribute("href", "tel:07700900456")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")
    assert_accessible(page)


def test_without_javascript_the_plan_is_a_form_to_print_with_errors_by_the_field(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=NARROW)
    page = context.new_page()
    page.goto("/safety-plan")
    expect(page.get_by_text("Fill in your plan, then print it or download it as a file.")).to_be_visible()
    page.get_by_role("textbox", name="1. My warning signs").fill(WARNING)
    page.locator("#step-trusted").get_by_label("Phone number").fill("not a number")
    page.get_by_role("button", name="Show it ready to print").click()
    expect(page.get_by_role("link", name="Enter a phone number using digits, like 07700 900123")).to_be_visible()
    expect(page.get_by_role("textbox", name="1. My warning signs")).to_have_value(WARNING)
    page.locator("#step-trusted").get_by_label("Phone number").fill("+44 7700 900123")
    page.get_by_role("button", name="Show it ready to print").click()
    expect(page.get_by_text(WARNING)).to_be_visible()
    expect(page.get_by_role("link", name="+44 7700 900123")).to_have_attribute("href", "tel:+447700900123")
    context.close()


def test_share_with_the_worker_and_revoke_and_a_parent_never_sees_it(browser, live_server, young, make_user):
    clinician, parent = make_user(role="clinician"), make_user(role="parent")
    request = _request_for(young, clinician)
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    sign_in_page(page, young)
    page.goto("/safety-plan/settings")
    page.locator("#keep").get_by_label("Yes").check()
    page.get_by_role("button", name="Save my choice").click()
    page.goto("/safety-plan")
    _ready(page)
    page.get_by_role("textbox", name="6. Making where I am safer").fill("Give the blades to Mum")
    page.get_by_role("button", name="Save in my account").click()
    expect(page.get_by_text("Your plan is saved in your account.")).to_be_visible()
    page.goto("/safety-plan/settings")
    page.locator("#share").get_by_label("Yes").check()
    page.get_by_role("button", name="Save sharing choice").click()
    expect(page.get_by_text("Your plan is now shared with your worker.")).to_be_visible()
    assert_accessible(page)

    worker_context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    worker = worker_context.new_page()
    sign_in_page(worker, clinician)
    worker.goto(f"/staff/requests/{request.reference}")
    expect(worker.locator("[data-shared-safety-plan-include]")).to_contain_text("Give the blades to Mum")
    worker.get_by_role("link", name="Add to the plan together").click()
    worker.get_by_label("Part of the plan").select_option("coping")
    worker.get_by_label("What to add").fill("Box breathing, 4 counts")
    worker.get_by_role("button", name="Add to the plan").click()
    expect(worker.get_by_text("Added to the plan.")).to_be_visible()
    assert_accessible(worker)

    page.goto("/safety-plan")
    expect(page.get_by_text("Box breathing, 4 counts")).to_be_visible()
    expect(page.get_by_text("Added by your worker on")).to_be_visible()

    parent_context = browser.new_context(base_url=live_server.url)
    parent_page = parent_context.new_page()
    sign_in_page(parent_page, parent)
    assert parent_page.goto(f"/safety-plan/shared/{young.id}").status == 403
    parent_page.goto("/safety-plan")
    expect(parent_page.get_by_text("Give the blades to Mum")).to_have_count(0)
    parent_context.close()

    page.goto("/safety-plan/settings")
    page.locator("#share").get_by_label("No").check()
    page.get_by_role("button", name="Save sharing choice").click()
    expect(page.get_by_text("Your plan is no longer shared.")).to_be_visible()
    assert worker.goto(f"/safety-plan/shared/{young.id}").status == 404
    worker.goto(f"/staff/requests/{request.reference}")
    expect(worker.locator("[data-shared-safety-plan-include]")).to_have_count(0)
    assert service.plan_for(young.id) is not None
    worker_context.close()
    context.close()


def test_about_me_in_the_request_for_support_reaches_the_front_door_record(browser, live_server):
    import json

    from tests.support.helpers import STEP_DATA
    from webapp.support.models import SupportRequest

    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    page.goto("/request-support/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")

    def post(path, data):
        response = page.request.post(path, form={"csrf_token": token, **data}, max_redirects=0)
        assert response.status == 303, (path, response.status)

    post("/request-support/", {})
    for step in ("who", "young-person", "safety", "your-story"):
        post(f"/request-support/{step}", {k: v for k, v in STEP_DATA[step]("young_person").items()
                                          if not isinstance(v, list)})
    page.goto("/request-support/about-me")
    expect(page.get_by_role("heading", level=1)).to_have_text("About me")
    assert_accessible(page)
    page.get_by_label("The name I use (optional)").fill("Kai 🌈")
    page.get_by_label("How and when I like to be contacted (optional)").fill("Text, don't call. Not during school.")
    page.get_by_label("Waiting rooms make me anxious").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(f"{live_server.url}/request-support/contact")
    for step in ("contact", "consent"):
        post(f"/request-support/{step}", STEP_DATA[step]("young_person"))
    page.goto("/request-support/check")
    expect(page.get_by_text("Text, don't call. Not during school.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Send")).first.click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Check your answers")
    db.session.expire_all()
    request = db.session.query(SupportRequest).one()
    bundle = json.loads(request.fhir_record)
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    answers = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    items = {item["linkId"]: item for item in answers["item"]}
    assert items["contact_preferences"]["answer"] == [{"valueString": "Text, don't call. Not during school."}]
    assert items["appointment_needs"]["answer"] == [{"valueString": "waiting_rooms"}]
    assert {"use": "usual", "text": "Kai 🌈"} in patient["name"]
    context.close()


def test_a_photo_is_kept_only_on_the_device_and_locked(page):
    import base64

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
                           "AAAABJRU5ErkJggg==")
    sent = []
    page.on("request", lambda request: sent.append(request) if request.method == "POST" else None)
    page.goto("/safety-plan")
    _ready(page)
    page.get_by_label("A photo that reminds me (optional)").set_input_files(
        files=[{"name": "dog.png", "mimeType": "image/png", "buffer": png}])
    expect(page.get_by_role("img", name="My photo")).to_be_visible()
    _saved(page)
    stored = page.evaluate(DUMP_STORAGE)
    assert "data:image" not in stored and "iVBORw0KGgo" not in stored
    page.reload()
    _ready(page)
    expect(page.get_by_role("img", name="My photo")).to_be_visible()
    page.get_by_role("button", name="Remove the photo").click()
    expect(page.get_by_role("img", name="My photo")).to_be_hidden()
    assert not sent  # nothing of the plan or the photo left the device
