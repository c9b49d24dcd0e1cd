"""best_result(results) -> the dict with the lowest "value" (the first one on a tie), whole."""
from autograder.testkit.checks import describe_type, fail, graded
from .common import ref, same

GRADE_ID = "best_result"


def entry(start, value, optimal=None, **extra) -> dict:
    return dict({"start": start, "optimal": start if optimal is None else optimal, "value": value}, **extra)


def check(student, results: list, what: str) -> None:
    got = student.call(GRADE_ID, results)
    call = f"best_result(results)（{what}）"
    if not isinstance(got, dict):
        fail(f"{call} 应返回整个字典（results 里的一个元素），你返回的是 {describe_type(got)}。")
    want = ref.best_result(results)
    if same(got, want):
        return
    if not any(same(got, r) for r in results):
        fail(f"{call} 返回的字典 {got!r} 不是 results 里的某个元素：要原样返回 results 里的那个字典。")
    if got["value"] == want["value"]:
        fail(f"{call}：有几个结果的 value 并列最小时，应返回最先出现的那个，你返回的是后面的。")
    if len(results) >= 3 and got != results[0] and got["value"] == max(r["value"] for r in results):
        fail(f"{call} 返回的是 value 最大的那个字典，应返回 value 最小的那个。")
    fail(f"{call} 返回了 {got!r}，它不是 value 最小的那个字典。")


@graded("返回 value 最小的字典（最小值在开头、中间、结尾；全为正数、全为负数；随机值）", points=0.75)
def test_lowest(student, rng):
    # The first two cases tell the usual mistakes apart (each gives another dict): the last one
    # skipped, the largest value, the smallest 'optimal' or 'start', a "best so far" starting at 0.
    check(student, [entry(0.5, -1.0, 2.1), entry(2.0, -0.5, 0.9), entry(1.0, -0.75, -0.4), entry(-1.5, -2.25, 1.7)],
          "最小值在结尾、全为负数")
    check(student, [entry(1.0, 2.0), entry(-0.5, 0.75), entry(2.0, 3.5)], "最小值在中间、全为正数")
    check(student, [entry(0.0, 2.0), entry(1.0, 3.5), entry(2.0, 0.75)], "最小值在结尾、全为正数")
    check(student, [entry(0.5, -1.0), entry(-2.0, -3.25), entry(2.0, -1.5), entry(1.0, -0.5)],
          "最小值在中间、全为负数")
    check(student, [entry(-1.0, 0.25), entry(1.0, 4.0), entry(3.0, 1.0)], "最小值在开头")
    values = [float(v) for v in rng.normal(0, 5, size=8)]
    check(student, [entry(float(i), v) for i, v in enumerate(values)], "8 个随机的 value")


@graded("value 并列最小时返回最先出现的那个", points=0.5)
def test_tie(student, rng):
    check(student, [entry(1.5, 2.0, 3.0), entry(0, -1.0, 5.0), entry(2, -1.0, 6.0), entry(3, 0.5, 1.0)],
          "两个并列最小，在后面")
    check(student, [entry(-2.0, -3.5, -1.3), entry(0.0, -3.5, -1.3), entry(2.0, -1.07, 1.13),
                    entry(-1.0, -3.5, -1.3)], "三个并列最小，第一个在开头")
    value = float(rng.uniform(-5, 5))
    check(student, [entry(float(i), value) for i in range(4)], "所有 value 都相同")


@graded("返回整个字典（包括多出来的键）；只有一个结果时就返回它", points=0.5)
def test_whole_dict(student):
    check(student, [entry(1.5, -1.07, 1.13)], "只有一个结果")
    check(student, [entry(2.0, -1.0, 1.1, note="local", steps=120), entry(-2.0, -3.5, -1.3, note="global", steps=95),
                    entry(0.5, -0.2, 0.4, note="flat", steps=300)], "字典里还有别的键（三个结果）")
    check(student, [entry(2.0, -1.0, 1.1, note="local", steps=120), entry(-2.0, -3.5, -1.3, note="global", steps=95)],
          "字典里还有别的键")


@graded("不改变传入的 results 列表（顺序和内容都不变）", points=0.25)
def test_results_unchanged(student):
    results = [entry(2.0, -1.07, 1.13), entry(-2.0, -3.51, -1.3), entry(0.5, -1.07, 1.13), entry(0.0, 0.0)]
    kept = student.put(results)
    student.call(GRADE_ID, kept)
    if not same(student.get(kept), results):
        fail(f"调用 best_result(results) 之后，results 列表变成了 {student.get(kept)!r}（原来是 {results!r}）。",
             diagnosis=("mutates_results", "你修改了调用者传入的 results 列表（例如 results.sort(...) 把它重新排了序，"
                                           "或者删掉了元素）：best_result 只应找出 value 最小的那个字典，"
                                           "不改变调用者的列表。"))
