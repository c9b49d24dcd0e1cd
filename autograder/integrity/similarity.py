"""Code similarity of the students' answer cells, robust to renaming, reformatting, comments,
prints and reordered helpers.

Fingerprinting is copydetect's (PyPI `copydetect`, used by course staff for years, MIT): its
pygments tokenizer replaces every identifier by one letter (renamed variables disappear) and
drops whitespace and comments (reformatting and comments disappear); its winnowing keeps a
guaranteed subset of k-gram hashes, which are compared as *sets* (reordered helpers keep
theirs). The k-gram hash is ours (`kgram_hashes`): copydetect's is Python's `hash()`, salted anew
in every process, so the same two notebooks scored differently from one run to the next. Print statements are blanked and a reformatter's spellings (exponents, `;`) made one
before tokenizing.

copydetect's own CopyDetector compares every pair (n² / 2 comparisons, 125 000 for a class of
500). Here each fingerprint is indexed once: fingerprints of the release notebook (boilerplate)
are removed, fingerprints many students share (common code, one-line answers) carry no weight,
and only pairs that share a rare fingerprint are ever scored. The cost grows with the number of
fingerprints, not with the number of pairs.
"""
from __future__ import annotations

import ast
import io
import math
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
from markupsafe import escape

from autograder.course.packages import without_init

without_init("copydetect")   # (its __init__ loads matplotlib.pyplot for a GUI we never show)
from copydetect.utils import filter_code, get_copied_slices, highlight_overlap, winnow  # noqa: E402

from autograder.course.notebook import NotebookError, read_notebook

K = 20              # k-gram length in filtered characters (an identifier is one character): about a line
WINDOW = 4          # winnowing window: any match of K + WINDOW - 1 characters is seen
COMMON_SHARE = 0.01     # a fingerprint more than this share of the class has is common code ...
COMMON_FLOOR = 3        # ... and so is one more than this many students have (whatever the class size)
FLOOR = 36              # a score's denominator is at least this many fingerprints: a few shared lines of
                        # someone who wrote little are not a copy
MAX_CHARS = 50_000      # answer code read per submission (a hostile notebook may be huge)


@dataclass
class Fingerprint:
    """One cell's winnowed k-gram hashes and where each lies in its filtered text."""
    filtered_code: str        # copydetect's tokens: every name one letter, no comments or spaces
    hashes: set
    hash_idx: dict            # hash -> positions in the filtered code
    offsets: np.ndarray       # copydetect's map from filtered to raw positions
    k: int = K


@dataclass
class Document:
    """One student's answer cells (notebook order), each fingerprinted on its own: no k-gram spans
    two cells, so the seams between the release notebook's stubs are no evidence either."""
    student: str
    cells: list[tuple[str, str]]                      # (grade_id, code)
    prints: list[Fingerprint] = field(default_factory=list)
    own: set = field(default_factory=set)   # fingerprints that are neither boilerplate nor common

    @property
    def hashes(self) -> set:
        return set().union(*(p.hashes for p in self.prints))


def answer_cells(path: Path, release_sources: set[str]) -> list[tuple[str, str]]:
    """(grade_id, code) of a notebook's answer cells; when the nbgrader metadata was stripped,
    every code cell the release notebook does not have."""
    cells = read_notebook(path)
    found = [(c.grade_id or f"cell{i}", c.source) for i, c in enumerate(cells) if c.role == "answer"]
    if found:
        return found
    return [(f"cell{i}", c.source) for i, c in enumerate(cells)
            if c.kind == "code" and c.source.strip() and c.source.strip() not in release_sources]


def document(student: str, cells: list[tuple[str, str]], boilerplate=None) -> Document:
    kept, length = [], 0
    for grade_id, code in cells:
        code = code[:MAX_CHARS - length]
        kept.append((grade_id, code))
        length += len(code)
        if length >= MAX_CHARS:
            break
    return Document(student, kept, [fingerprint(code, boilerplate) for _, code in kept])


def fingerprint(text: str, boilerplate=None) -> Fingerprint:
    """copydetect's CodeFingerprint, with our k-gram hash: filter, hash, winnow, drop boilerplate."""
    filtered, offsets = filter_code(normalised(without_prints(text)), "answer.py", "python")
    hashes, positions = winnow(kgram_hashes(filtered, K), WINDOW, remove_duplicates=False)
    if boilerplate is not None and len(boilerplate):
        keep = ~np.isin(hashes, boilerplate)
        hashes, positions = hashes[keep], positions[keep]
    where: dict = defaultdict(list)
    for value, position in zip(hashes.tolist(), positions.tolist()):
        where[value].append(position)
    return Fingerprint(filtered, set(where), dict(where), offsets)


MIX = (np.uint64(0xbf58476d1ce4e5b9), np.uint64(0x94d049bb133111eb))   # splitmix64's finaliser


