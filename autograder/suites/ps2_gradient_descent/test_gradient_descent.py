"""gradient_descent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6) -> (x, history).

history = [x0]; each iteration g = f_prime(x), x = x - learning_rate * g, append x, and stop after
that step when abs(g) < tol; at most max_iterations steps. Compared step by step with the
reference (the same float operations, so DESCENT's tolerance is plenty).
"""
import numpy as np

from autograder.testkit.checks import as_number, each, fail, graded, is_close
from autograder.testkit.tolerances import DESCENT
from .common import (ref, DOUBLE_WELL, HALF_SQUARE, LOG_COSH, QUAD, SIN, SLOPE, compare_runs,
                        expect_last, history_1d, number_or_none, quadratic, unpack)

GRADE_ID = "gradient_descent"


def describe_call(pair, x0, kwargs) -> str:
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return f"对 {pair.describe}，gradient_descent(f, f_prime, {x0!r}{args})"


def run(student, pair, x0, prime=None, **kwargs):
    """The student's run (x, history as floats) and the reference history."""
    call = describe_call(pair, x0, kwargs)
    x, history = unpack(student.call(GRADE_ID, pair.f, prime or pair.prime, x0, **kwargs), call)
    values = history_1d(history, call)
    x = as_number(x, f"{call} 返回的 x")
    f, f_prime = pair.local()
    _, expected = ref.gradient_descent(f, f_prime, x0, **kwargs)
    return x, values, np.array(expected, dtype=float), call


@graded("复现文章的运行：f(x) = x² + 2x + 1 从 x0 = 5.0 出发（默认参数），history 逐步正确，返回的 x 是 history 的最后一个", points=1)
def test_article_run(student):
    result = student.call(GRADE_ID, QUAD.f, QUAD.prime, 5.0)
    call = "gradient_descent(f_quad, f_quad_prime, 5.0)"
    x, history = unpack(result, call)
    values = history_1d(history, call)
    _, expected = ref.gradient_descent(*QUAD.local(), 5.0)
    compare_runs(values, np.array(expected), call, public=True)
    expect_last(as_number(x, f"{call} 返回的 x"), values, call)
    if not is_close(as_number(x, call), -1.0, rtol=0, atol=1e-5):
        fail(f"{call} 返回了 x = {as_number(x, call):.6g}，应收敛到最小值点 x = −1 附近。")


@graded("停止规则：用更新前的梯度判断 abs(g) < tol（严格小于），走完这一步再停；梯度为负时也对", points=1.25)
def test_stopping_rule(student):
    cases = [
        (HALF_SQUARE, 1.0, dict(learning_rate=0.5, tol=0.3)),
        (QUAD, -3.0, {}),                                     # left of the minimum: the gradient is negative
        (HALF_SQUARE, 1.0, dict(learning_rate=0.5, tol=0.25)),   # one gradient is exactly tol
    ]
    def check(pair, x0, kwargs):
        x, values, expected, call = run(student, pair, x0, **kwargs)
        compare_runs(values, expected, call)
        expect_last(x, values, call)

    each(cases, check)


@graded("最多迭代 max_iterations 次：永远不收敛的函数恰好走 max_iterations 步", points=0.75)
def test_max_iterations(student):
    for pair, x0, kwargs in [(SLOPE, 0.0, dict(max_iterations=1)),
                             (SLOPE, 2.5, dict(max_iterations=37, learning_rate=0.25)),
                             (SLOPE, -1.0, {}),
                             (QUAD, 5.0, dict(max_iterations=20))]:
        x, values, expected, call = run(student, pair, x0, **kwargs)
        compare_runs(values, expected, call)
        expect_last(x, values, call)


@graded("使用传入的 learning_rate 和 tol（随机的函数、起点、学习率和容差，与参考实现逐步一致）", points=1.25)
def test_learning_rate_and_tol(student, rng):
    pairs = [quadratic(round(rng.uniform(0.5, 3), 2), round(rng.uniform(-2, 2), 2)), SIN, LOG_COSH,
             DOUBLE_WELL]
    for pair in pairs:
        x0 = round(rng.uniform(-2, 2), 3)
        learning_rate = float(rng.choice([0.03, 0.05, 0.08, 0.12]))
        tol = float(rng.choice([1e-2, 3e-3, 1e-4]))
        x, values, expected, call = run(student, pair, x0, learning_rate=learning_rate, tol=tol,
                                        max_iterations=500)
        compare_runs(values, expected, call)
        expect_last(x, values, call)


@graded("x0 是整数时也正确；在当前的 x 处调用 f_prime，从 x0 开始", points=0.75)
def test_integer_x0_and_calls(student):
    for x0 in (5, -2, np.int64(3)):
        prime = student.recording(QUAD.prime)
        x, values, expected, call = run(student, QUAD, x0, prime=prime, learning_rate=0.25)
        compare_runs(values, expected, call)
        expect_last(x, values, call)
        points = [number_or_none(c[0]) for c in student.get(prime.calls) if isinstance(c, list) and len(c) == 1]
        if not points or points[0] != x0:
            shown = "没有调用 f_prime" if not points else f"第一次是在 x = {points[0]} 处调用的"
            fail(f"{call}：第一次调用 f_prime 应该是在起点 x0 = {x0} 处，你的函数{shown}。")
        # every point of the path (but the last) is where a gradient was taken, in order
        position = 0
        for point in points:
            if position < len(values) - 1 and point is not None and is_close(point, values[position], **DESCENT):
                position += 1
        if position < len(values) - 1:
            fail(f"{call}：每次迭代都应在当前的 x（history 里的上一个点）处调用 f_prime，"
                 f"你的函数只在其中 {position} 个点上调用了它。")
