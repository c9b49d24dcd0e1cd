"""The local pool keeps both workers busy to the end of a batch (dispatch/parallel.py): it cuts
chunks as it goes, a share of what is left (smaller towards the end), and gives a worker its
next chunk only when it is done with the last. A notebook whose cells take seconds then holds
back only the few notebooks of its own chunk; with fixed chunks handed out two at a time, the
chunk waiting behind it stayed on its worker while the other worker had nothing left to do."""
from __future__ import annotations

from pathlib import Path

from helpers import make_submission

ASSIGNMENT = "ps1_derivatives"
SLOW_CELLS = "import time\ntime.sleep(6)\n\ndef f(x):\n    return x ** 2\n"   # correct, after 6 s


def test_a_notebook_whose_cells_take_seconds_holds_back_only_its_own_chunk(tmp_path: Path):
    from autograder.dispatch.parallel import grade_in_parallel
    from autograder.sandbox.settings import SandboxSettings

    paths = [tmp_path / f"nb{i:02d}" / f"{ASSIGNMENT}.ipynb" for i in range(10)]
    make_submission(ASSIGNMENT, paths[0], {"f": SLOW_CELLS})
    for path in paths[1:]:
        make_submission(ASSIGNMENT, path)
    order: list[str] = []
    results = grade_in_parallel(paths, ASSIGNMENT, SandboxSettings(), 2,
                                on_result=lambda result: order.append(Path(result.submission).parent.name))
    assert sorted(order) == [p.parent.name for p in paths]
    assert {r.score for r in results} == {r.max_score for r in results}   # the slow one too: it is correct
    # The first chunk is 3 of the 10 (10 / (2 workers x 2)); the other worker grades the other
    # seven meanwhile. Fixed chunks of 4, two at a time, left five notebooks behind the slow one.
    assert len(order) - 1 - order.index("nb00") <= 2, order
