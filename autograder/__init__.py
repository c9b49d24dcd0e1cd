"""Sandboxed autograder for the 导数与梯度 course (nbgrader compatible)."""

__version__ = "0.1.0"
