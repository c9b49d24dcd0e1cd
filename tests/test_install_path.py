"""Grading does not depend on where the project is installed.

Every sandbox mounts a /tmp of its own, so an environment under /tmp (a clone made with
`mktemp -d`, a CI checkout) used to vanish from student code: any module the zygote had not
imported yet failed with ModuleNotFoundError (issue 22: a ps5 `train_mlp` calling `np.unique`
lost points). Here the project's own environment is put under a `mktemp -d` folder for real --
bind-mounted there in a private mount namespace, so its files sit at that path exactly as a
clone's would -- and `autograder grade` runs from it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_submission

from autograder.sandbox import fsview

ASSIGNMENT = "ps1_derivatives"
VENV = Path(sys.prefix)

# numpy.ma is imported by np.unique, not by `import numpy`: the zygote has not preloaded it.
LAZY_IMPORT = ("import numpy as np\n\ndef f(x):\n"
               "    np.unique(np.atleast_1d(x))\n"
               "    import fractions, json, packaging.version\n"
               "    return x ** 2\n")
# Right only if the installation under /tmp cannot be changed, renamed or removed, and /tmp is put
# back after each test beside it: the cell's file is always there, a test's file never outlives it.
PROBE = ("import os, shutil, sys\n"
         "open('/tmp/left-by-a-cell', 'w').write('1')\n\n"
         "def f(x):\n"
         "    mine = str(os.getpid())\n"
         "    ok = os.path.exists('/tmp/left-by-a-cell')\n"
         "    if os.path.exists('/tmp/left-by-a-test'):\n"
         "        ok = ok and open('/tmp/left-by-a-test').read() == mine\n"
         "    open('/tmp/left-by-a-test', 'w').write(mine)\n"
         "    top = '/tmp/' + sys.prefix.split('/')[2]\n"
         "    for attack in (lambda: open(os.path.join(sys.prefix, 'planted'), 'w'),\n"
         "                   lambda: os.rename(top, '/tmp/moved'),\n"
         "                   lambda: shutil.rmtree(sys.prefix),\n"
         "                   lambda: os.mkdir(top + '/planted'),\n"
         "                   lambda: os.remove(os.__file__)):\n"
         "        try:\n"
         "            attack()\n"
         "            ok = False\n"
         "        except OSError:\n"
         "            pass\n"
         "    return x ** 2 if ok else -1.0\n")


def _can_unshare() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-m", "--propagation", "private", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs a private mount namespace (unshare -m, as root)")
@pytest.mark.parametrize("isolation", ["root", "userns"])
def test_an_environment_under_tmp_grades_in_full(tmp_path, isolation):
    lazy = make_submission(ASSIGNMENT, tmp_path / "lazy.ipynb", {"f": LAZY_IMPORT})
    probe = make_submission(ASSIGNMENT, tmp_path / "probe.ipynb", {"f": PROBE})
    honest = make_submission(ASSIGNMENT, tmp_path / "honest.ipynb")
    script = tmp_path / "run.sh"
    script.write_text(
        "set -e\n"
        'home=$(mktemp -d)\n'              # under /tmp, like a clone made with mktemp -d
        'mkdir "$home/venv"\n'
        f'mount --bind {VENV} "$home/venv"\n'
        'cd /\n'
        '"$home/venv/bin/python" -c "import sys; print(sys.prefix)"\n'
        f'"$home/venv/bin/python" -m autograder grade {lazy} {probe} {honest} --assignment {ASSIGNMENT} '
        f'--json --isolation {isolation}\n'
        'umount "$home/venv"; rmdir "$home/venv" "$home"\n')
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "bash", str(script)],
                          capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PATH=f"{VENV / 'bin'}:{os.environ.get('PATH', '')}"))
    assert done.returncode == 0, done.stderr[-3000:]
    prefix, *lines = done.stdout.splitlines()
    assert prefix.startswith("/tmp/") and prefix.endswith("/venv"), prefix
    for line in lines:
        result = json.loads(line)
        failed = [(t["name"], t["output"][:300]) for t in result["tests"] if t["status"] == "failed"]
        assert result["status"] == "graded" and result["score"] == result["max_score"], (result["submission"], failed)
    assert len(lines) == 3


def test_an_installation_the_sandbox_cannot_show_is_refused_with_a_sentence():
    assert fsview.refusal(["/tmp/tmp.x1/venv", "/usr/lib/python3.11", "/opt/venv"]) is None
    for path in ("/tmp", "/proc/1/root/venv", "/sys/venv", fsview.SNAPSHOT + "/venv"):
        said = fsview.refusal(["/usr/lib", path])
        assert said and path in said and "install" in said and "\n" not in said, said
