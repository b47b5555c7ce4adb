/*
** mig_schema.c: reading a whole schema into a MigSchema, and writing a
** MigSchema as JSON (the result of mig_schema()).
**
** READING.  The model comes from the CREATE statements in sqlite_schema,
** parsed by mig_parse.c, because only the text holds everything (names of
** constraints, MATCH, DEFERRABLE, the expressions as written...).
**
** Reading must stay linear in the size of the schema, so that a schema of
** thousands of tables reads in milliseconds: one scan of sqlite_schema,
** and everything found by name through MigHash.
**
** The terms of an index are then made what SQLite makes of them, which
** depends on the table: "(a)" and 'a' name the column a, and "x" is the
** string 'x' when the table has no column x (migNormalizeIndex).
**
** VERIFYING.  For a schema of up to MIG_VERIFY_MAX_TABLES tables the
** parse is then checked against what SQLite itself understood: STRICT
** and WITHOUT ROWID (pragma table_list), the column list
** (pragma_table_xinfo), the indexes (pragma_index_list and
** pragma_index_xinfo) and the foreign keys (pragma_foreign_key_list).  A
** disagreement is an error naming the object, never a guess.  Each check
** is one query that joins a table-valued pragma to sqlite_schema, but
** SQLite prepares a PRAGMA statement inside it for every table (some
** 10 to 20 microseconds each), which would dominate the reading of a
** large schema: so large schemas trust the parser, which every test
** (all of them small) verifies this way.  The pragma rows of one table
** (or one index) arrive together and in order; the checks verify that
** order (cid, seqno, id and seq count up from 0) instead of trusting it.
**
** Left out of the model: SQLite's own tables (sqlite_%), libmig's own
** bookkeeping tables (_libmig_%, see migIsBookkeepingTable), the shadow
** tables of virtual tables, and indexes and triggers on any of those.
** Shadow tables are those pragma table_list reports as "shadow" (it is
** read only when the schema has virtual tables, as the pragma prepares
** every view of the schema the first time it runs).  When the module of
** a virtual table is not loaded SQLite cannot tell, so a table named
** <vtab>_<suffix> is also a shadow table when <vtab> is a virtual table
** of a known module (fts3, fts4, fts5, rtree, geopoly) and <suffix> one
** of the shadow tables that module creates.  Virtual tables are only
** ever compared by their text, so one whose module is not loaded reads
** fine.
**
** JSON FORMAT (mig_schema).  One object:
**
**   {"schema": NAME,
**    "tables": [TABLE...], "virtual_tables": [VTAB...],
**    "indexes": [INDEX...], "views": [VIEW...], "triggers": [TRIGGER...]}
**
**   TABLE   {"name", "strict", "without_rowid", "autoincrement",
**            "columns": [COLUMN...], "constraints": [CONSTRAINT...], "sql"}
**   COLUMN  {"name", "type", "notnull", "notnull_on_conflict", "default",
**            "collate", "pk", "generated", "expression"}
**   CONSTRAINT, by "type":
**     "PRIMARY KEY" {"type", "name", "inline", "columns": [KEYCOL...],
**                    "on_conflict", "autoincrement"}
**     "UNIQUE"      {"type", "name", "inline", "columns": [KEYCOL...],
**                    "on_conflict"}
**     "CHECK"       {"type", "name", "inline", "expression"}
**     "FOREIGN KEY" {"type", "name", "inline", "columns": [NAME...],
**                    "references": {"table", "columns": [NAME...],
**                                   "on_delete", "on_update", "match",
**                                   "deferrable"}}
**   KEYCOL  {"name", "collate", "desc"}
**   VTAB    {"name", "module", "args", "sql"}
**   INDEX   {"name", "table", "unique",
**            "columns": [{"name", "expression", "collate", "desc"}...],
**            "where", "sql"}
**   VIEW    {"name", "sql"}
**   TRIGGER {"name", "table", "timing", "event", "sql"}
**
** Rules: every key that applies to an object's kind is always present,
** null when the schema says nothing (no type, no DEFAULT...).  Objects are
** in sqlite_schema order within each list, columns and constraints in
** declaration order.  Names are dequoted.  "type" is the declared type in
** canonical form (upper case, one space between words: "VARCHAR(10)");
** expressions ("default", "expression", "where", "args") are the text as
** written, without surrounding space.  Values that are SQL keywords are
** upper case: "on_conflict" ROLLBACK|ABORT|FAIL|IGNORE|REPLACE,
** "generated" VIRTUAL|STORED, "on_delete"/"on_update" NO ACTION (also
** when not written)|RESTRICT|SET NULL|SET DEFAULT|CASCADE, "match" as
** written in upper case, "deferrable" null (not deferrable)|IMMEDIATE|
** DEFERRED (its INITIALLY mode), "timing" BEFORE|AFTER|INSTEAD OF,
** "event" INSERT|DELETE|UPDATE|UPDATE OF.  "pk" is the column's 1-based
** position in the primary key, 0 if none.  "inline" is true for a
** constraint written in a column definition.  An index "columns" entry
** has "name" for a column or "expression" for an expression (the other
** is null).  Strings escape quotes, backslashes and control characters
** (\n, \r, \t, else \u00XX); other UTF-8 passes through as it is.
*/
#include "mig_int.h"

/*
** pragma_table_list's view of one table: whether SQLite knows it to be a
** shadow table, and its flags, to check the parser's.
*/
typedef struct MigTabInfo MigTabInfo;
struct MigTabInfo {
  int bShadow;          /* type is "shadow" */
  int nCol;             /* ncol */
  int bWithoutRowid;    /* wr */
  int bStrict;          /* strict */
};

/*
** The state of one migSchemaRead() call.
*/
typedef struct MigReader MigReader;
struct MigReader {
  Mig *p;
  MigSchema *pSchema;   /* the schema being built */
  const char *zDb;      /* its name (pSchema->zDb) */
  MigArena scratch;     /* freed when reading ends */
  MigHash info;         /* table name -> MigTabInfo (scratch) */
  int bInfo;            /* pragma table_list was read into info */
  int nVtab;            /* virtual tables seen */
  MigObject **apObj;    /* objects read so far (sqlite3_malloc) */
  int nObj, nObjAlloc;
};

/* Schemas of up to this many tables are verified against the pragmas
** (see VERIFYING above): a few milliseconds at most. */
#ifndef MIG_VERIFY_MAX_TABLES
# define MIG_VERIFY_MAX_TABLES 100
#endif

/* True for the tables libmig keeps its own records in. */
int migIsBookkeepingTable(const char *zName){
  return zName!=0 && sqlite3_strnicmp(zName, "_libmig_", 8)==0;
}

/* True for SQLite's own tables and their automatic indexes. */
static int migIsSqliteName(const char *zName){
  return zName!=0 && sqlite3_strnicmp(zName, "sqlite_", 7)==0;
}

/* Record that the model of table zTab disagrees with SQLite.  Such a
** disagreement is a bug in libmig's parser, so say how to report it. */
static void migReadError(MigReader *pR, const char *zKind, const char *zTab,
                         const char *zFmt, ...){
  char *zMsg;
  va_list ap;
  if( pR->p->rc!=SQLITE_OK ) return;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zMsg==0 ){
    migErrorSet(pR->p, SQLITE_NOMEM, 0);
    return;
  }
  migErrorSet(pR->p, SQLITE_ERROR,
      "cannot read %s %s in schema %s: %s (libmig misread its CREATE "
      "statement: please report this as a bug, with the statement)",
      zKind, zTab, pR->zDb, zMsg);
  sqlite3_free(zMsg);
}

/* True if two names are the same for SQLite (ASCII case-insensitive);
** two NULLs are the same. */
static int migSameName(const char *a, const char *b){
  if( a==0 || b==0 ) return a==b;
  return migStrICmp(a, b)==0;
}

