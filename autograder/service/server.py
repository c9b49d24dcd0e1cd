"""`autograder serve`: grade on submit, over HTTP (tornado, the framework of Jupyter Server and
JupyterHub, so it runs as a JupyterHub service with the hub's own authentication).

    POST /api/assignments/<assignment>/submissions   the notebook as the body -> 202 {id, position}
    GET  /api/submissions/<id>[?wait=30]             its state (queued, grading, done), then score,
                                                     summary per function and the feedback page
    GET  /api/submissions/<id>/feedback               the feedback page (HTML)
    POST /api/assignments/<assignment>/checks        检查: graded like a submission, recorded nowhere -> 200
                                                     {score, summary, feedback_html} (checks.py)
    GET  /api/submissions[?assignment=...]            the student's own submissions
    GET  /api/me                                      who the service takes you for, assignments, limits
    GET  /api/health                                  no identity needed

Every request but /api/health needs a student's identity (identity.py); a student only ever sees
their own submissions. An accepted submission is on disk and in the queue (queue.py) before the
answer "202 accepted" is sent; grading runs in warm worker processes of this machine or, with
--scheduler, on a Dask cluster, through the same engine (Grader) and sandbox as `autograde`; each
graded submission is stored the nbgrader way (store.py).
"""
from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import tornado.httpserver
import tornado.netutil
import tornado.web

import autograder.views.feedback
import autograder.views.figures
from autograder.course.assignments import Assignment
from autograder.course.assignments import assignment_ids
from autograder.course.config import load_config, sandbox_settings
from autograder.course.limits import (GradingService, RateLimited, shows_messages, test_visible, too_many_in_flight,
                                       too_many_refused, utcnow)
from autograder.course.limits import parse_due_date
from autograder.course.notebook import NotebookError, read_notebook
from autograder.course.results import Outcome, SubmissionResult, TestResult, write_atomically
from autograder.dispatch.watchdog import allowance
from autograder.dispatch.worker import sent_text
from autograder.grading.failures import STUCK, WORKER_DIED, ErrorResults, suite_max_score
from autograder.service import identity as identities
from autograder.service import private
from autograder.service.backends import DaskBackend, LocalBackend, WorkerDied, WorkerStuck
from autograder.service.checks import RecentChecks
from autograder.service.identity import HubIdentity
from autograder.service.identity import Refused
from autograder.service.private import others_can_enter, private_dir, tighten
from autograder.service.queue import Row, SubmissionQueue
from autograder.service.store import CourseStore, nbgrader_timestamp
from autograder.service.summary import summary
from autograder.service.uploads import (BadQuery, InFlight, Incoming, Refusals, assignment_filter, filename, query,
                                        wait_seconds)
from autograder.views import feedback, pages

log = logging.getLogger("autograder.serve")

NOT_STORED = "not stored: 成绩没能存进课程的成绩册（服务器的问题，不是你的笔记本的问题）；请告诉老师。"
STUDENT_NAME = re.compile(r"^[\w@+\-][\w.@+\-]{0,99}$")


def hard_cap(limit: int) -> int:
    """Uploads up to this size are read through (and dropped) so that the answer 413 reaches the
    client; larger ones are cut off."""
    return max(4 * limit, 64 * 2**20)


# ----------------------------------------------------------------------------- service

