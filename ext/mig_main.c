/*
** mig_main.c: the entry point of libmig and its SQL functions.
**
** sqlite3_mig_init() registers every SQL function on the connection it is
** loaded into, with one MigConfig (per-connection settings) as user data.
** The functions here only unpack arguments, call into the other files and
** turn the sticky error of the Mig handle into an SQL error.
**
** Function flags: anything that changes the schema or touches files is
** SQLITE_DIRECTONLY, so that a view or trigger in a hostile schema cannot
** call it.  Nothing here is SQLITE_DETERMINISTIC: every function reads
** a schema that can change between calls.
*/
#define MIG_MAIN_C
#include "mig_int.h"
SQLITE_EXTENSION_INIT1

/* Fails unless zDb names an attached schema. */
static void migRequireSchema(Mig *p, const char *zFunc, const char *zDb){
  if( p->rc==SQLITE_OK && !migSchemaExists(p, zDb) ){
    migErrorSet(p, SQLITE_ERROR,
        "%s: no such schema: %s (attach it, or create it with mig_models)",
        zFunc, zDb);
  }
}

/*
** mig_schema(schema): the schema as libmig understands it, as JSON.
*/
static void migSchemaFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  const char *zDb = "main";
  MigSchema *pSchema = 0;
  char *zJson = 0;
  migCallBegin(&m, ctx);
  if( argc>0 ) zDb = migArgText(&m, "mig_schema", argv, 0, "schema");
  migRequireSchema(&m, "mig_schema", zDb);
  pSchema = migSchemaRead(&m, zDb);
  zJson = migSchemaJson(&m, pSchema);
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zJson, -1, sqlite3_free);
    zJson = 0;
  }
  sqlite3_free(zJson);
  migSchemaFree(pSchema);
  migCallEnd(&m, ctx);
}

/*
** Build the database for mig_models in a private in-memory connection, so
** that unqualified (or even "main."-qualified) DDL can only ever land
** there, and return it serialized.  *pnObj is the number of schema
** objects created (shadow tables of virtual tables are not counted).
*/
static unsigned char *migModelsBuild(
  Mig *p, const char *zSql, sqlite3_int64 *pnByte, int *pnObj
){
  sqlite3 *pPriv = 0;
  unsigned char *aData = 0;
  const char *zTail = zSql;
  int rc;

  rc = sqlite3_open_v2(":memory:", &pPriv,
      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc!=SQLITE_OK ){
    migErrorSet(p, rc==SQLITE_NOMEM ? SQLITE_NOMEM : rc,
        "mig_models: cannot open an in-memory database");
    goto models_out;
  }
  while( p->rc==SQLITE_OK && zTail && zTail[0] ){
    const char *zStart = zTail;
    rc = migRunOne(pPriv, zStart, &zTail);
    if( rc==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else if( rc!=SQLITE_OK ){
      int n = 0;
      const char *zStmt = migStatementExtent(zStart, &n);
      migErrorSet(p, SQLITE_ERROR, "mig_models: %s in: %.*s",
          sqlite3_errmsg(pPriv), n, zStmt);
    }
  }
  if( p->rc==SQLITE_OK ){
    sqlite3_stmt *pCount = 0;
    rc = sqlite3_prepare_v2(pPriv,
        "SELECT (SELECT count(*) FROM sqlite_schema"
        "         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite!_%' ESCAPE '!')"
        "     - (SELECT count(*) FROM pragma_table_list WHERE type='shadow')",
        -1, &pCount, 0);
    if( rc==SQLITE_OK && sqlite3_step(pCount)==SQLITE_ROW ){
      *pnObj = sqlite3_column_int(pCount, 0);
    }
    rc = sqlite3_finalize(pCount);
    if( rc!=SQLITE_OK ){
      migErrorSet(p, rc, "mig_models: %s", sqlite3_errmsg(pPriv));
    }
  }
  if( p->rc==SQLITE_OK && *pnObj>0 ){
    /* An empty database serializes to nothing: attach it empty instead. */
    aData = sqlite3_serialize(pPriv, "main", pnByte, 0);
    if( aData==0 ) migErrorSet(p, SQLITE_NOMEM, 0);
  }

 models_out:
  sqlite3_close(pPriv);
  return aData;
}

/*
** mig_models(schema, sql_text): attach (or replace) an in-memory database
** named schema holding the DDL of sql_text.  Returns the number of
** objects created.
*/
static void migModelsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  const char *zDb;
  const char *zSql;
  unsigned char *aData = 0;
  sqlite3_int64 nByte = 0;
  int nObj = 0;
  int bAttached = 0;
  (void)argc;

  migCallBegin(&m, ctx);
  zDb = migArgText(&m, "mig_models", argv, 0, "schema");
  zSql = migArgText(&m, "mig_models", argv, 1, "sql_text");
  if( m.rc==SQLITE_OK
   && (sqlite3_stricmp(zDb, "main")==0 || sqlite3_stricmp(zDb, "temp")==0)
  ){
    migErrorSet(&m, SQLITE_ERROR,
        "mig_models: cannot replace the %s schema; choose another name", zDb);
  }
  aData = migModelsBuild(&m, zSql, &nByte, &nObj);
  if( m.rc==SQLITE_OK && migSchemaExists(&m, zDb) ){
    migExec(&m, "DETACH %Q", zDb);
  }
  migExec(&m, "ATTACH ':memory:' AS %Q", zDb);
  if( m.rc==SQLITE_OK ) bAttached = 1;
  if( m.rc==SQLITE_OK && aData ){
    int rc;
    rc = sqlite3_deserialize(m.db, zDb, aData, nByte, nByte,
        SQLITE_DESERIALIZE_FREEONCLOSE|SQLITE_DESERIALIZE_RESIZEABLE);
    aData = 0;    /* owned by SQLite now, even on failure */
    if( rc!=SQLITE_OK ) migErrorSet(&m, rc, "mig_models: %s", sqlite3_errstr(rc));
  }
  if( m.rc!=SQLITE_OK && bAttached ){
    Mig m2;
    memset(&m2, 0, sizeof(m2));
    m2.db = m.db;
    migExec(&m2, "DETACH %Q", zDb);
    migReset(&m2);
  }
  sqlite3_free(aData);
  if( m.rc==SQLITE_OK ) sqlite3_result_int(ctx, nObj);
  migCallEnd(&m, ctx);
}