/*************************************************************************
** Shadow tables.
*/

/* The shadow tables each known module creates, by suffix.  Used only
** when the module is not loaded (pragma_table_list then cannot tell). */
static const struct {
  const char *zModule;
  const char *azSuffix[6];
} aMigShadow[] = {
  { "fts3",      { "content", "segments", "segdir", "docsize", "stat", 0 } },
  { "fts4",      { "content", "segments", "segdir", "docsize", "stat", 0 } },
  { "fts5",      { "content", "data", "idx", "config", "docsize", 0 } },
  { "rtree",     { "node", "parent", "rowid", 0 } },
  { "rtree_i32", { "node", "parent", "rowid", 0 } },
  { "geopoly",   { "node", "parent", "rowid", 0 } },
};

/* True if module zModule creates a shadow table with suffix zSuffix
** (zSuffix is n bytes, not terminated). */
static int migIsShadowSuffix(const char *zModule, const char *zSuffix, int n){
  int i, j;
  for(i=0; i<(int)(sizeof(aMigShadow)/sizeof(aMigShadow[0])); i++){
    if( sqlite3_stricmp(zModule, aMigShadow[i].zModule)!=0 ) continue;
    for(j=0; aMigShadow[i].azSuffix[j]; j++){
      const char *zS = aMigShadow[i].azSuffix[j];
      if( (int)strlen(zS)==n && sqlite3_strnicmp(zS, zSuffix, n)==0 ){
        return 1;
      }
    }
  }
  return 0;
}

/*
** True if zName is a shadow table by the name rule: <vtab>_<suffix> where
** <vtab> is a virtual table of the schema (already in pSchema->tables).
** No known suffix contains "_", so only the last "_" can split the name.
*/
static int migIsShadowByName(MigReader *pR, const char *zName){
  const char *zUnder;
  char *zPrefix;
  MigObject *pVtab;
  int n;
  if( zName==0 || pR->p->rc!=SQLITE_OK ) return 0;
  zUnder = strrchr(zName, '_');
  if( zUnder==0 || zUnder==zName ) return 0;
  n = (int)(zUnder - zName);
  zPrefix = migStrndup(pR->p, zName, n);
  if( zPrefix==0 ) return 0;
  pVtab = (MigObject*)migHashFind(&pR->pSchema->tables, zPrefix);
  sqlite3_free(zPrefix);
  return pVtab!=0 && pVtab->eType==MIG_OBJ_VTAB && pVtab->zModule!=0
      && migIsShadowSuffix(pVtab->zModule, &zUnder[1],
                           (int)strlen(&zUnder[1]));
}

/*************************************************************************
** pragma table_list.
*/

/*
** Remember the type and flags SQLite gives each table of the schema.  The
** pragma is new in SQLite 3.37: if it cannot be read, reading goes on
** without it (shadow tables are then found by name only, and STRICT and
** WITHOUT ROWID are not verified).  The PRAGMA statement, unlike the
** pragma_table_list function, reads one schema only.
*/
static void migReadTableList(MigReader *pR){
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  int rc;
  if( pR->p->rc!=SQLITE_OK ) return;
  zSql = migMprintf(pR->p, "PRAGMA \"%w\".table_list", pR->zDb);
  if( zSql==0 ) return;
  rc = sqlite3_prepare_v2(pR->p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zType = (const char*)sqlite3_column_text(pStmt, 2);
    MigTabInfo *pInfo;
    char *zKey;
    rc = SQLITE_OK;
    if( zName==0 || zType==0 ){
      rc = SQLITE_NOMEM;
      break;
    }
    if( sqlite3_stricmp(zType, "table")!=0
     && sqlite3_stricmp(zType, "shadow")!=0
    ){
      continue;                   /* views, virtual tables */
    }
    zKey = migArenaStrndup(pR->p, &pR->scratch, zName, -1);
    pInfo = migArenaAlloc(pR->p, &pR->scratch, sizeof(MigTabInfo));
    if( pInfo==0 ) break;
    pInfo->bShadow = sqlite3_stricmp(zType, "shadow")==0;
    pInfo->nCol = sqlite3_column_int(pStmt, 3);
    pInfo->bWithoutRowid = sqlite3_column_int(pStmt, 4)!=0;
    pInfo->bStrict = sqlite3_column_int(pStmt, 5)!=0;
    migHashInsert(pR->p, &pR->info, zKey, pInfo);
  }
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_NOMEM ) migErrorSet(pR->p, SQLITE_NOMEM, 0);
  if( rc==SQLITE_DONE ){
    pR->bInfo = 1;
  }else{
    migHashClear(&pR->info);          /* do without */
  }
}

/* True if pragma_table_list says zName is a shadow table. */
static int migIsShadowByPragma(MigReader *pR, const char *zName){
  MigTabInfo *pInfo = (MigTabInfo*)migHashFind(&pR->info, zName);
  return pInfo!=0 && pInfo->bShadow;
}

/*************************************************************************
** sqlite_schema, parsed.
*/

/* Append an object to the reader's list. */
static void migReadAppend(MigReader *pR, MigObject *pObj){
  if( pR->p->rc!=SQLITE_OK ) return;
  if( pR->nObj>=pR->nObjAlloc ){
    int nNew = pR->nObjAlloc ? pR->nObjAlloc*2 : 64;
    MigObject **apNew = sqlite3_realloc64(pR->apObj, sizeof(MigObject*)*(i64)nNew);
    if( apNew==0 ){
      migErrorSet(pR->p, SQLITE_NOMEM, 0);
      return;
    }
    pR->apObj = apNew;
    pR->nObjAlloc = nNew;
  }
  pR->apObj[pR->nObj++] = pObj;
}

/* The MIG_OBJ_* types a row of sqlite_schema of type zType may parse to. */
static int migTypeMatches(const char *zType, int eType){
  if( sqlite3_stricmp(zType, "table")==0 ){
    return eType==MIG_OBJ_TABLE || eType==MIG_OBJ_VTAB;
  }
  if( sqlite3_stricmp(zType, "index")==0 ) return eType==MIG_OBJ_INDEX;
  if( sqlite3_stricmp(zType, "view")==0 ) return eType==MIG_OBJ_VIEW;
  if( sqlite3_stricmp(zType, "trigger")==0 ) return eType==MIG_OBJ_TRIGGER;
  return 0;
}

/*
** Parse every object of sqlite_schema that belongs in the model, in
** order, shadow tables included (they are dropped afterwards: after a
** VACUUM they come before their virtual table).  Virtual tables go into
** the tables hash at once, for the name rule of shadow tables.
*/
static void migReadObjects(MigReader *pR){
  sqlite3_stmt *pStmt;
  MigArena *pA = &pR->pSchema->arena;
  pStmt = migPrepare(pR->p,
      "SELECT type, name, tbl_name, sql FROM \"%w\".sqlite_schema"
      " WHERE sql IS NOT NULL", pR->zDb);
  while( migStep(pR->p, pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zName = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zTbl = (const char*)sqlite3_column_text(pStmt, 2);
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 3);
    MigObject *pObj;
    if( zType==0 || zName==0 || zTbl==0 || zSql==0 ){
      migErrorSet(pR->p, SQLITE_NOMEM, 0);
      break;
    }
    if( migIsSqliteName(zName) || migIsSqliteName(zTbl) ) continue;
    if( migIsBookkeepingTable(zName) || migIsBookkeepingTable(zTbl) ) continue;
    pObj = migParseCreate(pR->p, pA, zSql);
    if( pObj==0 ) break;
    if( !migTypeMatches(zType, pObj->eType) ){
      migReadError(pR, zType, zName, "sqlite_schema says \"%s\" but the "
          "statement creates something else", zType);
      break;
    }
    if( !migSameName(pObj->zName, zName)
     || !migSameName(pObj->zTable, zTbl)
    ){
      migReadError(pR, zType, zName, "the statement creates %s (on %s)",
          pObj->zName, pObj->zTable);
      break;
    }
    /* The names as SQLite stores them are the ones that count. */
    pObj->zName = migArenaStrndup(pR->p, pA, zName, -1);
    pObj->zTable = pObj->eType==MIG_OBJ_INDEX || pObj->eType==MIG_OBJ_TRIGGER
                 ? migArenaStrndup(pR->p, pA, zTbl, -1) : pObj->zName;
    if( pObj->eType==MIG_OBJ_VTAB ){
      migHashInsert(pR->p, &pR->pSchema->tables, pObj->zName, pObj);
      pR->nVtab++;
    }
    migReadAppend(pR, pObj);
  }
  migFinalize(pR->p, pStmt);
}

