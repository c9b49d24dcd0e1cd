"""Shared pieces of ps5's hidden suite: the torch oracle, hidden inputs, reading what the
student returns, and judging `backward` apart from the student's `forward`.

The oracle. Every expected gradient is computed by real torch autograd in float64
(`torch.relu`, `torch.nn.functional.cross_entropy`, `torch.nn.functional.conv2d`) and every
expected value also by the reference (`solutions.ps5_backprop`). Torch results are remembered
by `oracle.memo`, keyed by the source of the function that computes them and the exact input
bytes, so grading imports torch only for questions it has never seen.

Diagnosis. The mistake models are in mistakes.py; the framework replays the calls a test made
with plain inputs. `named_by_models` replays them for checks the framework cannot see as the test
does (backward on the cache of the student's own forward, forward's scores without its cache).
"""
from __future__ import annotations

import inspect
from contextlib import contextmanager

import numpy as np

from autograder.testkit.checks import Mistake, as_array, describe_type, expect_array, explain, fail, is_close
from autograder.testkit.diagnosis import Call, Raised, candidates, models_of
from autograder.testkit.oracle import memo
from autograder.testkit.reference import remembered
from autograder.testkit.student import Fn, StudentProblem
from autograder.testkit.tolerances import AUTOGRAD, SAME_FORMULA

ref = remembered(__package__.rpartition(".")[2])   # this suite's reference, solutions/<assignment>.py

KEYS = ("W1", "b1", "W2", "b2")


# ------------------------------------------------------------------------------ the oracle

def _ask_torch(function, *arrays, **numbers) -> np.ndarray:
    """function(torch, *arrays, **numbers) -> list of floats, remembered on disk."""
    arrays = tuple(np.ascontiguousarray(a, dtype=np.float64) for a in arrays)
    parts = (inspect.getsource(function), *arrays, sorted(numbers.items()))

    def compute():
        import torch
        return function(torch, *arrays, **numbers)

    return np.array(memo("ps5_backprop", parts, compute), dtype=np.float64)


def _relu_backward(torch, dout, z):
    z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    torch.relu(z_t).backward(torch.tensor(dout, dtype=torch.float64))
    return z_t.grad.numpy().ravel().tolist()


def torch_relu_backward(dout, z) -> np.ndarray:
    """∂L/∂z for L = sum(relu(z) * dout), by torch autograd (torch's relu'(0) is 0)."""
    return _ask_torch(_relu_backward, dout, z).reshape(np.shape(z))


def _cross_entropy(torch, scores, labels):
    import torch.nn.functional as F

    s_t = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(s_t, torch.tensor(labels, dtype=torch.float64).long())
    loss.backward()
    return [loss.item()] + s_t.grad.numpy().ravel().tolist()


def torch_cross_entropy(scores, y) -> tuple[float, np.ndarray]:
    """(mean cross-entropy, its gradient with respect to scores) by torch.nn.functional.cross_entropy."""
    values = _ask_torch(_cross_entropy, scores, np.asarray(y, dtype=np.float64))
    return float(values[0]), values[1:].reshape(np.shape(scores))


def _network(torch, X, W1, b1, W2, b2, dscores):
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in (W1, b1, W2, b2)]
    W1_t, b1_t, W2_t, b2_t = tensors
    scores = torch.relu(torch.tensor(X, dtype=torch.float64) @ W1_t + b1_t) @ W2_t + b2_t
    (scores * torch.tensor(dscores, dtype=torch.float64)).sum().backward()
    return scores.detach().numpy().ravel().tolist() + [v for t in tensors for v in t.grad.numpy().ravel().tolist()]


