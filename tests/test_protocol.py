"""The wire format between the grader and student processes: whatever plain data a student's
function returns comes back with the same values and the same types, however it is packed; and
hostile bodies are refused with a ProtocolError, never turned into something else."""
import json
import math
import random

import numpy as np
import pytest

from autograder.sandbox import protocol


def wire(value):
    """What the trusted side reads when the student side sends `value`."""
    return protocol.decode(json.loads(json.dumps(protocol.encode(value), allow_nan=False)))


def identical(a, b) -> bool:
    """Same types all the way down, floats equal bit for bit (nan, -0.0 included)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):   # in the machine's byte order, whatever order it was sent in
        native = [x.astype(x.dtype.newbyteorder("=")) for x in (a, b)]
        return native[0].dtype == native[1].dtype and a.shape == b.shape and native[0].tobytes() == native[1].tobytes()
    if isinstance(a, (float, np.floating)):
        return np.float64(a).tobytes() == np.float64(b).tobytes()
    return a == b


SCALARS = [0, 7, -3, 2**60, 1.5, -0.0, math.nan, math.inf, -math.inf, np.float64(0.25), np.float64(-0.0),
           np.float64(math.nan), np.float64(-math.inf), np.float32(1.5), np.int64(4), True, None, "w", "损失"]


def random_value(rng: random.Random, depth: int = 0):
    """Plain data of the kinds graded functions return: scalars, lists (long ones too), tuples,
    dicts, histories of records with the same or different keys, arrays."""
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice(SCALARS)
    if roll < 0.45:   # a history: many records, usually the same keys, values of one or mixed kinds
        keys = rng.sample(["iteration", "loss", "w", "b", "x"], rng.randint(1, 4))
        kinds = [rng.choice(["f64", "int", "float", "mixed"]) for _ in keys]
        make = {"f64": lambda i: np.float64(rng.uniform(-5, 5)), "int": lambda i: i,
                "float": lambda i: rng.uniform(-5, 5), "mixed": lambda i: rng.choice(SCALARS)}
        records = [{k: make[kind](i) for k, kind in zip(keys, kinds)} for i in range(rng.randint(0, 40))]
        if records and rng.random() < 0.3:   # one record that breaks the pattern
            odd = rng.randrange(len(records))
            records[odd] = rng.choice([{"other": 1}, dict(reversed(list(records[odd].items()))), [1, 2],
                                       {**records[odd], "extra": np.float64(1.0)}])
        return records
    if roll < 0.6:   # a long list of float64 scalars, sometimes with an intruder
        values = [np.float64(rng.choice([rng.uniform(-1e300, 1e300), math.nan, -0.0, math.inf]))
                  for _ in range(rng.randint(0, 30))]
        if values and rng.random() < 0.3:
            values[rng.randrange(len(values))] = rng.choice([1.0, 2, np.float32(3.0), None])
        return values
    if roll < 0.65:   # a history of points: arrays of one shape, sometimes one that differs
        shape = rng.choice([(2,), (3,), (2, 2), (1,)])
        dtype = rng.choice(["<f8", "<i8", "<f4"])
        points = [np.array(np.random.default_rng(rng.randrange(99)).normal(size=shape), dtype=dtype)
                  for _ in range(rng.randint(0, 20))]
        if points and rng.random() < 0.3:
            points[rng.randrange(len(points))] = rng.choice([np.zeros(4), np.zeros(shape, dtype=">f8"), [1.0, 2.0],
                                                             np.float64(1.0), np.zeros(shape, dtype="<f2")])
        return points
    if roll < 0.7:
        return np.array([rng.uniform(-3, 3) for _ in range(rng.randint(0, 6))],
                        dtype=rng.choice(["<f8", ">f8", "<f4", ">i4", "<i8"]))
    if roll < 0.8:
        return tuple(random_value(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    if roll < 0.9:
        return {rng.choice(["a", "b", "c", "loss"]): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 12))]


@pytest.mark.parametrize("seed", range(300))
def test_values_come_back_identical(seed):
    value = random_value(random.Random(seed))
    assert identical(wire(value), value), value


def test_a_training_history_is_packed_and_small():
    history = [{"iteration": i, "loss": np.float64(1 / (i + 1)), "w": np.float64(i * 0.01), "b": np.float64(-i)}
               for i in range(1000)]
    encoded = protocol.encode((np.float64(2.0), np.float64(1.0), history))
    text = json.dumps(encoded)
    assert '"$records"' in text and '"$f64s"' in text
    assert len(text) < 40_000   # one {"$f64": x} object per number was 120 KB
    assert identical(wire(history), history)


def test_a_history_of_points_is_one_block_of_independent_arrays():
    points = [np.array([i, -i], dtype=float) for i in range(100)]
    text = json.dumps(protocol.encode(points))
    assert '"$arrays"' in text and len(text) < 3000
    got = wire(points)
    assert identical(got, points)
    got[0][0] = 99.0
    assert got[1][0] == 1.0 and all(not np.shares_memory(got[0], p) for p in got[1:])


def test_a_subclass_or_a_short_list_is_sent_item_by_item():
    class Record(dict):
        pass

    records = [Record(w=np.float64(i)) for i in range(20)]
    assert '"$records"' not in json.dumps(protocol.encode(records))
    assert type(wire(records)[0]) is dict   # what crosses is plain data
    assert '"$f64s"' not in json.dumps(protocol.encode([np.float64(1.0)] * (protocol.PACK_FROM - 1)))


def test_packed_values_count_against_the_size_limit():
    history = [{"w": np.float64(i), "b": np.float64(i)} for i in range(1000)]
    with pytest.raises(protocol.ProtocolError):
        protocol.encode(history, max_elements=3000)
    with pytest.raises(protocol.ProtocolError):
        protocol.encode([np.float64(1.0)] * 1000, max_elements=999)
    assert protocol.encode([np.float64(1.0)] * 1000, max_elements=1001)


GOOD_F64S = protocol.encode([np.float64(1.0)] * 8)["$f64s"]

HOSTILE = [
    {"$f64s": 12},                                   # not text
    {"$f64s": "not base64!"},
    {"$f64s": "AAAA"},                               # 3 bytes: not a whole float64
    {"$records": "w", "columns": [[1]]},             # keys not a list
    {"$records": [], "columns": []},                 # no keys
    {"$records": ["w", "w"], "columns": [[1], [2]]},  # duplicate keys
    {"$records": [1], "columns": [[1]]},             # a key that is not text
    {"$records": ["w"], "columns": [[1], [2]]},      # more columns than keys
    {"$records": ["w"]},                             # no columns
    {"$records": ["w"], "columns": {"w": [1]}},
    {"$records": ["w"], "columns": [{"$tuple": [1, 2]}]},   # a column that is not a list
    {"$records": ["w", "b"], "columns": [[1, 2], [3]]},     # columns of different lengths
    {"$records": ["w", "b"], "columns": [{"$f64s": GOOD_F64S}, [1]]},
    {"$records": ["w"], "columns": [[{"$unknown": 1}]]},
    {"$f64": "1.0"},
    {"$arrays": "float64", "shape": [8], "b64": GOOD_F64S},   # a list of arrays needs 2 dimensions
    {"$arrays": "object", "shape": [8, 1], "b64": GOOD_F64S},
    {"$arrays": "float64", "shape": [3, 2], "b64": GOOD_F64S},   # 8 values for 6
    {"$array": "float64", "shape": [1], "b64": "not base64!"},
    {"$array": "float64", "shape": [2], "b64": GOOD_F64S},   # 8 values for a shape of 2
    {"$scalar": "float64", "b64": "AAAA"},
    {"$sdict": [1, 2]},
]


@pytest.mark.parametrize("body", HOSTILE, ids=[json.dumps(b)[:40] for b in HOSTILE])
def test_hostile_bodies_are_refused(body):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(body)


@pytest.mark.parametrize("seed", range(100))
def test_a_sealed_answer_opens_with_its_own_question_only(seed):
    rng = random.Random(seed)
    value = random_value(rng) if seed % 3 else np.array([rng.uniform(-3, 3) for _ in range(seed)]).reshape(-1, 1)
    x = np.array([rng.uniform(-3, 3) for _ in range(5)])
    asked = protocol.question("linear_model", (x, 0.5, np.float64(-1.0)), {})
    entry_id, sealed = protocol.seal(asked, protocol.pack_answer(value))
    assert entry_id == protocol.seal_id(asked)
    assert identical(protocol.unpack_answer(protocol.unseal(asked, sealed)), value)
    nearby = x.copy()
    nearby[rng.randrange(5)] += 1e-12
    other = protocol.question("linear_model", (nearby, 0.5, np.float64(-1.0)), {})
    assert protocol.seal_id(other) != entry_id
    assert protocol.unseal(other, sealed) != protocol.pack_answer(value)
    table = {entry_id: sealed}   # what a stand-in does: one hash of the question for its id and key
    assert protocol.open_seal(asked, table) == protocol.pack_answer(value)
    assert protocol.open_seal(other, table) is None


def test_the_seal_is_the_same_bytes_as_before_it_was_made_faster():
    """Tables remembered on disk were sealed by the earlier code: SHA-256 of the question, its id
    from b"id:" + digest, its key stream SHAKE-256(b"key:" + digest), XOR, base64."""
    import base64
    import hashlib

    asked = protocol.question("f", (np.arange(3.0), 2), {})
    answer = protocol.pack_answer(np.arange(40.0))
    digest = hashlib.sha256(asked).digest()
    stream = hashlib.shake_256(b"key:" + digest).digest(len(answer))
    expected = [hashlib.sha256(b"id:" + digest).hexdigest()[:32],
                base64.b64encode(bytes(a ^ b for a, b in zip(answer, stream))).decode()]
    assert protocol.seal(asked, answer) == expected
    assert protocol.open_seal(asked, {expected[0]: expected[1]}) == answer


def test_a_prepared_table_is_encoded_once_and_sent_as_the_same_json():
    table = [["id1", "c2VhbGVk"], ["id2", "b3RoZXI="]]
    encoded = protocol.prepared(table)
    assert protocol.prepared(table) is encoded
    message = {"op": "call", "args": [1.5, "x\u00e9"], "sealed": encoded}
    assert json.loads(protocol.dumps(message)) == {"op": "call", "args": [1.5, "x\u00e9"], "sealed": table}
    assert json.loads(protocol.dumps({"sealed": encoded})) == {"sealed": table}
    assert protocol.dumps({"op": "x"}) == '{"op":"x"}'


@pytest.mark.parametrize("data", [b"", b"X{}", b"A[\"float64\",[3]]\n" + bytes(16), b"A[\"object\",[1]]\n" + bytes(8),
                                  b"Anot json\n", b"J{not json", b"J{\"$f64\": \"1\"}"])
def test_a_bad_packed_answer_is_refused(data):
    with pytest.raises(protocol.ProtocolError):
        protocol.unpack_answer(data)
