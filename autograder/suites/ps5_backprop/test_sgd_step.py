"""sgd_step(params, grads, learning_rate) -> a new dict {k: params[k] - learning_rate * grads[k]};
neither input (nor any array in them) is changed."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import fail, graded
from autograder.testkit.student import Fn
from autograder.testkit.tolerances import SAME_FORMULA
from .common import ref, MUTATES, call, expect_dict_of_arrays, named_by_models, network, unchanged

GRADE_ID = "sgd_step"
HINT = formula("每个键都是 params[k] - learning_rate * grads[k]（减号：沿负梯度方向走；使用传入的 learning_rate）。")
COPY_HINT = formula("返回一个新字典，例如 {k: params[k] - learning_rate * grads[k] for k in params}。不要写 params[k] -= ...："
             "它改掉了调用者手里的数组；params.copy() 或 dict(params) 只复制字典，里面的数组仍是同一份。")


ANY_KEYS_HINT = formula("不要把键写死成 W1、b1、W2、b2：遍历 params 里的每个键（for k in params）。")


def network_dicts(rng):
    params, _ = network(rng, 1, 3, 4, 2)
    grads = {k: rng.normal(size=np.shape(v)) for k, v in params.items()}
    return params, grads


@graded("网络参数（W1、b1、W2、b2）的每个键都按 params − learning_rate·grads 更新（多个学习率）", points=1)
def test_values(student, rng):
    params, grads = network_dicts(rng)
    for learning_rate in (0.1, 1.0, 2.5):
        what = f"sgd_step(params, grads, {learning_rate})"
        expect_dict_of_arrays(call(student, what, GRADE_ID, params, grads, learning_rate),
                              ref.sgd_step(params, grads, learning_rate),
                              f"sgd_step(params, grads, {learning_rate})", SAME_FORMULA, hint=HINT)


@graded("返回新的字典，params 和 grads（以及其中的数组）都不被修改", points=0.5)
def test_new_dict(student, rng):
    params, grads = network_dicts(rng)
    kept_params, kept_grads = student.put(params), student.put(grads)
    result = call(student, "sgd_step(params, grads, 0.5)", GRADE_ID, kept_params, kept_grads, 0.5, keep=True)
    same = student.get(student.put(Fn("lambda a, b: a is b", "is"))(result, kept_params))
    if same is True:
        fail("sgd_step(params, grads, 0.5) 返回的是传入的 params 字典本身，应返回一个新字典。" + COPY_HINT,
             diagnosis=("mutates_input", MUTATES))
    unchanged(student, kept_params, params, "调用 sgd_step(params, grads, 0.5) 之后，传入的 params ", COPY_HINT)
    unchanged(student, kept_grads, grads, "调用 sgd_step(params, grads, 0.5) 之后，传入的 grads ",
              "不要修改 grads（例如 grads[k] *= learning_rate）：learning_rate * grads[k] 会生成新数组。")
    with named_by_models(GRADE_ID, params, grads, 0.5) as seen:
        expect_dict_of_arrays(seen(student.get(result)), ref.sgd_step(params, grads, 0.5),
                              "sgd_step(params, grads, 0.5)", SAME_FORMULA, hint=HINT)


@graded("对任意键的参数字典都适用（不只是 W1、b1、W2、b2）", points=0.5)
def test_any_keys(student, rng):
    params = {"w": rng.normal(size=3), "kernel": rng.normal(size=(2, 2)), "bias": rng.normal(size=1)}
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    what = "sgd_step(params, grads, 0.3)（params 的键是 'w'、'kernel'、'bias'）"
    expect_dict_of_arrays(call(student, what, GRADE_ID, params, grads, 0.3, hint=ANY_KEYS_HINT),
                          ref.sgd_step(params, grads, 0.3), what, SAME_FORMULA, hint=ANY_KEYS_HINT + HINT)
