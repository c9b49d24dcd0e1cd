"""The student's side holds nothing of the answer key, and shows only the student's tools.

`bash scripts/student_env.sh DIR` builds a student environment (kept between runs in the system's
temporary directory, or in $AUTOGRADER_STUDENT_ENV; the script rebuilds it when its inputs change).
Then: nothing of the course's answers imports from it; no file in DIR, and no answer the course's
service gives a student before the due date, holds a line of `solutions/` or of a hidden suite
(answer_key.py says what a line is); its JupyterLab shows no nbgrader menu, no Create Assignment
sidebar and no Validate button (and the course's own environment does, so the look would see them);
a released notebook opens unmodified; 检查 and 提交并评分 from it show a readable panel."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from answer_key import key_lines, normalise, search_text, search_tree
from helpers import ROOT, make_submission, release_notebook
from lab_browser import (assert_readable, click, dirty_tabs, kernel_idle, open_notebook, summary_rows, wait_result,
                         write_answer)
from servers import Lab, Service, chromium, issue_tokens, make_course, request

ASSIGNMENTS = sorted(p.name for p in (ROOT / "release").iterdir() if p.is_dir())
FAR_AWAY = "2099-12-31 23:59:00 Asia/Shanghai"
ENV_DIR = Path(os.environ.get("AUTOGRADER_STUDENT_ENV") or Path(tempfile.gettempdir()) /
               f"autograder-student-env-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]}")
INSTRUCTOR_TOOLS = """
const found = [];
for (const e of document.querySelectorAll('.lm-MenuBar-itemLabel'))
  if (/nbgrader/i.test(e.textContent)) found.push('menu: ' + e.textContent);
for (const e of document.querySelectorAll('.jp-SideBar .lm-TabBar-tab'))
  if (/nbgrader|assignment/i.test((e.dataset.id || '') + ' ' + e.textContent + ' ' + (e.title || '')))
    found.push('sidebar: ' + (e.textContent || e.dataset.id));
for (const e of document.querySelectorAll('.jp-NotebookPanel-toolbar .jp-Toolbar-item'))
  if (/validate/i.test(e.textContent)) found.push('toolbar: ' + e.textContent);
const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
for (const e of config.federated_extensions || [])
  if (/nbgrader/i.test(e.name)) found.push('extension: ' + e.name);
return found;
"""


@pytest.fixture(scope="module")
def student_env() -> Path:
    done = subprocess.run(["bash", str(ROOT / "scripts" / "student_env.sh"), str(ENV_DIR)], capture_output=True,
                          text=True, timeout=3000)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return ENV_DIR


@pytest.fixture(scope="module")
def key() -> dict[str, str]:
    return key_lines()


@pytest.fixture(scope="module")
def class_course(tmp_path_factory):
    """Every assignment, due far in the future, messages visible: the most a student is shown."""
    root = tmp_path_factory.mktemp("class")
    dues = {a: FAR_AWAY for a in ASSIGNMENTS}
    config = (f"c.GradingService.due_dates = {dues!r}\nc.GradingService.visibility = 'visible'\n"
              "c.GradingService.submissions_per_hour = 100\n")
    for assignment in ASSIGNMENTS:
        course = make_course(root, ("alice", "bob"), config, assignment)
    tokens = issue_tokens(course)
    service = Service(course, root / "serve.log", "--workers", "2")
    yield course, service, tokens, root
    service.stop()


def run_python(env: Path, code: str, cwd: Path) -> dict:
    """What `code` prints (JSON) when the student environment's Python runs it, away from this repository."""
    done = subprocess.run([str(env / "bin" / "python"), "-I", "-c", code], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env={"PATH": f"{env / 'bin'}:/usr/bin:/bin", "HOME": str(cwd)})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_nothing_of_the_answer_key_imports_from_the_student_environment(student_env, tmp_path):
    found = run_python(student_env, """
import importlib.util, json, sys
names = ["autograder", "solutions", "nbgrader", "autograder.suites", "solutions.ps3_linear_regression",
         "autograder_lab", "autograder_lab.handlers", "jupyterlab", "numpy", "torch", "matplotlib"]
def spec(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
import torch, numpy, matplotlib
print(json.dumps({"found": {n: spec(n) for n in names}, "torch": torch.__version__, "numpy": numpy.__version__,
                  "matplotlib": matplotlib.__version__, "path": sys.path}))
""", tmp_path)
    assert found["found"] == {"autograder": False, "solutions": False, "nbgrader": False, "autograder.suites": False,
                              "solutions.ps3_linear_regression": False, "autograder_lab": True,
                              "autograder_lab.handlers": True, "jupyterlab": True, "numpy": True, "torch": True,
                              "matplotlib": True}, found
    assert not any(str(ROOT) in p for p in found["path"]), found["path"]
    # The notebooks run there on what the course grades with (pins shared with pyproject.toml).
    pins = (ROOT / "pyproject.toml").read_text() + (ROOT / "student" / "pyproject.toml").read_text()
    for name in ("numpy", "matplotlib", "torch"):
        assert pins.count(f'"{name}=={found[name].split("+")[0]}"') == 2, (name, found[name])


