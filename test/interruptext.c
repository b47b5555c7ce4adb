/*
** interruptext.c: a test-only SQLite extension that interrupts the
** connection that calls it, for the tests of interrupts where no progress
** handler can be set (better-sqlite3 builds SQLite without them, so that
** the injector of test/interrupt.test cannot run there).  It is not part
** of libmig; the Makefile builds it as test/interruptext.so for `make
** test-node` (test/node/interrupt.test.js).  It uses only the extension
** API table, so that it loads into any SQLite, the one bundled by an npm
** package included.
**
** SQL functions (registered SQLITE_INNOCUOUS, so that a mapping of
** mig_rebuild may call them under trusted_schema=OFF too):
**
**   mig_test_interrupt()       calls sqlite3_interrupt() on the connection
**                              and returns 1: the statement that runs
**                              stops at its next loop, and every later
**                              statement the connection starts before the
**                              outermost one ends fails with "interrupted"
**                              (as when another thread or a signal
**                              handler interrupts: Ctrl-C in the shell)
**   mig_test_interrupt_at(x, n)  the same when x equals n; returns x
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

static void itInterrupt(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_interrupt(sqlite3_context_db_handle(ctx));
  sqlite3_result_int(ctx, 1);
}

static void itInterruptAt(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  if( sqlite3_value_int64(argv[0])==sqlite3_value_int64(argv[1]) ){
    sqlite3_interrupt(sqlite3_context_db_handle(ctx));
  }
  sqlite3_result_value(ctx, argv[0]);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_interruptext_init(sqlite3 *db, char **pzErrMsg,
                              const sqlite3_api_routines *pApi){
  int rc;
  (void)pzErrMsg;
  SQLITE_EXTENSION_INIT2(pApi);
  rc = sqlite3_create_function(db, "mig_test_interrupt", 0,
      SQLITE_UTF8|SQLITE_INNOCUOUS, 0, itInterrupt, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "mig_test_interrupt_at", 2,
        SQLITE_UTF8|SQLITE_INNOCUOUS, 0, itInterruptAt, 0, 0);
  }
  return rc;
}
