#!/usr/bin/env bash
# Builds the JupyterLab extension (labextension/) from its TypeScript source with the machine's
# node and npm, into the student distribution (student/autograder_lab/labextension), and makes this
# project's environment (.venv) load it and its Jupyter server extension (autograder_lab) straight
# from student/. Nothing is built again while the sources and the lock file are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
ext=labextension
out=student/autograder_lab/labextension
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    echo "note: node and npm are needed to build the JupyterLab extension (labextension/); skipped" >&2
    exit 0
fi
deps=$(cat $ext/package.json $ext/package-lock.json | sha256sum | cut -c1-16)
if [ ! -f $ext/node_modules/.autograder-deps ] || [ "$(cat $ext/node_modules/.autograder-deps)" != "$deps" ]; then
    (cd $ext && { npm ci --no-audit --no-fund --loglevel=error >/dev/null \
        || npm ci --no-audit --no-fund --loglevel=error >/dev/null; })   # once more if the registry hiccups
    echo "$deps" > $ext/node_modules/.autograder-deps
fi
source_hash=$(cat $ext/package.json $ext/package-lock.json $ext/tsconfig.json $ext/src/* $ext/style/* | sha256sum | cut -c1-16)
if [ ! -f $out/package.json ] || [ ! -f $out/.source-hash ] || [ "$(cat $out/.source-hash)" != "$source_hash" ]; then
    rm -rf $ext/lib $ext/tsconfig.tsbuildinfo $out
    (cd $ext && npx tsc && PATH="$PWD/../.venv/bin:$PATH" ../.venv/bin/jupyter-builder build . >/dev/null)
    echo "$source_hash" > $out/.source-hash
fi
# This environment's JupyterLab finds the built extension and enables the server extension, and its
# Python imports autograder_lab from student/ (what `pip install -e student` would do, without
# copying the built files into .venv).
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$PWD/student" > "$site/autograder_lab_dev.pth"
mkdir -p .venv/share/jupyter/labextensions .venv/etc/jupyter/jupyter_server_config.d
[ -L .venv/share/jupyter/labextensions/autograder-lab ] || rm -rf .venv/share/jupyter/labextensions/autograder-lab
ln -sfn "$PWD/$out" .venv/share/jupyter/labextensions/autograder-lab
rm -f .venv/etc/jupyter/jupyter_server_config.d/autograder-lab.json   # the full package's extension, before
cp student/jupyter-config/jupyter_server_config.d/autograder_lab.json .venv/etc/jupyter/jupyter_server_config.d/
