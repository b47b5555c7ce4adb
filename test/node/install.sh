#!/usr/bin/env bash
# test/node/install.sh: installs the Node packages the Node tests use into
# a cache directory outside the clone, once.
#
#     test/node/install.sh better-sqlite3     prints the node_modules dir
#     test/node/install.sh libsql             prints the node_modules dir
#
# The cache is ${MIG_NODE_CACHE:-$HOME/.cache/libmig/node}; each package
# gets a directory of its own there (a small npm project) and a stamp
# file naming the package version and the Node ABI it was built for.
# When the stamp matches, nothing is installed again: better-sqlite3 is
# compiled from source (prebuilt binaries cannot be downloaded here),
# which takes about 4 minutes on 2 cores and needs python3, make and g++.
#
# better-sqlite3 is pinned to a 12.x release: 13 crashes on Node 20, and
# the 12.x line bundles SQLite 3.53.  libsql's native engine comes as an
# npm package of its own per platform (@libsql/linux-x64-gnu ...).
#
# Progress goes to stderr, the node_modules path alone to stdout.  Exit
# status 2 means npm is missing (the caller decides whether to skip).
set -euo pipefail

BETTER_SQLITE3_VERSION=${MIG_BETTER_SQLITE3_VERSION:-12.11.1}
LIBSQL_VERSION=${MIG_LIBSQL_VERSION:-0.5.29}
cache=${MIG_NODE_CACHE:-${HOME:-/root}/.cache/libmig/node}

what=${1:?usage: install.sh better-sqlite3|libsql}
case $what in
  better-sqlite3) spec="better-sqlite3@$BETTER_SQLITE3_VERSION" ;;
  libsql)         spec="libsql@$LIBSQL_VERSION" ;;
  *) echo "install.sh: unknown package $what" >&2; exit 1 ;;
esac

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: node and npm are needed for $spec" >&2
  exit 2
fi

# One install at a time per package (several worktrees may share the
# cache): the second waits, then finds the first one's result.
mkdir -p "$cache"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.lock-$what"
  flock 9
fi

abi=$(node -p 'process.platform + "-" + process.arch + "-abi" + process.versions.modules')
dir="$cache/$what"
stamp="$dir/.libmig-stamp"
want="$spec $abi"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && (cd "$dir" && node -e "require('$what')") >/dev/null 2>&1; then
  echo "install.sh: $spec cached in $dir" >&2
  echo "$dir/node_modules"
  exit 0
fi

echo "install.sh: installing $spec into $dir (node $(node --version), $abi)" >&2
rm -rf "$dir"
mkdir -p "$dir"
printf '{"name":"libmig-test-%s","private":true}\n' "$what" >"$dir/package.json"

# Compile native code against the headers of the running Node (node-gyp
# would otherwise download them), and do not try prebuilt downloads.
nodedir=$(dirname "$(dirname "$(command -v node)")")
if [ -f "$nodedir/include/node/node.h" ]; then
  export npm_config_nodedir="$nodedir"
fi
export npm_config_build_from_source=true
export JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

start=$(date +%s)
(cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error "$spec" >&2)
if ! (cd "$dir" && node -e "require('$what')") >&2; then
  echo "install.sh: $spec installed but does not load" >&2
  exit 1
fi
echo "$want" >"$stamp"
echo "install.sh: $spec ready in $(( $(date +%s) - start )) s" >&2
echo "$dir/node_modules"
