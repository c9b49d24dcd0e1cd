#!/usr/bin/env bash
# Sets up a fresh machine and runs every test of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"   # nbgrader calls alembic, installed in the venv
exec .venv/bin/python -m pytest "$@"
