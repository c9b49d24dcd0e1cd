"""train_linear_regression(X, y, learning_rate=0.01, max_iterations=1000) -> (w, b, history).

From w = b = 0.0, iteration i computes the loss and the gradient at the current (w, b), updates
both with that gradient, and appends {"iteration": i, "loss": loss before, "w": w after, "b": b
after}; exactly max_iterations entries. Compared with the reference and, for the update rule,
with gradient descent driven by torch autograd.

train_linear_regression may call linear_model, mse_loss and gradient_mse: it is judged alone
(HELPERS), so a mistake in those costs points on those functions only."""
import numpy as np

from autograder.testkit.checks import as_array, expect_array, fail, graded, is_close
from autograder.testkit.public import Public
from autograder.testkit.tolerances import DESCENT
from .common import (ref, article_data, article_data_code, autograd_descent, history_columns, noisy_line,
                     unpack_training)

GRADE_ID = "train_linear_regression"
PUBLIC = [Public(before=article_data_code)]   # the notebook's data first, as its cells made it
HELPERS = ("linear_model", "mse_loss", "gradient_mse")


def train(student, X, y, *args, **kwargs):
    return student.call(GRADE_ID, X, y, *args, **kwargs)


def expect_parameters(result, X, y, what, *args, **kwargs):
    w, b, _ = unpack_training(result, what)
    expected_w, expected_b, _ = ref.train_linear_regression(X, y, *args, **kwargs)
    expect_array(np.array([w, b]), np.array([expected_w, expected_b]), f"{what} 返回的 (w, b)", **DESCENT)


@graded("在原文的数据上用默认参数训练，得到的 w、b 正确", points=1)
def test_article_data(student):
    X, y = article_data()

    expect_parameters(train(student, X, y), X, y, "train_linear_regression(X, y)（原文的 100 个样本，默认参数）")


@graded("使用传入的 learning_rate 和 max_iterations（随机数据，按位置或按名字传入）", points=0.5)
def test_learning_rate_and_iterations(student, rng):
    X, y = noisy_line(rng, 20, w=-1.2, b=2.5)

    expect_parameters(train(student, X, y, 0.05, 200), X, y,
                      "train_linear_regression(X, y, 0.05, 200)（随机的 20 个样本）", 0.05, 200)
    expect_parameters(train(student, X, y, learning_rate=0.002, max_iterations=30), X, y,
                      "train_linear_regression(X, y, learning_rate=0.002, max_iterations=30)（同样的数据）",
                      learning_rate=0.002, max_iterations=30)


@graded("只有一个样本（n = 1）或只有几个样本时也正确", points=0.5)
def test_small_data(student, rng):
    X1 = rng.uniform(0.5, 1.5, size=(1, 1))
    y1 = rng.uniform(1.0, 3.0, size=(1, 1))
    X7, y7 = noisy_line(rng, 7, w=0.8, b=-1.7)

    expect_parameters(train(student, X1, y1, learning_rate=0.05, max_iterations=40), X1, y1,
                      "train_linear_regression(X, y, learning_rate=0.05, max_iterations=40)（只有 1 个样本）",
                      learning_rate=0.05, max_iterations=40)
    expect_parameters(train(student, X7, y7, max_iterations=100), X7, y7,
                      "train_linear_regression(X, y, max_iterations=100)（随机的 7 个样本）", max_iterations=100)


@graded("history 恰好有 max_iterations 条记录，iteration 从 0 编号，w、b 是每次更新后的值", points=1)
def test_history(student, rng):
    X, y = noisy_line(rng, 10, w=1.6, b=0.9)

    what = "train_linear_regression(X, y, learning_rate=0.03, max_iterations=25)"
    w, b, history = unpack_training(train(student, X, y, learning_rate=0.03, max_iterations=25), what)
    columns = history_columns(history, what, 25)
    if not np.array_equal(columns["iteration"], np.arange(25)):
        fail(f"{what} 的 history 里 'iteration' 应依次为 0, 1, 2, …, 24（从 0 开始编号，每次迭代加 1），"
             f"你的是 {', '.join(f'{v:g}' for v in columns['iteration'][:4])}, …。")
    _, _, expected = ref.train_linear_regression(X, y, learning_rate=0.03, max_iterations=25)
    for key in ("w", "b"):
        expect_array(columns[key], [record[key] for record in expected],
                     f"{what} 的 history 里各条记录的 {key!r}（第 i 条是第 i 次更新之后的值）", **DESCENT)
    if not is_close(np.array([w, b]), np.array([columns["w"][-1], columns["b"][-1]]), **DESCENT):
        fail(f"{what} 返回的 (w, b) = ({w:.12g}, {b:.12g}) 应与 history 最后一条记录的 w、b 相同，"
             f"那里是 ({columns['w'][-1]:.12g}, {columns['b'][-1]:.12g})。")
    _, _, short = unpack_training(train(student, X, y, max_iterations=3), "train_linear_regression(X, y, max_iterations=3)")
    history_columns(short, "train_linear_regression(X, y, max_iterations=3)", 3)


@graded("history 里的 loss 是每次更新之前（在当前 w、b 处）的均方误差", points=0.5)
def test_loss_before_update(student, rng):
    X, y = noisy_line(rng, 15, w=-0.9, b=1.4)

    what = "train_linear_regression(X, y, learning_rate=0.02, max_iterations=20)"
    _, _, history = unpack_training(train(student, X, y, learning_rate=0.02, max_iterations=20), what)
    columns = history_columns(history, what, 20)
    _, _, expected = ref.train_linear_regression(X, y, learning_rate=0.02, max_iterations=20)
    expect_array(columns["loss"], [record["loss"] for record in expected],
                 f"{what} 的 history 里各条记录的 'loss'（第 i 条是第 i 次更新之前的损失）", **DESCENT)


@graded("每一步都沿 torch 自动微分给出的负梯度方向同时更新 w 和 b", points=1)
def test_update_rule_autograd(student, rng):
    X, y = noisy_line(rng, 6, w=2.2, b=-1.1)
    path = autograd_descent(X, y, 0.1, 10)

    for steps in (1, 2, 10):
        what = f"train_linear_regression(X, y, learning_rate=0.1, max_iterations={steps})"
        w, b, _ = unpack_training(train(student, X, y, learning_rate=0.1, max_iterations=steps), what)
        expect_array(np.array([w, b]), np.array(path[steps - 1]),
                     f"{what} 返回的 (w, b)（与用 torch 自动微分的梯度一步步下降的结果比较）", **DESCENT)


@graded("不修改传入的 X 和 y", points=0.5)
def test_data_unchanged(student, rng):
    X, y = noisy_line(rng, 12, w=1.3, b=0.6)

    kept_X, kept_y = student.put(X), student.put(y)
    student.call(GRADE_ID, kept_X, kept_y, learning_rate=0.05, max_iterations=15)
    for name, kept, original in (("X", kept_X, X), ("y", kept_y, y)):
        if not np.array_equal(as_array(student.get(kept), f"调用之后的 {name}"), original):
            fail(f"调用 train_linear_regression(X, y, learning_rate=0.05, max_iterations=15) 之后，传入的 {name} "
                 "被改变了。",
                 diagnosis=("mutates_input", "你原地（in-place）修改了传入的 X 或 y（例如 -=、*=，或者给 .shape 赋值）："
                                             "调用者的数据被改掉了。训练只应更新 w 和 b；需要变形时用 reshape "
                                             "得到一个新数组。"))
