# crashchild.tcl: the process that test/crash.test kills with SIGKILL.
#
#     tclsh test/crashchild.tcl DB LIBMIG SCRIPT_DIR
#
# Opens DB, loads libmig from LIBMIG, prints "ready", runs
# mig_upgrade('head') with the scripts in SCRIPT_DIR and prints "done"
# and the new revision.  crash.test kills it at a random moment.
package require sqlite3
lassign $argv dbfile lib dir
fconfigure stdout -buffering line
sqlite3 db $dbfile
db enable_load_extension 1
db eval {SELECT load_extension($lib, 'sqlite3_mig_init')}
db eval {SELECT mig_config('script_location', $dir)}
puts ready
puts "done [db one {SELECT mig_upgrade('head')}]"
db close
