/*
** static_app.c: an application with libmig compiled into it.
**
** test/amalgamation.test builds it from this file and the amalgamation
** (libmig.c), linked with -lsqlite3, in two ways:
**
**     cc static_app.c libmig.c -lsqlite3               (the API table)
**     cc -DSQLITE_CORE static_app.c libmig.c -lsqlite3 (direct calls)
**
** and runs it as
**
**     static_app DIR [auto|direct]
**
** "auto" (the default) registers libmig with sqlite3_auto_extension, so
** that every connection opened afterwards has it, including those libmig
** opens itself (mig_sql's scratch database); "direct" (SQLITE_CORE only)
** calls sqlite3_mig_init on the one connection, with no API table.  No
** extension is ever loaded: load_extension stays off.  It then runs the
** seeds' workflow in DIR (app.db, scripts in migrations/) and prints
** each result, one line each, for the test to compare.
*/
#define _POSIX_C_SOURCE 200809L  /* chdir */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

int sqlite3_mig_init(sqlite3*, char**, const sqlite3_api_routines*);

/* Prints the first column of each row of zSql ("NULL" for NULL), or the
** error; returns 1 on an error. */
static int run(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  const char *zTail = zSql;
  int rc = SQLITE_OK;
  while( rc==SQLITE_OK && zTail && zTail[0] ){
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail);
    if( rc!=SQLITE_OK || pStmt==0 ) break;
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      const unsigned char *z = sqlite3_column_text(pStmt, 0);
      printf("%s\n", z ? (const char*)z : "NULL");
    }
    rc = sqlite3_finalize(pStmt);
    pStmt = 0;
  }
  if( rc!=SQLITE_OK ){
    printf("error: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  return 0;
}

/* Opens zFile; in direct mode with libmig registered on it by hand. */
static sqlite3 *open_db(const char *zFile, int bDirect){
  sqlite3 *db = 0;
  if( sqlite3_open(zFile, &db)!=SQLITE_OK ){
    printf("error: cannot open %s: %s\n", zFile, sqlite3_errmsg(db));
    exit(1);
  }
  if( bDirect ){
    char *zErr = 0;
#ifdef SQLITE_CORE
    int rc = sqlite3_mig_init(db, &zErr, 0);
#else
    int rc = SQLITE_MISUSE;
    zErr = sqlite3_mprintf("direct needs SQLITE_CORE");
#endif
    if( rc!=SQLITE_OK ){
      printf("error: sqlite3_mig_init: %s\n", zErr ? zErr : "?");
      exit(1);
    }
  }
  return db;
}

int main(int argc, char **argv){
  sqlite3 *db, *db2;
  int bDirect, nErr = 0;
  if( argc<2 || argc>3
   || (argc==3 && strcmp(argv[2], "auto")!=0 && strcmp(argv[2], "direct")!=0)
  ){
    fprintf(stderr, "usage: %s DIR [auto|direct]\n", argv[0]);
    return 2;
  }
  bDirect = argc==3 && strcmp(argv[2], "direct")==0;
#ifdef SQLITE_CORE
  printf("SQLITE_CORE\n");
#else
  printf("API table\n");
#endif
  if( !bDirect ){
    sqlite3_auto_extension((void(*)(void))sqlite3_mig_init);
  }

  if( chdir(argv[1])!=0 ){
    printf("error: cannot enter %s\n", argv[1]);
    return 1;
  }
  db = open_db("app.db", bDirect);
  nErr += run(db,
    "SELECT mig_config('script_location', 'migrations');"
    "SELECT mig_version() IS NOT NULL;"
    "SELECT mig_models('models', 'CREATE TABLE pet(id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL)');"
    "SELECT mig_diff('models');"
    "SELECT length(mig_autogenerate('models', 'initial'));"
    "SELECT mig_upgrade('head');"
    "INSERT INTO pet(name) VALUES('Rex'), ('Tom');"
    "SELECT mig_models('models', 'CREATE TABLE pet(id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, age INTEGER NOT NULL DEFAULT 0 CHECK(age>=0))');"
    "SELECT mig_diff('models');"
    "SELECT length(mig_autogenerate('models', 'age'));"
    "SELECT mig_upgrade('head');"
    "SELECT group_concat(id || ':' || name || ':' || age, ' ') FROM pet;"
    "SELECT mig_check('models');"
    "SELECT count(*) FROM migrations WHERE is_applied;"
    "SELECT mig_sql('head', 'base') LIKE '%CREATE TABLE%';"
    "SELECT mig_downgrade('-1');"
    "SELECT group_concat(name, ' ') FROM pragma_table_info('pet');"
  );

  /* A second connection: registered by sqlite3_auto_extension too. */
  if( !bDirect ){
    db2 = open_db("app.db", 0);
    nErr += run(db2, "SELECT mig_config('script_location', 'migrations');"
                     "SELECT mig_current();");
    sqlite3_close(db2);
  }
  sqlite3_close(db);
  sqlite3_reset_auto_extension();
  printf("%s\n", nErr ? "FAILED" : "ok");
  return nErr!=0;
}
