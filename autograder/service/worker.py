"""A grading process of the service (`python -m autograder.service.worker`).

Like `autograder autograde`'s workers, but it lives as long as the service and grades any
assignment: one Grader per assignment (its zygote stays warm between submissions). Batches
arrive as JSON lines on stdin; each result goes out on `results_fd` as soon as it exists,
followed by a `done` line for the batch; a `start` line says grading has begun (the Grader
is ready), from when the service's watchdog allows each result its own time. It ends when stdin
closes (the service stopped).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from pathlib import Path

from autograder.dispatch.watchdog import stall_if_asked
from autograder.grading.engine import Grader
from autograder.sandbox.settings import SandboxSettings
from autograder.sandbox.slots import claim_slot
from autograder.sandbox.zygote_client import SandboxError


def main(slot: int, settings_json: str, root: str, results_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the service ends it by closing stdin
    out = os.fdopen(results_fd, "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)   # whatever grading prints goes to stderr, never into the results

    def send(message: dict) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")

    settings = SandboxSettings(**json.loads(settings_json))
    slot = claim_slot(settings.uid_base, first=slot)   # a sandbox user no other grading process here holds
    graders: dict[str, Grader] = {}
    try:
        send({"ready": slot})
        for line in iter(sys.stdin.readline, ""):
            task = json.loads(line)
            assignment = task["assignment"]
            try:
                if assignment not in graders:
                    graders[assignment] = Grader(assignment, settings, Path(root), slot)
                    warm(graders[assignment])
                # From here on the service's watchdog allows each result its own time (watchdog.py).
                send({"start": task["batch"]})
                stall_if_asked(task["paths"])
                graders[assignment].grade(task["paths"], task.get("fingerprints"),
                                          on_result=lambda r: send({"result": r.to_json()}))
            except Exception:
                traceback.print_exc()
            send({"done": task["batch"]})
    finally:
        for grader in graders.values():
            grader.close()


def warm(grader) -> None:
    """The assignment's zygote started and ready (torch imported where it is used)."""
    try:
        grader.zygote.wait_ready()
    except SandboxError:
        pass   # each submission will say so


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]))
