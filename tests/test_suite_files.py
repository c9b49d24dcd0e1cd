"""A suite file holds only its own tests (docs/suites.md): the public check's 0-point test is generated
from GRADE_ID (autograder/testkit/public.py, collected by autograder/suites/conftest.py), the reference
comes from the suite's one helper module, `common.py`. Read with ast and collected by the real pytest."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.assignments import assignment_ids
from autograder.grading.engine import PYTEST_ARGS, Grader
from autograder.testkit.public import TITLE

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "autograder" / "suites"


def _test_files():
    return sorted(SUITES.glob("ps*/test_*.py"))


def test_no_suite_file_writes_the_public_test_or_names_its_reference():
    for path in _test_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        written = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_public")]
        assert not written, f"{path.name}: {written} (generated from GRADE_ID / PUBLIC)"
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "remembered"]
        assert not calls, f"{path.name}: remembered(...) (use `ref` from the suite's common.py)"


def test_every_suite_has_one_helper_module_named_common():
    for assignment in assignment_ids():
        folder = SUITES / assignment
        assert (folder / "common.py").is_file(), assignment
        assert not (folder / "functions.py").exists(), assignment


def _collect(grader: Grader):
    """The GradingPlugin after collecting the suite as the engine does, and the node ids collected."""
    suite = grader.assignment.suite_dir
    plugin, collected = grader.plugin([]), []

    class Items:
        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(self, items):
            collected.extend(item.nodeid for item in items)

    pytest.main([str(suite), "--rootdir", str(suite.parent), *PYTEST_ARGS, "--collect-only"], plugins=[plugin, Items()])
    return plugin, collected


@pytest.mark.parametrize("assignment", ["ps1_derivatives", "ps4_autodiff"])
def test_each_file_collects_its_public_tests_first_worth_0_points(assignment):
    grader = Grader(assignment)
    plugin, items = _collect(grader)
    # A worker grades chunk after chunk in one process, where the suite's modules stay imported:
    # its next collection must hold the same tests, each once.
    again, items_again = _collect(grader)
    assert items_again == items and len(set(items)) == len(items)
    assert again.order == plugin.order and again.points == plugin.points
    by_file: dict[str, list] = {}
    for base in plugin.order:
        by_file.setdefault(base.split("::")[0], []).append((base.split("::")[1], *plugin.points[base]))
    assert len(by_file) == len(list((SUITES / assignment).glob("test_*.py")))
    for file, tests in by_file.items():
        name, grade_id, what, points = tests[0]
        assert name == "test_public" and points == 0, (file, tests[0])
        assert Path(file).stem == f"test_{grade_id}"
        if grade_id != "Value":
            assert what == TITLE
            assert [t for t in tests if t[3] == 0] == [tests[0]], file   # one public test, then graded ones
    stages = [t[0] for t in by_file[f"{assignment}/test_Value.py"] if t[3] == 0] if assignment == "ps4_autodiff" else []
    if stages:
        assert stages == ["test_public", "test_public_pow", "test_public_exp_tanh_relu", "test_public_sub_div",
                          "test_public_combined"]


def test_a_file_that_writes_its_own_public_test_is_told_so(tmp_path):
    suite = tmp_path / "suites"
    (suite / "ps1_derivatives").mkdir(parents=True)
    (suite / "conftest.py").write_text((SUITES / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8")
    (suite / "ps1_derivatives" / "test_f.py").write_text(
        'from autograder.testkit.checks import graded\nGRADE_ID = "f"\n\n\n'
        '@graded("x", points=0)\ndef test_public(student, assignment):\n    pass\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", str(suite / "ps1_derivatives"), "--collect-only", "-q",
                          "-p", "no:cacheprovider", "--rootdir", str(suite)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode != 0
    assert "test_public is generated from GRADE_ID / PUBLIC" in run.stdout + run.stderr
