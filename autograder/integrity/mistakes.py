"""Shared rare mistakes: two students whose function lost points and returned the *same wrong
numbers* on the hidden inputs (results.json `answers`, autograder/integrity/answers.py), with the
same diagnosed mistake when there is one.

A wrong answer only these two students gave is strong evidence: the inputs were never shown, so
the numbers cannot have been compared. A wrong answer many students gave is a common mistake,
made independently, and no evidence: each shared answer counts 1 / (how many others gave it),
nothing when more than a tenth of the class (or more than three students) gave it. Evidence from
several functions adds up as independent chances: score = 1 - prod(1 - strength).
"""
from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from autograder.testkit.diagnosis import FATAL
from autograder.course.results import SubmissionResult

COMMON_SHARE = 0.10   # a wrong answer more than this share of the class gave is a common mistake ...
COMMON_FLOOR = 3      # ... unless at most this many students gave it


def groups(results: dict[str, SubmissionResult]) -> dict[tuple[str, str, str], list[str]]:
    """(function, cause code or "", digest) -> the students who gave that wrong answer."""
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for student, result in results.items():
        if result.status != "graded":
            continue
        causes = result.causes or {}
        for function, value in (result.answers or {}).items():
            cause = causes.get(function)
            code = cause.code if cause else ""
            if code.endswith(FATAL):
                continue   # not written, missing, hung, crashed: not an answer
            found[(function, code, value)].append(student)
    return found


def mistake_pairs(results: dict[str, SubmissionResult], threshold: float) -> list[dict]:
    """[{a, b, score, evidence: [{function, code, text, students, made}]}] above `threshold`."""
    graded = sum(1 for r in results.values() if r.status == "graded")
    limit = max(COMMON_FLOOR, int(COMMON_SHARE * graded))
    made = defaultdict(int)   # students per diagnosed mistake, whatever their numbers
    texts = {}
    for (function, code, _), students in groups(results).items():
        if code:
            made[code] += len(students)
    for result in results.values():
        for function, cause in (result.causes or {}).items():
            texts.setdefault(cause.code, cause.text)
    shared: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for (function, code, _), students in groups(results).items():
        if not 2 <= len(students) <= limit:
            continue
        strength = 1.0 / (len(students) - 1)
        for a, b in combinations(sorted(students), 2):
            shared[(a, b)].append({"function": function, "code": code, "text": texts.get(code, ""),
                                   "students": len(students), "made": made.get(code, len(students)),
                                   "strength": round(strength, 4)})
    pairs = []
    for (a, b), evidence in shared.items():
        unlikely = 1.0
        for item in evidence:
            unlikely *= 1.0 - item["strength"]
        score = 1.0 - unlikely
        if score > threshold:
            pairs.append({"a": a, "b": b, "score": round(score, 4), "evidence": evidence})
    return pairs
