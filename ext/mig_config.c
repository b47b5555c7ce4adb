/*
** mig_config.c: the settings of a connection (MigConfig), the SQL
** function mig_config(key [, value]) that reads and sets them, and
** migRegister(), which registers every SQL function and the virtual
** table of libmig on a connection.
**
** SETTINGS.  Each setting is one entry of aMigSetting[]: its name, its
** kind and where its value lives in MigConfig.  Three kinds:
**
**   MIG_SET_TEXT  a string (sqlite3_malloc), never NULL;
**   MIG_SET_ENUM  one of a list of words, stored as its index in the
**                 list (the first word is the default);
**   MIG_SET_BOOL  0 or 1, set from any number (non-zero is 1; text that
**                 is a number counts as one), never from NULL or a word.
**
** A TEXT setting without a default (min_sqlite) starts as the running
** SQLite's version.
**
** THE TARGET.  'target' names the schema every libmig call of the
** connection migrates (Mig.zDb): reading, diffing, bookkeeping (its own
** "_libmig_applied"), rebuilds, the "migrations" table.  It must be an
** attached database: not temp (TEMP objects belong to the connection),
** not a schema that mig_models made (the connection remembers those in
** MigConfig.zModelsMade while they stay in memory), and attached when it
** is set and at every call (migTargetRequire).  It cannot change while a
** migration runs on the connection: the call's handle names it.
**
** mig_config(key) returns the value, mig_config(key, value) sets it and
** returns the new value.  Keys and enum words are case-insensitive.
** Adding a setting is one line in aMigSetting[] and a field in MigConfig;
** a setting that needs more than its kind checks gives an xCheck.
**
** REGISTRATION.  One MigConfig is allocated per connection when the
** extension loads (sqlite3_mig_init, mig_main.c) and is the user data
** (sqlite3_user_data()) of every libmig SQL function and the pAux of the
** virtual table.  It is freed with the connection, by the destructor of
** mig_version(), which is registered first.  The scratch connections of
** mig_check.c get libmig the same way, with a copy of the caller's
** settings (migConfigCopy): no setting travels as SQL text.
**
** Function flags: anything that changes the schema or touches files is
** SQLITE_DIRECTONLY, so that a view or trigger in a hostile schema cannot
** call it.  Nothing but mig_version() is SQLITE_DETERMINISTIC: every
** other function reads a schema or files that can change between calls.
*/
#include "mig_int.h"
#include <stddef.h>

#define MIG_SET_TEXT  1
#define MIG_SET_ENUM  2
#define MIG_SET_BOOL  3

/*************************************************************************
** The target.
*/

/* The entry of zDb in a list of MigConfig.zModelsMade (sqlite3_free). */
static char *migModelsEntry(Mig *p, const char *zDb){
  char *z = migMprintf(p, "%c%s%c", MIG_NAME_SEP, zDb, MIG_NAME_SEP);
  int i;
  for(i=0; z && z[i]; i++){
    if( z[i]>='A' && z[i]<='Z' ) z[i] += 'a' - 'A';
  }
  return z;
}

int migModelsMadeHas(Mig *p, const char *zDb){
  char *zEntry, *zList;
  const char *zFile;
  int bFound = 0, i;
  if( p->pConfig==0 || p->pConfig->zModelsMade==0 ) return 0;
  zFile = sqlite3_db_filename(p->db, zDb);
  if( zFile && zFile[0] ) return 0;    /* a file attached under that name */
  zEntry = migModelsEntry(p, zDb);
  zList = migStrndup(p, p->pConfig->zModelsMade, -1);
  for(i=0; zList && zList[i]; i++){
    if( zList[i]>='A' && zList[i]<='Z' ) zList[i] += 'a' - 'A';
  }
  if( zEntry && zList ) bFound = strstr(zList, zEntry)!=0;
  sqlite3_free(zEntry);
  sqlite3_free(zList);
  return bFound;
}

void migModelsMadeAdd(Mig *p, const char *zDb){
  char *zNew;
  if( p->rc!=SQLITE_OK || p->pConfig==0 || migModelsMadeHas(p, zDb) ) return;
  zNew = migMprintf(p, "%s%c%s%c", p->pConfig->zModelsMade
      ? p->pConfig->zModelsMade : "", MIG_NAME_SEP, zDb, MIG_NAME_SEP);
  if( zNew ){
    sqlite3_free(p->pConfig->zModelsMade);
    p->pConfig->zModelsMade = zNew;
  }
}