def torch_network(params: dict, X, dscores) -> tuple[np.ndarray, dict]:
    """scores = relu(X W1 + b1) W2 + b2 and the gradients of sum(scores * dscores) with respect
    to every parameter (what backward(params, cache, dscores) must return), by torch autograd."""
    values = _ask_torch(_network, X, *(params[k] for k in KEYS), dscores)
    scores_size = np.shape(dscores)[0] * np.shape(params["W2"])[1]
    scores = values[:scores_size].reshape(np.shape(X)[0], np.shape(params["W2"])[1])
    grads, at = {}, scores_size
    for key in KEYS:
        size = np.size(params[key])
        grads[key] = values[at:at + size].reshape(np.shape(params[key]))
        at += size
    return scores, grads


def _network_cross_entropy(torch, X, labels, W1, b1, W2, b2):
    import torch.nn.functional as F

    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in (W1, b1, W2, b2)]
    W1_t, b1_t, W2_t, b2_t = tensors
    scores = torch.relu(torch.tensor(X, dtype=torch.float64) @ W1_t + b1_t) @ W2_t + b2_t
    F.cross_entropy(scores, torch.tensor(labels, dtype=torch.float64).long()).backward()
    return [v for t in tensors for v in t.grad.numpy().ravel().tolist()]


def torch_network_cross_entropy(params: dict, X, y) -> dict:
    """The gradients of F.cross_entropy(network(X), y) with respect to every parameter."""
    values = _ask_torch(_network_cross_entropy, X, np.asarray(y, dtype=np.float64), *(params[k] for k in KEYS))
    return _split(values, params)


def _train(torch, X, labels, W1, b1, W2, b2, learning_rate, epochs):
    import torch.nn.functional as F

    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in (W1, b1, W2, b2)]
    X_t, y_t = torch.tensor(X, dtype=torch.float64), torch.tensor(labels, dtype=torch.float64).long()
    history = []
    for _ in range(epochs):
        W1_t, b1_t, W2_t, b2_t = tensors
        loss = F.cross_entropy(torch.relu(X_t @ W1_t + b1_t) @ W2_t + b2_t, y_t)
        grads = torch.autograd.grad(loss, tensors)
        history.append(loss.item())
        with torch.no_grad():
            tensors = [(t - learning_rate * g).requires_grad_(True) for t, g in zip(tensors, grads)]
    return history + [v for t in tensors for v in t.detach().numpy().ravel().tolist()]


def torch_training(X, y, d_hidden: int, learning_rate: float, epochs: int, seed: int) -> tuple[list, dict]:
    """(history, params) of full-batch gradient descent from init_params(d, d_hidden, k, seed)
    with gradients by torch autograd of F.cross_entropy: what train_mlp must return."""
    start = ref.init_params(np.shape(X)[1], d_hidden, int(np.max(y)) + 1, seed)
    values = _ask_torch(_train, X, np.asarray(y, dtype=np.float64), *(start[k] for k in KEYS),
                        learning_rate=float(learning_rate), epochs=int(epochs))
    return values[:epochs].tolist(), _split(values[epochs:], start)


def _conv2d(torch, image, kernel):
    import torch.nn.functional as F

    image_t = torch.tensor(image, dtype=torch.float64)[None, None]
    return F.conv2d(image_t, torch.tensor(kernel, dtype=torch.float64)[None, None])[0, 0].numpy().ravel().tolist()


def torch_conv2d(image, kernel) -> np.ndarray:
    shape = (np.shape(image)[0] - np.shape(kernel)[0] + 1, np.shape(image)[1] - np.shape(kernel)[1] + 1)
    return _ask_torch(_conv2d, image, kernel).reshape(shape)


def _kernel_gradient(torch, image, dout):
    import torch.nn.functional as F

    kh, kw = image.shape[0] - dout.shape[0] + 1, image.shape[1] - dout.shape[1] + 1
    kernel = torch.ones((kh, kw), dtype=torch.float64, requires_grad=True)
    out = F.conv2d(torch.tensor(image, dtype=torch.float64)[None, None], kernel[None, None])[0, 0]
    (out * torch.tensor(dout, dtype=torch.float64)).sum().backward()
    return kernel.grad.numpy().ravel().tolist()


