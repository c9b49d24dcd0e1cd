"""The submission's scratch directory (/tmp) between tests: every test starts from what the
notebook's cells left there.

After the cells, the supervisor copies the scratch directory into a snapshot directory that
student code cannot write; after every test it compares the scratch directory with its state at
that moment and, if anything changed, empties it and copies the snapshot back. Files only
(regular files, directories, symbolic links, FIFOs): nothing is ever followed or opened for its
effects, so a hostile tree (links, FIFOs, unreadable modes, deep nesting) cannot trap the copier.
Other file systems mounted inside it (the read-only Python installation of a project kept under
/tmp, fsview.py) are not the submission's and are left alone.
"""
from __future__ import annotations

import os
import stat

CHUNK = 1 << 20


def listing(root: str) -> dict[str, tuple]:
    """What identifies the tree's state: relative path -> (inode, change time, size, mode).
    Directories a test made unreadable are made readable (which shows as a change)."""
    return {os.path.relpath(path, root): (st.st_ino, st.st_ctime_ns, st.st_size, st.st_mode)
            for path, st in _walk(root, readable=True)}


def clear(root: str) -> None:
    """Remove everything inside `root` (not root itself), whatever its modes."""
    device = os.lstat(root).st_dev
    os.chmod(root, stat.S_IMODE(os.lstat(root).st_mode) | stat.S_IRWXU)
    stack = [root]
    directories = []
    while stack:
        directory = stack.pop()
        directories.append(directory)
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.stat(follow_symlinks=False).st_dev != device:
                    continue   # a mount point: not ours to empty
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
    device = os.lstat(root).st_dev
    while stack:
        directory = stack.pop()
        mode = os.lstat(directory).st_mode
        if readable and mode & stat.S_IRWXU != stat.S_IRWXU:   # (a chmod alone changes the ctime)
            os.chmod(directory, stat.S_IMODE(mode) | stat.S_IRWXU)
        with os.scandir(directory) as entries:
            found = list(entries)
        for entry in found:
            st = entry.stat(follow_symlinks=False)
            if st.st_dev != device:
                continue   # another file system mounted here (fsview's read-only installation)
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
        self.state: dict[str, tuple] | None = None
        self.mode = 0o700

    def take(self) -> None:
        """Remember the scratch directory as it is now (after the cells)."""
        clear(self.snapshot)
        copy(self.path, self.snapshot)   # (first: it may make unreadable files readable)
        self.state = listing(self.path)
        self.mode = stat.S_IMODE(os.lstat(self.path).st_mode)

    def restore(self) -> bool:
        """Put the remembered state back if anything changed; True when something was restored.
        Only what changed is removed and copied back, so a large /tmp that a test left alone
        costs nothing but a listing."""
        if self.state is None:
            return False
        current = listing(self.path)
        if current == self.state:
            return False
        for relative in sorted(current, key=lambda r: r.count(os.sep), reverse=True):   # deepest first
            entry, kept = current[relative], self.state.get(relative)
            if kept is not None and (entry == kept or (stat.S_ISDIR(entry[3]) and stat.S_ISDIR(kept[3]))):
                continue   # unchanged, or a directory whose contents are being put right
            path = os.path.join(self.path, relative)
            os.chmod(os.path.dirname(path), stat.S_IRWXU)
            if stat.S_ISDIR(entry[3]):
                clear(path)
                os.rmdir(path)
            else:
                os.unlink(path)
        for relative in sorted(self.state, key=lambda r: r.count(os.sep)):   # parents first
            path = os.path.join(self.path, relative)
            if not os.path.lexists(path):
                os.chmod(os.path.dirname(path), stat.S_IRWXU)
                _copy_entry(os.path.join(self.snapshot, relative), path)
        for relative, kept in self.state.items():   # modes last: a read-only directory stays writable until now
            if stat.S_ISDIR(kept[3]):
                os.chmod(os.path.join(self.path, relative), stat.S_IMODE(kept[3]))
        os.chmod(self.path, self.mode)
        self.state = listing(self.path)
        return True


def _copy_entry(source: str, destination: str) -> None:
    st = os.lstat(source)
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISDIR(st.st_mode):
        os.mkdir(destination, stat.S_IRWXU)
        copy(source, destination)
    elif stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(source), destination)
    elif stat.S_ISREG(st.st_mode):
        _copy_file(source, destination, mode)
    elif stat.S_ISFIFO(st.st_mode):
        os.mkfifo(destination, mode)
