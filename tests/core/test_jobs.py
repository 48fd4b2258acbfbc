"""The job registry: every job declared once, and the worker, `--jobs`, system health and
docs/architecture.md all reading it."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from webapp import jobs
from webapp.hooks import hooks_for
from webapp.worker import run_once, run_pass

ROOT = Path(__file__).resolve().parents[2]
EVERY_JOB = {"retention", "push", "front-door", "request-drafts", "check-in-asks", "check-in-reminders",
             "check-in-offers", "wait-figures", "place-offers", "drop-in-series", "goal-reminders"}


def test_every_package_job_is_registered_once_with_a_budget_and_a_lock(app):
    registered = jobs.registered(app)
    names = [job.name for job in registered]
    assert len(names) == len(set(names))
    assert set(names) >= EVERY_JOB
    for job in registered:
        assert job.lock in jobs.LOCK_KINDS and job.budget > timedelta(0) and str(job.description)
    # housekeeping runs at most every few minutes, once per cluster
    assert {job.name for job in registered if job.every} >= {"retention", "drop-in-series"}


def test_a_job_cannot_be_registered_twice(app):
    with pytest.raises(ValueError, match="registered twice"):
        jobs.register(app, jobs.Job("push", "again", lambda: 0))


def test_the_old_hook_says_where_jobs_are_declared_now(app):
    with pytest.raises(AttributeError, match="webapp.jobs.register"):
        hooks_for(app).worker_jobs.append(("a job", lambda: 0))


def test_the_architecture_doc_holds_the_registry_s_table(app):
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert jobs.DOCS_BEGIN in doc and jobs.DOCS_END in doc
    table = doc.split(jobs.DOCS_BEGIN, 1)[1].split(jobs.DOCS_END, 1)[0].strip()
    with app.app_context():
        assert table == jobs.markdown_table(app), "run flask --app webapp jobs --update docs/architecture.md"


def test_the_worker_runs_only_the_jobs_named(app, frozen_clock):
    assert list(run_once(app, "push,front-door")) == ["push", "front-door"]
    assert set(run_once(app)) == {job.name for job in jobs.registered(app)}


def test_an_unknown_job_is_a_clear_error_that_lists_the_names(app):
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--jobs", "push,front-dor"])
    assert result.exit_code == 2
    assert "unknown job: front-dor" in result.output
    assert "The jobs are: " + ", ".join(job.name for job in jobs.registered(app)) in " ".join(result.output.split())


def test_the_cli_worker_runs_one_pass_of_the_jobs_named(app, frozen_clock):
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--jobs", "front-door,wait-figures"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["front-door=0", "wait-figures=1"]


def test_the_jobs_command_prints_the_table(app):
    result = app.test_cli_runner().invoke(args=["jobs"])
    assert result.exit_code == 0 and "| `front-door` |" in result.output


def test_a_job_that_works_row_by_row_stops_claiming_once_over_its_budget(app):
    done: list[int] = []

    def slow_rows() -> int:
        while not jobs.over_budget():
            done.append(1)
            if len(done) > 10_000:
                break
            time.sleep(0.01)
        return len(done)

    job = jobs.Job("example-rows", "an example", slow_rows, budget=timedelta(seconds=0.05))
    assert 1 <= run_pass(job) < 100  # stopped by its budget, long before the guard
    assert not jobs.over_budget()  # outside a pass there is no budget


def test_system_health_lists_every_job_and_when_housekeeping_last_ran(app, make_user, login, frozen_clock):
    run_once(app, "retention")
    client = app.test_client()
    login(client, make_user(role="admin"))
    html = client.get("/staff/admin/health").get_data(as_text=True)
    for name in EVERY_JOB:
        assert f"<code>{name}</code>" in html
    assert "At most every 5 minutes, on one worker" in html and "Up to 10 seconds" in html
