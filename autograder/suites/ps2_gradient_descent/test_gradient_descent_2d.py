"""gradient_descent_2d(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6) -> (x, history).

x = np.array(x0, dtype=float), history = [x.copy()]; each iteration g = gradient_func(x[0], x[1]),
x = x - learning_rate * g, append a copy, stop after that step when np.linalg.norm(g) < tol.
x0 is left unchanged and the entries of history are independent arrays.

The gradients given are trusted functions, never the student's gradient_2d: a mistake in
gradient_2d costs points on gradient_2d only (the public check, which uses gradient_2d, runs
with a stand-in for the reference gradient_2d: HELPERS).
"""
import numpy as np

from autograder.testkit.checks import each, explain, fail, graded, is_close
from autograder.testkit.student import StudentProblem
from autograder.testkit.tolerances import DESCENT
from .common import (ref, BOWL, COUPLED, HALF_BOWL, HISTORY_ALIASING, HISTORY_SHARES_X0, INTEGER_X0_IN_PLACE,
                        MUTATES_X0, PLANE, SOFT, VALLEY, compare_runs, expect_last, history_2d, number_or_none,
                        point_2d, same_array, unpack)

GRADE_ID = "gradient_descent_2d"
HELPERS = ("gradient_2d",)   # only the public check uses it


def compare(values, expected, call, public=False):
    compare_runs(values, expected, call, public=public)


def describe_call(pair, x0, kwargs) -> str:
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    shown = x0 if isinstance(x0, str) else repr(x0.tolist() if isinstance(x0, np.ndarray) else x0)
    return f"对 {pair.describe}，gradient_descent_2d(f, gradient_func, {shown}{args})"


def read(result, call):
    x, history = unpack(result, call)
    values = history_2d(history, call)
    x = point_2d(x, call)
    expect_last(x, values, call)
    return x, values


def reference(pair, x0, **kwargs) -> np.ndarray:
    _, expected = ref.gradient_descent_2d(*pair.local(), x0, **kwargs)
    return np.array(expected)


def run(student, pair, x0, argument=None, gradient=None, **kwargs):
    """Run the student's function (x0 passed as `argument` when given, e.g. a Ref) and compare."""
    call = describe_call(pair, x0, kwargs)
    result = student.call(GRADE_ID, pair.f, gradient or pair.prime, x0 if argument is None else argument, **kwargs)
    x, values = read(result, call)
    return x, values, reference(pair, x0, **kwargs), call


@graded("复现笔记本里的运行：x² + y² 从 (3, 4) 出发（默认参数），x² + 10y² 从 (−4.5, 1.5) 出发，history 逐步正确", points=1)
def test_article_runs(student):
    for pair, x0, kwargs in [(BOWL, np.array([3.0, 4.0]), {}),
                             (VALLEY, [-4.5, 1.5], dict(learning_rate=0.09, max_iterations=40))]:
        x, values, expected, call = run(student, pair, x0, **kwargs)
        compare(values, expected, call, public=True)


@graded("不修改传入的 x0：x0 是列表、元组、整数数组或浮点数组时都不变，结果也都正确", points=1)
def test_x0_unchanged(student, rng):
    a, b = (float(v) for v in rng.uniform(-3, 3, size=2).round(3))
    for x0, kind in [(np.array([a, b]), "浮点数组"), ([a, b], "列表"), ((2, -1), "元组"),
                     (np.array([3, -2]), "整数数组")]:
        kept = student.put(x0)
        try:
            x, values, expected, call = run(student, COUPLED, x0, argument=kept, learning_rate=0.1, max_iterations=30)
        except StudentProblem as problem:
            if (problem.kind == "raised" and problem.detail.get("type") == "UFuncTypeError"
                    and np.asarray(x0).dtype.kind in "iu"):   # the caller's x0 holds integers
                fail(explain(problem), diagnosis=INTEGER_X0_IN_PLACE)
            raise
        after = student.get(kept)
        if not (type(after) is type(x0) and same_array(after, x0)):
            fail(f"{call}：调用之后，传入的 x0（{kind}）变成了 {after!r}。", diagnosis=MUTATES_X0)
        compare(values, expected, call)