/* True if table zName is a shadow table (by the pragma or by name). */
static int migIsShadow(MigReader *pR, const char *zName){
  if( pR->nVtab==0 ) return 0;
  return migIsShadowByPragma(pR, zName) || migIsShadowByName(pR, zName);
}

/*
** Drop the shadow tables (and indexes and triggers on them), move the
** object list into the arena and fill the hashes.
*/
static void migReadCollect(MigReader *pR){
  MigSchema *pS = pR->pSchema;
  int i, n = 0;
  if( pR->p->rc!=SQLITE_OK ) return;
  for(i=0; i<pR->nObj; i++){
    MigObject *pObj = pR->apObj[i];
    int bDrop = 0;
    if( pObj->eType==MIG_OBJ_TABLE ){
      bDrop = migIsShadow(pR, pObj->zName);
    }else if( pObj->eType==MIG_OBJ_INDEX || pObj->eType==MIG_OBJ_TRIGGER ){
      bDrop = migIsShadow(pR, pObj->zTable);
    }
    if( !bDrop ) pR->apObj[n++] = pObj;
  }
  pR->nObj = n;
  pS->apObj = migArenaAlloc(pR->p, &pS->arena, sizeof(MigObject*)*(i64)(n+1));
  if( pS->apObj==0 ) return;
  if( n>0 ) memcpy(pS->apObj, pR->apObj, sizeof(MigObject*)*(i64)n);
  pS->nObj = n;
  for(i=0; i<n && pR->p->rc==SQLITE_OK; i++){
    MigObject *pObj = pS->apObj[i];
    switch( pObj->eType ){
      case MIG_OBJ_TABLE:
        migHashInsert(pR->p, &pS->tables, pObj->zName, pObj);
        break;
      case MIG_OBJ_INDEX:
        migHashInsert(pR->p, &pS->indexes, pObj->zName, pObj);
        break;
      case MIG_OBJ_VIEW:
        migHashInsert(pR->p, &pS->views, pObj->zName, pObj);
        break;
      case MIG_OBJ_TRIGGER:
        migHashInsert(pR->p, &pS->triggers, pObj->zName, pObj);
        break;
      default:        /* virtual tables are in already */
        break;
    }
  }
}

/* The column of pTab named zName, or NULL. */
static MigColumn *migFindColumn(MigObject *pTab, const char *zName){
  int i;
  for(i=0; zName && i<pTab->nCol; i++){
    if( migSameName(pTab->aCol[i].zName, zName) ) return &pTab->aCol[i];
  }
  return 0;
}

/*
** The column of pTab that the expression term pPart only names, or NULL.
** Its canonical text is then one quoted name ("(a)" gives "a") or one
** string ('a', which SQLite turns into a name in an index).
*/
static MigColumn *migExprColumn(Mig *p, MigArena *pA, MigObject *pTab,
                                MigKeyPart *pPart){
  const char *z = pPart->zExprCanon;
  int n, eType;
  if( z==0 || (z[0]!='"' && z[0]!='\'') ) return 0;
  n = migGetToken((const unsigned char*)z, &eType);
  if( z[n]!=0 || (eType!=MIG_TK_QID && eType!=MIG_TK_STRING) ) return 0;
  return migFindColumn(pTab, migDequote(p, pA, z, n));
}

/*
** Make the terms of index pIdx on table pTab what SQLite makes of them,
** which depends on the table's columns: "(a)" and 'a' are the column a,
** and "x" is the string 'x' if there is no column x (double-quoted
** strings).  So two spellings SQLite reads alike compare equal.
*/
static void migNormalizeIndex(Mig *p, MigArena *pA, MigObject *pTab,
                              MigObject *pIdx){
  int i;
  for(i=0; i<pIdx->nPart && p->rc==SQLITE_OK; i++){
    MigKeyPart *pPart = &pIdx->aPart[i];
    if( pPart->zCol ){
      if( migFindColumn(pTab, pPart->zCol)==0 ){
        pPart->zExpr = migArenaPrintf(p, pA, "\"%w\"", pPart->zCol);
        pPart->zExprCanon = migCanonicalExpr(p, pA, pPart->zExpr, -1);
        pPart->zCol = 0;
      }
    }else{
      MigColumn *pCol = migExprColumn(p, pA, pTab, pPart);
      if( pCol ){
        pPart->zCol = pCol->zName;
        pPart->zExpr = 0;
        pPart->zExprCanon = 0;
      }
    }
  }
}

/*
** Give each table its indexes and triggers (a view its INSTEAD OF
** triggers), in schema order: one pass to count, one to fill, which
** also normalizes the index terms.
*/
static void migReadAttach(MigReader *pR){
  MigSchema *pS = pR->pSchema;
  int i, iPass;
  for(iPass=0; iPass<2 && pR->p->rc==SQLITE_OK; iPass++){
    for(i=0; i<pS->nObj; i++){
      MigObject *pObj = pS->apObj[i];
      MigObject *pTab = 0;
      if( pObj->eType==MIG_OBJ_INDEX ){
        pTab = (MigObject*)migHashFind(&pS->tables, pObj->zTable);
        if( pTab==0 || pTab->eType!=MIG_OBJ_TABLE ) continue;
        if( iPass==0 ){
          pTab->nIndex++;
        }else{
          pTab->apIndex[pTab->nIndex++] = pObj;
          migNormalizeIndex(pR->p, &pS->arena, pTab, pObj);
        }
      }else if( pObj->eType==MIG_OBJ_TRIGGER ){
        pTab = (MigObject*)migHashFind(&pS->tables, pObj->zTable);
        if( pTab==0 ) pTab = (MigObject*)migHashFind(&pS->views, pObj->zTable);
        if( pTab==0 ) continue;
        if( iPass==0 ){
          pTab->nTrigger++;
        }else{
          pTab->apTrigger[pTab->nTrigger++] = pObj;
        }
      }
    }
    if( iPass==0 ){
      for(i=0; i<pS->nObj && pR->p->rc==SQLITE_OK; i++){
        MigObject *pObj = pS->apObj[i];
        if( pObj->nIndex ){
          pObj->apIndex = migArenaAlloc(pR->p, &pS->arena,
              sizeof(MigObject*)*(i64)pObj->nIndex);
          pObj->nIndex = 0;
        }
        if( pObj->nTrigger ){
          pObj->apTrigger = migArenaAlloc(pR->p, &pS->arena,
              sizeof(MigObject*)*(i64)pObj->nTrigger);
          pObj->nTrigger = 0;
        }
      }
    }
  }
}

/*************************************************************************
** Verifying the model against the pragmas.
*/

/* The WHERE clause that selects the ordinary tables of sqlite_schema
** (alias m) whose pragmas are read; a printf format ("%%" is "%").
** Virtual tables are left out: their pragmas would fail when the module
** is not loaded. */
#define MIG_ORDINARY_TABLES \
  " m.type='table' AND m.rootpage>0 AND m.name NOT LIKE 'sqlite!_%%' ESCAPE '!'"

