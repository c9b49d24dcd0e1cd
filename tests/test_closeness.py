"""`checks.is_close` (a test's verdict) and `diagnosis.same` (a mistake model's match) compare a
few numbers in Python rather than with np.isclose, which costs several times more for the small
arrays an optimiser's step or a gradient returns. The rule must stay np.isclose's, to the bit:
signed zeros, infinities, nan, the tolerances' edges, on both sides of the size where numpy
takes over again."""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from autograder.testkit import checks, diagnosis

EDGES = [0.0, -0.0, 1.0, 1.0 + 1e-9, 1.0 + 1e-6, 1.0 - 1e-7, np.inf, -np.inf, np.nan, 1e300, -1e300, 1e-11, -1e-12, 5.0]
TOLERANCES = [(1e-7, 1e-10), (1e-3, 1e-6), (0.0, 0.0), (0.5, 0.0)]


def test_every_pair_of_edge_values_gets_np_isclose_verdict():
    for a, b in itertools.product(EDGES, repeat=2):
        for rtol, atol in TOLERANCES:
            expected = bool(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=False))
            assert checks.is_close(np.array([a, 0.5]), np.array([b, 0.5]), rtol, atol) == expected, (a, b, rtol, atol)
        expected = bool(np.isclose(a, b, rtol=diagnosis.RTOL, atol=diagnosis.ATOL, equal_nan=True))
        assert diagnosis.same(np.array([a]), np.array([b])) == expected, (a, b)


@pytest.mark.parametrize("size", [1, 3, checks.SMALL, checks.SMALL + 1, 500])
def test_random_arrays_around_the_size_where_numpy_takes_over(size):
    rng = random.Random(size)
    for _ in range(200):
        x = np.array([rng.choice(EDGES) if rng.random() < 0.1 else rng.uniform(-3, 3) for _ in range(size)])
        y = x.copy()
        for i in rng.sample(range(size), k=min(size, rng.randint(0, 2))):
            y[i] = rng.choice([y[i] * (1 + rng.choice([1e-12, 1e-8, 1e-6, 1e-3])), rng.choice(EDGES)])
        for rtol, atol in TOLERANCES:
            assert checks.is_close(x, y, rtol, atol) == bool(np.all(np.isclose(x, y, rtol=rtol, atol=atol)))
        assert diagnosis.same(x, y) == bool(np.all(np.isclose(x, y, rtol=diagnosis.RTOL, atol=diagnosis.ATOL,
                                                              equal_nan=True)))
    assert not checks.is_close(np.zeros(size), np.zeros(size + 1), 1e-7, 0.0)
    assert not diagnosis.same(np.zeros((size, 1)), np.zeros(size))
