"""recommend(U, V, user, seen, top_k=5) -> a list of top_k item ids, highest predicted score
first, none of them in seen, ties broken by the lower id.

recommend may call predict: it is judged alone (HELPERS). Scores that tie are made exact (small
integer factors), and random scores are kept well apart, so that the order never depends on
how the scores were rounded."""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import describe_type, fail, graded
from autograder.testkit.student import Fn
from .common import ref

GRADE_ID = "recommend"
HELPERS = ("predict",)
HINT = formula("用户 user 对所有电影的预测是 V @ U[user]；去掉 seen 里的电影，按预测分数从高到低排序，"
        "分数相同时编号小的在前（例如 sorted(candidates, key=lambda i: (-scores[i], i))），取前 top_k 个。")
TIE_HINT = formula("分数相同时要把编号小的排在前面。np.argsort(scores)[::-1] 会把相同分数的顺序也翻转（编号大的在前），"
            "np.argsort(-scores) 默认的排序算法不稳定（unstable），相同分数的顺序没有保证；"
            "用 np.argsort(-scores, kind=\"stable\")，或者 sorted(..., key=lambda i: (-scores[i], i))。")


def ids(result, what: str, length: int) -> list[int]:
    """The result as a list of ints (a list, tuple or integer array is read; its type is tested apart)."""
    if isinstance(result, np.ndarray) and result.ndim == 1:
        result = list(result)
    if not isinstance(result, (list, tuple)) or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
            or isinstance(v, (float, np.floating)) and float(v).is_integer() for v in result):
        fail(f"{what} 应返回由电影编号（整数）组成的列表，你返回的是{describe_type(result)}。")
    values = [int(v) for v in result]
    if len(values) != length:
        fail(f"{what} 应返回 {length} 个电影编号，你返回了 {len(values)} 个：{values}。")
    return values


def random_case(rng, n_users=5, n_items=12, rank=3):
    """Random factors whose scores for every user are at least 1e-3 apart."""
    while True:
        U, V = rng.normal(size=(n_users, rank)), rng.normal(size=(n_items, rank))
        scores = U @ V.T
        if np.min(np.diff(np.sort(scores, axis=1), axis=1)) > 1e-3:
            return U, V


def expect_ids(student, U, V, user, seen, top_k, what, hint=HINT, seen_argument=None):
    kwargs = {} if top_k is None else {"top_k": top_k}
    result = student.call(GRADE_ID, U, V, user, seen if seen_argument is None else seen_argument, **kwargs)
    expected = ref.recommend(U, V, user, seen, **kwargs)
    got = ids(result, what, len(expected))
    if got != expected:
        wrong_seen = sorted(set(got) & {int(i) for i in seen})
        if wrong_seen:
            fail(f"{what} 返回了 {got}，其中 {wrong_seen} 是用户已经看过（在 seen 里）的电影。",
                 diagnosis=("recommends_seen", "推荐里有用户已经看过（在 seen 里）的电影：要先把 seen 里的电影从候选里去掉，"
                                               "再排序取前 top_k 个。只把它们的分数设成 0 不够（其余电影的分数可能都是负的）；"
                                               "seen 可以是列表、集合或数组" + formula("，先转成集合 {int(i) for i in seen}") + "。"))
        fail(f"{what} 返回了 {got}，推荐的电影或它们的顺序不对。{hint}")


@graded("在随机的 U、V 上，推荐预测分数最高的 top_k 部没看过的电影，从高到低", points=1)
def test_matches_reference(student, rng):
    U, V = random_case(rng)
    for user in range(3):
        seen = sorted(int(i) for i in rng.choice(12, size=user + 2, replace=False))
        expect_ids(student, U, V, user, seen, 4, f"recommend(U, V, user={user}, seen={seen}, top_k=4)（12 部电影，随机的向量）")


@graded("seen 里的电影一律不推荐：seen 是列表、集合或整数数组，包括分数最高的电影和所有分数都是负数的情形", points=0.5)
def test_excludes_seen(student, rng):
    U, V = random_case(rng, 2, 10)
    best = [int(i) for i in np.argsort(-(V @ U[0]))[:3]]            # the three best items are seen
    maker = student.put(Fn(f"lambda: set({best!r})"))
    expect_ids(student, U, V, 0, best, 3, f"recommend(U, V, 0, seen={set(best)}（集合）, top_k=3)", seen_argument=maker())
    expect_ids(student, U, V, 0, np.array(best, dtype=np.int64), 3,
               f"recommend(U, V, 0, seen=np.array({best}), top_k=3)")
    negative_V = -np.abs(V) * np.sign(U[1])                         # user 1 dislikes every item
    seen = [int(i) for i in np.argsort(-(negative_V @ U[1]))[:4]]
    expect_ids(student, U, negative_V, 1, seen, 3,
               f"recommend(U, V, 1, seen={seen}, top_k=3)（这位用户对所有电影的预测分数都是负数）")


@graded("分数相同时编号小的在前（30 部电影里有很多并列的分数）", points=0.5)
def test_ties(student, rng):
    U = rng.integers(-2, 3, size=(3, 2)).astype(float)
    U[:, 0] = np.where(U[:, 0] == 0, 1.0, U[:, 0])
    V = rng.integers(-1, 2, size=(30, 2)).astype(float)               # only 9 distinct rows: many ties
    for user in range(3):
        seen = sorted(int(i) for i in rng.choice(30, size=4, replace=False))
        expect_ids(student, U, V, user, seen, 12,
                   f"recommend(U, V, user={user}, seen={seen}, top_k=12)（30 部电影，很多电影的分数完全相同）",
                   hint=TIE_HINT)


@graded("使用传入的 top_k（默认 5；top_k = 1；top_k 等于没看过的电影数）", points=0.5)
def test_top_k(student, rng):
    U, V = random_case(rng, 3, 9)
    expect_ids(student, U, V, 0, [2, 5], None, "recommend(U, V, 0, seen=[2, 5])（默认 top_k）",
               hint="默认 top_k = 5。" + HINT)
    expect_ids(student, U, V, 1, [], 1, "recommend(U, V, 1, seen=[], top_k=1)", hint=HINT)
    expect_ids(student, U, V, 2, [0, 1, 2], 6, "recommend(U, V, 2, seen=[0, 1, 2], top_k=6)（正好剩下 6 部没看过的电影）",
               hint=HINT)


@graded("返回一个 Python 列表（list），元素是整数编号", points=0.5)
def test_returns_list(student, rng):
    U, V = random_case(rng, 2, 8)
    result = student.call(GRADE_ID, U, V, 1, [3], top_k=4)
    if not isinstance(result, list) or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                               for v in result):
        fail(f"recommend(U, V, 1, seen=[3], top_k=4) 应返回一个列表（list），里面是整数编号；你返回的是{describe_type(result)}。",
             diagnosis=("not_a_list", "recommend 要返回 Python 列表（list），元素是整数编号：NumPy 数组不是列表"
                                      + formula("（用 .tolist() 转换）") + "。"))
    expect_ids(student, U, V, 1, [3], 4, "recommend(U, V, 1, seen=[3], top_k=4)")
