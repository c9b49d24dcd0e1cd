"""Notebooks a determined student can craft to make the grader's own process slow: each kind
adds about `size` bytes of one feature (blank lines, cells, one long line, nesting, outputs,
names ...) to the JSON of an otherwise correct ps1 submission (BASE bytes)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from helpers import make_submission

ASSIGNMENT = "ps1_derivatives"
ANSWER = "f"                 # the answer cell the crafted text goes into (its code stays correct)


def base(tmp: Path) -> dict:
    return json.loads(make_submission(ASSIGNMENT, tmp / "base.ipynb").read_text(encoding="utf-8"))


def _answer(notebook: dict) -> dict:
    return next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == ANSWER)


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


BASE = 2**16   # bytes: more than the correct submission's JSON (about 63 KB) that the crafted text joins


def _units(unit: object, room: int) -> int:
    """How many copies of `unit` fill `room` bytes of JSON."""
    return max(room // max(len(json.dumps(unit, ensure_ascii=False)) - (2 if isinstance(unit, str) else -1), 1), 1)


def _defining(unit: str, tail: str = "") -> Callable[[dict, int], str]:
    """A cell after the answer cell that defines the function again, then the crafted text: the
    feedback page shows it (it defines f), and when running it takes too long (the student's own
    cell time) the answer cell's f is still there."""
    def make(notebook: dict, size: int) -> str:
        cells = notebook["cells"]
        head = "def f(x):\n    return x ** 2\n"
        cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                "source": head + unit * _units(unit, size - len(tail)) + tail}
        cells.insert(cells.index(_answer(notebook)) + 1, cell)
        return json.dumps(notebook, ensure_ascii=False)
    return make


def _extra_cell(unit: str, head: str = "", tail: str = "") -> Callable[[dict, int], str]:
    def make(notebook: dict, size: int) -> str:
        cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": ""}
        notebook["cells"].append(cell)
        cell["source"] = head + unit * _units(unit, size - len(head) - len(tail)) + tail
        return json.dumps(notebook, ensure_ascii=False)
    return make


def _many_cells(make_cell: Callable[[int], dict]) -> Callable[[dict, int], str]:
    def make(notebook: dict, size: int) -> str:
        count = _units(make_cell(10**6), size)
        notebook["cells"].extend(make_cell(i) for i in range(count))
        return json.dumps(notebook, ensure_ascii=False)
    return make


def _outputs(make_output: Callable[[int], list]) -> Callable[[dict, int], str]:
    def make(notebook: dict, size: int) -> str:
        _answer(notebook)["outputs"] = make_output(size)
        return json.dumps(notebook, ensure_ascii=False)
    return make


def _deep(notebook: dict, size: int) -> str:
    depth = size // 2
    text = json.dumps(notebook, ensure_ascii=False)
    return text.replace('"metadata": {', '"metadata": {"deep": ' + "[" * depth + "]" * depth + ", ", 1)


def _long_grade_id(notebook: dict, size: int) -> str:
    cell = {"cell_type": "code", "execution_count": None, "outputs": [], "source": "x = 1\n",
            "metadata": {"nbgrader": {"grade": True, "solution": False, "locked": False, "points": 1,
                                      "grade_id": ""}}}
    notebook["cells"].append(cell)
    cell["metadata"]["nbgrader"]["grade_id"] = "g" * size
    return json.dumps(notebook, ensure_ascii=False)


def _duplicated_answers(notebook: dict, size: int) -> str:
    cell = _answer(notebook)
    notebook["cells"].extend([cell] * _units(cell, size))
    return json.dumps(notebook, ensure_ascii=False)


def _source_as_pieces(notebook: dict, size: int) -> str:
    cell = _answer(notebook)
    pieces = [_text(cell["source"]), "# "] + ["x"] * (size // 5)
    cell["source"] = pieces
    return json.dumps(notebook, ensure_ascii=False)


def _written(notebook: dict, size: int) -> str:
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown"
                and c["metadata"].get("nbgrader", {}).get("solution"))
    cell["source"] = "导数" * (size // 6)
    return json.dumps(notebook, ensure_ascii=False)


def _nbformat3(notebook: dict, size: int) -> str:
    cells = [dict(c, input=_text(c.get("source", ""))) for c in notebook["cells"]]
    unit = {"cell_type": "code", "input": "x = 1\n", "metadata": {}, "outputs": []}
    cells += [unit] * _units(unit, size)
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": cells}]})


KINDS: dict[str, Callable[[dict, int], str]] = {
    "blank lines": _defining("\n"),
    "blank lines of spaces and tabs": _defining(" \t \n"),
    "carriage returns": _defining("\r"),
    "one long line": _extra_cell("a", head="x = '", tail="'\n"),
    "magic lines": _defining("%time x = 1\n"),
    "blank lines after a magic": _defining("\n", tail="%time x = 1\n"),
    "percent lines in a string": _extra_cell("%d\n", head="s = '''\n", tail="'''\n!ls\n"),
    "unterminated strings": _extra_cell("'"),
    "open brackets": _extra_cell("("),
    "nested brackets": _defining("x = " + "(" * 40 + "1" + ")" * 40 + "\n"),
    "many definitions": _extra_cell("def g(x):\n    return x\n"),
    "a long function name": _extra_cell("g", head="def ", tail="(x):\n    return x\n"),
    "imports after blank lines": _defining("\n", tail="import json\n"),
    "many code cells": _many_cells(lambda i: {"cell_type": "code", "execution_count": None, "metadata": {},
                                              "outputs": [], "source": "x = 1\n"}),
    "many markdown cells": _many_cells(lambda i: {"cell_type": "markdown", "metadata": {}, "source": "说明\n"}),
    "many unknown grade_ids": _many_cells(lambda i: {"cell_type": "markdown", "source": "extra", "metadata": {
        "nbgrader": {"grade": True, "solution": True, "locked": False, "points": 1, "grade_id": f"extra{i}"}}}),
    "duplicated answer cells": _duplicated_answers,
    "a long grade_id": _long_grade_id,
    "many outputs": _outputs(lambda room: [{"output_type": "stream", "name": "stdout", "text": "1\n"}] * (room // 50)),
    "one huge output": _outputs(lambda room: [{"output_type": "stream", "name": "stdout", "text": "x" * room}]),
    "deep JSON": _deep,
    "source as many pieces": _source_as_pieces,
    "a long written answer": _written,
    "nbformat 3 worksheets": _nbformat3,
}

# Kinds whose correct answers stay runnable: a whole grade gives them full marks.
INTACT = set(KINDS) - {"deep JSON"}


def write(kind: str, notebook: dict, size: int, path: Path) -> Path:
    path.write_text(KINDS[kind](json.loads(json.dumps(notebook)), size), encoding="utf-8")
    return path