/* The ordinary table zName of the model, or NULL. */
static MigObject *migModelTable(MigReader *pR, const char *zName){
  MigObject *pTab;
  if( zName==0 ) return 0;
  pTab = (MigObject*)migHashFind(&pR->pSchema->tables, zName);
  return (pTab && pTab->eType==MIG_OBJ_TABLE) ? pTab : 0;
}

/*
** The number of columns, STRICT and WITHOUT ROWID must be what SQLite
** says.
*/
static void migCheckTableFlags(MigReader *pR){
  MigSchema *pS = pR->pSchema;
  int i;
  for(i=0; i<pS->nObj && pR->p->rc==SQLITE_OK; i++){
    MigObject *pObj = pS->apObj[i];
    MigTabInfo *pInfo;
    if( pObj->eType!=MIG_OBJ_TABLE ) continue;
    pInfo = (MigTabInfo*)migHashFind(&pR->info, pObj->zName);
    if( pInfo==0 ){
      migReadError(pR, "table", pObj->zName, "SQLite does not list it");
    }else if( pInfo->nCol!=pObj->nCol ){
      migReadError(pR, "table", pObj->zName, "SQLite reports %d columns, "
          "libmig parsed %d", pInfo->nCol, pObj->nCol);
    }else if( pInfo->bStrict!=(pObj->bStrict!=0) ){
      migReadError(pR, "table", pObj->zName, "SQLite says it is %sSTRICT",
          pInfo->bStrict ? "" : "not ");
    }else if( pInfo->bWithoutRowid!=(pObj->bWithoutRowid!=0) ){
      migReadError(pR, "table", pObj->zName, "SQLite says it is %sWITHOUT "
          "ROWID", pInfo->bWithoutRowid ? "" : "not ");
    }
  }
}

/*
** Columns: SQLite's list of names, NOT NULL, primary key positions,
** generated kinds and presence of a DEFAULT must be the parser's.
*/
static void migCheckColumns(MigReader *pR){
  MigSchema *pS = pR->pSchema;
  sqlite3_stmt *pStmt;
  MigObject *pCur = 0;          /* table whose rows are streaming by */
  int iNext = 0;                /* the cid expected next */
  int nTabSeen = 0, nTab = 0, i;

  pStmt = migPrepare(pR->p,
      "SELECT m.name, x.cid, x.name, x.\"notnull\", x.dflt_value IS NOT NULL,"
      " x.pk, x.hidden"
      " FROM \"%w\".sqlite_schema m, pragma_table_xinfo(m.name, %Q) x"
      " WHERE" MIG_ORDINARY_TABLES, pR->zDb, pR->zDb);
  for(;;){
    int bRow = migStep(pR->p, pStmt)==SQLITE_ROW;
    const char *zTab = bRow ? (const char*)sqlite3_column_text(pStmt, 0) : 0;
    MigObject *pTab = migModelTable(pR, zTab);
    int cid, bNotNull, bDflt, iPk, eHidden, eGen;
    const char *zCol;
    MigColumn *pCol;
    if( bRow && pTab==0 ) continue;         /* not in the model */
    if( pTab!=pCur && pCur!=0 && iNext!=pCur->nCol ){
      migReadError(pR, "table", pCur->zName,
          "SQLite reports %d columns, libmig parsed %d", iNext, pCur->nCol);
    }
    if( !bRow || pR->p->rc!=SQLITE_OK ) break;
    if( pTab!=pCur ){
      pCur = pTab;
      iNext = 0;
      nTabSeen++;
    }
    cid = sqlite3_column_int(pStmt, 1);
    zCol = (const char*)sqlite3_column_text(pStmt, 2);
    bNotNull = sqlite3_column_int(pStmt, 3)!=0;
    bDflt = sqlite3_column_int(pStmt, 4);
    iPk = sqlite3_column_int(pStmt, 5);
    eHidden = sqlite3_column_int(pStmt, 6);
    if( cid!=iNext ){
      migReadError(pR, "table", zTab, "pragma_table_xinfo returned column "
          "%d where %d was expected", cid, iNext);
      break;
    }
    iNext++;
    if( cid>=pTab->nCol ) continue;         /* reported at the end */
    pCol = &pTab->aCol[cid];
    if( !migSameName(zCol, pCol->zName) ){
      migReadError(pR, "table", zTab, "column %d is \"%s\" for SQLite but "
          "\"%s\" for libmig", cid+1, zCol ? zCol : "", pCol->zName);
    }else if( bNotNull!=(pCol->bNotNull!=0)
           && !(bNotNull && pCol->iPk>0
                && (pTab->bWithoutRowid || pTab->bStrict)) ){
      /* (SQLite makes the PRIMARY KEY of WITHOUT ROWID and STRICT tables
      ** NOT NULL without it being declared) */
      migReadError(pR, "table", zTab, "column %s is %sNOT NULL for SQLite",
          pCol->zName, bNotNull ? "" : "not ");
    }else if( iPk!=pCol->iPk ){
      migReadError(pR, "table", zTab, "column %s is at position %d of the "
          "PRIMARY KEY for SQLite, %d for libmig", pCol->zName, iPk, pCol->iPk);
    }
    eGen = eHidden==2 ? MIG_GEN_VIRTUAL : eHidden==3 ? MIG_GEN_STORED
                                                     : MIG_GEN_NONE;
    if( eGen!=pCol->eGen ){
      migReadError(pR, "table", zTab, "column %s is %s for SQLite",
          pCol->zName, eGen==MIG_GEN_VIRTUAL ? "a VIRTUAL generated column"
                     : eGen==MIG_GEN_STORED ? "a STORED generated column"
                     : "not a generated column");
    }else if( eGen==MIG_GEN_NONE && bDflt!=(pCol->zDefault!=0) ){
      migReadError(pR, "table", zTab, "column %s has %s DEFAULT for SQLite",
          pCol->zName, bDflt ? "a" : "no");
    }
  }
  migFinalize(pR->p, pStmt);
  for(i=0; i<pS->nObj; i++){
    if( pS->apObj[i]->eType==MIG_OBJ_TABLE ) nTab++;
  }
  if( pR->p->rc==SQLITE_OK && nTab!=nTabSeen ){
    migErrorSet(pR->p, SQLITE_ERROR, "cannot read schema %s: SQLite lists "
        "the columns of %d tables, libmig parsed %d", pR->zDb, nTabSeen, nTab);
  }
}

/*
** The key columns of an automatic index, collected while its rows stream
** by, and then matched against the parsed constraints.
*/
typedef struct MigAutoIdx MigAutoIdx;
struct MigAutoIdx {
  int nCol, nAlloc;
  char **azCol;         /* column names (sqlite3_malloc) */
};

static void migAutoIdxReset(MigAutoIdx *pAuto){
  int i;
  for(i=0; i<pAuto->nCol; i++) sqlite3_free(pAuto->azCol[i]);
  pAuto->nCol = 0;
}

static void migAutoIdxAdd(Mig *p, MigAutoIdx *pAuto, const char *zCol){
  char *z;
  if( p->rc!=SQLITE_OK ) return;
  if( pAuto->nCol>=pAuto->nAlloc ){
    int nNew = pAuto->nAlloc ? pAuto->nAlloc*2 : 8;
    char **azNew = sqlite3_realloc64(pAuto->azCol, sizeof(char*)*(i64)nNew);
    if( azNew==0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
      return;
    }
    pAuto->azCol = azNew;
    pAuto->nAlloc = nNew;
  }
  z = migStrndup(p, zCol ? zCol : "", -1);
  if( z ) pAuto->azCol[pAuto->nCol++] = z;
}

