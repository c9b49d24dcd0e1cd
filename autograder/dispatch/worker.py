"""The one grading worker process (`python -m autograder.dispatch.worker`), for every path that
grades in a child process: the local pool of `grade --workers`/`autograde` (parallel.py), each
Dask worker's grading process (tasks.py, through a pool of one) and the service's warm workers
(service/backends.py).

It claims a sandbox user of its own (slots.py), then reads tasks as JSON lines on stdin until
stdin closes, and answers on `results_fd`, one JSON line each:

    in:   {"task": ID, "assignment": A, "paths": [...], "fingerprints": {path: fp}}
    out:  {"ready": slot}            once, when it can take work
          {"start": ID}              the task's Grader is warm: from here the watchdog allows each
                                     result its own time (watchdog.py)
          {"result": N}              each result as soon as it exists: the N bytes after this
                                     line are its results.json text (as_text), which the parent
                                     parses once and keeps (`read_result`) to write as it is
          {"done": ID}               the task is over (every result sent, or the grader failed)

One Grader per assignment, kept warm (its zygote) between tasks. Started for an assignment
(`--assignment`), it warms that Grader before it says "ready", on the batch's shared zygote
when given one (`--zygote FD --preload M,N`). Whatever grading prints goes to stderr, never
into the results.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import traceback
from pathlib import Path

from autograder.course.results import SubmissionResult, as_text
from autograder.dispatch.watchdog import stall_if_asked
from autograder.grading.engine import Grader
from autograder.sandbox.settings import SandboxSettings
from autograder.sandbox.slots import claim_slot
from autograder.sandbox.zygote_client import SandboxError

MODULE = "autograder.dispatch.worker"


def command(slot: int, settings: SandboxSettings, root: Path | None, results_fd: int, assignment: str = "",
            zygote_fd: int | None = None, preload: list[str] = (), ignore_interrupt: bool = False) -> list[str]:
    """The command line that starts a worker (the pool and the service both launch it so)."""
    line = [sys.executable, "-m", MODULE, str(slot), json.dumps(settings.to_state()), str(root or ""),
            str(results_fd)]
    if assignment:
        line += ["--assignment", assignment]
    if zygote_fd is not None:
        line += ["--zygote", str(zygote_fd), "--preload", ",".join(preload)]
    if ignore_interrupt:
        line.append("--ignore-interrupt")
    return line


def task_line(task: str | int, assignment: str, paths: list[str], fingerprints: dict) -> str:
    """One task as the worker reads it."""
    return json.dumps({"task": task, "assignment": assignment, "paths": paths, "fingerprints": fingerprints}) + "\n"


class Frames:
    """The worker's output, decoded as it arrives: one message per line, a result's line followed
    by its text (delivered as {"result": text})."""

    def __init__(self):
        self.buffer = b""

    def feed(self, data: bytes) -> list[dict]:
        self.buffer += data
        messages = []
        while (end := self.buffer.find(b"\n")) >= 0:
            if not self.buffer[:end].strip():
                self.buffer = self.buffer[end + 1:]
                continue
            message = json.loads(self.buffer[:end])
            rest = end + 1
            if "result" in message:
                if len(self.buffer) < rest + message["result"]:
                    break   # the rest of its text is still on its way
                message, rest = {"result": self.buffer[rest:rest + message["result"]].decode()}, rest + message["result"]
            self.buffer = self.buffer[rest:]
            messages.append(message)
        return messages


async def next_message(reader) -> dict | None:
    """The next message from an asyncio StreamReader on a worker's results; None at its end."""
    line = await reader.readline()
    if not line:
        return None
    message = json.loads(line)
    if "result" in message:
        message["result"] = (await reader.readexactly(message["result"])).decode()
    return message


def read_result(text: str) -> SubmissionResult:
    """A result as a worker sent it, parsed once. Its text rides along (`sent_text`): it is
    results.json's exact bytes, so the records write it instead of serialising the result again."""
    result = SubmissionResult.from_json(json.loads(text))
    result.sent_text = text
    return result


def sent_text(result: SubmissionResult) -> str | None:
    """The text a worker sent for this very result, or None (made here, or changed since:
    `dataclasses.replace` makes a new result without it, and ErrorResults.complete drops it)."""
    return getattr(result, "sent_text", None)


def warm(grader: Grader) -> None:
    """The assignment's zygote started and ready (torch imported where it is used)."""
    try:
        grader.zygote.wait_ready()
    except SandboxError:
        pass   # each submission will say so


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("slot", type=int)
    parser.add_argument("settings", help="SandboxSettings.to_state() as JSON")
    parser.add_argument("root", help="the course's root ('' for the package's own assignments)")
    parser.add_argument("results_fd", type=int)
    parser.add_argument("--assignment", default="", help="warm this assignment's Grader before saying ready")
    parser.add_argument("--zygote", type=int, help="a connection to the batch's zygote (for --assignment)")
    parser.add_argument("--preload", default="", help="what that zygote imported, comma-separated")
    parser.add_argument("--ignore-interrupt", action="store_true",
                        help="the service ends its workers by closing stdin, not with the terminal's Ctrl-C")
    args = parser.parse_args(argv)
    if args.ignore_interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(args.results_fd, "wb")
    os.dup2(2, 1)   # whatever grading prints goes to stderr, never into the results

    def send(message: dict, text: bytes = b"") -> None:
        out.write(json.dumps(message).encode() + b"\n" + text)
        out.flush()

    def send_result(result: SubmissionResult) -> None:
        text = as_text(result).encode("utf-8")   # the one serialisation of a result in this process
        send({"result": len(text)}, text)

    settings = SandboxSettings.from_state(json.loads(args.settings))
    root = Path(args.root) if args.root else None
    slot = claim_slot(settings.uid_base, first=args.slot)   # another run's worker may hold this one
    graders: dict[str, Grader] = {}
    try:
        if args.assignment:
            shared = None
            if args.zygote is not None:
                shared = (socket.socket(fileno=args.zygote), [m for m in args.preload.split(",") if m])
            graders[args.assignment] = Grader(args.assignment, settings, root, slot, shared_zygote=shared)
            warm(graders[args.assignment])   # while the parent is still busy
        send({"ready": slot})
        for line in iter(sys.stdin.readline, ""):
            task = json.loads(line)
            try:
                grader = graders.get(task["assignment"])
                if grader is None:
                    grader = graders[task["assignment"]] = Grader(task["assignment"], settings, root, slot)
                    warm(grader)
                send({"start": task["task"]})
                stall_if_asked(task["paths"])
                grader.grade(task["paths"], task.get("fingerprints"), on_result=send_result)
            except Exception:
                traceback.print_exc()
            send({"done": task["task"]})
    finally:
        for grader in graders.values():
            grader.close()


if __name__ == "__main__":
    main()
