"""Messages between the trusted grader and the student process: framing and plain data.

Only plain data crosses: None, bool, int, float, str, list, tuple, dict, numpy arrays and
scalars, torch tensors (as arrays), and an opaque description of anything else. Nothing is ever
unpickled; the trusted side rebuilds fresh objects from JSON, so an object with rigged
comparison methods cannot reach the comparisons.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON.
"""
from __future__ import annotations

import base64
import json
import math
import os
import select
import socket
import struct
import time
from dataclasses import dataclass

import numpy

MAX_FRAME = 64 * 2**20
MAX_ELEMENTS = 4_000_000
MAX_DEPTH = 40
MAX_STR = 100_000
MAX_REPR = 300
PACK_FROM = 8    # lists at least this long may be sent packed (see _encode_packed)

# Captured when this module is imported (before any student code runs in the process), so
# student code that reassigns numpy.ndarray or builtins cannot change what is recognised.
_ndarray = numpy.ndarray
_generic = numpy.generic
_frombuffer = numpy.frombuffer
_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float16", "float32", "float64", "complex64", "complex128"}
_DTYPE_NAMES = {numpy.dtype(name): name for name in _DTYPES}   # dtype.name is slow Python code
_float64 = numpy.float64
_type, _isinstance, _len, _repr = type, isinstance, len, repr


class ProtocolError(Exception):
    """A frame or a value that does not follow the protocol."""


class Timeout(Exception):
    """The other side did not answer in time."""


class Closed(Exception):
    """The other side closed the connection (it exited or died)."""


# ---------------------------------------------------------------------------------- framing

def send(sock: socket.socket, message: object) -> None:
    send_raw(sock, dumps(message).encode())


class Encoded(str):
    """JSON text that goes into a message as it is (`prepared`)."""


def prepared(value: object) -> Encoded:
    """`value`'s JSON text, encoded once per object and kept: a sealed table of thousands of
    answers goes with every call that walks it, and encoding it is most of such a message's cost.
    Only for values nobody changes (the reference's remembered tables)."""
    kept = _PREPARED.get(id(value))
    if kept is None or kept[0] is not value:
        kept = _PREPARED[id(value)] = (value, Encoded(dumps(value)))
        while _len(_PREPARED) > 32:
            del _PREPARED[next(iter(_PREPARED))]
    return kept[1]


_PREPARED: dict[int, tuple[object, Encoded]] = {}   # (the value kept: its id is never reused meanwhile)


