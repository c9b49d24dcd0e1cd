"""A student in JupyterLab, in headless Chromium: open a notebook, type an answer, click, and look
at the side panel as a person sees it (the frame's size and its pixels, not its DOM text)."""
from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

WAIT = 180
# Where screenshots are copied for a person to look at (AUTOGRADER_SCREENSHOTS=DIR); the test's own
# temporary directory otherwise.
SCREENSHOTS = os.environ.get("AUTOGRADER_SCREENSHOTS")


def open_notebook(driver, lab, name: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{lab.url}lab/tree/{name}?token={lab.token}&reset")
    WebDriverWait(driver, WAIT).until(ready.presence_of_element_located(
        (By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell .cm-content")))


def kernel_idle(driver) -> None:
    """Wait until the notebook's kernel has started and said who it is (what would mark the
    notebook modified, if its metadata differed)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(lambda d: "Idle" in (d.execute_script(
        "const e = document.querySelector('.jp-NotebookPanel-toolbar [data-jp-item-name=executionProgress]');"
        "return e ? e.textContent : '';") or ""))


def dirty_tabs(driver) -> list[str]:
    """The titles of the tabs that show the unsaved-changes mark."""
    return driver.execute_script(
        "return [...document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')].map(e => e.textContent)")


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


def click(driver, css: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    button = WebDriverWait(driver, WAIT).until(ready.element_to_be_clickable((By.CSS_SELECTOR, css)))
    button.click()


def start_watching_status(driver) -> None:
    """Record every text the panel's status line shows from now on (window.autograderStatuses)."""
    driver.execute_script("""
window.autograderStatuses = [];
new MutationObserver(() => {
  const status = document.querySelector('.jp-autograder-status');
  const seen = window.autograderStatuses;
  if (status && seen[seen.length - 1] !== status.textContent) { seen.push(status.textContent); }
}).observe(document.body, {subtree: true, childList: true, characterData: true});
""")


def wait_result(driver, after: str | None = None) -> tuple[str, str]:
    """(score line, status line) once the panel shows a result (a new one, when `after` is the
    status it showed before the click) or says it failed."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(d):
        status = d.find_element(By.CSS_SELECTOR, ".jp-autograder-status")
        if "jp-autograder-busy" in (status.get_attribute("class") or ""):
            return False
        return "完成" in status.text or "没有完成" in status.text or "无法评分" in status.text

    WebDriverWait(driver, WAIT).until(shown)
    return (driver.find_element(By.CSS_SELECTOR, ".jp-autograder-score").text,
            driver.find_element(By.CSS_SELECTOR, ".jp-autograder-status").text)


def summary_rows(driver) -> list[str]:
    from selenium.webdriver.common.by import By
    return [row.text for row in driver.find_elements(By.CSS_SELECTOR, ".jp-autograder-summary tr")]


def hide_notifications(driver) -> None:
    """JupyterLab's own toasts (the news prompt) float over the panel's corner: out of the picture."""
    driver.execute_script(
        "document.querySelectorAll('.Toastify, .jp-toast-container').forEach(e => e.style.visibility = 'hidden')")


def frame_view(driver) -> dict:
    """What the feedback frame looks like: its size on screen, its document's body and viewport
    (measured inside the frame), its text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    frame = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, ".jp-autograder-page"))
    outside = frame.rect
    driver.switch_to.frame(frame)
    try:
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete"
                                        and d.find_element(By.TAG_NAME, "body").text)
        inside = driver.execute_script(
            "const r = document.body.getBoundingClientRect();"
            "return {body_width: r.width, body_height: r.height, view_width: innerWidth, view_height: innerHeight,"
            " text: document.body.innerText};")
    finally:
        driver.switch_to.default_content()
    return {"width": outside["width"], "height": outside["height"], **inside}


def pixels(png: bytes, margin: int = 3) -> tuple[float, int]:
    """(share of pixels that are not white, number of distinct colours) of a screenshot, its
    border (the frame's own 1 px line) left out."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    image = image.crop((margin, margin, width - margin, height - margin))
    data = list(image.getdata())
    inked = sum(1 for r, g, b in data if min(r, g, b) < 235)
    return inked / max(1, len(data)), len(set(data))


def frame_screenshot(driver, name: str, folder: Path) -> tuple[float, int]:
    """A screenshot of the feedback frame as it is on screen (saved as `name`.png in `folder` and
    in $AUTOGRADER_SCREENSHOTS), and its pixels."""
    from selenium.webdriver.common.by import By

    hide_notifications(driver)
    time.sleep(0.5)   # a frame that just got its page paints on the next frames
    png = driver.find_element(By.CSS_SELECTOR, ".jp-autograder-page").screenshot_as_png
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.png").write_bytes(png)
    driver.save_screenshot(str(folder / f"{name}-window.png"))
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        for suffix in (".png", "-window.png"):
            shutil.copy(folder / f"{name}{suffix}", Path(SCREENSHOTS) / f"{name}{suffix}")
    return pixels(png)


def assert_readable(driver, name: str, folder: Path) -> dict:
    """The panel's feedback page is there for a person: the frame's document is laid out at least
    200 x 200 px and its screenshot is not a blank box."""
    view = frame_view(driver)
    assert view["body_width"] >= 200 and view["view_height"] >= 200 and view["body_height"] >= 200, view
    inked, colours = frame_screenshot(driver, name, folder)
    assert inked > 0.02 and colours > 40, f"{name}: the frame looks blank ({inked:.1%} inked, {colours} colours)"
    return {**view, "inked": inked, "colours": colours}
