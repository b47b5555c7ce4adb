/*
** mig_models.c: mig_models(schema, sql_text), the models schema built
** from DDL text.
**
** The DDL runs on a private in-memory connection, so that unqualified
** (or even "main."-qualified) statements can only ever land there; the
** result is copied with the backup API (migAttachCopy: serialize and
** deserialize are not in the API table of SQLite before 3.39) into a
** fresh in-memory database attached to the caller's connection as schema
** (an in-memory schema of that name is overwritten in place, a database
** file of that name detached).  A failure leaves the in-memory schema of
** that name as it was, or none (out of memory from then on may leave the
** one attached for the copy, empty: SQLite refuses to detach it).
*/
#include "mig_int.h"

/*
** Build the database for mig_models in a private in-memory connection.
** *pnObj is the number of schema objects created (not the shadow tables
** of virtual tables and libSQL vector indexes, nor their indexes).  Returns the connection (close it),
** or NULL with the error set.
*/
static sqlite3 *migModelsBuild(Mig *p, const char *zSql, int *pnObj){
  Mig m;
  const char *zTail = zSql;
  sqlite3 *pPriv = 0;
  int rc;

  if( p->rc!=SQLITE_OK ) return 0;
  rc = sqlite3_open_v2(":memory:", &pPriv,
      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc!=SQLITE_OK ){
    migErrorSet(p, rc, "cannot open an in-memory database");
    sqlite3_close(pPriv);
    return 0;
  }
  migHandleInit(&m, pPriv, 0, 0);
  while( m.rc==SQLITE_OK && zTail && zTail[0] ){
    const char *zStart = zTail;
    rc = migRunOne(pPriv, zStart, &zTail);
    if( rc==SQLITE_NOMEM ){
      migErrorSet(&m, SQLITE_NOMEM, 0);
    }else if( rc!=SQLITE_OK ){
      int n = 0;
      const char *zStmt = migStatementExtent(zStart, &n);
      migError(&m, "%s in: %.*s", sqlite3_errmsg(pPriv), n, zStmt);
    }
  }
  *pnObj = (int)migQueryInt(&m, 0, "SELECT count(*) FROM \"main\".sqlite_master"
      " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite!_%%' ESCAPE '!'");
  /* (not the shadow tables of virtual tables and vector indexes) */
  *pnObj -= migShadowCount(&m, "main");
  migErrorFrom(p, &m, "");
  if( p->rc!=SQLITE_OK ){
    sqlite3_close(pPriv);
    pPriv = 0;
  }
  return pPriv;
}

/*
** mig_models(schema, sql_text): attach (or replace) an in-memory database
** named schema holding the DDL of sql_text.  Returns the number of
** objects created.
*/
void migModelsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  const char *zDb;
  const char *zSql;
  const char *zTarget;
  sqlite3 *pPriv;
  int nObj = 0;
  int bAttached = 0;
  (void)argc;

  /* Not migCallBegin: models are made whether the target is attached
  ** or not, and its messages are not about the target. */
  migHandleInit(&m, sqlite3_context_db_handle(ctx), "mig_models",
                (MigConfig*)sqlite3_user_data(ctx));
  zTarget = m.zDb;
  m.zDb = MIG_MAIN_DB;
  zDb = migArgText(&m, argv, 0, "schema");
  zSql = migArgText(&m, argv, 1, "sql_text");
  if( m.rc==SQLITE_OK
   && (sqlite3_stricmp(zDb, "main")==0 || sqlite3_stricmp(zDb, "temp")==0)
  ){
    migError(&m, "cannot replace the %s schema; choose another name", zDb);
  }else if( m.rc==SQLITE_OK && sqlite3_stricmp(zDb, zTarget)==0 ){
    migError(&m, "cannot replace target \"%w\" (mig_config); choose "
        "another name", zDb);
  }
  pPriv = migModelsBuild(&m, zSql, &nObj);
  bAttached = migAttachCopy(&m, pPriv, zDb);
  migModelsMadeAdd(&m, zDb);
  if( m.rc!=SQLITE_OK && bAttached ) migCleanup(&m, "DETACH %Q", zDb);
  sqlite3_close(pPriv);
  if( m.rc==SQLITE_OK ) sqlite3_result_int(ctx, nObj);
  migCallEnd(&m, ctx);
}
