#!/usr/bin/env bash
# Sets up a fresh machine, then grades the sample submissions like an instructor and a learner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/autograder demo
