"""Value: micrograd-style scalar reverse-mode autodiff, every result compared with torch float64.

Each operator has its own test, so a mistake in one operator costs that operator's points;
the expressions are built by the same Python function from the student's Values and from
torch tensors (graphs.py). Graphs stay far below 300 nodes: a recursive topological sort, as
in micrograd, must not hit Python's recursion limit here.

A failed check names the mistake: the same expression is built from a trusted engine with one
mistake switched on (mistakes.VALUE_MISTAKES: = instead of +=, no topological order, tanh's or
pow's local derivative, swapped __rsub__ / __rtruediv__, ...) and the one that reproduces the
student's data and grads is named; errors the student's Value raised are named by what they say
(a number not wrapped in Value, a missing __radd__ / __rmul__ / ...).
"""
from autograder.course.hints import formula
from autograder.testkit.checks import expect_number, graded
from autograder.testkit.public import Public
from autograder.testkit.tolerances import SAME_FORMULA
from .graphs import check_expression, check_nodes, value_errors_named

GRADE_ID = "Value"

ADD_HINT = formula("加法的局部导数是 1：_backward 里 self.grad += out.grad，other.grad += out.grad。"
            "和普通数字相加时先把数字包装成 Value；数字在左边（2.5 + a）时 Python 调用的是 __radd__。")
MUL_HINT = formula("乘法的 _backward：self.grad += other.data * out.grad，other.grad += self.data * out.grad。"
            "和普通数字相乘时先把数字包装成 Value；数字在左边（3 * a）时 Python 调用的是 __rmul__。")
SUB_HINT = formula("减法不满足交换律：a − b = a + (−b)，而 2 − a（__rsub__）是 2 + (−a)，不是 a − 2。"
            "−a 要返回计算图上的新节点（例如 a * −1），不能直接新建 Value(−a.data)，否则梯度传不回 a。")
DIV_HINT = formula("除法可以写成 a / b = a · b⁻¹，局部导数分别是 1/b 和 −a/b²；"
            "4 / a（__rtruediv__）是 4 · a⁻¹，不是 a / 4。")
POW_HINT = formula("a ** k（k 是普通数字，可以是负数或小数）的局部导数是 k · a^(k−1)。")
EXP_HINT = formula("eᵃ 的前向用 math.exp；它的局部导数还是 eᵃ（也就是 out.data），不是 a。")
TANH_HINT = formula("tanh 的局部导数是 1 − t²，其中 t = tanh(a) 是输出（out.data），不是输入 a。")
RELU_HINT = formula("ReLU 的前向是 max(0, a)；局部导数在 a > 0 时为 1，在 a ≤ 0 时为 0"
             "（a 恰好为 0 时也取 0，和 PyTorch 一致）。")
ACCUMULATE_HINT = formula("一个节点被用了几次，各条路径传回的梯度都要用 += 累加到它的 grad 上，不能用 = 覆盖；"
                   "backward() 要先做拓扑排序（用 visited 集合，每个节点只出现一次），"
                   "再按逆序调用每个节点的 _backward()，每个节点恰好一次。")
COMBINED_HINT = formula("逐个检查各运算的前向值和局部导数，以及 backward()：拓扑排序的逆序、"
                 "每个节点的 _backward() 只调用一次、被多次使用的节点用 += 累加。")
NODES_HINT = formula("backward() 之后，图上每个节点（包括中间节点）的 grad 都是最终输出对它的导数，"
              "输出节点自己的 grad 是 1.0；中间节点的 data 是前向计算的值。")


def _number(rng, low=-2.0, high=2.0, away_from_zero=0.0):
    while True:
        value = round(float(rng.uniform(low, high)), 2)
        if abs(value) >= away_from_zero:
            return value


# The notebook's public checks come in five cells, one per group of operators, so that a student
# who has written __init__, __add__, __mul__ (and __radd__, __rmul__) and backward can already run
# the first group; the groups follow the graded tests below. Each group is its own 0-point test
# (a fresh process each), reported separately.
PUBLIC = [
    Public(GRADE_ID, "公开测试（笔记本里的自测）第 1 组全部通过：新建节点、+ 和 *（数字在左或在右）、backward()",
           around=value_errors_named),
    Public("Value_pow", "公开测试第 2 组全部通过：幂 **", "test_public_pow", around=value_errors_named),
    Public("Value_exp_tanh_relu", "公开测试第 3 组全部通过：exp()、tanh()、relu()", "test_public_exp_tanh_relu",
           around=value_errors_named),
    Public("Value_sub_div", "公开测试第 4 组全部通过：取负、减法、除法（数字在左或在右）", "test_public_sub_div",
           around=value_errors_named),
    Public("Value_combined", "公开测试第 5 组全部通过：用到所有运算的表达式与 PyTorch 对比", "test_public_combined",
           around=value_errors_named),
]


