#!/usr/bin/env bash
# sqlite-matrix.sh: libmig's test suite against other versions of SQLite.
#
#   tool/sqlite-matrix.sh build [VERSION...]     build into the cache
#   tool/sqlite-matrix.sh test VERSION [WORD...]  run test/all.tcl (files
#                                                 matching WORDs) on VERSION
#   tool/sqlite-matrix.sh matrix [VERSION...]     build, then test each one
#                                                 (none: VERSIONS, then the
#                                                 EXTRA and FLOOR checks)
#   tool/sqlite-matrix.sh ci                      the same without the
#                                                 VERSION_FREE files (what
#                                                 CI runs)
#   tool/sqlite-matrix.sh core                    the same with CORE_TESTS
#                                                 only (a short run)
#   tool/sqlite-matrix.sh floor [VERSION]         the below-the-floor check
#   tool/sqlite-matrix.sh run VERSION CMD...      run CMD in VERSION's
#                                                 environment (see below)
#   tool/sqlite-matrix.sh env VERSION             print that environment as
#                                                 `export` lines, for eval
#   tool/sqlite-matrix.sh list                    the versions and sources
#
# VERSION is one of the versions below; without one, all of them.
# `make matrix` and `make test-sqlite V=3.37.2` call this.
#
# Sources.  Each version is built from the SQLite amalgamation that an npm
# release of better-sqlite3 bundles, fetched with `npm pack` (the oldest
# keep it in deps/sqlite3.tar.gz, later ones in deps/sqlite3/).  The Tcl
# binding (tclsqlite3.c) and the shell (shell.c) are not in those; they
# come from the autoconf tree that npm releases of node-sqlite3 bundle,
# which exists for 3.31.1, 3.34.0, 3.44.2 and 3.52.0 only.  Where it is
# not the version under test, the nearest OLDER one is used (it calls only
# API the version under test has), compiled against the header of the
# version under test, so the package reports that version.  The library,
# the binding and the shell are compiled with the SQLITE_* options of
# Debian 12's libsqlite3 (see DEFS below).
#
# Cache.  ${MIG_SQLITE_CACHE:-$HOME/.cache/libmig/sqlite}, outside the
# clone and shared by all checkouts:
#   dl/<package>-<version>.tgz   the npm tarballs, as fetched
#   <version>/BUILD              what it was built from and how; a build
#                                whose BUILD differs (another recipe,
#                                compiler or CFLAGS) is built again
#   <version>/src/               sqlite3.c, shell.c, tclsqlite3.c used
#   <version>/include/           sqlite3.h, sqlite3ext.h
#   <version>/lib/libsqlite3.so.0 (and libsqlite3.so)
#   <version>/bin/sqlite3        the shell, linked to lib/ (rpath)
#   <version>/tcl/               libtclsqlite3.so and pkgIndex.tcl
# A build happens in a scratch directory and is renamed into place when it
# is complete and checked, under a lock (flock), so an interrupted build
# leaves nothing half-made and two runs never build the same version at
# once.
#
# Environment of a version (`run`, `test`; `env` prints it):
#   TCLLIBPATH=<v>/tcl    `package require sqlite3` loads that version (its
#                         pkgIndex.tcl makes it the only sqlite3 package
#                         known, or Tcl would pick the newest installed)
#   LD_LIBRARY_PATH=<v>/lib   every libsqlite3.so.0 user, such as Debian's
#                         python3 sqlite3 module, gets that version
#   PATH=<v>/bin:...      the `sqlite3` shell is that version
#   MIG_FAULTVFS          test/faultvfs-<v>.so, the fault injector of
#                         fault.test and oom.test built against it
#   MIG_SQLITE_VERSION=<v>   tester.tcl refuses to run when the SQLite it
#                         got is another one
#
# Settings: MIG_LIB (the libmig under test, default ./libmig.so; built
# with `make` when missing), CC, MIG_SQLITE_CFLAGS (default -O2),
# MIG_MATRIX_JOBS (builds at once, default: the number of cores), TCLSH,
# MIG_MATRIX_TESTS (`matrix` only: words that pick the test files run on
# each version of VERSIONS, as test/all.tcl's arguments; default: all;
# `ci` and `core` pass ~VERSION_FREE and CORE_TESTS below).
# Needs npm, a C compiler, and Tcl's headers and stub library (Debian:
# tcl-dev).  Logs of test runs go to test/tmp/matrix/<version>.log.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MIG_SQLITE_CACHE:-$HOME/.cache/libmig/sqlite}
VERSIONS=(3.31.1 3.34.0 3.37.2 3.45.1 3.53.2)
# Also built and tried by `matrix` (none of them is in VERSIONS):
#   EXTRA   the SQLite bugs libmig works around: the test files of
#           EXTRA_TESTS only (3.44.2 fails ADD COLUMN followed by dropping
#           and creating an FTS5 table in one transaction);
#   FLOOR   below libmig's floor (3.31.1): `.load` in its shell and
#           load_extension in Tcl must refuse with a message that names
#           the running version and the floor.
EXTRA=(3.44.2)
EXTRA_TESTS=(compat)
FLOOR=(3.30.1)
# What issue 17 asks of every version, in the files that test it: the
# pets and blog walkthroughs (demo), rebuilds under views and triggers
# (rebuild), the diff and its emptiness after an upgrade, downgrades
# (diff, autogen, revision), mig_schema, mig_check and mig_test (schema,
# check, models), scripts that travel (compat), offline SQL (offline).
# `tool/sqlite-matrix.sh core` (and CI by default) runs these.
CORE_TESTS=(demo rebuild diff autogen revision schema check models compat offline)
# The test files whose outcome does not depend on the SQLite version,
# which `ci` (CI's matrix) leaves out: make test runs them on the
# system's SQLite.  Every other file runs on every version.
#   pkg_python    the wheel: make wheel, a venv, pip (python.test loads
#                 libmig into Python's sqlite3 on each version);
#   install       make install and uninstall, the manual pages;
#   amalgamation  the one-file build libmig.c and its compilers (the
#                 suite it runs is the suite itself);
#   cache         the listings' cache of script files (stat data);
#   dqlite        a dqlite cluster running the dqlite form (the form
#                 itself, mig_sql's text, is form.test, on each version);
#   readme        the README's transcripts, made with SQLite 3.40's shell
#                 (skipped on every other version).
# Together about a third of a version's time; without them the matrix of
# every version, cold (the seven builds) and then tested, stays within
# CI's 15 minutes.
VERSION_FREE=(pkg_python install amalgamation cache dqlite readme)
# Bump when the way a version is built changes: older builds are redone.
RECIPE=1
CC=${CC:-cc}
CFLAGS=${MIG_SQLITE_CFLAGS:--O2}
# SQLite's sources are not ours to warn about (old ones upset new compilers).
SQLWARN=-w
TCLSH=${TCLSH:-tclsh}

