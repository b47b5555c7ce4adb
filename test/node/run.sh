#!/bin/sh
# test/node/run.sh: what `make test-node` runs.
#
#     sh test/node/run.sh [words]     words choose test files, as run.js
#
# Installs (once, into ${MIG_NODE_CACHE:-$HOME/.cache/libmig/node}) the npm
# packages the tests load: better-sqlite3 12 (SQLite 3.53, compiled here
# from source, about 4 minutes the first time) and libsql; packs the Node
# package (make npm, dist/libmig-<version>.tgz); then runs
# test/node/run.js with NODE_PATH pointing into the cache.
#
# Without node or npm the tests are skipped with a message, except under
# CI (CI, or MIG_CI=1 as .ci/run sets it), where that is a failure.
set -eu

cd "$(dirname "$0")/../.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ -n "${CI:-}" ] || [ "${MIG_CI:-0}" != 0 ]; then
    echo "test-node: node and npm are needed, and CI never skips these tests" >&2
    exit 1
  fi
  echo "test-node: skipped: node and npm are not installed (the Node tests need Node 20 or newer and npm)"
  exit 0
fi

bs=$(test/node/install.sh better-sqlite3)
ls=$(test/node/install.sh libsql)
${MAKE:-make} --no-print-directory npm >&2

MIG_LIB=${MIG_LIB:-$PWD/libmig.so} \
MIG_NODE_BETTER_SQLITE3=$bs \
MIG_NODE_LIBSQL=$ls \
NODE_PATH="$bs:$ls" \
  exec node test/node/run.js "$@"
