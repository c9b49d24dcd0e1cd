#!/usr/bin/env bash
# Builds the JupyterLab extension (labextension/) from its TypeScript source with the machine's
# node and npm, and makes the environment's JupyterLab load it and its server extension
# (autograder.service.lab). Nothing is done again while the sources and the lock file are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
ext=labextension
out=$ext/build/autograder-lab
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
if [ ! -f $out/package.json ] || [ ! -f $ext/build/.source-hash ] || [ "$(cat $ext/build/.source-hash)" != "$source_hash" ]; then
    rm -rf $ext/lib $ext/tsconfig.tsbuildinfo
    (cd $ext && npx tsc && PATH="$PWD/../.venv/bin:$PATH" ../.venv/bin/jupyter-builder build . >/dev/null)
    echo "$source_hash" > $ext/build/.source-hash
fi
# The environment's JupyterLab finds the built extension and enables the server extension.
mkdir -p .venv/share/jupyter/labextensions .venv/etc/jupyter/jupyter_server_config.d
ln -sfn "$PWD/$out" .venv/share/jupyter/labextensions/autograder-lab
echo '{"ServerApp": {"jpserver_extensions": {"autograder.service.lab": true}}}' \
    > .venv/etc/jupyter/jupyter_server_config.d/autograder-lab.json
