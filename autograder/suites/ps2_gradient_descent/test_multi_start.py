"""multi_start(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000) -> a list, in the
order of starting_points, of {"start": x0, "optimal": x, "value": f(x)}, each x from gradient_descent.

Judged alone (HELPERS): every test runs with a stand-in for the reference gradient_descent in
place of the student's, so a wrong, missing, raising or hanging gradient_descent costs points on
gradient_descent and nowhere else, and a multi_start with its own correct loop is fine too. What is checked is multi_start's own job: the order, the dicts, passing learning_rate and
max_iterations (and their defaults) on, and value = f(optimal).
"""
from autograder.testkit.checks import as_number, describe_type, fail, graded, is_close
from autograder.testkit.tolerances import DESCENT, SAME_FORMULA
from .common import ref, DOUBLE_WELL, LOG_COSH, QUAD, SIN, SLOPE, number_or_none

GRADE_ID = "multi_start"
HELPERS = ("gradient_descent",)
KEYS = ("start", "optimal", "value")
NOTE = "（评分这一项时，gradient_descent 用的是参考实现，所以只检查 multi_start 本身。）"


def describe_call(pair, starts, kwargs) -> str:
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return f"对 {pair.describe}，multi_start(f, f_prime, {starts!r}{args})"


def check(student, pair, starts, *args, optimal_too: bool = True, **kwargs) -> None:
    """Call the student's multi_start and compare every entry with the reference (the end points
    only when `optimal_too`: tests about the structure and the value stand on their own)."""
    shown = dict(zip(("learning_rate", "max_iterations"), args), **kwargs)
    call = describe_call(pair, starts, shown)
    results = student.call(GRADE_ID, pair.f, pair.prime, starts, *args, **kwargs)
    f, f_prime = pair.local()
    expected = ref.multi_start(f, f_prime, starts, **shown)
    if not isinstance(results, list):
        fail(f"{call} 应返回一个列表（list），你返回的是 {describe_type(results)}。{NOTE}")
    if len(results) != len(expected):
        fail(f"{call} 应返回 {len(expected)} 个结果（每个起点一个），你返回了 {len(results)} 个。{NOTE}")
    for i, (entry, want) in enumerate(zip(results, expected)):
        where = f"{call} 的第 {i} 个结果"
        if not isinstance(entry, dict):
            fail(f"{where} 应该是字典 {{'start': ..., 'optimal': ..., 'value': ...}}，却是 {describe_type(entry)}。")
        missing = [k for k in KEYS if k not in entry]
        if missing:
            fail(f"{where} 缺少键 {missing}：每个结果都应是含 'start'、'optimal'、'value' 三个键的字典，"
                 f"你的键是 {sorted(map(str, entry))}。")
        start = as_number(entry["start"], f"{where} 的 'start'")
        if start != want["start"]:
            starts_back = [number_or_none(r.get("start")) for r in results if isinstance(r, dict)]
            reordered = None not in starts_back and sorted(starts_back) == sorted(map(float, starts))
            order = "结果的顺序不对：要按 starting_points 的原顺序排列，不要排序。" if reordered else ""
            fail(f"{where} 的 'start' 应该是第 {i} 个起点 {want['start']!r}，你的是 {entry['start']!r}。{order}")
        optimal = as_number(entry["optimal"], f"{where} 的 'optimal'")
        if optimal_too and not is_close(optimal, want["optimal"], **DESCENT):
            fail(f"{where}（起点 {want['start']!r}）的 'optimal' 是 {optimal:.12g}，与用这些参数从这个起点运行 "
                 f"gradient_descent 得到的终点不一致。{NOTE}")
        value = as_number(entry["value"], f"{where} 的 'value'")
        if not is_close(value, f(optimal), **SAME_FORMULA):
            fail(f"{where}（起点 {want['start']!r}）的 'value' 是 {value:.12g}，它不是 f 在这个结果的终点 "
                 f"optimal = {optimal:.12g} 处的值。")


@graded("非凸函数 x⁴ − 3x² + x 上的多个起点（默认参数）：按 starting_points 的顺序，每个字典的 start、optimal、value 都对", points=1)
def test_double_well(student, rng):
    starts = [float(v) for v in rng.uniform(-2.2, 2.2, size=4).round(3)]
    check(student, DOUBLE_WELL, [starts[0], -1, starts[1], 0, starts[2], starts[3], starts[0]])


@graded("默认参数是 learning_rate=0.01、max_iterations=1000（与 gradient_descent 的默认值不同）", points=0.5)
def test_defaults(student):
    check(student, SLOPE, [0.0, 3.0])
    check(student, QUAD, [5.0, -4.0])


@graded("把 learning_rate 和 max_iterations 传给 gradient_descent（关键字参数或按位置传入）", points=0.75)
def test_passes_arguments(student, rng):
    starts = [float(v) for v in rng.uniform(-2, 2, size=3).round(3)]
    check(student, DOUBLE_WELL, starts, learning_rate=0.02, max_iterations=7)
    check(student, SIN, starts, 0.3, 25)
    check(student, SLOPE, starts[:2], max_iterations=40)


@graded("'value' 是 f 在（你返回的）终点 optimal 处的值", points=0.5)
def test_value(student, rng):
    starts = [float(v) for v in rng.uniform(-3, 3, size=3).round(3)]
    check(student, LOG_COSH, starts, learning_rate=0.5, optimal_too=False)
    check(student, SIN, starts, optimal_too=False)


@graded("空列表得到空列表；只有一个起点（元组也行）时得到一个结果", points=0.25)
def test_edge_cases(student):
    check(student, DOUBLE_WELL, [], optimal_too=False)
    check(student, DOUBLE_WELL, (1.5,), optimal_too=False)
