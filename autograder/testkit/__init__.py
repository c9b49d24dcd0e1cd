"""What a hidden suite imports: checks, tolerances, the student proxy and its call budgets, torch
autograd answers, the remembered reference and the diagnosis of mistakes.

Layer 3 of 7 (docs/architecture.md): imports course/ and sandbox/ only.
"""