@graded("history 里的数组互相独立，也不与 x0 共用内存：改其中一个，其余的和 x0 都不变", points=1)
def test_history_independent(student, rng):
    x0 = rng.uniform(1, 3, size=2).round(3)
    kept = student.put(x0)
    call = describe_call(VALLEY, x0, dict(max_iterations=6))
    result = student.keep(GRADE_ID, VALLEY.f, VALLEY.prime, kept, max_iterations=6)
    _, before = read(student.get(result), call)
    compare(before, reference(VALLEY, x0, max_iterations=6), call)
    if not same_array(student.get(kept), x0):
        fail(f"{call}：调用之后，传入的 x0 变成了 {student.get(kept)!r}。", diagnosis=MUTATES_X0)
    for k in (0, 1, 3):
        student.set_item(result, [1, k, 0], 1234.5)
        _, after = read(student.get(result), call)
        others = [i for i in range(len(before)) if i != k and not np.array_equal(after[i], before[i])]
        if others:
            fail(f"{call}：把 history[{k}] 的第一个分量改成 1234.5 之后，history[{others[0]}] 也跟着变了。",
                 diagnosis=HISTORY_ALIASING)
        if not same_array(student.get(kept), x0):
            fail(f"{call}：把 history[{k}] 改成 1234.5 之后，调用者传入的 x0 也跟着变了。", diagnosis=HISTORY_SHARES_X0)
        before = after


@graded("停止规则：用更新前梯度的长度 np.linalg.norm(g) < tol 判断，走完这一步再停；在 (x[0], x[1]) 处调用 gradient_func", points=1.25)
def test_stopping_rule(student):
    x0 = np.array([3.0, 4.0])
    # gradient (3, 4)·0.5ᵏ, its length 5·0.5ᵏ. Each tol catches other rules: 0.8 stopping on the new
    # point's gradient (and the sum of |components|), 1.1 the largest component, 0.5 the squared
    # length, 1.25 <=. Every case is run (checks.each), so the diagnosis sees which rules a run
    # got right and tells the rules apart (mistakes.py).
    def check(tol):
        x, values, expected, call = run(student, HALF_BOWL, x0, learning_rate=0.5, tol=tol)
        compare(values, expected, call)

    each([(tol,) for tol in (0.8, 1.1, 0.5, 1.25)], check)
    # where gradient_func is called: at every point of the path but the last, in order
    gradient = student.recording(HALF_BOWL.prime)
    x, values, expected, call = run(student, HALF_BOWL, x0, gradient=gradient, learning_rate=0.5, tol=0.8)
    compare(values, expected, call)
    calls = student.get(gradient.calls)
    if not calls or not all(isinstance(c, list) and len(c) == 2 for c in calls):
        shown = f"{len(calls[0])} 个参数" if calls and isinstance(calls[0], list) else "没有调用它"
        fail(f"{call}：gradient_func 应该用两个坐标 x[0]、x[1] 作参数调用，你的函数调用时用了{shown}。")
    points = [[number_or_none(v) for v in c] for c in calls]
    points = [np.array(p, dtype=float) for p in points if None not in p]
    position = 0
    for point in points:
        if position < len(values) - 1 and is_close(point, values[position], **DESCENT):
            position += 1
    if position < len(values) - 1:
        fail(f"{call}：每次迭代都应在当前位置（从起点 x0 开始）调用 gradient_func，"
             f"你的函数只在其中 {position} 个点上调用了它。")


@graded("使用 max_iterations、learning_rate 和 tol（永远不收敛的函数恰好走 max_iterations 步；随机的函数和起点）", points=0.75)
def test_parameters(student, rng):
    for pair, x0, kwargs in [(PLANE, [1, 2], dict(max_iterations=1)),
                             (PLANE, [1, 2], dict(max_iterations=13, learning_rate=0.3)),
                             (PLANE, [0.5, -0.5], {})]:
        x, values, expected, call = run(student, pair, x0, **kwargs)
        compare(values, expected, call)
    for pair in (COUPLED, SOFT):
        x0 = rng.uniform(-2, 2, size=2).round(3)
        kwargs = dict(learning_rate=float(rng.choice([0.05, 0.15, 0.2])), tol=float(rng.choice([1e-2, 1e-3])),
                      max_iterations=300)
        x, values, expected, call = run(student, pair, x0, **kwargs)
        compare(values, expected, call)
