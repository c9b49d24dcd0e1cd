"""Classes for the integrity report's test and benchmark (ps3_linear_regression): independent
students and planted copies.

Independent students write each function one of the ways real students do (the reference, the
catalogue's correct variants, the catalogue's common mistakes, each chosen by many), and most add
code of their own: a helper with their own structure and constants (`personal`). Planted pairs copy
a student's whole answer and disguise it: verbatim, identifiers renamed, reformatted with comments
and prints added, helper definitions reordered; and one pair shares a rare wrong answer written
with different code. Controls: correct answers written differently, a common mistake made by
several students independently.
"""
from __future__ import annotations

import ast
import io
import random
import tokenize
from pathlib import Path

from catalogue import ps3_linear_regression as catalogue
from heldout import ps3_linear_regression as heldout
from helpers import make_submission, reference_answers

ASSIGNMENT = "ps3_linear_regression"
FUNCTIONS = ["linear_model", "mse_loss", "gradient_mse", "train_linear_regression"]
COMMON_WRONG = {"mse_loss": "sum instead of mean", "linear_model": "forgets the bias"}
DISGUISES = ("verbatim", "renamed", "reformatted", "reordered")

# A wrong gradient no mistake model names (3 instead of 2): two ways to write it.
RARE_WRONG = [
    "import numpy as np\ndef gradient_mse(X, y, w, b):\n"
    "    r = y - linear_model(X, w, b)\n    return np.array([-3 * np.mean(X * r), -3 * np.mean(r)])\n",
    "import numpy as np\ndef gradient_mse(X, y, w, b):\n    n = len(X)\n    gw = gb = 0.0\n"
    "    for xi, yi in zip(X[:, 0], y[:, 0]):\n        e = (w * xi + b) - yi\n"
    "        gw += 3 * e * xi / n\n        gb += 3 * e / n\n    return np.array([gw, gb])\n",
]

# A wrong linear model nobody else writes: the verbatim copy shares it (code and mistake, one row).
RARE_LINEAR = "def linear_model(X, w, b):\n    return X * w + b + 0.25\n"

LINES = ["{v} = np.asarray({a}, dtype=float)", "if {a}.ndim != {k}:\n        {a} = {a}.reshape(-1, {k})",
         "assert {a}.shape[0] > {k}, 'too few rows'", "{v} = float(np.clip({a}.sum(), -{n}, {n}))",
         "{v} = {a}[:{k}] * {n} + {k}", "for _i in range({k}):\n        {v} = {v} * 0.{k}{n} + _i",
         "{v} = [{a}[_j] for _j in range(min(len({a}), {k}))]", "{v} = np.linalg.norm({a}) / ({n} + 1e-{k})",
         "while {v} > {n}:\n        {v} = {v} / {k}", "{v} = max({v}, {n}) if {v} else -{k}",
         "{v} = dict(scale={n}, rows=len({a}))", "{v} = np.where({a} > {n}, {a}, {k})"]


def personal(rng: random.Random, tag: str) -> str:
    """A helper of the student's own: 4-7 statements of their own order and constants."""
    body = []
    for _ in range(rng.randint(4, 7)):
        line = rng.choice(LINES).format(v="value", a="data", k=rng.randint(1, 9), n=rng.randint(10, 999))
        body.append("    " + line)
    return f"import numpy as np\n\ndef check_{tag}(data):\n    value = 0\n" + "\n".join(body) + "\n    return value\n"


HELDOUT = [(function, case[0]) for function, cases in heldout.CASES.items() for case in cases.values()]


