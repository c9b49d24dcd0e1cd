"""The JupyterLab side, in a real browser: JupyterLab started here with the project's extension
(built from labextension/src by scripts/setup.sh), driven by headless Chromium. A student opens
the release notebook (not marked modified), writes a wrong answer, clicks 检查 and 提交并评分
(through a real `autograder serve`), or 检查 with no course service, and reads the panel as a
person sees it: the feedback page laid out in its frame and not a blank box (pixels, after a real
click), a line per function with its cause, a link that opens the same page in a tab."""
from __future__ import annotations

import json
import shutil
import time

import pytest

from helpers import ROOT, release_notebook
from lab_browser import (assert_readable, click, dirty_tabs, kernel_idle, open_notebook, start_watching_status,
                         summary_rows, wait_result, write_answer)
from servers import ASSIGNMENT, Lab, Service, chromium, issue_tokens, make_course, request

BUILT = ROOT / "student" / "autograder_lab" / "labextension" / "package.json"
WRONG_F = "def f(x): return x**3"        # a diagnosed mistake: the cube, not the square
CAUSE_OF_F = "立方"                       # ... which the cause names
WAIT = 180


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


def opened_clean(driver, lab: Lab, name: str) -> None:
    """Open a released notebook and let its kernel start: it must not look modified."""
    open_notebook(driver, lab, name)
    kernel_idle(driver)
    time.sleep(1)
    assert dirty_tabs(driver) == [], "the notebook is marked modified before any edit"


def cause_rows(driver, function: str) -> list[str]:
    """The line under `function`'s row in the panel's table (its cause)."""
    rows = summary_rows(driver)
    return [rows[i + 1] for i, row in enumerate(rows[:-1]) if f" {function} " in f" {row} " and row.startswith("✗")]


