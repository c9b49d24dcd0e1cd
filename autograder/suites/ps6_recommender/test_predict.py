"""predict(U, V, users, items) = np.sum(U[users] * V[items], axis=1), shape (m,); ids may repeat."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import as_array, describe_type, expect_array, fail, graded
from autograder.testkit.tolerances import SAME_FORMULA
from .common import ref, MUTATES_INPUT, rating_data

GRADE_ID = "predict"
HINT = formula("第 k 个预测是用户 users[k] 的向量与电影 items[k] 的向量的点积：np.sum(U[users] * V[items], axis=1)。"
        "检查：用户用 U、电影用 V（不要弄反）；对每一行（axis=1）求和，不是对全部元素或 axis=0；"
        "重复出现的编号每次都要预测一次。")


@graded("在随机的 U、V 和有重复编号的评分上，预测等于每一对向量的点积（用户数 ≠ 电影数，秩 3 和 5）", points=1)
def test_matches_reference(student, rng):
    for n_users, n_items, m, rank in ((7, 4, 15, 3), (3, 9, 20, 5)):
        U, V, users, items, _ = rating_data(rng, n_users, n_items, m, rank)
        expect_array(student.call(GRADE_ID, U, V, users, items), ref.predict(U, V, users, items),
                     f"predict(U, V, users, items)（{n_users} 位用户、{n_items} 部电影、秩 {rank}、{m} 个有重复编号的评分）",
                     **SAME_FORMULA, hint=HINT)


@graded("返回形状为 (m,) 的浮点数组：只有 1 个评分、秩为 1、有 200 个评分时都一样", points=0.5)
def test_shapes(student, rng):
    for n_users, n_items, m, rank in ((2, 3, 1, 2), (4, 3, 6, 1), (10, 12, 200, 3)):
        U, V, users, items, _ = rating_data(rng, n_users, n_items, m, rank, unique=m <= 2)
        what = f"predict(U, V, users, items)（{m} 个评分、秩 {rank}）"
        result = student.call(GRADE_ID, U, V, users, items)
        if not isinstance(result, np.ndarray) or result.dtype.kind != "f" or result.shape != (m,):
            fail(f"{what} 应返回形状为 ({m},) 的浮点 NumPy 数组（每个评分一个数），你返回的是{describe_type(result)}。",
                 diagnosis=("not_an_array", "predict 要返回 NumPy 数组，你返回的是列表（list）或元组。")
                 if isinstance(result, (list, tuple)) else None)
        expect_array(result, ref.predict(U, V, users, items), what, **SAME_FORMULA, hint=HINT)


@graded("编号是 int32 数组时也正确；不修改传入的 U、V、users、items", points=0.5)
def test_int32_and_unchanged(student, rng):
    U, V, users, items, _ = rating_data(rng, 5, 6, 12, 3)
    users32, items32 = users.astype(np.int32), items.astype(np.int32)
    expect_array(student.call(GRADE_ID, U, V, users32, items32), ref.predict(U, V, users, items),
                 "predict(U, V, users, items)（编号是 int32 数组）",
                 **SAME_FORMULA, hint="编号可以是任何整数类型的数组，直接用它们做索引即可。" + HINT)
    kept = [student.put(a) for a in (U, V, users32, items32)]
    student.call(GRADE_ID, *kept)
    for name, ref_value, original in zip(("U", "V", "users", "items"), kept, (U, V, users32, items32)):
        if not np.array_equal(as_array(student.get(ref_value), f"调用之后的 {name}"), original):
            fail(f"调用 predict(U, V, users, items) 之后，传入的 {name} 被改变了。预测只需要读取它们："
                 "不要对它们做原地（in-place）运算（例如 *=、+=）。", diagnosis=MUTATES_INPUT)
