"""The notebook's public checks as 0-point hidden tests, written by no suite file.

Every suite file's `GRADE_ID` also declares its public test: `test_public`, which runs the
notebook's public check of that function (`assignment.public_check(GRADE_ID)`) in the student's
process, worth 0 points and shown in every report. `autograder/suites/conftest.py` collects it
where `GRADE_ID` is assigned, so before the file's own tests, as if it were written there.

A file whose public check is not that one cell says so with `PUBLIC = [Public(...), ...]`
(ps4's `Value` checks in five stages; ps3's training check needs the notebook's data first).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable

from autograder.testkit.checks import graded

TITLE = "公开测试（笔记本里的自测）全部通过"


@dataclass(frozen=True)
class Public:
    """One public check cell run as a 0-point test."""
    check: str | None = None                  # the cell's name for assignment.public_check; None: GRADE_ID
    what: str = TITLE                         # the test's title, shown to students
    name: str = "test_public"                 # the test's name (its node id)
    before: Callable[[], str] | None = None   # trusted code run first (what the notebook's cells set up)
    # e.g. errors of the student's Value named in its terms (ps4)
    around: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext

    def test(self, grade_id: str):
        """The test function, with the `student` and `assignment` fixtures and its @graded mark."""
        check = self.check or grade_id

        @graded(self.what, points=0)
        def test_public(student, assignment):
            if self.before is not None:
                student.run_public(self.before())
            with self.around():
                student.run_public(assignment.public_check(check))

        test_public.__name__ = test_public.__qualname__ = self.name
        test_public.generated = True
        return test_public


def add_public_tests(module) -> list[str]:
    """Put the public tests a suite file declares into it (pytest finds a test by its name in its
    module) and return their names; ValueError when the file writes one of them itself."""
    declared = getattr(module, "PUBLIC", None) or [Public()]
    names = []
    for public in declared:
        written = getattr(module, public.name, None)
        if written is not None and not getattr(written, "generated", False):
            raise ValueError(f"{module.__name__}: {public.name} is generated from GRADE_ID / PUBLIC "
                             "(autograder/testkit/public.py); do not write it in the file")
        setattr(module, public.name, public.test(module.GRADE_ID))
        names.append(public.name)
    return names
