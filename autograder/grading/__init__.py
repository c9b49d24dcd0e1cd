"""Grading one submission: the Grader, one sandboxed run of the notebook, the pytest plugin that
runs a hidden suite against it, the error result, and the bridge that nbgrader's own autograde calls.

Layer 5 of 7 (docs/architecture.md): imports views/, testkit/, course/, sandbox/.
"""
