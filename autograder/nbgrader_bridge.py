"""Kept for released notebooks: their hidden blocks run `from autograder.nbgrader_bridge import
hidden_score`, and a student's copy is never regenerated. The code is autograder/grading/nbgrader_bridge.py."""
from autograder.grading.nbgrader_bridge import hidden_score  # noqa: F401