die() { echo "sqlite-matrix: $*" >&2; exit 1; }
note() { echo "sqlite-matrix: $*" >&2; }

# 3.37.2 -> 3037002, as sqlite3_libversion_number().
vnum() {
  local a b c
  IFS=. read -r a b c <<<"$1"
  echo $((a * 1000000 + b * 1000 + ${c:-0}))
}

# Sets amal (the better-sqlite3 release with VERSION's amalgamation), aux
# (the node-sqlite3 release with the shell and Tcl binding) and auxver
# (the SQLite version of those).
sources() {
  case $1 in
    3.31.1) amal=better-sqlite3@7.0.1  aux=sqlite3@4.2.0 auxver=3.31.1 ;;
    3.34.0) amal=better-sqlite3@7.1.2  aux=sqlite3@5.0.2 auxver=3.34.0 ;;
    3.37.2) amal=better-sqlite3@7.5.0  aux=sqlite3@5.0.2 auxver=3.34.0 ;;
    3.45.1) amal=better-sqlite3@9.4.0  aux=sqlite3@5.1.7 auxver=3.44.2 ;;
    3.53.2) amal=better-sqlite3@12.11.1 aux=sqlite3@6.0.1 auxver=3.52.0 ;;
    3.44.2) amal=sqlite3@5.1.7          aux=sqlite3@5.1.7 auxver=3.44.2 ;;
    3.30.1) amal=sqlite3@4.1.1          aux=sqlite3@4.1.1 auxver=3.30.1 ;;
    *) die "unknown version '$1' (known: ${VERSIONS[*]} ${EXTRA[*]} ${FLOOR[*]})" ;;
  esac
}