def dumps(message: object) -> str:
    """A message's JSON text; a top-level `Encoded` value is put in as it is."""
    if _type(message) is dict and any(_type(v) is Encoded for v in message.values()):
        plain = {k: v for k, v in message.items() if _type(v) is not Encoded}
        text = json.dumps(plain, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        spliced = "".join(f",{json.dumps(k)}:{v}" for k, v in message.items() if _type(v) is Encoded)
        return "{" + (text[1:-1] + spliced if plain else spliced[1:]) + "}"
    return json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def send_raw(sock: socket.socket, payload: bytes) -> None:
    if len(payload) > MAX_FRAME:
        raise ProtocolError(f"message of {len(payload)} bytes is larger than {MAX_FRAME}")
    sock.sendall(struct.pack(">I", len(payload)) + payload)


def recv(sock: socket.socket, timeout: float | None = None, limit: int = MAX_FRAME) -> object:
    payload = recv_raw(sock, timeout, limit)
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    except RecursionError:   # a crafted frame of nested lists: hostile, not a crash of the grader
        raise ProtocolError("nested too deeply") from None


def recv_raw(sock: socket.socket, timeout: float | None = None, limit: int = MAX_FRAME) -> bytes:
    payload, fds = recv_raw_fds(sock, timeout, limit)
    for fd in fds:
        os.close(fd)
    return payload


def recv_raw_fds(sock: socket.socket, timeout: float | None = None,
                 limit: int = MAX_FRAME) -> tuple[bytes, list[int]]:
    """Read one frame and any file descriptors sent with it (at most MAX_FDS are kept)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    fds: list[int] = []
    try:
        (length,) = struct.unpack(">I", _read_exactly(sock, 4, deadline, fds))
        if length > limit:
            raise ProtocolError(f"message of {length} bytes is larger than {limit}")
        return _read_exactly(sock, length, deadline, fds), fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def send_with_fds(sock: socket.socket, message: object, fds: list[int]) -> None:
    payload = json.dumps(message, separators=(",", ":")).encode()
    socket.send_fds(sock, [struct.pack(">I", len(payload)) + payload], fds)


MAX_FDS = 4
_ANCILLARY = socket.CMSG_SPACE(MAX_FDS * 4)


def _read_exactly(sock: socket.socket, n: int, deadline: float | None, fds: list[int]) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([sock], [], [], remaining)[0]:
                raise Timeout()
        chunk, ancillary, _flags, _addr = sock.recvmsg(min(n - got, 1 << 20), _ANCILLARY)
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                received = list(struct.unpack(f"{len(data) // 4}i", data[: len(data) // 4 * 4]))
                fds.extend(received)
        if not chunk:
            raise Closed()
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------------- encoding values

@dataclass(frozen=True)
class Opaque:
    """An object that is not plain data, described by its type name and a short repr."""
    type: str
    repr: str


@dataclass(frozen=True)
class TensorData:
    """A torch tensor seen from the trusted side: its values, dtype and requires_grad."""
    array: numpy.ndarray
    dtype: str
    requires_grad: bool


class _Budget:
    def __init__(self, elements: int):
        self.left = elements

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise ProtocolError("the value is too large to send back")


def encode(value: object, tensor_type: type | None = None, max_elements: int = MAX_ELEMENTS) -> object:
    """Turn `value` into JSON-able data. Used on the student side with captured types."""
    return _encode(value, _Budget(max_elements), 0, set(), tensor_type)


def _encode(value, budget: _Budget, depth: int, seen: set, tensor_type):
    budget.take(1)
    if depth > MAX_DEPTH:
        raise ProtocolError("the value is nested too deeply")
    kind = _type(value)
    if kind is _float64:   # the commonest value of all (a history is thousands of them)
        number = float.__float__(value)
        if math.isfinite(number):
            return {"$f64": number}
    if value is None or kind is bool:
        return value
    if kind is int:
        return value if -2**53 <= value <= 2**53 else {"$int": str(value)[:MAX_STR]}
    if kind is float:
        return _encode_float(value)
    if kind is str:
        return value if _len(value) <= MAX_STR else {"$str": value[:MAX_STR], "truncated": True}
    if _isinstance(value, _ndarray):
        return _encode_array(_ndarray.view(value, _ndarray), budget, depth, seen, tensor_type)
    if _isinstance(value, _generic):
        array = numpy.asarray(value)
        name = _DTYPE_NAMES.get(array.dtype)
        if name == "float64":   # a finite one is a JSON number (exact, and cheap to read)
            number = float.__float__(value)
            if math.isfinite(number):
                return {"$f64": number}
        if name is not None:
            return {"$scalar": name, "b64": base64.b64encode(array.tobytes()).decode()}
        return _opaque(value)
    if tensor_type is not None and _isinstance(value, tensor_type):
        return _encode_tensor(value, budget, depth, seen, tensor_type)
    if kind in (list, tuple, dict) or _isinstance(value, (list, tuple, dict)):
        marker = id(value)
        if marker in seen:
            raise ProtocolError("the value contains itself")
        seen.add(marker)
        try:
            if _isinstance(value, dict):
                if all(_type(k) is str and _len(k) <= MAX_STR for k in dict.keys(value)):
                    budget.take(_len(value))   # its keys, as in a list of pairs
                    return {"$sdict": {k: _encode(v, budget, depth + 1, seen, tensor_type)
                                       for k, v in dict.items(value)}}
                items = [[_encode(k, budget, depth + 1, seen, tensor_type),
                          _encode(v, budget, depth + 1, seen, tensor_type)] for k, v in dict.items(value)]
                return {"$dict": items}
            if kind is list and _len(value) >= PACK_FROM:
                packed = _encode_packed(value, budget, depth, seen, tensor_type)
                if packed is not None:
                    return packed
            items = [_encode(v, budget, depth + 1, seen, tensor_type)
                     for v in (list.__iter__(value) if _isinstance(value, list) else tuple.__iter__(value))]
            return items if _isinstance(value, list) else {"$tuple": items}
        finally:
            seen.discard(marker)
    if _isinstance(value, bool):
        return bool(value)
    if _isinstance(value, int):
        return _encode(int.__int__(value), budget, depth, seen, tensor_type)
    if _isinstance(value, float):
        return _encode_float(float.__float__(value))
    if _isinstance(value, str):
        return _encode(str.__str__(value), budget, depth, seen, tensor_type)
    return _opaque(value)


def _encode_packed(value: list, budget: _Budget, depth: int, seen: set, tensor_type):
    """A long list in one piece, or None: float64 scalars, or arrays of one shape and dtype, as
    one block of bytes; dicts with the same string keys (a training history) column by column.
    All read back as what was sent."""
    first = value[0]
    if _type(first) is _float64:
        for item in value:
            if _type(item) is not _float64:
                return None
        budget.take(_len(value))
        return {"$f64s": base64.b64encode(numpy.array(value, dtype=numpy.float64).tobytes()).decode()}
    if _type(first) is _ndarray and first.ndim >= 1 and _DTYPE_NAMES.get(first.dtype) is not None:
        dtype, shape = first.dtype, first.shape   # a history of points: one block of bytes
        for item in value:
            if _type(item) is not _ndarray or item.dtype != dtype or item.shape != shape:
                return None
        budget.take(_len(value) * (1 + first.size))
        block = numpy.stack(value)
        return {"$arrays": _DTYPE_NAMES[dtype], "shape": list(block.shape),
                "b64": base64.b64encode(block.tobytes()).decode()}
    if _type(first) is not dict or _len(first) == 0:
        return None
    keys = tuple(dict.keys(first))
    for key in keys:
        if _type(key) is not str or _len(key) > MAX_STR:
            return None
    for record in value:
        if _type(record) is not dict or tuple(dict.keys(record)) != keys:
            return None
    budget.take(_len(value) * (1 + _len(keys)))   # each dict and its keys, as when sent one by one
    columns = [_encode_column([dict.__getitem__(record, key) for record in value], budget, depth + 2, seen, tensor_type)
               for key in keys]
    return {"$records": list(keys), "columns": columns}


def _encode_column(column: list, budget: _Budget, depth: int, seen: set, tensor_type):
    if _type(column[0]) is _float64:
        packed = _encode_packed(column, budget, depth, seen, tensor_type)
        if packed is not None:
            return packed
    return [_encode(v, budget, depth, seen, tensor_type) for v in column]


def _encode_float(value: float):
    if math.isfinite(value):
        return value
    return {"$float": "nan" if value != value else ("inf" if value > 0 else "-inf")}


def _encode_array(array, budget, depth, seen, tensor_type):
    budget.take(array.size)
    name = _DTYPE_NAMES.get(array.dtype)
    if name is None and _DTYPE_NAMES.get(array.dtype.newbyteorder("=")) is not None:   # e.g. '>f8'
        array = array.astype(array.dtype.newbyteorder("="))
        name = _DTYPE_NAMES[array.dtype]
    if name is not None:
        data = numpy.ascontiguousarray(array).tobytes()
        return {"$array": name, "shape": list(array.shape),
                "b64": base64.b64encode(data).decode()}
    if array.dtype.kind == "O":
        items = [_encode(v, budget, depth + 1, seen, tensor_type) for v in array.ravel().tolist()]
        return {"$objarray": items, "shape": list(array.shape)}
    return _opaque(array)


def _encode_tensor(tensor, budget, depth, seen, tensor_type):
    base = tensor_type.detach(tensor).cpu()
    try:
        array = base.numpy()
    except (TypeError, RuntimeError):  # bfloat16 and friends have no numpy dtype
        array = base.double().numpy()
    encoded = _encode_array(array, budget, depth, seen, tensor_type)
    return {"$tensor": encoded, "dtype": str(base.dtype).replace("torch.", ""),
            "requires_grad": bool(tensor.requires_grad)}


def _opaque(value) -> dict:
    kind = _type(value)
    name = f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}"
    try:
        text = _repr(value)
        text = text if _type(text) is str else "?"
    except BaseException:  # a student's __repr__ may raise anything
        text = "<repr failed>"
    return {"$opaque": name[:MAX_REPR], "repr": text[:MAX_REPR]}


# ------------------------------------------------------------------------- decoding values

_PLAIN = frozenset((type(None), bool, int, float, str))   # what json.loads gives that decodes to itself


def decode(data: object, depth: int = 0) -> object:
    """Rebuild fresh, plain objects from encoded data. Safe on hostile input."""
    if depth > MAX_DEPTH + 2:
        raise ProtocolError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):   # plain items inline: a history is thousands of numbers
        return [v if type(v) in _PLAIN else decode(v, depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise ProtocolError("unexpected value")
    tag = next(iter(data))
    body = data[tag]
    if tag == "$float":
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[_text(body)]
    if tag == "$int":
        return int(_text(body))
    if tag == "$str":
        return _text(body)
    if tag == "$tuple":
        return tuple(v if type(v) in _PLAIN else decode(v, depth + 1) for v in _list(body))
    if tag == "$f64":
        if type(body) is not float:
            raise ProtocolError("bad float64")
        return numpy.float64(body)
    if tag == "$sdict":
        if not isinstance(body, dict):
            raise ProtocolError("expected an object")
        return {k: v if type(v) in _PLAIN else decode(v, depth + 1) for k, v in body.items()}
    if tag == "$f64s":
        raw = _b64(body)
        if len(raw) % 8 or len(raw) // 8 > MAX_ELEMENTS:
            raise ProtocolError("bad float64 block")
        return list(numpy.frombuffer(raw, dtype=numpy.float64))
    if tag == "$arrays":
        block = _decode_array({"$array": body, "shape": data.get("shape"), "b64": data.get("b64")})
        if block.ndim < 2:
            raise ProtocolError("bad array list")
        return [row.copy() for row in block]   # each its own array, as they were sent
    if tag == "$records":
        keys = _list(body)
        columns = _list(data.get("columns"))
        if not keys or len(columns) != len(keys) or len(set(keys)) != len(keys) \
                or any(type(k) is not str for k in keys):
            raise ProtocolError("bad records")
        columns = [decode(column, depth + 2) for column in columns]
        if any(type(column) is not list or len(column) != len(columns[0]) for column in columns):
            raise ProtocolError("bad records")
        return [dict(zip(keys, row)) for row in zip(*columns)]
    if tag == "$dict":
        result = {}
        for pair in _list(body):
            key, value = _list(pair)
            if type(key) is not str:
                key = decode(key, depth + 1)
                if isinstance(key, (list, dict)):
                    key = repr(key)
            result[key] = value if type(value) in _PLAIN else decode(value, depth + 1)
        return result
    if tag == "$array":
        return _decode_array(data)
    if tag == "$scalar":
        dtype = _dtype(body)
        raw = _b64(data["b64"])
        if len(raw) != numpy.dtype(dtype).itemsize:
            raise ProtocolError("bad scalar")
        return numpy.frombuffer(raw, dtype=dtype)[0]
    if tag == "$objarray":
        items = [decode(v, depth + 1) for v in _list(body)]
        shape = tuple(int(n) for n in _list(data["shape"]))
        array = numpy.empty(len(items), dtype=object)
        array[:] = items
        return array.reshape(shape)
    if tag == "$tensor":
        array = decode(body, depth + 1)
        if not isinstance(array, numpy.ndarray):
            raise ProtocolError("bad tensor")
        return TensorData(array, _text(data.get("dtype", "")), bool(data.get("requires_grad")))
    if tag == "$opaque":
        return Opaque(_text(body), _text(data.get("repr", "")))
    if tag in ("$fn", "$ref", "$slot", "$callable"):
        return data  # references, resolved by the receiver
    raise ProtocolError(f"unknown tag {tag!r}")


def _decode_array(data: dict, raw: bytes | None = None) -> numpy.ndarray:
    dtype = _dtype(data["$array"])
    shape = tuple(int(n) for n in _list(data["shape"]))
    if any(n < 0 for n in shape) or math.prod(shape) > MAX_ELEMENTS:
        raise ProtocolError("bad array shape")
    if raw is None:
        raw = _b64(data["b64"])
    if len(raw) != math.prod(shape) * numpy.dtype(dtype).itemsize:
        raise ProtocolError("array data does not match its shape")
    return numpy.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _b64(text: object) -> bytes:
    try:
        return base64.b64decode(_text(text), validate=True)
    except ValueError:   # binascii.Error
        raise ProtocolError("bad base64") from None


def _dtype(name: object) -> str:
    if name not in _DTYPES:
        raise ProtocolError(f"dtype {name!r} not allowed")
    return name


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ProtocolError("expected text")
    return value


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise ProtocolError("expected a list")
    return value


# ------------------------------------------------------------- encoding trusted arguments

def encode_argument(value: object) -> object:
    """Encode a value the trusted side sends (plain data; references pass through)."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("$fn", "$ref", "$slot"):
        return value
    if isinstance(value, (list, tuple)):
        items = [encode_argument(v) for v in value]
        return items if isinstance(value, list) else {"$tuple": items}
    if isinstance(value, dict):
        return {"$dict": [[encode_argument(k), encode_argument(v)] for k, v in value.items()]}
    return encode(value)


# ------------------------------------------------------------------- sealed answers
# A function judged alone calls stand-ins for its helpers. Rather than a round trip per call,
# the trusted side may send, with the call, the answers its helpers would give on the path a
# correct answer takes -- each sealed under a key derived from its own inputs. Opening one needs
# those exact inputs, i.e. asking that very question, which the stand-in answers anyway; the
# table cannot be read without walking the path, so it gives away nothing a stand-in would not.

_sha256, _shake = __import__("hashlib").sha256, __import__("hashlib").shake_256
_from_bytes, _a2b = int.from_bytes, __import__("binascii").a2b_base64
_pack, _ndim_kinds, _bool, _function = struct.pack, frozenset("iuf"), numpy.bool_, type(lambda: None)


# ------------------------------------------------------------------- keys of values
# The one encoder of values into keys: the remembered reference's answers and its timings, the
# student's answers, the replays of the diagnosis, torch's answers on disk (exact), and the
# questions of sealed answers (by value). It lives here, the lowest layer that uses it: the
# student's process opens sealed answers with it.

SOURCE = "__autograder_source__"   # a trusted function's source text (testkit's Fn.local sets it)


def canonical(value: object, out: list, by_value: bool = False) -> None:
    """Append to `out` self-delimiting bytes for `value`; TypeError for what cannot be keyed
    (other objects, object or structured arrays, a function without its source).

    Exact (a cache key): two values give the same bytes only if they are the same question, types
    included. 1, 1.0, np.float64(1.0) and True are four questions, [1.0] and (1.0,) two: a function
    may answer them differently (x ** 2 gives 1 or 1.0; a check of the answer's type sees it), so
    an answer remembered for one is never given for another. A trusted function is its source.

    By value (a sealed answer's question): numbers by their value whatever their type, numeric
    arrays as float64, a list and a tuple alike, a dict whatever its order. A stand-in answers for
    the reference's helper, and a correct function may call it with 0 where the reference has 0.0,
    or a float where it has np.float64: exact questions would miss on every call of such a loop."""
    kind = _type(value)
    if kind is float:
        out.append(b"f" + _pack("<d", value))
    elif kind is int:
        out.append(_number(value) if by_value else b"i%d;" % value)
    elif kind is str:
        data = value.encode("utf-8", "surrogatepass")
        out.append(b"s%d:" % _len(data))
        out.append(data)
    elif kind is bool or (by_value and kind is _bool):
        out.append(b"T" if value else b"F")
    elif value is None:
        out.append(b"N")
    elif kind is list or kind is tuple:
        if by_value or kind is list:
            tag, block = b"L", b"P"
        else:
            tag, block = b"U", b"Q"
        if not by_value and value and all(_type(item) is float for item in value):   # histories: thousands
            out.append(b"%s%d:" % (block, _len(value)))
            out.append(_pack(f"<{_len(value)}d", *value))
            return
        out.append(b"%s%d[" % (tag, _len(value)))
        for item in value:
            canonical(item, out, by_value)
        out.append(b"]")
    elif kind is dict:
        out.append(b"D%d{" % _len(value))
        for key in (sorted(value, key=str) if by_value else value):
            canonical(key, out, by_value)
            canonical(value[key], out, by_value)
        out.append(b"}")
    elif _isinstance(value, _ndarray):
        if by_value:
            if value.dtype.kind not in _ndim_kinds:
                raise TypeError("not a numeric array")
            value = numpy.ascontiguousarray(value, dtype=_float64)
        elif value.dtype.hasobject or value.dtype.names is not None:
            raise TypeError("its bytes are pointers, or its dtype.str forgets the fields")
        out.append(b"a%s;%d:%s:" % (value.dtype.str.encode(), value.ndim, ",".join(map(str, value.shape)).encode()))
        out.append(numpy.ascontiguousarray(value).tobytes())
    elif _isinstance(value, _generic) and not value.dtype.hasobject and value.dtype.names is None:
        if not by_value:
            out.append(b"g%s:" % value.dtype.str.encode() + value.tobytes())
        elif value.dtype.kind in _ndim_kinds:
            out.append(b"f" + _pack("<d", float(value)))
        else:
            raise TypeError("not a number")
    elif by_value:
        raise TypeError("not plain data")
    elif _isinstance(value, (bool, int, float, str, bytes)):   # bytes, and subclasses: by type name and repr
        text = _repr((kind.__qualname__, value)).encode("utf-8", "surrogatepass")
        out.append(b"r%d:" % _len(text))
        out.append(text)
    elif _isinstance(value, _function) and _type(getattr(value, SOURCE, None)) is str:
        source = getattr(value, SOURCE).encode("utf-8", "surrogatepass")
        out.append(b"c%d:" % _len(source))
        out.append(source)
    else:
        raise TypeError("cannot be keyed")


def _number(value: int) -> bytes:
    try:
        return b"f" + _pack("<d", float(value))
    except OverflowError:
        raise TypeError("too large a number") from None


def key_of(*values: object) -> str:
    """The exact key of `values` (canonical), as a hex digest; TypeError if one cannot be keyed."""
    out: list = []
    canonical(list(values), out)
    return _sha256(b"".join(out)).hexdigest()


def question(name: str, args: tuple, kwargs: dict) -> bytes:
    parts: list = []
    canonical([name, list(args), dict(kwargs)], parts, by_value=True)
    return b"".join(parts)


def seal_id(asked: bytes) -> str:
    return _id_of(_sha256(asked).digest())


def _id_of(digest: bytes) -> str:
    return _sha256(b"id:" + digest).hexdigest()[:32]


def _xor_stream(data: bytes, digest: bytes) -> bytes:
    """`data` XOR the question's key stream (sealing and opening are the same operation)."""
    size = _len(data)
    stream = _shake(b"key:" + digest).digest(size)
    return (_from_bytes(data, "little") ^ _from_bytes(stream, "little")).to_bytes(size, "little")


def seal(asked: bytes, answer: bytes) -> list:
    """[id, sealed answer] for the answer (pack_answer's bytes) to the question `asked`."""
    digest = _sha256(asked).digest()
    return [_id_of(digest), base64.b64encode(_xor_stream(answer, digest)).decode()]


def unseal(asked: bytes, sealed: str) -> bytes:
    return _xor_stream(_a2b(sealed), _sha256(asked).digest())


def open_seal(asked: bytes, table: dict) -> bytes | None:
    """The answer sealed in `table` ({id: sealed}) for the question `asked`, or None: one hash of
    the question for both its id and its key (a stand-in opens thousands along one training)."""
    digest = _sha256(asked).digest()
    sealed = table.get(_id_of(digest))
    return None if sealed is None else _xor_stream(_a2b(sealed), digest)


_HEADERS: dict[bytes, tuple] = {}   # a packed array's header -> (dtype, shape, bytes)


def pack_answer(value: object) -> bytes:
    """An answer to seal: an array as its raw bytes after a short header (a training's stand-ins
    open thousands, and base64 inside JSON inside the seal cost more than the arithmetic), anything
    else as its JSON."""
    if _type(value) is _ndarray:
        name = _DTYPE_NAMES.get(value.dtype)
        if name is not None:
            header = json.dumps([name, list(value.shape)], separators=(",", ":")).encode()
            return b"A" + header + b"\n" + numpy.ascontiguousarray(value).tobytes()
    return b"J" + json.dumps(encode(value), allow_nan=False, separators=(",", ":")).encode()


def unpack_answer(data: bytes) -> object:
    """The answer pack_answer packed (ProtocolError if it is not one)."""
    if data[:1] == b"A":
        header, _, raw = data[1:].partition(b"\n")
        known = _HEADERS.get(header)
        if known is None:
            try:
                name, shape = json.loads(header)
            except (ValueError, TypeError):
                raise ProtocolError("bad packed array") from None
            dtype = _dtype(name)
            shape = tuple(int(n) for n in _list(shape))
            if any(n < 0 for n in shape) or math.prod(shape) > MAX_ELEMENTS:
                raise ProtocolError("bad array shape")
            known = (dtype, shape, math.prod(shape) * numpy.dtype(dtype).itemsize)
            if _len(_HEADERS) < 64:   # a training's answers have one or two shapes
                _HEADERS[header] = known
        dtype, shape, size = known
        if _len(raw) != size:
            raise ProtocolError("array data does not match its shape")
        return numpy.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if data[:1] == b"J":
        try:
            return decode(json.loads(data[1:]))
        except (ValueError, UnicodeDecodeError):
            raise ProtocolError("bad packed answer") from None
    raise ProtocolError("bad packed answer")
