"""docs/childrens-code.md: one row per standard of the ICO's Age Appropriate Design Code, each naming
tests that exist (kept true like the hazard log); the DPIA; no location asked of a device."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.named_tests import functions_in

ROOT = Path(__file__).resolve().parents[1]
CODE_DOC = ROOT / "docs" / "childrens-code.md"
STANDARDS = ("Best interests of the child", "Data protection impact assessments", "Age appropriate application",
             "Transparency", "Detrimental use of data", "Policies and community standards", "Default settings",
             "Data minimisation", "Data sharing", "Geolocation", "Parental controls", "Profiling",
             "Nudge techniques", "Connected toys and devices", "Online tools")


def _rows() -> list[list[str]]:
    lines = [line for line in CODE_DOC.read_text(encoding="utf-8").splitlines() if re.match(r"\|\s*\d+\s*\|", line)]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]


def test_one_row_per_standard_in_order_each_saying_what_where_and_which_test():
    rows = _rows()
    assert [row[1] for row in rows] == list(STANDARDS)
    for _number, standard, what, where, tests in rows:
        assert what and where and tests, standard


def test_every_test_named_exists():
    missing = []
    for _number, standard, _what, _where, tests in _rows():
        references = re.findall(r"`([^`]+::[^`]+)`", tests)
        assert references, f"{standard}: names no test"
        for reference in references:
            file_name, _sep, name = reference.partition("::")
            path = ROOT / file_name
            if not path.exists() or name not in functions_in(path):
                missing.append(f"{standard}: {reference}")
    assert not missing, "docs/childrens-code.md names tests that do not exist:\n" + "\n".join(missing)


def test_the_dpia_covers_the_risks_to_children():
    dpia = (ROOT / "docs" / "dpia.md").read_text(encoding="utf-8")
    for heading in ("Processing", "Consultation", "Necessity and proportionality", "Risks", "Measures",
                    "Sign-off"):
        assert f"## {heading}" in dpia, heading
    for risk in ("shared phone", "parent", "retention", "special category"):
        assert risk in dpia.lower(), risk


def test_no_script_asks_for_the_devices_location():
    scripts = [path for path in (ROOT / "static").rglob("*.js")] + list((ROOT / "service_worker").rglob("*.js"))
    asking = [str(path) for path in scripts if "geolocation" in path.read_text(encoding="utf-8")]
    assert scripts and not asking, asking
