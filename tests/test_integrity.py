"""`autograder integrity` and the report section after `autograder autograde`, on a real course
(ps3, graded by the real nbgrader-compatible batch): every planted pair is found, no pair of
independent students is flagged, the digests of wrong answers stay on the trusted side, and the
page shows both students' code side by side with the shared parts highlighted (headless chromium)."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT
import integrity_class

ASSIGNMENT = integrity_class.ASSIGNMENT


def run(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)


def rows(course: Path) -> list[dict]:
    with open(course / "reports" / ASSIGNMENT / "integrity.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("integrity") / "course"
    course.mkdir()
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / ASSIGNMENT, course / name / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    made = integrity_class.build_class(course / "submitted", independents=6, common=4)
    done = run(course, "autograde", ASSIGNMENT, "--no-progress")
    assert "Integrity: " in done.stdout, done.stdout + done.stderr
    return course, made


def flagged(found: list[dict]) -> dict[frozenset, dict]:
    return {frozenset((r["student_a"], r["student_b"])): r for r in found}


def test_autograde_writes_the_pairs_every_planted_copy_and_no_independent_pair(graded):
    course, made = graded
    found = rows(course)
    with open(course / "reports" / ASSIGNMENT / "integrity.csv", encoding="utf-8") as handle:
        assert handle.readline().strip() == "student_a,student_b,kind,score,functions,evidence"
    pairs = flagged(found)
    for a, b, how in made["planted"]:
        row = pairs.get(frozenset((a, b)))
        assert row is not None, (how, found)
        assert row["kind"] == ("mistake" if how.startswith("shared") else "code"), row
        assert 0.5 < float(row["score"]) <= 1.0 and row["functions"], row
    planted = {frozenset((a, b)) for a, b, _ in made["planted"]}
    assert set(pairs) == planted, [r for r in found if frozenset((r["student_a"], r["student_b"])) not in planted]
    assert len(made["common_mistake"]) >= 4   # the control: a common mistake, made alone, is no evidence
    assert len(pairs) == len(found)   # one row per pair, whatever the evidence
    both = pairs[frozenset(("src_verbatim", "copy_verbatim"))]   # same code and the same rare wrong answer
    assert both["kind"] == "code" and "same wrong answers: linear_model" in both["evidence"], both
    rare = pairs[frozenset(("rare_a", "rare_b"))]
    assert rare["kind"] == "mistake" and rare["functions"] == "gradient_mse" and "2 gave these numbers" in rare["evidence"]


def test_the_fingerprints_made_beside_the_grading_give_the_commands_pairs(graded):
    """autograde fingerprints the notebooks in a thread while the class is graded
    (integrity/early.py); `autograder integrity` fingerprints them after: the same report."""
    course, _ = graded
    csv_path = course / "reports" / ASSIGNMENT / "integrity.csv"
    early = csv_path.read_text(encoding="utf-8")
    done = run(course, "integrity", ASSIGNMENT)
    assert done.returncode == 0, done.stderr
    assert csv_path.read_text(encoding="utf-8") == early and early.count("\n") > 3


def test_results_keep_what_wrong_functions_returned_and_students_never_see_it(graded):
    from autograder.course.results import SubmissionResult
    from autograder.service.server import student_view

    course, made = graded
    read = {s: json.loads((course / "autograded" / s / ASSIGNMENT / "results.json").read_text())
            for s in ("rare_a", "rare_b", "common0", "common1", "src_renamed")}
    assert read["rare_a"]["answers"]["gradient_mse"] == read["rare_b"]["answers"]["gradient_mse"]
    assert read["common0"]["answers"]["mse_loss"] == read["common1"]["answers"]["mse_loss"]
    assert read["rare_a"]["answers"]["gradient_mse"] != read["common0"]["answers"].get("gradient_mse")
    assert read["src_renamed"]["answers"] == {}   # all right: nothing kept
    digest = read["rare_a"]["answers"]["gradient_mse"]
    for visibility in ("visible", "after_due_date", "hidden"):
        shown = student_view(SubmissionResult.from_json(read["rare_a"]), visibility, None)
        assert digest not in json.dumps(shown.to_json())
    page = next((course / "feedback" / "rare_a" / ASSIGNMENT).glob("*.html")).read_text(encoding="utf-8")
    assert digest not in page and "integrity" not in page.lower()


def test_command_threshold_and_switching_the_section_off(graded, tmp_path):
    course, made = graded
    done = run(course, "integrity", ASSIGNMENT, "--course", ".", "--threshold", "0.95")
    assert done.returncode == 0 and "pair(s) above 0.95" in done.stdout, done.stderr
    assert all(float(r["score"]) > 0.95 for r in rows(course)) and len(rows(course)) < len(made["planted"])
    bad = run(course, "integrity", ASSIGNMENT, "--course", ".", "--threshold", "2")
    assert bad.returncode == 2 and "between 0 and 1" in bad.stderr
    missing = run(course, "integrity", ASSIGNMENT, "--course", ".", "--against", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such directory" in missing.stderr
    empty = tmp_path / "empty"
    shutil.copytree(course / "release", empty / "release")
    nothing = run(empty, "integrity", ASSIGNMENT)
    assert nothing.returncode == 2 and "nothing to compare" in nothing.stderr, nothing.stderr
    # c.Integrity.enabled = False: `autograde` (everything unchanged, so nothing regraded) writes no section
    (course / "reports" / ASSIGNMENT / "integrity.csv").unlink()
    config = (course / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + "\nc.Integrity.enabled = False\n")
    try:
        done = run(course, "autograde", ASSIGNMENT, "--no-progress")
        assert "Integrity:" not in done.stdout
        assert not (course / "reports" / ASSIGNMENT / "integrity.csv").exists()
    finally:
        (course / "nbgrader_config.py").write_text(config)
    done = run(course, "integrity", ASSIGNMENT)
    assert done.returncode == 0 and len(rows(course)) == len(made["planted"])


def test_against_earlier_years_finds_a_copy_of_last_years_work(graded, tmp_path):
    course, made = graded
    archive = tmp_path / "2025"
    shutil.copytree(course / "submitted" / "src_renamed", archive / "alumnus")
    done = run(course, "integrity", ASSIGNMENT, "--against", str(archive))
    assert done.returncode == 0, done.stderr
    pairs = flagged(rows(course))
    assert frozenset(("2025:alumnus", "src_renamed")) in pairs and frozenset(("2025:alumnus", "copy_renamed")) in pairs
    run(course, "integrity", ASSIGNMENT)


def test_the_page_shows_both_codes_side_by_side_with_the_shared_parts_marked(graded, tmp_path):
    from PIL import Image
    from selenium.webdriver.common.by import By

    course, made = graded
    page = course / "reports" / ASSIGNMENT / "integrity.html"
    driver = _start_browser()
    try:
        driver.get(page.as_uri())
        text = driver.execute_script("return document.body.innerText")
        assert "不是结论" in text and "a flag is a reason to talk, not a verdict" in text
        index = [i for i, r in enumerate(rows(course), 1) if r["student_a"].endswith("renamed")][0]
        driver.find_element(By.CSS_SELECTOR, f"a[href='#pair{index}']").click()   # to the pair
        section = driver.find_element(By.ID, f"pair{index}")
        left, right = (section.find_element(By.CSS_SELECTOR, f"pre.{side}") for side in ("left", "right"))
        shot = tmp_path / "integrity.png"
        driver.save_screenshot(str(shot))
        image = Image.open(shot).convert("RGB")
        ratio = image.width / driver.execute_script("return window.innerWidth")
        marked = []
        for element in (left, right):
            box = driver.execute_script("const r = arguments[0].getBoundingClientRect();"
                                        "return [r.left, r.top, r.right, Math.min(r.bottom, window.innerHeight)]", element)
            crop = image.crop(tuple(int(v * ratio) for v in box))
            data = crop.tobytes()
            pixels = [data[i:i + 3] for i in range(0, len(data), 3)]
            marked.append(sum(1 for r, g, b in pixels if r > 240 and 195 < g < 225 and b < 90) / len(pixels))
            assert crop.width > 300 and crop.height > 100, crop.size
        l_box, r_box = left.rect, right.rect
        assert l_box["x"] + l_box["width"] <= r_box["x"] and abs(l_box["y"] - r_box["y"]) < 5   # side by side
        assert all(share > 0.05 for share in marked), marked   # both sides highlighted, visibly
        # a mistake pair: the shared wrong answer and how many in the class gave it
        index = [i for i, r in enumerate(rows(course), 1) if r["kind"] == "mistake"][0]
        driver.find_element(By.CSS_SELECTOR, f"a[href='#pair{index}']").click()
        mistake = driver.find_element(By.ID, f"pair{index}").text
        assert "gradient_mse" in mistake and "2 / " in mistake
    finally:
        driver.quit()


def _start_browser():
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1400,1000",
                     f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-profile-')}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