/* xCheck of 'target': can zVal be the target from now on? */
static void migTargetCheck(Mig *p, const char *zVal){
  MigGuard *pG = &p->pConfig->guard;
  if( pG->nMoving>0 || pG->nScript>0 || pG->bNested ){
    migError(p, "the target cannot change while a migration runs on this "
        "connection");
  }else if( sqlite3_stricmp(zVal, "temp")==0 ){
    migError(p, "target \"%w\" is refused: the temp schema belongs to the "
        "connection, not to a database to migrate", zVal);
  }else if( !migSchemaExists(p, zVal) ){
    if( p->rc==SQLITE_OK ){
      migError(p, "target \"%w\" is refused: no such schema (attach the "
          "database first)", zVal);
    }
  }else if( migModelsMadeHas(p, zVal) ){
    migError(p, "target \"%w\" is refused: it is a models schema made by "
        "mig_models", zVal);
  }
}

void migTargetRequire(Mig *p){
  if( p->rc!=SQLITE_OK || migIsMain(p->zDb) ) return;
  if( !migSchemaExists(p, p->zDb) && p->rc==SQLITE_OK ){
    migError(p, "target \"%w\" is not attached (attach it again, or "
        "migrate main with mig_config('target', 'main'))", p->zDb);
  }
}

/* One setting.  zDefault is the default of a TEXT setting; zWords lists
** the words of an ENUM one ("auto\0always\0", the default first). */
typedef struct MigSetting MigSetting;
struct MigSetting {
  const char *zName;
  int eKind;                        /* MIG_SET_* */
  size_t iOffset;                   /* of the value in MigConfig */
  const char *zDefault;             /* MIG_SET_TEXT */
  const char *zWords;               /* MIG_SET_ENUM */
  void (*xCheck)(Mig*, const char*);  /* extra check of a new value */
};

static const MigSetting aMigSetting[] = {
  { "script_location", MIG_SET_TEXT,
    offsetof(MigConfig, zScriptLocation), "migrations", 0, 0 },
  { "rebuild", MIG_SET_ENUM,
    offsetof(MigConfig, bAlwaysRebuild), 0, "auto\0always\0", 0 },
  { "progress", MIG_SET_BOOL,
    offsetof(MigConfig, bProgress), 0, 0, 0 },
  { "unsafe_journal", MIG_SET_BOOL,
    offsetof(MigConfig, bUnsafeJournal), 0, 0, 0 },
  { "min_sqlite", MIG_SET_TEXT,     /* default: the running SQLite */
    offsetof(MigConfig, zMinSqlite), 0, 0, migMinSqliteCheck },
  { "target", MIG_SET_TEXT,
    offsetof(MigConfig, zTarget), MIG_MAIN_DB, 0, migTargetCheck },
};
#define MIG_NSETTING ((int)(sizeof(aMigSetting)/sizeof(aMigSetting[0])))

/* The value of setting pSet in pConfig. */
#define MIG_SET_TEXTP(pConfig, pSet) \
  ((char**)((char*)(pConfig) + (pSet)->iOffset))
#define MIG_SET_INTP(pConfig, pSet) \
  ((int*)((char*)(pConfig) + (pSet)->iOffset))

/* The iWord-th word of a list "a\0b\0", or NULL. */
static const char *migSetWord(const char *zWords, int iWord){
  while( *zWords && iWord-- > 0 ) zWords += strlen(zWords)+1;
  return *zWords ? zWords : 0;
}

/* Free a configuration and the strings it holds; NULL is a no-op. */
void migConfigFree(void *pArg){
  MigConfig *pConfig = (MigConfig*)pArg;
  int i;
  if( pConfig==0 ) return;
  migScriptsFree(pConfig->pScripts);
  for(i=0; i<MIG_NSETTING; i++){
    if( aMigSetting[i].eKind==MIG_SET_TEXT ){
      sqlite3_free(*MIG_SET_TEXTP(pConfig, &aMigSetting[i]));
    }
  }
  sqlite3_free(pConfig->zModelsMade);
  sqlite3_free(pConfig);
}

