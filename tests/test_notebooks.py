"""The course notebooks: stored clean, consistent with the suites, valid for the real nbgrader."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.course.assignments import Assignment
from autograder.course.build import assignments
from autograder.course.notebook import read_notebook
from helpers import ROOT

ASSIGNMENTS = assignments(ROOT)
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))


def nbgrader(*args: str) -> str:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}", MPLBACKEND="Agg")
    done = subprocess.run([NBGRADER, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    return done.stdout + done.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_stored_without_outputs(assignment):
    data = json.loads((ROOT / "source" / assignment / f"{assignment}.ipynb").read_text())
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell.get("id")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_its_three_cells(assignment):
    cells = read_notebook(ROOT / "source" / assignment / f"{assignment}.ipynb")
    ids = [c.grade_id for c in cells if c.grade_id]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    answers = [c.grade_id for c in cells if c.role == "answer"]
    assert answers
    for name in answers:
        assert f"{name}_public" in ids and f"{name}_tests" in ids, name
    assert any(c.role == "written" and c.nbgrader.get("points", 0) > 0 for c in cells), "a written answer"
    for cell in cells:
        if cell.role == "setup":
            assert "matplotlib" not in cell.source, "setup cells stay free of matplotlib (the grader skips demos)"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_cell_points_equal_the_suite(assignment):
    from autograder.grading.engine import Grader

    course = Assignment.load(assignment, ROOT)
    grader = Grader(assignment, root=ROOT)
    plugin = grader.plugin([])
    grader._pytest(plugin, "--collect-only")
    suite = {}
    for grade_id, _what, points in plugin.points.values():
        suite[grade_id] = suite.get(grade_id, 0) + points
    assert suite == course.notebook_points()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_runs_top_to_bottom_quickly_and_nbgrader_validate_passes(assignment):
    # validate_all: every cell (demos and their plots included) must run without an error,
    # in a fresh kernel, headless; the graded cells must get full marks from the hidden suites.
    started = time.monotonic()
    output = nbgrader("validate", "--Validator.validate_all=True", f"source/{assignment}/{assignment}.ipynb")
    elapsed = time.monotonic() - started
    assert "Success! Your notebook passes all the tests." in output, output[-3000:]
    assert elapsed < 30, f"{assignment} took {elapsed:.1f}s (kernel start included)"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate_invert_passes_on_the_release(assignment):
    output = nbgrader("validate", "--invert", f"release/{assignment}/{assignment}.ipynb")
    assert "Success! The notebook does not pass any tests." in output, output[-3000:]


# ------------------------------------------------------------------- what the notebooks say

def _first_public_check(assignment: str) -> str:
    cells = read_notebook(ROOT / "release" / assignment / f"{assignment}.ipynb")
    return next(c.grade_id for c in cells if c.grade_id and c.grade_id.endswith("_public"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_restart_and_run_all_stops_where_the_intro_says(assignment):
    """A student's fresh copy, run top to bottom in a real kernel, stops at the first function's
    public check with NotImplementedError, and the intro says so before the first exercise."""
    import nbclient
    import nbformat

    path = ROOT / "release" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    first_answer = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    intro = "\n".join(c.source for c in notebook.cells[:first_answer] if c.cell_type == "markdown")
    for words in ("Restart Kernel and Run All Cells", "重启并运行全部", "NotImplementedError", "停下",
                  "Run Selected Cell and All Below"):
        assert words in intro, f"{assignment}: the intro does not say {words!r}"
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    with pytest.raises(nbclient.exceptions.CellExecutionError) as stopped:
        client.execute()
    ran = [c for c in notebook.cells if c.cell_type == "code" and c.get("execution_count")]
    failed = ran[-1]
    assert failed.metadata["nbgrader"]["grade_id"] == _first_public_check(assignment), failed.source[:200]
    assert stopped.value.ename == "NotImplementedError", stopped.value.ename


def _run_source_until(assignment: str, grade_id: str) -> dict:
    """The source notebook's code cells (solutions in place; graded and public cells skipped) run
    here up to and including `grade_id`, figures kept open (Agg): its namespace."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    namespace: dict = {}
    for cell in read_notebook(ROOT / "source" / assignment / f"{assignment}.ipynb"):
        if cell.kind != "code" or cell.role in ("graded", "public"):
            continue
        if cell.grade_id == grade_id:
            exec(compile(cell.source, grade_id, "exec"), namespace)   # noqa: S102 - the course's own code
            return namespace
        exec(compile(cell.source.replace("plt.show()", "plt.close('all')"), cell.grade_id or "cell", "exec"),
             namespace)   # noqa: S102
    raise AssertionError(f"{assignment} has no cell {grade_id}")


