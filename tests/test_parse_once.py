"""A notebook is parsed once while it is unchanged (grading reads it to check it, to plan its cells
and to draw its page), and read anew the moment it changes. Real files, real parsing."""
from __future__ import annotations

import json
import os
import shutil

from autograder.course import notebook
from autograder.course.assignments import Assignment


def test_an_unchanged_notebook_is_parsed_once_and_a_changed_one_again(tmp_path, monkeypatch):
    path = tmp_path / "nb.ipynb"
    shutil.copy(Assignment.load("ps1_derivatives").release_notebook, path)
    parsed = []
    real = notebook.parse_cells
    monkeypatch.setattr(notebook, "parse_cells", lambda data: parsed.append(1) or real(data))
    first = notebook.read_notebook(path)
    second = notebook.read_notebook(path)
    assert len(parsed) == 1 and [c.source for c in first] == [c.source for c in second]
    assert first is not second   # a caller's list is its own

    data = json.loads(path.read_text(encoding="utf-8"))
    data["cells"][0]["source"] = "# changed by the student"
    path.write_text(json.dumps(data), encoding="utf-8")
    os.utime(path, ns=(1, 1))   # even with an old modification time: the size differs
    changed = notebook.read_notebook(path)
    assert len(parsed) == 2 and changed[0].source == "# changed by the student"


def test_grading_a_notebook_reads_it_once(tmp_path, monkeypatch):
    from autograder.grading.engine import grade_notebooks

    path = tmp_path / "alice.ipynb"
    shutil.copy(notebook_sample("ps1_derivatives"), path)
    reads = []
    real = notebook.read_json
    monkeypatch.setattr(notebook, "read_json", lambda p: reads.append(str(p)) or real(p))
    [result] = grade_notebooks([path], "ps1_derivatives")
    assert result.status == "graded" and reads.count(str(path)) == 1, reads


def notebook_sample(assignment: str):
    from autograder.course.assignments import course_root
    return course_root() / "samples" / assignment / "alice.ipynb"
