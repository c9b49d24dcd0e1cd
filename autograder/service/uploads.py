"""Receiving a student's upload so that a refused one costs nothing on disk.

Everything that can be said before the body is read is said first: identity, the assignment,
the declared size, the student's rate of submissions and of refused uploads, and how many of
their uploads are already in flight (server.py's Submit.prepare). Only then is the body streamed,
to a private temporary file (0600, in the service's 0700 `incoming/`), never past the size limit;
it becomes an upload (fsynced, renamed into `uploads/`) only once it is accepted, and is removed
the moment it is refused or the connection ends.

Refused uploads (not a notebook, too large, an unknown assignment, another assignment's notebook,
a malformed query) count against a limit of their own, `c.GradingService.rejections_per_hour`,
not against `submissions_per_hour`: a student who sends the wrong file by mistake keeps their
submissions, one who floods the service with refusals is turned away for the hour.
"""
from __future__ import annotations

import math
import os
import time
import unicodedata
import uuid
from collections import defaultdict, deque
from pathlib import Path


class Refusals:
    """Refused uploads per student in the last hour (kept in memory: a restart forgets them)."""

    def __init__(self):
        self.times: dict[str, deque[float]] = defaultdict(deque)

    def add(self, student: str) -> None:
        self.times[student].append(time.time())

    def retry_after(self, student: str, limit: int) -> int:
        """Seconds until this student may upload again; 0 when they may now."""
        if limit <= 0:
            return 0
        recent = self.times[student]
        while recent and recent[0] < time.time() - 3600:
            recent.popleft()
        return int(recent[-limit] + 3600 - time.time()) + 1 if len(recent) >= limit else 0


class InFlight:
    """Uploads being received, per student."""

    def __init__(self):
        self.count: dict[str, int] = defaultdict(int)

    def enter(self, student: str, limit: int) -> bool:
        if limit > 0 and self.count[student] >= limit:
            return False
        self.count[student] += 1
        return True

    def leave(self, student: str) -> None:
        self.count[student] -= 1
        if self.count[student] <= 0:
            del self.count[student]


class Incoming:
    """One upload's body, streamed to a private temporary file, never past `limit` bytes."""

    def __init__(self, directory: Path, limit: int):
        self.path = directory / f"{uuid.uuid4().hex}.part"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        self.limit, self.size = limit, 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.fd is not None and self.size <= self.limit:
            os.write(self.fd, chunk)
        elif self.fd is not None:
            self.discard()   # too large: nothing of it is kept while the rest is read through

    @property
    def too_big(self) -> bool:
        return self.size > self.limit

    def keep(self, target: Path) -> None:
        """Accepted: durable under its final name."""
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None
        os.replace(self.path, target)

    def discard(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class BadQuery(ValueError):
    """A query parameter that cannot be used: the sentence says which and what it must be."""


def query(request, name: str) -> list[str]:
    """A query parameter's values exactly as sent (tornado's own getters turn control characters
    into spaces, which would hide them from the checks below)."""
    try:
        return [value.decode("utf-8") for value in request.query_arguments.get(name, [])]
    except UnicodeDecodeError:
        raise BadQuery(f"参数 {name} 不是有效的 UTF-8 文本。") from None


def one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadQuery(f"参数 {name} 只能给一次（收到 {len(values)} 次）。")
    return values[0] if values else None


def wait_seconds(values: list[str], most: float = 60.0) -> float:
    """`?wait=`: seconds to wait for a change, 0 to `most`."""
    text = one(values, "wait")
    if text is None or text == "":
        return 0.0
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not 0 <= seconds <= most:
        raise BadQuery(f"参数 wait 必须是 0 到 {most:g} 之间的秒数（收到：{text[:40]!r}）。")
    return seconds


def filename(values: list[str], default: str) -> str:
    """`?filename=`: what the student called their file (shown back to them, never a path)."""
    text = one(values, "filename")
    if text is None:
        return default
    name = Path(text).name
    if not name or len(text) > 255 or any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in text):
        raise BadQuery("参数 filename 必须是一个文件名：不超过 255 个字符，不含控制字符。")
    return name


def assignment_filter(values: list[str]) -> str | None:
    """`?assignment=` on the list of one's submissions."""
    text = one(values, "assignment")
    if text is not None and (not text or len(text) > 100 or not all(c.isalnum() or c in "_-" for c in text)):
        raise BadQuery("参数 assignment 必须是作业名称，例如 ps1_derivatives。")
    return text
