"""The diagnosis's shortcuts give the answers its plain definitions give.

`same` compares plain floats without numpy (histories hold thousands of them), and model replays
are remembered per (model, inputs) and stop at a model's first wrong answer; neither may change
which mistake is named.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from autograder.testkit.diagnosis import ATOL, RTOL, Call, Model, from_models, same

EDGES = [0.0, -0.0, 1.0, -1.0, 1e-11, -1e-11, 5e-11, 1e-10, 2e-10, 1e300, -1e300, 1e-300,
         math.inf, -math.inf, math.nan, 2.5, 2.5 * (1 + 5e-8), 2.5 * (1 + 2e-7), 3.0]


def test_plain_floats_are_the_same_exactly_when_numpy_says_so():
    rng = np.random.default_rng(0)
    values = EDGES + list(rng.normal(size=40)) + list(rng.normal(size=20) * 1e-9)
    values += [v * (1 + d) for v in values[:20] for d in (1e-8, 1e-6)]
    disagreements = []
    for a, b in itertools.product(values, repeat=2):
        for x, y in ((a, b), (np.float64(a), b), (a, np.float64(b)), (np.float64(a), np.float64(b))):
            expected = bool(np.isclose(np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                                       rtol=RTOL, atol=ATOL, equal_nan=True))
            if same(x, y) != expected:
                disagreements.append((x, y, expected))
    assert not disagreements, disagreements[:10]


def test_lists_of_floats_and_arrays_still_compare_by_shape_and_value():
    assert same([1.0, 2.0], [1.0, 2.0 + 1e-12])
    assert not same([1.0, 2.0], [1.0, 2.1])
    assert not same([1.0], [1.0, 2.0])
    assert not same(np.ones(3), [1.0, 1.0, 1.0])   # a list is not an array
    assert not same(np.ones((3, 1)), np.ones(3))


class Counting:
    def __init__(self, function):
        self.function, self.calls = function, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


def test_a_mistake_is_named_once_per_distinct_call_and_models_stop_at_their_first_wrong_answer():
    doubled, squared = Counting(lambda x: 2.0 * x), Counting(lambda x: x * x)
    reference = type("Reference", (), {"f": staticmethod(lambda x: x + 1.0)})()
    models = [Model("squares", "你算的是平方。", squared), Model("doubles", "你乘了 2。", doubled)]
    # The student's f doubles: answers recorded for three inputs (the first tells squaring apart).
    calls = [Call("f", (x,), {}, 2.0 * x) for x in (3.0, 5.0, 7.0)]
    for _ in range(3):   # three submissions with the same hidden inputs
        found = from_models("f", models, calls, reference)
        assert found is not None and found.code == "f.doubles"
    assert squared.calls == 1          # dropped at its first answer, and that answer remembered
    assert doubled.calls == 3          # every input once, then remembered


def test_a_model_indistinguishable_from_the_reference_names_nothing():
    reference = type("Reference", (), {"f": staticmethod(lambda x: abs(x))})()
    models = [Model("identity", "你忘了取绝对值。", lambda x: x)]
    assert from_models("f", models, [Call("f", (2.0,), {}, 2.0)], reference) is None


def test_is_close_on_two_numbers_is_numpys_rule_without_numpy():
    """checks.is_close compares two plain numbers in Python (nan never close, equal infinities
    close), with each suite tolerance in use, exactly as np.isclose does."""
    from autograder.testkit import tolerances
    from autograder.testkit.checks import is_close
    rng = np.random.default_rng(1)
    values = EDGES + [0, 1, -3, 7] + list(rng.normal(size=30)) + list(rng.normal(size=10) * 1e-7)
    values += [v * (1 + d) for v in values[:20] if isinstance(v, float) for d in (1e-9, 1e-6, 1e-4)]
    pairs = {(v["rtol"], v["atol"]) for v in vars(tolerances).values()
             if isinstance(v, dict) and set(v) == {"rtol", "atol"}}
    assert len(pairs) >= 3, pairs
    disagreements = []
    for (rtol, atol), (a, b) in itertools.product(sorted(pairs), itertools.product(values, repeat=2)):
        for x, y in ((a, b), (np.float64(a), b), (a, np.float64(b))):
            expected = bool(np.isclose(np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                                       rtol=rtol, atol=atol, equal_nan=False))
            if is_close(x, y, rtol, atol) != expected:
                disagreements.append((x, y, rtol, atol, expected))
    assert not disagreements, disagreements[:10]