/* True if the PRIMARY KEY or UNIQUE constraint pCons has exactly the key
** columns of pAuto, in order. */
static int migAutoIdxMatches(MigAutoIdx *pAuto, MigCons *pCons){
  int i;
  if( pCons->nPart!=pAuto->nCol ) return 0;
  for(i=0; i<pAuto->nCol; i++){
    if( !migSameName(pCons->aPart[i].zCol, pAuto->azCol[i]) ) return 0;
  }
  return 1;
}

/*
** An automatic index of table pTab is complete: it must be the index of
** a PRIMARY KEY (origin "pk") or of a UNIQUE or PRIMARY KEY constraint
** (origin "u": SQLite merges equal constraints into one index).
*/
static void migCheckAutoIdx(MigReader *pR, MigObject *pTab, int bPk,
                            MigAutoIdx *pAuto){
  int i;
  if( pR->p->rc!=SQLITE_OK ) return;
  for(i=0; i<pTab->nCons; i++){
    MigCons *pCons = &pTab->aCons[i];
    if( pCons->eType==MIG_CONS_PK || (!bPk && pCons->eType==MIG_CONS_UNIQUE) ){
      if( migAutoIdxMatches(pAuto, pCons) ) return;
    }
  }
  {
    sqlite3_str *pList = sqlite3_str_new(0);
    char *zList;
    for(i=0; i<pAuto->nCol; i++){
      sqlite3_str_appendf(pList, "%s%s", i ? ", " : "", pAuto->azCol[i]);
    }
    zList = sqlite3_str_finish(pList);
    if( zList==0 ){
      migErrorSet(pR->p, SQLITE_NOMEM, 0);
      return;
    }
    migReadError(pR, "table", pTab->zName, "SQLite has a %s index on (%s) "
        "that no parsed constraint explains", bPk ? "PRIMARY KEY" : "UNIQUE",
        zList);
    sqlite3_free(zList);
  }
}

/*
** One key term of a named index, as SQLite sees it, against the model's
** term (after migNormalizeIndex).
*/
static void migCheckIndexPart(MigReader *pR, MigObject *pIdx, int iPart,
                              int cid, const char *zCol, int bDesc,
                              const char *zColl){
  MigKeyPart *pPart = &pIdx->aPart[iPart];
  if( pR->p->rc!=SQLITE_OK ) return;
  if( cid>=0 && zCol ){
    if( !migSameName(pPart->zCol, zCol) ){
      migReadError(pR, "index", pIdx->zName, "term %d is column %s for "
          "SQLite but %s %s for libmig", iPart+1, zCol,
          pPart->zCol ? "column" : "expression",
          pPart->zCol ? pPart->zCol : pPart->zExpr);
      return;
    }
  }else if( cid==-2 ){
    if( pPart->zCol ){
      migReadError(pR, "index", pIdx->zName, "term %d is an expression "
          "for SQLite but column %s for libmig", iPart+1, pPart->zCol);
      return;
    }
  }else{
    migReadError(pR, "index", pIdx->zName, "term %d is the rowid", iPart+1);
    return;
  }
  if( bDesc!=(pPart->bDesc!=0) ){
    migReadError(pR, "index", pIdx->zName, "term %d is %s for SQLite",
        iPart+1, bDesc ? "DESC" : "ASC");
  }else if( pPart->zCollate && zColl
         && sqlite3_stricmp(pPart->zCollate, zColl)!=0 ){
    migReadError(pR, "index", pIdx->zName, "term %d has collation %s for "
        "SQLite, %s for libmig", iPart+1, zColl, pPart->zCollate);
  }
}

/*
** Indexes: every named index must have the parsed key terms (column or
** expression, DESC, explicit collation), UNIQUE and WHERE; every
** automatic index must come from a parsed PRIMARY KEY or UNIQUE.
*/
static void migCheckIndexes(MigReader *pR){
  MigSchema *pS = pR->pSchema;
  sqlite3_stmt *pStmt;
  char *zCur = 0;               /* index whose rows are streaming by */
  MigObject *pCurTab = 0;       /* its table */
  MigObject *pCurIdx = 0;       /* the index, if named */
  int bCurPk = 0;               /* automatic index of origin "pk" */
  int iNext = 0;                /* seqno expected next */
  MigAutoIdx sAuto;
  int nIdxSeen = 0, nIdx = 0, i;

  memset(&sAuto, 0, sizeof(sAuto));
  pStmt = migPrepare(pR->p,
      "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial,"
      " x.seqno, x.cid, x.name, x.\"desc\", x.coll"
      " FROM \"%w\".sqlite_schema m, pragma_index_list(m.name, %Q) l,"
      " pragma_index_xinfo(l.name, %Q) x"
      " WHERE" MIG_ORDINARY_TABLES " AND x.key",
      pR->zDb, pR->zDb, pR->zDb);
  for(;;){
    int bRow = migStep(pR->p, pStmt)==SQLITE_ROW;
    const char *zTab = bRow ? (const char*)sqlite3_column_text(pStmt, 0) : 0;
    const char *zIdx = bRow ? (const char*)sqlite3_column_text(pStmt, 1) : 0;
    MigObject *pTab = migModelTable(pR, zTab);
    int seqno;
    if( bRow && (pTab==0 || zIdx==0) ) continue;
    if( zCur && (!bRow || strcmp(zIdx, zCur)!=0) ){
      /* The index zCur is complete. */
      if( pCurIdx ){
        if( iNext!=pCurIdx->nPart ){
          migReadError(pR, "index", pCurIdx->zName, "SQLite reports %d "
              "terms, libmig parsed %d", iNext, pCurIdx->nPart);
        }
        nIdxSeen++;
      }else{
        migCheckAutoIdx(pR, pCurTab, bCurPk, &sAuto);
      }
      migAutoIdxReset(&sAuto);
      sqlite3_free(zCur);
      zCur = 0;
    }
    if( !bRow || pR->p->rc!=SQLITE_OK ) break;
    seqno = sqlite3_column_int(pStmt, 5);
    if( zCur==0 ){
      const char *zOrigin = (const char*)sqlite3_column_text(pStmt, 3);
      zCur = migStrndup(pR->p, zIdx, -1);
      if( zCur==0 ) break;
      pCurTab = pTab;
      pCurIdx = 0;
      bCurPk = zOrigin && sqlite3_stricmp(zOrigin, "pk")==0;
      iNext = 0;
      if( zOrigin && sqlite3_stricmp(zOrigin, "c")==0 ){
        int bUnique = sqlite3_column_int(pStmt, 2)!=0;
        int bPartial = sqlite3_column_int(pStmt, 4)!=0;
        pCurIdx = (MigObject*)migHashFind(&pS->indexes, zIdx);
        if( pCurIdx==0 ){
          migReadError(pR, "index", zIdx, "it is missing from the model");
          break;
        }
        if( !migSameName(pCurIdx->zTable, zTab) ){
          migReadError(pR, "index", zIdx, "it is on table %s for SQLite",
              zTab);
        }else if( bUnique!=(pCurIdx->bUnique!=0) ){
          migReadError(pR, "index", zIdx, "it is %sUNIQUE for SQLite",
              bUnique ? "" : "not ");
        }else if( bPartial!=(pCurIdx->zWhere!=0) ){
          migReadError(pR, "index", zIdx, "it is %sa partial index for "
              "SQLite", bPartial ? "" : "not ");
        }
      }
    }
    if( seqno!=iNext ){
      migReadError(pR, "index", zIdx, "pragma_index_xinfo returned term "
          "%d where %d was expected", seqno, iNext);
      break;
    }
    iNext++;
    if( pCurIdx ){
      if( seqno<pCurIdx->nPart ){
        migCheckIndexPart(pR, pCurIdx, seqno, sqlite3_column_int(pStmt, 6),
            (const char*)sqlite3_column_text(pStmt, 7),
            sqlite3_column_int(pStmt, 8)!=0,
            (const char*)sqlite3_column_text(pStmt, 9));
      }
    }else{
      migAutoIdxAdd(pR->p, &sAuto, (const char*)sqlite3_column_text(pStmt, 7));
    }
  }
  migFinalize(pR->p, pStmt);
  sqlite3_free(zCur);
  migAutoIdxReset(&sAuto);
  sqlite3_free(sAuto.azCol);
  for(i=0; i<pS->nObj; i++){
    if( pS->apObj[i]->eType==MIG_OBJ_INDEX ) nIdx++;
  }
  if( pR->p->rc==SQLITE_OK && nIdx!=nIdxSeen ){
    migErrorSet(pR->p, SQLITE_ERROR, "cannot read schema %s: SQLite lists "
        "%d indexes, libmig parsed %d", pR->zDb, nIdxSeen, nIdx);
  }
}

