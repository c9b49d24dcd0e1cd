"""Command line: parses arguments and calls the library. Nothing else lives here."""
from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
from pathlib import Path

LIMIT_FLAGS = {
    "--isolation": ("isolation", str, "auto | root | userns | none (default auto: the strongest available)"),
    "--memory-mb": ("memory_mb", int, "memory each student process may add (MB)"),
    "--disk-mb": ("disk_mb", int, "all files one submission may write (MB)"),
    "--cpu-seconds": ("cpu_seconds", int, "CPU time per student process"),
    "--processes": ("processes", int, "processes and threads per submission"),
    "--cell-timeout": ("cell_timeout", float, "seconds a notebook cell written by the student may run"),
    "--test-timeout": ("test_timeout", float, "most seconds one call of student code may take"),
    "--budget-multiple": ("budget_multiple", float, "a call may take this many times the reference's time..."),
    "--budget-floor": ("budget_floor", float, "... plus this many seconds"),
    "--submission-timeout": ("submission_timeout", float, "seconds per submission"),
    "--output-kb": ("output_kb", int, "output kept per cell"),
    "--uid-base": ("uid_base", int, "as root, worker k runs student code as user UID_BASE + k"),
}

COMMANDS = {
    "grade": ("grade notebooks; one JSON object per notebook with --json",
              "Grade submitted notebooks of one assignment in a sandbox and print a table, or one "
              "Gradescope-shaped JSON object per notebook with --json (the grading contract).",
              ["autograder grade alice.ipynb bob.ipynb --assignment ps1_derivatives",
               "autograder grade submissions/*.ipynb --assignment ps3_linear_regression --json --workers 2"]),
    "check": ("check your own notebook and explain every result (for learners)",
              "For a learner: grade your notebook in a sandbox and explain, per function, what passed, what "
              "failed and which mistake it looks like. The assignment is guessed from the notebook.",
              ["autograder check ps1_derivatives.ipynb",
               "autograder check my_work.ipynb --assignment ps2_gradient_descent",
               "autograder check ps3_linear_regression.ipynb --html feedback.html"]),
    "autograde": ("grade a whole class of an nbgrader course (gradebook, feedback, grades.csv)",
                  "For an instructor: grade every submitted/<student>/ASSIGNMENT/ notebook of an nbgrader "
                  "course, write the scores into nbgrader's gradebook (the formgrader shows them), a feedback "
                  "page per student, results.json per submission and grades.csv. Unchanged submissions "
                  "are kept, so an interrupted run resumes.",
                  ["autograder autograde ps1_derivatives --course .",
                   "autograder autograde ps3_linear_regression --course ~/course --workers 2",
                   "autograder autograde ps3_linear_regression --course . --scheduler tcp://host:8786"]),
    "report": ("write the class report of an autograded assignment (HTML and CSV)",
               "For an instructor: from the course's autograded/*/ASSIGNMENT/results.json, write "
               "reports/ASSIGNMENT/class_report.html (score distribution, each function's mean and pass rate, "
               "the most frequent diagnosed mistakes, submissions that hung or crashed, the slowest ones) and "
               "the same numbers as CSV files. `autograder autograde` writes it too, at the end.",
               ["autograder report ps1_derivatives --course .",
                "autograder report ps3_linear_regression --course ~/course"]),
    "integrity": ("pairs of submissions worth a conversation: similar code, shared rare mistakes",
                  "For an instructor: after `autograder autograde`, list the pairs of submissions whose answer code "
                  "is similar (renaming, reformatting, comments and reordering do not hide it) or that gave the "
                  "same rare wrong answers on the hidden inputs: reports/ASSIGNMENT/integrity.csv and "
                  "integrity.html. A flag is a reason to talk, not a verdict; no score changes, no student sees it. "
                  "`autograder autograde` writes it too (c.Integrity.enabled).",
                  ["autograder integrity ps3_linear_regression --course .",
                   "autograder integrity ps3_linear_regression --course . --against ~/archive/2025 --threshold 0.4"]),
    "build": ("regenerate solutions/ and release/ from source/ (course authors)",
              "For course authors: strip outputs from the source notebooks, regenerate the reference "
              "modules in solutions/ and release every assignment with the real nbgrader.",
              ["autograder build", "autograder build --course path/to/repository"]),
    "demo": ("release the course and grade the sample submissions",
             "Build a demo nbgrader course in demo-course/, autograde the sample submissions of every "
             "assignment as an instructor would, and show a learner's report.",
             ["autograder demo"]),
    "serve": ("grade on submit: a service students hand their notebooks to (HTTP)",
              "For an instructor: run the grade-on-submit service of an nbgrader course. Students submit a "
              "notebook (from JupyterLab's 提交并评分 button or over HTTP), it is queued, graded in the sandbox "
              "(on a Dask cluster with --scheduler), stored in submitted/<student>/ with its timestamp and in "
              "the gradebook, and the student gets their feedback. Identity: per-student tokens (`autograder "
              "tokens`), or JupyterHub's when run as a hub service. Limits: c.GradingService.* in "
              "nbgrader_config.py.",
              ["autograder serve --course .",
               "autograder serve --course ~/course --port 8765 --host 0.0.0.0",
               "autograder serve --course . --scheduler tcp://host:8786"]),
    "tokens": ("issue the per-student tokens of the grade-on-submit service",
               "For an instructor: issue a token for each student of the course's gradebook who has none yet "
               "(or for every one with --renew) and print them as CSV (student,token) once; the course keeps "
               "only their hashes. Students put theirs in JupyterLab (AUTOGRADER_TOKEN) or send it as "
               "`Authorization: Bearer <token>`. With --expires the tokens issued now stop working at that "
               "time (renew to extend).",
               ["autograder tokens --course .",
                "autograder tokens --course . --expires 2027-01-31",
                "autograder tokens --course . --student alice --renew --output alice.csv",
                "autograder tokens --course . --revoke bob"]),
}


