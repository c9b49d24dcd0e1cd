"""What a batch pays before its first result, on the two cores its workers also need
(docs/performance.md, "The instructor's process"):

- each worker's first sealed table (the reference's answers to the stand-ins' questions along a
  whole training, autograder/testkit/reference.py) was recomputed in every worker of every batch:
  now it is remembered on disk, under a name that covers the reference's source, the call and the
  code that seals, so an edit of any of them is computed afresh;
- the instructor's process imported nbgrader's and copydetect's package `__init__`s, which load
  four Jupyter server extensions and matplotlib.pyplot that nothing here uses
  (autograder/course/packages.py)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from autograder.testkit import reference as reference_module
from autograder.testkit.reference import Remembered

SOLUTION = """
import os

def step(w):
    return 2.0 * w

def train(w, n):
    with open(os.environ["TRAININGS"], "a") as runs:
        runs.write("x")
    for _ in range(n):
        w = w - 0.1 * step(w)
    return w
"""


def _reference(tmp_path, monkeypatch, name: str, source: str) -> Remembered:
    monkeypatch.setattr(reference_module, "STORE_AFTER", 0.0)   # these trainings are short
    monkeypatch.setenv("TRAININGS", str(tmp_path / "trainings"))
    (tmp_path / "trainings").write_text("")
    (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return Remembered(name)


def test_a_sealed_table_is_computed_once_per_machine_not_once_per_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_CACHE", str(tmp_path / "cache"))
    first = _reference(tmp_path, monkeypatch, "ref_training", SOLUTION)
    table = first.sealed_answers("train", ("step",), (1.0, 5), {})
    assert len(table) == 5 and all(isinstance(entry, list) and len(entry) == 2 for entry in table)

    trainings = tmp_path / "trainings"
    assert trainings.read_text() == "x"
    second = Remembered("ref_training")   # another worker, another batch: its memory is empty
    assert second.sealed_answers("train", ("step",), (1.0, 5), {}) == table
    assert trainings.read_text() == "x"   # not trained again
    assert len(second.sealed_answers("train", ("step",), (1.0, 6), {})) == 6   # another call: computed
    assert trainings.read_text() == "xx"


def test_an_edited_reference_or_a_damaged_file_is_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_CACHE", str(tmp_path / "cache"))
    old = _reference(tmp_path, monkeypatch, "ref_edited", SOLUTION).sealed_answers("train", ("step",), (1.0, 3), {})
    edited = SOLUTION.replace("2.0 * w", "2.5 * w + 0.0")
    (tmp_path / "ref_edited.py").write_text(edited, encoding="utf-8")
    monkeypatch.delitem(sys.modules, "ref_edited")   # a later process imports the edited file
    new = Remembered("ref_edited").sealed_answers("train", ("step",), (1.0, 3), {})
    assert new != old and len(new) == 3   # same questions, the edited reference's answers

    files = sorted((tmp_path / "cache" / "sealed").glob("*.json"))
    assert len(files) == 2
    for path in files:
        path.write_text('{"not": "a table"}', encoding="utf-8")
    assert Remembered("ref_edited").sealed_answers("train", ("step",), (1.0, 3), {}) == new
    assert any(json.loads(p.read_text()) == new for p in files)   # rewritten whole


def test_a_table_quick_to_make_is_not_kept_on_disk(tmp_path, monkeypatch):
    """Tables for inputs a student's answers made (ps5 feeds the student's forward cache to the
    backward pass) are new for every student: only the slow ones, the trainings on the hidden
    inputs, are worth a file."""
    monkeypatch.setenv("AUTOGRADER_CACHE", str(tmp_path / "cache"))
    ref = _reference(tmp_path, monkeypatch, "ref_quick", SOLUTION)
    monkeypatch.setattr(reference_module, "STORE_AFTER", 60.0)
    assert len(ref.sealed_answers("train", ("step",), (1.0, 4), {})) == 4
    assert not list((tmp_path / "cache").glob("sealed/*.json"))
    monkeypatch.setattr(reference_module, "STORE_AFTER", 0.0)
    assert len(ref.sealed_answers("train", ("step",), (1.0, 7), {})) == 7
    assert len(list((tmp_path / "cache").glob("sealed/*.json"))) == 1


def test_the_sealing_code_is_part_of_the_name(tmp_path, monkeypatch):
    """A change of how answers are sealed must not open yesterday's tables."""
    monkeypatch.setenv("AUTOGRADER_CACHE", str(tmp_path / "cache"))
    before = reference_module._SealedStore("m", "v", "k").path
    monkeypatch.setattr(reference_module, "code_sources",
                        lambda function: ("edited " + function.__name__,))
    assert reference_module._SealedStore("m", "v", "k").path != before


def test_the_store_never_serves_a_table_for_another_question(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_CACHE", str(tmp_path / "cache"))
    ref = _reference(tmp_path, monkeypatch, "ref_arrays", SOLUTION)
    a = ref.sealed_answers("train", ("step",), (np.array([1.0, 2.0]), 2), {})
    b = Remembered("ref_arrays").sealed_answers("train", ("step",), (np.array([1.0, 2.5]), 2), {})
    assert a != b


def test_the_gradebook_side_imports_no_server_extension_and_no_pyplot():
    """Nor pytest (0.1 s of the instructor's CPU, which the workers share): it grades nothing."""
    code = ("import sys, autograder.records.batch, autograder.records.pipeline, autograder.integrity.pairs\n"
            "loaded = [m for m in sys.modules if m.startswith(('nbgrader.server_extensions', 'matplotlib.pyplot',"
            " 'jupyter_server', 'pytest', '_pytest'))]\n"
            "print(loaded)\n"
            "import nbgrader\n"
            "print(nbgrader.__version__, callable(nbgrader._jupyter_server_extension_points))\n"
            "from nbgrader.api import Gradebook\n"
            "print(Gradebook.__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded, version, gradebook = done.stdout.splitlines()
    assert loaded == "[]"
    # ... and whatever asks the package for its own names still gets them (its __init__ runs then)
    assert version.split()[1] == "True" and version.split()[0][0].isdigit()
    assert gradebook == "Gradebook"