/* The foreign keys of pTab in declaration order, in the scratch arena;
** *pnFk is their number. */
static MigCons **migTableFks(MigReader *pR, MigObject *pTab, int *pnFk){
  MigCons **apFk;
  int i, n = 0;
  for(i=0; i<pTab->nCons; i++){
    if( pTab->aCons[i].eType==MIG_CONS_FK ) n++;
  }
  *pnFk = n;
  apFk = migArenaAlloc(pR->p, &pR->scratch, sizeof(MigCons*)*(i64)(n+1));
  if( apFk==0 ) return 0;
  for(i=0, n=0; i<pTab->nCons; i++){
    if( pTab->aCons[i].eType==MIG_CONS_FK ) apFk[n++] = &pTab->aCons[i];
  }
  return apFk;
}

/*
** Foreign keys: SQLite's list (last declared first, id 0) must have the
** parsed parent tables, child and parent columns and actions.
*/
static void migCheckForeignKeys(MigReader *pR){
  MigSchema *pS = pR->pSchema;
  sqlite3_stmt *pStmt;
  MigObject *pCur = 0;          /* table whose rows are streaming by */
  MigCons **apFk = 0;           /* its parsed foreign keys */
  int nFk = 0;
  int iId = -1, iSeq = -1;      /* the last row's id and seq */
  int nFkSeen = 0, nFkAll = 0, i, j;

  pStmt = migPrepare(pR->p,
      "SELECT m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\","
      " f.on_update, f.on_delete"
      " FROM \"%w\".sqlite_schema m, pragma_foreign_key_list(m.name, %Q) f"
      " WHERE" MIG_ORDINARY_TABLES, pR->zDb, pR->zDb);
  for(;;){
    int bRow = migStep(pR->p, pStmt)==SQLITE_ROW;
    const char *zTab = bRow ? (const char*)sqlite3_column_text(pStmt, 0) : 0;
    MigObject *pTab = migModelTable(pR, zTab);
    int id, seq;
    const char *zParent, *zFrom, *zTo, *zUpd, *zDel;
    MigCons *pFk;
    if( bRow && pTab==0 ) continue;
    if( pCur && pTab!=pCur ){
      /* All foreign keys of pCur seen: the last must be complete too. */
      if( iId+1!=nFk ){
        migReadError(pR, "table", pCur->zName, "SQLite reports %d foreign "
            "keys, libmig parsed %d", iId+1, nFk);
      }else if( iSeq+1!=apFk[0]->nPart ){
        migReadError(pR, "table", pCur->zName, "a foreign key has %d "
            "columns for SQLite, %d for libmig", iSeq+1, apFk[0]->nPart);
      }
      nFkSeen += nFk;
      pCur = 0;
    }
    if( !bRow || pR->p->rc!=SQLITE_OK ) break;
    if( pCur==0 ){
      pCur = pTab;
      apFk = migTableFks(pR, pTab, &nFk);
      if( apFk==0 ) break;
      iId = -1;
      iSeq = -1;
    }
    id = sqlite3_column_int(pStmt, 1);
    seq = sqlite3_column_int(pStmt, 2);
    zParent = (const char*)sqlite3_column_text(pStmt, 3);
    zFrom = (const char*)sqlite3_column_text(pStmt, 4);
    zTo = (const char*)sqlite3_column_text(pStmt, 5);
    zUpd = (const char*)sqlite3_column_text(pStmt, 6);
    zDel = (const char*)sqlite3_column_text(pStmt, 7);
    if( id==iId && seq==iSeq+1 ){
      /* the next column of the same foreign key */
    }else if( id==iId+1 && seq==0 ){
      if( iId>=0 && iSeq+1!=apFk[nFk-1-iId]->nPart ){
        migReadError(pR, "table", zTab, "a foreign key has %d columns for "
            "SQLite, %d for libmig", iSeq+1, apFk[nFk-1-iId]->nPart);
        break;
      }
    }else{
      migReadError(pR, "table", zTab, "pragma_foreign_key_list returned "
          "key %d column %d after key %d column %d", id, seq, iId, iSeq);
      break;
    }
    iId = id;
    iSeq = seq;
    if( id>=nFk ){
      migReadError(pR, "table", zTab, "SQLite reports %d or more foreign "
          "keys, libmig parsed %d", id+1, nFk);
      break;
    }
    pFk = apFk[nFk-1-id];
    if( seq==0 ){
      if( !migSameName(zParent, pFk->zParent) ){
        migReadError(pR, "table", zTab, "a foreign key references %s for "
            "SQLite, %s for libmig", zParent ? zParent : "", pFk->zParent);
      }else if( !migSameName(zDel, pFk->zOnDelete) ){
        migReadError(pR, "table", zTab, "a foreign key to %s has ON DELETE "
            "%s for SQLite, %s for libmig", pFk->zParent, zDel ? zDel : "",
            pFk->zOnDelete);
      }else if( !migSameName(zUpd, pFk->zOnUpdate) ){
        migReadError(pR, "table", zTab, "a foreign key to %s has ON UPDATE "
            "%s for SQLite, %s for libmig", pFk->zParent, zUpd ? zUpd : "",
            pFk->zOnUpdate);
      }
    }
    if( seq>=pFk->nPart ){
      migReadError(pR, "table", zTab, "a foreign key to %s has more than "
          "%d columns for SQLite", pFk->zParent, pFk->nPart);
    }else if( !migSameName(zFrom, pFk->aPart[seq].zCol) ){
      migReadError(pR, "table", zTab, "a foreign key to %s is on column %s "
          "for SQLite, %s for libmig", pFk->zParent, zFrom ? zFrom : "",
          pFk->aPart[seq].zCol ? pFk->aPart[seq].zCol : "");
    }else if( pFk->nParentCol==0 ? zTo!=0
           : (seq>=pFk->nParentCol || !migSameName(zTo, pFk->azParentCol[seq]))
    ){
      migReadError(pR, "table", zTab, "a foreign key to %s references "
          "column %s for SQLite", pFk->zParent, zTo ? zTo : "(the primary key)");
    }
  }
  migFinalize(pR->p, pStmt);
  for(i=0; i<pS->nObj; i++){
    MigObject *pObj = pS->apObj[i];
    if( pObj->eType!=MIG_OBJ_TABLE ) continue;
    for(j=0; j<pObj->nCons; j++){
      if( pObj->aCons[j].eType==MIG_CONS_FK ) nFkAll++;
    }
  }
  if( pR->p->rc==SQLITE_OK && nFkAll!=nFkSeen ){
    migErrorSet(pR->p, SQLITE_ERROR, "cannot read schema %s: SQLite lists "
        "%d foreign keys, libmig parsed %d", pR->zDb, nFkSeen, nFkAll);
  }
}

/*************************************************************************
** The public interface.
*/