def _add_limits(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("limits (defaults from nbgrader_config.py, c.SandboxSettings.*)")
    for flag, (dest, kind, text) in LIMIT_FLAGS.items():
        group.add_argument(flag, dest=dest, type=kind, default=None, help=text)


def _overrides(args: argparse.Namespace) -> dict:
    return {dest: getattr(args, dest) for dest, _, _ in LIMIT_FLAGS.values()}


def _command(sub, name: str) -> argparse.ArgumentParser:
    summary, description, examples = COMMANDS[name]
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
    return sub.add_parser(name, help=summary, description=description, epilog=epilog,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Sandboxed grader of the course 导数与梯度 (derivatives and gradients for machine learning).",
        epilog="examples:\n  autograder check my.ipynb\n  autograder autograde ps1_derivatives --course .\n\n"
               "`autograder COMMAND --help` explains each command.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = _command(sub, "grade")
    grade.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="submitted notebooks (.ipynb)")
    grade.add_argument("--assignment", required=True, metavar="ID", help="e.g. ps1_derivatives")
    grade.add_argument("--json", action="store_true", help="Gradescope results.json objects, one per line")
    grade.add_argument("--workers", type=int, default=0,
                       help="parallel grading workers (default: one per core, at most one per 4 notebooks)")
    grade.add_argument("--hints", choices=("cause", "formula"), default=None,
                       help="how much messages say (default c.Feedback.hints, else cause)")
    _add_limits(grade)

    check = _command(sub, "check")
    check.add_argument("notebook", metavar="NOTEBOOK", help="your notebook (.ipynb)")
    check.add_argument("--assignment", metavar="ID", help="default: guessed from the notebook")
    check.add_argument("--html", metavar="FILE", help="also write the feedback page (your code, figures) to FILE")
    check.add_argument("--verbose", action="store_true", help="also list the sandbox's protections")
    check.add_argument("--hints", choices=("cause", "formula"), default=None,
                       help="cause: the cause and where the notebook explains it; formula: also the formula "
                            "(default c.Feedback.hints, else formula)")
    _add_limits(check)

    autograde = _command(sub, "autograde")
    autograde.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. ps1_derivatives")
    autograde.add_argument("--course", default=".", help="the nbgrader course directory (default: current)")
    autograde.add_argument("--workers", type=int, default=0, help="parallel workers (default: one per core)")
    autograde.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster at ADDRESS")
    autograde.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    autograde.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_limits(autograde)

    report = _command(sub, "report")
    report.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. ps1_derivatives")
    report.add_argument("--course", default=".", help="the nbgrader course directory (default: current)")

    integrity = _command(sub, "integrity")
    integrity.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. ps1_derivatives")
    integrity.add_argument("--course", default=".", help="the nbgrader course directory (default: current)")
    integrity.add_argument("--against", action="append", metavar="DIR", default=[],
                           help="earlier years' submissions, DIR/<student>/ASSIGNMENT/*.ipynb (repeatable)")
    integrity.add_argument("--threshold", type=float, default=None,
                           help="list pairs scoring above this, 0..1 (default c.Integrity.threshold, else 0.5)")

    build = _command(sub, "build")
    build.add_argument("--course", default=None, help="the repository (default: this package's)")

    _command(sub, "demo")

    serve = _command(sub, "serve")
    serve.add_argument("--course", default=".", help="the nbgrader course directory (default: current)")
    serve.add_argument("--port", type=int, default=None, help="port to listen on (default 8765; 0: any free port)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster at ADDRESS")
    serve.add_argument("--workers", type=int, default=None,
                       help="grading processes on this machine (default c.GradingService.workers, else one per core)")
    _add_limits(serve)

    tokens = _command(sub, "tokens")
    tokens.add_argument("--course", default=".", help="the nbgrader course directory (default: current)")
    tokens.add_argument("--student", action="append", metavar="NAME",
                        help="only this student of the gradebook (repeatable; default: all)")
    tokens.add_argument("--renew", action="store_true", help="replace existing tokens too (the old ones stop working)")
    tokens.add_argument("--revoke", action="append", metavar="NAME", help="withdraw this student's token (repeatable)")
    tokens.add_argument("--output", metavar="FILE", help="write the CSV to FILE (created mode 600) instead of printing it")
    tokens.add_argument("--expires", metavar="WHEN",
                        help="the tokens issued now stop working then: a date (2027-01-31, until the end of that day "
                             "UTC), a date and time ('2027-01-31 18:00 Asia/Shanghai') or a duration (90d, 12h)")
    return parser


def _run(args: argparse.Namespace) -> int:
    from autograder import commands
    global _ends_at_once
    _ends_at_once = args.command in ("grade", "check", "autograde")
    if args.command == "grade":
        return commands.grade(args.notebooks, args.assignment, args.json, args.workers, _overrides(args),
                              args.hints)
    if args.command == "check":
        return commands.check(args.notebook, args.assignment, _overrides(args), args.html, args.verbose,
                              args.hints)
    if args.command == "autograde":
        return commands.autograde(args.assignment, Path(args.course).expanduser(), args.workers, args.scheduler,
                                  args.force, not args.no_progress, _overrides(args))
    if args.command == "report":
        return commands.report(args.assignment, Path(args.course).expanduser())
    if args.command == "integrity":
        return commands.integrity(args.assignment, Path(args.course).expanduser(),
                                  [Path(d).expanduser() for d in args.against], args.threshold)
    if args.command == "build":
        return commands.build(args.course)
    if args.command == "demo":
        from autograder.demo import run_demo
        return run_demo()
    if args.command == "serve":
        return commands.serve(Path(args.course).expanduser(), args.port, args.host, args.scheduler, args.workers,
                              _overrides(args))
    if args.command == "tokens":
        return commands.tokens(Path(args.course).expanduser(), args.student, args.renew, args.revoke, args.output,
                               args.expires)
    return 2


def main(argv: list[str] | None = None) -> int:
    # nbgrader runs `alembic` as a program: the environment this interpreter belongs to must be on
    # PATH even when it was not activated (`.venv/bin/autograder ...`).
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    args = build_parser().parse_args(argv)
    from autograder.commands import UsageError
    try:
        return _run(args)
    except UsageError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted; results written so far are kept", file=sys.stderr)
        return 130
    except Exception as exc:  # one clear line; the traceback on request
        if os.environ.get("AUTOGRADER_DEBUG"):
            raise
        print(f"autograder: {type(exc).__name__}: {exc} (AUTOGRADER_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


_ends_at_once = False


def entry() -> None:
    """The `autograder` program (`main` is the same for a caller that goes on running). `check`,
    `grade` and `autograde` end as soon as their output is out and their files are closed: the
    interpreter's own teardown, module by module through numpy, torch, nbconvert and SQLAlchemy,
    would keep a learner waiting 50-90 ms more for nothing, and an instructor 0.25 s."""
    code = main()
    if _ends_at_once and all(t.daemon or t is threading.main_thread() for t in threading.enumerate()):
        atexit._run_exitfuncs()
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, ValueError):
            pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