@graded("Value(data) 保存 data，新建节点的 grad 为 0.0", points=0.5)
def test_new_node(student):
    for value in (3.0, -1.25, 0.0, 2):
        node = student.new("Value", value)
        expect_number(student.get(node.data), value, f"Value({value!r}).data", **SAME_FORMULA, public=True,
                      hint=formula("__init__ 里要写 self.data = data。"))
        expect_number(student.get(node.grad), 0.0, f"Value({value!r}).grad（新建的节点）", **SAME_FORMULA,
                      public=True, hint=formula("__init__ 里要写 self.grad = 0.0。"))


@graded("加法 +：两个 Value 相加、和普通数字相加（数字在左或在右）", points=1)
def test_add(student, rng):
    a, b = _number(rng), _number(rng)
    check_expression(student, "a + b", lambda a, b: a + b, {"a": a, "b": b}, ADD_HINT)
    check_expression(student, "a + 2.5", lambda a: a + 2.5, {"a": a}, ADD_HINT)
    check_expression(student, "2.5 + a", lambda a: 2.5 + a, {"a": b}, ADD_HINT)


@graded("乘法 *：两个 Value 相乘、和普通数字相乘（数字在左或在右）", points=1)
def test_mul(student, rng):
    a, b = _number(rng), _number(rng)
    check_expression(student, "a * b", lambda a, b: a * b, {"a": a, "b": b}, MUL_HINT)
    check_expression(student, "a * 0.5", lambda a: a * 0.5, {"a": a}, MUL_HINT)
    check_expression(student, "3 * a", lambda a: 3 * a, {"a": b}, MUL_HINT)


@graded("减法 − 和取负：a − b、a − 2、2 − a、−a", points=1)
def test_sub_and_neg(student, rng):
    a, b = _number(rng), _number(rng)
    check_expression(student, "a - b", lambda a, b: a - b, {"a": a, "b": b}, SUB_HINT)
    check_expression(student, "a - 2", lambda a: a - 2, {"a": a}, SUB_HINT)
    check_expression(student, "2 - a", lambda a: 2 - a, {"a": a}, SUB_HINT)
    check_expression(student, "-a", lambda a: -a, {"a": b}, SUB_HINT)


@graded("除法 /：a / b、a / 4、4 / a", points=1)
def test_div(student, rng):
    a, b = _number(rng, away_from_zero=0.3), _number(rng, away_from_zero=0.3)
    check_expression(student, "a / b", lambda a, b: a / b, {"a": a, "b": b}, DIV_HINT)
    check_expression(student, "a / 4", lambda a: a / 4, {"a": a}, DIV_HINT)
    check_expression(student, "4 / a", lambda a: 4 / a, {"a": b}, DIV_HINT)


@graded("幂 **（指数是普通数字：正整数、负数、小数）", points=0.75)
def test_pow(student, rng):
    a, p = _number(rng, away_from_zero=0.3), _number(rng, 0.5, 2.5)
    check_expression(student, "a ** 3", lambda a: a ** 3, {"a": a}, POW_HINT)
    check_expression(student, "a ** 2", lambda a: a ** 2, {"a": a}, POW_HINT)
    check_expression(student, "a ** 0.5", lambda a: a ** 0.5, {"a": p}, POW_HINT)
    check_expression(student, "a ** -2", lambda a: a ** -2, {"a": p}, POW_HINT)
    check_expression(student, "a ** -1.5", lambda a: a ** -1.5, {"a": p}, POW_HINT)


@graded("exp()：前向值与导数", points=0.5)
def test_exp(student, rng):
    for value in (_number(rng), 0.0, -3.0):
        check_expression(student, "a.exp()", lambda a: a.exp(), {"a": value}, EXP_HINT)