/* A new configuration: a copy of pFrom, or the defaults if pFrom is
** NULL.  NULL when out of memory. */
MigConfig *migConfigCopy(const MigConfig *pFrom){
  MigConfig *pNew = (MigConfig*)sqlite3_malloc(sizeof(MigConfig));
  int i;
  if( pNew==0 ) return 0;
  if( pFrom ){
    memcpy(pNew, pFrom, sizeof(MigConfig));
    pNew->pScripts = 0;             /* state, not a setting */
  }else{
    memset(pNew, 0, sizeof(MigConfig));
  }
  memset(&pNew->guard, 0, sizeof(pNew->guard));   /* state, not settings */
  pNew->zModelsMade = 0;
  for(i=0; i<MIG_NSETTING; i++){
    const MigSetting *pSet = &aMigSetting[i];
    if( pSet->eKind==MIG_SET_TEXT ){
      char **pz = MIG_SET_TEXTP(pNew, pSet);
      *pz = sqlite3_mprintf("%s", pFrom ? *pz
          : pSet->zDefault ? pSet->zDefault : sqlite3_libversion());
    }
  }
  for(i=0; i<MIG_NSETTING; i++){
    if( aMigSetting[i].eKind==MIG_SET_TEXT
     && *MIG_SET_TEXTP(pNew, &aMigSetting[i])==0 ){
      migConfigFree(pNew);
      return 0;
    }
  }
  return pNew;
}

/* Set pSet in pConfig from the SQL value pVal. */
static void migSettingSet(Mig *p, MigConfig *pConfig, const MigSetting *pSet,
                          sqlite3_value *pVal){
  const char *zVal = 0;
  if( pSet->eKind==MIG_SET_BOOL ){
    /* A number ('1' as text too); NULL or a word is no silent 0. */
    int eType = sqlite3_value_numeric_type(pVal);
    if( eType==SQLITE_INTEGER || eType==SQLITE_FLOAT ){
      *MIG_SET_INTP(pConfig, pSet) = sqlite3_value_double(pVal)!=0.0;
    }else if( eType==SQLITE_NULL || eType==SQLITE_BLOB ){
      migError(p, "%s must be 0 or 1, not %s", pSet->zName,
          eType==SQLITE_NULL ? "NULL" : "a BLOB");
    }else{
      zVal = (const char*)sqlite3_value_text(pVal);
      if( zVal==0 ){
        migErrorSet(p, SQLITE_NOMEM, 0);
      }else{
        migError(p, "%s must be 0 or 1, not '%s'", pSet->zName, zVal);
      }
    }
    return;
  }
  zVal = migArgText(p, &pVal, 0, "value");
  if( zVal && pSet->xCheck ) pSet->xCheck(p, zVal);
  if( p->rc!=SQLITE_OK ) return;
  if( pSet->eKind==MIG_SET_TEXT ){
    char *zNew = migStrndup(p, zVal, -1);
    if( zNew ){
      char **pz = MIG_SET_TEXTP(pConfig, pSet);
      sqlite3_free(*pz);
      *pz = zNew;
    }
  }else{
    int i;
    const char *zWord;
    for(i=0; (zWord = migSetWord(pSet->zWords, i))!=0; i++){
      if( sqlite3_stricmp(zWord, zVal)==0 ) break;
    }
    if( zWord ){
      *MIG_SET_INTP(pConfig, pSet) = i;
    }else{
      sqlite3_str *pStr = sqlite3_str_new(0);
      char *zList;
      for(i=0; (zWord = migSetWord(pSet->zWords, i))!=0; i++){
        sqlite3_str_appendf(pStr, "%s'%s'", i==0 ? "" :
            migSetWord(pSet->zWords, i+1) ? ", " : " or ", zWord);
      }
      zList = sqlite3_str_finish(pStr);
      if( zList==0 ){
        migErrorSet(p, SQLITE_NOMEM, 0);
      }else{
        migError(p, "%s must be %s, not '%s'", pSet->zName, zList, zVal);
      }
      sqlite3_free(zList);
    }
  }
}

/* Return the value of pSet in pConfig as the function's result. */
static void migSettingResult(sqlite3_context *ctx, MigConfig *pConfig,
                             const MigSetting *pSet){
  switch( pSet->eKind ){
    case MIG_SET_TEXT:
      sqlite3_result_text(ctx, *MIG_SET_TEXTP(pConfig, pSet), -1,
          SQLITE_TRANSIENT);
      break;
    case MIG_SET_ENUM:
      sqlite3_result_text(ctx,
          migSetWord(pSet->zWords, *MIG_SET_INTP(pConfig, pSet)), -1,
          SQLITE_STATIC);
      break;
    default:
      sqlite3_result_int(ctx, *MIG_SET_INTP(pConfig, pSet));
      break;
  }
}

