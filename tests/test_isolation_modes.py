"""Without root, or without namespaces, the grader still grades fairly, uses what the OS
allows, and says in every result which protections were active."""
import pytest

from autograder.grading.engine import grade_notebooks
from autograder.sandbox.settings import SandboxSettings
from helpers import ROOT, make_submission

STEAL = (
    "def f(x):\n"
    "    found = {}\n"
    f"    exec(open({str(ROOT / 'solutions' / 'ps1_derivatives.py')!r}).read(), found)\n"
    "    return found['f'](x)\n")


@pytest.mark.parametrize("mode, present, absent", [
    ("userns", ["PID namespace", "network namespace", "文件系统视图", "用户命名空间"], ["非特权用户"]),
    ("none", ["资源限制", "Landlock"], ["PID namespace", "文件系统视图"]),
])
def test_mode_grades_fairly_and_reports_its_protections(tmp_path, mode, present, absent):
    honest = make_submission("ps1_derivatives", tmp_path / "honest.ipynb")
    thief = make_submission("ps1_derivatives", tmp_path / "thief.ipynb", {"f": STEAL})
    results = {r.submission: r for r in grade_notebooks([honest, thief], "ps1_derivatives",
                                                        SandboxSettings(isolation=mode, uid_base=61700))}
    good, bad = results[str(honest)], results[str(thief)]
    assert good.score == good.max_score, [(t.name, t.output) for t in good.tests if t.status == "failed"]
    assert bad.by_function()["f"][0] == 0 and bad.score == bad.max_score - 1
    text = " ".join(good.protections)
    assert all(p in text for p in present) and not any(a in text for a in absent), good.protections
