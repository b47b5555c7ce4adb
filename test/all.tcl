# all.tcl: runs libmig's test files.
#
#     tclsh test/all.tcl                 every test/*.test
#     tclsh test/all.tcl schema diff     only files whose name contains
#                                        one of the words (glob patterns)
#     tclsh test/all.tcl ~dqlite ~cache  every file but those whose name
#                                        contains one of the ~words (with
#                                        plain words too: those, less the
#                                        ~words)
#     tclsh test/all.tcl -j 1 ...        one file at a time (-j N: N at
#                                        once; also -jN)
#
# Environment:
#     MIG_LIB           the library under test (see tester.tcl)
#     MIG_TEST_JOBS     how many files run at once (default: the number
#                       of cores, from nproc); -j N wins over it
#     MIG_TEST_TIMEOUT  seconds a file may run before it is killed
#                       (default 1200), so that a hang fails the run
#
# Each file runs in a child tclsh of its own (this same tclsh, with this
# environment, so MIG_LIB and LD_PRELOAD reach it): a file that crashes
# or exits early is counted as a failure and the run goes on.  Up to
# MIG_TEST_JOBS files run at the same time, the slowest first (how long
# each took in the last run with the same library is kept in
# test/tmp/durations-<library>; before there is one, a built-in list
# names the slow files).
#
# Every run has a scratch directory of its own, test/tmp/run-<pid>, and
# every file a subdirectory of it, test/tmp/run-<pid>/<file>, which the
# child finds in $env(MIGTEST_TMPDIR) (tester.tcl makes it $::tmpdir).  So
# files of one run never share a scratch file, and two runs in the same
# checkout do not meet either.  A file's directory is removed when the
# file passes; the run's directory is removed at the end of a run where
# everything passed, and kept, with its path printed, when something
# failed, holding the scratch files of the failed files.
#
# A file reports its counts in its last line and each test as it runs
# (see tester.tcl).  A file that ends abnormally (a signal, a sanitizer
# report, an exit status other than finish_test's) counts one failure
# more than its tests did, and the test it was running is named.
#
# Prints one line per file as each finishes, a line with the wall time,
# then the output of every file that failed, and ends with the line
# "N passed, N failed".  Exits 1 if anything failed.

set testdir [file dirname [file normalize [info script]]]
set tclsh [info nameofexecutable]
set env(MIGTEST_RUNNER) 1

# The number of cores, or 1 when it cannot be found out.
proc ncores {} {
  foreach cmd {{nproc} {getconf _NPROCESSORS_ONLN} {sysctl -n hw.ncpu}} {
    if {![catch {exec {*}$cmd 2>/dev/null} n] && [string is integer -strict $n]
        && $n>0} {
      return $n
    }
  }
  return 1
}

# Arguments: -j N (or -jN), then words that select files.
set jobs ""
if {[info exists env(MIG_TEST_JOBS)] && $env(MIG_TEST_JOBS) ne ""} {
  set jobs $env(MIG_TEST_JOBS)
}
set words {}
set unwords {}
for {set i 0} {$i<[llength $argv]} {incr i} {
  set a [lindex $argv $i]
  if {$a eq "-j"} {
    set jobs [lindex $argv [incr i]]
    if {$jobs eq ""} { set jobs "(missing)" }
  } elseif {[string match -j* $a]} {
    set jobs [string range $a 2 end]
  } elseif {[string match ~?* $a]} {
    lappend unwords [string range $a 1 end]
  } else {
    lappend words $a
  }
}
if {$jobs eq ""} { set jobs [ncores] }
if {![string is integer -strict $jobs] || $jobs<1} {
  puts "bad job count '$jobs': use -j N or MIG_TEST_JOBS=N with N >= 1"
  puts "0 passed, 1 failed"
  exit 1
}

