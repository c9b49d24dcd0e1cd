"""backward(params, cache, dscores) -> {"W1", "b1", "W2", "b2"}: the gradients of
sum(scores * dscores), scores = relu(X W1 + b1) W2 + b2, against torch autograd in float64.

How backward is judged. The cache is whatever the student's forward returned: its content is
the student's choice and only their backward reads it. So every check does what the notebook
does: it calls the student's forward(params, X), keeps the cache in the student's process and
passes it, with the same params, to the student's backward. Giving backward the reference's
cache instead (HELPERS = ("forward",) with a proxy) would be wrong: a student's backward cannot
be expected to read another layout.

A mistake in forward must not cost backward points (forward's own tests charge it). When a check
fails and the student's forward is itself wrong on those inputs (its scores differ from the
reference), BackwardJudge (common.py) judges backward apart from it: on the correct cache in the
layout the notebook recommends, (X, z1, h); failing that, on probe inputs where the student's
forward is right although it has a common mistake (zero biases; positive pre-activations). Only
when neither is possible -- a forward wrong on every probe and a cache of another layout --
does backward lose the points, with a message that says so and why. relu and relu_backward are
HELPERS: backward and the forward it relies on may call them.
"""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import Mistake, as_array, describe_type, fail, graded, is_close
from autograder.testkit.tolerances import AUTOGRAD
from .common import (KEYS, WRONG_KEYS, BackwardJudge, call, expect_dict_of_arrays, expect_float64_array, expect_gradients,
                     named_by_models, network, ref, reference_cache, sizes, torch_network_cross_entropy, unchanged)
from .mistakes import bw_gate_at_zero

GRADE_ID = "backward"
HELPERS = ("relu", "relu_backward")
SECOND_LAYER_HINT = formula("第二层：dW2 = h.T @ dscores（形状 (H, k)），db2 = np.sum(dscores, axis=0)（按列求和，不是平均："
                     "dscores 已经除过 n 了）。")
SHAPE_HINT = formula("用形状来检查矩阵乘法的顺序和转置：dW2 = h.T @ dscores 是 (H, k)，偏置的梯度按列求和（axis=0）。")
FIRST_LAYER_HINT = formula("先把梯度传回隐藏层：dh = dscores @ W2.T，再穿过 ReLU：dz1 = relu_backward(dh, z1)（闸门由 z1 决定）；"
                    "然后 dW1 = X.T @ dz1，db1 = np.sum(dz1, axis=0)。不要再除以 n。")


@graded("W2、b2 的梯度与 torch 自动微分一致（随机参数、输入和上游梯度 dscores）", points=1.5)
def test_second_layer(student, rng):
    judge = BackwardJudge(student)
    for n, d, hidden, k in ((5, 3, 4, 2), (7, 2, 6, 3), (1, 3, 4, 5)):
        params, X = network(rng, n, d, hidden, k)
        dscores = rng.normal(size=(n, k)) / n
        what = f"backward(params, cache, dscores)（{sizes(n, d, hidden, k)}，cache 来自你的 forward）"
        judge.run(lambda grads, p, x: expect_gradients(grads, p, x, dscores, what, SECOND_LAYER_HINT, keys=("W2", "b2")),
                  params, X, dscores)


@graded("W1、b1 的梯度（穿过 ReLU）与 torch 自动微分一致", points=1.5)
def test_first_layer(student, rng):
    judge = BackwardJudge(student)
    for n, d, hidden, k in ((6, 3, 5, 3), (4, 4, 3, 2)):
        params, X = network(rng, n, d, hidden, k)
        dscores = rng.normal(size=(n, k)) / n
        what = f"backward(params, cache, dscores)（{sizes(n, d, hidden, k)}，cache 来自你的 forward）"
        judge.run(lambda grads, p, x: expect_gradients(grads, p, x, dscores, what, FIRST_LAYER_HINT, keys=("W1", "b1")),
                  params, X, dscores)


@graded("返回键为 W1、b1、W2、b2 的字典，每个梯度都是 float64 数组，形状与参数相同（n = 1、k = 5 时也一样）", points=0.5)
def test_keys_and_shapes(student, rng):
    judge = BackwardJudge(student)
    for n, d, hidden, k in ((1, 2, 3, 5), (3, 6, 2, 4)):
        params, X = network(rng, n, d, hidden, k)
        dscores = rng.normal(size=(n, k))
        what = f"backward(params, cache, dscores)（{sizes(n, d, hidden, k)}）"

        def check(grads, p, x):
            if not isinstance(grads, dict) or set(grads) != set(KEYS):
                got = "、".join(map(repr, grads)) if isinstance(grads, dict) else describe_type(grads)
                fail(f"{what} 应返回键恰好为 W1、b1、W2、b2 的字典（与 params 相同），你返回的是 {got}。",
                     diagnosis=("wrong_keys", WRONG_KEYS) if isinstance(grads, dict) else None)
            with named_by_models(GRADE_ID, p, reference_cache(p, x), dscores) as seen:
                seen(grads)
                for key in KEYS:
                    expect_float64_array(grads[key], p[key].shape, f"{what} 里的梯度 {key!r}",
                                         hint=formula("{key} 的梯度和参数 {key} 的形状相同。") + SHAPE_HINT)

        judge.run(check, params, X, dscores)


