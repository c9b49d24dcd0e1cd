"""Grading many submissions: the local worker pool, the watchdog, Dask tasks and their manifest.

Layer 6 of 7 (docs/architecture.md): imports grading/ and everything below it.
"""
