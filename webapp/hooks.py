"""Extension points through which capability packages plug into shared screens and jobs.

Each package's `init_app(app)` adds to these; the shared code (settings page, data export, demo
data) walks them; worker jobs have their own registry, `webapp.jobs`. This keeps `create_app`
ignorant of what each package does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: Any  # a lazy_gettext string
    description: Any = ""
    roles: tuple[str, ...] = ()  # empty: everyone this link is offered to


@dataclass
class Hooks:
    # Worker jobs are not hooks: each is declared once with `webapp.jobs.register(app, Job(...))`.
    # (name, fn() -> None), run by `flask seed-demo` in order on an empty database.
    demo_seeders: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    # (section, fn(user) -> JSON-able), gathered into "download my data".
    personal_data_exporters: list[tuple[str, Callable[[Any], Any]]] = field(default_factory=list)
    # Sections of /settings/.
    settings_links: list[Link] = field(default_factory=list)
    # Main navigation (shown in the header menu and on the home page).
    nav_links: list[Link] = field(default_factory=list)
    # Staff home tiles.
    staff_links: list[Link] = field(default_factory=list)
    # fn() -> list of public URLs the service worker keeps for offline use.
    offline_urls: list[Callable[[], list[str]]] = field(default_factory=list)
    # "__PLACEHOLDER__" in a service worker part -> fn() -> JSON-able value written in its place.
    service_worker_values: dict[str, Callable[[], Any]] = field(default_factory=dict)
    # fn() -> None, run in the writer's transaction whenever a request for support is sent or a status
    # event is recorded on one (`webapp.support.service.record_status`, the one place that does):
    # waits marks its published figures out of date. Each must be cheap and take no shared lock.
    request_status_recorded: list[Callable[[], None]] = field(default_factory=list)

    @property
    def worker_jobs(self):
        raise AttributeError("hooks.worker_jobs is gone: declare a job once with "
                             "webapp.jobs.register(app, Job(...)) (see webapp/jobs.py)")


def init_hooks(app: Flask) -> Hooks:
    hooks = Hooks()
    app.extensions["flourish_hooks"] = hooks
    return hooks


def hooks_for(app: Flask | None = None) -> Hooks:
    return (app or current_app).extensions["flourish_hooks"]


def visible(links: list[Link]) -> list[Link]:
    """The links the current person may follow (a link with no roles is for everyone)."""
    from flask_login import current_user

    role = getattr(current_user, "role", None) if getattr(current_user, "is_authenticated", False) else None
    return [link for link in links if not link.roles or role in link.roles]
