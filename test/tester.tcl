# tester.tcl: the small test harness of libmig.
#
# Every test file test/NAME.test starts with
#
#     source [file join [file dirname [info script]] tester.tcl]
#
# and ends with `finish_test`.  Sourcing this file opens the connection
# `db` on $::tmpdir/<file>.db (a fresh file) with libmig loaded into it.
#
# Commands:
#   reset_db                        close db, delete $::tmpdir/<file>.db*,
#                                   reopen it and load libmig again
#   do_execsql_test NAME SQL EXP    [db eval SQL], as a list, equals EXP
#   do_catchsql_test NAME SQL EXP   EXP is {0 {result list}} or
#                                   {1 {exact error message}}
#   do_test NAME SCRIPT EXP         the result of SCRIPT (run in the
#                                   caller's scope) is the string EXP
#   execsql SQL / catchsql SQL      the same without the comparison
#   load_libmig CONN                load libmig into another connection
#   finish_test                     report and exit (status 1 on failures)
#
# SQLite versions (the suite runs on every version that
# tool/sqlite-matrix.sh builds; what an older SQLite lacks is skipped with
# the reason, never failed):
#   sqlite_version_at_least V       1 if the running SQLite is V or newer
#   require_sqlite V FEATURE SCRIPT run SCRIPT in the caller's scope; on
#                                   SQLite older than V each test in it
#                                   is skipped, not run, with the message
#                                   "FEATURE needs SQLite V, running X"
#                                   (code between the tests still runs:
#                                   keep what needs FEATURE inside them)
#   skip_test NAME REASON           report the test NAME as skipped
# $::sqlite_version is the running version, "3.37.2".  When
# $env(MIG_SQLITE_VERSION) is set (the matrix sets it) and the SQLite
# that `package require sqlite3` loaded is another one, nothing runs.
#
# Test names are unique per file (a duplicate counts as a failure) and
# numbered per file: models-1.1, models-1.2, diff-3.4 ...
#
# The library comes from $env(MIG_LIB), by default libmig.so at the top of
# the repository; its absolute path is in $::miglib.  $::testdir and
# $::repodir are absolute too, and the working directory is the top of
# the repository.  Set MIG_VERBOSE=1 to see every test name as it runs.
#
# Scratch files go to $::tmpdir (absolute), a directory that belongs to
# this file alone: never write to test/tmp directly, so that files (and
# whole runs) can run side by side.  $::tmprel is the same directory
# relative to the top of the repository (for tests of relative paths and
# shorter messages).  The runner names it in $env(MIGTEST_TMPDIR)
# (test/tmp/run-<pid>/<file>) and removes it when the file passes.  A
# file run alone (`tclsh test/NAME.test`) uses test/tmp/NAME-<pid>,
# removed by finish_test when every test passed, kept (and named) when
# one failed.
#
# For the runner (test/all.tcl), which sets MIGTEST_RUNNER=1, each test
# also prints "MIGTEST-START <name>" and then "MIGTEST-PASS <name>" or
# "MIGTEST-FAIL <name>", so that a crash can be pinned on a test (a
# skipped test prints "MIGTEST-SKIP <name> <reason>" only).  The
# last line of a file that ran to its end is then always
#     MIGTEST-RESULT <passed> <failed> {<names of the failed tests>}
# A file that dies before printing it is a failure of its own.  Run
# alone, a file prints "N passed, N failed" and the names of the failed
# tests instead.

package require sqlite3

if {[info exists ::T(loaded)]} return
set ::T(loaded) 1

