"""relu(z) = np.maximum(z, 0), element by element, any shape; z left unchanged."""
from autograder.course.hints import formula
from autograder.testkit.checks import expect_array, graded
from autograder.testkit.tolerances import SAME_FORMULA
from .common import ref, call, expect_float64_array, named_by_models, unchanged

GRADE_ID = "relu"
HINT = formula("ReLU 逐元素取 max(z, 0)：写 np.maximum(z, 0)（不是 np.max，它求的是最大值，会把数组压扁）。")


@graded("对一维、二维、三维的随机数组逐元素计算 max(z, 0)", points=0.5)
def test_matches_reference(student, rng):
    for shape in ((7,), (4, 5), (2, 3, 4)):
        z = rng.normal(size=shape)
        what = f"relu(形状为 {shape} 的随机数组)"
        expect_array(call(student, what, GRADE_ID, z), ref.relu(z), what, **SAME_FORMULA, hint=HINT)


@graded("返回形状相同的 float64 新数组，不修改传入的 z", points=0.5)
def test_new_array(student, rng):
    z = rng.normal(size=(3, 6))
    z[0, :2] = 0.0
    kept = student.put(z)
    with named_by_models(GRADE_ID, z) as seen:
        result = seen(call(student, "relu(形状为 (3, 6) 的数组)", GRADE_ID, kept))
        expect_float64_array(result, z.shape, "relu(形状为 (3, 6) 的 float64 数组)", hint=HINT)
        expect_array(result, ref.relu(z), "relu(形状为 (3, 6) 的数组)", **SAME_FORMULA, hint=HINT)
    unchanged(student, kept, z, "调用 relu(z) 之后，传入的 z ",
              "不要写 z[z < 0] = 0 这样的原地（in-place）赋值：return np.maximum(z, 0) 会生成新数组。")