/*
** The model of schema zDb, or NULL with the error set.  Small schemas
** are verified against SQLite as they are read (MIG_VERIFY_MAX_TABLES).
*/
MigSchema *migSchemaRead(Mig *p, const char *zDb){
  MigReader sR;
  MigSchema *pS;
  int i, nTab = 0, bVerify;
  if( p->rc!=SQLITE_OK ) return 0;
  memset(&sR, 0, sizeof(sR));
  pS = (MigSchema*)migMalloc(p, sizeof(MigSchema));
  if( pS==0 ) return 0;
  pS->zDb = migArenaStrndup(p, &pS->arena, zDb, -1);
  sR.p = p;
  sR.pSchema = pS;
  sR.zDb = pS->zDb;

  migReadObjects(&sR);
  for(i=0; i<sR.nObj; i++){
    if( sR.apObj[i]->eType==MIG_OBJ_TABLE ) nTab++;
  }
  bVerify = nTab<=MIG_VERIFY_MAX_TABLES;
  if( sR.nVtab>0 || bVerify ) migReadTableList(&sR);
  migReadCollect(&sR);
  migReadAttach(&sR);
  if( bVerify ){
    if( sR.bInfo ) migCheckTableFlags(&sR);
    migCheckColumns(&sR);
    migCheckIndexes(&sR);
    migCheckForeignKeys(&sR);
  }

  sqlite3_free(sR.apObj);
  migHashClear(&sR.info);
  migArenaFree(&sR.scratch);
  if( p->rc!=SQLITE_OK ){
    migSchemaFree(pS);
    pS = 0;
  }
  return pS;
}

/* Free a model and everything in it; NULL is a no-op. */
void migSchemaFree(MigSchema *pSchema){
  if( pSchema ){
    migHashClear(&pSchema->tables);
    migHashClear(&pSchema->indexes);
    migHashClear(&pSchema->views);
    migHashClear(&pSchema->triggers);
    migArenaFree(&pSchema->arena);
    sqlite3_free(pSchema);
  }
}

/*************************************************************************
** JSON.
*/

/* Append z as a JSON string, or null.  Quotes, backslashes and control
** characters are escaped; other bytes (UTF-8 included) pass through. */
static void migJsonString(sqlite3_str *pOut, const char *z){
  static const char aHex[] = "0123456789abcdef";
  int i, iRun = 0;
  if( z==0 ){
    sqlite3_str_append(pOut, "null", 4);
    return;
  }
  sqlite3_str_appendchar(pOut, 1, '"');
  for(i=0; z[i]; i++){
    unsigned char c = (unsigned char)z[i];
    char aEsc[7];
    int nEsc = 0;
    if( c=='"' || c=='\\' ){
      aEsc[0] = '\\';
      aEsc[1] = (char)c;
      nEsc = 2;
    }else if( c=='\n' || c=='\r' || c=='\t' ){
      aEsc[0] = '\\';
      aEsc[1] = c=='\n' ? 'n' : c=='\r' ? 'r' : 't';
      nEsc = 2;
    }else if( c<0x20 ){
      memcpy(aEsc, "\\u00", 4);
      aEsc[4] = aHex[c>>4];
      aEsc[5] = aHex[c&0xf];
      nEsc = 6;
    }
    if( nEsc ){
      if( i>iRun ) sqlite3_str_append(pOut, &z[iRun], i-iRun);
      sqlite3_str_append(pOut, aEsc, nEsc);
      iRun = i+1;
    }
  }
  if( i>iRun ) sqlite3_str_append(pOut, &z[iRun], i-iRun);
  sqlite3_str_appendchar(pOut, 1, '"');
}

/* Append ,"K": where K is a string literal (a key, needing no escapes):
** one append of a constant, as this runs for every key of the output. */
#define MIG_JSON_KEY(pOut, K) \
  sqlite3_str_append(pOut, ",\"" K "\":", (int)sizeof(",\"" K "\":")-1)

/* ,"K":"value" or ,"K":null */
#define MIG_JSON_KEY_STRING(pOut, K, zVal) \
  do{ MIG_JSON_KEY(pOut, K); migJsonString(pOut, zVal); }while(0)

/* ,"K":true or ,"K":false */
#define MIG_JSON_KEY_BOOL(pOut, K, bVal) \
  do{ MIG_JSON_KEY(pOut, K); migJsonBool(pOut, bVal); }while(0)

static void migJsonBool(sqlite3_str *pOut, int bVal){
  if( bVal ){
    sqlite3_str_append(pOut, "true", 4);
  }else{
    sqlite3_str_append(pOut, "false", 5);
  }
}

/* The keyword of a MIG_CONF_* value, or NULL for none. */
static const char *migConfName(int eConf){
  switch( eConf ){
    case MIG_CONF_ROLLBACK: return "ROLLBACK";
    case MIG_CONF_ABORT:    return "ABORT";
    case MIG_CONF_FAIL:     return "FAIL";
    case MIG_CONF_IGNORE:   return "IGNORE";
    case MIG_CONF_REPLACE:  return "REPLACE";
  }
  return 0;
}

static void migJsonColumn(sqlite3_str *pOut, MigColumn *pCol){
  sqlite3_str_appendall(pOut, "{\"name\":");
  migJsonString(pOut, pCol->zName);
  MIG_JSON_KEY_STRING(pOut, "type", pCol->zTypeCanon);
  MIG_JSON_KEY_BOOL(pOut, "notnull", pCol->bNotNull);
  MIG_JSON_KEY_STRING(pOut, "notnull_on_conflict", migConfName(pCol->eNotNullConf));
  MIG_JSON_KEY_STRING(pOut, "default", pCol->zDefault);
  MIG_JSON_KEY_STRING(pOut, "collate", pCol->zCollate);
  MIG_JSON_KEY(pOut, "pk");
  if( pCol->iPk>=0 && pCol->iPk<10 ){
    sqlite3_str_appendchar(pOut, 1, (char)('0' + pCol->iPk));
  }else{
    sqlite3_str_appendf(pOut, "%d", pCol->iPk);
  }
  MIG_JSON_KEY_STRING(pOut, "generated", pCol->eGen==MIG_GEN_VIRTUAL ? "VIRTUAL"
                   : pCol->eGen==MIG_GEN_STORED ? "STORED" : 0);
  MIG_JSON_KEY_STRING(pOut, "expression", pCol->zGen);
  sqlite3_str_appendchar(pOut, 1, '}');
}

