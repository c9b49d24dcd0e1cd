"""检查 (check) in class mode: a notebook graded by the service's workers, in the same sandbox as a
submission, and answered with what the student may see, but recorded nowhere (no queue row, no
copy in submitted/, no gradebook entry). Checks have an hourly limit of their own, the same number
as submissions' (`c.GradingService.submissions_per_hour`), so checking never uses up submissions."""
from __future__ import annotations

import time
from collections import deque

from autograder.course.limits import RateLimited


class ChecksLimited(RateLimited):
    def __init__(self, retry_after: int, limit: int):
        super().__init__(retry_after, limit)
        self.args = (f"每小时最多检查 {limit} 次，请在 {max(1, retry_after // 60)} 分钟后再检查。",)


class RecentChecks:
    """When each student's checks of the last hour were made (kept in memory: a restart of the
    service forgets them, as it forgets nothing else a student could lose)."""

    def __init__(self):
        self.times: dict[str, deque[float]] = {}

    def allow(self, student: str, limit: int, now: float | None = None) -> None:
        """Raises ChecksLimited when `student` has made `limit` checks in the last hour."""
        if limit <= 0:
            return
        now = time.time() if now is None else now
        window = self.times.setdefault(student, deque())
        while window and window[0] <= now - 3600:
            window.popleft()
        if len(window) >= limit:
            raise ChecksLimited(int(window[-limit] + 3600 - now) + 1, limit)

    def add(self, student: str, now: float | None = None) -> None:
        self.times.setdefault(student, deque()).append(time.time() if now is None else now)
