"""The persistent queue: every accepted submission is a row in SQLite before the student hears
"accepted", and its notebook a file beside it, so nothing is lost when the service stops.

    queued -> grading -> graded (result kept) -> done (stored in submitted/, gradebook, feedback)

On start, `recover()` puts back in the queue what was being graded when the service stopped,
and returns what was graded but not yet stored, to be stored again (storing is idempotent).
`attempts` counts the batches a submission was in: one tried before is graded alone
(`next_batch`), and one whose lone batch fails too is an error (server.py).
Only the service's event loop touches this object.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    filename TEXT NOT NULL,
    upload TEXT NOT NULL,
    received REAL NOT NULL,
    timestamp TEXT NOT NULL,
    seconds_late REAL NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    stored TEXT,
    finished REAL
);
CREATE INDEX IF NOT EXISTS by_state ON submissions (state, seq);
CREATE INDEX IF NOT EXISTS by_student ON submissions (student, received);
"""


# The queued submissions, each with its turn: how many submissions of the same assignment its
# student made before it. First submissions (turn 0) go before anyone's second, and so on.
TURNS = """WITH waiting AS (SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY student, assignment ORDER BY seq) - 1 AS turn
    FROM submissions) WHERE state='queued')"""


@dataclass
class Row:
    seq: int
    id: str
    student: str
    assignment: str
    filename: str
    upload: str
    received: float
    timestamp: str
    seconds_late: float
    state: str
    attempts: int
    result: dict | None
    stored: str | None
    finished: float | None

    @classmethod
    def of(cls, row: sqlite3.Row) -> "Row":
        data = dict(row)
        data["result"] = json.loads(data["result"]) if data["result"] else None
        return cls(**data)


COLUMNS = ", ".join(f.name for f in fields(Row))


class SubmissionQueue:
    def __init__(self, path: Path):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created private (SQLite gives its -wal and -shm files the database's own mode): every
        # student's notebook path and full results, hidden messages included, are in here.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")   # an accepted submission survives a power cut
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------------------ writes

    def add(self, student: str, assignment: str, filename: str, upload: Path, received: float, timestamp: str,
            seconds_late: float, submission_id: str | None = None) -> str:
        submission_id = submission_id or uuid.uuid4().hex
        self.db.execute("INSERT INTO submissions (id, student, assignment, filename, upload, received, timestamp, "
                        "seconds_late, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
                        (submission_id, student, assignment, filename, str(upload), received, timestamp, seconds_late))
        return submission_id

    def start(self, ids: list[str]) -> None:
        self.db.executemany("UPDATE submissions SET state='grading', attempts=attempts+1 WHERE id=?",
                            [(i,) for i in ids])

    def requeue(self, ids: list[str]) -> None:
        self.db.executemany("UPDATE submissions SET state='queued' WHERE id=? AND state='grading'",
                            [(i,) for i in ids])

    def graded(self, submission_id: str, result: dict | str) -> None:
        """`result`: its data, or its JSON text as a worker sent it (kept as it is)."""
        text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
        self.db.execute("UPDATE submissions SET state='graded', result=? WHERE id=?", (text, submission_id))

    def done(self, submission_id: str, stored: str) -> None:
        self.db.execute("UPDATE submissions SET state='done', stored=?, finished=? WHERE id=?",
                        (stored, time.time(), submission_id))

    def recover(self) -> list[Row]:
        """After a restart: interrupted grading is queued again (its attempt counted, so it is
        graded alone: a submission that stalled the service is never batched with an honest one
        again); graded but unstored rows returned."""
        self.db.execute("UPDATE submissions SET state='queued' WHERE state='grading'")
        return self._rows("SELECT * FROM submissions WHERE state='graded' ORDER BY seq")

    # ------------------------------------------------------------------------------- reads

    def _rows(self, sql: str, args: tuple = ()) -> list[Row]:
        return [Row.of(r) for r in self.db.execute(sql, args)]

    def get(self, submission_id: str) -> Row | None:
        rows = self._rows("SELECT * FROM submissions WHERE id=?", (submission_id,))
        return rows[0] if rows else None

    def of_student(self, student: str, assignment: str | None = None) -> list[Row]:
        if assignment:
            return self._rows("SELECT * FROM submissions WHERE student=? AND assignment=? ORDER BY seq",
                              (student, assignment))
        return self._rows("SELECT * FROM submissions WHERE student=? ORDER BY seq", (student,))

    def next_batch(self, limit: int) -> list[Row]:
        """What to grade next, fairly: by turn (a student's first submission of an assignment
        before anyone's second, every second before any third...), then the oldest first. So a
        burst of resubmissions never delays another student's first submission by more than the
        batch already being graded. The first in that order and the next ones of the same
        assignment make the batch; a submission tried before (its batch did not finish: a stuck or
        dead worker, a restart) is graded alone, and never joins another's batch."""
        first = self._rows(f"{TURNS} SELECT {COLUMNS} FROM waiting ORDER BY turn, seq LIMIT 1")
        if not first or first[0].attempts > 0 or limit <= 1:
            return first
        return self._rows(f"{TURNS} SELECT {COLUMNS} FROM waiting WHERE assignment=? AND attempts=0 "
                          "ORDER BY turn, seq LIMIT ?", (first[0].assignment, limit))

    def queued(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM submissions WHERE state='queued'").fetchone()[0]

    def position(self, row: Row) -> int:
        """How many queued submissions are ahead of this one, in the order next_batch takes them."""
        return self.db.execute(f"{TURNS} SELECT COUNT(*) FROM waiting w, waiting me WHERE me.id=? "
                               "AND (w.turn < me.turn OR (w.turn = me.turn AND w.seq < me.seq))",
                               (row.id,)).fetchone()[0]

    def received_since(self, student: str, since: float) -> list[float]:
        return [r[0] for r in self.db.execute("SELECT received FROM submissions WHERE student=? AND received>=? "
                                              "ORDER BY received", (student, since))]
