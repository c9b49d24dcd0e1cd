"""f(x) = x², on numbers and arrays."""
from autograder.testkit.checks import expect_array, expect_number, graded
from autograder.testkit.tolerances import SAME_FORMULA

GRADE_ID = "f"


@graded("对数和数组都逐元素计算 x²", points=1)
def test_numbers_and_arrays(student, rng):
    for x in [0.0, -3.5, 1e3, 7]:
        expect_number(student.call("f", x), x**2, f"f({x})", **SAME_FORMULA)
    x = rng.uniform(-5, 5, size=(3, 4))
    expect_array(student.call("f", x), x**2, "f(一个 3×4 的随机数组)", **SAME_FORMULA)
