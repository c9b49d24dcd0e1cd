"""Code similarity of the students' answer cells, robust to renaming, reformatting, comments,
prints and reordered helpers.

Fingerprinting is copydetect's (PyPI `copydetect`, used by course staff for years, MIT): its
pygments tokenizer replaces every identifier by one letter (renamed variables disappear) and
drops whitespace and comments (reformatting and comments disappear); its winnowing keeps a
guaranteed subset of k-gram hashes, which are compared as *sets* (reordered helpers keep
theirs). Prints added change only the k-grams that touch them.

copydetect's own CopyDetector compares every pair (n² / 2 comparisons, 125 000 for a class of
500). Here each fingerprint is indexed once: fingerprints of the release notebook (boilerplate)
are removed, fingerprints many students share (common code, one-line answers) carry no weight,
and only pairs that share a rare fingerprint are ever scored. The cost grows with the number of
fingerprints, not with the number of pairs.
"""
from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
from copydetect.detector import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap

from autograder.notebook import NotebookError, read_notebook

K = 20              # k-gram length in filtered characters (an identifier is one character): about a line
WINDOW = 4          # winnowing window: any match of K + WINDOW - 1 characters is seen
COMMON_SHARE = 0.01     # a fingerprint more than this share of the class has is common code ...
COMMON_FLOOR = 3        # ... and so is one more than this many students have (whatever the class size)
FLOOR = 30              # a score's denominator is at least this many fingerprints: a few shared lines of
                        # someone who wrote little are not a copy
MAX_CHARS = 50_000      # answer code read per submission (a hostile notebook may be huge)


@dataclass
class Document:
    """One student's answer cells, as one text (cells in notebook order), and its fingerprints."""
    student: str
    text: str
    cells: list[tuple[int, str]]          # (start offset in text, grade_id)
    fingerprint: CodeFingerprint | None = None
    own: set = field(default_factory=set)   # fingerprints that are neither boilerplate nor common

    def function_at(self, offset: int) -> str:
        name = ""
        for start, grade_id in self.cells:
            if start > offset:
                break
            name = grade_id
        return name


def answer_cells(path: Path, release_sources: set[str]) -> list[tuple[str, str]]:
    """(grade_id, code) of a notebook's answer cells; when the nbgrader metadata was stripped,
    every code cell the release notebook does not have."""
    cells = read_notebook(path)
    found = [(c.grade_id or f"cell{i}", c.source) for i, c in enumerate(cells) if c.role == "answer"]
    if found:
        return found
    return [(f"cell{i}", c.source) for i, c in enumerate(cells)
            if c.kind == "code" and c.source.strip() and c.source.strip() not in release_sources]


def document(student: str, cells: list[tuple[str, str]]) -> Document:
    parts, offsets, length = [], [], 0
    for grade_id, code in cells:
        piece = code.rstrip() + "\n\n"
        offsets.append((length, grade_id))
        parts.append(piece)
        length += len(piece)
        if length > MAX_CHARS:
            break
    return Document(student, "".join(parts)[:MAX_CHARS], offsets)


def fingerprint(text: str, boilerplate=None) -> CodeFingerprint:
    return CodeFingerprint("answer.py", K, WINDOW, boilerplate=boilerplate, language="python",
                           fp=io.StringIO(text))


def boilerplate_of(release: Path) -> np.ndarray:
    """The fingerprints of the release notebook's code (stubs, docstrings, setup): never evidence."""
    text = "\n\n".join(c.source for c in read_notebook(release) if c.kind == "code")
    return np.array(sorted(fingerprint(text).hashes), dtype=np.int64)


def load_documents(notebooks: dict[str, Path], release: Path) -> tuple[dict[str, Document], list[str]]:
    """Each student's Document, fingerprinted; and the students whose notebook could not be read."""
    release_sources = {c.source.strip() for c in read_notebook(release)}
    boilerplate = boilerplate_of(release)
    documents, unreadable = {}, []
    for student, path in notebooks.items():
        try:
            doc = document(student, answer_cells(path, release_sources))
        except (NotebookError, OSError, ValueError):
            unreadable.append(student)
            continue
        doc.fingerprint = fingerprint(doc.text, boilerplate)
        documents[student] = doc
    return documents, unreadable


def common_limit(students: int) -> int:
    return max(COMMON_FLOOR, math.ceil(COMMON_SHARE * students))


def code_pairs(documents: dict[str, Document], threshold: float, current: set[str] | None = None) -> list[dict]:
    """Pairs whose share of rare fingerprints in common is above `threshold`: [{a, b, score,
    shared}] (score = shared rare fingerprints / the smaller student's rare fingerprints, at
    least FLOOR). `current`: only pairs with at least one of these students (earlier years are
    compared with this year, not with each other)."""
    holders: dict[int, list[str]] = defaultdict(list)
    for student, doc in documents.items():
        for value in doc.fingerprint.hashes:
            holders[value].append(student)
    limit = common_limit(len(current) if current is not None else len(documents))
    for doc in documents.values():
        doc.own = {h for h in doc.fingerprint.hashes if len(holders[h]) <= limit}
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for students in holders.values():
        if 2 <= len(students) <= limit:
            for a, b in combinations(sorted(students), 2):
                shared[(a, b)] += 1
    pairs = []
    for (a, b), count in shared.items():
        if current is not None and a not in current and b not in current:
            continue
        score = count / max(FLOOR, min(len(documents[a].own), len(documents[b].own)))
        if score > threshold:
            pairs.append({"a": a, "b": b, "score": round(min(score, 1.0), 4), "shared": count})
    return pairs


def highlighted(first: Document, second: Document) -> tuple[str, str, list[str]]:
    """Both documents as HTML (escaped) with the code they share rarely in <mark>, and the
    functions it is in."""
    common = first.own & second.own
    left, right = _only(first.fingerprint, common), _only(second.fingerprint, common)
    _, _, (slices1, slices2) = compare_files(left, right)
    functions = []
    for doc, slices in ((first, slices1), (second, slices2)):
        for start in (slices[0] if len(slices) else []):
            name = doc.function_at(int(start))
            if name not in functions:
                functions.append(name)
    return _marked(first.text, slices1), _marked(second.text, slices2), functions


def _only(print_: CodeFingerprint, keep: set) -> CodeFingerprint:
    """A copy of a fingerprint that has only the hashes in `keep` (for copydetect's comparison)."""
    narrowed = object.__new__(CodeFingerprint)
    narrowed.__dict__.update(print_.__dict__)
    narrowed.hashes = print_.hashes & keep
    narrowed.hash_idx = {h: i for h, i in print_.hash_idx.items() if h in keep}
    return narrowed


def _marked(text: str, slices) -> str:
    from markupsafe import escape
    if len(slices) == 0 or len(slices[0]) == 0:
        return str(escape(text))
    marked, _ = highlight_overlap(text, np.asarray(slices, dtype=np.int64), "<mark>", "</mark>", escape_html=True)
    return marked
