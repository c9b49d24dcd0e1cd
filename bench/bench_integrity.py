"""Benchmark: `autograder integrity` on classes of 40 and 500 with planted copies.

    .venv/bin/python bench/bench_integrity.py                 # N = 40 and 500 (grades both classes for real)
    .venv/bin/python bench/bench_integrity.py --sizes 40 --keep /tmp/classes

Builds an nbgrader course of ps3_linear_regression (tests/integrity_class.py): N independent
students and planted pairs (verbatim, renamed identifiers, reformatted + comments + prints,
helpers reordered, a shared rare wrong answer written differently); grades it with the real
`autograder autograde` (which writes the integrity report at its end), then times the integrity
pass alone and prints recall on the planted pairs, false pairs among independent students (and
their share of all pairs) and seconds. A benchmark, not a test: times depend on the machine's load.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
import integrity_class  # noqa: E402

from autograder.integrity.report import for_course  # noqa: E402

ASSIGNMENT = integrity_class.ASSIGNMENT


def make_course(root: Path, independents: int, reuse: bool = False) -> tuple[Path, dict]:
    course = root / f"class{independents}"
    if reuse and (course / "autograded").is_dir():   # graded before: the same class (seeded), not rewritten
        return course, integrity_class.build_class(Path(tempfile.mkdtemp()) / "submitted", independents)
    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / ASSIGNMENT, course / name / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    made = integrity_class.build_class(course / "submitted", independents)
    return course, made


def grade(course: Path) -> float:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "autograde", ASSIGNMENT, "--no-progress"],
                          cwd=course, env=env, capture_output=True, text=True)
    if "Integrity:" not in done.stdout:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    return time.monotonic() - started


def measure(course: Path, made: dict) -> dict:
    started = time.monotonic()
    findings, _ = for_course(course, ASSIGNMENT)
    seconds = time.monotonic() - started
    flagged = {(p["student_a"], p["student_b"]) for p in findings.pairs}
    flagged |= {(b, a) for a, b in flagged}
    found = [(a, b, how) for a, b, how in made["planted"] if (a, b) in flagged]
    independent = made["independent"]
    false = {tuple(sorted((p["student_a"], p["student_b"]))) for p in findings.pairs
             if p["student_a"] in independent and p["student_b"] in independent}
    pairs = len(independent) * (len(independent) - 1) // 2
    return {"students": findings.students, "recall": (len(found), len(made["planted"])),
            "missed": [how for a, b, how in made["planted"] if (a, b) not in flagged],
            "false": len(false), "independent_pairs": pairs, "seconds": seconds,
            "common_mistake": len(made["common_mistake"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 500])
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    parser.add_argument("--reuse", action="store_true", help="with --keep: measure courses graded before again")
    parser.add_argument("--short", action="store_true",
                        help="also ps1 (short answers), code similarity only, without grading")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-integrity-"))
    for size in args.sizes:
        course, made = make_course(root, size, args.reuse)
        graded = 0.0 if args.reuse and (course / "reports").is_dir() else grade(course)
        m = measure(course, made)
        print(f"N = {m['students']} ({size} independent + planted): recall {m['recall'][0]}/{m['recall'][1]}"
              f"{' missed: ' + ', '.join(m['missed']) if m['missed'] else ''}; false pairs among independent "
              f"students {m['false']} of {m['independent_pairs']} ({100 * m['false'] / max(m['independent_pairs'], 1):.3f} %); "
              f"{m['common_mistake']} made the common mistake; integrity pass {m['seconds']:.2f} s "
              f"(grading the class {graded:.0f} s)")
        if args.short:
            short(size)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


def short(size: int, seed: int = 5) -> None:
    """ps1, whose answers are mostly one line: independent students write the reference or the
    catalogue's correct variants; each planted source wrote one held-out numerical_gradient
    (code of real students) and is copied with one disguise. Code similarity only."""
    import random

    from catalogue import ps1_derivatives as catalogue
    from heldout import ps1_derivatives as heldout
    from helpers import reference_answers, release_notebook

    from autograder.integrity import similarity

    assignment = "ps1_derivatives"
    rng = random.Random(seed)
    reference = reference_answers(assignment)
    codes = {}
    for i in range(size):
        codes[f"ind{i:03d}"] = {f: rng.choice([reference[f], *catalogue.RIGHT.get(f, {}).values()]) for f in reference}
    sources = [case[0] for case in heldout.CASES["numerical_gradient"].values()]
    planted = []
    for how, code in zip(integrity_class.DISGUISES, sources):
        original = dict(reference, numerical_gradient=code)
        codes[f"src_{how}"], codes[f"copy_{how}"] = original, {
            f: integrity_class._disguise(c, how, rng) for f, c in original.items()}
        planted.append((f"src_{how}", f"copy_{how}", how))
    boilerplate = similarity.boilerplate_of(release_notebook(assignment))
    started = time.monotonic()
    documents = {s: similarity.document(s, list(a.items()), boilerplate) for s, a in codes.items()}
    pairs = similarity.code_pairs(documents, 0.5)
    seconds = time.monotonic() - started
    flagged = {frozenset((p["a"], p["b"])) for p in pairs}
    found = [how for a, b, how in planted if frozenset((a, b)) in flagged]
    false = [p for p in pairs if p["a"].startswith("ind") and p["b"].startswith("ind")]
    print(f"  ps1 code only, {size} independent: recall {len(found)}/{len(planted)} ({', '.join(found)}); "
          f"false pairs {len(false)} of {size * (size - 1) // 2}; {seconds:.2f} s")


if __name__ == "__main__":
    main()