/*
** mig_diff(models [, options_json]): the upgrade SQL from main to models.
*/
static void migDiffFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigDiffOpts opts;
  const char *zModels;
  char *zOut = 0;

  migCallBegin(&m, ctx);
  memset(&opts, 0, sizeof(opts));
  zModels = migArgText(&m, "mig_diff", argv, 0, "models");
  if( argc>1 ) opts.zOptionsJson = (const char*)sqlite3_value_text(argv[1]);
  opts.bAlwaysRebuild = pConfig->bAlwaysRebuild;
  migRequireSchema(&m, "mig_diff", zModels);
  zOut = migDiff(&m, "main", zModels, &opts);
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut ? zOut : "", -1, SQLITE_TRANSIENT);
  }
  sqlite3_free(zOut);
  migCallEnd(&m, ctx);
}

/*
** mig_config(key [, value]): read or set a per-connection setting.
** Returns the value in force after the call.
*/
static void migConfigFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  const char *zKey;

  migCallBegin(&m, ctx);
  zKey = migArgText(&m, "mig_config", argv, 0, "key");
  if( m.rc==SQLITE_OK && sqlite3_stricmp(zKey, "script_location")==0 ){
    if( argc>1 ){
      const char *zVal = migArgText(&m, "mig_config", argv, 1, "value");
      char *zNew = migStrndup(&m, zVal, -1);
      if( zNew ){
        sqlite3_free(pConfig->zScriptLocation);
        pConfig->zScriptLocation = zNew;
      }
    }
    if( m.rc==SQLITE_OK ){
      sqlite3_result_text(ctx, pConfig->zScriptLocation, -1, SQLITE_TRANSIENT);
    }
  }else if( m.rc==SQLITE_OK && sqlite3_stricmp(zKey, "rebuild")==0 ){
    if( argc>1 ){
      const char *zVal = migArgText(&m, "mig_config", argv, 1, "value");
      if( zVal && sqlite3_stricmp(zVal, "auto")==0 ){
        pConfig->bAlwaysRebuild = 0;
      }else if( zVal && sqlite3_stricmp(zVal, "always")==0 ){
        pConfig->bAlwaysRebuild = 1;
      }else if( zVal ){
        migErrorSet(&m, SQLITE_ERROR,
            "mig_config: rebuild must be 'auto' or 'always', not '%s'", zVal);
      }
    }
    if( m.rc==SQLITE_OK ){
      sqlite3_result_text(ctx, pConfig->bAlwaysRebuild ? "always" : "auto",
          -1, SQLITE_STATIC);
    }
  }else if( m.rc==SQLITE_OK && sqlite3_stricmp(zKey, "progress")==0 ){
    if( argc>1 ) pConfig->bProgress = sqlite3_value_int(argv[1])!=0;
    sqlite3_result_int(ctx, pConfig->bProgress);
  }else if( m.rc==SQLITE_OK ){
    migErrorSet(&m, SQLITE_ERROR, "mig_config: unknown setting '%s' "
        "(known: script_location, rebuild, progress)", zKey);
  }
  migCallEnd(&m, ctx);
}

