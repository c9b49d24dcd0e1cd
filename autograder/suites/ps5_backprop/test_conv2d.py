"""conv2d(image, kernel): the "valid" 2-D cross-correlation torch.nn.functional.conv2d computes,
shape (H - kh + 1, W - kw + 1), out[i, j] = sum(image[i:i+kh, j:j+kw] * kernel)."""
from autograder.course.hints import formula
from autograder.testkit.checks import expect_array, graded
from autograder.testkit.tolerances import AUTOGRAD, SAME_FORMULA
from .common import ref, call, expect_float64_array, named_by_models, torch_conv2d, unchanged

GRADE_ID = "conv2d"
HINT = formula("out[i, j] = np.sum(image[i:i+kh, j:j+kw] * kernel)：对应位置相乘再求和（不是矩阵乘法 @），"
        "卷积核不翻转（torch.nn.functional.conv2d 也不翻转），i 取 0 … H − kh，j 取 0 … W − kw。")
SHAPE_HINT = formula("图像和卷积核都不一定是正方形：输出的形状是 (H − kh + 1, W − kw + 1)，"
              "高度方向用 image.shape[0] 和 kernel.shape[0]，宽度方向用 image.shape[1] 和 kernel.shape[1]。")


def check(student, image, kernel, hint):
    what = f"conv2d(形状为 {image.shape} 的图像, 形状为 {kernel.shape} 的卷积核)"
    result = call(student, what, GRADE_ID, image, kernel, hint=hint)
    expect_array(result, torch_conv2d(image, kernel), f"{what}（与 torch.nn.functional.conv2d 比较）", **AUTOGRAD,
                 hint=hint)
    expect_array(result, ref.conv2d(image, kernel), what, **SAME_FORMULA, hint=hint)


@graded("正方形的图像和卷积核：与 torch.nn.functional.conv2d 一致", points=1.5)
def test_square(student, rng):
    for size, k in ((6, 3), (5, 2), (4, 4), (7, 1)):
        check(student, rng.normal(size=(size, size)), rng.normal(size=(k, k)), HINT)


@graded("长方形的图像和卷积核：输出的形状和数值都与 torch 的 valid 卷积一致", points=1)
def test_rectangular(student, rng):
    # (7, 4) with (3, 1) first: a kernel assumed square, or its height and width mixed up, each give
    # their own wrong numbers there (not just an error from shapes that do not fit), which names them.
    for image_shape, kernel_shape in (((7, 4), (3, 1)), ((5, 8), (2, 4)), ((4, 6), (4, 2)), ((6, 5), (1, 3))):
        check(student, rng.normal(size=image_shape), rng.normal(size=kernel_shape), SHAPE_HINT + HINT)


@graded("返回 float64 数组，不修改传入的图像和卷积核", points=0.5)
def test_types_and_inputs(student, rng):
    image, kernel = rng.normal(size=(5, 6)), rng.normal(size=(3, 2))
    kept_image, kept_kernel = student.put(image), student.put(kernel)
    with named_by_models(GRADE_ID, image, kernel) as seen:
        result = seen(call(student, "conv2d(形状为 (5, 6) 的图像, 形状为 (3, 2) 的卷积核)", GRADE_ID, kept_image, kept_kernel))
        expect_float64_array(result, (3, 5), "conv2d(形状为 (5, 6) 的图像, 形状为 (3, 2) 的卷积核)", hint=SHAPE_HINT)
    hint = formula("不要原地（in-place）修改图像或卷积核（例如 kernel[:] = kernel[::-1, ::-1] 或 image *= ...）。")
    unchanged(student, kept_image, image, "调用 conv2d(image, kernel) 之后，传入的图像 ", hint)
    unchanged(student, kept_kernel, kernel, "调用 conv2d(image, kernel) 之后，传入的卷积核 ", hint)
