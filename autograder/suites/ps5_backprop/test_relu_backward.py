"""relu_backward(dout, z) = dout * (z > 0): the gradient of relu by torch autograd, 0 at z = 0."""
from autograder.course.hints import formula
from autograder.testkit.checks import expect_array, graded
from autograder.testkit.tolerances import AUTOGRAD
from .common import call, expect_float64_array, named_by_models, torch_relu_backward, unchanged

GRADE_ID = "relu_backward"
HINT = formula("ReLU 的反向传播是 dout * (z > 0)：z > 0 的位置原样传回 dout（包括负的 dout），其余位置为 0。"
        "闸门由前向传播的输入 z 决定，不由 dout 决定；参数顺序是 (dout, z)。")


@graded("与 torch 自动微分（torch.relu 的反向传播）一致：随机的 dout 和 z，各种形状", points=1)
def test_matches_autograd(student, rng):
    for shape in ((6,), (4, 5), (2, 3, 2)):
        dout, z = rng.normal(size=shape), rng.normal(size=shape)
        what = f"relu_backward(dout, z)（形状为 {shape} 的随机数组）"
        expect_array(call(student, what, GRADE_ID, dout, z), torch_relu_backward(dout, z), what, **AUTOGRAD, hint=HINT)


@graded("z 恰好为 0 的位置梯度为 0（与 PyTorch 一致）", points=0.5)
def test_zero(student, rng):
    z = rng.normal(size=(3, 4))
    z[0, 0] = z[1, 2] = z[2, 3] = 0.0
    z[:, 1] = 0.0
    dout = rng.normal(size=(3, 4)) + 2.0
    what = "relu_backward(dout, z)（z 的一些元素恰好为 0）"
    expect_array(call(student, what, GRADE_ID, dout, z), torch_relu_backward(dout, z), what, **AUTOGRAD,
                 hint=formula("ReLU 在 0 处的导数约定为 0（PyTorch 也是这样）：条件要写 z > 0，不是 z >= 0。"))


@graded("返回形状相同的 float64 数组，不修改 dout 和 z", points=0.5)
def test_inputs_unchanged(student, rng):
    dout, z = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    kept_dout, kept_z = student.put(dout), student.put(z)
    with named_by_models(GRADE_ID, dout, z) as seen:
        result = seen(call(student, "relu_backward(dout, z)（形状为 (4, 3)）", GRADE_ID, kept_dout, kept_z))
        expect_float64_array(result, (4, 3), "relu_backward(形状为 (4, 3) 的 dout, z)",
                             hint=formula("dout * (z > 0) 的结果是 float64：布尔数组和 float64 相乘会得到 float64。"))
        expect_array(result, torch_relu_backward(dout, z), "relu_backward(dout, z)", **AUTOGRAD, hint=HINT)
    hint = formula("不要写 dout[z <= 0] = 0 这样的原地（in-place）赋值：return dout * (z > 0) 会生成新数组。")
    unchanged(student, kept_dout, dout, "调用 relu_backward(dout, z) 之后，传入的 dout ", hint)
    unchanged(student, kept_z, z, "调用 relu_backward(dout, z) 之后，传入的 z ", hint)
