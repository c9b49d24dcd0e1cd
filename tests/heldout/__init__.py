"""Held-out wrong answers: mistakes found in real students' code in public course repositories,
adapted to this course's signatures, that no mistake model was written from. See README.md."""
