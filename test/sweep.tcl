# sweep.tcl: the harness of the fault sweeps (interrupt.test, oom.test):
# one call that migrates a database (mig_upgrade by default), stopped at
# the Nth point of a fault, for every N or a spread of them, each time on
# a fresh copy of the same database, in each of the ways an application
# calls it and goes on afterwards.  After every run the rules that
# protect data must hold (README.md, rules 1 and 7):
#
#   - the database, reopened, is at the old or at the new revision with
#     exactly its schema and rows (sqlite_sequence and the bookkeeping
#     included), and PRAGMA integrity_check says ok;
#   - the result matches: a call that returned a revision left the new
#     revision (unless the application rolled its own transaction back),
#     a call that failed left the old one;
#   - in autocommit mode no transaction is left open: right after the
#     call, before the application runs anything, another connection can
#     take the write lock;
#   - foreign_keys, legacy_alter_table and writable_schema are as they
#     were before the call (read with sqlite3_db_config, which runs no
#     statement).
#
# The ways (modes) a run calls and goes on:
#   auto         autocommit mode; nothing after the call
#   auto_write   autocommit mode; the application writes after the call
#   auto_close   autocommit mode; the connection closes at once
#   auto_temp    autocommit mode with TEMP objects on the connection (a
#                view, a trigger): libmig makes them again on its private
#                connection (method A of ext/mig_txn.c)
#   auto_excl    autocommit mode in locking_mode=EXCLUSIVE: libmig works
#                on the caller's connection (method B), then the
#                application writes; that write must be committed (it
#                never falls into a transaction libmig left open).  The
#                lock check below cannot run there (the connection keeps
#                its lock)
#   txn_commit   BEGIN, a write, the call, a write, COMMIT
#   txn_rollback BEGIN, a write, the call, a write, ROLLBACK
#   txn_close    BEGIN, a write, the call, then close without COMMIT
# The application's own writes go to the table "side", which the
# comparison of states leaves out.
#
# To sweep another revision (the in-place edits of mig_rebuild, say),
# source this file and call sweep_template with the models before and
# after and the rows, then sweep_run with the injector of your choice:
# interrupt.test is the example.
#
# Globals: ::sw(tpl) the template database (at the old revision), ::sw(dir)
# its scripts, ::sw(old) and ::sw(new) the two states, ::sw(r1) and
# ::sw(r2) the two revisions, ::sw(sql) the call under test.

# The state of the database on connection CONN: schema, rows of every
# table but "side" (with rowids), sqlite_sequence, the applied revisions.
proc sweep_state {conn} {
  set s [list [$conn eval {
    SELECT type, name, tbl_name, sql FROM sqlite_master
    WHERE name<>'side' ORDER BY type, name
  }]]
  foreach t [$conn eval {
    SELECT name FROM sqlite_master WHERE type='table' AND name<>'side'
      AND name NOT LIKE 'sqlite_stat%' ORDER BY name
  }] {
    if {$t eq "_libmig_applied"} {
      lappend s $t [$conn eval {SELECT revision, checksum FROM _libmig_applied ORDER BY 1}]
      continue
    }
    set cols "*"
    if {![$conn exists "SELECT 1 FROM sqlite_master WHERE name='$t' AND sql LIKE '%WITHOUT ROWID%'"]} {
      set cols "rowid, *"
    }
    lappend s $t [$conn eval "SELECT $cols FROM \"[string map {\" \"\"} $t]\" ORDER BY 1"]
  }
  return $s
}

# Open connection CONN on FILE with libmig and the scripts of ::sw(dir).
proc sweep_open {conn file} {
  sqlite3 $conn $file
  load_libmig $conn
  $conn eval {SELECT mig_config('script_location', $::sw(dir))}
}

# Build the template: a database at the revision that models V1 give,
# with ROWS (SQL) in it, and the revision to V2 written.  The states
# before and after the call come from a run without faults.
proc sweep_template {name v1 v2 rows {call {SELECT mig_upgrade('head')}}} {
  global sw
  set sw(dir) [file join $::tmpdir $name-scripts]
  set sw(tpl) [file join $::tmpdir $name-tpl.db]
  set sw(sql) $call
  file delete -force $sw(dir)
  foreach s {"" -journal -wal -shm} { file delete -force $sw(tpl)$s }
  sweep_open t $sw(tpl)
  set m "$v1\nCREATE TABLE side(x);"
  t eval {SELECT mig_models('models', $m)}
  set sw(r1) [t one {SELECT mig_autogenerate('models', 'v1')}]
  t eval {SELECT mig_upgrade('head')}
  t eval $rows
  set m "$v2\nCREATE TABLE side(x);"
  t eval {SELECT mig_models('models', $m)}
  set sw(r2) [t one {SELECT mig_autogenerate('models', 'v2')}]
  set sw(old) [sweep_state t]
  t close
  set f [file join $::tmpdir $name-ref.db]
  file copy -force $sw(tpl) $f
  sweep_open t $f
  set res [t one $sw(sql)]
  set sw(new) [sweep_state t]
  t close
  file delete $f
  return $res
}

# The settings that must be as they were after the call.
proc sweep_settings {conn} {
  set c [$conn config]
  list [dict get $c enable_fkey] [dict get $c legacy_alter_table] \
       [dict get $c writable_schema]
}