# The compile options of Debian 12's libsqlite3 (`PRAGMA compile_options`
# of its 3.40.1, and debian/rules), for VERSION: JSON1 is an option only
# before 3.38 (built in since; Debian enabled it), the math functions
# exist from 3.35.  SQLITE_ENABLE_DESERIALIZE before 3.36 (the default
# from then on) is not Debian 11's choice: Debian 12's python3 sqlite3
# module links sqlite3_serialize, and could not load the library without
# it.  The HAVE_* are what Debian's configure finds on glibc (usleep
# matters: without it SQLite sleeps whole seconds when busy).
defs() {
  local n
  n=$(vnum "$1")
  local d=(
    -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_DBSTAT_VTAB
    -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS
    -DSQLITE_ENABLE_FTS3_TOKENIZER -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5
    -DSQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_ENABLE_PREUPDATE_HOOK
    -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_STMTVTAB
    -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT
    -DSQLITE_LIKE_DOESNT_MATCH_BLOBS -DSQLITE_MAX_SCHEMA_RETRY=25
    -DSQLITE_MAX_VARIABLE_NUMBER=250000 -DSQLITE_OMIT_LOOKASIDE
    -DSQLITE_SECURE_DELETE -DSQLITE_SOUNDEX -DSQLITE_TEMP_STORE=1
    -DSQLITE_THREADSAFE=1 -DSQLITE_USE_URI=1
    -DHAVE_USLEEP=1 -DHAVE_LOCALTIME_R=1 -DHAVE_GMTIME_R=1 -DHAVE_ISNAN=1
    -DHAVE_FDATASYNC=1 -DHAVE_STRCHRNUL=1 -DHAVE_POSIX_FALLOCATE=1
  )
  if [ "$n" -lt 3038000 ]; then d+=(-DSQLITE_ENABLE_JSON1); fi
  if [ "$n" -ge 3035000 ]; then d+=(-DSQLITE_ENABLE_MATH_FUNCTIONS); fi
  if [ "$n" -lt 3036000 ]; then d+=(-DSQLITE_ENABLE_DESERIALIZE); fi
  echo "${d[*]}"
}

# Tcl's compile and link flags for a stubs-enabled extension.
tclflags() {
  local cfg="${MIG_TCL_CONFIG:-}" d
  if [ -z "$cfg" ]; then
    for d in "$(echo 'puts [::tcl::pkgconfig get libdir,install]' | "$TCLSH" 2>/dev/null)" \
             /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
      if [ -n "$d" ] && [ -f "$d/tclConfig.sh" ]; then cfg=$d/tclConfig.sh; break; fi
    done
  fi
  [ -n "$cfg" ] || die "no tclConfig.sh: install Tcl's development files (Debian: tcl-dev)"
  # shellcheck disable=SC1090
  ( . "$cfg"; echo "$TCL_INCLUDE_SPEC -DUSE_TCL_STUBS|$TCL_STUB_LIB_SPEC" )
}

# What a build of VERSION is made of; a cached build is reused only when
# its BUILD file says exactly this.
buildkey() {
  sources "$1"
  cat <<EOF
recipe $RECIPE
version $1
amalgamation npm:$amal
shell+tcl npm:$aux (SQLite $auxver)
cc $($CC --version 2>/dev/null | head -1)
cflags $CFLAGS
defs $(defs "$1")
EOF
}

