"""The layout is the architecture: each folder of autograder/ is one layer, imports go only downward,
no module imports itself back through others, and what is imported is imported at the top of the file
(docs/architecture.md). Read from the source with ast, so the test sees every import, run or not."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"

# Bottom to top. A module may import its own layer and the layers below it, never one above.
# integrity/ (branch i27: answer and code similarity) imports views/ and is imported by grading/.
LAYERS = ["base", "sandbox", "course", "testkit", "views", "integrity", "grading", "suites", "dispatch", "records",
          "service", "commands"]
TOP_LEVEL = {"cli": "commands", "commands": "commands", "demo": "commands", "__main__": "commands",
             "nbgrader_bridge": "commands", "__init__": "base"}

# Imported inside functions to defer their cost: torch (2 s), pytest, nbgrader, dask and distributed.
DEFERRED = {"torch", "pytest", "nbgrader", "dask", "distributed"}

# Every other import made inside a function, and why it has to be there.
EXCEPTIONS = {
    # The commands import what each command runs, no more: `autograder --help` answers at once and
    # `check` starts its zygote (which imports torch) before it imports numpy and pytest itself.
    "autograder.cli": {"autograder.commands": "commands", "autograder.demo": "commands"},
    "autograder.commands": "commands",
    "autograder.demo": "commands",
    # The zygote's client starts the zygote before numpy is imported here (protocol and client need it).
    "autograder.sandbox.zygote_client": {"autograder.sandbox.protocol": "numpy", "autograder.sandbox.client": "numpy",
                                         "solutions": "optional: absent where only the grader is installed",
                                         "site": "asked once, only when no checkout is on the path"},
    # The zygote imports the sandbox's steps in the child it forks, after its own preload.
    "autograder.sandbox.zygote": {"autograder.sandbox.confine": "child", "autograder.sandbox.supervisor": "child",
                                  "autograder.sandbox": "child"},
    # The engine is imported by `check` before the zygote is ready: pytest and numpy load beside it.
    "autograder.grading.engine": {"autograder.grading.pytest_plugin": "pytest", "autograder.testkit.reference": "numpy"},
    # autograde hands the workers their first notebooks before the gradebook's side is imported
    # (0.7 s of one core): the Recorder's thread imports it beside the grading, the reports at the end.
    "autograder.records.batch": {"autograder.records.pipeline": "recorder", "autograder.records.gradebook": "recorder",
                                 "autograder.views.class_report": "at the end",
                                 "autograder.integrity.pairs": "at the end", "autograder.integrity.report": "at the end"},
    # ... and the integrity report's fingerprints are made by a thread beside the grading, imports included.
    "autograder.integrity.early": {"autograder.course.assignments": "thread", "autograder.course.config": "thread",
                                   "autograder.integrity.pairs": "thread", "autograder.integrity.similarity": "thread"},
    # JupyterHub is an optional dependency (the `hub` extra).
    "autograder.service.identity": {"jupyterhub": "optional"},
    # A self-learner's 检查 button starts this module as a program: it imports when it runs.
    "autograder.service.lab": "program",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "base"
    if len(parts) == 2 and parts[1] in TOP_LEVEL:
        return TOP_LEVEL[parts[1]]
    return parts[1]


def _imports(path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, inside a function, line) for every import of the file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, inside, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - child.level + 1] + ([base] if base else []))
                for alias in child.names:   # `from autograder.views import present` imports a module
                    candidate = f"{base}.{alias.name}"
                    found.append((candidate if _is_module(candidate) else base, inside, child.lineno))
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                continue   # annotations only: never run
            visit(child, nested)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _is_module(name: str) -> bool:
    if not name.startswith("autograder"):
        return False
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in _sources():   # (a suite's files import one another by bare name: not edges here)
        graph[_module_name(path)] = {name for name, _inside, _line in _imports(path) if name.startswith("autograder")}
    return graph


def test_every_module_is_in_a_known_layer():
    unknown = {m for m in _graph() if _layer(m) not in LAYERS}
    assert not unknown, f"modules outside the layers of LAYERS (add the folder there and to docs/architecture.md): {unknown}"


def test_imports_go_only_downward():
    upward = []
    for module, imported in _graph().items():
        for target in imported:
            if LAYERS.index(_layer(target)) > LAYERS.index(_layer(module)):
                upward.append(f"{module} ({_layer(module)}) imports {target} ({_layer(target)})")
    assert not upward, "imports into a higher layer:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    graph = _graph()
    cycles, state = [], {}

    def walk(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            target = target if target in graph else target.rpartition(".")[0]
            if target == node or target not in graph:
                continue
            if state.get(target) == "open":
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                walk(target, trail + [target])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_imports_inside_functions_only_defer_what_costs():
    hidden = []
    for path in _sources():
        module = _module_name(path)
        if module.startswith("autograder.suites"):
            continue
        allowed = EXCEPTIONS.get(module, {})
        for name, inside, line in _imports(path):
            if not inside or name.split(".")[0] in DEFERRED or allowed == "commands" or allowed == "program":
                continue
            if not any(name == key or name.startswith(key + ".") for key in allowed):
                hidden.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name} inside a function")
    assert not hidden, ("move these imports to the top of the file, or list them in EXCEPTIONS with the reason:\n"
                        + "\n".join(hidden))


@pytest.mark.parametrize("rule", ["upward", "cycle", "inside"])
def test_the_rules_catch_what_they_forbid(tmp_path, rule):
    """A planted violation of each rule is reported (the rules are not vacuous)."""
    planted = {
        "upward": ("course", "planted.py", "from autograder.service import server\n"),
        "cycle": ("views", "planted.py", "from autograder.views import planted_too\n"),
        "inside": ("views", "planted.py", "def f():\n    import json\n"),
    }[rule]
    layer, name, text = planted
    package = tmp_path / "autograder"
    for source in _sources():
        target = package / source.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (package / layer / name).write_text(text, encoding="utf-8")
    if rule == "cycle":
        (package / layer / "planted_too.py").write_text("from autograder.views import planted\n", encoding="utf-8")
    globals()["PACKAGE"] = package
    try:
        check = {"upward": test_imports_go_only_downward, "cycle": test_no_import_cycles,
                 "inside": test_imports_inside_functions_only_defer_what_costs}[rule]
        with pytest.raises(AssertionError, match="planted"):
            check()
    finally:
        globals()["PACKAGE"] = PACKAGE_REAL


PACKAGE_REAL = PACKAGE