@graded("z1 恰好为 0 的隐藏单元不传回梯度（与 torch 一致）", points=0.5)
def test_relu_at_zero(student, rng):
    judge = BackwardJudge(student)
    params, X = network(rng, 5, 3, 4, 3)
    X[1] = 0.0                       # z1 = b1 for this sample ...
    params["b1"][[0, 2]] = 0.0       # ... so units 0 and 2 get z1 = 0 exactly
    params["W1"][:, 3] = 0.0         # unit 3 has z1 = b1[3] for every sample
    params["b1"][3] = 0.0
    dscores = rng.normal(size=(5, 3)) / 5
    what = "backward(params, cache, dscores)（有些隐藏单元的 z1 恰好为 0）"

    def check(grads, p, x):
        try:
            expect_gradients(grads, p, x, dscores, what, FIRST_LAYER_HINT)
        except Mistake:
            if matches(grads, gate_open_at_zero(p, x, dscores)):
                fail(f"{what} 让 z1 = 0 的单元也传回了梯度（ReLU 在 0 处的导数取 0，和 PyTorch 一致）。",
                     diagnosis=(bw_gate_at_zero.code, bw_gate_at_zero.text))
            raise

    judge.run(check, params, X, dscores)


def gate_open_at_zero(params, X, dscores) -> dict:
    """The gradients backward would give with the ReLU's gate open at z1 = 0 (z1 >= 0)."""
    z1 = X @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0)
    dz1 = (dscores @ params["W2"].T) * (z1 >= 0)
    return {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dscores, "b2": dscores.sum(axis=0)}


def matches(grads, expected: dict) -> bool:
    try:
        return isinstance(grads, dict) and all(
            is_close(as_array(grads.get(k), k), expected[k], **AUTOGRAD) for k in KEYS)
    except Mistake:
        return False


@graded("与 softmax_cross_entropy 连用：在螺旋数据上，梯度与 torch 的 cross_entropy 对参数的梯度一致", points=0.5)
def test_with_cross_entropy(student):
    X, y = ref.make_spiral(8, 3, seed=4)
    params = ref.init_params(2, 6, 3, seed=9)
    params["b1"] = np.linspace(-0.3, 0.3, 6)
    _, dscores = ref.softmax_cross_entropy(ref.forward(params, X)[0], y)
    expected = torch_network_cross_entropy(params, X, y)
    what = "在 24 个螺旋样本上，backward(params, cache, dscores)（dscores 来自 softmax_cross_entropy）"

    def check(grads, p, x):
        with named_by_models(GRADE_ID, p, reference_cache(p, x), dscores) as seen:
            expect_dict_of_arrays(
                seen(grads), expected if p is params else torch_network_cross_entropy(p, x, y), what, AUTOGRAD,
                hint=formula("dscores 已经是平均损失的梯度（除过 n）：backward 里只用它，不要再除以 n，也不要重新计算 softmax。")
                     + FIRST_LAYER_HINT)

    BackwardJudge(student).run(check, params, X, dscores)


@graded("不修改传入的 params 和 dscores", points=0.5)
def test_inputs_unchanged(student, rng):
    params, X = network(rng, 6, 3, 4, 3)
    dscores = rng.normal(size=(6, 3)) / 6
    hint = formula("不要对 dscores 或参数做 +=、-=、*=、/= 这样的原地（in-place）运算，也不要给 params 的键重新赋值："
            "dh = dscores @ W2.T 这样的写法会生成新数组。")

    def attempt(p, x, cache):
        kept_params, kept_dscores = student.put(p), student.put(dscores)
        call(student, "backward(params, cache, dscores)", GRADE_ID, kept_params, cache, kept_dscores)
        unchanged(student, kept_params, p, "调用 backward(params, cache, dscores) 之后，传入的 params ", hint)
        unchanged(student, kept_dscores, dscores, "调用 backward(params, cache, dscores) 之后，传入的 dscores ", hint)

    BackwardJudge(student).run_with(attempt, params, X)
