"""Class integrity: pairs of submissions whose code or whose rare wrong answers are shared.

Evidence for a person to judge, never a verdict: no score changes and no student sees any of it.
`find_pairs` (pairs.py) reads the course's results.json files and submitted notebooks, scores
code similarity (similarity.py) and shared rare mistakes (mistakes.py); report.py writes
reports/<assignment>/integrity.csv and integrity.html.
"""
