"""docs/security.md is true: the tests it names exist, its `# nosec` count and its numbers are the
code's, and the passive scan's rules are all in its table. A change that makes a claim untrue fails
here until the page (or the code) is put right."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.named_tests import functions_in

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
NOSEC = re.compile(r"#\s*nosec\b\s*(B\d+)?")


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_test_named_here_exists():
    references = TEST_REFERENCE.findall(doc())
    assert len(references) > 40
    missing = [f"{file}::{name}" for file, name in references
               if not (ROOT / file).exists() or name not in functions_in(ROOT / file)]
    assert not missing, "docs/security.md names tests that do not exist:\n" + "\n".join(missing)


def test_the_nosec_markers_are_the_ones_stated():
    stated = re.search(r"There are exactly \*\*(\d+)\*\* `# nosec` markers in `webapp/`", doc())
    assert stated, "docs/security.md must say how many # nosec markers webapp/ has"
    found = []
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in NOSEC.finditer(line):
                found.append((str(path.relative_to(ROOT)), match.group(1) or ""))
    assert len(found) == int(stated.group(1)), f"webapp/ has {len(found)} # nosec markers: {found}"
    table = set(re.findall(r"^\| `(webapp/[\w/]+\.py)` \| (B\d+) \|", doc(), re.M))
    assert set(found) == table, f"the table of # nosec markers says {sorted(table)}; the code has {sorted(found)}"


def _number(pattern: str) -> int:
    match = re.search(pattern, doc())
    assert match, f"docs/security.md no longer says: {pattern}"
    return int(match.group(1))


def test_the_numbers_stated_are_the_codes():
    from webapp.accounts import service, throttle

    pair, address, code = throttle.PAIR, throttle.ADDRESS, throttle.CODE_ACCOUNT
    assert _number(r"the pair \(account, client address\) \| free failures: (\d+)") == pair.free
    assert _number(r"doubles from 1 second up to (\d+);") == pair.max_wait == pair.wait_after(pair.pause_at - 1)
    assert _number(r"a pause at (\d+) failures") == pair.pause_at
    assert _number(r"a pause at \d+ failures: (\d+) minutes") * 60 == pair.pause
    assert pair.window == 60 * 60 and "counted over the hour and the one before" in doc()
    assert _number(r"whichever accounts \| free failures: (\d+)") == address.free
    assert _number(r"a wait that doubles up to (\d+) seconds; never a pause") == address.max_wait
    assert address.pause_at is None
    assert _number(r"wrong codes that pause the code step: (\d+) a day") == code.pause_at
    assert code.window == 24 * 60 * 60
    assert _number(r"with (\d+)\s+or more failures in 24 hours") == service.REPEATED_FAILURES
    assert _number(r"At least (\d+) characters") == service.MIN_PASSWORD_LENGTH
    assert _number(r"and at most (\d+)\)") == service.MAX_PASSWORD_LENGTH
    assert _number(r"must\s+estimate a score of at least (\d+)") == service.MIN_PASSWORD_SCORE
    from webapp.demo import DEMO_PASSWORD

    assert f"`{DEMO_PASSWORD}` passes the same rule" in doc()


def test_every_passive_rule_is_in_the_table():
    from tests.test_passive_scan import RULES

    listed = set()
    for cells in re.findall(r"^\| ([\d, ]+) \|", doc(), re.M):
        listed.update(part.strip() for part in cells.split(","))
    missing = sorted(set(RULES) - listed)
    assert not missing, f"rules the passive scan checks that docs/security.md does not list: {missing}"
    for rule_id in ("10010", "10011", "10054", "10015", "10049", "10017", "10019", "10020", "10021", "10035",
                    "10036", "10037", "10038", "10055", "10063", "10096", "10098", "10202", "90033", "90022",
                    "10027", "10062", "10009", "10031"):
        assert rule_id in listed, rule_id


def test_no_view_reads_query_and_form_values_together():
    """ZAP 10026 (HTTP parameter override): `request.values` merges the query string and the form.
    The one deliberate read is the request form's `change` flag (docs/security.md)."""
    reads = []
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "request.values" in line:
                reads.append((str(path.relative_to(ROOT)), line.strip()))
    assert reads == [("webapp/support/routes.py", 'changing = bool(request.values.get("change"))')], reads
