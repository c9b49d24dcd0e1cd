"""f(x) = x**2, on floats and arrays."""
import numpy as np

from autograder.checks import expect_array, expect_number, graded
from autograder.tolerances import SAME_FORMULA

GRADE_ID = "f"


@graded("公开测试（notebook 里的自测）全部通过", points=0.5)
def test_public(student, assignment):
    student.run_public(assignment.public_check(GRADE_ID))


@graded("在数组上逐元素计算 x²", points=0.5)
def test_array(student, rng):
    x = rng.uniform(-5, 5, size=7)
    expect_array(student.call("f", x), x**2, "f(数组)", **SAME_FORMULA)
