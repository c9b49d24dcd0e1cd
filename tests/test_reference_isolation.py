"""Nothing of the reference is ever in the student process: no source, no function, no file.

A probe submission replaces every graded function and class of an assignment by code that
searches its own process for the reference solutions -- functions and code objects reachable
through the garbage collector, the call stack, `sys.modules`, `linecache`, strings held in
containers, and (once, when its cells run) the whole file system for course files by name and the
course directory -- and reports what it found by raising. The probe runs in every test of every suite, tests of functions judged alone (with
stand-ins for their helpers) included. Beside it, every message the grader sends to the student
processes is recorded and searched for the reference's source.

The needles are hashes (of the reference's code objects and of its source lines that the
release notebook does not show), so the probe carries nothing of the reference itself.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from autograder.sandbox import protocol
from autograder.course.assignments import Assignment, assignment_ids
from autograder.grading.engine import grade_notebooks
from autograder.sandbox.settings import SandboxSettings
from helpers import ROOT, make_submission

MIN_LINE = 16

PROBE = r'''
import gc as _gc, hashlib as _hashlib, linecache as _linecache, os as _os, sys as _sys, types as _types

_CODE = set(%(code)r)
_LINES = set(%(lines)r)
_NAMES = ("solutions", "autograder.suites", "autograder.testkit.checks", "autograder.testkit.oracle", "autograder.testkit.student")


_CLEAN = set()   # hashes of code and strings already searched (the cells' objects, inherited by tests)


def _code_key(code):
    consts = tuple(c for c in code.co_consts if not isinstance(c, _types.CodeType))
    return _hashlib.sha256(repr((code.co_name, code.co_code, consts, code.co_names, code.co_varnames,
                                 code.co_firstlineno)).encode()).hexdigest()


def _code_hit(code):
    quick = hash((code.co_name, code.co_code, code.co_names))
    if quick in _CLEAN:
        return False
    if _code_key(code) in _CODE:
        return True
    _CLEAN.add(quick)
    return False


def _codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, _types.CodeType):
            yield from _codes(const)


def _text_hits(text):
    if len(text) < %(min_line)d:
        return False
    quick = hash(text)
    if quick in _CLEAN:
        return False
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= %(min_line)d and _hashlib.sha256(line.encode()).hexdigest() in _LINES:
            return True
    _CLEAN.add(quick)
    return False


def _search_files(root):
    """Course files by name anywhere, and anything of the course directory but its virtualenv."""
    found = []
    for directory, subdirs, files in _os.walk(root):
        if directory in ("/proc", "/sys", "/dev"):
            subdirs[:] = []
            continue
        for name in files:
            path = _os.path.join(directory, name)
            installed = "site-packages" in path or "dist-packages" in path or "/lib/python" in path
            if ("/solutions/" in path or "/autograder/suites/" in path
                    or (not installed and (name == "gradebook.db" or name.endswith(".ipynb")))):
                found.append("file " + path)
    try:
        found += ["course " + name for name in _os.listdir(%(course)r) if name != ".venv"]
    except OSError:
        pass
    return found


_FILES = _search_files(%(root)r)


def _search():
    found = list(_FILES) + _search_files(%(scratch)r)
    for name in list(_sys.modules):
        if name.startswith(_NAMES):
            found.append("module " + name)
    for key, entry in list(_linecache.cache.items()):
        if len(entry) > 2 and _text_hits("".join(entry[2] or [])):
            found.append("linecache " + str(key))
    frame = _sys._getframe()
    while frame is not None:
        if _code_hit(frame.f_code):
            found.append("frame " + frame.f_code.co_name)
        frame = frame.f_back
    for obj in _gc.get_objects():
        if isinstance(obj, _types.FunctionType):
            for code in _codes(obj.__code__):
                if _code_hit(code):
                    found.append("function " + code.co_name)
        elif isinstance(obj, dict):
            for value in list(obj.values()):
                if type(value) is str and _text_hits(value):
                    found.append("string " + value[:40])
        elif isinstance(obj, (list, tuple)):
            for value in obj:
                if type(value) is str and _text_hits(value):
                    found.append("string " + value[:40])
    return found


_AT_START = _search()   # what the cells left (and fills _CLEAN, so that tests search fast)


def _probe(where):
    found = _AT_START + _search()
    raise RuntimeError(("PROBE LEAK " + "; ".join(sorted(set(found))[:6])) if found else "PROBE clean")
'''


def reference_code(assignment: Assignment) -> tuple[set[str], set[str]]:
    """Hashes of the reference's graded code objects, and of its source lines the release lacks."""
    path = ROOT / "solutions" / f"{assignment.id}.py"
    source = path.read_text(encoding="utf-8")
    module = compile(source, str(path), "exec")
    graded = set(assignment.functions)
    codes: set[str] = set()

    def walk(code):
        yield code
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                yield from walk(const)

    for const in module.co_consts:
        if isinstance(const, types.CodeType) and const.co_name in graded:
            for code in walk(const):
                consts = tuple(c for c in code.co_consts if not isinstance(c, types.CodeType))
                key = (code.co_name, code.co_code, consts, code.co_names, code.co_varnames, code.co_firstlineno)
                codes.add(hashlib.sha256(repr(key).encode()).hexdigest())
    shown = "\n".join(cell.source for cell in assignment.cells)   # what students see anyway
    lines = {line.strip() for line in source.splitlines()
             if len(line.strip()) >= MIN_LINE and line.strip() not in shown}
    return codes, lines


