# all.tcl: runs libmig's test files.
#
#     tclsh test/all.tcl                 every test/*.test, in name order
#     tclsh test/all.tcl schema diff     only files whose name contains
#                                        one of the words (glob patterns)
#
# Each file runs in a child tclsh of its own (this same tclsh, with this
# environment, so MIG_LIB and LD_PRELOAD reach it): a file that crashes
# or exits early is counted as a failure and the run goes on.  A file
# reports its counts in its last line and each test as it runs (see
# tester.tcl).  A file that ends abnormally (a signal, a sanitizer
# report, an exit status other than finish_test's) counts one failure
# more than its tests did, and the test it was running is named.
#
# Prints one line per file, then the output of every file that failed,
# and ends with the line "N passed, N failed".  Exits 1 if anything failed.

set testdir [file dirname [file normalize [info script]]]
set tclsh [info nameofexecutable]
set env(MIGTEST_RUNNER) 1

set files [lsort [glob -nocomplain -directory $testdir *.test]]
if {[llength $argv]} {
  set chosen {}
  foreach f $files {
    set tail [file tail $f]
    foreach pat $argv {
      if {[string match -nocase *$pat* $tail]} {
        lappend chosen $f
        break
      }
    }
  }
  set files $chosen
}
if {[llength $files]==0} {
  puts "no test files match: $argv"
  puts "0 passed, 1 failed"
  exit 1
}

# Run one file; return {status passed failed output}.  status is "ok",
# or a phrase saying how the child ended when that was not normal.
# A file that runs longer than MIG_TEST_TIMEOUT seconds (default 1200) is
# killed, so that a hang fails the run instead of stalling it.
proc run_file {tclsh file} {
  set cmd [list $tclsh $file]
  if {[auto_execok timeout] ne ""} {
    set limit 1200
    if {[info exists ::env(MIG_TEST_TIMEOUT)]} { set limit $::env(MIG_TEST_TIMEOUT) }
    set cmd [linsert $cmd 0 timeout -s KILL $limit]
  }
  set chan [open |[concat $cmd [list 2>@1]] r]
  set out [read $chan]
  set status ok
  if {[catch {close $chan} msg opts]} {
    set code [dict get $opts -errorcode]
    switch -- [lindex $code 0] {
      CHILDSTATUS { set status "exited with status [lindex $code 2]" }
      CHILDKILLED { set status "killed by [lindex $code 2]" }
      default     { set status "failed: $msg" }
    }
  }
  set npass 0
  set nfail 0
  set result ""
  set current ""
  set last ""
  foreach line [split $out \n] {
    switch -glob -- $line {
      "MIGTEST-START *"  { set current [lindex $line 1] }
      "MIGTEST-PASS *"   { incr npass; set last $current; set current "" }
      "MIGTEST-FAIL *"   { incr nfail; set last $current; set current "" }
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
  list $status $npass $nfail $out
}

set total_pass 0
set total_fail 0
set broken {}
set width 0
foreach f $files {
  set width [expr {max($width, [string length [file tail $f]])}]
}
foreach f $files {
  set name [file tail $f]
  set t0 [clock milliseconds]
  lassign [run_file $tclsh $f] status npass nfail out
  set ms [expr {[clock milliseconds] - $t0}]
  incr total_pass $npass
  incr total_fail $nfail
  set line [format "%-*s %5d passed, %3d failed  (%d ms)" $width $name $npass $nfail $ms]
  if {$status ne "ok"} { append line "  -- $status" }
  puts $line
  flush stdout
  if {$nfail>0 || $status ne "ok"} {
    lappend broken $name $status $out
  }
}

foreach {name status out} $broken {
  puts ""
  puts "==== $name[expr {$status eq "ok" ? "" : " ($status)"}] ===="
  set lines {}
  foreach line [split [string trimright $out \n] \n] {
    if {![string match "MIGTEST-*" $line]} { lappend lines $line }
  }
  puts [join $lines \n]
}
if {[llength $broken]} { puts "" }
puts "$total_pass passed, $total_fail failed"
exit [expr {$total_fail>0 ? 1 : 0}]
