"""What an instructor sets in nbgrader_config.py, and what follows from it.

    c.GradingService.submissions_per_hour = 10         # per student, all assignments together
    c.GradingService.max_upload_mb = 5                 # the largest notebook accepted
    c.GradingService.rejections_per_hour = 20          # refused uploads per student, a limit of their own
    c.GradingService.uploads_in_flight = 2             # uploads one student may send at the same time
    c.GradingService.due_dates = {"ps1_derivatives": "2026-12-01 23:59:00 Asia/Shanghai"}
    c.GradingService.visibility = "after_due_date"     # visible | after_due_date | hidden
    c.LateSubmissionPlugin.penalty_method = "zero"     # nbgrader's own late penalty ('none' by default)

Due dates are nbgrader's: the service writes them into the gradebook (an assignment's due date
set with `nbgrader db assignment add --duedate` is used when the config names none), each
submission carries nbgrader's timestamp.txt, and nbgrader's `total_seconds_late` and
`AssignLatePenalties` decide what is late and what it costs.

Visibility follows Gradescope's words, for what a student sees of the messages:
- visible: score and every message at once;
- after_due_date: the score at once, the messages once the due date has passed;
- hidden: the score only, always (the instructor's feedback page keeps every message).
A test whose own visibility is stricter than the course's keeps its own.
"""
from __future__ import annotations

import datetime as dt

from traitlets import Dict, Enum, Float, Int, List, Unicode
from traitlets.config import Configurable

VISIBILITIES = ("visible", "after_due_date", "hidden")


class GradingService(Configurable):
    submissions_per_hour = Int(10, config=True,
                               help="Submissions one student may make in any hour (0: no limit).")
    max_upload_mb = Float(5.0, config=True, help="The largest notebook a student may upload, in MB.")
    rejections_per_hour = Int(20, config=True,
                              help="Refused uploads (not a notebook, too large, another assignment's...) one student "
                                   "may make in any hour before every upload of theirs is refused (0: no limit).")
    uploads_in_flight = Int(2, config=True, help="Uploads one student may be sending at the same time (0: no limit).")
    due_dates = Dict(config=True, help="assignment -> due date ('2026-12-01 23:59:00 Asia/Shanghai'; UTC "
                                       "when no zone is given). Written into the gradebook.")
    visibility = Enum(VISIBILITIES, "visible", config=True,
                      help="What a student sees: visible (score and messages), after_due_date (score only "
                           "before the due date), hidden (score only).")
    assignments = List(Unicode(), config=True, help="Assignments accepted (default: every one with a suite).")
    workers = Int(0, config=True, help="Grading processes on this machine (0: one per core).")
    batch = Int(8, config=True, help="At most this many queued submissions of one assignment graded together.")
    worker_slot_base = Int(900, config=True,
                           help="Sandbox slots of the service's workers start here (uid_base + slot), apart from "
                                "those of `autograder autograde` on the same machine.")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 2**20)


def parse_due_date(text: str) -> dt.datetime:
    """nbgrader's own parser (dateutil, zone names allowed); naive UTC as the gradebook stores it."""
    from nbgrader.utils import parse_utc
    return parse_utc(text)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def shows_messages(visibility: str, due: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Whether a student sees the messages of their result now."""
    if visibility == "visible":
        return True
    if visibility == "after_due_date":
        return due is not None and (now or utcnow()) > due
    return False


def test_visible(course: str, test: str, due: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """The stricter of the course's visibility and a test's own ('after_published' counts as hidden)."""
    strict = max(VISIBILITIES.index(course), VISIBILITIES.index(test) if test in VISIBILITIES else 2)
    return shows_messages(VISIBILITIES[strict], due, now)


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int, message: str | None = None):
        super().__init__(message or f"每小时最多提交 {limit} 次，请在 {max(1, retry_after // 60)} 分钟后再提交。")
        self.retry_after = retry_after


def too_many_refused(retry_after: int, limit: int) -> RateLimited:
    return RateLimited(retry_after, limit, f"一小时内被拒绝的上传已有 {limit} 次，请检查要提交的文件，"
                                           f"{max(1, retry_after // 60)} 分钟后再提交。")


def too_many_in_flight(limit: int) -> RateLimited:
    return RateLimited(5, limit, f"你已有 {limit} 个上传正在进行，请等它们完成后再提交。")
