"""train_mlp(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0) -> (params, history):
from init_params(d, d_hidden, k, seed), k = y.max() + 1, one full-batch step per epoch
(forward, softmax cross-entropy, backward, sgd_step), history = the loss before each update.
Compared with the reference and with the same descent driven by torch autograd (float64,
F.cross_entropy), on small data and few epochs.

train_mlp is told to call the graded helpers below: with HELPERS the framework judges it alone,
so a mistake in a helper costs points on that helper only."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import as_number, describe_type, expect_array, fail, graded
from autograder.testkit.tolerances import TRAINING
from .common import ref, KEYS, call, expect_dict_of_arrays, named_by_models, torch_training, unchanged

GRADE_ID = "train_mlp"
HELPERS = ("relu", "relu_backward", "forward", "softmax_cross_entropy", "backward", "sgd_step")
HINT = formula("每一轮：scores, cache = forward(params, X)；loss, dscores = softmax_cross_entropy(scores, y)；"
        "grads = backward(params, cache, dscores)；params = sgd_step(params, grads, learning_rate)；"
        "history.append(loss)。恰好 epochs 轮，使用传入的 learning_rate。")
INIT_HINT = formula("从 init_params(X.shape[1], d_hidden, k, seed) 开始：k = y.max() + 1（不是不同标签的个数），"
             "使用传入的 d_hidden 和 seed，不要写死。")


DEFAULTS_CODE = """
def _ps5_train_mlp_defaults():
    import inspect
    return {name: parameter.default for name, parameter in inspect.signature(train_mlp).parameters.items()
            if parameter.default is not inspect.Parameter.empty}
