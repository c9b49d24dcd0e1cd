"""autograder-lab: the course's buttons in a student's JupyterLab, with nothing of the answer key.

The JupyterLab extension (prebuilt, installed in <prefix>/share/jupyter/labextensions/autograder-lab)
puts 提交并评分 (submit and grade) and 检查 (check) on an assignment's notebook and shows the
feedback in a side panel; this Jupyter server extension is all it talks to (handlers.py). It
forwards to the course's grading service over HTTP (`autograder serve`); only a self-learner's
environment, where the full `autograder` package is installed, checks locally instead.
"""
__version__ = "0.1.0"


def _jupyter_server_extension_points():
    from autograder_lab.handlers import AutograderLab
    return [{"module": "autograder_lab", "app": AutograderLab}]