def probe_cells(assignment: Assignment, course: Path = ROOT, root: str = "/", scratch: str = "/tmp") -> dict[str, str]:
    codes, lines = reference_code(assignment)
    header = PROBE % {"code": sorted(codes), "lines": sorted(hashlib.sha256(l.encode()).hexdigest() for l in lines),
                      "min_line": MIN_LINE, "course": str(course), "root": root, "scratch": scratch}
    cells = {}
    for i, name in enumerate(assignment.functions):
        if name[0].isupper():   # a class: constructing it runs the probe
            body = f"class {name}:\n    def __init__(self, *args, **kwargs):\n        _probe({name!r})\n"
        else:
            body = f"def {name}(*args, **kwargs):\n    _probe({name!r})\n"
        cells[name] = (header if i == 0 else "") + body
    return cells


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """assignment -> (result, every payload the grader sent to its sandboxes)."""
    sent: list[bytes] = []
    original = protocol.send_raw

    def recording(sock, payload):
        sent.append(payload)
        return original(sock, payload)

    # Generous budgets: the probe searches the whole process in every call.
    settings = SandboxSettings(budget_floor=15.0, test_timeout=30.0)
    folder = tmp_path_factory.mktemp("probe")
    out = {}
    protocol.send_raw = recording
    try:
        for assignment_id in assignment_ids():
            assignment = Assignment.load(assignment_id)
            notebook = make_submission(assignment_id, folder / f"{assignment_id}.ipynb", probe_cells(assignment))
            start = len(sent)
            (result,) = grade_notebooks([notebook], assignment_id, settings)
            out[assignment_id] = (result, sent[start:])
    finally:
        protocol.send_raw = original
    return out


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_the_probe_finds_nothing_in_any_test(probed, assignment_id):
    result, _ = probed[assignment_id]
    assert result.status == "graded", result.error
    leaks = [(t.name, t.output[:300]) for t in result.tests if "RuntimeError: PROBE LEAK" in t.output]
    assert not leaks, leaks
    # Every test ran student code, so the probe searched in every one of them.
    silent = [(t.name, t.output[:200]) for t in result.tests if "RuntimeError: PROBE clean" not in t.output]
    assert not silent, silent


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_no_message_to_a_sandbox_holds_reference_source(probed, assignment_id):
    _, sent = probed[assignment_id]
    _, lines = reference_code(Assignment.load(assignment_id))
    assert sent and lines
    text = "\n".join(payload.decode("utf-8", "replace") for payload in sent)
    text = json.loads(json.dumps(text))   # the same characters, whatever their escaping
    found = [line for line in lines if line in text or json.dumps(line)[1:-1] in text]
    assert not found, found[:5]


def test_the_probe_finds_the_reference_when_it_is_there(tmp_path):
    """The old way of judging a function alone (the reference module executed in the student's
    process) is exactly what the probe must catch: the search itself can fail. Run in a fresh
    interpreter that has imported nothing of the grader."""
    assignment = Assignment.load("ps3_linear_regression")
    cells = probe_cells(assignment, course=Path("/nonexistent"), root="/nonexistent", scratch="/nonexistent")
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys\n"
        "namespace = {}\n"
        f"exec(compile({cells['linear_model']!r}, '<cell 1>', 'exec'), namespace)\n"
        "def attempt():\n"
        "    try:\n        namespace['linear_model']()\n    except RuntimeError as error:\n        print(error)\n"
        "attempt()\n"
        f"exec(compile(open({str(ROOT / 'solutions' / 'ps3_linear_regression.py')!r}).read(), '<reference>', 'exec'),"
        " {'__name__': 'reference'})\n"
        "attempt()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    before, after = done.stdout.splitlines()[-2:]
    assert before == "PROBE clean", done.stdout + done.stderr
    assert after.startswith("PROBE LEAK") and "function linear_model" in after, after
