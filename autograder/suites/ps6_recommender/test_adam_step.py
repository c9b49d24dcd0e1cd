"""adam_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8) -> (x_new, m_new, v_new)
as torch.optim.Adam: t counts from 1, bias-corrected m_hat and v_hat, x - lr m_hat / (sqrt(v_hat) + eps).
Inputs are float64 arrays of any shape and are not changed."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import expect_array, fail, graded, is_close
from autograder.testkit.tolerances import ADAM_FIRST_STEP, SAME_FORMULA
from .common import ref, LOG_COSH, VALLEY, array_of_shape, torch_adam, unpack
from .optimisers import expect_shape_generic, expect_unchanged, follow

GRADE_ID = "adam_step"
M_HINT = formula("m_new = beta1·m + (1 − beta1)·grad（用传入的 beta1）。")
V_HINT = formula("v_new = beta2·v + (1 − beta2)·grad²（梯度逐元素平方，用传入的 beta2）。")
X_HINT = formula("x_new = x − learning_rate·m_hat / (√v_hat + eps)，其中 m_hat = m_new / (1 − beta1**t)、"
          "v_hat = v_new / (1 − beta2**t)：两个都要做偏差修正，用更新后的 m_new、v_new 和这一步传入的 t"
          "（t 从 1 开始，不要再加 1 或减 1）；eps 加在根号外面；减号。")
HINTS = {"x": X_HINT, "m": M_HINT, "v": V_HINT}


def one_step(student, args, what, **kwargs):
    x, m, v, grad, t = args
    result = student.call(GRADE_ID, x, m, v, grad, t, **kwargs)
    values = unpack(result, 3, "(x_new, m_new, v_new)", what)
    expected = ref.adam_step(x, m, v, grad, t, **kwargs)
    for name, value, right, hint in zip(("m", "v", "x"), values[1:] + values[:1], expected[1:] + expected[:1],
                                        (M_HINT, V_HINT, X_HINT)):
        expect_array(array_of_shape(value, np.shape(x), f"{what} 返回的 {name}_new"), right,
                     f"{what} 返回的 {name}_new", **SAME_FORMULA, hint=hint)


def trajectory(student, problem, x0, steps, what, **hyper):
    expected = torch_adam(problem, x0, steps, **hyper)
    kwargs = dict(hyper)
    follow(student, GRADE_ID, problem, x0, expected, ("m", "v"), ("x", "m", "v", "grad", "k"), kwargs, what, HINTS)


@graded("第一步（t = 1，m = v = 0）的偏差修正：每个坐标移动约 learning_rate，m、v 正确", points=0.5)
def test_first_step(student, rng):
    x = rng.normal(size=4)
    grad = np.array([0.003, -2.5, 40.0, -0.2])
    zeros = np.zeros(4)
    what = "adam_step(x, m=0, v=0, grad, t=1, learning_rate=0.01)（梯度大小相差悬殊）"
    result = student.call(GRADE_ID, x, zeros, zeros, grad, 1, learning_rate=0.01)
    x_new = array_of_shape(unpack(result, 3, "(x_new, m_new, v_new)", what)[0], (4,), f"{what} 返回的 x_new")
    if not is_close(np.abs(x_new - x), np.full(4, 0.01), **ADAM_FIRST_STEP):
        fail(f"{what}：第一步每个坐标都应移动约 0.01（= learning_rate），不管梯度多大（这是偏差修正 bias correction "
             "的效果），你的结果不是这样。" + formula("t = 1 时 m_hat = grad、v_hat = grad²，步长 = learning_rate·grad / (|grad| + eps)。"))
    one_step(student, (x, zeros, zeros, grad, 1), what, learning_rate=0.01)


@graded("任意一步（t = 7，非零的 m、v，自定的 learning_rate、beta1、beta2、eps）与公式一致", points=0.5)
def test_later_step(student, rng):
    x, m, grad = rng.normal(size=(3, 5))
    v = rng.uniform(0.1, 2.0, size=5)
    one_step(student, (x, m, v, grad, 7),
             "adam_step(x, m, v, grad, t=7, learning_rate=0.05, beta1=0.8, beta2=0.95, eps=0.01)（长度为 5 的随机数组）",
             learning_rate=0.05, beta1=0.8, beta2=0.95, eps=0.01)


@graded("连续 80 步与 torch.optim.Adam(lr=0.05)（其余为默认值）一致", points=1)
def test_torch_adam_defaults(student):
    trajectory(student, VALLEY, [1.5, -0.8, 3.0], 80,
               f"对 {VALLEY.describe}，从 [1.5, −0.8, 3.0] 出发，learning_rate=0.05（其余用默认值）连续迭代 80 步，t = 1, 2, …",
               learning_rate=0.05)


@graded("连续 60 步与 torch.optim.Adam(lr=0.1, betas=(0.8, 0.99), eps=0.1) 一致（2×3 的数组）", points=1)
def test_torch_adam_custom(student):
    trajectory(student, LOG_COSH, [[2.0, 1.0, -1.0], [0.0, -2.0, 1.0]], 60,
               f"对 {LOG_COSH.describe}，learning_rate=0.1、beta1=0.8、beta2=0.99、eps=0.1 连续迭代 60 步，t = 1, 2, …",
               learning_rate=0.1, beta1=0.8, beta2=0.99, eps=0.1)


@graded("x 可以是任意形状的数组：0 维、(1,)、(2, 3)，逐元素计算，返回的形状与输入相同", points=0.5)
def test_shapes(student, rng):
    x, m, grad = rng.normal(size=(3, 6))
    v = rng.uniform(0.1, 1.0, size=6)
    expect_shape_generic(student, GRADE_ID, ("x_new", "m_new", "v_new"), [x, m, v, grad], (3,), {},
                         "adam_step(x, m, v, grad, t=3)")


@graded("不修改传入的 x、m、v 和 grad", points=0.5)
def test_inputs_unchanged(student, rng):
    x, m, grad = rng.normal(size=(3, 4))
    v = rng.uniform(0.1, 1.0, size=4)
    expect_unchanged(student, GRADE_ID, {"x": x, "m": m, "v": v, "grad": grad},
                     lambda kept: ((kept["x"], kept["m"], kept["v"], kept["grad"], 2), {}),
                     "adam_step(x, m, v, grad, t=2)",
                     "原地（in-place）运算（例如 m *= beta1、x -= ...）会改掉调用者手里的数组。")
