"""Every main form's error state as a screen reader meets it (#21 item 3), in Chromium.

Each form is sent empty (or with a wrong value). Then, read from the page and its accessibility
tree: the error summary is an alert, its links are unique and each names its question and leads
to a control that exists; every error message is the accessible description of its control (or
its group of radios or checkboxes), and every single control in error is aria-invalid. Each summary
link also names its question in words, and an error that belongs to no field (attendance refused)
is in a live region.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import on_your_story, sign_in
from tests.helpers.dates import fill_date
from tests.support.helpers import STEP_DATA

# Run in the page: the rules above, as a list of problems (empty when the page is right).
CHECK_ERRORS = """(named) => {
  // The question a control answers: its group's legend (radios, checkboxes, a date's boxes), else its label.
  const question = (target) => {
    const group = target.matches('fieldset') ? target : target.closest('fieldset');
    if (group && (target === group || target.matches('input[type=radio], input[type=checkbox]')
                  || target.closest('.date-input'))) {
      const legend = group.querySelector('legend');
      return legend ? legend.textContent.trim() : '';
    }
    const label = target.id && document.querySelector('label[for="' + CSS.escape(target.id) + '"]');
    return ((label ? label.textContent : '') + ' ' + (target.getAttribute('aria-label') || '')).trim();
  };
  // Named: the link holds the question, or one of its words ("Enter your date of birth" for "Your date
  // of birth"); words every message uses ("Enter", "Choose", "This cannot be empty") name nothing.
  const GENERIC = new Set(['this', 'that', 'your', 'with', 'from', 'enter', 'choose', 'cannot', 'empty',
                           'field', 'required', 'valid', 'answer', 'fewer', 'characters', 'must', 'more']);
  const words = (text) => new Set((text.toLowerCase().match(/\\p{L}{4,}/gu) || []).filter((w) => !GENERIC.has(w)));
  const namesQuestion = (text, asked) => {
    const squash = (t) => t.toLowerCase().replace(/\\s+/g, ' ').trim();
    if (squash(text).includes(squash(asked))) return true;
    const mine = words(text);
    return [...words(asked)].some((w) => mine.has(w));
  };
  const problems = [];
  const summary = document.querySelector('.error-summary');
  const messages = [...document.querySelectorAll('.error-message')];
  if (!summary && !messages.length) return ['no error shown at all'];
  if (summary) {
    if (summary.getAttribute('role') !== 'alert') problems.push('the summary is not an alert');
    const links = [...summary.querySelectorAll('a[href^="#"]')];
    const texts = links.map((a) => a.textContent.trim());
    if (new Set(texts).size !== texts.length) problems.push('summary links repeat: ' + texts.join(' | '));
    for (const link of links) {
      const target = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
      if (!target) { problems.push('summary link to nothing: ' + link.getAttribute('href')); continue; }
      if (!target.matches('input, select, textarea, fieldset')) {
        problems.push('summary link not to a control: ' + target.outerHTML.slice(0, 80));
      }
      if (link.textContent.trim().length < 8) problems.push('summary link names nothing: ' + link.textContent);
      const asked = question(target);
      if (named && asked && !namesQuestion(link.textContent, asked)) {
        problems.push('summary link "' + link.textContent.trim() + '" does not name its question "' + asked + '"');
      }
    }
  }
  for (const message of messages) {
    const id = message.id;
    if (!id) { problems.push('an error message has no id: ' + message.textContent.trim()); continue; }
    const described = [...document.querySelectorAll('[aria-describedby]')].filter(
      (el) => el.getAttribute('aria-describedby').split(/\\s+/).includes(id));
    if (!described.length) { problems.push('error not tied to a control: ' + message.textContent.trim()); continue; }
    for (const el of described) {
      if (el.matches('input:not([type=radio]):not([type=checkbox]), select, textarea, input[type=checkbox]')
          && el.getAttribute('aria-invalid') !== 'true') {
        problems.push('control in error is not aria-invalid: ' + (el.id || el.name));
      }
    }
  }
  return problems;
}"""


def assert_errors_are_heard(page, where: str, named: bool = True) -> None:
    """Each summary link must also name its question in words (its label or legend, or one of their
    words): "Enter your date of birth", never only "This cannot be empty."."""
    expect(page.locator(".error-summary, .error-message").first).to_be_visible()
    problems = page.evaluate(CHECK_ERRORS, named)
    assert not problems, f"{where}: " + "; ".join(problems)


def _submit(page, name: str | re.Pattern) -> None:
    page.locator("main").get_by_role("button", name=name).first.click()


def test_sign_in_and_register_errors_are_tied_and_announced(page, frozen_clock):
    page.goto("/login")
    _submit(page, "Sign in")
    assert_errors_are_heard(page, "/login empty")
    page.goto("/register")
    fill_date(page, "Date of birth", "2090-01-01")
    _submit(page, "Make my account")
    assert_errors_are_heard(page, "/register")


def test_a_wrong_password_is_announced_in_a_live_region(page, make_user, frozen_clock):
    make_user(email="someone@example.org")
    page.goto("/login")
    page.get_by_label("Email address").fill("someone@example.org")
    page.get_by_label("Password").fill("not the password at all")
    _submit(page, "Sign in")
    alert = page.locator('main [role="alert"], main [role="status"]').first
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(re.compile(r"\S"))


REQUEST_STEPS = ("who", "about-you", "young-person", "safety", "your-story", "contact", "consent")


def test_every_step_of_the_request_form_names_and_ties_its_errors(page, frozen_clock):
    page.goto("/request-support/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    page.request.post("/request-support/", form={"csrf_token": token}, max_redirects=0)
    for step in REQUEST_STEPS:
        page.goto(f"/request-support/{step}")
        if step == "contact":  # the contact step's checks need the young person's age and who asks
            page.get_by_label("Phone number (optional)").fill("12")
        _submit(page, "Save and continue")
        assert_errors_are_heard(page, step)
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_focused()
        page.request.post(f"/request-support/{step}", max_redirects=0, form={
            "csrf_token": token, **{k: v for k, v in STEP_DATA[step]("parent").items() if not isinstance(v, list)}})


def test_the_story_step_reads_each_error_as_its_fields_description(context, frozen_clock):
    page = context.new_page()
    on_your_story(page)
    _submit(page, "Save and continue")
    assert_errors_are_heard(page, "your-story")
    expect(page.get_by_label(re.compile("What is happening, in your own words"))).to_have_accessible_description(
        re.compile("Tell us a little about what is happening"))
    expect(page.get_by_role("group", name="How long has it been going on?")).to_have_accessible_description(
        re.compile("Choose how long it has been going on"))


@pytest.mark.parametrize("path, fill, button", [
    ("/self-help/mood", None, "Save my check-in"),
    ("/goals/new", None, re.compile("Add|Save|Set")),
    ("/settings/password", None, re.compile("Change")),
    ("/settings/delete", None, re.compile("Delete")),
    ("/privacy/concern", None, "Send my concern"),
])
def test_a_signed_in_young_persons_forms_tie_their_errors(page, make_user, frozen_clock, path, fill, button):
    sign_in(page, make_user(role="young_person", date_of_birth=date(2010, 5, 14)).email)
    page.goto(path)
    _submit(page, button)
    assert_errors_are_heard(page, path)


def test_track_and_the_safety_plan_tie_their_errors(page, frozen_clock):
    page.goto("/track")
    _submit(page, "Find the request")
    assert_errors_are_heard(page, "/track")


# -- drop-in bookings: book, the date of birth asked when booking, the waiting list, move, the staff's day --

TUESDAY = date(2026, 6, 16)


@pytest.fixture
def drop_in(app, frozen_clock, make_user):
    """Norwich One Stop Shop (ages 14 to 25), Tuesday 16 June 2026 16:00 to 17:00: two half-hour slots of one
    place, the first already booked (full); a member of its staff."""
    from webapp.bookings import places, service, sessions
    from webapp.extensions import db

    places.load_bases()
    db.session.commit()
    norwich = places.base_by_slug("norwich-one-stop-shop")
    session = sessions.create(make_user(role="admin"), sessions.SessionDraft(
        norwich.id, TUESDAY, time(16), time(17), 30, 1, "Drop-in chat", "everyone"))[0]
    db.session.commit()
    full, free = session.slots
    taken = service.book(make_user(role="young_person", date_of_birth=date(2009, 2, 3)), full.id)
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, norwich.id)
    db.session.commit()
    return {"session": session, "full": full, "free": free, "taken": taken, "staff": staff}


def test_booking_asks_for_a_young_persons_date_of_birth_by_name(page, drop_in, make_user):
    sign_in(page, make_user(role="young_person", date_of_birth=None).email)
    page.goto(f"/bookings/slots/{drop_in['free'].id}/book")
    _submit(page, "Book this time")
    assert_errors_are_heard(page, "book, no date of birth", named=True)
    expect(page.locator(".error-summary").get_by_role("link", name=re.compile("^Enter your date of birth"))
           ).to_have_attribute("href", "#date_of_birth-day")
    born = page.get_by_role("group", name="Your date of birth")
    expect(born).to_have_accessible_description(re.compile("Enter your date of birth"))
    born.get_by_label("Day").fill("14")
    _submit(page, "Book this time")
    assert_errors_are_heard(page, "book, part of a date of birth", named=True)
    expect(born).to_have_accessible_description(re.compile("must include a month and year"))
    expect(born.get_by_label("Month")).to_have_attribute("aria-invalid", "true")
    fill_date(page, "Your date of birth", "2090-03-14")
    _submit(page, "Book this time")
    assert_errors_are_heard(page, "book, a date of birth to come", named=True)
    page.goto(f"/bookings/slots/{drop_in['full'].id}/wait")
    _submit(page, "Join the waiting list")
    assert_errors_are_heard(page, "waiting list, no date of birth", named=True)


def test_a_parents_booking_and_waiting_list_name_the_child_questions(page, drop_in, make_user):
    sign_in(page, make_user(role="parent").email)
    page.goto(f"/bookings/slots/{drop_in['free'].id}/book")
    _submit(page, "Book this time")
    assert_errors_are_heard(page, "book, nothing typed", named=True)
    page.get_by_label("Your child's first name").fill("Mia")
    for age, said in (("", "in numbers"), ("9", "ages 14 to 25: check your child's age")):
        page.get_by_label("Your child's age").fill(age)
        _submit(page, "Book this time")
        assert_errors_are_heard(page, f"book, age {age}", named=True)
        expect(page.get_by_label("Your child's age")).to_have_accessible_description(re.compile(said))
    page.goto(f"/bookings/slots/{drop_in['full'].id}/wait")
    _submit(page, "Join the waiting list")
    assert_errors_are_heard(page, "waiting list, nothing typed", named=True)


def test_moving_a_booking_links_its_error_to_the_first_time(page, drop_in):
    sign_in(page, drop_in["taken"].person.email)
    page.goto(f"/bookings/mine/{drop_in['taken'].id}/move")
    _submit(page, "Move my booking")
    assert_errors_are_heard(page, "move, no time chosen", named=True)
    page.locator(".error-summary").get_by_role("link", name="Choose a new time.").click()
    expect(page.get_by_role("radio").first).to_be_focused()
    expect(page.get_by_role("group", name=re.compile("^Choose a new time"))).to_have_accessible_description(
        re.compile("Choose a new time"))


def test_the_district_search_names_its_error(page, drop_in):
    page.goto("/bookings/")
    page.get_by_label("Your postcode district").fill("XX9")
    _submit(page, "Find bases")
    assert_errors_are_heard(page, "/bookings/ district", named=True)


def test_the_staff_days_forms_name_their_errors_and_attendance_is_announced(page, drop_in, frozen_clock):
    from webapp.bookings import service
    from webapp.extensions import db

    session, staff = drop_in["session"], drop_in["staff"]
    frozen_clock.freeze(session.starts_at)  # attendance is recorded from the session's start
    sign_in(page, staff.email)
    day = "/staff/bookings/bases/norwich-one-stop-shop/day?date=2026-06-16"
    page.goto(day)
    free = page.locator(f"#slot-{drop_in['free'].id}")
    free.locator("summary").click()
    free.get_by_role("button", name="Book in").click()
    assert_errors_are_heard(page, "book someone in, nothing typed", named=True)
    full = page.locator(f"#slot-{drop_in['full'].id}")
    full.locator("summary").click()
    full.locator("form").get_by_role("button", name="Book in over capacity").click()
    assert_errors_are_heard(page, "over capacity, nothing typed", named=True)
    expect(page.get_by_label("Why they need this time although it is full")).to_have_accessible_description(
        re.compile("Say why they need this time"))

    page.goto(day)  # the booking was cancelled (before it started) while the list was open: refused, out loud
    frozen_clock.freeze(session.starts_at - timedelta(hours=1))
    service.cancel(drop_in["taken"].person, drop_in["taken"].id)
    db.session.commit()
    frozen_clock.freeze(session.starts_at)
    page.locator(f"#slot-{drop_in['full'].id}").get_by_role("button", name="Attended").click()
    expect(page.locator("main").get_by_role("alert")).to_contain_text("This booking was cancelled.")

    page.goto("/staff/bookings/bases/norwich-one-stop-shop/sessions/new")
    _submit(page, "Publish")
    assert_errors_are_heard(page, "new session, nothing typed", named=True)
    page.goto(f"/staff/bookings/sessions/{session.id}")
    page.get_by_label("What it is for").fill("")
    page.get_by_label("Places in each slot").fill("")
    _submit(page, "Save changes")
    assert_errors_are_heard(page, "edit session, emptied", named=True)


def test_linking_staff_to_a_base_names_its_error(page, drop_in, make_user):
    sign_in(page, make_user(role="admin").email)
    page.goto("/staff/bookings/staff")
    _submit(page, "Add")
    assert_errors_are_heard(page, "/staff/bookings/staff, nothing typed", named=True)


# -- my safety plan: the plan, its settings, the worker's addition, "About me" ---------------------------

def _plan_ready(page) -> None:
    page.wait_for_selector("form[data-plan-ready]", state="attached")


def test_the_safety_plan_names_which_contact_a_wrong_number_belongs_to(page, frozen_clock):
    page.goto("/safety-plan")
    _plan_ready(page)
    # Typed and left: the page's own check ties its message to the field at once.
    trusted = page.locator("#step-trusted").get_by_label("Phone number")
    trusted.fill("call me")
    trusted.blur()
    assert_errors_are_heard(page, "trusted adult's phone, checked on the page")
    expect(trusted).to_have_accessible_description(re.compile("Enter a phone number using digits"))
    trusted.fill("")
    helpers = page.locator("#step-helper")
    helpers.get_by_role("group", name="Contact 1").get_by_label("Phone number").fill("ring Sam")
    helpers.get_by_role("group", name="Contact 2").get_by_label("Phone number").fill("ask Jo")
    warning_signs = page.get_by_role("textbox", name="1. My warning signs")
    warning_signs.evaluate("(box) => box.removeAttribute('maxlength')")  # as a browser that lets more through
    warning_signs.fill("x" * 5001)
    _submit(page, "Show it ready to print")
    assert_errors_are_heard(page, "the plan, sent with two wrong numbers and too much text", named=True)
    links = page.locator(".error-summary a")
    expect(links).to_have_count(3)
    expect(links.nth(1)).to_contain_text("contact 1")
    expect(links.nth(2)).to_contain_text("contact 2")
    expect(page.get_by_role("textbox", name="1. My warning signs")).to_have_accessible_description(
        re.compile("Use 5000 characters or fewer"))


def test_the_safety_plan_settings_name_their_errors(page, make_user, frozen_clock):
    sign_in(page, make_user(role="young_person").email)
    page.goto("/safety-plan/settings")
    for section, button in (("#keep", "Save my choice"), ("#share", "Save sharing choice")):
        # Sent with no answer (the radios start answered; a page kept from before could send none).
        page.locator(f"{section} input[type=radio]").evaluate_all(
            "(radios) => radios.forEach((radio) => { radio.checked = false; })")
        _submit(page, button)
        assert_errors_are_heard(page, f"settings {section}, no answer", named=True)
    page.locator("#share").get_by_label("Yes").check()  # sharing needs a copy in the account first
    _submit(page, "Save sharing choice")
    assert_errors_are_heard(page, "settings, sharing without a copy", named=True)
    for typed in ("2026-06-01", "2028-01-01"):  # past, and more than a year away
        fill_date(page, "Day to look over my plan again", typed)
        _submit(page, "Save the day")
        assert_errors_are_heard(page, f"settings, review on {typed}", named=True)
    group = page.get_by_role("group", name="Day to look over my plan again")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill("2027")
    _submit(page, "Save the day")
    assert_errors_are_heard(page, "settings, review on 31 February", named=True)


def _young_person_with_a_worker(make_user):
    from webapp.extensions import db
    from webapp.safety_plan import service
    from webapp.support.models import SupportRequest

    young, clinician = make_user(role="young_person"), make_user(role="clinician")
    request = SupportRequest(reference="FL-ERRS-0021", requester_user_id=young.id, requester_type="young_person",
                             status="allocated", assigned_clinician_id=clinician.id,
                             young_person_date_of_birth=date(2010, 1, 1), answers={})
    db.session.add(request)
    service.set_keep_in_account(young.id, True)
    service.save(young.id, {"warning_signs": "Staying in my room"})
    service.set_sharing(young.id, True)
    db.session.commit()
    return young, clinician, request


def test_adding_to_a_shared_plan_names_its_errors(page, make_user, frozen_clock):
    young, clinician, _request = _young_person_with_a_worker(make_user)
    sign_in(page, clinician.email)
    page.goto(f"/safety-plan/shared/{young.id}")
    _submit(page, "Add to the plan")
    assert_errors_are_heard(page, "worker's addition, nothing written", named=True)
    # A part of the plan that is not one (a page from an older version): named, never "Not a valid choice".
    page.get_by_label("Part of the plan").evaluate("(select) => { select.options[0].value = 'gone'; }")
    page.get_by_label("What to add").fill("Box breathing")
    _submit(page, "Add to the plan")
    assert_errors_are_heard(page, "worker's addition, a part that is not one", named=True)


def test_about_me_names_its_errors(page, make_user, frozen_clock):
    young, _clinician, request = _young_person_with_a_worker(make_user)
    sign_in(page, young.email)
    page.goto(f"/request-support/my-requests/{request.reference}/about-me")
    what_matters = page.get_by_label("What matters to me (optional)")
    what_matters.evaluate("(box) => box.removeAttribute('maxlength')")  # as a browser that lets more through
    what_matters.fill("x" * 3001)
    _submit(page, "Send my changes")
    assert_errors_are_heard(page, "about me, too long", named=True)
