"""The service's state is private to the account it runs as.

Its queue, uploads, stored results and pages, the tokens' hashes, and what it writes into the
course (the gradebook, grades.csv, submitted/, autograded/, feedback/) hold every student's
notebook and full results, hidden messages included. In hub mode students have accounts on the
same machine, so all of it is created private: the service runs with umask 077 (every file 0600,
every directory 0700 from the moment it exists, nothing chmodded afterwards), and its own
directories are made with mode 0700 explicitly. What an earlier version or another tool left
readable (the gradebook `nbgrader db` made 0644, an old 0755 state directory) is tightened once
at start, and said so in the log.
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

UMASK = 0o077
log = logging.getLogger("autograder.serve")


def enter() -> None:
    """From now on this process creates everything private."""
    os.umask(UMASK)


def private_dir(path: Path) -> Path:
    """`path` and any missing parent below an existing directory, each made 0700."""
    missing = []
    for parent in [path, *path.parents]:
        if parent.exists():
            break
        missing.append(parent)
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            pass
    tighten(path)
    return path


def tighten(path: Path) -> None:
    """A file or directory made before the service (or by another tool): no access for others."""
    try:
        mode = stat.S_IMODE(path.lstat().st_mode)
    except OSError:
        return
    if mode & 0o077 and not path.is_symlink():
        os.chmod(path, mode & 0o700)
        log.warning("%s was readable by other accounts (mode %o): now %o", path, mode, mode & 0o700)


def others_can_enter(path: Path) -> bool:
    """Whether accounts other than the owner (and its group) may pass through `path`."""
    try:
        return bool(path.stat().st_mode & stat.S_IXOTH)
    except OSError:
        return False
