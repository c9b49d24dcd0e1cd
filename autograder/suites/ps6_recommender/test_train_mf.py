"""train_mf(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0)
-> (U, V, history): from init_factors(n_users, n_items, rank, seed), full-batch gradient descent,
history the loss before each update. Compared with the reference and, for the update rule, with
gradient descent driven by torch autograd.

train_mf calls mf_loss and mf_gradients (and maybe predict): it is judged alone (HELPERS), so a
mistake in those costs points there only. Epochs stay few: with the stand-ins every call of a
helper is a round trip to the trusted side."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import as_array, expect_array, fail, graded, is_close
from autograder.testkit.tolerances import DESCENT
from .common import ref, MUTATES_INPUT, array_of_shape, autograd_descent, number_list, rating_data, unpack
from .mistakes import HISTORY_AFTER

GRADE_ID = "train_mf"
HELPERS = ("predict", "mf_loss", "mf_gradients")
HINT = formula("检查：U, V = init_factors(n_users, n_items, rank, seed)（参数的顺序，用传入的 rank 和 seed）；"
        "每一步先把当前的 mf_loss(U, V, users, items, ratings, reg) 追加到 history，再算梯度，"
        "然后 U = U − learning_rate·dU、V = V − learning_rate·dV（两个都用这一步算出的梯度）；"
        "恰好 epochs 步；使用传入的 learning_rate、reg，不要写死。")


def data(rng, n_users=6, n_items=5, m=16):
    _, _, users, items, ratings = rating_data(rng, n_users, n_items, m, 1)
    return users, items, ratings, n_users, n_items


def call_text(kwargs) -> str:
    return "train_mf(users, items, ratings, n_users, n_items" + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")"


def run(student, users, items, ratings, n_users, n_items, **kwargs):
    what = call_text(kwargs)
    U, V, history = unpack(student.call(GRADE_ID, users, items, ratings, n_users, n_items, **kwargs), 3,
                           "(U, V, history)", what)
    rank = kwargs.get("rank", 3)
    U = array_of_shape(U, (n_users, rank), f"{what} 返回的 U")
    V = array_of_shape(V, (n_items, rank), f"{what} 返回的 V")
    return U, V, number_list(history, f"{what} 返回的 history"), what


def expect_history(history, expected, what):
    if len(history) != len(expected):
        fail(f"{what} 的 history 应恰好有 epochs = {len(expected)} 个损失值（每步一个，更新之前记录），"
             f"你的 history 有 {len(history)} 个。")
    if len(expected) > 1 and is_close(history[:-1], expected[1:], **DESCENT):
        fail(f"{what} 的 history 整体错开了一步：你记录的是每次更新**之后**的损失。"
             "每一步要先把当前（更新之前）的损失追加到 history，再算梯度、更新 U 和 V；history[0] 是初值处的损失。",
             diagnosis=("history_after_update", HISTORY_AFTER))
    if not is_close(history[0], expected[0], **DESCENT):
        fail(f"{what} 的 history[0] 应是初值处、第一次更新之前的损失。" + HINT)
    for k in range(1, len(expected)):
        if not is_close(history[k], expected[k], **DESCENT):
            fail(f"{what} 的 history[0] 正确，但 history[{k}] 与正确结果不一致：history[k] 应是第 k 次更新之前"
                 "（也就是第 k − 1 次更新之后）的损失。" + HINT)


@graded("history 恰好有 epochs 个值，依次是每次更新之前的损失", points=1)
def test_history(student, rng):
    users, items, ratings, n_users, n_items = data(rng)
    kwargs = dict(rank=2, learning_rate=0.4, epochs=12, reg=0.02, seed=3)
    _, _, history, what = run(student, users, items, ratings, n_users, n_items, **kwargs)
    expect_history(history, ref.train_mf(users, items, ratings, n_users, n_items, **kwargs)[2], what)


@graded("返回的 U、V 是最后一次更新之后的值（两组随机数据与超参数）", points=1)
def test_factors(student, rng):
    for sizes, kwargs in (((6, 5, 16), dict(rank=2, learning_rate=0.5, epochs=10, reg=0.01, seed=1)),
                          ((4, 7, 20), dict(rank=3, learning_rate=0.8, epochs=6, reg=0.05, seed=2))):
        users, items, ratings, n_users, n_items = data(rng, *sizes)
        U, V, _, what = run(student, users, items, ratings, n_users, n_items, **kwargs)
        expected_U, expected_V, _ = ref.train_mf(users, items, ratings, n_users, n_items, **kwargs)
        expect_array(U, expected_U, f"{what} 返回的 U", **DESCENT, hint=HINT)
        expect_array(V, expected_V, f"{what} 返回的 V", **DESCENT, hint=HINT)


@graded("从 init_factors(n_users, n_items, rank, seed) 出发：用传入的 rank 和 seed", points=0.5)
def test_initialisation(student, rng):
    users, items, ratings, n_users, n_items = data(rng, 5, 4, 12)
    hint = formula("一步之后的 U、V 不对，而每一步的更新规则另有测试：检查初值 U, V = init_factors(n_users, n_items, rank, seed)"
            "——参数的顺序是 (n_users, n_items, rank, seed)，用传入的 rank 和 seed（不要写死 seed=0 或 rank=3）。")
    for kwargs in (dict(rank=4, epochs=1, seed=7), dict(rank=1, epochs=1, seed=0), dict(rank=2, epochs=1, seed=11)):
        U, V, _, what = run(student, users, items, ratings, n_users, n_items, **kwargs)
        expected_U, expected_V, _ = ref.train_mf(users, items, ratings, n_users, n_items, **kwargs)
        expect_array(U, expected_U, f"{what} 返回的 U", **DESCENT, hint=hint)
        expect_array(V, expected_V, f"{what} 返回的 V", **DESCENT, hint=hint)


@graded("每一步都沿 torch 自动微分给出的负梯度方向同时更新 U 和 V", points=0.5)
def test_update_rule_autograd(student, rng):
    users, items, ratings, n_users, n_items = data(rng, 5, 6, 15)
    path = autograd_descent(users, items, ratings, n_users, n_items, 2, 0.6, 3, 0.03, 4)
    for epochs in (1, 3):
        U, V, _, what = run(student, users, items, ratings, n_users, n_items, rank=2, learning_rate=0.6,
                            epochs=epochs, reg=0.03, seed=4)
        hint = formula("每一步：U = U − learning_rate·dU、V = V − learning_rate·dV，dU、dV 都是在更新之前的 (U, V) 处算出的梯度"
                "（不要先更新 U，再用新的 U 去算 dV）；减号，不是加号。")
        expect_array(U, path[epochs - 1][0], f"{what} 返回的 U（与用 torch 自动微分的梯度一步步下降的结果比较）",
                     **DESCENT, hint=hint)
        expect_array(V, path[epochs - 1][1], f"{what} 返回的 V（与用 torch 自动微分的梯度一步步下降的结果比较）",
                     **DESCENT, hint=hint)


@graded("默认参数 rank=3、learning_rate=0.05、reg=0.01、seed=0（只给出 epochs）", points=0.5)
def test_defaults(student, rng):
    # epochs=500 is checked by the public check (a look at the signature): 500 epochs here would be
    # a thousand round trips to the trusted helpers.
    users, items, ratings, n_users, n_items = data(rng, 4, 3, 9)
    U, V, _, what = run(student, users, items, ratings, n_users, n_items, epochs=8)
    expected_U, expected_V, _ = ref.train_mf(users, items, ratings, n_users, n_items, epochs=8)
    hint = "默认参数应是 rank=3、learning_rate=0.05、epochs=500、reg=0.01、seed=0，和题目给出的签名一模一样。"
    what += "（其余参数用默认值）"
    expect_array(U, expected_U, f"{what} 返回的 U", **DESCENT, hint=hint)
    expect_array(V, expected_V, f"{what} 返回的 V", **DESCENT, hint=hint)


@graded("不修改传入的 users、items、ratings", points=0.5)
def test_data_unchanged(student, rng):
    users, items, ratings, n_users, n_items = data(rng, 5, 5, 14)
    kept = [student.put(a) for a in (users, items, ratings)]
    student.call(GRADE_ID, *kept, n_users, n_items, rank=2, learning_rate=0.3, epochs=4)
    for name, kept_value, original in zip(("users", "items", "ratings"), kept, (users, items, ratings)):
        if not np.array_equal(as_array(student.get(kept_value), f"调用之后的 {name}"), original):
            fail(f"调用 train_mf 之后，传入的 {name} 被改变了。训练只应更新 U 和 V，不要对数据做原地（in-place）运算。",
                 diagnosis=MUTATES_INPUT)
