"""forward(params, X) -> (scores, cache), scores = relu(X @ W1 + b1) @ W2 + b2, checked against
the reference and torch float64; the cache is the student's choice (only backward reads it)."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import describe_type, expect_array, fail, graded
from autograder.testkit.tolerances import AUTOGRAD, SAME_FORMULA
from .common import ref, call, expect_float64_array, named_by_models, network, sizes, torch_network, unchanged

GRADE_ID = "forward"
HELPERS = ("relu",)
HINT = formula("三步：z1 = X @ W1 + b1，h = relu(z1)，scores = h @ W2 + b2。检查：矩阵乘法的顺序（X 在左边）、"
        "两个偏置都要加、ReLU 只用在隐藏层（scores 不加 ReLU，也不做 softmax）。")


def scores_part(result):
    """What forward's checks compare: the scores (the cache's layout is the student's choice)."""
    return result[0] if isinstance(result, (tuple, list)) and len(result) == 2 else result


def scores_named(params, X):
    """named_by_models for forward(params, X), comparing the scores only."""
    return named_by_models(GRADE_ID, params, X, project=scores_part)


def scores_of(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{what} 应返回两个值 (scores, cache)，你返回的是{describe_type(result)}。")
    return result[0]


@graded("scores 与 torch（float64）算出的 relu(X W1 + b1) W2 + b2 一致：随机参数和输入", points=1.5)
def test_matches_torch(student, rng):
    for n, d, hidden, k in ((5, 3, 4, 2), (8, 2, 6, 3), (4, 5, 3, 4)):
        params, X = network(rng, n, d, hidden, k)
        expected, _ = torch_network(params, X, np.zeros((n, k)))
        called = f"forward(params, X)（{sizes(n, d, hidden, k)}）"
        what = f"{called}的 scores"
        with scores_named(params, X) as seen:
            scores = scores_of(seen(call(student, called, GRADE_ID, params, X, hint=HINT)), called)
            expect_array(scores, expected, what, **AUTOGRAD, hint=HINT)
            expect_array(scores, ref.forward(params, X)[0], what, **SAME_FORMULA, hint=HINT)


@graded("只有一个样本（n = 1）、隐藏层很宽（H = 50）时也正确，scores 是 (n, k) 的 float64 数组", points=0.5)
def test_shapes(student, rng):
    for n, d, hidden, k in ((1, 3, 5, 4), (6, 2, 50, 3)):
        params, X = network(rng, n, d, hidden, k)
        called = f"forward(params, X)（{sizes(n, d, hidden, k)}）"
        what = f"{called}的 scores"
        with scores_named(params, X) as seen:
            scores = scores_of(seen(call(student, called, GRADE_ID, params, X, hint=HINT)), called)
            expect_float64_array(scores, (n, k), what, hint="scores 的形状是 (样本数 n, 类别数 k)。")
            expect_array(scores, ref.forward(params, X)[0], what, **SAME_FORMULA, hint=HINT)


@graded("隐藏层的 ReLU：z1 为负的单元输出 0，偏置 b1、b2 都起作用", points=0.5)
def test_relu_and_biases(student, rng):
    params, X = network(rng, 6, 3, 5, 3)
    params["b1"] = np.array([-4.0, 3.0, 0.0, -1.0, 2.0])   # some hidden units off for most samples
    params["b2"] = np.array([10.0, -10.0, 0.5])
    called = f"forward(params, X)（{sizes(6, 3, 5, 3)}，有些隐藏单元的 z1 为负）"
    what = f"{called}的 scores"
    with scores_named(params, X) as seen:
        scores = scores_of(seen(call(student, called, GRADE_ID, params, X, hint=HINT)), called)
        expect_array(scores, ref.forward(params, X)[0], what, **SAME_FORMULA,
                     hint=formula("h = relu(z1) 把负的 z1 变成 0；b1 加在 X @ W1 上，b2 加在 h @ W2 上。") + HINT)


@graded("不修改传入的 params 和 X", points=0.5)
def test_inputs_unchanged(student, rng):
    params, X = network(rng, 5, 3, 4, 3)
    kept_params, kept_X = student.put(params), student.put(X)
    with scores_named(params, X):
        call(student, "forward(params, X)", GRADE_ID, kept_params, kept_X)
    hint = formula("不要对 X 或参数做 +=、-=、*= 这样的原地（in-place）运算，也不要给 params 的键重新赋值。")
    unchanged(student, kept_params, params, "调用 forward(params, X) 之后，传入的 params ", hint)
    unchanged(student, kept_X, X, "调用 forward(params, X) 之后，传入的 X ", hint)
