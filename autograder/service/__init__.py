"""Grade on submit: `autograder serve`, a service students hand their notebooks to.

    server.py    the HTTP service (tornado), its dispatcher and grading backends
    queue.py     the persistent queue of submissions (SQLite, survives a restart)
    store.py     a graded submission stored the nbgrader way (submitted/, gradebook, feedback)
    identity.py  who is asking: per-student tokens, or JupyterHub's own authentication
    limits.py    what an instructor sets in nbgrader_config.py (c.GradingService.*)
    worker.py    a grading process (one Grader per assignment, kept warm)
    lab.py       the Jupyter server extension behind the JupyterLab buttons
"""