"""


def small_spiral(seed=11, n_per_class=6, classes=3):
    return ref.make_spiral(n_per_class, classes, seed)


def unpack(result, what, epochs):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{what} 应返回两个值 (params, history)，你返回的是{describe_type(result)}。")
    params, history = result
    if not isinstance(history, (list, tuple)):
        fail(f"{what} 返回的 history 应是一个列表（list），你返回的是{describe_type(history)}。")
    if len(history) != epochs:
        fail(f"{what} 的 history 应恰好有 epochs = {epochs} 个损失（每轮一个，记录更新之前的损失），"
             f"你的 history 有 {len(history)} 个。")
    return params, np.array([as_number(v, f"{what} 的 history 第 {i} 个元素") for i, v in enumerate(history)])


@graded("history 恰好有 epochs 个损失，每个都是那一轮更新之前的损失（与参考实现一致）", points=1.5)
def test_history(student):
    X, y = small_spiral()
    for d_hidden, learning_rate, epochs in ((5, 0.7, 8), (3, 1.5, 4)):
        what = f"train_mlp(X, y, d_hidden={d_hidden}, learning_rate={learning_rate}, epochs={epochs})（18 个螺旋样本）"
        _, history = unpack(call(student, what, GRADE_ID, X, y, d_hidden=d_hidden, learning_rate=learning_rate,
                                 epochs=epochs, hint=HINT), what, epochs)
        _, expected = ref.train_mlp(X, y, d_hidden=d_hidden, learning_rate=learning_rate, epochs=epochs)
        if not np.isclose(history[0], expected[0], rtol=TRAINING["rtol"], atol=TRAINING["atol"]):
            fail(f"{what} 的 history[0] 是 {history[0]:.10g}，它应是初始参数处（第一次更新之前）的损失。" + INIT_HINT)
        expect_array(history, expected, f"{what} 的 history", **TRAINING,
                     hint=formula("history[t] 是第 t 轮更新之前的损失；每一轮都要用 sgd_step 返回的新参数（params = sgd_step(...)）。")
                          + HINT)


@graded("返回的参数与用 torch 自动微分的梯度一步步下降的结果一致", points=1)
def test_matches_torch_descent(student):
    X, y = small_spiral(seed=12, n_per_class=5)
    for epochs in (1, 6):
        what = f"train_mlp(X, y, d_hidden=4, learning_rate=0.9, epochs={epochs}, seed=2)（15 个螺旋样本）"
        params, _ = unpack(call(student, what, GRADE_ID, X, y, d_hidden=4, learning_rate=0.9, epochs=epochs, seed=2,
                                hint=HINT), what, epochs)
        _, expected = torch_training(X, y, 4, 0.9, epochs, 2)
        expect_dict_of_arrays(params, expected, f"{what} 返回的 params", TRAINING,
                              hint=formula("返回的是最后一轮更新之后的参数；每轮沿负梯度方向走一步：params − learning_rate·grads。")
                                   + HINT)


@graded("从 init_params(d, d_hidden, k, seed) 开始，k = y.max() + 1（某个类别没有样本时也是）", points=1)
def test_initialisation(student):
    X, every = small_spiral(seed=13, n_per_class=4, classes=4)       # labels 0, 1, 2, 3
    gap = np.where(every == 2, 3, every)                           # labels 0, 1, 3: no sample of class 2, so k = 4
    # Every class first: there k = y.max() + 1 is also the number of distinct labels, so an answer
    # wrong only with a gap counts its classes, while one wrong here too (k = y.max()) does not.
    for y, seed, d_hidden, labels in ((every, 7, 3, "标签为 0、1、2、3"), (gap, 7, 3, "标签为 0、1、3，没有类别 2"),
                                      (gap, 8, 5, "标签为 0、1、3，没有类别 2")):
        what = f"train_mlp(X, y, d_hidden={d_hidden}, epochs=2, seed={seed})（{labels}）"
        params, history = unpack(call(student, what, GRADE_ID, X, y, d_hidden=d_hidden, epochs=2, seed=seed,
                                      hint=INIT_HINT), what, 2)
        if not isinstance(params, dict) or set(params) != set(KEYS):
            fail(f"{what} 返回的 params 应是键为 W1、b1、W2、b2 的字典，你返回的是{describe_type(params)}。")
        if np.shape(params["W2"]) != (d_hidden, 4):
            fail(f"{what} 返回的 W2 形状应为 (d_hidden, k) = ({d_hidden}, 4)，你的是 {np.shape(params['W2'])}。" + INIT_HINT)
        expected_params, expected = ref.train_mlp(X, y, d_hidden=d_hidden, epochs=2, seed=seed)
        expect_array(history, expected, f"{what} 的 history", **TRAINING, hint=INIT_HINT)
        expect_dict_of_arrays(params, expected_params, f"{what} 返回的 params", TRAINING, hint=INIT_HINT)


@graded("使用传入的 learning_rate 和 epochs；默认值是 d_hidden=64、learning_rate=1.0、epochs=300、seed=0", points=1)
def test_arguments_and_defaults(student):
    X, y = small_spiral(seed=14, n_per_class=2)
    for learning_rate, epochs in ((0.05, 3), (3.0, 1)):
        what = f"train_mlp(X, y, d_hidden=3, learning_rate={learning_rate}, epochs={epochs})"
        params, _ = unpack(call(student, what, GRADE_ID, X, y, d_hidden=3, learning_rate=learning_rate,
                                epochs=epochs, hint=HINT), what, epochs)
        expected, _ = ref.train_mlp(X, y, d_hidden=3, learning_rate=learning_rate, epochs=epochs)
        expect_dict_of_arrays(params, expected, f"{what} 返回的 params", TRAINING,
                              hint=formula("使用传入的 learning_rate 和 epochs，不要写死。") + HINT)
    # The defaults of d_hidden, learning_rate and seed by their effect (3 epochs keep this fast) ...
    what = "train_mlp(X, y, epochs=3)（6 个螺旋样本，其余参数用默认值）"
    params, history = unpack(call(student, what, GRADE_ID, X, y, epochs=3, hint=HINT), what, 3)
    if not isinstance(params, dict) or np.shape(params.get("W1")) != (2, 64):
        fail(f"{what} 返回的 W1 形状应为 (2, 64)：d_hidden 的默认值是 64。")
    expected_params, expected = ref.train_mlp(X, y, epochs=3)
    hint = "默认参数应为 d_hidden=64、learning_rate=1.0、seed=0。"
    expect_array(history, expected, f"{what} 的 history", **TRAINING, hint=hint)
    expect_dict_of_arrays(params, expected_params, f"{what} 返回的 params", TRAINING, hint=hint)
    # ... and the signature's defaults as written (300 epochs would take long through the helpers).
    student.run_public(DEFAULTS_CODE)
    defaults = student.call("_ps5_train_mlp_defaults")
    wanted = {"d_hidden": 64, "learning_rate": 1.0, "epochs": 300, "seed": 0}
    if not isinstance(defaults, dict) or any(defaults.get(k) != v or isinstance(defaults.get(k), bool)
                                             for k, v in wanted.items()):
        fail("train_mlp 的参数默认值应为 d_hidden=64、learning_rate=1.0、epochs=300、seed=0（函数的签名不要改）。",
             diagnosis=("wrong_defaults", "函数签名里的默认值不对：题目规定 def train_mlp(X, y, d_hidden=64, "
                                          "learning_rate=1.0, epochs=300, seed=0)，不要改。"))


@graded("不修改传入的 X 和 y", points=0.5)
def test_inputs_unchanged(student):
    X, y = small_spiral(seed=15, n_per_class=3)
    kept_X, kept_y = student.put(X), student.put(y)
    with named_by_models(GRADE_ID, X, y, d_hidden=3, epochs=2):
        call(student, "train_mlp(X, y, d_hidden=3, epochs=2)", GRADE_ID, kept_X, kept_y, d_hidden=3, epochs=2)
    hint = formula("训练只更新参数：不要原地（in-place）修改 X、y（例如标准化时写 X -= X.mean(...)），需要时先复制一份。")
    unchanged(student, kept_X, X, "调用 train_mlp(X, y, d_hidden=3, epochs=2) 之后，传入的 X ", hint)
    unchanged(student, kept_y, y, "调用 train_mlp(X, y, d_hidden=3, epochs=2) 之后，传入的 y ", hint)
