"""A reference answer is remembered by its call's key (autograder/testkit/reference.py, call_key) and given
back for every later call with the same key: two different questions with one key would grade a
student against the answer to another question. These tests search for such a pair, among values
built to look alike and among thousands of random nested ones, and check that the same question
(a copy, a non-contiguous view) keeps its key."""
from __future__ import annotations

import itertools
import random
import struct

import numpy as np
import pytest

from autograder.sandbox.protocol import SOURCE
from autograder.testkit.reference import call_key


def same(a, b) -> bool:
    """The same question: same types all the way down, same bits."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.ascontiguousarray(a).tobytes() == \
            np.ascontiguousarray(b).tobytes()
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)   # keys: plain str/int here
    if callable(a):
        return getattr(a, SOURCE) == getattr(b, SOURCE)
    return a == b


def trusted(source: str):
    def function(*args):
        return None
    setattr(function, SOURCE, source)
    return function


LOOKALIKES = [
    None, True, False, 0, 1, 12, 123, -1, 0.0, -0.0, 1.0, 12.0, float("inf"), "", "1", "12", "a", "ab", "s1:a",
    b"", b"1", b"ab", np.float64(1.0), np.float32(1.0), np.int64(1), np.bool_(True),
    [], (), {}, [1], (1,), [1.0], (1.0,), [True], ["1"], [[1]], [1, 23], [12, 3], [123], ["ab", "c"], ["a", "bc"],
    ["as", "b"], ["a", "sb"], ["s1:", "a"], ["s1:a"], ["i1;"], [1, "i2;"], ["]", "a"], ["a]"],
    [1.0, 2.0], (1.0, 2.0), [[1.0], 2.0], [1.0, [2.0]], [1.0, 2], [np.float64(1.0), 2.0],
    {"a": 1}, {"a": 1.0}, {"a": [1]}, {"a": 1, "b": 2}, {"b": 2, "a": 1}, {1: "a"}, {"1": "a"},
    np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype=np.float32), np.array([1, 2]), np.array([[1.0, 2.0]]),
    np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(3, 2), np.array(1.0), np.array([]),
    trusted("def f(x):\n    return x\n"), trusted("def f(x):\n    return x \n"),
]


def test_lookalike_questions_never_share_a_key():
    keys = {}
    for value in LOOKALIKES:
        keys.setdefault(call_key("f", (value,), {}), []).append(value)
    shared = [group for group in keys.values() if len(group) > 1]
    assert not shared, shared


def test_where_the_name_ends_and_the_arguments_begin():
    assert call_key("ab", (), {}) != call_key("a", ("b",), {})
    assert call_key("f", (1,), {}) != call_key("f", (), {"x": 1})
    assert call_key("f", (1, 2), {}) != call_key("f", ((1, 2),), {})


def random_value(rng: random.Random, depth: int = 0):
    leaves = [lambda: rng.choice([0, 1, 2, 10, -3]), lambda: rng.choice([0.0, -0.0, 0.5, 1.0, 2.0]),
              lambda: rng.choice(["", "a", "s", "as", "sb", "1", "s1:", "i1;", "]", "L1["]), lambda: rng.choice([None, True, False]),
              lambda: np.array(rng.sample([0.0, 1.0, 2.0], rng.randint(0, 2))),
              lambda: np.float64(rng.choice([0.0, 1.0]))]
    if depth >= 3 or rng.random() < 0.45:
        return rng.choice(leaves)()
    items = [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    shape = rng.choice(["list", "tuple", "dict"])
    if shape == "dict":
        return {rng.choice(["a", "b", "ab"]): item for item in items}
    return items if shape == "list" else tuple(items)


def test_random_nested_questions_share_a_key_only_when_they_are_the_same():
    rng = random.Random(9)
    values = [random_value(rng) for _ in range(2500)]
    by_key: dict[str, object] = {}
    for value in values:
        key = call_key("f", (value,), {"k": value})
        if key in by_key:
            assert same(by_key[key], value), (by_key[key], value)
        by_key[key] = value
    assert len(by_key) > 500   # the search did meet many different questions
    for a, b in itertools.combinations(values[:300], 2):
        if same(a, b):
            assert call_key("f", (a,), {}) == call_key("f", (b,), {})


def test_the_same_question_keeps_its_key():
    grid = np.arange(12.0).reshape(3, 4)
    assert call_key("f", (grid[:, ::2],), {}) == call_key("f", (np.ascontiguousarray(grid[:, ::2]),), {})
    history = [float(i) / 7 for i in range(1000)]
    assert call_key("f", (history,), {}) == call_key("f", (list(history),), {})
    assert call_key("f", (), {"b": 1, "a": 2}) == call_key("f", (), {"a": 2, "b": 1})


def test_what_cannot_be_keyed_is_computed_every_time():
    objects = np.array([1, "a"], dtype=object)   # its bytes are pointers
    assert call_key("f", (objects,), {}) is None
    assert call_key("f", (object(),), {}) is None
    assert call_key("f", (lambda x: x,), {}) is None   # a function without its source


def test_a_torch_answer_is_keyed_by_the_code_that_computes_it(tmp_path, monkeypatch):
    """ps6's answers were keyed by their inputs only: an edit of `_torch_mf_loss` gave back the
    old answers from disk. The key now holds the source of `compute` and of the module's functions
    it calls, so the edited helper is asked again (`oracle.memo`)."""
    import importlib.util

    from autograder.testkit import oracle

    monkeypatch.setenv("AUTOGRADER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(oracle, "_cache", oracle._Cache())

    def load(version: int, body: str):
        path = tmp_path / f"suite_common_{version}.py"
        path.write_text("def _loss(x):\n    return " + body + "\n\n\n"
                        "def answer(x):\n    def compute():\n        return [_loss(x)]\n"
                        "    return memo('mf gradients', (x,), compute)\n", encoding="utf-8")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        module.memo = oracle.memo
        spec.loader.exec_module(module)
        return module

    assert load(1, "2.0 * x").answer(3.0) == [6.0]
    assert load(2, "3.0 * x").answer(3.0) == [9.0]          # the helper changed: computed again
    assert load(3, "3.0 * x").answer(3.0) == [9.0]          # the same code: remembered
    assert len(oracle._cache.load()) == 2


# ------------------------------------------------------------- one encoder, two readings

def test_1_and_1_0_are_two_questions_for_a_remembered_answer(tmp_path, monkeypatch):
    """The decision (protocol.canonical, exact): a function may answer 1 and 1.0 differently (x ** 2
    gives 1 or 1.0, and a test may check the answer's type), so the answer remembered for one is
    never given for the other."""
    from autograder.testkit.reference import Remembered

    (tmp_path / "ref_square.py").write_text("def square(x):\n    return x ** 2\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    ref = Remembered("ref_square")
    assert type(ref.square(1.0)) is float
    assert type(ref.square(1)) is int
    assert type(ref.square(np.int64(1))) is np.int64
    assert type(ref.square(1.0)) is float   # remembered, still the float question's answer
    assert len({call_key("square", (v,), {}) for v in (1, 1.0, np.int64(1), np.float64(1.0), True)}) == 5


def test_a_sealed_question_is_asked_by_value():
    """The other reading of the same encoder: a stand-in answers for the reference's helper, and a
    correct function may call it with 0 where the reference has 0.0, a float where it has np.float64,
    an int array where it has floats. Those are one question; a different number, a string or a
    bool is not."""
    from autograder.sandbox import protocol

    x = np.array([[1.0], [2.0]])
    same = [protocol.question("linear_model", (x, w, b), {}) for w, b in
            ((1.0, 0.0), (1, 0), (np.float64(1.0), np.int64(0)), (np.float32(1.0), 0.0))]
    assert len(set(same)) == 1
    assert protocol.question("f", ([1, 2],), {}) == protocol.question("f", ((1.0, 2.0),), {})
    assert protocol.question("f", (np.array([1, 2]),), {}) == protocol.question("f", (np.array([1.0, 2.0]),), {})
    assert protocol.question("f", (), {"a": 1, "b": 2}) == protocol.question("f", (), {"b": 2.0, "a": 1.0})
    different = [protocol.question("f", (v,), {}) for v in (1.0, 1.0 + 1e-15, "1.0", True, [1.0], np.array([[1.0]]))]
    assert len(set(different)) == len(different)
    with pytest.raises(TypeError):
        protocol.question("f", (object(),), {})


def test_a_torch_answer_key_sees_every_byte_of_its_inputs(tmp_path, monkeypatch):
    """oracle.memo's key was a repr of the inputs: numpy prints a big array as its edges and '...',
    so two inputs that differ inside a list were one question and the second got the first's answer."""
    from autograder.testkit import oracle

    monkeypatch.setenv("AUTOGRADER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(oracle, "_cache", oracle._Cache())
    a, b = np.zeros(5000), np.zeros(5000)
    b[2500] = 1.0

    def answer(x):
        return oracle.memo("sum", ([x],), lambda: [float(x.sum())])
    assert answer(a) == [0.0]
    assert answer(b) == [1.0]
    assert oracle.memo("k", (1,), lambda: [1.0]) == [1.0]
    assert oracle.memo("k", (1.0,), lambda: [2.0]) == [2.0]   # 1 and 1.0: two questions here too


def test_ps6_mf_gradients_are_keyed_by_the_torch_loss_they_differentiate(monkeypatch):
    """Reported: ps6's "ps6 mf gradients" key held the inputs only, so an edit of `_torch_mf_loss`
    reused the old answers on disk. The key holds the source of `compute` and of what it calls."""
    import inspect

    from autograder.suites.ps6_recommender import common
    from autograder.testkit import oracle

    seen = {}

    def spy(kind, parts, compute):
        seen[kind] = oracle.code_sources(compute)
        return [0.0] * (parts[0].size + parts[1].size)
    monkeypatch.setattr(common, "memo", spy)
    U, V = np.ones((2, 2)), np.ones((3, 2))
    common.autograd_mf_gradients(U, V, np.array([0, 1]), np.array([2, 0]), np.array([4.0, 3.0]), 0.1)
    assert inspect.getsource(common._torch_mf_loss) in seen["ps6 mf gradients"]
