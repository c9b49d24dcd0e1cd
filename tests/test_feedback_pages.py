"""The pages people read: a student's feedback page (per function their code, points, diagnosis,
failed checks and a figure of their function on the notebook's demo inputs beside the
reference) and the instructor's class report. Real grading of real notebooks, pages opened in a
real headless chromium: no console error, every image loaded, the diagnosis in the text shown.

Set FEEDBACK_SCREENSHOTS=DIR to keep the screenshots for a look."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.views import feedback
from autograder.views import figures
from autograder.views import present
from autograder.sandbox.settings import SandboxSettings
from autograder.grading.engine import Grader
from autograder.testkit.reference import remembered
from autograder.course.results import SubmissionResult
from autograder.suites.ps3_linear_regression.common import article_data
from catalogue import ps1_derivatives as ps1_catalogue
from catalogue import ps2_gradient_descent as ps2_catalogue
from catalogue import ps3_linear_regression as ps3_catalogue
from helpers import make_submission

ENTRY = Path(sys.executable).with_name("autograder")
ENV = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
WRONG_HELPER = ps3_catalogue.WRONG["gradient_mse"]["missing factor 2"]
HANG = "    while True:\n        pass\n"


# ------------------------------------------------------------------------------ browser

@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,900",
                     f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path: Path, screenshot: Path) -> dict:
    """Load a page; return what the browser saw: console messages, images, visible text."""
    driver.get_log("browser")   # forget earlier pages' messages
    driver.get(path.resolve().as_uri())
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, min(height + 50, 12000))
    driver.save_screenshot(str(screenshot))
    keep = os.environ.get("FEEDBACK_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / screenshot.name)
    return {
        "console": driver.get_log("browser"),
        "images": driver.execute_script(
            "return Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth, "
            "height: i.naturalHeight, section: (i.closest('section') || {}).id || ''}))"),
        "text": driver.execute_script("return document.body.innerText"),
        "scripts": driver.execute_script("return document.scripts.length"),
    }


def assert_clean(seen: dict, images: int) -> None:
    errors = [m for m in seen["console"] if m.get("level") in ("SEVERE", "WARNING")]
    assert not errors, errors
    assert len(seen["images"]) == images, seen["images"]
    for image in seen["images"]:
        assert image["complete"] and image["width"] > 100 and image["height"] > 100, image
    assert seen["scripts"] == 0


# ---------------------------------------------------------------- ps3: a wrong helper

@pytest.fixture(scope="module")
def ps3(tmp_path_factory):
    """A ps3 notebook whose gradient_mse forgets the factor 2 (train_linear_regression, which
    calls it, is right), checked by a learner with `autograder check --html`, and the same
    notebook with a correct one graded beside it."""
    folder = tmp_path_factory.mktemp("ps3")
    wrong = make_submission("ps3_linear_regression", folder / "ps3_linear_regression.ipynb",
                            {"gradient_mse": WRONG_HELPER})
    right = make_submission("ps3_linear_regression", folder / "right" / "ps3_linear_regression.ipynb")
    page = folder / "feedback.html"
    done = subprocess.run([str(ENTRY), "check", str(wrong), "--html", str(page)], capture_output=True, text=True,
                          env=ENV, timeout=600)
    # `check` writes at the formula level (a self-learner's: autograder/course/hints.py)
    with Grader("ps3_linear_regression", SandboxSettings(hints="formula")) as grader:
        result, correct = grader.grade([wrong, right])
    return {"folder": folder, "wrong": wrong, "page": page, "done": done, "result": result, "correct": correct}


def test_check_prints_the_diagnosis_and_writes_the_same_page(ps3):
    done, result = ps3["done"], ps3["result"]
    assert done.returncode == 1, done.stderr[-2000:]
    assert ps3["page"].is_file(), done.stdout[-2000:]
    assert str(ps3["page"]) in done.stdout
    page = ps3["page"].read_text(encoding="utf-8")
    # The page the learner got is the page autograde's Recorder writes for this result.
    assert page == feedback.render(result, ps3["wrong"].name, ps3["wrong"])
    reports = {r.grade_id: r for r in present.functions(result)}
    assert reports["gradient_mse"].score < reports["gradient_mse"].max_score
    assert reports["train_linear_regression"].score == reports["train_linear_regression"].max_score
    heading = reports["gradient_mse"].heading
    assert heading in done.stdout and heading in page
    for line in reports["gradient_mse"].failed:   # every failed check, in the terminal and on the page
        assert line.test.what in done.stdout and line.test.what in page


def test_figure_data_is_the_students_own_run_beside_the_reference(ps3):
    result, correct = ps3["result"], ps3["correct"]
    X, y = article_data()   # the notebook's data, as the demo cell trains on it
    w, b, history = remembered("ps3_linear_regression").train_linear_regression(X, y)
    reference = np.array([record["loss"] for record in history])
    for graded in (result, correct):   # stored as plain, strict JSON, and read back the same
        text = json.dumps(graded.to_json(), allow_nan=False)
        assert SubmissionResult.from_json(json.loads(text)).figures == graded.figures
    mine = correct.figures["training"]
    assert mine["w"] == pytest.approx(w, rel=1e-9) and mine["b"] == pytest.approx(b, rel=1e-9)
    assert np.allclose(mine["loss"], reference, rtol=1e-9)
    theirs = result.figures["training"]   # their gradient is half the true one: training is slower
    assert len(theirs["loss"]) == len(reference)
    assert theirs["loss"][100] > 1.5 * reference[100]
    assert theirs["w"] == pytest.approx(w, abs=0.05)
    assert 0 < result.timing["figures"] < 2.0, result.timing


def test_student_page_in_a_browser(ps3, browser):
    seen = open_page(browser, ps3["page"], ps3["folder"] / "ps3_wrong_helper.png")
    assert_clean(seen, images=1)
    assert seen["images"][0]["section"] == "fn-train_linear_regression"
    text = seen["text"]
    reports = {r.grade_id: r for r in present.functions(ps3["result"])}
    gradient = reports["gradient_mse"]
    assert gradient.heading in text
    assert gradient.cause is not None and gradient.cause.text in text   # the cause, said once at the top
    for line in gradient.failed:
        assert line.said.strip().splitlines()[0] in text
    assert "def gradient_mse(X, y, w, b):" in text                 # their code
    assert "不是 train_linear_regression 本身" in text                 # the figure's difference is the helper's
    assert "你的 train_linear_regression 在笔记本的数据上训练" in text   # the figure's caption
    # What a person sees in the figure: the student's run in red beside the reference in grey.
    drawn = browser.find_element("css selector", "figure.demo img").screenshot_as_png
    assert coloured(drawn, figures.YOURS) > 300 and coloured(drawn, figures.REFERENCE) > 300


def coloured(png: bytes, colour: str) -> int:
    """How many pixels of a screenshot are (nearly) this colour."""
    from PIL import Image

    wanted = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for pixel in image.getdata() if sum(abs(a - b) for a, b in zip(pixel, wanted)) < 40)


# ------------------------------------------- ps2: a run that diverges, a function that hangs

@pytest.fixture(scope="module")
def ps2(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ps2")
    notebook = make_submission("ps2_gradient_descent", folder / "ps2_gradient_descent.ipynb", {
        "gradient_descent": ps2_catalogue.WRONG["gradient_descent"]["gradient ascent (plus sign)"],
        "gradient_descent_2d": ps2_catalogue.GD2_HEAD + HANG,
    })
    with Grader("ps2_gradient_descent") as grader:
        (result,) = grader.grade([notebook])
    page = folder / "page.html"
    page.write_text(feedback.render(result, "bob", notebook), encoding="utf-8")
    return {"folder": folder, "result": result, "page": page}


def test_a_hung_function_gets_a_note_not_a_wait(ps2):
    result = ps2["result"]
    history = result.figures["descent_1d"]["history"]
    assert history[0] == 5.0 and history[1] == pytest.approx(6.2) and len(history) == 101   # uphill, 100 steps
    assert set(result.figures["descent_2d"]) == {"unavailable"}
    assert "超时" in result.figures["descent_2d"]["unavailable"]
    assert result.timing["figures"] < 1.0, result.timing   # the hang was known from the tests: no second wait
    assert {"multi_start", "best_result"} <= set(result.by_function())


def test_diverging_and_hung_runs_in_a_browser(ps2, browser):
    seen = open_page(browser, ps2["page"], ps2["folder"] / "ps2_diverging_and_hung.png")
    assert_clean(seen, images=2)
    assert [i["section"] for i in seen["images"]] == ["fn-gradient_descent", "fn-gradient_descent_2d"]
    text = seen["text"]
    for report in present.functions(ps2["result"]):
        assert report.heading in text
        if report.cause:
            assert report.cause.text in text
    assert "图里只有参考答案" in text


def test_unwritten_functions_are_not_called_for_figures(tmp_path):
    notebook = make_submission("ps1_derivatives", tmp_path / "ps1_derivatives.ipynb", fill=False)
    with Grader("ps1_derivatives") as grader:
        (result,) = grader.grade([notebook])
    assert all(r.not_written for r in present.functions(result))
    assert result.figures == {} and "figures" not in result.timing
    page = feedback.render(result, "carol", notebook)
    assert "<img" not in page and page.count("还没有实现") >= 5


def test_a_slow_function_costs_the_figures_at_most_their_time(tmp_path):
    """Fast enough for its tests, but too slow to be called once per h for the figure (float(h)
    refuses the array of all steps): the figures give up after figures.SECONDS."""
    slow = ("import time\ndef numerical_derivative(f, x, h=1e-6):\n    h = float(h)\n    time.sleep(0.06)\n"
            "    return (f(x + h) - f(x)) / h\n")
    notebook = make_submission("ps1_derivatives", tmp_path / "ps1_derivatives.ipynb", {"numerical_derivative": slow})
    with Grader("ps1_derivatives") as grader:
        (result,) = grader.grade([notebook])
    assert result.score == result.max_score, [(t.name, t.output) for t in result.tests if not t.passed]
    assert result.figures["error_forward"] == {"unavailable": figures.TOO_SLOW}
    assert result.figures["error_central"] == {"unavailable": figures.TOO_SLOW}
    assert figures.SECONDS <= result.timing["figures"] < figures.SECONDS + 1.0, result.timing


# ------------------------------------------------------------------ the class report

STUDENTS = {
    "ann": {}, "ben": {},
    "cat": {"numerical_derivative": ps1_catalogue.WRONG["numerical_derivative"]["central instead of forward"]},
    "dan": {"numerical_derivative": ps1_catalogue.WRONG["numerical_derivative"]["central instead of forward"]},
    "eve": {"central_difference": ps1_catalogue.WRONG["central_difference"]["ignores h"]},
    "fay": {"numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n" + HANG},
    "gus": {"f_prime": "import os\ndef f_prime(x):\n    os._exit(3)\n"},
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("class") / "course"
    for student, replace in STUDENTS.items():
        make_submission("ps1_derivatives", course / "submitted" / student / "ps1_derivatives" / "ps1_derivatives.ipynb",
                        replace)
    broken = course / "submitted" / "hal" / "ps1_derivatives"
    broken.mkdir(parents=True)
    (broken / "ps1_derivatives.ipynb").write_text("{ not json")
    done = subprocess.run([str(ENTRY), "autograde", "ps1_derivatives", "--course", str(course), "--no-progress"],
                          capture_output=True, text=True, env=ENV, timeout=900)
    return course, done


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_autograde_writes_the_class_report_with_its_numbers(course):
    course, done = course
    folder = course / "reports" / "ps1_derivatives"
    assert "Class report in" in done.stdout, done.stdout + done.stderr[-2000:]
    results = {p.parent.parent.name: SubmissionResult.from_json(json.loads(p.read_text()))
               for p in (course / "autograded").glob("*/ps1_derivatives/results.json")}
    assert set(results) == set(STUDENTS) | {"hal"}
    graded = [r for r in results.values() if r.status == "graded"]
    assert len(graded) == len(STUDENTS)

    functions = {row["function"]: row for row in read_csv(folder / "functions.csv")}
    assert list(functions) == ["f", "f_prime", "numerical_derivative", "central_difference", "numerical_gradient"]
    for name, row in functions.items():
        scores = [r.by_function()[name] for r in graded]
        assert float(row["mean"]) == pytest.approx(sum(s for s, _ in scores) / len(scores), abs=1e-4), name
        assert float(row["pass_rate"]) == pytest.approx(sum(s == m for s, m in scores) / len(scores), abs=1e-4)
    assert int(functions["numerical_derivative"]["lost_points"]) == 2

    mistakes = read_csv(folder / "mistakes.csv")
    assert mistakes[0]["code"] == "numerical_derivative.central_instead_of_forward", mistakes
    assert (mistakes[0]["students"], mistakes[0]["who"]) == ("2", "cat;dan")
    ignores = next(m for m in mistakes if m["code"] == "central_difference.ignores_h")
    assert ignores["students"] == "1" and ignores["who"] == "eve"
    assert not [m for m in mistakes if m["code"].endswith((".hung", ".crashed"))]   # problems, not ideas

    problems = {(p["student"], p["kind"], p["where"]) for p in read_csv(folder / "problems.csv")}
    assert ("fay", "hung", "numerical_gradient") in problems
    assert ("gus", "crashed", "f_prime") in problems
    assert ("hal", "not graded", "") in problems
    assert {p[0] for p in problems} == {"fay", "gus", "hal"}

    rows = {row["student"]: row for row in read_csv(folder / "submissions.csv")}
    for student, result in results.items():
        assert float(rows[student]["score"]) == result.score
        assert float(rows[student]["seconds_total"] or 0) == result.timing.get("total", 0)
    assert rows["fay"]["hung"] == "numerical_gradient" and rows["gus"]["crashed"] == "f_prime"


def test_class_report_in_a_browser(course, browser):
    course, _ = course
    page = course / "reports" / "ps1_derivatives" / "class_report.html"
    seen = open_page(browser, page, course.parent / "class_report.png")
    assert_clean(seen, images=3)   # score distribution, per function, mistakes
    text = seen["text"]
    mistake = next(m for m in read_csv(page.parent / "mistakes.csv"))
    assert mistake["text"] in text and "cat, dan" in text
    for student in ("fay", "gus", "hal"):
        assert student in text
    slowest = read_csv(page.parent / "submissions.csv")
    slowest.sort(key=lambda r: -float(r["seconds_total"] or 0))
    assert slowest[0]["student"] in text


def test_report_command_rebuilds_it_and_says_plainly_when_there_is_nothing(course, tmp_path):
    course, _ = course
    page = course / "reports" / "ps1_derivatives" / "class_report.html"
    before = page.read_text(encoding="utf-8")
    page.unlink()
    done = subprocess.run([str(ENTRY), "report", "ps1_derivatives", "--course", str(course)], capture_output=True,
                          text=True, env=ENV, timeout=300)
    assert done.returncode == 0 and str(page) in done.stdout, done.stderr
    assert page.read_text(encoding="utf-8") == before
    empty = subprocess.run([str(ENTRY), "report", "ps1_derivatives", "--course", str(tmp_path)],
                           capture_output=True, text=True, env=ENV, timeout=300)
    assert empty.returncode == 2 and "autograder autograde ps1_derivatives" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1


def test_a_picture_is_drawn_once_for_answers_that_look_the_same(monkeypatch):
    """Most of a class agrees: the same picture is drawn once (autograde's cost), a different
    one is drawn anew, and what is drawn is what the student's own data shows."""
    spec = figures.figures_of("ps1_derivatives")[0]
    reference = figures._reference("ps1_derivatives", spec.name)
    mine = {"abs_error": list(reference["forward"])}
    written_differently = {"abs_error": [e * (1 + 1e-12) for e in mine["abs_error"]]}
    wrong = {"abs_error": [e * 3 + 1e-3 for e in mine["abs_error"]]}
    drawn, real = [], figures._draw_now
    monkeypatch.setattr(figures, "_draw_now", lambda *args: drawn.append(args[1]) or real(*args))
    figures._drawn.clear()
    first = figures._draw(spec, mine, reference)
    again = figures._draw(spec, written_differently, reference)
    assert again == first and drawn == [mine]
    other = figures._draw(spec, wrong, reference)
    assert drawn == [mine, wrong] and other[0] != first[0]
    assert figures._draw(spec, None, reference)[0] not in (first[0], other[0])
    assert len(drawn) == 3
    # Arrays are compared whole: numpy's repr elides the middle of a long one.
    whole = np.arange(3000.0)
    changed_inside = whole.copy()
    changed_inside[1500] = -1.0
    assert figures._shown({"e": whole}) != figures._shown({"e": changed_inside})
