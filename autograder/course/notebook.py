"""Reading notebooks: the trusted course notebooks, and submissions, which may be anything.

A submission is reduced to the list of code cells to run, in order. Cells the course owns
(setup, public checks, graded cells, demos) are recognised by their grade_id or, when the
nbgrader metadata was stripped, by their text; setup cells always run from the trusted copy,
the others are left to the hidden suite. Everything else is the student's and runs as written.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.magics import needs_ipython, transform_magics  # noqa: F401  (cells' IPython syntax)

MAX_BYTES = 200 * 2**20
# Far deeper than any notebook nbformat writes (a widget's state: about ten); deeper JSON is a
# crafted file, refused with a sentence before anything recursive (nbformat, the JSON encoder)
# would meet it and raise RecursionError in the grader.
MAX_DEPTH = 100


class NotebookError(Exception):
    """The file cannot be graded at all; the message is shown to the student."""


@dataclass
class Cell:
    kind: str                    # code | markdown | raw
    source: str
    grade_id: str | None = None
    nbgrader: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    @property
    def role(self) -> str:
        """setup | answer | public | graded | demo | written | other"""
        meta = self.nbgrader
        if not meta:
            return "other"
        if meta.get("solution") and self.kind == "code":
            return "answer"
        if meta.get("solution"):
            return "written"
        if meta.get("grade") and self.kind == "code":
            return "graded"
        if "demo" in self.tags:
            return "demo"
        if (self.grade_id or "").endswith("_public"):
            return "public"
        if (self.grade_id or "").startswith("setup") and self.kind == "code":
            return "setup"
        return "other"


@dataclass
class PlannedCell:
    index: int                   # position among the submission's code cells, from 1
    source: str
    origin: str                  # student | course
    grade_id: str | None


def _text(source) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def parse_cells(data: object) -> list[Cell]:
    """Cells of a decoded notebook, tolerant of anything but a missing cell list."""
    if not isinstance(data, dict):
        raise NotebookError("这个文件是 JSON，但不是 Jupyter 笔记本（顶层不是一个对象）。")
    raw_cells = data.get("cells")
    if raw_cells is None and isinstance(data.get("worksheets"), list):  # nbformat 3
        raw_cells = [c for ws in data["worksheets"] if isinstance(ws, dict) for c in ws.get("cells", [])]
        for cell in raw_cells:
            if isinstance(cell, dict) and "input" in cell and "source" not in cell:
                cell["source"] = cell["input"]
    if not isinstance(raw_cells, list):
        raise NotebookError("这个文件不是 Jupyter 笔记本：找不到单元格列表（cells）。")
    cells = []
    for raw in raw_cells:
        if not isinstance(raw, dict):
            continue
        metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
        nbgrader = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader.get("grade_id"), str) else None
        cells.append(Cell(str(raw.get("cell_type", "")), _text(raw.get("source", "")), grade_id, nbgrader,
                          tuple(t for t in tags if isinstance(t, str))))
    return cells


def read_notebook(path: str | Path) -> list[Cell]:
    """Cells of the notebook at `path`, or NotebookError with a message a student understands.

    A file read again unchanged (same inode, size and modification time) is not parsed again:
    grading one notebook reads it to check it, to plan its cells and to draw its page."""
    try:
        stat = Path(path).stat()
        key = (str(Path(path).resolve()), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None
    with _parsed_lock:
        if key in _parsed:
            _parsed.move_to_end(key)
            return list(_parsed[key])
    cells = parse_cells(read_json(path))
    if key is not None:
        with _parsed_lock:
            _parsed[key] = cells
            while len(_parsed) > KEEP_PARSED:
                _parsed.popitem(last=False)
    return list(cells)


KEEP_PARSED = 8   # notebooks whose cells are kept (a worker grades one at a time; each up to MAX_BYTES)
_parsed: OrderedDict = OrderedDict()
_parsed_lock = threading.Lock()


def read_json(path: str | Path) -> object:
    """The decoded JSON of a notebook file (NotebookError if it is no notebook's JSON)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotebookError(f"无法读取文件：{exc.strerror or exc}。") from None
    if not path.is_file():
        raise NotebookError("这不是一个文件。")
    if size > MAX_BYTES:
        raise NotebookError(f"文件太大（{size // 2**20} MB），请清除输出（Clear All Outputs）后再提交。")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise NotebookError(f"无法读取文件：{exc.strerror or exc}。") from None
    return decode(content)


def decode(content: bytes) -> object:
    """JSON bytes as a notebook's data, nested at most MAX_DEPTH deep; NotebookError otherwise."""
    if not content:
        raise NotebookError("文件是空的（0 字节），不是 Jupyter 笔记本。")
    try:
        data = json.loads(content)
    except UnicodeDecodeError:
        raise NotebookError("文件不是 UTF-8 文本，不是 Jupyter 笔记本（.ipynb）。") from None
    except RecursionError:
        raise NotebookError(TOO_DEEP) from None
    except ValueError as exc:
        raise NotebookError(f"文件不是有效的 JSON，可能不是 .ipynb 笔记本或已经损坏（{str(exc)[:80]}）。") from None
    if not _shallow(data):
        raise NotebookError(TOO_DEEP)
    return data


TOO_DEEP = f"文件里的 JSON 嵌套超过 {MAX_DEPTH} 层，不是 Jupyter 保存的笔记本（.ipynb）。"


def _shallow(data: object) -> bool:
    """Whether no list or object lies more than MAX_DEPTH deep (without recursion: linear)."""
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


def normalise(source: str) -> str:
    """A cell's text as compared with the course's: surrounding blank lines and trailing spaces dropped."""
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def plan(submission: list[Cell], course: list[Cell]) -> list[PlannedCell]:
    """The code cells to run for a submission, given the trusted release notebook's cells."""
    by_id = {c.grade_id: c for c in course if c.grade_id}
    by_text = {normalise(c.source): c for c in course if c.kind == "code" and c.role != "answer"}
    setup_ids = [c.grade_id for c in course if c.role == "setup"]
    seen_setup: set[str] = set()
    planned: list[PlannedCell] = []
    index = 0
    for cell in submission:
        if cell.kind != "code":
            continue
        index += 1
        trusted = by_id.get(cell.grade_id) if cell.grade_id else None
        if trusted is None or trusted.kind != "code":
            trusted = by_text.get(normalise(cell.source))
        if trusted is not None and trusted.role != "answer":
            if trusted.role == "setup" and trusted.grade_id not in seen_setup:
                seen_setup.add(trusted.grade_id)
                planned.append(PlannedCell(index, trusted.source, "course", trusted.grade_id))
            continue  # public, graded and demo cells belong to the suite, not to the run
        grade_id = cell.grade_id if cell.grade_id in by_id else None
        planned.append(PlannedCell(index, cell.source, "student", grade_id))
    # Setup the student deleted still runs, first: answers rely on its imports.
    missing = [by_id[g] for g in setup_ids if g not in seen_setup]
    restored = [PlannedCell(0, c.source, "course", c.grade_id) for c in missing]
    return restored + planned