/* A JSON array of names. */
static void migJsonNames(sqlite3_str *pOut, int n, char **azName){
  int i;
  sqlite3_str_appendchar(pOut, 1, '[');
  for(i=0; i<n; i++){
    if( i ) sqlite3_str_appendchar(pOut, 1, ',');
    migJsonString(pOut, azName[i]);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
}

static void migJsonConstraint(sqlite3_str *pOut, MigCons *pCons){
  static const char *azType[] = {
    0, "PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN KEY"
  };
  int i;
  sqlite3_str_appendall(pOut, "{\"type\":");
  migJsonString(pOut, (pCons->eType>=1 && pCons->eType<=4)
                      ? azType[pCons->eType] : 0);
  MIG_JSON_KEY_STRING(pOut, "name", pCons->zName);
  MIG_JSON_KEY_BOOL(pOut, "inline", pCons->bColumn);
  switch( pCons->eType ){
    case MIG_CONS_PK:
    case MIG_CONS_UNIQUE:
      MIG_JSON_KEY(pOut, "columns");
      sqlite3_str_appendchar(pOut, 1, '[');
      for(i=0; i<pCons->nPart; i++){
        MigKeyPart *pPart = &pCons->aPart[i];
        if( i ) sqlite3_str_appendchar(pOut, 1, ',');
        sqlite3_str_appendall(pOut, "{\"name\":");
        migJsonString(pOut, pPart->zCol);
        MIG_JSON_KEY_STRING(pOut, "collate", pPart->zCollate);
        MIG_JSON_KEY_BOOL(pOut, "desc", pPart->bDesc);
        sqlite3_str_appendchar(pOut, 1, '}');
      }
      sqlite3_str_appendchar(pOut, 1, ']');
      MIG_JSON_KEY_STRING(pOut, "on_conflict", migConfName(pCons->eConf));
      if( pCons->eType==MIG_CONS_PK ){
        MIG_JSON_KEY_BOOL(pOut, "autoincrement", pCons->bAutoinc);
      }
      break;
    case MIG_CONS_CHECK:
      MIG_JSON_KEY_STRING(pOut, "expression", pCons->zExpr);
      break;
    case MIG_CONS_FK:
      MIG_JSON_KEY(pOut, "columns");
      sqlite3_str_appendchar(pOut, 1, '[');
      for(i=0; i<pCons->nPart; i++){
        if( i ) sqlite3_str_appendchar(pOut, 1, ',');
        migJsonString(pOut, pCons->aPart[i].zCol);
      }
      sqlite3_str_appendchar(pOut, 1, ']');
      MIG_JSON_KEY(pOut, "references");
      sqlite3_str_appendall(pOut, "{\"table\":");
      migJsonString(pOut, pCons->zParent);
      MIG_JSON_KEY(pOut, "columns");
      migJsonNames(pOut, pCons->nParentCol, pCons->azParentCol);
      MIG_JSON_KEY_STRING(pOut, "on_delete", pCons->zOnDelete);
      MIG_JSON_KEY_STRING(pOut, "on_update", pCons->zOnUpdate);
      MIG_JSON_KEY_STRING(pOut, "match", pCons->zMatch);
      MIG_JSON_KEY_STRING(pOut, "deferrable",
          pCons->eDefer==MIG_DEFER_IMMEDIATE ? "IMMEDIATE"
        : pCons->eDefer==MIG_DEFER_DEFERRED ? "DEFERRED" : 0);
      sqlite3_str_appendchar(pOut, 1, '}');
      break;
  }
  sqlite3_str_appendchar(pOut, 1, '}');
}

static void migJsonTable(sqlite3_str *pOut, MigObject *pObj){
  int i;
  sqlite3_str_appendall(pOut, "{\"name\":");
  migJsonString(pOut, pObj->zName);
  MIG_JSON_KEY_BOOL(pOut, "strict", pObj->bStrict);
  MIG_JSON_KEY_BOOL(pOut, "without_rowid", pObj->bWithoutRowid);
  MIG_JSON_KEY_BOOL(pOut, "autoincrement", pObj->bAutoinc);
  MIG_JSON_KEY(pOut, "columns");
  sqlite3_str_appendchar(pOut, 1, '[');
  for(i=0; i<pObj->nCol; i++){
    if( i ) sqlite3_str_appendchar(pOut, 1, ',');
    migJsonColumn(pOut, &pObj->aCol[i]);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  MIG_JSON_KEY(pOut, "constraints");
  sqlite3_str_appendchar(pOut, 1, '[');
  for(i=0; i<pObj->nCons; i++){
    if( i ) sqlite3_str_appendchar(pOut, 1, ',');
    migJsonConstraint(pOut, &pObj->aCons[i]);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  MIG_JSON_KEY_STRING(pOut, "sql", pObj->zSql);
  sqlite3_str_appendchar(pOut, 1, '}');
}

static void migJsonIndex(sqlite3_str *pOut, MigObject *pObj){
  int i;
  sqlite3_str_appendall(pOut, "{\"name\":");
  migJsonString(pOut, pObj->zName);
  MIG_JSON_KEY_STRING(pOut, "table", pObj->zTable);
  MIG_JSON_KEY_BOOL(pOut, "unique", pObj->bUnique);
  MIG_JSON_KEY(pOut, "columns");
  sqlite3_str_appendchar(pOut, 1, '[');
  for(i=0; i<pObj->nPart; i++){
    MigKeyPart *pPart = &pObj->aPart[i];
    if( i ) sqlite3_str_appendchar(pOut, 1, ',');
    sqlite3_str_appendall(pOut, "{\"name\":");
    migJsonString(pOut, pPart->zCol);
    MIG_JSON_KEY_STRING(pOut, "expression", pPart->zCol ? 0 : pPart->zExpr);
    MIG_JSON_KEY_STRING(pOut, "collate", pPart->zCollate);
    MIG_JSON_KEY_BOOL(pOut, "desc", pPart->bDesc);
    sqlite3_str_appendchar(pOut, 1, '}');
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  MIG_JSON_KEY_STRING(pOut, "where", pObj->zWhere);
  MIG_JSON_KEY_STRING(pOut, "sql", pObj->zSql);
  sqlite3_str_appendchar(pOut, 1, '}');
}

/* One object of a list of kind eType. */
static void migJsonObject(sqlite3_str *pOut, MigObject *pObj){
  switch( pObj->eType ){
    case MIG_OBJ_TABLE:
      migJsonTable(pOut, pObj);
      return;
    case MIG_OBJ_INDEX:
      migJsonIndex(pOut, pObj);
      return;
  }
  sqlite3_str_appendall(pOut, "{\"name\":");
  migJsonString(pOut, pObj->zName);
  if( pObj->eType==MIG_OBJ_VTAB ){
    MIG_JSON_KEY_STRING(pOut, "module", pObj->zModule);
    MIG_JSON_KEY_STRING(pOut, "args", pObj->zArgs);
  }else if( pObj->eType==MIG_OBJ_TRIGGER ){
    MIG_JSON_KEY_STRING(pOut, "table", pObj->zTable);
    MIG_JSON_KEY_STRING(pOut, "timing", pObj->zWhen);
    MIG_JSON_KEY_STRING(pOut, "event", pObj->zEvent);
  }
  MIG_JSON_KEY_STRING(pOut, "sql", pObj->zSql);
  sqlite3_str_appendchar(pOut, 1, '}');
}

/* The model as JSON, in the format described at the top of this file. */
char *migSchemaJson(Mig *p, MigSchema *pSchema){
  static const struct { const char *zKey; int eType; } aList[] = {
    { "tables",         MIG_OBJ_TABLE },
    { "virtual_tables", MIG_OBJ_VTAB },
    { "indexes",        MIG_OBJ_INDEX },
    { "views",          MIG_OBJ_VIEW },
    { "triggers",       MIG_OBJ_TRIGGER },
  };
  sqlite3_str *pOut;
  char *zRet;
  int i, j, rc;
  if( p->rc!=SQLITE_OK || pSchema==0 ) return 0;
  pOut = sqlite3_str_new(p->db);
  sqlite3_str_appendall(pOut, "{\"schema\":");
  migJsonString(pOut, pSchema->zDb);
  for(i=0; i<(int)(sizeof(aList)/sizeof(aList[0])); i++){
    int bFirst = 1;
    sqlite3_str_appendf(pOut, ",\"%s\":", aList[i].zKey);
    sqlite3_str_appendchar(pOut, 1, '[');
    for(j=0; j<pSchema->nObj; j++){
      MigObject *pObj = pSchema->apObj[j];
      if( pObj->eType!=aList[i].eType ) continue;
      if( !bFirst ) sqlite3_str_appendchar(pOut, 1, ',');
      bFirst = 0;
      migJsonObject(pOut, pObj);
    }
    sqlite3_str_appendchar(pOut, 1, ']');
  }
  sqlite3_str_appendchar(pOut, 1, '}');
  rc = sqlite3_str_errcode(pOut);
  zRet = sqlite3_str_finish(pOut);
  if( rc!=SQLITE_OK || zRet==0 ){
    sqlite3_free(zRet);
    migErrorSet(p, rc==SQLITE_TOOBIG ? SQLITE_TOOBIG : SQLITE_NOMEM,
        rc==SQLITE_TOOBIG ? "mig_schema: the schema is too large for JSON" : 0);
    zRet = 0;
  }
  return zRet;
}