set files [lsort [glob -nocomplain -directory $testdir *.test]]
if {[llength $words]} {
  set chosen {}
  foreach f $files {
    set tail [file tail $f]
    foreach pat $words {
      if {[string match -nocase *$pat* $tail]} {
        lappend chosen $f
        break
      }
    }
  }
  set files $chosen
}
if {[llength $unwords]} {
  set chosen {}
  foreach f $files {
    set tail [file tail $f]
    set kept 1
    foreach pat $unwords {
      if {[string match -nocase *$pat* $tail]} { set kept 0; break }
    }
    if {$kept} { lappend chosen $f }
  }
  set files $chosen
}
if {[llength $files]==0} {
  puts "no test files match: $argv"
  puts "0 passed, 1 failed"
  exit 1
}

#-------------------------------------------------------------------------
# Order: the slowest files first, so that the last ones to start are
# short and the jobs end together.  The durations of the last run (of
# any run in this checkout) are in test/tmp/durations-<library>, "file
# ms" lines: one file per library, as the sanitizer build
# (libmig-asan.so) runs the files ten times slower, some more than others.
#
set tmproot [file join $testdir tmp]
set libname libmig
if {[info exists env(MIG_LIB)] && $env(MIG_LIB) ne ""} {
  set libname [file rootname [file tail $env(MIG_LIB)]]
}
set durfile [file join $tmproot durations-$libname]
array set dur {}
# Before any run: the files known to be slow, slowest first.
set i 0
foreach name {pkg_python oom interrupt fault crash diff property hostile} {
  set dur($name.test) [expr {100000 - [incr i]}]
}
# keep(NAME): a duration to write back (it was measured, here or before).
array set keep {}
if {![catch {open $durfile r} chan]} {
  foreach line [split [read $chan] \n] {
    if {![string is list $line] || [llength $line]!=2} continue
    lassign $line name ms
    if {[string is integer -strict $ms]
        && [file exists [file join $testdir $name]]} {
      set dur($name) $ms
      set keep($name) 1
    }
  }
  close $chan
}
proc duration {f} {
  set name [file tail $f]
  expr {[info exists ::dur($name)] ? $::dur($name) : 0}
}
proc by_duration {a b} {
  set da [duration $a]
  set db [duration $b]
  if {$da != $db} { return [expr {$da > $db ? -1 : 1}] }
  string compare $a $b
}
set queue [lsort -command by_duration $files]

# Write the durations back.  The file is replaced by a rename, so that
# two runs ending together leave one whole file or the other.
proc save_durations {} {
  set new $::durfile.[pid]
  if {[catch {
    set chan [open $new w]
    foreach name [lsort [array names ::keep]] {
      puts $chan [list $name $::dur($name)]
    }
    close $chan
    file rename -force $new $::durfile
  }]} {
    catch {file delete $new}
  }
}

#-------------------------------------------------------------------------
# The run's scratch directory.  A pid is unique among live processes, so
# a directory of that name is left from a run that is gone.
#
set rundir [file join $tmproot run-[pid]]
file delete -force $rundir
file mkdir $rundir

# The command for one file.  A file that runs longer than
# MIG_TEST_TIMEOUT seconds is killed, with the processes it started.
set limit 1200
if {[info exists env(MIG_TEST_TIMEOUT)]} { set limit $env(MIG_TEST_TIMEOUT) }
set prefix {}
if {[auto_execok timeout] ne ""} { set prefix [list timeout -s KILL $limit] }

# Start the next file of the queue: a child whose stdout and stderr go
# to one pipe, read as it comes (on_output), with MIGTEST_TMPDIR naming
# the file's own scratch directory.
proc start_next {} {
  set f [lindex $::queue 0]
  set ::queue [lrange $::queue 1 end]
  set name [file tail $f]
  set fdir [file join $::rundir [file rootname $name]]
  file mkdir $fdir
  set ::env(MIGTEST_TMPDIR) $fdir
  set cmd [concat $::prefix [list $::tclsh $f]]
  set chan [open |[concat $cmd [list 2>@1]] r]
  fconfigure $chan -blocking 0
  set ::run($chan) [list $name $fdir [clock milliseconds]]
  set ::output($chan) ""
  incr ::running
  fileevent $chan readable [list on_output $chan]
}

