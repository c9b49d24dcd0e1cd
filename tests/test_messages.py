"""What a student is told, in every channel: one cause per function, said first and once; the
inputs and the student's own outputs; never the answer at the cause level; the formula at the
formula level (autograder/course/hints.py, autograder/views/messages.py). Real grading, real command line."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from answers import leaks
from autograder.records import batch
from autograder.records import gradebook
from autograder.course import hints
from autograder.views import present
from autograder.course.assignments import Assignment
from autograder.grading.engine import grade_notebooks
from autograder.views.messages import formulas_of
from autograder.views.report import learner_report
from autograder.course.results import Diagnosis, FunctionNote, Outcome, SubmissionResult
from autograder.course.results import TestResult as Check
from autograder.sandbox.settings import SandboxSettings
from helpers import ROOT, make_submission

ENTRY = Path(sys.executable).with_name("autograder")
GM = "import numpy as np\ndef gradient_mse(X, y, w, b):\n    y_pred = linear_model(X, w, b)\n"
MISSING_MINUS_2 = GM + "    return np.array([np.mean(X * (y - y_pred)), np.mean(y - y_pred)])\n"   # issue 24's example
PRECEDENCE = "def central_difference(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / 2 * h\n"


@pytest.fixture(scope="module")
def ps3(tmp_path_factory):
    folder = tmp_path_factory.mktemp("messages")
    notebook = make_submission("ps3_linear_regression", folder / "ps3_linear_regression.ipynb",
                               {"gradient_mse": MISSING_MINUS_2})
    graded = {level: grade_notebooks([notebook], "ps3_linear_regression", SandboxSettings(hints=level))[0]
              for level in hints.LEVELS}
    return {"notebook": notebook, "folder": folder, **graded}


def lost(result, function="gradient_mse"):
    return [t for t in result.tests if t.grade_id == function and not t.passed]


def test_two_mistakes_made_together_are_one_cause_said_first_in_every_message(ps3):
    result = ps3["cause"]
    cause = result.causes["gradient_mse"]
    assert cause.code == "gradient_mse.missing_factor_2+sign_flipped"
    assert "因子 2" in cause.text and "正负号" in cause.text
    assert cause.section == "4.1 先看一个样本"      # where the notebook explains it, by its full title
    for test in lost(result):
        assert test.diagnosis == cause
        assert test.output.startswith(cause.text), test.output
        assert "相关讲解：笔记本的「4.1 先看一个样本」一节。" in test.output
    detail = [row for row in result.to_json()["functions"] if row["function"] == "gradient_mse"]
    assert detail == [{"function": "gradient_mse", "score": 0.5, "max_score": 4.0, "cause": cause.to_json(),
                       "section": cause.section, "formula": ""}]


def test_a_failed_check_says_its_inputs_and_the_students_own_output(ps3):
    said = {t.what: t.message for t in lost(ps3["cause"])}
    random = next(text for what, text in said.items() if what.startswith("在随机数据"))
    assert "gradient_mse(X, y, w=" in random and "返回了 [" in random and "与正确结果不一致" in random
    # no checklist of mistakes the student did not make, no other mistake named
    for text in said.values():
        for other in ("常见错误", "求和代替平均", "漏乘 X", "顺序弄反", "是不是"):
            assert other not in text, text


def test_the_cause_level_gives_nothing_away_and_the_formula_level_gives_the_formula(ps3):
    formula = formulas_of("ps3_linear_regression")["gradient_mse"]
    cause, full = ps3["cause"], ps3["formula"]
    assert cause.hints == "cause" and full.hints == "formula"
    text = json.dumps(cause.to_json(), ensure_ascii=False)
    assert formula not in text and hints.OPEN not in text and hints.CLOSE not in text
    assert not leaks(text, "ps3_linear_regression")
    assert all(t.output.endswith(f"公式（formula）：{formula}") for t in lost(full))
    assert full.notes["gradient_mse"].formula == formula
    assert leaks(json.dumps(full.to_json(), ensure_ascii=False), "ps3_linear_regression")   # the test's own check works


def test_every_channel_says_the_cause_first(ps3):
    result = ps3["cause"]
    cause = result.causes["gradient_mse"].text
    report = learner_report(result, whose="ps3_linear_regression.ipynb")
    block = report.split("✗ gradient_mse")[1].split("\n\n")[0].splitlines()
    assert block[1].strip() == f"原因：{cause}"[:len(block[1].strip())]     # the first line under the function
    assert report.count("原因：") == 1                                      # said once
    comment = gradebook._messages(result, "gradient_mse").splitlines()
    assert comment[1].strip().startswith(f"原因：{cause[:20]}")
    from autograder.views.feedback import render
    page = render(result, "alice", ps3["notebook"])
    assert page.index(cause) < page.index("没有通过的检查")


def test_grade_json_through_the_command_line(ps3):
    done = subprocess.run([str(ENTRY), "grade", str(ps3["notebook"]), "--assignment", "ps3_linear_regression",
                           "--json"], capture_output=True, text=True, timeout=600)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    cause = next(row["cause"] for row in data["functions"] if row["function"] == "gradient_mse")
    failed = [(t, d) for t, d in zip(data["tests"], data["details"]) if t["status"] == "failed"]
    assert failed and all(t["output"].startswith(cause["text"]) and d["diagnosis"] == cause for t, d in failed)
    assert data["hints"] == "cause"


def test_check_prints_what_a_learner_needs(ps3):
    done = subprocess.run([str(ENTRY), "check", str(ps3["notebook"])], capture_output=True, text=True, timeout=600)
    out = done.stdout
    title = Assignment.load("ps3_linear_regression").cells[0].source.splitlines()[0].lstrip("# ")
    assert out.splitlines()[0] == f"{title}（ps3_linear_regression）的检查结果：ps3_linear_regression.ipynb"
    assert "0 / 0 分" not in out and "隔离保护" not in out and "Landlock" not in out
    assert "公式（formula）：" in out                                       # a self-learner's level
    for line in out.splitlines():   # an array or a call is never cut across lines
        assert line.count("[") == line.count("]") and line.count("(") == line.count(")"), line


def test_the_precedence_bug_is_named_and_nothing_else_is_guessed(tmp_path):
    notebook = make_submission("ps1_derivatives", tmp_path / "ps1_derivatives.ipynb", {"central_difference": PRECEDENCE})
    (result,) = grade_notebooks([notebook], "ps1_derivatives")
    assert result.causes["central_difference"].code == "central_difference.precedence"
    for test in lost(result, "central_difference"):
        for guess in ("写死", "整数运算", "前向差分"):
            assert guess not in test.output, test.output


def test_a_correct_answer_is_told_nothing(ps3):
    right = make_submission("ps3_linear_regression", ps3["folder"] / "right.ipynb")
    (result,) = grade_notebooks([right], "ps3_linear_regression")
    assert result.score == result.max_score and result.causes == {} and not any(t.output for t in result.tests)


# ------------------------------------------------------------------------- without grading

def made_up(cause: str | None, lost_points: bool) -> SubmissionResult:
    tests = [Check("f", "检查", 0.0 if lost_points else 1.0, 1.0, Outcome.FAILED if lost_points else Outcome.PASSED,
                   f"{cause or ''}\nf(1.0) 返回了 3，与正确结果不一致。" if lost_points else "")]
    notes = {"f": FunctionNote(Diagnosis("f.x", cause))} if cause else {}
    return SubmissionResult("s.ipynb", "ps1_derivatives", "graded", tests, max_score=1.0, notes=notes)


def test_the_class_summary_counts_students_and_says_the_cause_in_full():
    long_cause = "你除以了 2h：前向差分的两个点 x 和 x + h 只相距一个步长 h，斜率要除以这个距离。" * 3
    results = [made_up(long_cause, True), made_up(long_cause, True), made_up("别的原因。", True), made_up(None, False)]
    assignment = type("A", (), {"id": "ps1_derivatives", "functions": ["f"]})()
    text = batch.summary(results, {}, assignment)
    assert f"most common cause (2 of 3 students): {long_cause}" in text


def test_the_level_follows_the_course_the_command_and_the_due_date(tmp_path):
    from traitlets.config import Config
    past, future = dt.datetime(2020, 1, 1), dt.datetime(2999, 1, 1)
    assert hints.level_for(Config(), "check") == "formula"
    assert hints.level_for(Config(), "grade") == "cause"
    assert hints.level_for(Config(), "autograde", future) == "cause"
    assert hints.level_for(Config(), "autograde", past) == "formula"
    assert hints.level_for(Config({"Feedback": {"hints": "cause"}}), "check") == "cause"
    config = Config({"GradingService": {"due_dates": {"ps1_derivatives": "2026-12-01 23:59:00 Asia/Shanghai"}}})
    assert hints.due_date(tmp_path, "ps1_derivatives", config) == dt.datetime(2026, 12, 1, 15, 59)
    with sqlite3.connect(tmp_path / "gradebook.db") as db:   # nbgrader's table, as `nbgrader db assignment add` fills it
        db.execute("CREATE TABLE assignment (id VARCHAR, name VARCHAR, duedate DATETIME)")
        db.execute("INSERT INTO assignment VALUES ('1', 'ps2_gradient_descent', '2026-11-30 12:00:00.000000')")
    assert hints.due_date(tmp_path, "ps2_gradient_descent", Config()) == dt.datetime(2026, 11, 30, 12)
    assert hints.due_date(tmp_path, "ps3_linear_regression", Config()) is None


def test_render_drops_what_only_the_formula_level_shows():
    text = "要减去每一行自己的最大值" + hints.formula("：np.max(scores, axis=1, keepdims=True)") + "。"
    assert hints.render(text, "cause") == "要减去每一行自己的最大值。"
    assert hints.render(text, "formula") == "要减去每一行自己的最大值：np.max(scores, axis=1, keepdims=True)。"


def test_hidden_messages_hide_the_cause_too(ps3):
    """A course that shows students only their score (the service's visibility) shows no cause either."""
    from autograder.views.feedback import render
    from autograder.service.server import student_view
    result = ps3["cause"]
    cause = result.causes["gradient_mse"].text
    assert cause in render(student_view(result, "visible", None), "alice")
    hidden = render(student_view(result, "hidden", None), "alice")
    assert cause not in hidden and "相关讲解" not in hidden