/*
** mig_config(key [, value]): read or set a per-connection setting.
** Returns the value in force after the call.
*/
static void migConfigFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  const char *zKey;
  int i;

  /* Not migCallBegin: a target that is gone can be set again here, and
  ** the messages are about the setting, not about the target. */
  migHandleInit(&m, sqlite3_context_db_handle(ctx), "mig_config",
                (MigConfig*)sqlite3_user_data(ctx));
  m.zDb = MIG_MAIN_DB;
  zKey = migArgText(&m, argv, 0, "key");
  for(i=0; m.rc==SQLITE_OK && i<MIG_NSETTING; i++){
    if( sqlite3_stricmp(zKey, aMigSetting[i].zName)==0 ) break;
  }
  if( m.rc==SQLITE_OK && i==MIG_NSETTING ){
    sqlite3_str *pStr = sqlite3_str_new(0);
    char *zList;
    for(i=0; i<MIG_NSETTING; i++){
      sqlite3_str_appendf(pStr, "%s%s", i ? ", " : "", aMigSetting[i].zName);
    }
    zList = sqlite3_str_finish(pStr);
    if( zList==0 ){
      migErrorSet(&m, SQLITE_NOMEM, 0);
    }else{
      migError(&m, "unknown setting '%s' (known: %s)", zKey, zList);
    }
    sqlite3_free(zList);
  }
  if( m.rc==SQLITE_OK && argc>1 ){
    migSettingSet(&m, m.pConfig, &aMigSetting[i], argv[1]);
  }
  if( m.rc==SQLITE_OK ) migSettingResult(ctx, m.pConfig, &aMigSetting[i]);
  migCallEnd(&m, ctx);
}

/* mig_version(): libmig's version. */
static void migVersionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, MIG_VERSION, -1, SQLITE_STATIC);
}

/*
** Register every SQL function and the virtual table of libmig on db with
** pConfig as their user data.  db owns pConfig from this call on, also
** when it fails: it is freed when db closes (or at once, if mig_version()
** cannot be registered).
*/
int migRegister(sqlite3 *db, MigConfig *pConfig){
  static const struct {
    const char *zName;
    int nArg;
    void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
  } aFunc[] = {
    { "mig_schema",       0, migSchemaFunc },
    { "mig_schema",       1, migSchemaFunc },
    { "mig_models",       2, migModelsFunc },
    { "mig_diff",         1, migDiffFunc },
    { "mig_diff",         2, migDiffFunc },
    { "mig_config",       1, migConfigFunc },
    { "mig_config",       2, migConfigFunc },
    { "mig_upgrade",      1, migUpgradeFunc },
    { "mig_downgrade",    1, migDowngradeFunc },
    { "mig_stamp",        1, migStampFunc },
    { "mig_current",      0, migCurrentFunc },
    { "mig_revision",     1, migRevisionFunc },
    { "mig_revision",     2, migRevisionFunc },
    { "mig_revision",     3, migRevisionFunc },
    { "mig_merge",        0, migMergeFunc },
    { "mig_merge",        1, migMergeFunc },
    { "mig_autogenerate", 1, migAutogenerateFunc },
    { "mig_autogenerate", 2, migAutogenerateFunc },
    { "mig_autogenerate", 3, migAutogenerateFunc },
    { "mig_check",        1, migCheckFunc },
    { "mig_check",        2, migCheckFunc },
    { "mig_sql",          1, migSqlFunc },
    { "mig_sql",          2, migSqlFunc },
    { "mig_sql",          3, migSqlFunc },
    { "mig_test",         1, migTestFunc },
    { "mig_test",         2, migTestFunc },
    { "mig_dry_run",      2, migDryRunFunc },
    { "mig_rebuild",      2, migRebuildFunc },
    { "mig_rebuild",      3, migRebuildFunc },
    { "_libmig_progress", 0, migRbProgressFunc },
  };
  int rc;
  int i;

  /* Registered first: its destructor frees pConfig with the connection
  ** (and at once when this fails). */
  rc = sqlite3_create_function_v2(db, "mig_version", 0,
      SQLITE_UTF8|SQLITE_INNOCUOUS|SQLITE_DETERMINISTIC, pConfig,
      migVersionFunc, 0, 0, migConfigFree);
  for(i=0; rc==SQLITE_OK && i<(int)(sizeof(aFunc)/sizeof(aFunc[0])); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        SQLITE_UTF8|SQLITE_DIRECTONLY, pConfig, aFunc[i].xFunc, 0, 0);
  }
  /* Pure, and what a schema may call: the plan's queries run models
  ** expressions under the schema's rules (rule 12) and call it. */
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "mig_affinity", 2,
        SQLITE_UTF8|SQLITE_INNOCUOUS|SQLITE_DETERMINISTIC, 0,
        migAffinityFunc, 0, 0);
  }
  if( rc==SQLITE_OK ) rc = migVtabRegister(db, pConfig);
  if( rc==SQLITE_OK ) rc = migPlanRegister(db, pConfig);
  return rc;
}
