"""softmax_cross_entropy(scores, y) -> (loss, dscores): the mean of -log softmax(scores)[i, y[i]]
as a float and (softmax(scores) - onehot(y)) / n, both against torch.nn.functional.cross_entropy
and its autograd gradient in float64; finite and right for scores of ±1000."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import describe_type, expect_array, expect_number, fail, graded
from autograder.testkit.tolerances import AUTOGRAD
from .common import call, expect_float64_array, named_by_models, torch_cross_entropy, unchanged

GRADE_ID = "softmax_cross_entropy"
LOSS_HINT = formula("loss 是每个样本正确类别的 -log softmax 的平均值：log_probs = shifted - log(sum(exp(shifted)))，"
             "取 log_probs[np.arange(n), y]（不是 log_probs[:, y]），再求平均（mean，不是 sum）。")
GRAD_HINT = formula("dscores = (softmax(scores) - onehot(y)) / n：正确类别的位置减 1，其余位置就是概率；"
             "最后除以样本数 n（因为 loss 是平均值）。")
STABLE_HINT = formula("每一行要减去这一行自己的最大值（np.max(scores, axis=1, keepdims=True)，不是整个数组的最大值），"
               "再用 log-sum-exp 直接算 log 概率：log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))。"
               "不要先算出概率再取 log：正确类别的概率可能下溢成 0。")


def unpack(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{what} 应返回两个值 (loss, dscores)，你返回的是{describe_type(result)}。")
    return result


def random_case(rng, n, k, spread=2.0):
    return rng.normal(0.0, spread, size=(n, k)), rng.integers(0, k, size=n)


@graded("loss 与 torch.nn.functional.cross_entropy 一致（随机分数，不同的 n 和 k）", points=1)
def test_loss_matches_torch(student, rng):
    for n, k in ((6, 4), (1, 3), (10, 2)):
        scores, y = random_case(rng, n, k)
        what = f"softmax_cross_entropy(scores, y)（n = {n} 个样本、k = {k} 个类别的随机分数）"
        loss, _ = unpack(call(student, what, GRADE_ID, scores, y), what)
        expect_number(loss, torch_cross_entropy(scores, y)[0], f"{what} 的 loss", **AUTOGRAD, hint=LOSS_HINT)


@graded("dscores 与 torch 自动微分求出的 cross_entropy 对 scores 的梯度一致", points=1)
def test_gradient_matches_torch(student, rng):
    for n, k in ((5, 3), (1, 4), (12, 2)):
        scores, y = random_case(rng, n, k)
        what = f"softmax_cross_entropy(scores, y)（n = {n}、k = {k} 的随机分数）"
        _, dscores = unpack(call(student, what, GRADE_ID, scores, y), what)
        expect_array(dscores, torch_cross_entropy(scores, y)[1], f"{what} 的 dscores", **AUTOGRAD, hint=GRAD_HINT)


@graded("数值稳定：分数为 ±1000、各行大小相差悬殊时，loss 和 dscores 有限且正确", points=1)
def test_stable(student):
    cases = [
        (np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 999.0], [0.5, -1000.0, 1000.0]]), np.array([2, 0, 1]),
         "分数为 ±1000，正确类别的分数是 -1000"),
        (np.array([[1000.0, 999.0, 998.0], [-1000.0, -999.0, -1001.0]]), np.array([2, 0]),
         "第一行的分数在 1000 附近、第二行在 -1000 附近"),
        (np.array([[-1000.0, -1000.0], [800.0, -800.0]]), np.array([1, 0]), "分数全为 -1000 的一行和 ±800 的一行"),
    ]
    for scores, y, text in cases:
        what = f"softmax_cross_entropy(scores, y)（{text}）"
        loss, dscores = unpack(call(student, what, GRADE_ID, scores, y), what)
        expected_loss, expected_grad = torch_cross_entropy(scores, y)
        expect_number(loss, expected_loss, f"{what} 的 loss", **AUTOGRAD, hint=STABLE_HINT)
        expect_array(dscores, expected_grad, f"{what} 的 dscores", **AUTOGRAD, hint=STABLE_HINT)


@graded("样本数等于类别数（n = k）时也正确：减去最大值时保持 (n, 1) 的形状", points=0.5)
def test_square(student, rng):
    scores, y = random_case(rng, 4, 4, spread=3.0)
    y = np.array([3, 0, 0, 2])
    what = "softmax_cross_entropy(scores, y)（n = k = 4 的随机分数）"
    loss, dscores = unpack(call(student, what, GRADE_ID, scores, y), what)
    expected_loss, expected_grad = torch_cross_entropy(scores, y)
    hint = formula("n = k 时，形状错误的广播不会报错，只会悄悄算错：np.max(scores, axis=1) 的形状是 (n,)，要加 keepdims=True "
            "变成 (n, 1) 才会按行相减；取正确类别要用 log_probs[np.arange(n), y]。")
    expect_number(loss, expected_loss, f"{what} 的 loss", **AUTOGRAD, hint=hint)
    expect_array(dscores, expected_grad, f"{what} 的 dscores", **AUTOGRAD, hint=hint)


@graded("loss 是一个数（float），dscores 是形状 (n, k) 的 float64 数组，不修改传入的 scores", points=0.5)
def test_types(student, rng):
    scores, y = random_case(rng, 5, 3)
    kept = student.put(scores)
    what = "softmax_cross_entropy(scores, y)（n = 5、k = 3）"
    with named_by_models(GRADE_ID, scores, y) as seen:
        loss, dscores = unpack(seen(call(student, what, GRADE_ID, kept, y)), what)
        if isinstance(loss, bool) or not isinstance(loss, float):
            fail(f"{what} 返回的 loss 应是一个 Python float（损失是一个数），你返回的是{describe_type(loss)}。")
        expect_float64_array(dscores, (5, 3), f"{what} 返回的 dscores")
    unchanged(student, kept, scores, f"调用 {what} 之后，传入的 scores ",
              "不要写 scores -= scores.max(...) 这样的原地（in-place）运算：shifted = scores - ... 会生成新数组。")