# The npm tarball of PKG@VER, fetched into the cache once; prints its path.
fetch() {
  local name=${1%@*} ver=${1##*@} f
  f=$cache/dl/$name-$ver.tgz
  if [ ! -f "$f" ]; then
    command -v npm >/dev/null || die "npm is needed to fetch $1"
    mkdir -p "$cache/dl"
    local tmp
    tmp=$(mktemp -d "$cache/dl/.fetch.XXXXXX")
    (cd "$tmp" && npm pack --silent "$1" >/dev/null) || { rm -rf "$tmp"; die "npm pack $1 failed"; }
    mv "$tmp/$name-$ver.tgz" "$f"
    rm -rf "$tmp"
  fi
  echo "$f"
}

# The version in an sqlite3.h.
hversion() {
  sed -n 's/^#define SQLITE_VERSION *"\([0-9.]*\)".*/\1/p' "$1"
}

# Build VERSION into $cache/VERSION unless a build of the same key is there.
build() {
  local v=$1 dir=$cache/$1
  sources "$v"
  mkdir -p "$cache"
  if [ -f "$dir/BUILD" ] && [ "$(cat "$dir/BUILD")" = "$(buildkey "$v")" ]; then
    return 0
  fi
  # One builder per version: wait for another one, then look again.
  if command -v flock >/dev/null && [ -z "${MIG_MATRIX_LOCKED:-}" ]; then
    MIG_MATRIX_LOCKED=1 flock "$cache/.lock-$v" "$0" build "$v"
    return
  fi
  local t0=$SECONDS tmp
  note "building SQLite $v (amalgamation from $amal, shell and Tcl binding from $aux: SQLite $auxver)"
  tmp=$(mktemp -d "$cache/.build-$v.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  mkdir -p "$tmp/src" "$tmp/include" "$tmp/lib" "$tmp/bin" "$tmp/tcl" "$tmp/x"

  # The amalgamation: from better-sqlite3, or (amal=sqlite3@...) from
  # the autoconf tree of node-sqlite3.
  local ta tb
  ta=$(fetch "$amal")
  tar --no-same-owner -xzf "$ta" -C "$tmp/x" package/deps
  if [ "${amal%@*}" = sqlite3 ]; then
    tar --no-same-owner -xzf "$tmp/x"/package/deps/sqlite-autoconf-*.tar.gz -C "$tmp/x" \
      --wildcards '*/sqlite3.c' '*/sqlite3.h' '*/sqlite3ext.h'
    cp "$tmp/x"/sqlite-autoconf-*/{sqlite3.c,sqlite3.h,sqlite3ext.h} "$tmp/src/"
  elif [ -f "$tmp/x/package/deps/sqlite3.tar.gz" ]; then
    tar --no-same-owner -xzf "$tmp/x/package/deps/sqlite3.tar.gz" -C "$tmp/src" sqlite3.c sqlite3.h sqlite3ext.h
  else
    cp "$tmp/x/package/deps/sqlite3/"{sqlite3.c,sqlite3.h,sqlite3ext.h} "$tmp/src/"
  fi
  [ "$(hversion "$tmp/src/sqlite3.h")" = "$v" ] ||
    die "$amal bundles SQLite $(hversion "$tmp/src/sqlite3.h"), not $v"
  cp "$tmp/src/sqlite3.h" "$tmp/src/sqlite3ext.h" "$tmp/include/"

  # shell.c and tclsqlite3.c from node-sqlite3's autoconf tree.
  tb=$(fetch "$aux")
  rm -rf "$tmp/x"; mkdir -p "$tmp/x"
  tar --no-same-owner -xzf "$tb" -C "$tmp/x" --wildcards 'package/deps/sqlite-autoconf-*.tar.gz'
  tar --no-same-owner -xzf "$tmp/x"/package/deps/sqlite-autoconf-*.tar.gz -C "$tmp/x" \
    --wildcards '*/shell.c' '*/tea/generic/tclsqlite3.c' '*/sqlite3.h'
  [ "$(hversion "$tmp/x"/sqlite-autoconf-*/sqlite3.h)" = "$auxver" ] ||
    die "$aux bundles SQLite $(hversion "$tmp/x"/sqlite-autoconf-*/sqlite3.h), not $auxver"
  cp "$tmp/x"/sqlite-autoconf-*/shell.c "$tmp/x"/sqlite-autoconf-*/tea/generic/tclsqlite3.c "$tmp/src/"
  rm -rf "$tmp/x"

  # shellcheck disable=SC2046
  local D tcl tclinc tcllib
  D=$(defs "$v")
  tcl=$(tclflags)
  tclinc=${tcl%%|*} tcllib=${tcl#*|}
  # The library, with the soname of the system one so that programs
  # linked to that (python3) take it from LD_LIBRARY_PATH.
  # shellcheck disable=SC2086
  $CC $CFLAGS $SQLWARN $D -fPIC -shared -Wl,-soname,libsqlite3.so.0 \
    -o "$tmp/lib/libsqlite3.so.0" "$tmp/src/sqlite3.c" -lm -lpthread -ldl
  ln -s libsqlite3.so.0 "$tmp/lib/libsqlite3.so"
  # The shell and the Tcl binding use the library above ($ORIGIN: the
  # cache can move).  USE_SYSTEM_SQLITE: tclsqlite3.c includes
  # <sqlite3.h> instead of the amalgamation.
  # shellcheck disable=SC2086,SC2016
  $CC $CFLAGS $SQLWARN $D -I"$tmp/include" -o "$tmp/bin/sqlite3" "$tmp/src/shell.c" \
    -L"$tmp/lib" -lsqlite3 -Wl,-rpath,'$ORIGIN/../lib' -lm
  # shellcheck disable=SC2086,SC2016
  $CC $CFLAGS $SQLWARN $D -DUSE_SYSTEM_SQLITE $tclinc -I"$tmp/include" -fPIC -shared \
    -Wl,--no-undefined -o "$tmp/tcl/libtclsqlite3.so" "$tmp/src/tclsqlite3.c" \
    -L"$tmp/lib" -lsqlite3 -Wl,-rpath,'$ORIGIN/../lib' $tcllib
  cat >"$tmp/tcl/pkgIndex.tcl" <<EOF
# SQLite $v for libmig's version matrix (tool/sqlite-matrix.sh), built
# from npm:$amal with the Tcl binding of SQLite $auxver (npm:$aux).
#
# With this directory on TCLLIBPATH, \`package require sqlite3\` must load
# $v even where a newer sqlite3 package is installed, and Tcl picks the
# newest version it knows.  Tcl reads the directories of auto_path from
# the last to the first, so this file, first on it, comes last and can
# forget what the others registered (not after the package is loaded).
if {[package provide sqlite3] eq ""} {
  package forget sqlite3
  package ifneeded sqlite3 $v [list load [file join \$dir libtclsqlite3.so] Sqlite3]
}
EOF

  # Check what was built: each part reports the version, and the Tcl
  # package loads this one and no other.
  local got
  got=$(TCLLIBPATH="$tmp/tcl" "$TCLSH" <<'EOF'
puts [package require sqlite3]
sqlite3 db :memory:
puts [db eval {SELECT sqlite_version()}]
EOF
)
  [ "$got" = "$v"$'\n'"$v" ] || die "the Tcl package of $v reports: $got"
  got=$("$tmp/bin/sqlite3" :memory: 'SELECT sqlite_version()')
  [ "$got" = "$v" ] || die "the shell of $v reports: $got"

  buildkey "$v" >"$tmp/BUILD"
  chmod 755 "$tmp"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  trap - EXIT
  note "built SQLite $v in $((SECONDS - t0)) s: $dir"
}

# Build several versions, MIG_MATRIX_JOBS at a time.
build_all() {
  local jobs=${MIG_MATRIX_JOBS:-$(nproc 2>/dev/null || echo 1)} v pids=() rc=0 p
  for v in "$@"; do
    build "$v" &
    pids+=($!)
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || rc=1; done
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc -eq 0 ] || die "a build failed"
}

# Export the environment of VERSION (built).
setenv() {
  local dir=$cache/$1
  [ -f "$dir/BUILD" ] || die "SQLite $1 is not built: tool/sqlite-matrix.sh build $1"
  case $dir in
    *[[:space:]]*) export TCLLIBPATH="{$dir/tcl}" ;;
    *) export TCLLIBPATH="$dir/tcl" ;;
  esac
  export LD_LIBRARY_PATH="$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PATH="$dir/bin:$PATH"
  export MIG_FAULTVFS="$here/test/faultvfs-$1.so"
  export MIG_SQLITE_VERSION="$1"
}