def torch_kernel_gradient(image, dout) -> np.ndarray:
    """∂L/∂kernel for L = sum(F.conv2d(image, kernel) * dout), by torch autograd."""
    shape = (np.shape(image)[0] - np.shape(dout)[0] + 1, np.shape(image)[1] - np.shape(dout)[1] + 1)
    return _ask_torch(_kernel_gradient, image, dout).reshape(shape)


def _split(values: np.ndarray, like: dict) -> dict:
    result, at = {}, 0
    for key in KEYS:
        size = np.size(like[key])
        result[key] = values[at:at + size].reshape(np.shape(like[key]))
        at += size
    return result


# -------------------------------------------------------------------------- hidden inputs

def network(rng, n: int, d: int, hidden: int, k: int):
    """Random params (init_params, plus non-zero biases) and inputs X of shape (n, d)."""
    params = ref.init_params(d, hidden, k, seed=int(rng.integers(1_000_000)))
    params["b1"] = rng.normal(0.0, 0.5, size=hidden)
    params["b2"] = rng.normal(0.0, 0.5, size=k)
    return params, rng.normal(size=(n, d))


def sizes(n, d, hidden, k) -> str:
    return f"n = {n}、d = {d}、H = {hidden}、k = {k}"


# ------------------------------------------------------------------ calling the student

def call(student, what: str, name: str, *args, hint: str = "", keep: bool = False, **kwargs):
    """student.call(name, ...) (or keep), with `what` naming the call in messages instead of the
    raw inputs (a screen of random hidden numbers tells a student nothing), and `hint` added
    when their code raises. `what` starts with "name(" like the call itself."""
    try:
        return (student.keep if keep else student.call)(name, *args, **kwargs)
    except StudentProblem as problem:
        renamed = StudentProblem(problem.kind, problem.detail, what)
        if hint and problem.kind == "raised" and problem.detail.get("type") != "NotImplementedError":
            mistake = Mistake(f"{explain(renamed)}\n{hint}")
            mistake.problem = renamed     # what it raised, for named_by_models
            raise mistake from None
        raise renamed from None


# ------------------------------------------------------------------ naming the mistake

MUTATES = ("你的函数原地（in-place）修改了调用者传进来的数据（例如 z[z < 0] = 0、x -= …、params[k] -= …，"
           "或给传入的字典加键）：调用者手里的数组和字典被悄悄改掉了。先复制（.copy()），或者用会生成新数组的写法"
           "（np.maximum(z, 0)、x - …、{k: … for k in params}）。")
WRONG_KEYS = "返回的字典的键要和参数字典的键完全相同（W1、b1、W2、b2，不要改名成 dW1 之类，也不要多加或漏掉）。"


def by_models(grade_id: str, args: tuple, observed, kwargs: dict | None = None, project=None) -> dict:
    """{code: text} of the mistake models (mistakes.py) that give `observed` for these plain
    arguments while the reference does not (diagnosis.candidates, on this one call). `project`
    picks the part of a result that is compared (e.g. forward's scores, not its cache). One call
    is little evidence: models of different mistakes may all explain it (typically the same kind
    of error raised, say a ValueError from shapes that do not fit); then none of them may be named."""
    call = Call(grade_id, tuple(args), dict(kwargs or {}), observed)
    found = candidates(grade_id, models_of(__package__.rpartition(".")[2]).get(grade_id, []), [call], ref, project)
    return {code: model.text for code, model in found.items()}


class Observed:
    """What a call under named_by_models returned (set `result` once it is known)."""
    def __init__(self):
        self.result = None
        self.known = False

    def __call__(self, result):
        self.result, self.known = result, True
        return result


