"""Every way a result is told: messages per failed test, text and JSON lines, the feedback page,
its figures, the class report and CSV.

Layer 4 of 7 (docs/architecture.md): pure functions of results; imports testkit/, course/, sandbox/.
Grading (above) composes messages and collects figure data through them.
"""
