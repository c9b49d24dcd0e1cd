"""conv2d_kernel_gradient(image, dout): dL/dkernel for L = sum(conv2d(image, kernel) * dout),
shape (H - dout.shape[0] + 1, W - dout.shape[1] + 1), against torch autograd through
torch.nn.functional.conv2d in float64. The notebook shows it is conv2d(image, dout): conv2d is
a HELPER, so a wrong conv2d costs points on conv2d only."""
from autograder.course.hints import formula
from autograder.testkit.checks import expect_array, graded
from autograder.testkit.tolerances import AUTOGRAD
from .common import call, expect_float64_array, named_by_models, torch_kernel_gradient, unchanged

GRADE_ID = "conv2d_kernel_gradient"
HELPERS = ("conv2d",)
HINT = formula("∂L/∂kernel[a, b] = Σ_ij dout[i, j] · image[i + a, j + b]：卷积核的每个元素在每个输出位置都用了一次，"
        "各位置的贡献要加起来（不是平均）。这正是 conv2d(image, dout)（不翻转）。")
SHAPE_HINT = formula("卷积核（也就是梯度）的形状是 (H − dout.shape[0] + 1, W − dout.shape[1] + 1)：高和宽分开算；"
              "参数顺序是 (image, dout)。")


def check(student, image, dout, hint):
    what = f"conv2d_kernel_gradient(形状为 {image.shape} 的图像, 形状为 {dout.shape} 的 dout)"
    expect_array(call(student, what, GRADE_ID, image, dout, hint=hint), torch_kernel_gradient(image, dout),
                 f"{what}（与 torch 自动微分比较）", **AUTOGRAD, hint=hint)


@graded("正方形的图像和卷积核：与 torch 自动微分（通过 F.conv2d）求出的卷积核梯度一致", points=1.5)
def test_square(student, rng):
    for size, k in ((6, 3), (5, 2), (4, 4), (5, 1)):
        out = size - k + 1
        check(student, rng.normal(size=(size, size)), rng.normal(size=(out, out)), HINT)


@graded("长方形的图像和卷积核：形状为 (H − dout 高 + 1, W − dout 宽 + 1)，结果与 torch 一致", points=1)
def test_rectangular(student, rng):
    for image_shape, kernel_shape in (((5, 8), (2, 4)), ((7, 4), (3, 1)), ((4, 6), (4, 2)), ((6, 5), (1, 3))):
        dout_shape = (image_shape[0] - kernel_shape[0] + 1, image_shape[1] - kernel_shape[1] + 1)
        check(student, rng.normal(size=image_shape), rng.normal(size=dout_shape), SHAPE_HINT + HINT)


@graded("返回 float64 数组，不修改传入的图像和 dout", points=0.5)
def test_types_and_inputs(student, rng):
    image, dout = rng.normal(size=(5, 6)), rng.normal(size=(3, 5))
    kept_image, kept_dout = student.put(image), student.put(dout)
    with named_by_models(GRADE_ID, image, dout) as seen:
        result = seen(call(student, "conv2d_kernel_gradient(形状为 (5, 6) 的图像, 形状为 (3, 5) 的 dout)", GRADE_ID,
                           kept_image, kept_dout))
        expect_float64_array(result, (3, 2), "conv2d_kernel_gradient(形状为 (5, 6) 的图像, 形状为 (3, 5) 的 dout)",
                             hint=SHAPE_HINT)
    hint = "不要原地（in-place）修改图像或 dout。"
    unchanged(student, kept_image, image, "调用 conv2d_kernel_gradient(image, dout) 之后，传入的图像 ", hint)
    unchanged(student, kept_dout, dout, "调用 conv2d_kernel_gradient(image, dout) 之后，传入的 dout ", hint)
