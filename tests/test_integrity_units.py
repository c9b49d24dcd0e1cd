"""The integrity report's parts on their own (no grading): the answers digest, code fingerprints
with boilerplate and common code discounted, rare-mistake weighting, safe CSV and HTML."""
from __future__ import annotations

import csv
import json
import io
import os

import random
import subprocess
import sys

import numpy as np

from autograder.testkit.diagnosis import Raised
from autograder.integrity import answers, mistakes, similarity
from autograder.integrity.pairs import Findings
from autograder.integrity.report import write
from autograder.sandbox.protocol import TensorData
from autograder.course.results import Diagnosis, FunctionNote, Outcome, SubmissionResult
from autograder.course.results import TestResult as Check
from helpers import release_notebook
from integrity_class import personal

ASSIGNMENT = "ps3_linear_regression"

MINE = '''import numpy as np

def scale_rows(data, factor=3):
    out = np.empty_like(data, dtype=float)
    for i in range(len(data)):
        out[i] = data[i] * factor + i % 7
    return out

def gradient_mse(X, y, w, b):
    residual = scale_rows(X, 2)[:, 0] - y[:, 0] * 5
    total = 0.0
    for k, value in enumerate(residual):
        total += value ** 3 / (k + 11)
    return np.array([total * 13, total - 17])
'''


LECTURE = """import numpy as np
def train_linear_regression(X, y, learning_rate=0.01, max_iterations=1000):
    w, b, history = 0.0, 0.0, []
    for i in range(max_iterations):
        y_pred = linear_model(X, w, b)
        grad = gradient_mse(X, y, w, b)
        w, b = w - learning_rate * grad[0], b - learning_rate * grad[1]
        history.append({'iteration': i, 'loss': mse_loss(y, y_pred), 'w': w, 'b': b})
    return w, b, history

"""


def test_the_same_wrong_numbers_computed_two_ways_give_one_digest():
    x = np.linspace(0.5, 2, 7)
    one = [-3 * x.mean(), np.array([0.1 + 0.2, 1e-17]), TensorData(x * 3, "float64", False)]
    other = [-3 * (x.sum() / x.size), np.array([0.3, -2e-17]), TensorData(3 * x, "float32", True)]
    assert answers.digest(one) == answers.digest(other)
    assert answers.digest(one) != answers.digest([-2 * x.mean(), *one[1:]])   # another formula
    assert answers.digest([Raised("TypeError"), None]) is None                # no answer: no evidence
    assert answers.digest([]) is None


def test_renamed_reformatted_commented_code_has_the_same_fingerprints():
    renamed = (MINE.replace("data", "arr").replace("residual", "r").replace("total", "acc")
               .replace("scale_rows", "helper").replace("    ", "  ").replace("\n\n", "\n# mine\n\n\n"))
    first, second = similarity.fingerprint(MINE), similarity.fingerprint(renamed)
    assert first.filtered_code == second.filtered_code   # copydetect's tokenizer: names are V, comments gone
    assert first.hashes == second.hashes


def _documents(codes: dict[str, str]) -> dict[str, similarity.Document]:
    boilerplate = similarity.boilerplate_of(release_notebook(ASSIGNMENT))
    docs = {}
    for student, code in codes.items():
        cells = code if isinstance(code, list) else [("gradient_mse", code)]
        docs[student] = similarity.document(student, cells, boilerplate)
    return docs


def test_a_copy_is_found_and_common_or_boilerplate_code_is_not():
    reordered = MINE.split("def gradient_mse")[0].replace("import numpy as np\n", "")
    copy = "import numpy as np\n\ndef gradient_mse" + MINE.split("def gradient_mse")[1] + "\n" + reordered
    one_liner = "def linear_model(X, w, b):\n    return X * w + b\n"
    stub = similarity.answer_cells(release_notebook(ASSIGNMENT), set())   # the release notebook's stubs
    codes = {"ann": MINE, "bob": copy}
    codes.update({f"s{i}": one_liner for i in range(10)})           # one line many students write
    rng = random.Random(3)   # a loop from the lecture that 8 students keep, each with code of their own
    codes.update({f"lecture{i}": LECTURE + personal(rng, "x") for i in range(8)})
    codes.update({"stub1": stub, "stub2": stub})
    docs = _documents(codes)
    pairs = similarity.code_pairs(docs, 0.5)
    assert [(p["a"], p["b"]) for p in pairs] == [("ann", "bob")], pairs
    assert pairs[0]["score"] > 0.7
    left, right, functions = similarity.highlighted(docs["ann"], docs["bob"])
    assert "<mark>" in left and "<mark>" in right and functions == ["gradient_mse"]


