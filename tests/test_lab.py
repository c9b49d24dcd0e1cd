"""The JupyterLab side, in a real browser: JupyterLab started here with the project's extension
(built from labextension/src by scripts/setup.sh), driven by headless Chromium. A student opens
the release notebook, writes an answer, clicks 提交并评分 (or 检查, with no course service),
and sees the score in the side panel; the submission is then in the course's gradebook."""
from __future__ import annotations

import json
import shutil
import time

import pytest

from helpers import ROOT, release_notebook
from servers import ASSIGNMENT, Lab, Service, chromium, issue_tokens, make_course

BUILT = ROOT / "labextension" / "build" / "autograder-lab" / "package.json"
ANSWER = "def f(x): return x**2"
WAIT = 180
WATCH_STATUS = """
window.autograderStatuses = [];
new MutationObserver(() => {
  const status = document.querySelector('.jp-autograder-status');
  const seen = window.autograderStatuses;
  if (status && seen[seen.length - 1] !== status.textContent) { seen.push(status.textContent); }
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    assert BUILT.is_file(), "the JupyterLab extension is not built: bash scripts/setup.sh builds it"
    root = tmp_path_factory.mktemp("lab")
    course = make_course(root, students=("alice",))
    tokens = issue_tokens(course)
    service = Service(course, root / "serve.log", "--workers", "1")
    yield course, service, tokens["alice"], root
    service.stop()


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "profile")
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def open_notebook(driver, lab: Lab, name: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{lab.url}lab/tree/{name}?token={lab.token}&reset")
    WebDriverWait(driver, WAIT).until(ready.presence_of_element_located(
        (By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell .cm-content")))


def write_answer(driver, function: str, answer: str) -> None:
    """Click into the function's answer cell, select its text and type the answer, as a student would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    target = None
    deadline = time.monotonic() + WAIT
    while target is None and time.monotonic() < deadline:   # the notebook may still be rendering
        for editor in driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell .cm-content"):
            text = editor.get_attribute("textContent") or ""
            if text.startswith(f"def {function}(") and "NotImplementedError" in text:
                target = editor
                break
        else:
            time.sleep(0.5)
    assert target is not None, f"no answer cell of {function}"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    time.sleep(0.3)
    target.click()
    target.send_keys(Keys.CONTROL, "a")
    target.send_keys(answer)
    deadline = time.monotonic() + 10
    while target.text.strip() != answer and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.text.strip() == answer, target.text


def click(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    button = WebDriverWait(driver, WAIT).until(ready.element_to_be_clickable((By.CSS_SELECTOR, css)))
    button.click()


def panel_score(driver) -> tuple[str, str, str]:
    """The side panel's score line once it shows one, its status line, and the text of the
    feedback page it shows (in a sandboxed frame)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".jp-autograder-score").text.startswith("得分")
        or "没有完成" in d.find_element(By.CSS_SELECTOR, ".jp-autograder-status").text)
    score = driver.find_element(By.CSS_SELECTOR, ".jp-autograder-score").text
    status = driver.find_element(By.CSS_SELECTOR, ".jp-autograder-status").text
    driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, ".jp-autograder-page"))
    try:
        page = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").text)
    finally:
        driver.switch_to.default_content()
    return score, status, page


def test_a_student_submits_from_jupyterlab_and_sees_the_score(course, browser, tmp_path):
    course_dir, service, token, root = course
    work = tmp_path / "home"
    work.mkdir()
    shutil.copy(release_notebook(ASSIGNMENT), work / f"{ASSIGNMENT}.ipynb")
    lab = Lab(work, tmp_path / "lab.log", AUTOGRADER_SERVICE_URL=service.url, AUTOGRADER_TOKEN=token)
    try:
        open_notebook(browser, lab, f"{ASSIGNMENT}.ipynb")
        write_answer(browser, "f", ANSWER)
        browser.execute_script(WATCH_STATUS)
        click(browser, ".jp-autograder-submit")
        score, status, page = panel_score(browser)
        shown = browser.execute_script("return window.autograderStatuses")
        browser.save_screenshot(str(root / "lab-submit.png"))
    finally:
        lab.stop()
    assert score.startswith("得分："), status
    assert any("正在排队" in text or "正在评分" in text for text in shown), shown   # progress, before the score
    got, maximum = (float(x) for x in score.removeprefix("得分：").split("/"))
    # What the course recorded for alice is what she was shown.
    results = json.loads((course_dir / "autograded" / "alice" / ASSIGNMENT / "results.json").read_text())
    assert (got, maximum) == (results["score"], results["max_score"])
    assert f"自动评分得分：{got:g} / {maximum:g}" in page, page[:300]   # the feedback page, in the panel
    by_test = {t["name"].split(":")[0] for t in results["tests"] if t["score"] == t["max_score"] and t["max_score"]}
    assert "f" in by_test and got > 0 and got < maximum     # her f is right, the rest unwritten
    saved = json.loads((course_dir / "submitted" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    assert any("".join(c["source"]).strip() == ANSWER for c in saved["cells"]), "the notebook was saved, then sent"
    assert (course_dir / "submitted" / "alice" / ASSIGNMENT / "timestamp.txt").is_file()
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "alice").code_score == pytest.approx(got)


def test_a_self_learner_checks_locally_without_a_service(browser, tmp_path):
    """No course service: the 检查 button runs `autograder check` through the server extension,
    on a notebook the learner renamed."""
    assert BUILT.is_file(), "the JupyterLab extension is not built: bash scripts/setup.sh builds it"
    work = tmp_path / "home"
    work.mkdir()
    shutil.copy(release_notebook(ASSIGNMENT), work / "我的练习.ipynb")
    lab = Lab(work, tmp_path / "lab.log")
    try:
        open_notebook(browser, lab, "我的练习.ipynb")
        from selenium.webdriver.common.by import By
        assert not browser.find_elements(By.CSS_SELECTOR, ".jp-autograder-submit")
        write_answer(browser, "f", ANSWER)
        click(browser, ".jp-autograder-check")
        score, status, page = panel_score(browser)
        rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, ".jp-autograder-summary tr")]
    finally:
        lab.stop()
    assert score.startswith("得分：") and "检查完成" in status, status
    got, maximum = (float(x) for x in score.removeprefix("得分：").split("/"))
    assert 0 < got < maximum
    assert f"自动评分得分：{got:g} / {maximum:g}" in page and "还没有实现" in page, page[:300]
    assert any(row.startswith("✓") and " f " in f" {row} " for row in rows), rows
