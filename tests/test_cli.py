"""The command line as a stranger meets it: every command the README and docs/ show exists and explains
itself with an example; a mistake in how it is called is one clear line, never a traceback."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cli import build_parser
from helpers import ROOT, make_submission, release_notebook

# The README shows the paths; docs/ the details (the contract, the service, the cluster).
README = "\n".join(page.read_text(encoding="utf-8") for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
ENTRY = Path(sys.executable).with_name("autograder")


def subcommands() -> dict:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, type(parser._subparsers._group_actions[0])))
    return action.choices


def readme_invocations() -> list[list[str]]:
    """Every `autograder ...` command line the README shows (code blocks and inline code)."""
    found = []
    for line in re.findall(r"^autograder [^\n#]+", README, flags=re.M) + re.findall(r"`(autograder [^`]+)`", README):
        words = shlex.split(line.split("#")[0])
        if len(words) > 1 and not words[1].startswith("-"):
            found.append(words)
    return found


def test_the_readme_shows_commands():
    assert len(readme_invocations()) >= 5


@pytest.mark.parametrize("words", readme_invocations(), ids=lambda w: " ".join(w[:3]))
def test_every_command_and_option_in_the_readme_exists(words):
    commands = subcommands()
    assert words[1] in commands, f"README shows `autograder {words[1]}`, which does not exist"
    known = {option for action in commands[words[1]]._actions for option in action.option_strings}
    for word in words[2:]:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"README shows {word} for `autograder {words[1]}`"


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_says_what_it_does_with_examples_that_parse(name):
    parser = subcommands()[name]
    assert parser.description and len(parser.description) > 40, name
    examples = [line.strip() for line in (parser.epilog or "").splitlines() if line.strip().startswith("autograder ")]
    assert examples, f"`autograder {name} --help` shows no example"
    for example in examples:
        build_parser().parse_args(shlex.split(example)[1:])   # SystemExit if an example is wrong
    assert all(action.help for action in parser._actions if action.dest != "help"), name


@pytest.mark.parametrize("target, says", [
    ("/nonexistent/notebook.ipynb", "找不到文件"),
    ("{tmp}", "是一个文件夹"),
    ("{tmp}/broken.ipynb", "不是可以评分的 Jupyter 笔记本"),
    ("{tmp}/notes.txt", "不是可以评分的 Jupyter 笔记本"),
])
def test_check_says_plainly_why_a_file_cannot_be_checked(tmp_path, target, says):
    (tmp_path / "broken.ipynb").write_text("{not json")
    (tmp_path / "notes.txt").write_text("{}")
    done = subprocess.run([str(ENTRY), "check", target.format(tmp=tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_instructor_mistakes_are_one_line(tmp_path):
    for command in (["autograde", "ps1_derivatives", "--course", str(tmp_path / "missing")],
                    ["autograde", "ps9_unknown", "--course", str(tmp_path)],
                    ["grade", "x.ipynb", "--assignment", "ps9_unknown"],
                    ["build", "--course", str(tmp_path)]):
        done = subprocess.run([str(ENTRY), *command], capture_output=True, text=True)
        assert done.returncode == 2, command
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_autograde_works_from_the_entry_point_without_an_activated_environment(tmp_path):
    """A course with no gradebook.db yet, no release/ and no source/ of its own, and a shell whose
    PATH lacks the virtual environment (nbgrader runs `alembic` from PATH)."""
    course = tmp_path / "course"
    make_submission("ps1_derivatives", course / "submitted" / "alice" / "ps1_derivatives" / "ps1_derivatives.ipynb")
    env = {"HOME": os.environ.get("HOME", "/root"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run([str(ENTRY), "autograde", "ps1_derivatives", "--course", str(course), "--no-progress"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (course / "gradebook.db").is_file() and (course / "grades.csv").is_file()
    assert "alice,ps1_derivatives,graded,12,12" in (course / "grades.csv").read_text()


def test_an_unwritten_function_is_said_once(tmp_path):
    notebook = tmp_path / "mine.ipynb"
    shutil.copy(release_notebook("ps1_derivatives"), notebook)
    done = subprocess.run([str(ENTRY), "check", str(notebook)], capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    for function in ("f", "f_prime", "numerical_derivative", "central_difference", "numerical_gradient"):
        mentions = [line for line in lines if re.match(rf"✗ {function}：", line)]
        assert len(mentions) == 1 and "还没有实现" in mentions[0], (function, mentions)
    assert sum("NotImplementedError" in line for line in lines) == 5   # once per function, not per test


def test_check_ends_at_once_yet_runs_exit_handlers_and_keeps_its_whole_report(tmp_path):
    """`check` skips the interpreter's teardown (autograder.cli.entry): what it printed into a pipe,
    its exit status and the handlers registered with atexit must all survive that."""
    mark, notebook = tmp_path / "handler-ran", str(release_notebook("ps1_derivatives"))
    def run(call: str) -> subprocess.CompletedProcess:
        program = ("import atexit, sys\nfrom autograder.cli import entry, main\n"
                   f"atexit.register(lambda: open({str(mark)!r}, 'w').write('yes'))\n"
                   f"sys.argv = ['autograder', 'check', {notebook!r}]\n{call}\n")
        return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    def report(done):   # the sandbox user differs when another check holds the first one
        return re.sub(r"uid \d+", "uid N", done.stdout)
    slow = run("sys.exit(main())")             # the interpreter's usual ending
    assert slow.returncode == 1 and "总分 0 / 12" in slow.stdout and mark.read_text() == "yes"
    mark.unlink()
    fast = run("entry()")
    assert fast.returncode == 1 and report(fast) == report(slow), fast.stderr[-2000:]
    assert mark.read_text() == "yes"
    module = subprocess.run([sys.executable, "-m", "autograder", "check", notebook], capture_output=True, text=True,
                            timeout=300)
    assert module.returncode == 1 and report(module) == report(slow)