# test/faultvfs-VERSION.so: the fault injector linked to VERSION.  Cheap,
# so built every time (the source is the checkout's, the library the
# cache's).
faultvfs() {
  local dir=$cache/$1
  # shellcheck disable=SC2086
  $CC -O2 -Wall -Wextra -fPIC -shared -I"$dir/include" \
    -o "$here/test/faultvfs-$1.so" "$here/test/faultvfs.c" \
    -L"$dir/lib" -lsqlite3 -Wl,-rpath,"$dir/lib"
}

# Run the suite on VERSION; the log goes to test/tmp/matrix/VERSION.log.
# Returns the suite's status.
runtests() {
  local v=$1; shift
  local lib=${MIG_LIB:-$here/libmig.so} log=$here/test/tmp/matrix/$v.log
  if [ ! -f "$lib" ]; then make -C "$here" >/dev/null; fi
  build "$v"
  faultvfs "$v"
  mkdir -p "$(dirname "$log")"
  echo "==== SQLite $v: tclsh test/all.tcl $* (log: ${log#"$here"/})"
  (
    setenv "$v"
    export MIG_LIB=$lib
    cd "$here"
    "$TCLSH" test/all.tcl "$@"
  ) 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

# The counts on the last line of a log: "passed failed skipped".
counts() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -z "$line" ]; then echo "? ? ?"; return; fi
  local p f s=0
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  if [[ $line =~ ([0-9]+)\ skipped ]]; then s=${BASH_REMATCH[1]}; fi
  echo "$p $f $s"
}