proc on_output {chan} {
  append ::output($chan) [read $chan]
  if {![eof $chan]} return
  fileevent $chan readable {}
  fconfigure $chan -blocking 1
  set status ok
  if {[catch {close $chan} msg opts]} {
    set code [dict get $opts -errorcode]
    switch -- [lindex $code 0] {
      CHILDSTATUS { set status "exited with status [lindex $code 2]" }
      CHILDKILLED { set status "killed by [lindex $code 2]" }
      default     { set status "failed: $msg" }
    }
  }
  lassign $::run($chan) name fdir t0
  set out $::output($chan)
  unset ::run($chan) ::output($chan)
  file_done $name $fdir [expr {[clock milliseconds] - $t0}] $status $out
  incr ::running -1
  if {[llength $::queue]} {
    start_next
  } elseif {$::running==0} {
    set ::alldone 1
  }
}

# Count what one file reported and print its line.  status is "ok", or a
# phrase saying how the child ended when that was not normal.
proc file_done {name fdir ms status out} {
  set npass 0
  set nfail 0
  set nskip 0
  set result ""
  set current ""
  set last ""
  foreach line [split $out \n] {
    switch -glob -- $line {
      "MIGTEST-START *"  { set current [lindex $line 1] }
      "MIGTEST-PASS *"   { incr npass; set last $current; set current "" }
      "MIGTEST-FAIL *"   { incr nfail; set last $current; set current "" }
      "MIGTEST-SKIP *"   { incr nskip; lappend ::skipped($name) [lrange $line 1 2] }
      "MIGTEST-RESULT *" { set result $line }
    }
  }
  if {$result ne "" && [llength $result]==4} {
    lassign $result - npass nfail
    # finish_test exits 1 when there were failures: that is not a crash.
    if {$status eq "exited with status 1" && $nfail>0} { set status ok }
  } else {
    if {$status eq "ok"} { set status "ended" }
    if {$current ne ""} {
      append status " during test $current"
    } elseif {$last ne ""} {
      append status " after test $last"
    }
    append status " without reporting its results"
  }
  if {$status ne "ok"} { incr nfail }
  incr ::total_pass $npass
  incr ::total_fail $nfail
  incr ::total_skip $nskip
  set ::dur($name) $ms
  set ::keep($name) 1
  set line [format "%-*s %5d passed, %3d failed" $::width $name $npass $nfail]
  if {$nskip} { append line ", $nskip skipped" }
  append line [format "  (%d ms)" $ms]
  if {$status ne "ok"} { append line "  -- $status" }
  puts $line
  flush stdout
  if {$nfail>0 || $status ne "ok"} {
    lappend ::broken $name $status $out
  } else {
    file delete -force $fdir
  }
}

set total_pass 0
set total_fail 0
set total_skip 0
set broken {}
set running 0
set width 0
foreach f $files {
  set width [expr {max($width, [string length [file tail $f]])}]
}
set t0 [clock milliseconds]
set nfiles [llength $queue]
while {$running<$jobs && [llength $queue]} { start_next }
vwait alldone
set secs [expr {([clock milliseconds] - $t0) / 1000.0}]
save_durations
puts [format "%d file%s in %.1f s, %d at a time" \
          $nfiles [expr {$nfiles==1 ? "" : "s"}] $secs $jobs]

foreach {name status out} $broken {
  puts ""
  puts "==== $name[expr {$status eq "ok" ? "" : " ($status)"}] ===="
  set lines {}
  foreach line [split [string trimright $out \n] \n] {
    if {![string match "MIGTEST-*" $line]} { lappend lines $line }
  }
  puts [join $lines \n]
}
if {[llength $broken]} {
  puts ""
  puts "scratch files of the failed files kept in $rundir"
} else {
  file delete -force $rundir
}
# Skipped tests (tester.tcl's require_sqlite), by file and reason.
foreach name [lsort [array names skipped]] {
  set by {}
  foreach s $skipped($name) { dict lappend by [lindex $s 1] [lindex $s 0] }
  dict for {reason tests} $by {
    puts "skipped in $name ([llength $tests]): $reason: [join $tests { }]"
  }
}
puts "$total_pass passed, $total_fail failed[expr {$total_skip ? ", $total_skip skipped" : ""}]"
exit [expr {$total_fail>0 ? 1 : 0}]