def test_a_few_shared_lines_are_not_a_copy():
    line = "    total = sum(v ** 3 / (k + 11) for k, v in enumerate(X))\n"
    ann = "import numpy as np\ndef gradient_mse(X, y, w, b):\n" + line + "    return np.array([total, 2 * w])\n"
    bob = "import numpy as np\ndef gradient_mse(X, y, w, b):\n    w = w + 1\n" + line + "    return total\n"
    assert similarity.code_pairs(_documents({"ann": ann, "bob": bob}), 0.5) == []


def _result(function: str, digest: str | None, code: str = "") -> SubmissionResult:
    result = SubmissionResult("nb", ASSIGNMENT, "graded", [Check(function, "x", 0.0, 1.0, Outcome.FAILED)])
    result.notes = {function: FunctionNote(Diagnosis(f"{function}.{code}", "text") if code else None)}
    result.answers = {function: digest} if digest else {}
    return result


def test_a_rare_wrong_answer_is_evidence_and_a_common_one_is_not():
    results = {f"s{i}": _result("mse_loss", "common", "sum_instead_of_mean") for i in range(12)}
    results.update({f"ok{i}": _result("mse_loss", None) for i in range(24)})
    results.update({"ann": _result("gradient_mse", "rare"), "bob": _result("gradient_mse", "rare")})
    results.update({"cat": _result("linear_model", "x", "not_implemented"),
                    "dan": _result("linear_model", "x", "not_implemented")})   # not written: no answer
    results.update({f"t{i}": _result("train_linear_regression", "three") for i in range(3)})
    pairs = mistakes.mistake_pairs(results, 0.5)
    assert [(p["a"], p["b"], p["score"]) for p in pairs] == [("ann", "bob", 1.0)]
    assert pairs[0]["evidence"][0]["students"] == 2
    # three students, one shared answer: 1/2 each, not above 0.5; at 0.4, all three pairs
    assert len(mistakes.mistake_pairs(results, 0.4)) == 1 + 3


def test_csv_cells_are_neutralised_and_student_code_is_escaped(tmp_path):
    evil = "=HYPERLINK(\"http://x\")"
    code = MINE + "\n# </pre><script>alert(1)</script>\nX = '<img src=x onerror=alert(2)>'\n"
    docs = _documents({evil: code, "bob": code})
    pairs = similarity.code_pairs(docs, 0.5)
    rows = [{"student_a": p["a"], "student_b": p["b"], "kind": "code", "score": p["score"], "functions": [],
             "evidence": "x"} for p in pairs]
    page = write(Findings(ASSIGNMENT, 0.5, 2, rows, docs), tmp_path).read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    text = (tmp_path / "integrity.csv").read_text(encoding="utf-8")
    found = list(csv.DictReader(io.StringIO(text)))
    assert {found[0]["student_a"], found[0]["student_b"]} == {"'" + evil, "bob"}


def test_students_never_see_the_digest():
    from autograder.service.server import student_view
    result = _result("gradient_mse", "a1b2c3d4e5f6a7b8c9d0", "sign")
    assert "a1b2c3d4e5f6a7b8c9d0" in str(result.to_json())   # kept for the instructor
    for visibility in ("visible", "after_due_date", "hidden"):
        assert "a1b2c3d4e5f6a7b8c9d0" not in str(student_view(result, visibility, None).to_json())


def test_fingerprints_are_the_same_in_every_process():
    """copydetect hashes k-grams with Python's hash(), salted per process: the same pair scored
    0.41 in one run and 0.53 in another. Ours must not depend on PYTHONHASHSEED."""
    code = ("import numpy as np\ndef gradient_mse(X, y, w, b):\n    r = X.ravel() * w + b - y.ravel()\n"
            "    return np.array([2 * np.mean(r * X.ravel()), 2 * np.mean(r)])\n")
    script = ("import sys; from autograder.integrity import similarity as s; "
              f"print(sorted(s.fingerprint({code!r}).hashes))")
    seen = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(seen) == 1 and len(json.loads(seen.pop())) >= 5
