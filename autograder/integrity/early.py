"""This year's notebooks fingerprinted in a thread while the class is graded (they are on disk
from the start): after the last result only the pairs are left to find, not 25 ms a notebook of
tokenising on one core while the other has nothing to do. Its imports (copydetect, pygments,
the course's configuration) happen in the thread too: the workers get their first notebooks first."""
from __future__ import annotations

import threading
from pathlib import Path


class Fingerprinting:
    def __init__(self, course: Path, assignment_id: str):
        self._found: tuple[dict, list] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(course, assignment_id), daemon=True,
                                        name="integrity fingerprints")
        self._thread.start()

    def _run(self, course: Path, assignment_id: str) -> None:
        try:
            from autograder.course.assignments import Assignment
            from autograder.course.config import load_config
            from autograder.integrity.pairs import settings, submitted_notebooks
            from autograder.integrity.similarity import load_documents

            if not settings(course).enabled:
                return
            directories = dict(load_config(course).get("CourseDirectory", {}))
            notebooks = submitted_notebooks(course / directories.get("submitted_directory", "submitted"), assignment_id)
            self._found = load_documents(notebooks, Assignment.load(assignment_id, course).release_notebook)
        except BaseException as exc:   # the report says so, where it is written
            self._error = exc

    def documents(self) -> tuple[dict, list] | None:
        """(documents, unreadable) as similarity.load_documents gives them; None if not made."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._found
