"""CSV text that a spreadsheet opens as data, never as formulas (every CSV the project writes).

Student ids, function names, messages and file names reach grades.csv, the class report's CSV
files and the tokens file. Excel, LibreOffice and Google Sheets evaluate a cell that begins with
`=`, `+`, `-` or `@` (and one whose tab or carriage return comes first), so `=HYPERLINK(...)` as a
student id would run in the instructor's spreadsheet. OWASP's rule: such a text cell gets a
leading `'`, which the spreadsheet shows as text. Numbers stay numbers: a value of type int or
float is written as the number it is (a negative score, were there one, stays -1.5, a number);
only text is neutralised, even text that looks like a number ("-3+4" and "-3" alike).
"""
from __future__ import annotations

import csv
import io
from typing import Iterable, Mapping

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """The value as it may go into a CSV cell."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def rows_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV file's text: the header, then each row, every cell made safe. Lines end in CRLF
    (RFC 4180), so a cell holding a CR or LF is quoted and stays one cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def records_text(fieldnames: list[str], records: Iterable[Mapping[str, object]]) -> str:
    """The same for dicts (missing keys are empty cells)."""
    return rows_text(fieldnames, ([record.get(name, "") for name in fieldnames] for record in records))
