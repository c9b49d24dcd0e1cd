"""Everything generated from source/: solutions/ (reference modules) and release/ (by nbgrader).

    python -m autograder build              # normalise source/, regenerate solutions/ and release/

The source notebooks are the single source of truth. tests/test_generated.py regenerates both
copies into a temporary directory and fails when the committed ones differ.
"""
from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.course.notebook import read_notebook

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HEADER = '''"""Reference implementations of {assignment}, the oracle of its hidden suite.

Generated from source/{assignment}/{assignment}.ipynb by `python -m autograder build`; do not edit.
"""
'''


def solution_module(source_notebook: Path, assignment: str) -> str:
    """The setup cells and the answer cells of a source notebook, markers removed."""
    parts = [HEADER.format(assignment=assignment)]
    for cell in read_notebook(source_notebook):
        if cell.kind == "code" and cell.role == "setup":
            parts.append("".join(_definitions(cell.source)))
        elif cell.kind == "code" and cell.role == "answer":
            lines = [line for line in cell.source.splitlines() if line.strip() not in (BEGIN, END)]
            parts.append("\n".join(lines).strip() + "\n")
    return "\n\n".join(parts)


def _definitions(source: str) -> list[str]:
    """Imports, functions and classes of a setup cell: what answers may rely on, without the
    prints and data it also holds."""
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    return [ast.get_source_segment(source, node) + "\n" for node in ast.parse(source).body if isinstance(node, keep)]


# What the course's kernel (ipykernel on the course's Python, 3.11) says of itself. JupyterLab writes
# the running kernel's kernelspec and language_info into a notebook's metadata when the kernel
# starts, and a notebook that held anything else is marked modified the moment it is opened.
KERNEL_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                      "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                      "pygments_lexer": "ipython3", "version": "3.11.7"},
}


def normalise(notebook: Path) -> bool:
    """Remove outputs and execution counts and set the kernel's own metadata, in place; True when
    the file changed."""
    text = notebook.read_text(encoding="utf-8")
    data = json.loads(text)
    for cell in data.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    data.setdefault("metadata", {}).update(json.loads(json.dumps(KERNEL_METADATA)))
    new = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if new != text:
        notebook.write_text(new, encoding="utf-8")
        return True
    return False


def assignments(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "source").iterdir() if (p / f"{p.name}.ipynb").is_file())


def generate_solutions(root: Path, out_dir: Path) -> list[Path]:
    written = []
    for assignment in assignments(root):
        target = out_dir / f"{assignment}.py"
        target.write_text(solution_module(root / "source" / assignment / f"{assignment}.ipynb", assignment),
                          encoding="utf-8")
        written.append(target)
    return written


def generate_release(root: Path, out_root: Path, assignment: str) -> Path:
    """Run the real `nbgrader generate_assignment` on a copy of the course in `out_root`."""
    work = Path(tempfile.mkdtemp(prefix="release-"))
    try:
        shutil.copytree(root / "source" / assignment, work / "source" / assignment)
        shutil.copy(root / "nbgrader_config.py", work / "nbgrader_config.py")
        command = [str(Path(sys.executable).with_name("nbgrader")), "generate_assignment", assignment,
                   "--force", "--no-db", "--log-level=ERROR"]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env)
        produced = work / "release" / assignment / f"{assignment}.ipynb"
        if done.returncode != 0 or not produced.is_file():
            raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{done.stdout}{done.stderr}")
        target = out_root / "release" / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(produced, target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build(root: Path) -> None:
    for assignment in assignments(root):
        notebook = root / "source" / assignment / f"{assignment}.ipynb"
        if normalise(notebook):
            print(f"stripped outputs and set the kernel's metadata in {notebook.relative_to(root)}")
    for path in generate_solutions(root, root / "solutions"):
        print(f"wrote {path.relative_to(root)}")
    for assignment in assignments(root):
        path = generate_release(root, root, assignment)
        print(f"released {path.relative_to(root)} (nbgrader generate_assignment)")
