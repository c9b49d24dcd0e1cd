"""检查 for self-learners in JupyterLab: `python -m autograder.service.lab NOTEBOOK`.

The JupyterLab side (the buttons, the side panel and the Jupyter server extension) is the
student distribution `autograder-lab` (student/), which holds nothing of the answer key. When no
course service is configured and this package is importable (a self-learner's environment, made
by scripts/setup.sh), its 检查 button starts this module in a process of its own: `autograder
check` (the same Grader, sandbox and settings) on the saved notebook, answered as one line of JSON
on stdout, shaped like the service's answer to a check: score, a line per function with its
one-line cause, and the learner's feedback page.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def check(notebook: str, assignment: str | None = None) -> dict:
    from autograder.views import feedback
    from autograder.course.assignments import course_root, guess_assignment
    from autograder.course.config import sandbox_settings
    from autograder.grading.engine import Grader
    from autograder.service.summary import summary

    assignment = assignment or guess_assignment(notebook)
    if assignment is None:
        return {"error": "认不出这是哪一次作业的笔记本。", "code": 400}
    settings = sandbox_settings(course_root())
    settings.fork_ahead = True   # one notebook: a core is free to fork each next test's process
    with Grader(assignment, settings, course_root(), linger=settings.check_linger) as grader:
        grader.warm_up([notebook])
        (result,) = grader.grade([notebook])
    return {"state": "done", "assignment": assignment, "status": result.status.value,
            "score": result.score if result.status == "graded" else 0.0, "max_score": result.max_score,
            "error": result.error, "messages_shown": True, "summary": summary(result),
            "feedback_html": feedback.render(result, "你", Path(notebook))}


if __name__ == "__main__":   # the 检查 button's process: one JSON line on stdout
    answer = check(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    sys.stdout.flush()
