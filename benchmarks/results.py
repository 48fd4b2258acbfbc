"""benchmarks/RESULTS.md: one section per benchmark module, each rewritten only by its own module.

A module calls `write_section("server", markdown)` at the end of its run; the helper stamps the
section with the date and the machine, replaces that section (or adds it) and keeps every other
section as it was, so modules can be run one at a time (`python -m benchmarks server`).

Figures about how a measure grows with the amount of data (waits, bookings, notifications) are
passed as `growth=[Growth(...)]`; they are kept inside the module's own section as a hidden JSON
comment and gathered from all sections into the one "Data growth" table at the top.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS_PATH = Path(os.environ.get("BENCH_RESULTS_PATH", Path(__file__).resolve().parent / "RESULTS.md"))

TITLE = "# Benchmark results"
INTRO = ("Written by `make bench` (`python -m benchmarks [name ...]` runs some of them). Each benchmark "
         "module rewrites only its own section, stamped with when and where it ran; the data-growth table "
         "is gathered from the sections. Any other section (\"Budgets\") is kept as it is; "
         "write it with `write_section(\"budgets\", ...)` too, never by editing this file.")
GROWTH_SECTION = "data-growth"
# Sections in this order first, then any others by name.
ORDER = ("budgets", "server", "page-weight", "lighthouse", "waits", "bookings", "notifications", "goals")
_SECTION = re.compile(r"<!-- section:(?P<name>[\w.-]+) -->\n(?P<body>.*?)<!-- /section:(?P=name) -->\n?", re.S)
_GROWTH = re.compile(r"<!-- growth (?P<json>\[.*?\]) -->", re.S)


@dataclass
class Growth:
    """One measure at two or more data sizes, e.g. /waits median at 10k and 100k requests."""

    measure: str                      # "/waits median"
    unit: str                         # "ms"
    points: list[tuple[str, float]]   # [("10,000 requests", 3.1), ("100,000 requests", 3.4)], smallest first
    target: str = ""                  # "< 50 ms at 100k"
    met: bool | None = None
    note: str = ""

    @property
    def factor(self) -> float | None:
        if len(self.points) < 2 or not self.points[0][1]:
            return None
        return self.points[-1][1] / self.points[0][1]


@dataclass
class _Stored:
    benchmark: str
    figures: list[Growth] = field(default_factory=list)


def machine() -> str:
    """Cores, memory, CPU model, Python and OS, on one line."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f"{kib / 1024 / 1024:.1f} GiB memory, "
    except (OSError, IndexError, ValueError):
        pass
    system = platform.platform(terse=True)
    try:
        pretty = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        system = f"{pretty['PRETTY_NAME'].strip(chr(34))}, Linux {platform.release()}"
    except (OSError, KeyError):
        pass
    return (f"{os.cpu_count()} cores, {memory}{cpu}, Python {sys.version.split()[0]} "
            f"({platform.python_implementation()}), {system}")


def stamp() -> str:
    return f"_Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {machine()}._"


def write_section(name: str, markdown: str, growth: list[Growth] | None = None,
                  path: Path = RESULTS_PATH) -> Path:
    """Replace (or add) section `name` of RESULTS.md with `markdown`, keeping every other section.

    `markdown` should start with its own `## ` heading. The date and the machine are added under it.
    """
    sections = _read_sections(path)
    body = _stamped(markdown.strip())
    if growth:
        payload = [asdict(figure) for figure in growth]
        body += f"\n\n<!-- growth {json.dumps(payload)} -->"
    sections[name] = body + "\n"
    sections.pop(GROWTH_SECTION, None)
    path.write_text(_render(sections), encoding="utf-8")
    return path


def _stamped(markdown: str) -> str:
    lines = markdown.splitlines()
    if lines and lines[0].startswith("## "):
        return "\n".join([lines[0], "", stamp(), *lines[1:]])
    return "\n".join([stamp(), "", *lines])


def _read_sections(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {match["name"]: match["body"] for match in _SECTION.finditer(path.read_text(encoding="utf-8"))}


def _growth_figures(sections: dict[str, str]) -> list[_Stored]:
    stored = []
    for name, body in sections.items():
        match = _GROWTH.search(body)
        if not match:
            continue
        figures = []
        for item in json.loads(match["json"]):
            item["points"] = [tuple(point) for point in item["points"]]
            figures.append(Growth(**item))
        stored.append(_Stored(name, figures))
    return stored


def met_cell(met: bool | None) -> str:
    """A "met" column's cell: yes, **no** (bold, to be seen), or – when there is no target."""
    return {True: "yes", False: "**no**", None: "–"}[met]


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> list[str]:
    """A markdown table's lines. `align` has one letter a column, "l" or "r" (numbers); left by default."""
    rules = ["---:" if align[i:i + 1] == "r" else "---" for i in range(len(header))]
    return [f"| {' | '.join(header)} |", f"| {' | '.join(rules)} |",
            *(f"| {' | '.join(str(cell) for cell in row)} |" for row in rows)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def growth_table(sections: dict[str, str]) -> str:
    stored = _growth_figures(sections)
    lines = ["## Data growth", "",
             "How each measure changes as the data grows (waits, bookings, notifications, goals, ...), gathered "
             "from each benchmark's own section below: each row is that section's latest run."]
    if not stored:
        return "\n".join([*lines, "", "_No benchmark has reported data-growth figures yet._", ""])
    lines += ["", "| benchmark | measure | at each size | growth | target | met |",
              "| --- | --- | --- | --- | --- | --- |"]
    for entry in stored:
        for figure in entry.figures:
            points = " · ".join(f"{label}: {_number(value)} {figure.unit}" for label, value in figure.points)
            factor = f"×{figure.factor:.2f}" if figure.factor is not None else "–"
            met = met_cell(figure.met)
            note = f" ({figure.note})" if figure.note else ""
            lines.append(f"| {entry.benchmark} | {figure.measure}{note} | {points} | {factor} | "
                         f"{figure.target or '–'} | {met} |")
    return "\n".join([*lines, ""])


def _render(sections: dict[str, str]) -> str:
    parts = [TITLE, "", INTRO, "", _wrap(GROWTH_SECTION, growth_table(sections))]
    ordered = sorted(sections, key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name))
    parts += [_wrap(name, sections[name]) for name in ordered]
    return "\n".join(parts)


def _wrap(name: str, body: str) -> str:
    return f"<!-- section:{name} -->\n{body.rstrip()}\n<!-- /section:{name} -->\n"
