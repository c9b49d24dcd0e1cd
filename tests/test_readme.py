"""The README states the truth: its course table matches the suites, its commands are CI's."""
import re

from autograder.course.assignments import Assignment, assignment_ids
from autograder.grading.engine import suite_max_score
from helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_course_table_matches_the_suites_and_notebooks():
    course = README[README.index("## The course"):]
    course = course[:course.index("\n## ")]
    rows = [line for line in course.splitlines() if line.startswith("| `ps")]
    assert len(rows) == len(assignment_ids()) == 6
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assignment = re.search(r"`(ps\w+)`", cells[0]).group(1)
        course = Assignment.load(assignment, ROOT)
        listed = {name: float(points) for name, points in re.findall(r"`(\w+)` \(([\d.]+)\)", cells[2])}
        assert listed == course.notebook_points(), assignment
        assert float(cells[3]) == suite_max_score(course) == sum(listed.values()), assignment
        written = sum(c.nbgrader.get("points", 0) for c in course.cells if c.role == "written")
        assert float(cells[4]) == written, assignment


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^bash (scripts/\S+)", README, re.MULTILINE)
    assert commands == ["scripts/demo.sh", "scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
