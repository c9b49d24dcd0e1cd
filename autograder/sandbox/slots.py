"""Which sandbox user a grading process runs student code as: one slot per process on a machine.

Each worker process claims a slot of its own (`claim_slot`): slot k runs student code as
uid_base + k, and a slot is held by binding an abstract Unix socket named after that user, which
the kernel releases when the process ends, however it ends. Any number of worker processes per
machine (`dask worker --nworkers N`, several workers, local pools) get distinct users.
"""
from __future__ import annotations

import os
import socket
import sys

DASK_FIRST_SLOT = 100        # local pools use slots 1..workers, `grade` and `check` slot 0
SLOTS = 900

_claimed: dict[int, tuple[int, socket.socket | None]] = {}


def claim_slot(uid_base: int, first: int = DASK_FIRST_SLOT, count: int = SLOTS) -> int:
    """A worker slot no other process on this machine holds, kept until this process ends."""
    if uid_base in _claimed:
        return _claimed[uid_base][0]
    if not sys.platform.startswith("linux"):   # no abstract sockets: best effort
        slot = first + os.getpid() % count
        _claimed[uid_base] = (slot, None)
        return slot
    for slot in range(first, first + count):
        holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            holder.bind(f"\0autograder-uid-{uid_base + slot}")
        except OSError:
            holder.close()
            continue
        _claimed[uid_base] = (slot, holder)
        return slot
    raise RuntimeError(f"every sandbox user {uid_base + first}..{uid_base + first + count - 1} is taken "
                       "by another grading process on this machine")


def slot_of_this_process(uid_base: int) -> int | None:
    """The slot this process holds, if any (for tests and diagnostics)."""
    return _claimed.get(uid_base, (None,))[0]