# One run: a fresh copy of the template, the call in MODE with the fault
# armed by the script ARM (run just before the call, in the caller's
# scope, with $conn the connection) and disarmed by DISARM just after.
# Returns {outcome detail}: outcome "ok" (the call succeeded), "fail"
# (it failed by the fault), or "BAD" with what broke.
proc sweep_one {mode arm disarm {file ""}} {
  global sw
  if {$file eq ""} { set file [file join $::tmpdir sweep-run.db] }
  foreach s {"" -journal -wal -shm} { file delete -force $file$s }
  file copy $sw(tpl) $file
  sweep_open sdb $file
  # No fsync (what is swept is what SQLite and libmig do, not the disk);
  # the private connection takes the setting over.
  sdb eval {PRAGMA synchronous=OFF}
  sdb eval {PRAGMA foreign_keys=ON; PRAGMA legacy_alter_table=ON}
  sdb config writable_schema 0
  set before [sweep_settings sdb]
  if {$mode eq "auto_temp"} {
    sdb eval {
      CREATE TEMP VIEW side_v AS SELECT * FROM main.side;
      CREATE TEMP TABLE seen(x);
      CREATE TEMP TRIGGER side_t AFTER INSERT ON main.side BEGIN
        INSERT INTO seen VALUES(new.x);
      END;
    }
  }
  if {$mode eq "auto_excl"} { sdb eval {PRAGMA locking_mode=EXCLUSIVE} }
  set txn [string match txn* $mode]
  if {$txn} { sdb eval {BEGIN; INSERT INTO side VALUES('before')} }
  # sweep_returned() runs once the call has returned: it marks the end of
  # the points of the call (later ones stop the calling statement itself,
  # which SQLite then reports as interrupted whatever the call did).
  sdb function sweep_returned sweep_returned
  set ::sweep_end -1
  set conn sdb
  eval $arm
  set rc [catch {sdb one "$sw(sql), sweep_returned()"} res]
  eval $disarm
  set bad {}
  if {!$rc && $res ne [sweep_new_result]} { lappend bad "returned '$res'" }
  if {$rc && $res eq ""} { lappend bad "failed without a message" }
  # Nothing left open in autocommit mode: another connection can write.
  if {!$txn && $mode ne "auto_excl"} {
    sqlite3 schk $file
    schk timeout 0
    if {[catch {schk eval {BEGIN IMMEDIATE; ROLLBACK}} msg]} {
      lappend bad "a transaction was left open ($msg)"
    }
    schk close
  }
  if {[sweep_settings sdb] ne $before} {
    lappend bad "settings [sweep_settings sdb], were $before"
  }
  set commit ""
  switch -- $mode {
    auto_write - auto_excl {
      if {[catch {sdb eval {INSERT INTO side VALUES('after')}} msg]} {
        lappend bad "the write after the call failed: $msg"
      }
    }
    txn_commit   {
      catch {sdb eval {INSERT INTO side VALUES('after')}}
      set commit [expr {[catch {sdb eval COMMIT}] ? "failed" : "ok"}]
    }
    txn_rollback {
      catch {sdb eval {INSERT INTO side VALUES('after')}}
      catch {sdb eval ROLLBACK}
    }
  }
  sdb close
  # What the database must hold now.
  set want old
  if {!$rc} {
    switch -- $mode {
      txn_commit   { if {$commit eq "ok"} { set want new } }
      txn_rollback - txn_close { set want old }
      default      { set want new }
    }
  }
  sqlite3 sdb $file
  if {[catch {
    set ic [sdb eval {PRAGMA integrity_check}]
    set state [sweep_state sdb]
  } msg]} {
    lappend bad "cannot read the database: $msg"
  } else {
    if {$ic ne "ok"} { lappend bad "integrity_check: $ic" }
    if {$mode in {auto_write auto_excl}
        && ![sdb exists {SELECT 1 FROM side WHERE x='after'}]} {
      lappend bad "the write after the call was lost"
    }
    if {$state ne $sw($want)} {
      set other [expr {$want eq "old" ? "new" : "old"}]
      if {$state eq $sw($other)} {
        lappend bad "at the $other revision, not the $want one (call rc=$rc: $res)"
      } else {
        lappend bad "between the revisions (call rc=$rc: $res)"
      }
    }
  }
  sdb close
  if {[llength $bad]} { return [list BAD [join $bad {; }]] }
  list [expr {$rc ? "fail" : "ok"}] $res
}

proc sweep_returned {} {
  if {$::sweep_end<0 && [info exists ::tick]} { set ::sweep_end $::tick }
  return 1
}

# What the call returns when it succeeds (the new revision).
proc sweep_new_result {} { return $::sw(r2) }

# Run the sweep of MODE: a first run with the injector at 0 counts the
# points (COUNTER, a global variable the injector sets, up to the return
# of the call); then runs at N = 1..total, every one when ALL, else NPTS
# of them spread evenly.
# ARM and DISARM are scripts with $n the point.  Returns {runs failed ok
# bad-list total}.
proc sweep_mode {mode counter arm disarm all npts} {
  set n 0
  sweep_one $mode [subst -nocommands $arm] $disarm
  set total [set ::$counter]
  if {$::sweep_end>=0} { set total $::sweep_end }
  set stride [expr {$all || $total<=$npts ? 1 : double($total)/$npts}]
  set runs 0; set nfail 0; set nok 0; set bad {}
  set last -1
  for {set x 1.0} {$x<$total+$stride} {set x [expr {$x+$stride}]} {
    set n [expr {$x>$total ? $total : int($x)}]
    if {$n==$last} continue
    set last $n
    lassign [sweep_one $mode [subst -nocommands $arm] $disarm] out detail
    incr runs
    switch -- $out {
      ok   { incr nok }
      fail { incr nfail }
      default {
        lappend bad "$mode N=$n: $detail"
        if {[llength $bad]>=5} break
      }
    }
  }
  list $runs $nfail $nok $bad $total
}