set ::testdir [file dirname [file normalize [info script]]]
set ::repodir [file dirname $::testdir]
set ::T(file) [file rootname [file tail $::argv0]]
if {[info exists ::env(MIGTEST_TMPDIR)] && $::env(MIGTEST_TMPDIR) ne ""} {
  set ::tmpdir [file normalize $::env(MIGTEST_TMPDIR)]
  set ::T(owntmp) 0
} else {
  set ::tmpdir [file join $::testdir tmp $::T(file)-[pid]]
  set ::T(owntmp) 1
}
set ::tmprel $::tmpdir
if {[string first $::repodir/ $::tmpdir]==0} {
  set ::tmprel [string range $::tmpdir [string length $::repodir/] end]
}
set ::dbfile  [file join $::tmpdir $::T(file).db]
# A directory left by an earlier process with this pid is stale.
if {$::T(owntmp)} { file delete -force $::tmpdir }
set ::T(npass) 0
set ::T(nfail) 0
set ::T(failed) {}
set ::T(nskip) 0
set ::T(skip) ""
set ::T(verbose) [expr {[info exists ::env(MIG_VERBOSE)]
                        && $::env(MIG_VERBOSE) ni {"" 0}}]
set ::T(runner) [info exists ::env(MIGTEST_RUNNER)]

# Line buffering, so that what a test printed survives a crash.
fconfigure stdout -buffering line

if {[info exists ::env(MIG_LIB)] && $::env(MIG_LIB) ne ""} {
  set ::miglib [file normalize $::env(MIG_LIB)]
} elseif {$::tcl_platform(os) eq "Darwin"} {
  set ::miglib [file join $::repodir libmig.dylib]
} else {
  set ::miglib [file join $::repodir libmig.so]
}

# The SQLite under test, checked against the one the matrix meant.
set ::sqlite_version [sqlite3 -version]
if {[info exists ::env(MIG_SQLITE_VERSION)] && $::env(MIG_SQLITE_VERSION) ne ""
    && $::env(MIG_SQLITE_VERSION) ne $::sqlite_version} {
  puts "this run is for SQLite $::env(MIG_SQLITE_VERSION), but\
        `package require sqlite3` loaded SQLite $::sqlite_version"
  exit 1
}

# Relative paths in tests (sql/pets/models.sql ...) are relative to the
# top of the repository, wherever the file was started from.
cd $::repodir

# Close db, remove the database and its journals, open it again, load libmig.
proc reset_db {} {
  catch {db close}
  file mkdir $::tmpdir
  set f $::dbfile
  foreach suffix {"" -journal -wal -shm} {
    file delete -force $f$suffix
  }
  sqlite3 db $f
  load_libmig db
}

# Load libmig into the connection CONN.  Without it nothing can be tested,
# so a failure ends the file (the runner counts that as a failure).  The
# entry point is named because SQLite would derive it from the file name,
# and the sanitizer build is test/libmig-asan.so ("sqlite3_migasan_init").
proc load_libmig {conn} {
  $conn enable_load_extension 1
  set lib $::miglib
  if {[catch {$conn eval {SELECT load_extension($lib, 'sqlite3_mig_init')}} msg]} {
    puts "cannot load libmig from $lib: $msg"
    puts "(build it with `make`, or point MIG_LIB at the library)"
    exit 1
  }
}

proc execsql {sql} {
  uplevel 1 [list db eval $sql]
}

proc catchsql {sql} {
  set rc [catch {uplevel 1 [list db eval $sql]} msg]
  list $rc $msg
}

# Register a test name; a repeated name is a failure (of its own).
proc T_register {name} {
  if {[info exists ::T(name,$name)]} {
    puts "! $name: duplicate test name in this file"
    incr ::T(nfail)
    lappend ::T(failed) $name
    if {$::T(runner)} { puts "MIGTEST-FAIL $name" }
  }
  set ::T(name,$name) 1
}

proc T_start {name} {
  T_register $name
  if {$::T(runner)} { puts "MIGTEST-START $name" }
  if {$::T(verbose)} { puts "$name..." }
}

proc T_result {name ok expected got} {
  if {$ok} {
    incr ::T(npass)
    if {$::T(runner)} { puts "MIGTEST-PASS $name" }
  } else {
    incr ::T(nfail)
    lappend ::T(failed) $name
    puts "! $name failed"
    puts "!   expected: \[$expected\]"
    puts "!   got:      \[$got\]"
    if {$::T(runner)} { puts "MIGTEST-FAIL $name" }
  }
}

