"""The file system a submission sees: a read-only skeleton holding only what Python needs.

Built inside a fresh mount namespace and made the root with pivot_root, so the course, the hidden suites,
the gradebook, other submissions and home directories simply do not exist for student code.
Paths keep their real names (the Python installation sits where it sits outside), so imports
work unchanged. The only writable place is /tmp, a size-limited tmpfs of the submission's own
(its disk quota, charged to its memory cgroup), beside a snapshot tmpfs that only the supervisor
writes (see scratch.py).

An installation under /tmp (a clone made with `mktemp -d`, a CI checkout) would be hidden by
that tmpfs: it is put back inside it, read-only, on a small read-only skeleton of its own at
/tmp/<first folder>, which student code can neither write into, rename nor remove (a mount
point), and which the scratch directory's snapshots leave alone (another file system). An
installation where the sandbox mounts something else (/proc, /sys, the snapshot, /tmp itself)
cannot be shown: the grader refuses to start, saying so (`refusal`).
"""
from __future__ import annotations

import os
import sys

from autograder.sandbox import linux

SYSTEM_DIRS = ("usr", "lib", "lib64", "lib32", "bin", "sbin", "etc")
DEVICES = ("null", "zero", "random", "urandom", "full")
CPU_INFO = "/sys/devices/system/cpu"
SNAPSHOT = "/.snapshot"
INODES_PER_MB = 256   # a tmpfs's files cost kernel memory beyond its size: bound their number too
_SITE_DIRS = ("site-packages", "dist-packages")


def exposed_paths(hidden: list[str]) -> list[str]:
    """The Python installation and its import paths, minus those overlapping a hidden path.

    The installation prefixes are always kept (a virtualenv may live inside the course
    directory); hidden paths beneath them are masked by `build`.
    """
    prefixes = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    keep: list[str] = []
    for path in [*sorted(prefixes), *sys.path]:
        if not path or not os.path.isdir(path):
            continue
        real = os.path.realpath(path)
        if not any(_contains(p, real) for p in prefixes) and not real.endswith(_SITE_DIRS):
            continue  # the script's directory or the working directory, not an installation
        overlaps = any(_contains(h, real) or _contains(real, h) for h in hidden)
        if real == "/" or real in keep or (overlaps and real not in prefixes):
            continue
        keep.append(real)
    return keep


REPLACED = ("/proc", "/sys", SNAPSHOT)   # what the sandbox mounts over, whatever was there


def refusal(readonly: list[str]) -> str | None:
    """Why these paths cannot be shown in a sandbox (one sentence for the instructor), or None."""
    for path in readonly:
        if path == "/tmp" or any(_contains(top, path) for top in REPLACED):
            return (f"the Python installation ({path}) lies where every sandbox mounts a file system of its "
                    f"own ({'/tmp' if path == '/tmp' else next(t for t in REPLACED if _contains(t, path))}), so "
                    "student code could not import from it: install the project's environment elsewhere")
    return None


def _in_tmp(path: str) -> bool:
    return _contains("/tmp", path) and path != "/tmp"


def _contains(outer: str, inner: str) -> bool:
    """True when `inner` is `outer` or lies beneath it."""
    outer = outer.rstrip("/") or "/"
    return inner == outer or inner.startswith(outer + "/")


def bind_sources(readonly: list[str]) -> dict[str, int]:
    """Detached copies (open_tree) of everything `build` will mount, made while we still may:
    once in a user namespace mapped to an unprivileged user, /root/... is out of reach, and a
    plain bind mount cannot cross into a new mount namespace."""
    paths = ["/" + name for name in SYSTEM_DIRS if not os.path.islink("/" + name)]
    paths += [p for p in readonly] + ["/dev/" + d for d in DEVICES] + [CPU_INFO]
    sources = {}
    for path in paths:
        try:
            sources[path] = linux.open_tree(path)
        except OSError:
            pass  # missing, or a kernel before 5.2: build() binds by path instead
    return sources