def independent(rng: random.Random, index: int, wrong_every: int = 8) -> dict[str, str]:
    """Answers of a student who worked alone: a correct way for each function, or (for
    1 in `wrong_every` students) a common mistake; every fourth of the first students makes one
    of the held-out mistakes of real students (tests/heldout), each once; most add a helper of
    their own."""
    answers = {}
    reference = reference_answers(ASSIGNMENT)
    for position, function in enumerate(FUNCTIONS):
        if function in COMMON_WRONG and (index + position) % wrong_every == 0:
            answers[function] = catalogue.WRONG[function][COMMON_WRONG[function]]
            continue
        ways = [reference[function], *catalogue.RIGHT[function].values()]
        answers[function] = rng.choice(ways)
    if wrong_every < 10**9 and index % 4 == 1 and index // 4 < len(HELDOUT):
        function, code = HELDOUT[index // 4]
        answers[function] = code
    if rng.random() < 0.8:
        function = rng.choice(FUNCTIONS)
        answers[function] = personal(rng, function) + "\n\n" + answers[function]
    return answers


def source(rng: random.Random, index: int) -> dict[str, str]:
    """A student whose work will be copied: their own way, with helpers of their own."""
    answers = independent(rng, index, wrong_every=10**9)
    for function in ("gradient_mse", "train_linear_regression"):
        answers[function] = personal(rng, function) + "\n\n" + answers[function]
    return answers


def disguise(answers: dict[str, str], how: str, rng: random.Random) -> dict[str, str]:
    return {f: _disguise(code, how, rng) for f, code in answers.items()}


def _disguise(code: str, how: str, rng: random.Random) -> str:
    if how == "verbatim":
        return code
    if how == "renamed":
        return _renamed(code)
    if how == "reformatted":
        lines = []
        for i, line in enumerate(ast.unparse(ast.parse(code)).splitlines()):
            lines.append(line)
            stripped = line.lstrip()
            indent = line[:len(line) - len(stripped)]
            if stripped.startswith(("def ", "for ", "while ", "if ", "else", "elif ")):
                indent += "    "
            if stripped.startswith("return"):
                continue
            if i % 3 == 1:
                lines.append(f"{indent}# step {i}: 这里算一下")
            if i % 4 == 2 and stripped and not stripped.startswith(("import", "from", "@")):
                lines.append(f"{indent}print('debug', {i})")
        return "\n".join(lines) + "\n"
    if how == "reordered":
        tree = ast.parse(code)
        imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        rest = [n for n in tree.body if n not in imports]
        return "\n\n".join(ast.get_source_segment(code, n) for n in imports + rest[::-1]) + "\n"
    raise ValueError(how)


def _renamed(code: str) -> str:
    """Every local name (arguments, assigned names) renamed; definitions of graded functions kept."""
    tree = ast.parse(code)
    names = {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name not in FUNCTIONS}
    mapping = {name: f"my_{name.strip('_')}_{i}" for i, name in enumerate(sorted(names))}
    out = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        text = mapping.get(token.string, token.string) if token.type == tokenize.NAME else token.string
        out.append((token.type, text))
    return tokenize.untokenize(out)


def build_class(submitted: Path, independents: int, seed: int = 7, common: int = 0) -> dict:
    """Write submitted/<student>/ps3_linear_regression/ps3_linear_regression.ipynb for a class;
    returns {"planted": [(a, b, how)], "independent": [...], "common_mistake": [...]}."""
    rng = random.Random(seed)
    students: dict[str, dict[str, str]] = {}
    for i in range(independents):
        students[f"ind{i:03d}"] = independent(rng, i)
    for i in range(common):   # the common mistake, made by each alone: code of their own around it
        answers = independent(rng, 3000 + i, wrong_every=10**9)
        answers["mse_loss"] = catalogue.WRONG["mse_loss"][COMMON_WRONG["mse_loss"]]
        students[f"common{i}"] = answers
    planted = []
    for i, how in enumerate(DISGUISES):
        original = source(rng, 1000 + i)
        if how == "verbatim":
            original["linear_model"] = RARE_LINEAR
        students[f"src_{how}"] = original
        students[f"copy_{how}"] = disguise(original, how, rng)
        planted.append((f"src_{how}", f"copy_{how}", how))
    for j, name in enumerate(("rare_a", "rare_b")):   # same rare wrong answer, different code
        answers = independent(rng, 2000 + j, wrong_every=10**9)
        answers["gradient_mse"] = RARE_WRONG[j]
        students[name] = answers
    planted.append(("rare_a", "rare_b", "shared rare wrong answer"))
    for name, answers in students.items():
        make_submission(ASSIGNMENT, submitted / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", answers)
    common = [s for s, a in students.items() if a.get("mse_loss") == catalogue.WRONG["mse_loss"]["sum instead of mean"]]
    return {"planted": planted, "independent": [s for s in students if s.startswith(("ind", "common"))],
            "common_mistake": common, "students": students}
