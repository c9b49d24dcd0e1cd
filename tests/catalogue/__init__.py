"""Answers students really write: WRONG ones must lose points on their function (and only
there), RIGHT ones, written differently from the reference, must get full marks.

Each module is named after an assignment and holds two dicts, function -> {label: cell code}.
"""
