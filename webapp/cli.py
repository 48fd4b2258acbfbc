"""The app's own commands: `flask seed-demo`, `flask worker`, `flask jobs`.

Every package keeps its commands in its own `cli.py`, whose `init_cli(app)` its `init_app` calls (as
`create_app` calls this one's): `accounts` (create-user, reset-two-factor, reseal-secrets), `directory`
(load-services), `bookings` (load-bases), `messaging` (notify-standin).
"""

from __future__ import annotations

import click
from flask import Flask, current_app

from webapp.hooks import hooks_for


def init_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database holds no accounts yet.")
    def seed_demo(if_empty: bool) -> None:
        """Load the Norfolk & Waveney demo data (never in production: it makes sign-ins whose
        password is published)."""
        from webapp.demo import database_is_empty, seed

        if current_app.config.get("ENV_NAME") == "production":
            raise click.ClickException(
                "Demo data is never loaded in production: its accounts have a published password. "
                "Use load-services, load-bases and create-user (see docs/deploy.md).")
        if if_empty and not database_is_empty():
            click.echo("The database already has data; demo data not loaded.")
            return
        seed()
        click.echo("Demo data loaded: " + ", ".join(name for name, _ in hooks_for().demo_seeders))

    @app.cli.command("jobs")
    @click.option("--update", "doc", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="Write the table into this file, between its jobs-table markers (docs/architecture.md).")
    def list_jobs(doc: str | None) -> None:
        """Print every worker job (name, schedule, lock, budget) as docs/architecture.md's table."""
        from pathlib import Path

        from webapp import jobs

        table = jobs.markdown_table(current_app._get_current_object())
        if doc is None:
            click.echo(table)
            return
        path = Path(doc)
        text = path.read_text(encoding="utf-8")
        if jobs.DOCS_BEGIN not in text or jobs.DOCS_END not in text:
            raise click.ClickException(f"{doc} has no jobs-table markers")
        before, rest = text.split(jobs.DOCS_BEGIN, 1)
        after = rest.split(jobs.DOCS_END, 1)[1]
        path.write_text(f"{before}{jobs.DOCS_BEGIN}\n{table}\n{jobs.DOCS_END}{after}", encoding="utf-8")
        click.echo(f"{doc}: the jobs table is up to date")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Run one pass and exit.")
    @click.option("--interval", type=float, default=None, help="Seconds between passes.")
    @click.option("--jobs", "job_names", default="", metavar="A,B",
                  help="Run only these jobs, comma-separated (default: every job; see webapp/jobs.py).")
    def worker(once: bool, interval: float | None, job_names: str) -> None:
        """Run the background jobs: push notifications, front-door deliveries, housekeeping."""
        from webapp import jobs
        from webapp import worker as worker_module

        app_object = current_app._get_current_object()
        try:
            chosen = [job.name for job in jobs.choose(job_names, app_object)]
        except jobs.UnknownJobs as error:
            raise click.UsageError(str(error)) from None
        if once:
            results = worker_module.run_once(app_object, chosen)
            click.echo(" ".join(f"{name}={count}" for name, count in results.items()) or "no jobs")
            return
        worker_module.run_forever(app_object, interval or current_app.config["WORKER_INTERVAL_SECONDS"], chosen)