@contextmanager
def named_by_models(grade_id: str, *args, project=None, **kwargs):
    """Checks of one call the framework cannot replay as the test sees it (its cache came from
    the student's forward; forward's own cache has the student's layout): when they fail without
    a named diagnosis, replay the mistake models on the plain equivalent `args` and name the one
    that gives what the student's code gave (its result, passed to the yielded Observed, or the
    error it raised). When several mistakes explain an error equally, the error is told without
    the generic "your code raised X", which would only compete with the cause other tests name."""
    seen = Observed()
    try:
        yield seen
    except (Mistake, StudentProblem) as error:
        if isinstance(error, Mistake) and error.diagnosis:
            raise
        problem = error if isinstance(error, StudentProblem) else getattr(error, "problem", None)
        if problem is not None:
            if problem.kind != "raised" or problem.detail.get("type") == "NotImplementedError":
                raise
            observed = Raised(str(problem.detail.get("type", "Exception")))
        elif seen.known:
            observed = seen.result
        else:
            raise
        found = by_models(grade_id, args, observed, kwargs, project)
        message = str(error) if isinstance(error, Mistake) else explain(error)
        if len(found) == 1:
            raise Mistake(message, next(iter(found.items()))) from None
        if found and isinstance(error, StudentProblem):
            raise Mistake(message) from None
        raise


# ------------------------------------------------------------------ what the student returns

def expect_dict_of_arrays(result, expected: dict, what: str, tolerance: dict, hint: str = "",
                          keys=None) -> dict:
    """`result` must be a dict with exactly the keys of `expected`, each array close to it."""
    if not isinstance(result, dict):
        fail(f"{what} 应返回一个字典（dict），你返回的是{describe_type(result)}。")
    if set(result) != set(expected):
        wanted = "、".join(map(str, expected))
        got = "、".join(map(repr, result)) or "（空）"
        fail(f"{what} 返回的字典应恰好有键 {wanted}（与参数字典相同），你的字典的键是 {got}。",
             diagnosis=("wrong_keys", WRONG_KEYS))
    arrays = {}
    for key in keys or expected:
        arrays[key] = expect_array(result[key], expected[key], f"{what} 里的 {key!r}", **tolerance, hint=hint)
    return arrays


def expect_float64_array(result, shape: tuple, what: str, hint: str = "") -> np.ndarray:
    if not isinstance(result, np.ndarray) or result.dtype != np.float64 or result.shape != shape:
        got = (f"形状为 {result.shape}、dtype 为 {result.dtype} 的数组" if isinstance(result, np.ndarray)
               else describe_type(result))
        fail(f"{what} 应返回形状为 {shape}、dtype 为 float64 的 NumPy 数组，你返回的是{got}。{hint}")
    return result


def unchanged(student, kept, original, what: str, hint: str) -> None:
    """The value behind Ref `kept` still equals `original` (an array or a dict of arrays)."""
    after = student.get(kept)
    if isinstance(original, dict):
        kept_as_is = isinstance(after, dict) and set(after) == set(original) and all(
            isinstance(after[k], np.ndarray) and np.array_equal(after[k], original[k]) for k in original)
    else:
        kept_as_is = isinstance(after, np.ndarray) and after.shape == original.shape and np.array_equal(after, original)
    if not kept_as_is:
        fail(f"{what}被改变了。{hint}", diagnosis=("mutates_input", MUTATES))


# ------------------------------------------------------------ judging backward on its own

BACKWARD_CANNOT_JUDGE = (
    "backward 无法单独检查：在这些输入上，你的 forward 算出的 scores 不对（forward 自己的测试会告诉你哪里错），"
    "所以它存下的 cache 也不可信；而把正确的 cache = (X, z1, h)（笔记本推荐的格式）交给 backward 时，结果也不对或者出错。"
    "先修好 forward；如果你的 cache 用的是别的格式，也可以改成 (X, z1, h)。")


def reference_cache(params, X):
    """The recommended cache (X, z1, h), computed correctly."""
    return ref.forward(params, X)[1]


def probes(params, X):
    """Inputs on which a forward with a common mistake (a missing bias; an activation other
    than relu, which agrees with relu where every pre-activation is positive) is still right."""
    zero_bias = dict(params, b1=np.zeros_like(params["b1"]), b2=np.zeros_like(params["b2"]))
    yield zero_bias, X
    yield dict(zero_bias, W1=np.abs(params["W1"])), np.abs(X) + 0.1


