"""`autograder demo`: the course as an instructor and a learner meet it, on the shipped samples.

1. An nbgrader course is laid out in demo-course/ (source, release, the samples as submissions)
   and every assignment is autograded: gradebook, feedback pages, grades.csv, summary tables.
2. A learner checks one notebook and reads the report.
3. The contract: `autograder grade --json` on one sample.
Every score is compared with samples/expected.json; the demo fails if one differs.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.course.assignments import course_root

RULE = "=" * 78


def _banner(text: str) -> None:
    print(f"\n{RULE}\n{text}\n{RULE}", flush=True)


def build_course(root: Path, target: Path) -> list[str]:
    """A fresh nbgrader course in `target` whose submissions are the samples."""
    if target.exists():
        shutil.rmtree(target)
    samples = root / "samples"
    assignments = sorted(p.name for p in samples.iterdir() if p.is_dir())
    for assignment in assignments:
        shutil.copytree(root / "source" / assignment, target / "source" / assignment)
        shutil.copytree(root / "release" / assignment, target / "release" / assignment)
        for notebook in sorted((samples / assignment).glob("*.ipynb")):
            folder = target / "submitted" / notebook.stem / assignment
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(notebook, folder / f"{assignment}.ipynb")
    shutil.copy(root / "nbgrader_config.py", target / "nbgrader_config.py")
    return assignments


def run_demo() -> int:
    from autograder.commands import autograde, check, grade

    root = course_root()
    course = root / "demo-course"
    expected = json.loads((root / "samples" / "expected.json").read_text(encoding="utf-8"))
    assignments = build_course(root, course)

    _banner(f"Instructor: an nbgrader course in {course.relative_to(root)}/, every assignment autograded")
    for assignment in assignments:
        print()
        autograde(assignment, course, workers=0, scheduler=None, force=True, progress=True, overrides={})

    mismatches = []
    for assignment, students in expected.items():
        for notebook, wanted in students.items():
            path = course / "autograded" / Path(notebook).stem / assignment / "results.json"
            got = json.loads(path.read_text(encoding="utf-8"))
            if (got["status"], got["score"], got["max_score"]) != (wanted["status"], wanted["score"], wanted["max_score"]):
                mismatches.append(f"{assignment}/{notebook}: expected {wanted}, got {got['status']} {got['score']}")

    _banner("Learner: `autograder check samples/ps1_derivatives/bob.ipynb`")
    check(str(root / "samples" / "ps1_derivatives" / "bob.ipynb"), None, {})

    _banner("Contract: `autograder grade samples/ps1_derivatives/dana.ipynb --assignment ps1_derivatives --json`")
    grade([str(root / "samples" / "ps1_derivatives" / "dana.ipynb")], "ps1_derivatives", True, 1, {})

    _banner("Where to look")
    print(f"feedback pages: {course / 'feedback'}/<student>/<assignment>/<assignment>.html")
    print(f"grades:         {course / 'grades.csv'}")
    print(f"gradebook:      {course / 'gradebook.db'} (the formgrader: `jupyter lab` in the course, menu Nbgrader → Formgrader, to grade written answers)")
    if mismatches:
        print("\nDEMO FAILED: these samples did not get their expected scores:\n  " + "\n  ".join(mismatches))
        return 1
    print("\nAll sample submissions got exactly their expected scores.")
    return 0
