"""Command line: parses arguments and calls the library. Nothing else lives here."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

LIMIT_FLAGS = {
    "--isolation": ("isolation", str, "auto | root | userns | none"),
    "--memory-mb": ("memory_mb", int, "memory each student process may add"),
    "--cpu-seconds": ("cpu_seconds", int, "CPU time per student process"),
    "--processes": ("processes", int, "processes and threads per submission"),
    "--cell-timeout": ("cell_timeout", float, "seconds per notebook cell"),
    "--test-timeout": ("test_timeout", float, "seconds per test"),
    "--submission-timeout": ("submission_timeout", float, "seconds per submission"),
    "--output-kb": ("output_kb", int, "output kept per cell or call"),
    "--uid-base": ("uid_base", int, "as root, worker k runs student code as user UID_BASE + k"),
}


def _add_limits(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("limits (defaults from nbgrader_config.py, c.SandboxSettings.*)")
    for flag, (dest, kind, text) in LIMIT_FLAGS.items():
        group.add_argument(flag, dest=dest, type=kind, default=None, help=text)


def _overrides(args: argparse.Namespace) -> dict:
    return {dest: getattr(args, dest) for dest, _, _ in LIMIT_FLAGS.values()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Sandboxed grader of the 导数与梯度 course.")
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade notebooks; one JSON object per notebook with --json")
    grade.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    grade.add_argument("--assignment", required=True, metavar="ID")
    grade.add_argument("--json", action="store_true", help="Gradescope results.json objects, one per line")
    grade.add_argument("--workers", type=int, default=1, help="parallel grading workers")
    _add_limits(grade)

    check = sub.add_parser("check", help="grade one notebook and explain every result (for learners)")
    check.add_argument("notebook", metavar="NOTEBOOK")
    check.add_argument("--assignment", metavar="ID", help="default: guessed from the notebook")
    _add_limits(check)

    autograde = sub.add_parser("autograde", help="grade submitted/*/ASSIGNMENT of an nbgrader course")
    autograde.add_argument("assignment", metavar="ASSIGNMENT")
    autograde.add_argument("--course", default=".", help="course directory (default: current)")
    autograde.add_argument("--workers", type=int, default=0, help="parallel workers (default: the cores)")
    autograde.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster at ADDRESS")
    autograde.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    autograde.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_limits(autograde)

    build = sub.add_parser("build", help="regenerate solutions/ and release/ from source/")
    build.add_argument("--course", default=None, help="course directory (default: this repository)")

    sub.add_parser("demo", help="release the course and grade the sample submissions")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "grade":
        from autograder.commands import grade
        return grade(args.notebooks, args.assignment, args.json, args.workers, _overrides(args))
    if args.command == "check":
        from autograder.commands import check
        return check(args.notebook, args.assignment, _overrides(args))
    if args.command == "autograde":
        from autograder.commands import autograde
        return autograde(args.assignment, Path(args.course), args.workers, args.scheduler, args.force,
                         not args.no_progress, _overrides(args))
    if args.command == "build":
        from autograder.commands import build
        return build(args.course)
    if args.command == "demo":
        from autograder.commands import demo
        return demo()
    return 2


if __name__ == "__main__":
    sys.exit(main())