def build(view: str, readonly: list[str], hidden: list[str], disk_mb: int, owner: int | None,
          sources: dict[str, int] | None = None) -> None:
    """Mount the skeleton on `view` and make it the root. Needs CAP_SYS_ADMIN in a new mount ns.
    /tmp and the snapshot are tmpfs of `disk_mb` each, owned by `owner` (None: by us)."""
    global _sources
    _sources = sources or {}
    linux.mount("none", "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.mount("tmpfs", view, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "mode=755,size=8m")
    for name in SYSTEM_DIRS:
        source = "/" + name
        if os.path.islink(source):
            os.symlink(os.readlink(source), os.path.join(view, name))
        elif source in _sources or os.path.isdir(source):
            _bind(source, view + source, writable=False)
    for path in readonly:
        if not any(_contains("/" + name, path) for name in SYSTEM_DIRS) and not _in_tmp(path):
            _bind(path, view + path, writable=False)
    os.makedirs(view + "/dev", exist_ok=True)
    for device in DEVICES:
        _bind("/dev/" + device, f"{view}/dev/{device}", writable=True)
    _bind(CPU_INFO, view + CPU_INFO, writable=False)
    os.makedirs(view + "/proc", exist_ok=True)
    linux.mount("proc", view + "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    options = f"size={disk_mb}m,nr_inodes={max(disk_mb, 1) * INODES_PER_MB}"
    if owner is not None:
        options += f",uid={owner},gid={owner}"
    for target, mode in ((view + "/tmp", "1777" if owner is None else "700"), (view + SNAPSHOT, "700")):
        os.makedirs(target, exist_ok=True)
        linux.mount("tmpfs", target, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, f"mode={mode},{options}")
    _show_in_tmp(view, [p for p in readonly if _in_tmp(p)])
    for path in hidden:
        # Only what lies inside an exposed tree needs masking (e.g. a non-editable install's
        # site-packages/autograder); a hidden directory that merely holds an exposed one (the
        # course holding its .venv) is absent from the skeleton already.
        inside = any(_contains(r, path) and r != path for r in readonly)
        holds = any(_contains(path, r) for r in readonly)
        target = view + path
        if inside and not holds and os.path.isdir(target):
            linux.mount("tmpfs", target, "tmpfs", linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV,
                        "mode=555,size=4k")
    # Nothing else may ever be created in the skeleton itself.
    linux.mount("none", view, None, linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY
                | linux.MS_NOSUID | linux.MS_NODEV)
    # pivot_root, not chroot: the old root is detached, so there is nothing to climb back to.
    os.chdir(view)
    linux.pivot_root(".", ".")
    linux.umount2(".", linux.MNT_DETACH)
    os.chdir("/tmp")


_sources: dict[str, int] = {}


def _show_in_tmp(view: str, paths: list[str]) -> None:
    """The installation's paths under /tmp, read-only inside the submission's own /tmp: each
    first folder /tmp/<name> on the way to one is a read-only tmpfs holding just the way there
    (or the path itself, bound there)."""
    tops: dict[str, list[str]] = {}
    for path in paths:
        tops.setdefault("/tmp/" + path.split("/")[2], []).append(path)
    for top, inside in tops.items():
        if top not in inside:
            os.makedirs(view + top, mode=0o755, exist_ok=True)
            linux.mount("tmpfs", view + top, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "mode=755,size=64k")
        for path in sorted(inside, key=len):
            _bind(path, view + path, writable=False)
        if top not in inside:
            linux.mount("none", view + top, None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID
                        | linux.MS_NODEV)


def _bind(source: str, target: str, writable: bool) -> None:
    fd = _sources.get(source)
    if fd is None and not os.path.exists(source):
        return
    is_dir = os.path.isdir(source) if fd is None else os.path.isdir(f"/proc/self/fd/{fd}")
    if is_dir:
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "a").close()
    if fd is not None:
        locked = os.fstatvfs(fd).f_flag
        linux.move_mount(fd, target)
    else:
        locked = os.statvfs(source).f_flag
        linux.mount(source, target, None, linux.MS_BIND | linux.MS_REC)
    flags = linux.MS_REMOUNT | linux.MS_BIND | linux.MS_NOSUID
    # Flags the kernel locked on the source mount must be repeated, or the remount fails.
    if locked & os.ST_NODEV or not source.startswith("/dev/"):
        flags |= linux.MS_NODEV
    if locked & os.ST_NOEXEC:
        flags |= linux.MS_NOEXEC
    if not writable:
        flags |= linux.MS_RDONLY
    linux.mount("none", target, None, flags)
