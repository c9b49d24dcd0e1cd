"""The reference's answers as text to search for: every line and every expression of the graded
functions in solutions/ and of the source notebooks' solution blocks, normalised so that the
same formula written in a message's math notation (−, ·, ², 2h) is found too."""
from __future__ import annotations

import ast
import json
import re
from functools import lru_cache

from helpers import ROOT, source_notebook

MIN_LENGTH = 9    # shorter pieces ("x**2", "2*x", "y - y_pred", "[dw, db]") are the task's own words
OPERATORS = re.compile(r"[-+*/@]")   # an answer computes something: a piece without an operator only names

_SUPERSCRIPTS = {"²": "**2", "³": "**3", "⁻¹": "**-1"}
_LIBRARIES = re.compile(r"\b(np|numpy|math|torch)\.")


def normalise(text: str) -> str:
    """Lower case, no spaces, one spelling for each operator and no library prefixes."""
    text = text.replace("−", "-").replace("·", "*").replace("×", "*").replace("'", '"')
    for mark, power in _SUPERSCRIPTS.items():
        text = text.replace(mark, power)
    text = _LIBRARIES.sub("", text.lower())
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(\d)\*(?=[a-z_(])", r"\1", text)    # 2 * h and 2h are one thing


def _graded_functions(assignment: str) -> set[str]:
    from autograder.course.assignments import Assignment
    return set(Assignment.load(assignment).functions)


def _solution_sources(assignment: str) -> list[tuple[str, bool]]:
    """(code, whether its lines count too): the graded functions in solutions/ (their statements
    and expressions; their docstrings are the released task), and the notebook's solution blocks."""
    names = _graded_functions(assignment)
    text = (ROOT / "solutions" / f"{assignment}.py").read_text(encoding="utf-8")
    sources = [(ast.get_source_segment(text, node), False) for node in ast.parse(text).body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names]
    notebook = json.loads(source_notebook(assignment).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        code = "".join(cell["source"])
        sources += [(block, True) for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", code, re.DOTALL)]
    return [(s, lines) for s, lines in sources if s]


def _pieces(source: str, lines: bool) -> set[str]:
    """Each expression and statement of `source` (docstrings dropped) and, for a solution block,
    each line (comments dropped)."""
    found = set()
    try:
        tree = ast.parse(_dedent(source))
    except SyntaxError:
        tree = None
    docstrings = set()
    if tree is not None:
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                docstrings.add(id(body[0].value))
        for node in ast.walk(tree):
            if isinstance(node, ast.expr) and id(node) not in docstrings and not isinstance(node, ast.Constant):
                found.add(ast.unparse(node))
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.Return)):
                found.add(ast.unparse(node))
    for line in source.splitlines() if lines else ():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith(('"""', "'''", "def ", "class ", "@")):
            found.add(line)
    return found


def _dedent(source: str) -> str:
    import textwrap
    return textwrap.dedent(source)


@lru_cache(maxsize=8)
def reference_expressions(assignment: str) -> frozenset[str]:
    """The normalised pieces of the reference answers long enough to give an answer away."""
    pieces = set()
    for source, lines in _solution_sources(assignment):
        pieces |= {normalise(p) for p in _pieces(source, lines) if OPERATORS.search(_LIBRARIES.sub("", p))}
    return frozenset(p for p in pieces if len(p) >= MIN_LENGTH)


_FRAME = re.compile(r"<cell \d+>, line \d+, in \w+: .*")


def leaks(text: str, assignment: str, own_code: str = "") -> list[str]:
    """The reference expressions that `text` contains, but for those the student wrote themselves
    (a traceback quotes the student's own lines: that gives nothing away)."""
    said, own = normalise(_FRAME.sub("", text)), normalise(own_code)
    return sorted(p for p in reference_expressions(assignment) if p in said and p not in own)
