"""All pairs of one assignment's submissions worth a conversation, from a graded course."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from traitlets import Bool, Float
from traitlets.config import Configurable

from autograder.course.config import load_config
from autograder.integrity.mistakes import mistake_pairs
from autograder.integrity.similarity import Document, code_pairs, load_documents
from autograder.course.results import SubmissionResult


class Integrity(Configurable):
    """c.Integrity.* in nbgrader_config.py."""
    enabled = Bool(True, help="write the integrity section after `autograder autograde`").tag(config=True)
    threshold = Float(0.5, help="pairs scoring above this (0..1) are listed").tag(config=True)


@dataclass
class Findings:
    assignment: str
    threshold: float
    students: int
    pairs: list[dict]                       # {student_a, student_b, kind, score, functions, evidence, ...}
    documents: dict[str, Document]
    unreadable: list[str] = field(default_factory=list)
    seconds: float = 0.0


def settings(course: Path) -> Integrity:
    return Integrity(config=load_config(course))


def submitted_notebooks(root: Path, assignment_id: str, prefix: str = "") -> dict[str, Path]:
    """student -> their notebook in `root`/<student>/<assignment>/ (the newest .ipynb)."""
    found = {}
    for folder in sorted(root.glob(f"*/{assignment_id}")):
        notebooks = sorted(folder.glob("*.ipynb"), key=lambda p: (p.name != f"{assignment_id}.ipynb", p.name))
        if notebooks and folder.is_dir():
            found[prefix + folder.parent.name] = notebooks[0]
    return found


def load_results(autograded: Path, assignment_id: str) -> dict[str, SubmissionResult]:
    results = {}
    for path in sorted(autograded.glob(f"*/{assignment_id}/results.json")):
        try:
            results[path.parent.parent.name] = SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return results


def find_pairs(course: Path, assignment_id: str, release: Path, threshold: float,
               against: list[Path] = (), directories: dict | None = None,
               fingerprinted: tuple[dict, list] | None = None) -> Findings:
    """Code pairs (this year's students, and each of them against earlier years' in `against`)
    and shared-rare-mistake pairs (this year's results.json), each above `threshold`.
    `fingerprinted`: this year's (documents, unreadable), when load_documents has made them."""
    started = time.monotonic()
    directories = directories or {}
    notebooks = submitted_notebooks(course / directories.get("submitted_directory", "submitted"), assignment_id)
    current = set(notebooks)
    if fingerprinted is None:
        fingerprinted = load_documents(notebooks, release)
    documents, unreadable = dict(fingerprinted[0]), list(fingerprinted[1])
    earlier: dict[str, Path] = {}
    for root in against:
        earlier.update(submitted_notebooks(root, assignment_id, prefix=f"{root.name}:"))
    if earlier:
        more, unread = load_documents(earlier, release)
        documents.update(more)
        unreadable += unread
    rows: dict[tuple[str, str], dict] = {}
    for pair in code_pairs(documents, threshold, current if against else None):
        rows[(pair["a"], pair["b"])] = {
            "student_a": pair["a"], "student_b": pair["b"], "kind": "code", "score": pair["score"],
            "functions": [], "evidence": f"{pair['shared']} rare code fingerprints in common", "mistakes": []}
    results = load_results(course / directories.get("autograded_directory", "autograded"), assignment_id)
    for pair in mistake_pairs(results, threshold):
        evidence = "; ".join(f"{e['function']}: {e['code'] or 'same undiagnosed wrong answer'} "
                             f"({e['students']} gave these numbers)" for e in pair["evidence"])
        row = rows.setdefault((pair["a"], pair["b"]), {"student_a": pair["a"], "student_b": pair["b"], "kind": "mistake",
                                                       "score": 0.0, "functions": [], "evidence": ""})
        if pair["score"] > row["score"]:   # one row per pair: the stronger evidence names its kind
            row["kind"], row["score"] = "mistake", pair["score"]
        row["evidence"] = "; ".join(part for part in (row["evidence"], f"same wrong answers: {evidence}") if part)
        row["mistakes"] = pair["evidence"]
        row["mistake_functions"] = sorted({e["function"] for e in pair["evidence"]})
        row["functions"] = sorted(set(row["functions"]) | set(row["mistake_functions"]))
    rows = list(rows.values())
    rows.sort(key=lambda r: (-r["score"], r["kind"], r["student_a"], r["student_b"]))
    return Findings(assignment_id, threshold, len(current), rows, documents, unreadable,
                    round(time.monotonic() - started, 3))