# A version as one comparable number: 3.37.2 -> 3037002.
proc T_vnum {version} {
  lassign [concat [split $version .] 0 0 0] a b c
  expr {$a*1000000 + $b*1000 + $c}
}

proc sqlite_version_at_least {version} {
  expr {[T_vnum $::sqlite_version] >= [T_vnum $version]}
}

proc require_sqlite {version feature script} {
  set outer $::T(skip)
  if {$outer eq "" && ![sqlite_version_at_least $version]} {
    set ::T(skip) "$feature needs SQLite $version, running $::sqlite_version"
  }
  set rc [catch {uplevel 1 $script} msg opts]
  set ::T(skip) $outer
  # An error, or a break or continue of the caller's loop, goes on up.
  if {$rc} {
    dict incr opts -level
    return -options $opts $msg
  }
  return $msg
}

proc skip_test {name reason} {
  T_register $name
  incr ::T(nskip)
  puts "skipped: $name: $reason"
  if {$::T(runner)} { puts [list MIGTEST-SKIP $name $reason] }
}

# True, after reporting NAME as skipped, inside a require_sqlite that
# does not hold.
proc T_skipping {name} {
  if {$::T(skip) eq ""} { return 0 }
  skip_test $name $::T(skip)
  return 1
}

proc do_execsql_test {name sql expected} {
  if {[T_skipping $name]} return
  T_start $name
  if {[catch {uplevel 1 [list db eval $sql]} got]} {
    T_result $name 0 $expected "error: $got"
    return
  }
  set expected [list {*}$expected]
  T_result $name [expr {[list {*}$got] eq $expected}] $expected $got
}

proc do_catchsql_test {name sql expected} {
  if {[T_skipping $name]} return
  T_start $name
  if {[llength $expected]!=2 || [lindex $expected 0] ni {0 1}} {
    T_result $name 0 "{0 {result}} or {1 {message}}" "malformed EXPECTED: $expected"
    return
  }
  set rc [catch {uplevel 1 [list db eval $sql]} msg]
  # A result is compared as a list, a message as a string (which need not
  # be a list: an error expected and a result got is a failure, not a
  # Tcl error).
  set got [expr {$rc==0 ? [list 0 [list {*}$msg]] : [list 1 $msg]}]
  if {[lindex $expected 0]==0} {
    set exp [list 0 [list {*}[lindex $expected 1]]]
  } else {
    set exp [list 1 [lindex $expected 1]]
  }
  T_result $name [expr {$got eq $exp}] $exp $got
}

proc do_test {name script expected} {
  if {[T_skipping $name]} return
  T_start $name
  if {[catch {uplevel 1 $script} got]} {
    T_result $name 0 $expected "error: $got"
    return
  }
  T_result $name [expr {$got eq $expected}] $expected $got
}

# Report and exit.  For the runner the MIGTEST-RESULT line; run alone, a
# summary, and the scratch directory goes unless a test failed.
proc finish_test {} {
  catch {db close}
  set skipped [expr {$::T(nskip) ? ", $::T(nskip) skipped" : ""}]
  if {$::T(runner)} {
    puts "$::T(npass) passed, $::T(nfail) failed$skipped"
    puts [list MIGTEST-RESULT $::T(npass) $::T(nfail) $::T(failed)]
  } else {
    if {$::T(nfail)} {
      puts "failed: [join $::T(failed) { }]"
      puts "scratch files kept in $::tmprel"
    } elseif {$::T(owntmp)} {
      file delete -force $::tmpdir
    }
    puts "$::T(file): $::T(npass) passed, $::T(nfail) failed$skipped"
  }
  flush stdout
  exit [expr {$::T(nfail) ? 1 : 0}]
}

reset_db
