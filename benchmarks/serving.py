"""A throwaway Flourish for the benchmarks: a temp SQLite database with the demo data, served by gunicorn
with the settings `make run` uses (gunicorn.conf.py), on 127.0.0.1 only.

Also the minimal Flask "hello" app the server benchmark compares against (`hello_app()`).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
DEMO_EMAIL = "young.person@demo.flourish"


def hello_app() -> Flask:
    """The baseline: Flask answering a few bytes, no extensions, no database."""
    app = Flask("hello")

    @app.get("/")
    def hello() -> str:
        return "Hello, world!"

    return app


CREATE_ALL = ("from webapp import create_app; from webapp.extensions import db; "
              "app = create_app(); app.app_context().push(); db.create_all()")


@dataclass
class Site:
    directory: Path
    env: dict[str, str]
    note: str = ""


@contextmanager
def demo_site() -> Iterator[Site]:
    """A temp instance dir and SQLite database, migrated (`flask db upgrade`) and seeded (`seed-demo`)."""
    directory = Path(tempfile.mkdtemp(prefix="flourish-bench-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory / 'flourish.db'}",
           "FLOURISH_INSTANCE_DIR": str(directory / "instance"), "FLOURISH_ENV": "development"}
    env.pop("TEST_DATABASE_URL", None)
    try:
        note = ""
        try:
            _run(["db", "upgrade"], env)
            _run(["seed-demo"], env)
        except RuntimeError as error:
            # While packages are being built in parallel the migrations can lag the models; measure anyway.
            print(f"warning: {error}\nfalling back to the models' schema (db.create_all)", flush=True)
            (directory / "flourish.db").unlink(missing_ok=True)
            subprocess.run([sys.executable, "-c", CREATE_ALL], cwd=ROOT, env=env, check=True, capture_output=True)
            _run(["seed-demo"], env)
            note = ("The migrations did not match the models when this ran, so the schema came from the models "
                    "(`db.create_all()`) instead of `flask db upgrade`.")
        yield Site(directory, env, note)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        errors = [line for line in done.stderr.splitlines() if "Error" in line] or done.stderr.splitlines()[-1:]
        raise RuntimeError(f"flask {' '.join(command)} failed: {errors[-1][:300] if errors else done.returncode}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str] | None = None, log_dir: Path | None = None) -> Iterator[Server]:
    """gunicorn --config gunicorn.conf.py, as `make run` starts it, on a free loopback port.

    The access log (gunicorn.conf.py sends it to stdout) goes to a file, as it would to a journal.
    """
    port = free_port()
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="flourish-bench-log-"))
    log = log_dir / f"gunicorn-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"{HOST}:{port}", app_spec]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env or dict(os.environ), stdout=out,
                                   stderr=subprocess.STDOUT)
    server = Server(f"http://{HOST}:{port}", process, log)
    try:
        _wait_until_up(server, float(os.environ.get("BENCH_START_TIMEOUT", "30")))  # longer on a busy machine
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(server.url + "/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def booking_page(base_url: str) -> str | None:
    """The first base's booking page linked from /bookings/, or None while /bookings/ does not exist."""
    try:
        with urllib.request.urlopen(base_url + "/bookings/", timeout=10) as response:
            html = response.read().decode("utf-8", "replace")
    except OSError:
        return None
    for href in re.findall(r'href="(/bookings/[^"?#]+)"', html):
        if href.rstrip("/") not in ("/bookings", "/bookings/my") and not href.startswith("/bookings/my/"):
            return href
    return None
