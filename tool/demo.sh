#!/bin/sh
# demo.sh: the pets walkthrough (sql/pets/walkthrough.sql) in the sqlite3
# shell, on a scratch database in a scratch directory that is removed
# afterwards.  `make demo` builds libmig and runs this.
#
#   tool/demo.sh [LIBRARY]      LIBRARY defaults to $MIG_LIB, else ./libmig.so
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
lib=${1:-${MIG_LIB:-$here/libmig.so}}
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
if [ ! -f "$lib" ]; then
  echo "demo.sh: no library at $lib: run make first" >&2
  exit 1
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
  echo "demo.sh: the sqlite3 shell is needed (apt-get install sqlite3)" >&2
  exit 1
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/libmig-demo.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir "$scratch/sql"
cp -R "$here/sql/pets" "$scratch/sql/pets"
echo "libmig demo: the pets app of the SQLModel tutorial, in the sqlite3 shell"
echo "(scratch directory $scratch, removed at the end)"
echo
cd "$scratch"
# The entry point is named, so that any file name works (libmig-asan.so).
sqlite3 -bail -cmd ".load $lib sqlite3_mig_init" app.db < sql/pets/walkthrough.sql
echo
echo "demo done: revision scripts were in $scratch/migrations"
