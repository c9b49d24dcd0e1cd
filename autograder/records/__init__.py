"""What grading leaves in a course: nbgrader's gradebook, results.json, feedback pages and CSV;
`autograder autograde` over a whole class (batch.py).

Layer 7 of 7 (docs/architecture.md), below service/ and the commands.
"""
