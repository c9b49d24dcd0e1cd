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

from traitlets import Enum
from traitlets.config import Configurable

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
