"""momentum_step(x, velocity, grad, learning_rate, beta=0.9) -> (x_new, velocity_new), torch's
convention (torch.optim.SGD(momentum=beta), dampening 0): v = beta v + grad; x = x - lr v.
Inputs are float64 arrays of any shape and are not changed."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import expect_array, graded
from autograder.testkit.tolerances import SAME_FORMULA
from .common import ref, DOUBLE_WELL, LOG_COSH, VALLEY, array_of_shape, torch_momentum, unpack
from .optimisers import expect_shape_generic, expect_unchanged, follow

GRADE_ID = "momentum_step"
VELOCITY_HINT = formula("PyTorch 的约定：velocity_new = beta·velocity + grad——梯度前面没有 (1 − beta)（dampening = 0），"
                 "也没有学习率；用传入的 beta（默认 0.9）。")
X_HINT = formula("x_new = x − learning_rate·velocity_new：用**更新后**的速度，减号；不要用 grad 本身，"
          "也不要用 Nesterov 的“向前看”写法。")
HINTS = {"x": X_HINT, "velocity": VELOCITY_HINT}


def one_step(student, x, velocity, grad, learning_rate, what, **kwargs):
    result = student.call(GRADE_ID, x, velocity, grad, learning_rate, **kwargs)
    x_new, velocity_new = unpack(result, 2, "(x_new, velocity_new)", what)
    expected = ref.momentum_step(x, velocity, grad, learning_rate, **kwargs)
    expect_array(array_of_shape(velocity_new, np.shape(x), f"{what} 返回的 velocity_new"), expected[1],
                 f"{what} 返回的 velocity_new", **SAME_FORMULA, hint=VELOCITY_HINT)
    expect_array(array_of_shape(x_new, np.shape(x), f"{what} 返回的 x_new"), expected[0],
                 f"{what} 返回的 x_new", **SAME_FORMULA, hint=X_HINT)


def trajectory(student, problem, x0, learning_rate, beta, steps, what, compare=None):
    expected = torch_momentum(problem, x0, learning_rate, beta, steps)
    follow(student, GRADE_ID, problem, x0, expected, ("velocity",), ("x", "velocity", "grad", learning_rate),
           {"beta": beta}, what, HINTS, compare=compare)


@graded("一步的结果与公式一致（随机的 x、速度和梯度；传入的 beta 和默认的 beta = 0.9）", points=0.5)
def test_one_step(student, rng):
    x, velocity, grad = rng.normal(size=(3, 5))
    one_step(student, x, velocity, grad, 0.05, "momentum_step(x, velocity, grad, 0.05, beta=0.7)（长度为 5 的随机数组）",
             beta=0.7)
    one_step(student, x, velocity, grad, 0.2, "momentum_step(x, velocity, grad, 0.2)（默认 beta）")


@graded("连续 60 步与 torch.optim.SGD(momentum=0.9) 一致（3 维的窄山谷，以及 2×3 的数组）", points=1)
def test_torch_sgd(student):
    trajectory(student, VALLEY, [1.5, -0.8, 3.0], 0.02, 0.9, 60,
               f"对 {VALLEY.describe}，从 [1.5, −0.8, 3.0] 出发，learning_rate=0.02、beta=0.9 连续迭代 60 步")
    trajectory(student, LOG_COSH, [[2.0, 1.0, -1.0], [0.0, -2.0, 1.0]], 0.05, 0.6, 50,
               f"对 {LOG_COSH.describe}，learning_rate=0.05、beta=0.6 连续迭代 50 步")


@graded("复现笔记本的双谷实验：x0 = 2、学习率 0.01，beta = 0.9 和 0.5 各 60 步，每一步的 x 与 torch 一致", points=0.5)
def test_double_well(student):
    for beta in (0.9, 0.5):
        trajectory(student, DOUBLE_WELL, [2.0], 0.01, beta, 60,
                   f"对 {DOUBLE_WELL.describe}，从 x0 = [2.0] 出发，learning_rate=0.01、beta={beta} 连续迭代 60 步",
                   compare=("x",))


@graded("x 可以是任意形状的数组：0 维、(1,)、(2, 3)，逐元素计算，返回的形状与输入相同", points=0.5)
def test_shapes(student, rng):
    expect_shape_generic(student, GRADE_ID, ("x_new", "velocity_new"), list(rng.normal(size=(3, 6))), (0.1,),
                         {"beta": 0.8}, "momentum_step(x, velocity, grad, 0.1, beta=0.8)")


@graded("不修改传入的 x、velocity 和 grad", points=0.5)
def test_inputs_unchanged(student, rng):
    x, velocity, grad = rng.normal(size=(3, 4))
    expect_unchanged(student, GRADE_ID, {"x": x, "velocity": velocity, "grad": grad},
                     lambda kept: ((kept["x"], kept["velocity"], kept["grad"], 0.1), {"beta": 0.9}),
                     "momentum_step(x, velocity, grad, 0.1)",
                     "原地（in-place）运算（例如 velocity *= beta、x -= ...）会改掉调用者手里的数组。")
