"""mf_loss(U, V, users, items, ratings, reg) = mean((predict - ratings)²) + reg (ΣU² + ΣV²), a float.

mf_loss may call predict: it is judged alone (HELPERS), so a wrong predict costs points there only."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import as_array, describe_type, expect_number, fail, graded
from autograder.testkit.tolerances import SAME_FORMULA
from .common import ref, MUTATES_INPUT, NO_RETURN, rating_data

GRADE_ID = "mf_loss"
NOT_A_FLOAT = ("not_a_float", "损失要返回一个数（Python float），不是数组或列表：keepdims=True、axis=…、[...] 都会留下数组；"
                              "用 float(np.mean(...) + ...) 转换。")
HELPERS = ("predict",)
HINT = formula("损失 = np.mean((predict(U, V, users, items) − ratings) ** 2) + reg * (np.sum(U ** 2) + np.sum(V ** 2))。"
        "检查：误差要平方再求平均（mean，不是 sum，也不开根号）；正则项是 U 和 V 所有元素的平方和，"
        "乘以 reg（不是 reg / 2，也不是范数本身）。")


@graded("在随机的 U、V 和有重复编号的评分上，与公式一致（reg = 0.05 和 reg = 0.3）", points=1)
def test_matches_reference(student, rng):
    for n_users, n_items, m, rank, reg in ((6, 5, 18, 3, 0.05), (4, 8, 25, 2, 0.3)):
        U, V, users, items, ratings = rating_data(rng, n_users, n_items, m, rank)
        expect_number(student.call(GRADE_ID, U, V, users, items, ratings, reg),
                      ref.mf_loss(U, V, users, items, ratings, reg),
                      f"mf_loss(U, V, users, items, ratings, reg={reg})（{n_users} 位用户、{n_items} 部电影、{m} 个评分）",
                      **SAME_FORMULA, hint=HINT)


@graded("reg = 0 时就是已知评分上的 MSE；正则项包括没有任何评分的用户和电影，且与 reg 成正比", points=0.5)
def test_regularisation(student, rng):
    U, V, users, items, ratings = rating_data(rng, 9, 8, 10, 3)
    users, items = users % 4, items % 3          # users 4-8 and items 3-7 have no rating at all
    what = "mf_loss(U, V, users, items, ratings, reg)（9 位用户、8 部电影，但评分只来自用户 0–3、电影 0–2）"
    expect_number(student.call(GRADE_ID, U, V, users, items, ratings, 0.0), ref.mf_loss(U, V, users, items, ratings, 0.0),
                  what.replace("reg)", "reg=0.0)"), **SAME_FORMULA,
                  hint="reg = 0 时损失就是已知评分上误差平方的平均值。")
    for reg in (0.1, 0.7):
        expect_number(student.call(GRADE_ID, U, V, users, items, ratings, reg), ref.mf_loss(U, V, users, items, ratings, reg),
                      what.replace("reg)", f"reg={reg})"), **SAME_FORMULA,
                      hint="正则项对 U、V 的每一行都算，包括没有评分的用户和电影。")


@graded("返回一个数（Python float；np.float64 也可以）；不修改传入的数组", points=0.5)
def test_float_and_unchanged(student, rng):
    U, V, users, items, ratings = rating_data(rng, 5, 4, 9, 2)
    kept = [student.put(a) for a in (U, V, users, items, ratings)]
    result = student.call(GRADE_ID, *kept, 0.1)
    if isinstance(result, (bool, np.bool_)) or not isinstance(result, float):
        fail(f"mf_loss(U, V, users, items, ratings, 0.1) 应返回一个 Python float（损失是一个单独的数），"
             f"你返回的是{describe_type(result)}。",
             diagnosis=NO_RETURN if result is None else NOT_A_FLOAT)
    expect_number(result, ref.mf_loss(U, V, users, items, ratings, 0.1), "mf_loss(U, V, users, items, ratings, 0.1)",
                  **SAME_FORMULA, hint=HINT)
    for name, kept_value, original in zip(("U", "V", "users", "items", "ratings"), kept, (U, V, users, items, ratings)):
        if not np.array_equal(as_array(student.get(kept_value), f"调用之后的 {name}"), original):
            fail(f"调用 mf_loss 之后，传入的 {name} 被改变了。计算损失只需要读取数据。", diagnosis=MUTATES_INPUT)
