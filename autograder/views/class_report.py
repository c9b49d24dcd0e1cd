"""The instructor's class report for one assignment, built from the course's results.json files
(`autograded/<student>/<assignment>/results.json`, as `autograder autograde` writes them):

    reports/<assignment>/class_report.html   one page: the plots and tables below
    reports/<assignment>/submissions.csv     per student: status, score, points per function, seconds
    reports/<assignment>/functions.csv       per function: mean, pass rate, how many lost points
    reports/<assignment>/mistakes.csv        diagnosed mistakes (which idea the class has not understood)
    reports/<assignment>/failed_checks.csv   the checks failed most often, diagnosed or not
    reports/<assignment>/problems.csv        submissions that hung, crashed or could not be graded

The page has the score distribution, each function's mean and pass rate, the most frequent
diagnosed mistakes with their counts, the submissions that hung or crashed and the slowest ones;
the CSV files hold the same numbers. Charts in SVG (charts.py), embedded; labels in English.
"""
from __future__ import annotations

import base64
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path


from autograder.course.assignments import Assignment
from autograder.course.results import SubmissionResult, write_atomically
from autograder.views import charts, pages, present
from autograder.views.spreadsheet import records_text

SLOWEST = 10          # submissions listed as the slowest
TOP_MISTAKES = 15     # diagnosed mistakes on the page (the CSV has them all)
TOP_CHECKS = 10
# Not an idea misunderstood: unwritten functions are counted per function, hangs and crashes are
# listed as problems.
NOT_MISTAKES = (".not_implemented", ".missing", ".hung", ".crashed")


class NoResults(Exception):
    """No results.json for this assignment in the course (nothing has been autograded yet)."""