class Service:
    def __init__(self, course: Path, scheduler: str | None = None, workers: int | None = None,
                 overrides: dict | None = None, identity=None):
        self.course = Path(course).resolve()
        self.config = load_config(self.course)
        self.settings = GradingService(config=self.config)
        self.sandbox = sandbox_settings(self.course, overrides)
        self.identity = identity or identities.from_environment(self.course)
        self.home = private_dir(self.course / ".autograder" / "service")
        tighten(self.course / ".autograder")
        tighten(self.course / ".autograder" / "tokens.json")
        self.uploads = private_dir(self.home / "uploads")
        self.incoming = private_dir(self.home / "incoming")   # uploads being received
        private_dir(self.home / "pages")
        tighten(self.course / "gradebook.db")
        self.queue = SubmissionQueue(self.home / "queue.sqlite")
        self.store = CourseStore(self.course, self.settings)
        self.recorder = ThreadPoolExecutor(1, thread_name_prefix="recorder")
        self.renderer: ProcessPoolExecutor | None = None
        known = set(assignment_ids())
        self.assignments = [a for a in (self.settings.assignments or sorted(known)) if a in known]
        count = workers or self.settings.workers or os.cpu_count() or 1
        self.backend = (DaskBackend(self.sandbox, self.course, scheduler) if scheduler
                        else LocalBackend(self.sandbox, self.course, count, self.settings.worker_slot_base))
        self.free = 0
        self.wake = asyncio.Event()
        self.changed: dict[str, asyncio.Event] = {}
        self.pending_records = 0
        self._due: dict[str, object] = {}
        self._prepared: set[str] = set()
        self._tasks: set[asyncio.Task] = set()
        self._errors: dict[str, ErrorResults] = {}
        self.refusals, self.in_flight = Refusals(), InFlight()
        self.stopping = False
        self.recent_checks = RecentChecks()

    # ------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        for row in self.queue.recover():       # graded before the stop, not yet stored
            self._spawn(self.record(row, SubmissionResult.from_json(row.result)))
        for assignment in self.settings.assignments:   # named in the config: known to the gradebook now
            if assignment in self.assignments:
                self._prepared.add(assignment)
                asyncio.get_running_loop().run_in_executor(self.recorder, self.store.prepare, assignment)
        await self.backend.start()
        self.free = self.backend.capacity
        size = max(1, min(self.free, os.cpu_count() or 1))
        self.renderer = ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_warm_renderer)
        self._spawn(self.dispatch())
        self.wake.set()

    async def close(self) -> None:
        self.stopping = True
        self.wake.set()
        await self.backend.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.get_running_loop().run_in_executor(self.recorder, self.store.flush)
        self.recorder.shutdown(wait=True)
        if self.renderer is not None:
            self.renderer.shutdown(wait=False, cancel_futures=True)
        self.queue.close()

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def notify(self, submission_id: str) -> None:
        event = self.changed.pop(submission_id, None)
        if event:
            event.set()

    async def wait_change(self, submission_id: str, timeout: float) -> None:
        event = self.changed.setdefault(submission_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    # ------------------------------------------------------------------------ accepting

    def due_date(self, assignment: str):
        """Naive UTC, from the config or, failing that, the gradebook (nbgrader db assignment add --duedate)."""
        if assignment not in self._due:

            configured = self.settings.due_dates.get(assignment)
            due = parse_due_date(str(configured)) if configured else None
            if due is None and (self.course / "gradebook.db").is_file():
                from nbgrader.api import Gradebook, MissingEntry
                try:
                    with Gradebook(self.store.coursedir.db_url, self.store.coursedir.course_id) as gb:
                        due = gb.find_assignment(assignment).duedate
                except MissingEntry:
                    due = None
            self._due[assignment] = due
        return self._due[assignment]

    def check_rate(self, student: str) -> None:
        limit = self.settings.submissions_per_hour
        if limit <= 0:
            return
        now = time.time()
        recent = self.queue.received_since(student, now - 3600)
        if len(recent) >= limit:
            raise RateLimited(int(recent[-limit] + 3600 - now) + 1, limit)

    def accept(self, student: str, assignment: str, filename: str, incoming: Incoming) -> Row:
        """Validate, keep on disk, queue. Raises NotebookError or RateLimited; a refused upload
        leaves nothing behind (the caller discards `incoming`)."""
        self.check_rate(student)
        self.store.check(assignment, incoming.path.read_bytes())   # (another assignment's notebook: refused, nothing written)
        submission_id = uuid.uuid4().hex
        upload = self.uploads / f"{submission_id}.ipynb"
        incoming.keep(upload)
        received = time.time()
        due = self.due_date(assignment)
        late = max(0.0, (utcnow() - due).total_seconds()) if due else 0.0
        self.queue.add(student, assignment, filename, upload, received, nbgrader_timestamp(received), late,
                       submission_id)
        if assignment not in self._prepared:   # the gradebook learns the assignment while it is graded
            self._prepared.add(assignment)
            asyncio.get_running_loop().run_in_executor(self.recorder, self.store.prepare, assignment)
        self.wake.set()
        log.info("queued %s: %s for %s (%s)", submission_id[:8], student, assignment, filename)
        return self.queue.get(submission_id)

    # ------------------------------------------------------------------------- grading

    async def dispatch(self) -> None:
        while not self.stopping:
            await self.wake.wait()
            self.wake.clear()
            while self.free > 0 and not self.stopping:
                queued = self.queue.queued()
                if not queued:
                    break
                size = max(1, min(self.settings.batch, -(-queued // self.free)))
                rows = self.queue.next_batch(size)
                if not rows:
                    break
                self.queue.start([r.id for r in rows])
                self.free -= 1
                for row in rows:
                    self.notify(row.id)
                self._spawn(self.run_batch(rows))

    async def run_batch(self, rows: list[Row]) -> None:
        assignment = rows[0].assignment
        by_path = {row.upload: row for row in rows}
        got: set[str] = set()
        loop = asyncio.get_running_loop()
        fingerprints = {}
        for row in rows:
            fingerprints[row.upload] = await loop.run_in_executor(None, self.store.fingerprint, assignment,
                                                                  Path(row.upload))

        def on_result(result: SubmissionResult) -> None:
            row = by_path.get(result.submission)
            if row is None or row.id in got:
                return
            got.add(row.id)
            self.queue.graded(row.id, sent_text(result) or result.to_json())
            self._spawn(self.record(row, result))

        batch = uuid.uuid4().hex[:12]
        started = time.monotonic()
        failure = WORKER_DIED
        try:
            await self.backend.grade(batch, assignment, list(by_path), fingerprints, on_result)
        except WorkerStuck as exc:
            log.warning("batch %s: %s", batch, exc)
            failure = STUCK.format(seconds=allowance(self.sandbox))
        except WorkerDied as exc:
            log.warning("batch %s: %s", batch, exc)
        except Exception:
            log.exception("batch %s failed", batch)
        finally:
            if not self.stopping:
                for row in rows:
                    if row.id in got:
                        continue
                    # Graded again alone (next_batch), unless it failed alone on a second try.
                    if len(rows) > 1 or row.attempts + 1 < 2:
                        self.queue.requeue([row.id])
                        self.notify(row.id)
                    else:
                        errors = await self.errors(assignment)
                        on_result(errors(row.upload, failure, fingerprints.get(row.upload)))
                self.free += 1
                self.wake.set()
        log.info("graded %d of %s in %.2fs", len(got), assignment, time.monotonic() - started)

    async def errors(self, assignment: str) -> ErrorResults:
        """Error results of this assignment with its real max_score (its suite collected once, in a
        renderer process: pytest is no guest for the event loop's process)."""
        if assignment not in self._errors:
            maximum = await asyncio.get_running_loop().run_in_executor(self.renderer, suite_max_score, assignment,
                                                                       str(self.course))
            self._errors[assignment] = ErrorResults(assignment, self.course, maximum)
        return self._errors[assignment]

    async def record(self, row: Row, result: SubmissionResult) -> None:
        """Draw the pages (renderer processes), then store (the recorder's thread, one writer). A page
        that cannot be drawn is replaced by a plain one; storing is tried three times."""
        loop = asyncio.get_running_loop()
        self.pending_records += 1
        outcome = "not stored"
        try:
            page = await self.render_or_plain(result, row)
            shown = student_view(result, self.settings.visibility, self.due_date(row.assignment))
            mine = page if shown.tests == result.tests and shown.figures == result.figures else \
                await self.render_or_plain(shown, row)
            write_atomically(self._page_path(row), mine)
            for attempt in range(3):
                try:
                    outcome = await loop.run_in_executor(self.recorder, self.store.store, row.student,
                                                         row.assignment, Path(row.upload), row.timestamp, result, page)
                    break
                except Exception:   # the result stays in the queue; the instructor sees why in the log
                    log.exception("storing %s failed (attempt %d)", row.id, attempt + 1)
                    outcome = NOT_STORED   # (never the exception: its text is the grader's, not the student's)
                    await asyncio.sleep(1 + attempt)
        finally:
            self.pending_records -= 1
        self.queue.done(row.id, outcome)
        self.notify(row.id)
        if self.pending_records == 0:
            loop.run_in_executor(self.recorder, self.store.flush)

    async def render_or_plain(self, result: SubmissionResult, row: Row) -> str:
        try:
            return await self.render(result, row)
        except Exception:
            log.exception("drawing the page of %s failed", row.id)
            return plain_page(result, row.student)

    # ------------------------------------------------------------------------- reading

    def view(self, row: Row) -> dict:
        """A submission as its student may see it."""
        data = {"id": row.id, "assignment": row.assignment, "student": row.student, "filename": row.filename,
                "received": nbgrader_timestamp(row.received), "late": row.seconds_late > 0,
                "seconds_late": round(row.seconds_late, 1), "state": "done" if row.state == "done" else row.state,
                "links": {"self": f"api/submissions/{row.id}", "feedback": f"api/submissions/{row.id}/feedback"}}
        if row.state == "queued":
            data["position"] = self.queue.position(row)
        if row.state == "graded":
            data["state"] = "grading"          # graded, being stored
        if row.state != "done":
            return data
        result = SubmissionResult.from_json(row.result)
        due = self.due_date(row.assignment)
        shown = shows_messages(self.settings.visibility, due)
        data.update({"status": result.status.value, "score": result.score if result.status == "graded" else 0.0,
                     "max_score": result.max_score, "visibility": self.settings.visibility, "messages_shown": shown,
                     "due_date": due.isoformat() + "Z" if due else None, "stored": row.stored,
                     "summary": summary(student_view(result, self.settings.visibility, due)),
                     "error": result.error})
        return data

    async def check(self, student: str, assignment: str, body: bytes) -> dict:
        """检查: grade `body` as a submission is graded (the same workers and sandbox) and answer
        with what the student may see of it; nothing is kept. Raises NotebookError or RateLimited."""
        self.recent_checks.allow(student, self.settings.submissions_per_hour)
        key = uuid.uuid4().hex
        path = self.home / "checks" / key / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.write_bytes(body)
            read_notebook(path)
            self.store.check(assignment, body)   # another assignment's notebook: a sentence, no check used
            self.recent_checks.add(student)
            got: list[SubmissionResult] = []
            failure = WORKER_DIED
            try:
                await self.backend.grade(f"check-{key[:8]}", assignment, [str(path)], {}, got.append)
            except WorkerStuck as exc:
                log.warning("check %s: %s", key[:8], exc)
                failure = STUCK.format(seconds=allowance(self.sandbox))
            except WorkerDied as exc:
                log.warning("check %s: %s", key[:8], exc)
            result = got[0] if got else (await self.errors(assignment))(str(path), failure, None)
            due = self.due_date(assignment)
            shown = student_view(result, self.settings.visibility, due)
            try:
                page = await asyncio.get_running_loop().run_in_executor(self.renderer, render_page, shown.to_json(),
                                                                        student, str(path))
            except Exception:
                log.exception("drawing the page of check %s failed", key[:8])
                page = plain_page(shown, student)
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
        log.info("checked %s: %s for %s", key[:8], student, assignment)
        return {"state": "done", "assignment": assignment, "recorded": False, "status": result.status.value,
                "score": result.score if result.status == "graded" else 0.0, "max_score": result.max_score,
                "visibility": self.settings.visibility, "messages_shown": shows_messages(self.settings.visibility, due),
                "summary": summary(shown), "error": result.error, "feedback_html": page}

    async def view_with_page(self, row: Row) -> dict:
        data = self.view(row)
        if row.state == "done":
            data["feedback_html"] = await self.page(row)
        return data

    # Pages are drawn once (figures and all, off the event loop) and kept: one as the student
    # may see it before the due date, one after, whichever is asked for.

    def _page_path(self, row: Row) -> Path:
        shown = shows_messages(self.settings.visibility, self.due_date(row.assignment))
        return self.home / "pages" / f"{row.id}.{'full' if shown else 'score'}.html"

    async def page(self, row: Row) -> str:
        path = self._page_path(row)
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
        result = SubmissionResult.from_json(row.result)
        page = await self.render(student_view(result, self.settings.visibility, self.due_date(row.assignment)),
                                 row)
        write_atomically(path, page)
        return page

    async def render(self, result: SubmissionResult, row: Row) -> str:
        """A feedback page, drawn in the renderer processes (templates and figures: CPU, the GIL)."""
        return await asyncio.get_running_loop().run_in_executor(self.renderer, render_page,
                                                                sent_text(result) or result.to_json(),
                                                                row.student, row.upload)


def plain_page(result: SubmissionResult, student: str) -> str:
    """When the full page cannot be drawn: the score and the line per function, nothing more."""
    return feedback.plain(result, student)


def render_page(result: dict | str, student: str, notebook: str) -> str:
    """In a renderer process: the feedback page `autograde` writes, for this result (its data, or
    the text a worker sent, parsed here: passed on as it is, not serialised again)."""

    path = Path(notebook)
    data = json.loads(result) if isinstance(result, str) else result
    return feedback.render(SubmissionResult.from_json(data), student, path if path.is_file() else None)


def _warm_renderer() -> None:
    """A renderer process ignores Ctrl-C (the service stops it; Ctrl-C reaches the whole group)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def student_view(result: SubmissionResult, visibility: str, due, now=None) -> SubmissionResult:
    """What a student may see of a result: every test whose messages are visible to them as it is;
    the others folded, per function, into one line with the points and no message."""
    if not result.tests:
        return result
    hidden_note = ("详细信息在截止日期后显示" if visibility == "after_due_date" else "详细信息不向学生显示")
    tests: list[TestResult] = []
    folded: dict[str, TestResult] = {}
    for test in result.tests:
        if test_visible(visibility, test.visibility, due, now):
            tests.append(test)
            continue
        line = folded.get(test.grade_id)
        if line is None:
            line = TestResult(test.grade_id, f"得分（{hidden_note}）", 0.0, 0.0, Outcome.PASSED, "")
            folded[test.grade_id] = line
            tests.append(line)
        line.score = round(line.score + test.score, 6)
        line.max_score = round(line.max_score + test.max_score, 6)
        if not test.passed:
            line.status = Outcome.FAILED
    shown = shows_messages(visibility, due, now)
    return dataclasses.replace(result, tests=tests, cells=result.cells if shown else [],
                               figures=result.figures if shown else {}, protections=[], fingerprint=None, timing={},
                               answers={})


# ----------------------------------------------------------------------------- handlers

class Base(tornado.web.RequestHandler):
    service: Service

    def initialize(self, service: Service):
        self.service = service
        self.student: str | None = None

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def identify(self) -> bool:
        try:
            student = await self.service.identity.student(self.request.headers.get("Authorization"))
        except Refused as exc:   # a token past its expiry
            self.set_header("WWW-Authenticate", 'Bearer realm="autograder", error="invalid_token"')
            self.fail(401, str(exc))
            return False
        if not student or not STUDENT_NAME.match(student):
            self.set_header("WWW-Authenticate", 'Bearer realm="autograder"')
            self.fail(401, "没有有效的身份：请带上老师发给你的令牌（Authorization: Bearer <token>），"
                           "或通过 JupyterHub 访问。")
            return False
        self.student = student
        return True

    def fail(self, status: int, message: str, **extra) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": message, **extra}, ensure_ascii=False))

    def reply(self, data: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": self._reason}, ensure_ascii=False))

    async def own(self, submission_id: str) -> Row | None:
        """The asking student's submission; None once the answer (401 or 404) is sent."""
        if not await self.identify():
            return None
        row = self.service.queue.get(submission_id)
        if row is None or row.student != self.student:   # someone else's is as good as none
            self.fail(404, "没有这份提交。")
            return None
        return row


class Health(Base):
    def get(self):
        self.reply({"status": "ok", "queued": self.service.queue.queued(), "identity": self.service.identity.kind,
                    "backend": self.service.backend.description})


class Me(Base):
    async def get(self):
        if not await self.identify():
            return
        s = self.service.settings
        assignments = []
        for a in self.service.assignments:
            due = self.service.due_date(a)
            assignments.append({"id": a, "due_date": due.isoformat() + "Z" if due else None,
                                "functions": public_functions(a, self.service.course)})
        expires = getattr(self.service.identity, "expires", lambda student: None)(self.student)
        self.reply({"student": self.student, "assignments": assignments, "visibility": s.visibility,
                    "token_expires": expires.isoformat() if expires else None,
                    "limits": {"submissions_per_hour": s.submissions_per_hour, "max_upload_mb": s.max_upload_mb}})


@tornado.web.stream_request_body
class Submit(Base):
    """An upload: everything that can be refused is refused before the body is read; the body
    goes to a private temporary file that is kept only if accepted (uploads.py)."""

    async def prepare(self):
        self.incoming: Incoming | None = None
        self.size = 0
        limit = self.service.settings.max_upload_bytes
        self.request.connection.set_max_body_size(hard_cap(limit))
        if self.request.method != "POST":
            return
        if not await self.identify():
            return
        settings, student = self.service.settings, self.student
        wait = self.service.refusals.retry_after(student, settings.rejections_per_hour)
        if wait:
            self.too_many(too_many_refused(wait, settings.rejections_per_hour))
            return
        assignment = self.path_args[0]
        if assignment not in self.service.assignments:
            self.refuse(404, f"没有这次作业：{assignment}（可以提交的作业：{', '.join(self.service.assignments)}）。",
                        assignments=self.service.assignments)
            return
        try:
            self.filename = filename(query(self.request, "filename"), f"{assignment}.ipynb")
        except BadQuery as exc:
            self.refuse(400, str(exc))
            return
        try:
            length = int(self.request.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0   # tornado itself refuses a malformed Content-Length before we are called
        if length > hard_cap(limit):   # not read at all: the connection is closed after this answer
            self.refuse(413, too_big(length, limit))
            return
        try:
            self.allow()
        except RateLimited as exc:
            self.too_many(exc)
            return
        if not self.service.in_flight.enter(student, settings.uploads_in_flight):
            self.too_many(too_many_in_flight(settings.uploads_in_flight))
            return
        self.entered = student
        # Declared too large: read through and dropped (so that the answer 413 reaches the client), never written.
        self.incoming = Incoming(self.service.incoming, limit) if length <= limit else None

    def allow(self) -> None:
        self.service.check_rate(self.student)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.incoming is not None:
            self.incoming.write(chunk)

    async def post(self, assignment: str):
        limit = self.service.settings.max_upload_bytes
        if self.incoming is None or self.incoming.too_big:
            self.refuse(413, too_big(self.size, limit))
            return
        try:
            await self.take(assignment)
        except RateLimited as exc:
            self.too_many(exc)
        except NotebookError as exc:
            self.refuse(400, f"这不是可以评分的 Jupyter 笔记本：{exc}")

    async def take(self, assignment: str) -> None:
        """The body, received whole and within the limit: queued, answered 202."""
        row = self.service.accept(self.student, assignment, self.filename, self.incoming)
        self.set_header("Location", f"api/submissions/{row.id}")
        self.reply(self.service.view(row), 202)

    def refuse(self, status: int, message: str, **extra) -> None:
        """An upload refused for what it is: counted against the student's refusals, and
        nothing of it left on disk before the answer goes out."""
        self.service.refusals.add(self.student)
        self._release()
        self.fail(status, message, **extra)

    def too_many(self, exc: RateLimited) -> None:
        self._release()
        self.set_header("Retry-After", str(exc.retry_after))
        self.fail(429, str(exc), retry_after=exc.retry_after)

    def on_finish(self) -> None:
        self._release()

    def on_connection_close(self) -> None:
        self._release()

    def _release(self) -> None:
        if getattr(self, "incoming", None) is not None:
            self.incoming.discard()   # nothing if it was kept
            self.incoming = None
        if getattr(self, "entered", None):
            self.service.in_flight.leave(self.entered)
            self.entered = None


class Check(Submit):
    """检查 in class mode: the body is graded and answered at once, and recorded nowhere."""

    def allow(self) -> None:
        self.service.recent_checks.allow(self.student, self.service.settings.submissions_per_hour)

    async def take(self, assignment: str) -> None:
        body = self.incoming.path.read_bytes()
        self._release()   # (the check keeps its own copy while it is graded)
        self.reply(await self.service.check(self.student, assignment, body))


@functools.lru_cache(maxsize=None)
def public_functions(assignment: str, course: Path) -> list[str]:
    """The graded functions of an assignment, as its release notebook names them (public): how the
    students' JupyterLab tells which assignment a notebook is."""
    return Assignment.load(assignment, course).functions


def too_big(size: int, limit: int) -> str:
    return (f"文件太大（{size / 2**20:.1f} MB），上限是 {limit / 2**20:g} MB；"
            "请清除输出（Edit → Clear Outputs of All Cells）并保存后再提交。")


class Submission(Base):
    async def get(self, submission_id: str):
        row = await self.own(submission_id)
        if row is None:
            return
        try:
            wait = wait_seconds(query(self.request, "wait"))
        except BadQuery as exc:
            self.fail(400, str(exc))
            return
        if wait and row.state != "done":
            before = row.state
            deadline = time.monotonic() + wait
            while row.state == before and row.state != "done" and time.monotonic() < deadline:
                await self.service.wait_change(row.id, deadline - time.monotonic())
                row = self.service.queue.get(submission_id)
        self.reply(await self.service.view_with_page(row))


class Feedback(Base):
    async def get(self, submission_id: str):
        row = await self.own(submission_id)
        if row is None:
            return
        if row.state != "done":
            self.fail(409, "这份提交还在评分中。", state=row.state)
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", pages.CSP)
        self.finish(await self.service.page(row))


class Submissions(Base):
    async def get(self):
        if not await self.identify():
            return
        try:
            assignment = assignment_filter(query(self.request, "assignment"))
        except BadQuery as exc:
            self.fail(400, str(exc))
            return
        rows = self.service.queue.of_student(self.student, assignment)
        self.reply({"student": self.student, "submissions": [self.service.view(r) for r in rows]})


def make_app(service: Service, prefix: str = "/") -> tornado.web.Application:
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    routes = [(r"api/health", Health), (r"api/me", Me), (r"api/assignments/([\w\-]+)/submissions", Submit),
              (r"api/assignments/([\w\-]+)/checks", Check),
              (r"api/submissions", Submissions), (r"api/submissions/([0-9a-f]{32})", Submission),
              (r"api/submissions/([0-9a-f]{32})/feedback", Feedback)]
    return tornado.web.Application([(prefix + path, handler, {"service": service}) for path, handler in routes],
                                   log_function=_access_log)


def _access_log(handler: tornado.web.RequestHandler) -> None:
    request = handler.request
    log.info("%d %s %s %.0fms", handler.get_status(), request.method, request.path, 1000 * request.request_time())


async def serve(course: Path, port: int | None, host: str, scheduler: str | None, workers: int | None,
                overrides: dict, announce: Callable[[str], None] = print) -> None:
    private.enter()   # everything the service writes is private (private.py); its workers get 022
    service = Service(course, scheduler, workers, overrides)
    if others_can_enter(service.course):   # hub mode: students may have accounts here
        log.warning("other accounts can enter %s: what the service writes is private (0600 files, 0700 "
                    "directories); source/ and the rest keep the modes you gave them", service.course)
    prefix = "/"
    if isinstance(service.identity, HubIdentity):
        prefix = service.identity.prefix
        if port is None and os.environ.get("JUPYTERHUB_SERVICE_URL"):
            url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
            host, port = url.hostname or host, url.port
    await service.start()
    limit = service.settings.max_upload_bytes
    server = tornado.httpserver.HTTPServer(make_app(service, prefix), max_body_size=hard_cap(limit))
    sockets = tornado.netutil.bind_sockets(port if port is not None else 8765, host)
    server.add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    identity = service.identity.kind
    if identity == "token" and not service.identity.count():
        announce(f"note: no student has a token yet: `autograder tokens --course {course}` issues them")
    announce(f"autograder serve: http://{host}:{bound}{prefix} for {service.course} "
             f"({identity} identity, {service.backend.description}, {len(service.assignments)} assignments)")
    try:
        await stop.wait()
    finally:
        server.stop()
        await service.close()
        announce("autograder serve: stopped; queued submissions are kept and graded at the next start")


def run(course: Path, port: int | None, host: str, scheduler: str | None, workers: int | None,
        overrides: dict) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    asyncio.run(serve(course, port, host, scheduler, workers, overrides,
                      announce=lambda text: print(text, flush=True)))
    return 0