def test_ps1_error_model_divides_the_central_rounding_term_by_2h():
    """(f(x+h) - f(x-h)) / (2h): the rounding error of the numerator, about eps|f|, is divided by 2h."""
    import matplotlib.pyplot as plt

    namespace = _run_source_until("ps1_derivatives", "demo_error_plot")
    ax = plt.gcf().axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    central = lines["model: h^2|f'''|/6 + eps|f|/(2h)"]
    forward = lines["model: h|f''|/2 + eps|f|/h"]
    h, eps = central.get_xdata(), np.finfo(float).eps
    np.testing.assert_allclose(central.get_ydata(), h ** 2 * abs(np.cos(1.0)) / 6 + eps * abs(np.sin(1.0)) / (2 * h))
    np.testing.assert_allclose(forward.get_ydata(), h * abs(np.sin(1.0)) / 2 + eps * abs(np.sin(1.0)) / h)
    assert not ax.xaxis_inverted() and "hs" in namespace
    plt.close("all")


def test_ps1_feedback_figure_is_drawn_as_its_caption_says_and_its_h_axis_runs_as_the_notebooks():
    from autograder.views import figures
    from autograder.views.plot import Canvas
    from autograder.suites.ps1_derivatives import figures as ps1

    reference = figures.plain(ps1.reference_errors())
    for spec in figures.figures_of("ps1_derivatives"):
        canvas = Canvas(spec.size, spec.margins)
        spec.draw(canvas, {"abs_error": reference["forward"]}, reference)
        (ax,) = canvas.axes
        # h grows to the right, as in demo_error_plot (the plotter never turns an axis round)
        assert ax.xaxis.log and ax.yaxis.log and ax.xaxis.limits is None, spec.name
        lines = {series.label: series for series in ax.series}
        drawn = next(s for label, s in lines.items() if label.startswith("reference") and "comparison" not in label)
        yours = lines["yours"]
        # The caption: red thin line with dots (yours), grey wide line (the reference), grey dotted (the other).
        assert "红色带圆点的细线是你的结果" in spec.caption and "灰色宽线是参考答案" in spec.caption, spec.caption
        assert "虚线" not in spec.caption and "h 从 1e-15 到 1e-1" in spec.caption, spec.caption
        assert drawn.style == "-" and drawn.marker is None
        assert drawn.width >= 3 * yours.width
        assert drawn.color == figures.REFERENCE
        assert yours.marker == "o" and yours.style == "-" and yours.color == figures.YOURS
        other = next(s for label, s in lines.items() if "comparison" in label)
        assert other.style == ":"


def test_ps5_decision_regions_have_a_class_legend_in_the_data_plots_colours():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    _run_source_until("ps5_backprop", "demo_train_spiral")
    ax = plt.gcf().axes[1]
    legend = ax.get_legend()
    assert legend is not None, "the decision-region plot has no legend"
    texts = [t.get_text() for t in legend.get_texts()]
    assert [f"class {c}" for c in range(3)] == texts[:3], texts
    assert all(f"predicted {c}" in texts for c in range(3)), texts
    points = [c for c in ax.collections if c.get_label().startswith("class ")]
    for c, collection in enumerate(points):   # the same colour per class as the data plot (C0, C1, C2)
        assert tuple(collection.get_facecolor()[0][:3]) == to_rgba(f"C{c}")[:3], collection.get_label()
    plt.close("all")
