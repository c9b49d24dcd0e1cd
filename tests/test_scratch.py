"""/tmp between tests: whatever a test does to it, the next test sees what the cells left."""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from autograder.sandbox.scratch import Scratch


def tree(root: Path) -> dict:
    """Everything that a student could observe: types, contents, link targets, modes."""
    seen = {}
    for directory, subdirs, files in os.walk(root):
        for name in subdirs + files:
            path = Path(directory, name)
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                seen[str(path.relative_to(root))] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                seen[str(path.relative_to(root))] = ("dir", stat.S_IMODE(st.st_mode))
            elif stat.S_ISFIFO(st.st_mode):
                seen[str(path.relative_to(root))] = ("fifo", stat.S_IMODE(st.st_mode))
            else:
                seen[str(path.relative_to(root))] = ("file", stat.S_IMODE(st.st_mode), path.read_bytes())
    return seen


NOBODY = 65534


def as_sandbox_user(function) -> None:
    """Run `function` in a child process as an unprivileged user, as the supervisor runs (root
    could read and remove anything whatever its modes, and would prove nothing)."""
    if os.geteuid() != 0:
        function()
        return
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            function()
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


@pytest.fixture
def scratch():
    base = Path(tempfile.mkdtemp(prefix="scratch-test-"))
    os.chmod(base, 0o711)
    work, snapshot = base / "tmp", base / "snapshot"
    work.mkdir()
    snapshot.mkdir()
    (work / "data.txt").write_text("from the cells")
    (work / "nested" / "deeper").mkdir(parents=True)
    (work / "nested" / "deeper" / "values.npy").write_bytes(b"\x00" * 4096)
    (work / "link").symlink_to("/etc/passwd")
    os.mkfifo(work / "pipe")
    (work / "private").mkdir(mode=0o500)
    (work / "secret.txt").write_text("x")
    os.chmod(work / "secret.txt", 0o000)
    if os.geteuid() == 0:
        for directory, subdirs, files in os.walk(base):
            for name in [directory, *(os.path.join(directory, n) for n in subdirs + files)]:
                os.lchown(name, NOBODY, NOBODY)
    yield work
    shutil.rmtree(base, ignore_errors=True)


def test_an_untouched_tmp_is_left_alone(scratch):
    work = scratch

    def check():
        keeper = Scratch(str(work), str(work.parent / "snapshot"))
        keeper.take()
        before, inode = tree(work), (work / "data.txt").stat().st_ino
        assert keeper.restore() is False
        assert tree(work) == before and (work / "data.txt").stat().st_ino == inode

    as_sandbox_user(check)


def attack_new_files(work):
    (work / "marker").write_text("seen")
    (work / "nested" / "deeper" / "more").mkdir()


def attack_same_size_rewrite(work):
    (work / "data.txt").write_text("FROM THE CELLS")   # same length, other bytes


def attack_deletions(work):
    (work / "data.txt").unlink()
    os.chmod(work / "private", 0o700)
    os.rmdir(work / "private")
    os.unlink(work / "nested" / "deeper" / "values.npy")


def attack_types_swapped(work):
    (work / "data.txt").unlink()
    (work / "data.txt").mkdir()
    (work / "data.txt" / "inside").write_text("?")
    (work / "link").unlink()
    (work / "link").write_text("no longer a link")
    os.unlink(work / "pipe")
    os.symlink("/", work / "pipe")


def attack_modes(work):
    os.chmod(work / "nested", 0o000)
    os.chmod(work, 0o500)


def attack_deep_tree(work):
    path = work
    for i in range(300):
        path = path / f"d{i}"
        path.mkdir()
    (path / "bottom").write_text("deep")


@pytest.mark.parametrize("attack", [attack_new_files, attack_same_size_rewrite, attack_deletions,
                                    attack_types_swapped, attack_modes, attack_deep_tree])
def test_whatever_a_test_did_is_undone(scratch, attack):
    work = scratch

    def check():
        keeper = Scratch(str(work), str(work.parent / "snapshot"))
        keeper.take()
        before = tree(work)
        attack(work)
        assert keeper.restore() is True
        assert tree(work) == before
        assert keeper.restore() is False   # and the restored state is the new baseline

    as_sandbox_user(check)
