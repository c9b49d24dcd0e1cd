#!/usr/bin/env bash
# Creates .venv (Python 3.11) and installs the project with its pinned dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(command -v python3.11 || command -v python3)
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "Python 3.11 is required (found $("$python" --version))" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e . 2>&1 \
    | grep -v "^WARNING: Location 'file:" || true
.venv/bin/python -c "import autograder, torch, nbgrader" # fail early if the install did not work
bash scripts/build_lab.sh   # the JupyterLab extension, from its TypeScript source (skipped when built)
