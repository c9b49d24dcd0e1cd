"""Sandboxed autograder for the 导数与梯度 course (nbgrader compatible)."""
import sys

__version__ = "0.1.0"

# jsonschema (under nbformat and nbgrader) compiles an RFC 3987 grammar when it is imported,
# about a second of CPU in every process; nbformat's schema has no IRI formats to check, so
# jsonschema is told the optional module is absent (it then skips just that format).
sys.modules.setdefault("rfc3987_syntax", None)
