/*
** mig_main.c: the entry point of libmig.
**
** sqlite3_mig_init() is what `.load ./libmig` (or sqlite3_load_extension,
** or sqlite3_auto_extension) calls.  It refuses an SQLite older than
** libmig's floor (migFloorCheck, mig_compat.c), then allocates the
** connection's settings and hands them to migRegister() (mig_config.c),
** which registers every SQL function and the virtual table.  This is the one
** file that uses SQLITE_EXTENSION_INIT1/INIT2.
*/
#define MIG_MAIN_C
#include "mig_int.h"
SQLITE_EXTENSION_INIT1

/* The one symbol the library exports: built with -fvisibility=hidden
** (the Makefile, and the amalgamation's build line in the README), every
** other function stays inside it, so that no other library loaded into
** the process (SQLite loads extensions RTLD_GLOBAL) meets its names. */
#if defined(_WIN32)
__declspec(dllexport)
#elif defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int sqlite3_mig_init(
  sqlite3 *db,
  char **pzErrMsg,
  const sqlite3_api_routines *pApi
){
  MigConfig *pConfig;
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  rc = migFloorCheck(pzErrMsg);
  if( rc!=SQLITE_OK ) return rc;
  pConfig = migConfigCopy(0);
  if( pConfig==0 ) return SQLITE_NOMEM;
  rc = migRegister(db, pConfig);
  if( rc!=SQLITE_OK && pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("libmig: cannot register functions: %s",
        sqlite3_errstr(rc));
  }
  return rc;
}
