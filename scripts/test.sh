#!/usr/bin/env bash
# Sets up a fresh machine and runs every test of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 \
    | grep -v "^WARNING: Location 'file:" || true
# The pages (feedback, class report, the JupyterLab panel) are tested in a real headless browser.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "CJK"; then
    if [ "$(id -u)" = 0 ]; then
        packages="chromium chromium-driver fonts-noto-cjk"
        apt-get install -y -q $packages >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q $packages >/dev/null; }
    else
        echo "note: the browser tests need Debian's chromium, chromium-driver and fonts-noto-cjk (apt-get install, as root)" >&2
    fi
fi
export PATH="$PWD/.venv/bin:$PATH"   # nbgrader calls alembic, installed in the venv
exec .venv/bin/python -m pytest "$@"
