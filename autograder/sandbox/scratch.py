"""The submission's scratch directory (/tmp) between tests: every test starts from what the
notebook's cells left there.

After the cells, the supervisor copies the scratch directory into a snapshot directory that
student code cannot write; after every test it compares the scratch directory with its state at
that moment and, if anything changed, empties it and copies the snapshot back. Files only
(regular files, directories, symbolic links, FIFOs): nothing is ever followed or opened for its
effects, so a hostile tree (links, FIFOs, unreadable modes, deep nesting) cannot trap the copier.
"""
from __future__ import annotations

import os
import stat

CHUNK = 1 << 20


def listing(root: str) -> frozenset:
    """What identifies the tree's state: paths, inodes, change times, sizes, modes."""
    entries = []
    for path, st in _walk(root):
        entries.append((path, st.st_ino, st.st_ctime_ns, st.st_size, st.st_mode))
    return frozenset(entries)


def clear(root: str) -> None:
    """Remove everything inside `root` (not root itself), whatever its modes."""
    os.chmod(root, stat.S_IMODE(os.lstat(root).st_mode) | stat.S_IRWXU)
    stack = [root]
    directories = []
    while stack:
        directory = stack.pop()
        directories.append(directory)
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    os.chmod(entry.path, stat.S_IRWXU)
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
    for directory in reversed(directories[1:]):
        os.rmdir(directory)


def copy(source: str, target: str) -> None:
    """Copy the tree inside `source` into the (empty) directory `target`, modes kept."""
    modes = []
    for path, st in _walk(source, readable=True):
        relative = os.path.relpath(path, source)
        destination = os.path.join(target, relative)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            os.mkdir(destination, stat.S_IRWXU)
            modes.append((destination, mode))
        elif stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(path), destination)
        elif stat.S_ISREG(st.st_mode):
            _copy_file(path, destination, mode)
        elif stat.S_ISFIFO(st.st_mode):
            os.mkfifo(destination, mode)
    for destination, mode in reversed(modes):   # innermost first: a read-only parent comes last
        os.chmod(destination, mode)


def _copy_file(source: str, destination: str, mode: int) -> None:
    reader = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        writer = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, stat.S_IRWXU)
        try:
            while chunk := os.read(reader, CHUNK):
                os.write(writer, chunk)
            os.fchmod(writer, mode)
        finally:
            os.close(writer)
    finally:
        os.close(reader)


def _walk(root: str, readable: bool = False):
    """(path, lstat) of everything beneath root, parents before children; with `readable`, make
    each directory and file readable by its owner (us) first."""
    stack = [root]
    while stack:
        directory = stack.pop()
        if readable:
            os.chmod(directory, stat.S_IMODE(os.lstat(directory).st_mode) | stat.S_IRWXU)
        with os.scandir(directory) as entries:
            found = list(entries)
        for entry in found:
            st = entry.stat(follow_symlinks=False)
            if readable and stat.S_ISREG(st.st_mode) and not st.st_mode & stat.S_IRUSR:
                os.chmod(entry.path, stat.S_IMODE(st.st_mode) | stat.S_IRUSR)
                st = entry.stat(follow_symlinks=False)
            yield entry.path, st
            if stat.S_ISDIR(st.st_mode):
                stack.append(entry.path)


class Scratch:
    """The scratch directory and its snapshot, as the supervisor sees them."""

    def __init__(self, path: str, snapshot: str):
        self.path = path
        self.snapshot = snapshot
        self.state: frozenset | None = None

    def take(self) -> None:
        """Remember the scratch directory as it is now (after the cells)."""
        clear(self.snapshot)
        copy(self.path, self.snapshot)
        self.state = listing(self.path)

    def restore(self) -> bool:
        """Put the remembered state back if anything changed; True when something was restored."""
        if self.state is None or listing(self.path) == self.state:
            return False
        clear(self.path)
        copy(self.snapshot, self.path)
        self.state = listing(self.path)
        return True
