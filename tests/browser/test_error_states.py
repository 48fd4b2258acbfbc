"""Every main form's error state as a screen reader meets it (#21 item 3), in Chromium.

Each form is sent empty (or with a wrong value). Then, read from the page and its accessibility
tree: the error summary is an alert, its links are unique and each names its question and leads
to a control that exists; every error message is the accessible description of its control (or
its group of radios or checkboxes), and every single control in error is aria-invalid.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_shell import _on_your_story, _sign_in
from tests.helpers.dates import fill_date
from tests.support.helpers import STEP_DATA

# Run in the page: the rules above, as a list of problems (empty when the page is right).
CHECK_ERRORS = """() => {
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


def assert_errors_are_heard(page, where: str) -> None:
    expect(page.locator(".error-summary, .error-message").first).to_be_visible()
    problems = page.evaluate(CHECK_ERRORS)
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
    _on_your_story(page)
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
    _sign_in(page, make_user(role="young_person", date_of_birth=date(2010, 5, 14)).email)
    page.goto(path)
    _submit(page, button)
    assert_errors_are_heard(page, path)


def test_track_and_the_safety_plan_tie_their_errors(page, frozen_clock):
    page.goto("/track")
    _submit(page, "Find the request")
    assert_errors_are_heard(page, "/track")