def test_a_student_checks_then_submits_and_reads_the_feedback(course, browser, tmp_path):
    course_dir, service, token, root = course
    work = tmp_path / "home"
    work.mkdir()
    shutil.copy(release_notebook(ASSIGNMENT), work / f"{ASSIGNMENT}.ipynb")
    lab = Lab(work, tmp_path / "lab.log", AUTOGRADER_SERVICE_URL=service.url, AUTOGRADER_TOKEN=token)
    try:
        opened_clean(browser, lab, f"{ASSIGNMENT}.ipynb")
        write_answer(browser, "f", WRONG_F)
        # 检查 in class mode: graded by the service, recorded nowhere.
        click(browser, ".jp-autograder-check")
        _, status = wait_result(browser)
        checked = assert_readable(browser, "class-check", tmp_path / "shots")
        check_causes = cause_rows(browser, "f")
        assert not (course_dir / "submitted" / "alice").exists(), "a check was recorded as a submission"
        # 提交并评分: queued, graded, stored; the panel shows it as well.
        start_watching_status(browser)
        click(browser, ".jp-autograder-submit")
        score, _ = wait_result(browser)
        shown = browser.execute_script("return window.autograderStatuses")
        submitted = assert_readable(browser, "submit", tmp_path / "shots")
        submit_causes = cause_rows(browser, "f")
        link = browser.find_element("css selector", ".jp-autograder-open").get_attribute("href")
        # The link: the same page in a tab of its own, under a policy that runs nothing.
        status_code, _, headers = request(f"{link}?token={lab.token}")
        browser.switch_to.new_window("tab")
        browser.get(link)
        tab_text = browser.find_element("tag name", "body").text
        browser.save_screenshot(str(tmp_path / "shots" / "tab.png"))
    finally:
        lab.stop()
    assert "检查完成（不计入成绩）" in status, status
    assert check_causes and CAUSE_OF_F in check_causes[0], check_causes
    assert "自动评分得分" in checked["text"] and CAUSE_OF_F in checked["text"], checked["text"][:300]
    assert any("正在排队" in text or "正在评分" in text for text in shown), shown   # progress, before the score
    assert submit_causes == check_causes
    got, maximum = (float(x) for x in score.removeprefix("得分：").split("/"))
    # What the course recorded for alice is what she was shown.
    results = json.loads((course_dir / "autograded" / "alice" / ASSIGNMENT / "results.json").read_text())
    assert (got, maximum) == (results["score"], results["max_score"]) and got == 0
    assert f"自动评分得分：{got:g} / {maximum:g}" in submitted["text"], submitted["text"][:300]
    saved = json.loads((course_dir / "submitted" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    assert any("".join(c["source"]).strip() == WRONG_F for c in saved["cells"]), "the notebook was saved, then sent"
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "alice").code_score == pytest.approx(got)
    assert status_code == 200 and headers["Content-Security-Policy"].startswith("sandbox;"), dict(headers)
    assert f"自动评分得分：{got:g} / {maximum:g}" in tab_text and CAUSE_OF_F in tab_text, tab_text[:300]


def test_a_self_learner_checks_twice_widens_the_panel_and_hides_it_while_checking(browser, tmp_path):
    """No course service: 检查 runs `autograder check` here, on a notebook the learner renamed.
    Two checks in a row, each readable; the panel widens; a page that arrives while the panel is
    hidden is readable once the panel is shown again (the frame is filled after it is shown)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    assert BUILT.is_file(), "the JupyterLab extension is not built: bash scripts/setup.sh builds it"
    work = tmp_path / "home"
    work.mkdir()
    shutil.copy(release_notebook(ASSIGNMENT), work / "我的练习.ipynb")
    lab = Lab(work, tmp_path / "lab.log")
    try:
        opened_clean(browser, lab, "我的练习.ipynb")
        assert not browser.find_elements(By.CSS_SELECTOR, ".jp-autograder-submit")
        write_answer(browser, "f", WRONG_F)
        views = []
        for n in (1, 2):
            click(browser, ".jp-autograder-check")
            score, status = wait_result(browser)
            views.append(assert_readable(browser, f"local-check-{n}", tmp_path / "shots"))
            assert "检查完成" in status and score == "得分：0 / 12", (score, status)
        causes = cause_rows(browser, "f")
        # Hidden while the check runs: the side area collapsed by its tab, opened after the result.
        tab = '.jp-SideBar.jp-mod-right .lm-TabBar-tab[data-id="autograder-feedback"]'
        click(browser, ".jp-autograder-check")
        click(browser, tab)
        WebDriverWait(browser, 10).until(lambda d: not d.find_element(By.ID, "autograder-feedback").is_displayed())
        WebDriverWait(browser, WAIT).until(lambda d: "检查完成" in d.execute_script(
            "return document.querySelector('.jp-autograder-status').textContent"))
        click(browser, tab)
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "autograder-feedback").is_displayed())
        after_hidden = assert_readable(browser, "shown-after-hidden", tmp_path / "shots")
        click(browser, ".jp-autograder-widen")
        time.sleep(0.5)
        wide = assert_readable(browser, "widened", tmp_path / "shots")
        click(browser, ".jp-autograder-check")   # still on the toolbar of the narrowed notebook
        wait_result(browser)
    finally:
        lab.stop()
    assert causes and CAUSE_OF_F in causes[0], causes
    for view in views + [after_hidden]:
        assert "还没有实现" in view["text"] and CAUSE_OF_F in view["text"], view["text"][:300]
    assert wide["width"] >= 1.5 * views[-1]["width"], (views[-1]["width"], wide["width"])


def test_release_notebooks_carry_what_the_kernel_says_of_itself():
    """JupyterLab writes the running kernel's kernelspec and language_info into the notebook when
    the kernel starts; a release notebook that held anything else would open marked modified."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    for path in sorted((ROOT / "release").glob("*/*.ipynb")):
        metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
        assert metadata["language_info"] == IPythonKernel.language_info, path.name
        assert metadata["kernelspec"] == {"display_name": spec.display_name, "language": spec.language,
                                          "name": "python3"}, path.name

