"""The course: its assignments and notebooks, what an instructor configures, and the results contract.

Layer 2 of 7 (docs/architecture.md): imports only the sandbox layer below it.
"""