# Below the floor: the shell's .load and Tcl's load_extension of libmig
# must fail with the message that names VERSION and the floor.  Prints
# the counts line of a test run; returns non-zero when a check fails.
floorcheck() {
  local v=$1 lib=${MIG_LIB:-$here/libmig.so} log=$here/test/tmp/matrix/$1.log
  local want="error during initialization: libmig needs SQLite 3.31.1 or newer; this is SQLite $v"
  local got np=0 nf=0
  [ -f "$lib" ] || make -C "$here" >/dev/null
  build "$v"
  mkdir -p "$(dirname "$log")"
  {
    echo "==== SQLite $v (below the floor): loading libmig must fail"
    got=$("$cache/$v/bin/sqlite3" :memory: ".load ${lib%.*}" 'SELECT mig_version()' 2>&1 || true)
    if [ "$got" = "Error: $want" ]; then np=$((np + 1)); echo "floor-1 ok: $got"
    else nf=$((nf + 1)); echo "! floor-1 failed: the shell's .load said: $got"; fi
    got=$(printf '%s\n' 'puts [package require sqlite3]' 'sqlite3 db :memory:' \
      'db enable_load_extension 1' \
      "puts [list [catch {db eval {SELECT load_extension('$lib')}} msg] \$msg]" |
      TCLLIBPATH="$cache/$v/tcl" "$TCLSH" 2>&1)
    if [ "$got" = "$v"$'\n'"1 {$want}" ]; then np=$((np + 1)); echo "floor-2 ok: ${got#*$'\n'}"
    else nf=$((nf + 1)); echo "! floor-2 failed: Tcl's load_extension said: $got"; fi
    echo "$np passed, $nf failed"
    [ "$nf" -eq 0 ]
  } 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

matrix() {
  local vs=("$@") v rc=0 t0 summary=() tp=0 tf=0 ts=0 extra=() floor=()
  if [ ${#vs[@]} -eq 0 ]; then
    vs=("${VERSIONS[@]}") extra=("${EXTRA[@]}") floor=("${FLOOR[@]}")
  fi
  for v in "${vs[@]}" "${extra[@]}" "${floor[@]}"; do sources "$v"; done
  t0=$SECONDS
  build_all "${vs[@]}" "${extra[@]}" "${floor[@]}"
  note "builds ready in $((SECONDS - t0)) s"
  for v in "${vs[@]}" "${extra[@]}" "${floor[@]}"; do
    local t1=$SECONDS what=""
    if [[ " ${floor[*]} " == *" $v "* ]]; then
      floorcheck "$v" || rc=1
      what=" (below the floor: loading refused)"
    elif [[ " ${extra[*]} " == *" $v "* ]]; then
      runtests "$v" "${EXTRA_TESTS[@]}" || rc=1
      what=" (${EXTRA_TESTS[*]} only)"
    else
      # shellcheck disable=SC2086
      runtests "$v" ${MIG_MATRIX_TESTS:-} || rc=1
    fi
    local c
    read -r -a c <<<"$(counts "$here/test/tmp/matrix/$v.log")"
    summary+=("$(printf '%-8s %6s passed, %4s failed, %4s skipped  (%d s)%s' \
      "$v" "${c[0]}" "${c[1]}" "${c[2]}" $((SECONDS - t1)) "$what")")
    if [ "${c[0]}" = "?" ]; then tf=$((tf + 1)); continue; fi
    tp=$((tp + c[0])) tf=$((tf + c[1])) ts=$((ts + c[2]))
  done
  echo
  echo "==== SQLite version matrix ($((SECONDS - t0)) s)"
  printf '%s\n' "${summary[@]}"
  echo "$tp passed, $tf failed, $ts skipped"
  return $rc
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  build)
    if [ $# -eq 0 ]; then set -- "${VERSIONS[@]}"; fi
    if [ $# -eq 1 ]; then build "$1"; else build_all "$@"; fi ;;
  test)
    [ $# -ge 1 ] || die "usage: $0 test VERSION [WORD...]"
    runtests "$@" ;;
  matrix)
    matrix "$@" ;;
  ci)
    # The whole matrix (every version, the extra and floor checks) with
    # every test file but the VERSION_FREE ones.
    MIG_MATRIX_TESTS="${VERSION_FREE[*]/#/\~}" matrix ;;
  core)
    # The whole matrix (every version, the extra and floor checks) with
    # the core test files only.
    MIG_MATRIX_TESTS="${CORE_TESTS[*]}" matrix ;;
  run)
    [ $# -ge 2 ] || die "usage: $0 run VERSION CMD..."
    v=$1; shift
    build "$v"; faultvfs "$v"; setenv "$v"
    exec "$@" ;;
  env)
    [ $# -eq 1 ] || die "usage: $0 env VERSION"
    build "$1"; faultvfs "$1"; setenv "$1"
    for n in TCLLIBPATH LD_LIBRARY_PATH PATH MIG_FAULTVFS MIG_SQLITE_VERSION; do
      printf 'export %s=%q\n' "$n" "${!n}"
    done ;;
  floor)
    [ $# -eq 1 ] || set -- "${FLOOR[@]}"
    floorcheck "$1" ;;
  list)
    for v in "${VERSIONS[@]}" "${EXTRA[@]}" "${FLOOR[@]}"; do
      sources "$v"
      printf '%-8s amalgamation npm:%-22s shell, tclsqlite3.c: SQLite %s (npm:%s)%s\n' \
        "$v" "$amal" "$auxver" "$aux" "$([ -f "$cache/$v/BUILD" ] && echo ", built")"
    done
    echo "cache: $cache" ;;
  *)
    sed -n '2,22s/^# \{0,1\}//p' "$0" >&2
    exit 2 ;;
esac