@dataclass
class ClassReport:
    assignment: str
    results: dict[str, SubmissionResult]          # student -> result
    functions: list[str]
    max_score: float
    graded: dict[str, SubmissionResult] = field(init=False)

    def __post_init__(self):
        self.graded = {s: r for s, r in self.results.items() if r.status == "graded"}

    # -------------------------------------------------------------------- the numbers

    def scores(self) -> list[float]:
        return [r.score for r in self.graded.values()]

    def function_rows(self) -> list[dict]:
        rows = []
        graded = list(self.graded.values())
        for function in self.functions:
            pairs = [r.by_function().get(function) for r in graded]
            pairs = [p for p in pairs if p is not None]
            maximum = max((m for _, m in pairs), default=0.0)
            unwritten = sum(1 for r in graded if _not_written(r, function))
            rows.append({
                "function": function, "max_points": maximum,
                "mean": round(sum(s for s, _ in pairs) / len(pairs), 4) if pairs else 0.0,
                "pass_rate": round(sum(1 for s, m in pairs if s == m) / len(pairs), 4) if pairs else 0.0,
                "lost_points": sum(1 for s, m in pairs if s < m), "not_written": unwritten,
                "submissions": len(pairs)})
        return rows

    def mistakes(self) -> list[dict]:
        """Each diagnosed mistake, with how many students made it (once per student)."""
        students: dict[str, set[str]] = defaultdict(set)
        texts: dict[str, tuple[str, str]] = {}
        for student, result in self.graded.items():
            for test in result.tests:
                diagnosis = test.diagnosis
                if test.passed or diagnosis is None or diagnosis.code.endswith(NOT_MISTAKES):
                    continue
                students[diagnosis.code].add(student)
                texts.setdefault(diagnosis.code, (test.grade_id, diagnosis.text))
        rows = [{"function": texts[code][0], "code": code, "text": texts[code][1], "students": len(names),
                 "share": round(len(names) / len(self.graded), 4), "who": sorted(names)}
                for code, names in students.items()]
        order = {f: i for i, f in enumerate(self.functions)}
        return sorted(rows, key=lambda r: (-r["students"], order.get(r["function"], 99), r["code"]))

    def failed_checks(self) -> list[dict]:
        """The checks failed most often (points at stake only), diagnosed or not."""
        counts: Counter = Counter()
        points: dict[str, float] = {}
        for result in self.graded.values():
            for test in result.tests:
                if not test.passed and test.max_score > 0:
                    counts[test.name] += 1
                    points[test.name] = test.max_score
        return [{"check": name, "points": points[name], "students": n, "share": round(n / len(self.graded), 4)}
                for name, n in counts.most_common()]

    def problems(self) -> list[dict]:
        """Submissions that hung, crashed or could not be graded at all."""
        rows = []
        for student, result in sorted(self.results.items()):
            if result.status != "graded":
                rows.append({"student": student, "kind": "not graded", "where": "", "detail": result.error or ""})
                continue
            for cell in result.cells:
                if cell.status in ("timeout", "died"):
                    kind = "cell hung" if cell.status == "timeout" else "cell crashed"
                    rows.append({"student": student, "kind": kind, "where": cell.grade_id or f"cell {cell.index}",
                                 "detail": cell.message})
            seen = set()
            for test in result.tests:
                code = test.diagnosis.code if test.diagnosis else ""
                for ending, kind in ((".hung", "hung"), (".crashed", "crashed")):
                    if code.endswith(ending) and (test.grade_id, kind) not in seen:
                        seen.add((test.grade_id, kind))
                        rows.append({"student": student, "kind": kind, "where": test.grade_id,
                                     "detail": test.diagnosis.text})
        return rows

    def slowest(self, count: int = SLOWEST) -> list[dict]:
        timed = [(s, r) for s, r in self.results.items() if r.timing.get("total") is not None]
        timed.sort(key=lambda item: -item[1].timing["total"])
        return [{"student": s, "total": r.timing.get("total"), "start": r.timing.get("start"),
                 "tests": r.timing.get("tests"), "figures": r.timing.get("figures"),
                 "status": r.status.value, "score": r.score} for s, r in timed[:count]]

    def submission_rows(self) -> list[dict]:
        rows = []
        hung = defaultdict(set)
        crashed = defaultdict(set)
        for problem in self.problems():
            if problem["kind"] in ("hung", "cell hung"):
                hung[problem["student"]].add(problem["where"])
            elif problem["kind"] in ("crashed", "cell crashed"):
                crashed[problem["student"]].add(problem["where"])
        for student, result in sorted(self.results.items()):
            by_function = result.by_function()
            row = {"student": student, "status": result.status.value,
                   "score": result.score if result.status == "graded" else 0.0, "max_score": result.max_score}
            for function in self.functions:
                row[function] = by_function.get(function, (0.0, 0.0))[0] if result.status == "graded" else ""
            for part in ("total", "start", "tests", "figures"):
                row[f"seconds_{part}"] = result.timing.get(part, "")
            row["hung"] = ";".join(sorted(hung[student]))
            row["crashed"] = ";".join(sorted(crashed[student]))
            row["error"] = result.error or ""
            rows.append(row)
        return rows

    # -------------------------------------------------------------------------- output

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        tables = {
            "submissions.csv": self.submission_rows(),
            "functions.csv": self.function_rows(),
            "mistakes.csv": [dict(row, who=";".join(row["who"])) for row in self.mistakes()],
            "failed_checks.csv": self.failed_checks(),
            "problems.csv": self.problems(),
        }
        headers = {"submissions.csv": ["student", "status", "score", "max_score", *self.functions, "seconds_total",
                                       "seconds_start", "seconds_tests", "seconds_figures", "hung", "crashed", "error"],
                   "functions.csv": ["function", "max_points", "mean", "pass_rate", "lost_points", "not_written",
                                     "submissions"],
                   "mistakes.csv": ["function", "code", "text", "students", "share", "who"],
                   "failed_checks.csv": ["check", "points", "students", "share"],
                   "problems.csv": ["student", "kind", "where", "detail"]}
        for name, rows in tables.items():   # student ids and messages are the students': made safe
            write_atomically(folder / name, records_text(headers[name], rows))
        page = folder / "class_report.html"
        write_atomically(page, self.html(list(tables)))
        return page

    def html(self, csv_files: list[str]) -> str:
        graded = len(self.graded)
        scores = self.scores()
        rows = self.function_rows()
        mistakes = self.mistakes()
        top = mistakes[:TOP_MISTAKES]
        return pages.render(
            "class_report.html", title=f"{self.assignment}：全班报告（class report）", style=pages.trusted(STYLE),
            submissions=len(self.results), graded=graded, mean=sum(scores) / graded if graded else 0.0,
            median=_median(scores), max_score=self.max_score, csv_files=csv_files,
            histogram=_image(self._histogram(), "score distribution") if graded else None,
            functions_plot=_image(self._functions_plot(rows), "mean and pass rate per function") if graded else None,
            functions=[[r["function"], f"{r['max_points']:g}", f"{r['mean']:.2f}", f"{100 * r['pass_rate']:.0f}%",
                        r["lost_points"], r["not_written"]] for r in rows],
            mistakes=[[m["students"], f"{100 * m['share']:.0f}%", m["function"], m["text"], m["code"],
                       ", ".join(m["who"][:8]) + (" …" if len(m["who"]) > 8 else "")] for m in top],
            mistakes_plot=_image(self._mistakes_plot(top), "most frequent mistakes") if top else None,
            checks=[[c["students"], f"{100 * c['share']:.0f}%", f"{c['points']:g}", c["check"]]
                    for c in self.failed_checks()[:TOP_CHECKS]],
            problems=[[p["student"], p["kind"], p["where"], p["detail"]] for p in self.problems()],
            slowest=[[s["student"], _seconds(s["total"]), _seconds(s["start"]), _seconds(s["tests"]),
                      _seconds(s["figures"]), s["status"], f"{s['score']:g}"] for s in self.slowest()])

    # ---------------------------------------------------------------------------- plots

    def _histogram(self) -> charts.Chart:
        scores = self.scores()
        bins = max(1, min(20, math.ceil(self.max_score))) if self.max_score > 0 else 10
        top = self.max_score if self.max_score > 0 else max(scores, default=1.0) or 1.0
        return charts.histogram(scores, bins, top, f"{self.assignment}: scores of {len(scores)} graded submissions",
                                f"score (out of {self.max_score:g})", "submissions")

    def _functions_plot(self, rows: list[dict]) -> charts.Chart:
        mean = [100 * r["mean"] / r["max_points"] if r["max_points"] else 0.0 for r in rows]
        passed = [100 * r["pass_rate"] for r in rows]
        return charts.bars([r["function"] for r in rows],
                           [("mean score (% of its points)", mean, "#0969da"),
                            ("full marks (% of students)", passed, "#1a7f37")], "%", top=100)

    def _mistakes_plot(self, mistakes: list[dict]) -> charts.Chart:
        return charts.bars([m["code"] for m in mistakes], [("students", [m["students"] for m in mistakes], "#cf222e")],
                           "students who made it", integer=True)


