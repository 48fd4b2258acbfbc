"""Every background job, declared once: its name, how often it runs, how it is kept safe with any
number of workers, its time budget per pass and what it does first.

Each package declares its jobs in its `init_app` with `register(app, Job(...))`. The worker
(`flask --app webapp worker --jobs push,front-door`), the admin's system health and
docs/architecture.md (checked by tests/core/test_jobs.py) all read this one list.

A job's time budget is a promise to the other jobs on the same worker: a job that works through
rows calls `over_budget()` before claiming the next one, and stops once it is over (finishing the
row in hand, which has its own timeout), so a slow receiver cannot hold back push reminders or
waiting-list offers for long.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app

# How a job stays safe with any number of workers.
ROWS = "rows"  # it claims its rows one by one (SKIP LOCKED, or a conditional UPDATE): workers share them
CLUSTER = "cluster"  # one worker per pass holds the job's lock (a PostgreSQL advisory lock, SQLite's writer)
LOCK_KINDS = {
    ROWS: "each row claimed by one worker",
    CLUSTER: "one worker per pass (the job's lock)",
}
DEFAULT_BUDGET = timedelta(seconds=20)
HOUSEKEEPING_EVERY = timedelta(minutes=5)  # retention and weekly series: at most this often, cluster-wide


@dataclass(frozen=True)
class Job:
    name: str  # what `--jobs` takes: lower case, words joined by "-"
    description: Any  # what it does, in a sentence (a lazy_gettext string: shown on system health)
    run: Callable[[], int | None]  # one pass; returns how many things it did
    lock: str = ROWS
    budget: timedelta = DEFAULT_BUDGET
    every: timedelta | None = None  # None: every pass; else at most this often, across the cluster
    first: str = ""  # what it does first when there is a backlog ("" when the order does not matter)

    def __post_init__(self) -> None:
        if self.lock not in LOCK_KINDS:
            raise ValueError(f"job {self.name!r}: lock must be one of {', '.join(LOCK_KINDS)}")
        if not self.name or self.name != self.name.lower() or " " in self.name or "," in self.name:
            raise ValueError(f"job name {self.name!r}: lower case, words joined by '-'")

    @property
    def schedule(self) -> str:
        if self.every is None:
            return "every pass"
        minutes = self.every.total_seconds() / 60
        return f"at most every {minutes:g} minutes, once per cluster"


class UnknownJobs(ValueError):
    """`--jobs` named a job that is not registered."""


def _registry(app: Flask | None = None) -> dict[str, Job]:
    return (app or current_app).extensions.setdefault("flourish_jobs", {})


def register(app: Flask, job: Job) -> Job:
    jobs = _registry(app)
    if job.name in jobs:
        raise ValueError(f"job {job.name!r} is registered twice")
    jobs[job.name] = job
    return job


def registered(app: Flask | None = None) -> list[Job]:
    """Every job, in the order the packages registered them (the order a pass runs them in)."""
    return list(_registry(app).values())


def get(name: str, app: Flask | None = None) -> Job:
    return choose(name, app)[0]


def choose(names: str | list[str] | None, app: Flask | None = None) -> list[Job]:
    """The jobs named (comma-separated, or a list), in the order given; all of them when none are.
    An unknown name is an error that lists the names there are."""
    jobs = _registry(app)
    if not names:
        return list(jobs.values())
    wanted = [name.strip() for name in (names.split(",") if isinstance(names, str) else names) if name.strip()]
    unknown = [name for name in wanted if name not in jobs]
    if unknown:
        raise UnknownJobs(f"unknown job{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                          f"The jobs are: {', '.join(jobs)}")
    return [jobs[name] for name in dict.fromkeys(wanted)]


# -- time budgets -----------------------------------------------------------------------------------

_deadline: ContextVar[float | None] = ContextVar("flourish_job_deadline", default=None)


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Run the block under a time budget (real time, whatever `webapp.clock` says)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def over_budget() -> bool:
    """True once the running job has used its budget: claim nothing more this pass."""
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline



# -- the table in docs/architecture.md ---------------------------------------------------------------

DOCS_BEGIN = ("<!-- jobs table: made by `flask --app webapp jobs --update docs/architecture.md`, "
              "checked by tests/core/test_jobs.py -->")
DOCS_END = "<!-- end of jobs table -->"


def markdown_table(app: Flask | None = None) -> str:
    """Every registered job as the Markdown table docs/architecture.md holds (in English)."""
    lines = ["| job (`--jobs`) | what it does | schedule | with many workers | budget per pass | first |",
             "| --- | --- | --- | --- | --- | --- |"]
    for job in registered(app):
        lines.append(f"| `{job.name}` | {job.description} | {job.schedule} | {LOCK_KINDS[job.lock]} "
                     f"| {job.budget.total_seconds():g} s | {job.first or '-'} |")
    return "\n".join(lines)
