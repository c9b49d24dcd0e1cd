"""How much a message may give away: the hint ladder.

    c.Feedback.hints = "cause"      # in nbgrader_config.py: the cause, where the notebook explains it,
                                    # the inputs and the student's own outputs -- never the answer
    c.Feedback.hints = "formula"    # all that, and the formula (the reference's way of writing it)

Unset, each command decides: `check` (a self-learner) gets "formula"; `grade`, `serve` and the
nbgrader bridge get "cause"; `autograde` gets "cause" while the assignment is open and "formula"
once its due date (c.GradingService.due_dates, or the gradebook's) has passed. The level is fixed
when grading starts and travels to the workers with the sandbox settings, so a message written
at the cause level never holds the formula anywhere, not even in results.json.

Texts mark what only the formula level may show with ⟪ ⟫ (`formula("...")`): a mistake model's
"...: dw = -2·mean(X·r)" is written "...⟪：dw = -2·mean(X·r)⟫", and `render` keeps or drops it.
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import dateutil.parser
import dateutil.tz
from traitlets import Enum
from traitlets.config import Configurable

from autograder.course.limits import GradingService

CAUSE, FORMULA = "cause", "formula"
LEVELS = (CAUSE, FORMULA)
OPEN, CLOSE = "⟪", "⟫"
_MARKED = re.compile(f"{OPEN}(.*?){CLOSE}", re.DOTALL)
_INTRODUCED = re.compile(f"[：，:]\\s*{OPEN}(.*?){CLOSE}", re.DOTALL)


class Feedback(Configurable):
    hints = Enum(LEVELS, default_value=None, allow_none=True, config=True,
                 help="How much a student's messages may say: 'cause' (the cause, where the notebook explains "
                      "it, the inputs and their own outputs) or 'formula' (also the formula). Unset: 'formula' "
                      "for `autograder check`, 'cause' for grade, serve and autograde, and for autograde "
                      "'formula' once the assignment's due date has passed.")


def formula(text: str) -> str:
    """Mark `text` as shown at the formula level only."""
    return f"{OPEN}{text}{CLOSE}"


def render(text: str, level: str) -> str:
    """`text` at `level`: the marked parts kept (formula) or dropped (cause), with the colon or
    comma that introduced a dropped part."""
    if OPEN not in text:
        return text
    if level == FORMULA:
        return _MARKED.sub(r"\1", text)
    text = _INTRODUCED.sub("", text)
    return _MARKED.sub("", text).replace("。。", "。").replace("：。", "。").replace("，。", "。")


def level_for(config, command: str, due: dt.datetime | None = None, now: dt.datetime | None = None) -> str:
    """The level a command writes messages at: the course's c.Feedback.hints if set, else the
    command's own default (see the module's docstring). `due` and `now` are naive UTC."""
    chosen = Feedback(config=config).hints if config is not None else None
    if chosen:
        return chosen
    if command == "check":
        return FORMULA
    if command == "autograde" and due is not None:
        now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        return FORMULA if now > due else CAUSE
    return CAUSE


def due_date(course: Path, assignment_id: str, config) -> dt.datetime | None:
    """The assignment's due date, naive UTC: c.GradingService.due_dates, else the gradebook's
    (`nbgrader db assignment add --duedate`), read without importing nbgrader (seconds: grading
    starts before it)."""
    configured = GradingService(config=config).due_dates.get(assignment_id) if config is not None else None
    if configured:
        return _utc(str(configured))
    gradebook = Path(course) / "gradebook.db"
    if not gradebook.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True) as db:
            row = db.execute("SELECT duedate FROM assignment WHERE name = ?", (assignment_id,)).fetchone()
    except sqlite3.Error:
        return None
    return _utc(str(row[0])) if row and row[0] else None


def _utc(text: str) -> dt.datetime:
    """nbgrader's reading of a due date ("2026-12-01 23:59:00 Asia/Shanghai"; UTC without a zone)."""
    parts = text.split(" ")
    if len(parts) == 3:
        zone = dateutil.tz.tzoffset(None, int(parts[2])) if parts[2].lstrip("+-").isdigit() else dateutil.tz.gettz(parts[2])
        moment = dateutil.parser.parse(" ".join(parts[:2])).replace(tzinfo=zone)
    else:
        moment = dateutil.parser.parse(text)
    if moment.tzinfo is not None:
        moment = (moment - moment.utcoffset()).replace(tzinfo=None)
    return moment