@graded("tanh()：前向值与导数", points=0.5)
def test_tanh(student, rng):
    for value in (_number(rng), 0.0, 2.5):
        check_expression(student, "a.tanh()", lambda a: a.tanh(), {"a": value}, TANH_HINT)


@graded("relu()：正数、负数和 0 处（0 处导数取 0，与 PyTorch 一致）", points=0.75)
def test_relu(student, rng):
    for value in (_number(rng, 0.3, 2.0), _number(rng, -2.0, -0.3), 0.0):
        check_expression(student, "a.relu()", lambda a: a.relu(), {"a": value}, RELU_HINT)


@graded("重复使用同一个节点时梯度累加（a * a、a + a、菱形图、中间节点被复用；只用 + 和 *）", points=1.25)
def test_accumulation(student, rng):
    a, b = _number(rng, away_from_zero=0.2), _number(rng, away_from_zero=0.2)
    check_expression(student, "a * a", lambda a: a * a, {"a": a}, ACCUMULATE_HINT)
    check_expression(student, "a + a", lambda a: a + a, {"a": a}, ACCUMULATE_HINT)
    check_expression(student, "a * a * a", lambda a: a * a * a, {"a": b}, ACCUMULATE_HINT)
    check_expression(student, "(a * 2) * (a + 1)", lambda a: (a * 2) * (a + 1), {"a": a}, ACCUMULATE_HINT)
    check_expression(student, "c * c + c，其中 c = a * b", lambda a, b: (lambda c: c * c + c)(a * b),
                     {"a": a, "b": b}, ACCUMULATE_HINT)
    check_expression(student, "d * c + d * d，其中 c = a + b，d = c * a",
                     lambda a, b: (lambda c: (lambda d: d * c + d * d)(c * a))(a + b),
                     {"a": a, "b": b}, ACCUMULATE_HINT)


def _micrograd(a, b):
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    return g + 10.0 / f


MICROGRAD_TEXT = ("g，其中 c = a + b，d = a * b + b ** 3，c = c + c + 1，c = c + 1 + c + (-a)，"
                  "d = d + d * 2 + (b + a).relu()，d = d + 3 * d + (b - a).relu()，e = c - d，f = e ** 2，"
                  "g = f / 2.0 + 10.0 / f（micrograd 的示例）")

@graded("组合表达式（神经元、micrograd 的示例、线性回归的损失等）与 PyTorch 完全一致", points=1.25)
def test_combined(student, rng):
    neuron = {name: _number(rng) for name in ("x1", "x2", "w1", "w2", "b")}
    check_expression(student, "(w1 * x1 + w2 * x2 + b).tanh()",
                     lambda x1, x2, w1, w2, b: (w1 * x1 + w2 * x2 + b).tanh(), neuron, COMBINED_HINT)
    check_expression(student, MICROGRAD_TEXT, _micrograd,
                     {"a": -4.0, "b": 2.0}, COMBINED_HINT)
    xs = [_number(rng) for _ in range(6)]
    ys = [round(2 * x + 1 + 0.1 * float(rng.standard_normal()), 2) for x in xs]
    check_expression(student, "sum((y - (w * x + b)) ** 2 for x, y in zip(xs, ys)) / len(xs)（6 个数据点）",
                     lambda w, b: sum((y - (w * x + b)) ** 2 for x, y in zip(xs, ys)) / len(xs),
                     {"w": _number(rng), "b": _number(rng)}, COMBINED_HINT)
    check_expression(student, "(a * b - 1) / (a ** 2 + b ** 2 + 1) + (a - b).relu() * c.exp() - c.tanh() / 3",
                     lambda a, b, c: (a * b - 1) / (a ** 2 + b ** 2 + 1) + (a - b).relu() * c.exp() - c.tanh() / 3,
                     {"a": _number(rng), "b": _number(rng), "c": _number(rng)}, COMBINED_HINT)


def _graph(a, b):
    c = a * b
    d = c + a
    e = d * d
    return {"c": c, "d": d, "e": e, "out": e * c + b}


@graded("backward() 填好图上每个节点（包括中间节点）的 grad，输出节点的 grad 为 1.0", points=0.5)
def test_every_node(student, rng):
    check_nodes(student, "c = a * b，d = c + a，e = d * d，out = e * c + b", _graph,
                {"a": _number(rng, away_from_zero=0.2), "b": _number(rng, away_from_zero=0.2)}, NODES_HINT)