def test_the_search_finds_the_answer_key_where_it_is(key, tmp_path):
    """The search itself: lines of a reference module, of a hidden test, inside a compressed
    archive and inside a binary file are all found (so finding none means something)."""
    planted = tmp_path / "planted"
    planted.mkdir()
    shutil.copy(ROOT / "solutions" / "ps3_linear_regression.py", planted / "helper.py")
    with zipfile.ZipFile(planted / "bundle.whl", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(ROOT / "autograder" / "suites" / "ps5_backprop" / "test_backward.py", "x/t.py")
    line = next(raw for raw in (ROOT / "solutions" / "ps6_recommender.py").read_text().splitlines()
                if normalise(raw) in key)
    (planted / "blob.so").write_bytes(b"\0\x7fELF\0" + line.encode() + b"\n\0\0")
    files, hits = search_tree(planted, key)
    assert files == 3
    for name, source in (("helper.py", "solutions/ps3_linear_regression.py"),
                         ("bundle.whl!x/t.py", "autograder/suites/ps5_backprop/test_backward.py"),
                         ("blob.so", "solutions/ps6_recommender.py")):
        assert any(hit.startswith(f"{name} holds {source}:") for hit in hits), (name, hits[:5])
    assert len(key) > 3000


def test_no_file_in_the_student_environment_holds_a_line_of_the_answer_key(student_env, key):
    files, hits = search_tree(student_env, key)
    assert files > 10_000   # the whole environment was read: JupyterLab, torch, ...
    assert hits == [], "\n".join(hits[:30])


def submissions(assignment: str, folder: Path) -> dict[str, Path]:
    """The release notebook as handed out, and one with a mistake of the catalogue in its first function."""
    catalogue = importlib.import_module(f"catalogue.{assignment}")
    function, mistakes = next(iter(catalogue.WRONG.items()))
    wrong = next(iter(mistakes.values()))
    return {"unwritten": make_submission(assignment, folder / f"{assignment}-unwritten.ipynb", {}, fill=False),
            "mistake": make_submission(assignment, folder / f"{assignment}-mistake.ipynb", {function: wrong}, fill=False)}


def own_lines(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return {normalise(line) for cell in cells for line in "".join(cell["source"]).splitlines()}


def test_what_the_service_tells_a_student_before_the_due_date_holds_no_line_of_the_answer_key(class_course, key,
                                                                                               tmp_path):
    """Every route a student can call, for every assignment, with a notebook as handed out and one
    with a diagnosed mistake: checks, submissions, every poll, feedback pages, lists, errors."""
    course, service, tokens, root = class_course
    token = tokens["alice"]
    said: list[tuple[str, object, set[str]]] = []   # (what, the answer, lines the student sent)

    def ask(what, url, body=None, method=None, own=frozenset()):
        status, data, _ = request(url, token, body, method)
        said.append((what, data, own))
        return status, data

    assert ask("me", f"{service.url}api/me")[0] == 200
    for assignment in ASSIGNMENTS:
        for kind, notebook in submissions(assignment, tmp_path).items():
            own = own_lines(notebook)
            status, checked = ask(f"{assignment} check {kind}", f"{service.url}api/assignments/{assignment}/checks",
                                  notebook.read_bytes(), "POST", own)
            assert status == 200 and checked["status"] == "graded" and checked["recorded"] is False, checked
            status, queued = ask(f"{assignment} submit {kind}", f"{service.url}api/assignments/{assignment}/submissions"
                                 f"?filename={quote(notebook.name)}", notebook.read_bytes(), "POST", own)
            assert status == 202, queued
            state = queued
            deadline = time.monotonic() + 300
            while state.get("state") != "done" and time.monotonic() < deadline:
                status, state = ask(f"{assignment} poll {kind}", f"{service.url}api/submissions/{queued['id']}?wait=20",
                                    own=own)
            assert state.get("state") == "done" and "自动评分得分" in state["feedback_html"], state
            assert [line["score"] for line in state["summary"]] == [line["score"] for line in checked["summary"]]
            ask(f"{assignment} feedback {kind}", f"{service.url}api/submissions/{queued['id']}/feedback", own=own)
    ask("list", f"{service.url}api/submissions")
    ask("not a notebook", f"{service.url}api/assignments/ps1_derivatives/checks", b"{not json", "POST")
    ask("unknown assignment", f"{service.url}api/assignments/ps9/checks", b"{}", "POST")
    found = [f"{what}: {hit}" for what, body, own in said for hit in search_text(body, key, own)]
    assert len(said) > 4 * len(ASSIGNMENTS) and found == [], "\n".join(found[:20])
    # Checks are recorded nowhere: only the submissions are in the course.
    assert sorted(p.name for p in (course / "submitted" / "alice").iterdir()) == ASSIGNMENTS
    assert not list((course / ".autograder" / "service" / "checks").glob("*/*"))


def test_the_response_search_sees_code_that_is_shown(class_course, key, tmp_path):
    """A feedback page shows the student's own code: a notebook made of the reference answers gets
    answer-key lines back (and they are the student's own, so they do not count)."""
    course, service, tokens, root = class_course
    notebook = make_submission("ps3_linear_regression", tmp_path / "right.ipynb")
    status, checked, _ = request(f"{service.url}api/assignments/ps3_linear_regression/checks", tokens["bob"],
                                 notebook.read_bytes(), "POST")
    assert status == 200 and checked["score"] == checked["max_score"], checked
    assert search_text(checked["feedback_html"], key), "the search does not see code shown on a page"
    assert search_text(checked["feedback_html"], key, own_lines(notebook)) == []


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "profile")
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def look_at_lab(driver, lab: Lab, name: str) -> list[str]:
    open_notebook(driver, lab, name)
    kernel_idle(driver)
    time.sleep(1)
    assert dirty_tabs(driver) == [], "the notebook is marked modified before any edit"
    return driver.execute_script(INSTRUCTOR_TOOLS)


def test_jupyterlab_in_the_student_environment_shows_only_the_students_tools(student_env, class_course, browser,
                                                                           tmp_path):
    course, service, tokens, root = class_course
    work = tmp_path / "home"
    work.mkdir()
    shutil.copy(release_notebook("ps1_derivatives"), work / "ps1_derivatives.ipynb")
    # The course's own environment (the instructor's): the look sees nbgrader's tools there.
    lab = Lab(work, tmp_path / "instructor-lab.log")
    try:
        instructors = look_at_lab(browser, lab, "ps1_derivatives.ipynb")
    finally:
        lab.stop()
    lab = Lab(work, tmp_path / "student-lab.log", bin_dir=student_env / "bin",
              AUTOGRADER_SERVICE_URL=service.url, AUTOGRADER_TOKEN=tokens["bob"])
    try:
        students = look_at_lab(browser, lab, "ps1_derivatives.ipynb")
        buttons = [b.text for b in browser.find_elements("css selector", ".jp-autograder-check, .jp-autograder-submit")]
        write_answer(browser, "f", "def f(x): return x**3")
        click(browser, ".jp-autograder-check")
        wait_result(browser)
        checked = assert_readable(browser, "student-env-check", tmp_path / "shots")
        rows = summary_rows(browser)
        click(browser, ".jp-autograder-submit")
        score, _ = wait_result(browser)
        submitted = assert_readable(browser, "student-env-submit", tmp_path / "shots")
        status, config, _ = request(f"{lab.url}autograder/config?token={lab.token}")
    finally:
        lab.stop()
    assert any(t.startswith("menu") for t in instructors) and any(t.startswith("sidebar") for t in instructors) \
        and any(t.startswith("toolbar") for t in instructors), instructors
    assert students == [], students
    assert buttons == ["检查", "提交并评分"] and config["mode"] == "service", (buttons, config)
    assert any("立方" in row for row in rows), rows
    assert "自动评分得分" in checked["text"] and "自动评分得分" in submitted["text"]
    assert score.startswith("得分：") and (course / "submitted" / "bob" / "ps1_derivatives").is_dir()


def test_without_a_service_the_student_environment_grades_nothing_itself(student_env, tmp_path):
    """No course service configured: there is no local grader to fall back on; 检查 says so."""
    work = tmp_path / "home"
    work.mkdir()
    shutil.copy(release_notebook("ps1_derivatives"), work / "ps1_derivatives.ipynb")
    lab = Lab(work, tmp_path / "lab.log", bin_dir=student_env / "bin")
    try:
        config = request(f"{lab.url}autograder/config", lab.token)
        checked = request(f"{lab.url}autograder/check", lab.token, b'{"path": "ps1_derivatives.ipynb"}', "POST")
        submitted = request(f"{lab.url}autograder/submit", lab.token, b'{"path": "ps1_derivatives.ipynb"}', "POST")
    finally:
        lab.stop()
    assert config[:2] == (200, {"mode": "none", "service": None}), config
    assert checked[0] == 409 and "没有配置评分服务" in checked[1]["error"], checked
    assert submitted[0] == 409 and "没有配置评分服务" in submitted[1]["error"], submitted