def _fatal(problem: StudentProblem) -> bool:
    """Problems no second try can change: code missing, hanging, dying, or not written yet."""
    return problem.kind != "raised" or problem.detail.get("type") == "NotImplementedError"


class BackwardJudge:
    """Runs a check of `backward` the way the notebook uses it: on the cache that the student's
    own `forward` returned for the same params and X (the cache's content is the student's
    choice; only their backward reads it). A wrong forward must not cost backward its points,
    so when the check fails and the student's forward is itself wrong on these inputs (its
    scores differ from the reference), backward is judged apart from it: first on the
    recommended cache (X, z1, h) computed correctly; then, for a cache of another layout, on
    probe inputs where the student's forward is right (zero biases, positive pre-activations).
    Only when none of these is possible does backward lose the points, with a message saying why.
    """

    def __init__(self, student):
        self.student = student
        self._first = student.put(Fn("lambda pair: pair[0]", "scores"))
        self._second = student.put(Fn("lambda pair: pair[1]", "cache"))

    def own_forward(self, params, X):
        """(scores, cache Ref) from the student's forward, or (None, None) when it raised or
        did not return a pair."""
        try:
            out = call(self.student, "forward(params, X)", "forward", params, X, keep=True)
            scores = self.student.get(self._first(out))
            return scores, self._second(out)
        except StudentProblem as problem:
            if problem.kind in ("timeout", "died"):
                raise
            return None, None

    @staticmethod
    def forward_is_right(scores, params, X) -> bool:
        if scores is None:
            return False
        try:
            return is_close(as_array(scores, "scores"), ref.forward(params, X)[0], **SAME_FORMULA)
        except Mistake:
            return False

    def backward(self, params, cache, dscores):
        return call(self.student, "backward(params, cache, dscores)", "backward", params, cache, dscores)

    def run(self, check, params, X, dscores) -> None:
        """check(grads, params, X) raises Mistake when backward's gradients are wrong."""
        self.run_with(lambda p, x, cache: check(self.backward(p, cache, dscores), p, x), params, X)

    def run_with(self, attempt, params, X) -> None:
        """attempt(params, X, cache) calls backward with that cache and raises Mistake (or lets a
        StudentProblem through) when something is wrong."""
        scores, cache = self.own_forward(params, X)
        if cache is not None:
            try:
                attempt(params, X, cache)
                return
            except StudentProblem as problem:
                if _fatal(problem) or self.forward_is_right(scores, params, X):
                    raise
            except Mistake:
                if self.forward_is_right(scores, params, X):
                    raise
        # The student's forward is wrong on these inputs (or raised): judge backward alone.
        try:
            attempt(params, X, reference_cache(params, X))
            return
        except StudentProblem as problem:
            if _fatal(problem):
                raise
            why = explain(problem)
        except Mistake as mistake:
            why = str(mistake)
        for probe_params, probe_X in probes(params, X):
            probe_scores, probe_cache = self.own_forward(probe_params, probe_X)
            if probe_cache is not None and self.forward_is_right(probe_scores, probe_params, probe_X):
                attempt(probe_params, probe_X, probe_cache)
                return
        fail(f"{BACKWARD_CANNOT_JUDGE}\n用 (X, z1, h) 调用 backward 时：{why}")


def expect_gradients(grads, params, X, dscores, what: str, hint: str, keys=KEYS) -> None:
    """backward's result against torch autograd of sum(network(X) * dscores), for `keys`; when
    wrong, named by the backward mistake that gives these gradients (on the recommended cache)."""
    _, expected = torch_network(params, X, dscores)
    with named_by_models("backward", params, reference_cache(params, X), dscores) as seen:
        expect_dict_of_arrays(seen(grads), expected, what, AUTOGRAD, hint=hint, keys=keys)
