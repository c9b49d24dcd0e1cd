"""Configuration: the course's nbgrader_config.py (traitlets), then command-line flags."""
from __future__ import annotations

from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.course.hints import due_date, level_for
from autograder.sandbox.settings import SandboxSettings


def load_config(course_root: Path) -> Config:
    """The Config in `course_root/nbgrader_config.py`, or an empty one."""
    path = course_root / "nbgrader_config.py"
    if not path.is_file():
        return Config()
    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


def sandbox_settings(course_root: Path, overrides: dict | None = None) -> SandboxSettings:
    config = load_config(course_root)
    settings = SandboxSettings(config=config)
    settings.hints = level_for(config, "default")   # c.Feedback.hints, else the cause level (commands may raise it)
    for name, value in (overrides or {}).items():
        if value is not None:
            setattr(settings, name, value)
    return settings


def autograde_settings(course_root: Path, assignment_id: str, overrides: dict | None = None) -> SandboxSettings:
    """`autograde`'s settings: messages at the cause level while the assignment is open, the formula
    level after its due date (hints.py). The level is part of each result's fingerprint, so a run
    after the due date writes every result again."""
    settings = sandbox_settings(course_root, overrides)
    config = load_config(course_root)
    settings.hints = level_for(config, "autograde", due_date(course_root, assignment_id, config))
    return settings