/* mig_version(): libmig's version. */
static void migVersionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, MIG_VERSION, -1, SQLITE_STATIC);
}

/* Destructor of the per-connection configuration. */
static void migConfigFree(void *pArg){
  MigConfig *pConfig = (MigConfig*)pArg;
  if( pConfig ){
    sqlite3_free(pConfig->zScriptLocation);
    sqlite3_free(pConfig);
  }
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_mig_init(
  sqlite3 *db,
  char **pzErrMsg,
  const sqlite3_api_routines *pApi
){
  static const struct {
    const char *zName;
    int nArg;
    int eFlags;
    void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
  } aFunc[] = {
    { "mig_schema",  0, SQLITE_DIRECTONLY, migSchemaFunc },
    { "mig_schema",  1, SQLITE_DIRECTONLY, migSchemaFunc },
    { "mig_models",  2, SQLITE_DIRECTONLY, migModelsFunc },
    { "mig_diff",    1, SQLITE_DIRECTONLY, migDiffFunc },
    { "mig_diff",    2, SQLITE_DIRECTONLY, migDiffFunc },
    { "mig_config",  1, SQLITE_DIRECTONLY, migConfigFunc },
    { "mig_config",  2, SQLITE_DIRECTONLY, migConfigFunc },
    { "mig_upgrade",      1, SQLITE_DIRECTONLY, migUpgradeFunc },
    { "mig_downgrade",    1, SQLITE_DIRECTONLY, migDowngradeFunc },
    { "mig_stamp",        1, SQLITE_DIRECTONLY, migStampFunc },
    { "mig_current",      0, SQLITE_DIRECTONLY, migCurrentFunc },
    { "mig_revision",     1, SQLITE_DIRECTONLY, migRevisionFunc },
    { "mig_revision",     2, SQLITE_DIRECTONLY, migRevisionFunc },
    { "mig_revision",     3, SQLITE_DIRECTONLY, migRevisionFunc },
    { "mig_merge",        0, SQLITE_DIRECTONLY, migMergeFunc },
    { "mig_merge",        1, SQLITE_DIRECTONLY, migMergeFunc },
    { "mig_autogenerate", 1, SQLITE_DIRECTONLY, migAutogenerateFunc },
    { "mig_autogenerate", 2, SQLITE_DIRECTONLY, migAutogenerateFunc },
    { "mig_autogenerate", 3, SQLITE_DIRECTONLY, migAutogenerateFunc },
    { "mig_check",        1, SQLITE_DIRECTONLY, migCheckFunc },
    { "mig_sql",          1, SQLITE_DIRECTONLY, migSqlFunc },
    { "mig_sql",          2, SQLITE_DIRECTONLY, migSqlFunc },
    { "mig_test",         1, SQLITE_DIRECTONLY, migTestFunc },
    { "mig_rebuild", 2, SQLITE_DIRECTONLY, migRebuildFunc },
    { "mig_rebuild", 3, SQLITE_DIRECTONLY, migRebuildFunc },
  };
  int rc = SQLITE_OK;
  int i;
  MigConfig *pConfig;
  SQLITE_EXTENSION_INIT2(pApi);

  pConfig = (MigConfig*)sqlite3_malloc(sizeof(MigConfig));
  if( pConfig==0 ) return SQLITE_NOMEM;
  memset(pConfig, 0, sizeof(*pConfig));
  pConfig->zScriptLocation = sqlite3_mprintf("%s", "migrations");
  if( pConfig->zScriptLocation==0 ){
    sqlite3_free(pConfig);
    return SQLITE_NOMEM;
  }
  /* The config is freed with the connection, by the destructor of
  ** mig_version(), which is registered first. */
  rc = sqlite3_create_function_v2(db, "mig_version", 0,
      SQLITE_UTF8|SQLITE_INNOCUOUS|SQLITE_DETERMINISTIC, pConfig,
      migVersionFunc, 0, 0, migConfigFree);
  for(i=0; rc==SQLITE_OK && i<(int)(sizeof(aFunc)/sizeof(aFunc[0])); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        SQLITE_UTF8|aFunc[i].eFlags, pConfig, aFunc[i].xFunc, 0, 0);
  }
  /* The eponymous virtual table "migrations" (mig_vtab.c). */
  if( rc==SQLITE_OK ) rc = migVtabRegister(db, pConfig);
  if( rc!=SQLITE_OK && pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("libmig: cannot register functions: %s",
        sqlite3_errstr(rc));
  }
  return rc;
}
