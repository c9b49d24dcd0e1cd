"""mf_gradients(U, V, users, items, ratings, reg) -> (dU, dV): the exact gradient of mf_loss,
compared with torch autograd in float64 (through indexing, with repeated ids).

mf_gradients may call predict: it is judged alone (HELPERS)."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import as_array, describe_type, expect_array, fail, graded, is_close
from autograder.testkit.tolerances import AUTOGRAD
from .common import ref, MUTATES_INPUT, array_of_shape, autograd_mf_gradients, has_repeats, rating_data, unpack
from .mistakes import LOST_REPEATS

GRADE_ID = "mf_gradients"
HELPERS = ("predict",)
HINT = formula("dU[u] = (2/m)·Σ_{k: users[k] = u} e_k·V[items[k]] + 2·reg·U[u]，其中 e = predict(U, V, users, items) − ratings、"
        "m = len(ratings)；dV 把 U 和 V 的角色对调：dV[i] = (2/m)·Σ_{k: items[k] = i} e_k·U[users[k]] + 2·reg·V[i]。"
        "检查：因子 2 和 1/m、误差的符号（预测 − 真实）、正则项的梯度 2·reg·U（不是 reg·U）、"
        "dU 里乘的是 V[items]，dV 里乘的是 U[users]。")
ADD_AT = ("有用户或电影出现了不止一次时，只有最后一个评分的贡献被算进去了（后写的覆盖了先写的）。"
          "最常见的原因：dU[users] += contrib 是“缓冲”的（Python 把它执行成 dU[users] = dU[users] + contrib，"
          "重复的编号只有最后一次写入留下来）；或者在循环里用 = 赋值而不是 += 累加。"
          "请用 np.add.at(dU, users, contrib)（不缓冲，重复几次就加几次），或者用 for 循环逐个 +=；dV 同理。")


def buffered(U, V, users, items, ratings, reg):
    """The classic mistake: dU[users] += ..., which keeps only the last rating of a repeated id."""
    errors = ref.predict(U, V, users, items) - ratings
    scale = 2 * errors[:, None] / len(ratings)
    dU, dV = 2 * reg * U, 2 * reg * V
    dU[users] += scale * V[items]
    dV[items] += scale * U[users]
    return dU, dV


def read(result, U, V, what):
    dU, dV = unpack(result, 2, "(dU, dV)", what)
    return array_of_shape(dU, U.shape, f"{what} 返回的 dU"), array_of_shape(dV, V.shape, f"{what} 返回的 dV")


def check(student, U, V, users, items, ratings, reg, what, hint=HINT):
    dU, dV = read(student.call(GRADE_ID, U, V, users, items, ratings, reg), U, V, what)
    expected = autograd_mf_gradients(U, V, users, items, ratings, reg)
    mistake = buffered(U, V, users, items, ratings, reg)
    for name, got, right, wrong in zip(("dU", "dV"), (dU, dV), expected, mistake):
        if not is_close(got, right, **AUTOGRAD):
            if not np.allclose(right, wrong) and is_close(got, wrong, **AUTOGRAD):
                fail(f"{what} 返回的 {name} 与 torch 自动微分的梯度不一致。{ADD_AT}", diagnosis=("lost_repeats", LOST_REPEATS))
        expect_array(got, right, f"{what} 返回的 {name}", **AUTOGRAD,
                     mismatch="与 torch 自动微分求出的梯度不一致。", hint=hint)


@graded("没有重复编号时，dU、dV 与 torch 自动微分求出的梯度一致", points=1)
def test_unique_ids(student, rng):
    for n_users, n_items, m, rank, reg in ((6, 7, 5, 3, 0.05), (9, 6, 6, 2, 0.0)):
        U, V, users, items, ratings = rating_data(rng, n_users, n_items, m, rank, unique=True)
        check(student, U, V, users, items, ratings, reg,
              f"mf_gradients(U, V, users, items, ratings, reg={reg})（{m} 个评分，每位用户、每部电影最多出现一次）")


@graded("同一位用户、同一部电影出现多次时，每个评分的贡献都累加上（与 torch 自动微分一致）", points=2)
def test_repeated_ids(student, rng):
    for n_users, n_items, m, rank, reg in ((4, 5, 20, 3, 0.05), (3, 3, 12, 2, 0.0), (10, 8, 60, 4, 0.02)):
        U, V, users, items, ratings = rating_data(rng, n_users, n_items, m, rank)
        assert has_repeats(users) and has_repeats(items)
        check(student, U, V, users, items, ratings, reg,
              f"mf_gradients(U, V, users, items, ratings, reg={reg})（{n_users} 位用户、{n_items} 部电影、"
              f"{m} 个评分，编号有重复）", hint=HINT + "同一个编号出现几次就要累加几次：" + ADD_AT)


@graded("没有任何评分的用户和电影，梯度只有正则项 2·reg·U（或 2·reg·V）（编号不重复）", points=0.5)
def test_unrated_rows(student, rng):
    U, V, _, _, ratings = rating_data(rng, 8, 7, 3, 3, unique=True)
    users, items = rng.permutation(3), rng.permutation(3)    # users 3-7 and items 3-6 have no rating
    check(student, U, V, users, items, ratings, 0.2,
          "mf_gradients(U, V, users, items, ratings, reg=0.2)（8 位用户、7 部电影，3 个评分只来自用户 0–2、电影 0–2）",
          hint="正则项对 U、V 的每一行都有梯度，没有评分的行也不例外。")


@graded("返回 (dU, dV) 两个数组，形状分别与 U、V 相同（秩 1 和秩 4，用户数 ≠ 电影数，编号不重复）", points=0.5)
def test_shapes(student, rng):
    for n_users, n_items, m, rank in ((5, 3, 3, 1), (3, 6, 3, 4)):
        U, V, users, items, ratings = rating_data(rng, n_users, n_items, m, rank, unique=True)
        what = f"mf_gradients(U, V, users, items, ratings, 0.1)（U 的形状 {U.shape}，V 的形状 {V.shape}）"
        result = student.call(GRADE_ID, U, V, users, items, ratings, 0.1)
        dU, dV = unpack(result, 2, "(dU, dV)", what)
        for name, value, shape in (("dU", dU, U.shape), ("dV", dV, V.shape)):
            if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
                fail(f"{what} 返回的 {name} 应是形状为 {shape} 的浮点数组（与 {name[1]} 相同），"
                     f"你返回的是{describe_type(value)}。")
        check(student, U, V, users, items, ratings, 0.1, what)


@graded("只有一个评分时也正确", points=0.5)
def test_single_rating(student, rng):
    U, V, users, items, ratings = rating_data(rng, 3, 4, 1, 2, unique=True)
    check(student, U, V, users, items, ratings, 0.05,
          "mf_gradients(U, V, users, items, ratings, 0.05)（只有 1 个评分，m = 1）",
          hint="m = len(ratings) 是评分的个数（这里是 1），不是用户数或电影数。" + HINT)


@graded("不修改传入的 U、V、users、items、ratings", points=0.5)
def test_inputs_unchanged(student, rng):
    U, V, users, items, ratings = rating_data(rng, 5, 4, 14, 3)
    kept = [student.put(a) for a in (U, V, users, items, ratings)]
    student.call(GRADE_ID, *kept, 0.1)
    for name, kept_value, original in zip(("U", "V", "users", "items", "ratings"), kept, (U, V, users, items, ratings)):
        if not np.array_equal(as_array(student.get(kept_value), f"调用之后的 {name}"), original):
            fail(f"调用 mf_gradients 之后，传入的 {name} 被改变了。", diagnosis=MUTATES_INPUT)
