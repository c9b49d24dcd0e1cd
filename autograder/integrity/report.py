"""reports/<assignment>/integrity.csv and integrity.html: the flagged pairs, for the instructor."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from autograder.course.assignments import Assignment
from autograder.course.config import load_config
from autograder.course.results import write_atomically
from autograder.integrity.pairs import Findings, find_pairs, settings
from autograder.integrity.similarity import highlighted
from autograder.views.spreadsheet import records_text

COLUMNS = ["student_a", "student_b", "kind", "score", "functions", "evidence"]


def _with_code(findings: Findings) -> list[dict]:
    """Each pair with both students' answer code, the parts they share rarely marked."""
    rows = []
    for pair in findings.pairs:
        row = dict(pair, left=None, right=None)
        first, second = findings.documents.get(pair["student_a"]), findings.documents.get(pair["student_b"])
        if first is not None and second is not None:
            left, right, functions = highlighted(first, second)
            row["left"], row["right"] = Markup(left), Markup(right)   # escaped by copydetect (markupsafe)
            if pair["kind"] == "code":
                row["functions"] = list(dict.fromkeys([*functions, *pair.get("mistake_functions", [])]))
        rows.append(row)
    return rows


def write(findings: Findings, folder: Path) -> Path:
    """Write both files; returns the page's path."""
    rows = _with_code(findings)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / "integrity.csv", records_text(COLUMNS, (
        dict(row, functions=";".join(row["functions"])) for row in rows)))
    environment = Environment(loader=PackageLoader("autograder.integrity", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True))
    page = environment.get_template("integrity.html").render(
        assignment=findings.assignment, students=findings.students, threshold=findings.threshold,
        pairs=rows, seconds=findings.seconds, unreadable=findings.unreadable)
    target = folder / "integrity.html"
    write_atomically(target, page)
    return target


def for_course(course: Path, assignment_id: str, against: list[Path] = (), threshold: float | None = None,
               early=None) -> tuple[Findings, Path]:
    """Find the pairs of a graded course's assignment and write reports/<assignment>/integrity.*
    (this year's notebooks fingerprinted `early`, by an early.Fingerprinting, when they were)."""
    chosen = settings(course).threshold if threshold is None else threshold
    directories = dict(load_config(course).get("CourseDirectory", {}))
    release = Assignment.load(assignment_id, course).release_notebook
    findings = find_pairs(course, assignment_id, release, chosen, list(against), directories,
                          early.documents() if early else None)
    return findings, write(findings, course / "reports" / assignment_id)