# ------------------------------------------------------------------------------ building

def load(course: Path, assignment_id: str, autograded: str = "autograded") -> ClassReport:
    results: dict[str, SubmissionResult] = {}
    for path in sorted((Path(course) / autograded).glob(f"*/{assignment_id}/results.json")):
        try:
            results[path.parent.parent.name] = SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    if not results:
        raise NoResults(f"no {autograded}/*/{assignment_id}/results.json in {course}: "
                        f"run `autograder autograde {assignment_id}` first")
    functions = _functions(assignment_id, course, results)
    maxima = [r.max_score for r in results.values() if r.max_score]
    return ClassReport(assignment_id, results, functions, max(maxima, default=0.0))


def _functions(assignment_id: str, course: Path, results: dict[str, SubmissionResult]) -> list[str]:
    """The graded functions in notebook order (from the assignment), else as the results list them."""
    try:
        return Assignment.load(assignment_id, Path(course)).functions
    except Exception:
        seen: list[str] = []
        for result in results.values():
            for test in result.tests:
                if test.grade_id not in seen:
                    seen.append(test.grade_id)
        return seen


def write_report(course: Path, assignment_id: str, autograded: str = "autograded",
                 out: Path | None = None) -> Path:
    """Build the report from the course's results and write it; returns the HTML page's path."""
    report = load(course, assignment_id, autograded)
    return report.write(out or Path(course) / "reports" / assignment_id)


# ------------------------------------------------------------------------------- helpers

STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", system-ui, sans-serif; max-width: 72rem; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: .6rem 0; } td, th { padding: .3rem .7rem; border-bottom: 1px solid #d0d7de;
       text-align: left; vertical-align: top; } th { background: #f6f8fa; }
td.num { text-align: right; white-space: nowrap; }
img { max-width: 100%; height: auto; display: block; margin: .6rem 0; }
.summary { font-size: 1.1rem; }
"""


def _image(chart: charts.Chart, alt: str) -> dict:
    """A chart to embed (templates/class_report.html)."""
    return {"alt": alt, "width": chart.width, "height": chart.height,
            "data": base64.b64encode(chart.svg.encode("utf-8")).decode("ascii")}


def _seconds(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else ""


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _not_written(result: SubmissionResult, function: str) -> bool:
    return any(r.grade_id == function and r.not_written for r in present.functions(result))
