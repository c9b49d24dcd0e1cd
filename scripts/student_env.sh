#!/usr/bin/env bash
# bash scripts/student_env.sh DIR
#
# Builds a student's environment in DIR: a virtual environment (Python 3.11) with JupyterLab, the
# course's JupyterLab extension and its thin server extension (the `autograder-lab` distribution,
# student/), and what the notebooks import (numpy, torch, matplotlib), pinned as the course's own
# environment pins them. Nothing of the answer key: no `autograder` package, no reference
# solutions, no hidden suites, no nbgrader (so none of its instructor tools in JupyterLab).
# The wheel it installs is left in dist/ for a JupyterHub image (docs/student-environment.md).
# Run again with the same inputs, it does nothing.
set -euo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: bash scripts/student_env.sh DIR" >&2
    exit 2
fi
target=$(realpath -m "$1")
cd "$(dirname "$0")/.."
repo=$PWD
python=$(command -v python3.11 || command -v python3)
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "Python 3.11 is required (found $("$python" --version))" >&2
    exit 1
fi

# The JupyterLab extension is built from labextension/ with the course's own environment's builder.
[ -x .venv/bin/jupyter-builder ] || bash scripts/setup.sh
bash scripts/build_lab.sh
if [ ! -f student/autograder_lab/labextension/package.json ]; then
    echo "student_env.sh: the JupyterLab extension is not built (node and npm are needed)" >&2
    exit 1
fi

# What goes in, hashed: when DIR already holds exactly this, nothing is done.
stamp=$( (cd student && find autograder_lab pyproject.toml jupyter-config -type f ! -name '*.pyc' | LC_ALL=C sort \
          | xargs sha256sum; "$python" --version) | sha256sum | cut -c1-16)
if [ -f "$target/.autograder-lab-stamp" ] && [ "$(cat "$target/.autograder-lab-stamp")" = "$stamp" ]; then
    echo "student environment in $target is up to date"
    exit 0
fi

rm -rf student/build dist/autograder_lab-*.whl
.venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps -w dist ./student 2>&1 \
    | grep -v "^WARNING: Location 'file:" || true
rm -rf student/build student/*.egg-info
wheel=$(ls dist/autograder_lab-*.whl)

rm -rf "$target"
"$python" -m venv "$target"
"$target/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel[notebooks]" 2>&1 \
    | grep -v "^WARNING: Location 'file:" || true
# Fail here, not in a student's browser: the tools are there, the answer key and nbgrader are not.
"$target/bin/python" -I - <<'EOF'   # -I: not this directory's autograder/
import importlib.util, sys
missing = [m for m in ("autograder_lab", "jupyterlab", "numpy", "torch", "matplotlib") if not importlib.util.find_spec(m)]
present = [m for m in ("autograder", "solutions", "nbgrader") if importlib.util.find_spec(m)]
if missing or present:
    sys.exit(f"student environment is wrong: missing {missing}, present {present}")
EOF
[ -f "$target/share/jupyter/labextensions/autograder-lab/package.json" ] \
    || { echo "student_env.sh: the JupyterLab extension was not installed" >&2; exit 1; }
echo "$stamp" > "$target/.autograder-lab-stamp"
echo "student environment in $target ($(du -sh "$target" | cut -f1)); start it with:"
echo "  AUTOGRADER_SERVICE_URL=http://HOST:8765/ AUTOGRADER_TOKEN=agt_... $target/bin/jupyter lab"
echo "the wheel for a JupyterHub image: $repo/$wheel"