def kgram_hashes(text: str, k: int) -> np.ndarray:
    """A hash of every k characters of `text`, the same in every process and on every machine:
    a polynomial of the code points mod 2**64, its bits mixed (winnowing keeps each window's
    smallest hash, so they must look random)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - k + 1
    if count <= 0:
        return np.array([], dtype=np.int64)
    value = np.zeros(count, dtype=np.uint64)
    for j in range(k):   # uint64 arithmetic wraps around: mod 2**64
        value = value * np.uint64(1_000_003) + codes[j:j + count]
    for shift, factor in ((np.uint64(30), MIX[0]), (np.uint64(27), MIX[1])):
        value = (value ^ (value >> shift)) * factor
    return (value ^ (value >> np.uint64(31))).view(np.int64)


def normalised(code: str) -> str:
    """Spellings a reformatter changes, made one, each in its own width (positions stay the
    student's): `1e-05` as `1e-5`, and `;` between statements as a line break would be."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return code
    lines = code.splitlines(keepends=True)
    for token in tokens:
        (row, col), (end_row, end_col) = token.start, token.end
        if row != end_row or row > len(lines):
            continue
        if token.type == tokenize.OP and token.string == ";":
            same = " "
        elif token.type == tokenize.NUMBER:
            same = EXPONENT.sub(r"\1", token.string.lower())
        else:
            continue
        line = lines[row - 1]
        lines[row - 1] = line[:col] + same.ljust(end_col - col) + line[end_col:]
    return "".join(lines)


EXPONENT = re.compile(r"(e[+-]?)0+(?=\d)")


def without_prints(code: str) -> str:
    """The code with every `print(...)` statement blanked out (spaces, so positions stay those of
    the student's text): prints added to disguise a copy are no difference. Code that does not
    parse is kept as it is."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code
    lines = code.splitlines(keepends=True)
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "print":
            for number in range(node.lineno - 1, node.end_lineno):
                line = lines[number]
                start = node.col_offset if number == node.lineno - 1 else 0
                end = node.end_col_offset if number == node.end_lineno - 1 else len(line.rstrip("\r\n"))
                start, end = _char(line, start), _char(line, end)   # ast counts UTF-8 bytes
                lines[number] = line[:start] + " " * (end - start) + line[end:]
    return "".join(lines)


def _char(line: str, byte: int) -> int:
    return len(line.encode("utf-8")[:byte].decode("utf-8", "ignore"))


def boilerplate_of(release: Path) -> np.ndarray:
    """Every k-gram of the release notebook's code (stubs, docstrings, setup), not only the ones
    winnowing picks there: a submission's winnowing may pick others of the same code. Never evidence."""
    hashes = set()
    for cell in read_notebook(release):
        if cell.kind == "code":
            filtered, _ = filter_code(cell.source, "release.py", "python")
            hashes.update(kgram_hashes(filtered, K).tolist())
    return np.array(sorted(hashes), dtype=np.int64)


def load_documents(notebooks: dict[str, Path], release: Path) -> tuple[dict[str, Document], list[str]]:
    """Each student's Document, fingerprinted; and the students whose notebook could not be read."""
    release_sources = {c.source.strip() for c in read_notebook(release)}
    boilerplate = boilerplate_of(release)
    documents, unreadable = {}, []
    for student, path in notebooks.items():
        try:
            documents[student] = document(student, answer_cells(path, release_sources), boilerplate)
        except (NotebookError, OSError, ValueError):
            unreadable.append(student)
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
        for value in doc.hashes:
            holders[value].append(student)
    limit = common_limit(len(current) if current is not None else len(documents))
    for doc in documents.values():
        doc.own = {h for h in doc.hashes if len(holders[h]) <= limit}
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
    """Both students' answer cells as HTML (escaped), the code they share rarely in <mark>, and
    the functions (answer cells) it is in."""
    common = first.own & second.own
    functions: list[str] = []
    sides = []
    for doc in (first, second):
        parts = []
        for (grade_id, code), print_ in zip(doc.cells, doc.prints):
            slices = _slices(print_, common)
            if len(slices[0]) and grade_id not in functions:
                functions.append(grade_id)
            parts.append(_marked(code.rstrip(), slices))
        sides.append("\n\n".join(parts))
    return sides[0], sides[1], functions


def _slices(print_: Fingerprint, keep: set) -> np.ndarray:
    """Where the fingerprints in `keep` lie in the cell's own text (copydetect's slices, mapped
    from filtered to raw positions as its compare_files does)."""
    positions = [i for h in print_.hashes & keep for i in print_.hash_idx[h]]
    slices = get_copied_slices(np.array(positions, dtype=np.int64), print_.k)
    if len(slices[0]) and len(print_.offsets):
        slices = slices + print_.offsets[:, 1][np.clip(np.searchsorted(print_.offsets[:, 0], slices), 0,
                                                       print_.offsets.shape[0] - 1)]
    return slices


def _marked(text: str, slices) -> str:
    if len(slices[0]) == 0:
        return str(escape(text))
    marked, _ = highlight_overlap(text, np.asarray(slices, dtype=np.int64), "<mark>", "</mark>", escape_html=True)
    return marked
