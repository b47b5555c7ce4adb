/*
** mig_schema.c: reading a whole schema into a MigSchema.
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
** bookkeeping tables (_libmig_%, see migIsBookkeepingTable), Alembic's
** (alembic_version: a database that Alembic managed keeps it when it
** moves to libmig), the shadow tables of virtual tables, and indexes and
** triggers on any of those.  FILTERS: migSchemaReadFiltered() also
** leaves out the tables, views and triggers whose name matches one of
** the glob patterns of a MigFilter (options_json "exclude"), with the
** indexes and triggers of a table or view left out; they are matched
** after the shadow tables are found, so that a virtual table's shadow
** tables are known for what they are even when it is excluded.
** Shadow tables are those pragma table_list reports as "shadow" (it is
** read only when the schema has virtual tables, as the pragma prepares
** every view of the schema the first time it runs).  When the module of
** a virtual table is not loaded SQLite cannot tell, so a table named
** <vtab>_<suffix> is also a shadow table when <vtab> is a virtual table
** of a known module (fts3, fts4, fts5, rtree, geopoly) and <suffix> one
** of the shadow tables that module creates.  Virtual tables are only
** ever compared by their text, so one whose module is not loaded reads
** fine.  libSQL's vector indexes (CREATE INDEX ... (libsql_vector_idx(
** col))) keep their data in tables of their own, which table_list calls
** ordinary: "<index>_shadow" (with an index) and
** "libsql_vector_meta_shadow"; they are left out by those names.
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
  MigHash vecIdx;       /* libSQL vector indexes seen (name -> object) */
  MigObject **apObj;    /* objects read so far (sqlite3_malloc) */
  int nObj, nObjAlloc;
  const MigFilter *pFilter;  /* objects to leave out, or NULL */
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

/* True for the table that Alembic records its revision in: a database
** that moves from Alembic to libmig keeps it, and it is not part of the
** application's schema. */
static int migIsAlembicTable(const char *zName){
  return zName!=0 && migStrICmp(zName, "alembic_version")==0;
}

/* True if zName matches one of the patterns of pF (NULL matches nothing).
** Names compare as SQLite compares them: ASCII letters case-folded. */
int migFilterMatch(Mig *p, const MigFilter *pF, const char *zName){
  char aBuf[128];
  char *zLow = aBuf;
  int i, n, bMatch = 0;
  if( pF==0 || pF->nPat==0 || zName==0 ) return 0;
  n = (int)strlen(zName);
  if( n>=(int)sizeof(aBuf) ){
    zLow = sqlite3_malloc64((sqlite3_uint64)n+1);
    if( zLow==0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
      return 0;
    }
  }
  for(i=0; i<=n; i++){
    char c = zName[i];
    zLow[i] = (c>='A' && c<='Z') ? c+('a'-'A') : c;
  }
  for(i=0; i<pF->nPat && !bMatch; i++){
    bMatch = sqlite3_strglob(pF->azPat[i], zLow)==0;
  }
  if( zLow!=aBuf ) sqlite3_free(zLow);
  return bMatch;
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
  va_start(ap, zFmt);
  zMsg = migVMprintf(pR->p, zFmt, ap);
  va_end(ap);
  if( zMsg==0 ) return;
  migError(pR->p, "cannot read %s %s in schema %s: %s (libmig misread its "
      "CREATE statement: please report this as a bug, with the statement)",
      zKind, zTab, pR->zDb, zMsg);
  sqlite3_free(zMsg);
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
/* True if the CREATE INDEX zSql makes a libSQL vector index (its key is
** libsql_vector_idx(...)). */
static int migIsVectorIndexSql(const char *zSql){
  static const char zFn[] = "libsql_vector_idx";
  int n = (int)sizeof(zFn)-1;
  for(; zSql && *zSql; zSql++){
    if( sqlite3_strnicmp(zSql, zFn, n)==0 ) return 1;
  }
  return 0;
}

/* True if zName is a table libSQL keeps a vector index's data in: its
** "libsql_vector_meta_shadow", or "<index>_shadow" for a vector index
** of the schema (in pVecIdx). */
static int migIsLibsqlShadow(Mig *p, MigHash *pVecIdx, const char *zName){
  int n;
  char *zIdx;
  void *pIdx;
  if( zName==0 || p->rc!=SQLITE_OK ) return 0;
  if( sqlite3_stricmp(zName, "libsql_vector_meta_shadow")==0 ) return 1;
  n = (int)strlen(zName);
  if( pVecIdx->nEntry==0 || n<=7 || sqlite3_stricmp(&zName[n-7], "_shadow") ){
    return 0;
  }
  zIdx = migStrndup(p, zName, n-7);
  pIdx = zIdx ? migHashFind(pVecIdx, zIdx) : 0;
  sqlite3_free(zIdx);
  return pIdx!=0;
}

static int migShadowByName(Mig *p, MigHash *pTables, const char *zName){
  const char *zUnder;
  char *zPrefix;
  MigObject *pVtab;
  int n;
  if( zName==0 || p->rc!=SQLITE_OK ) return 0;
  zUnder = strrchr(zName, '_');
  if( zUnder==0 || zUnder==zName ) return 0;
  n = (int)(zUnder - zName);
  zPrefix = migStrndup(p, zName, n);
  if( zPrefix==0 ) return 0;
  pVtab = (MigObject*)migHashFind(pTables, zPrefix);
  sqlite3_free(zPrefix);
  return pVtab!=0 && pVtab->eType==MIG_OBJ_VTAB && pVtab->zModule!=0
      && migIsShadowSuffix(pVtab->zModule, &zUnder[1],
                           (int)strlen(&zUnder[1]));
}
static int migIsShadowByName(MigReader *pR, const char *zName){
  return migShadowByName(pR->p, &pR->pSchema->tables, zName);
}

/*
** The number of objects of schema zDb that belong to the storage of a
** virtual table or of a libSQL vector index: its shadow tables (those
** PRAGMA table_list calls so where SQLite has it, else those of the name
** rule; libSQL's by their names) and the indexes on them.  For mig_models,
** which counts the objects a models text creates.
*/
int migShadowCount(Mig *p, const char *zDb){
  sqlite3_stmt *pStmt;
  MigArena a;
  MigHash vtabs, vec, shadows;
  int n = 0, bList = migHasTableList();
  if( p->rc!=SQLITE_OK ) return 0;
  memset(&a, 0, sizeof(a));
  memset(&vtabs, 0, sizeof(vtabs));
  memset(&vec, 0, sizeof(vec));
  memset(&shadows, 0, sizeof(shadows));
  if( bList ){
    pStmt = migPrepare(p, "PRAGMA \"%w\".table_list", zDb);
    while( migStep(p, pStmt)==SQLITE_ROW ){
      const char *zType = (const char*)sqlite3_column_text(pStmt, 2);
      if( zType && sqlite3_stricmp(zType, "shadow")==0 ){
        char *zName = migArenaStrndup(p, &a,
            (const char*)sqlite3_column_text(pStmt, 1), -1);
        if( zName ) migHashInsert(p, &shadows, zName, zName);
      }
    }
    migFinalize(p, pStmt);
  }
  /* The virtual tables (rootpage 0) and their modules, the vector
  ** indexes... */
  pStmt = migPrepare(p, "SELECT type, sql FROM \"%w\".sqlite_master"
      " WHERE sql IS NOT NULL AND (type='index' OR (type='table'"
      " AND rootpage=0))", zDb);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 1);
    int bIndex = zType && zType[0]=='i';
    Mig m;
    MigObject *pObj;
    if( zType==0 || zSql==0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
      break;
    }
    if( bIndex ? !migIsVectorIndexSql(zSql) : bList ) continue;
    migHandleInit(&m, p->db, 0, 0);
    pObj = migParseCreate(&m, &a, zSql);
    if( m.rc==SQLITE_OK && pObj ){
      migHashInsert(p, bIndex ? &vec : &vtabs, pObj->zName, pObj);
    }
    migErrorDrop(p, &m);
  }
  migFinalize(p, pStmt);
  /* ...then the ordinary tables named after one of them... */
  pStmt = migPrepare(p, "SELECT name FROM \"%w\".sqlite_master"
      " WHERE type='table' AND rootpage>0", zDb);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    if( migShadowByName(p, &vtabs, zName) || migIsLibsqlShadow(p, &vec, zName) ){
      char *zCopy = migArenaStrndup(p, &a, zName, -1);
      if( zCopy ) migHashInsert(p, &shadows, zCopy, zCopy);
    }
  }
  migFinalize(p, pStmt);
  /* ...and the objects of those tables. */
  if( shadows.nEntry>0 ){
    pStmt = migPrepare(p, "SELECT tbl_name FROM \"%w\".sqlite_master"
        " WHERE sql IS NOT NULL", zDb);
    while( migStep(p, pStmt)==SQLITE_ROW ){
      if( migHashFind(&shadows, (const char*)sqlite3_column_text(pStmt, 0)) ){
        n++;
      }
    }
    migFinalize(p, pStmt);
  }
  migHashClear(&vtabs);
  migHashClear(&vec);
  migHashClear(&shadows);
  migArenaFree(&a);
  return n;
}

/*************************************************************************
** pragma table_list.
*/

/*
** Remember the type and flags SQLite gives each table of the schema.  The
** pragma is new in SQLite 3.37, and older versions take an unknown pragma
** for a no-op that returns no row: it is read only where the running
** SQLite has it (migHasTableList).  If it cannot be read, reading goes on
** without it (shadow tables are then found by name only, and STRICT and
** WITHOUT ROWID are not verified); out of memory is an error.  The PRAGMA
** statement, unlike the pragma_table_list function, reads one schema
** only.
*/
static void migReadTableList(MigReader *pR){
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  int rc;
  if( pR->p->rc!=SQLITE_OK || !migHasTableList() ) return;
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
  if( rc==SQLITE_NOMEM ){
    migErrorSet(pR->p, SQLITE_NOMEM, 0);
  }else if( rc!=SQLITE_OK && rc!=SQLITE_DONE && (rc & 0xff)!=SQLITE_ERROR ){
    migErrorSet(pR->p, rc, "%s", sqlite3_errstr(rc));  /* I/O, corrupt */
  }
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
      "SELECT type, name, tbl_name, sql FROM \"%w\".sqlite_master"
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
    if( migIsAlembicTable(zName) || migIsAlembicTable(zTbl) ) continue;
    pObj = migParseCreate(pR->p, pA, zSql);
    if( pObj==0 ) break;
    if( !migTypeMatches(zType, pObj->eType) ){
      migReadError(pR, zType, zName, "sqlite_schema says \"%s\" but the "
          "statement creates something else", zType);
      break;
    }
    if( migStrICmp(pObj->zName, zName)!=0
     || migStrICmp(pObj->zTable, zTbl)!=0
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
    }else if( pObj->eType==MIG_OBJ_INDEX && migIsVectorIndexSql(zSql) ){
      migHashInsert(pR->p, &pR->vecIdx, pObj->zName, pObj);
    }
    migReadAppend(pR, pObj);
  }
  migFinalize(pR->p, pStmt);
}

/* True if table zName is a shadow table (by the pragma or by name), or
** one of libSQL's vector indexes. */
static int migIsShadow(MigReader *pR, const char *zName){
  if( migIsLibsqlShadow(pR->p, &pR->vecIdx, zName) ) return 1;
  if( pR->nVtab==0 ) return 0;
  return migIsShadowByPragma(pR, zName) || migIsShadowByName(pR, zName);
}

/*
** Drop the shadow tables (and indexes and triggers on them) and what the
** filter excludes, move the object list into the arena and fill the
** hashes.
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
    if( !bDrop && pR->pFilter ){
      /* an index follows its table; the others match by name too */
      bDrop = migFilterMatch(pR->p, pR->pFilter, pObj->zTable)
          || (pObj->eType!=MIG_OBJ_INDEX
              && migFilterMatch(pR->p, pR->pFilter, pObj->zName));
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
    MigHash *pH = pObj->eType==MIG_OBJ_TABLE ? &pS->tables
                : pObj->eType==MIG_OBJ_INDEX ? &pS->indexes
                : pObj->eType==MIG_OBJ_VIEW ? &pS->views
                : pObj->eType==MIG_OBJ_TRIGGER ? &pS->triggers
                : 0;        /* virtual tables are in already */
    if( pH ) migHashInsert(pR->p, pH, pObj->zName, pObj);
  }
}

/* The column of table pTab named zName, or NULL. */
MigColumn *migFindColumn(MigObject *pTab, const char *zName){
  int i;
  for(i=0; zName && i<pTab->nCol; i++){
    if( migStrICmp(pTab->aCol[i].zName, zName)==0 ) return &pTab->aCol[i];
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
** Give each table its indexes, in schema order: one pass to count, one
** to fill, which also normalizes the index terms.
*/
static void migReadAttach(MigReader *pR){
  MigSchema *pS = pR->pSchema;
  int i, iPass;
  for(iPass=0; iPass<2 && pR->p->rc==SQLITE_OK; iPass++){
    for(i=0; i<pS->nObj; i++){
      MigObject *pObj = pS->apObj[i];
      MigObject *pTab;
      if( pObj->eType!=MIG_OBJ_INDEX ) continue;
      pTab = (MigObject*)migHashFind(&pS->tables, pObj->zTable);
      if( pTab==0 || pTab->eType!=MIG_OBJ_TABLE ) continue;
      if( iPass==0 ){
        pTab->nIndex++;
      }else{
        pTab->apIndex[pTab->nIndex++] = pObj;
        migNormalizeIndex(pR->p, &pS->arena, pTab, pObj);
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
** The key columns of an automatic index, collected while its rows stream
** by, and then matched against the parsed constraints.
*/
typedef struct MigAutoIdx MigAutoIdx;
struct MigAutoIdx {
  int nCol, nAlloc;
  char **azCol;         /* column names (sqlite3_malloc) */
};

/*
** The verifications share one loop (migVerify): a query that joins
** sqlite_schema to a table-valued pragma streams rows grouped by a key
** (a table, or an index), and each check gets the start of a group, each
** row and the end of a group.  The rows of a group arrive together and in
** order; the checks verify that order instead of trusting it.
*/
typedef struct MigVerify MigVerify;
struct MigVerify {
  MigReader *pR;
  sqlite3_stmt *pStmt;      /* positioned on the current row */
  MigObject *pTab;          /* the model's table of the group */
  const char *zKey;         /* the group's key (its index for indexes) */
  int iNext;                /* the sequence number expected next */
  int nGroup;               /* groups counted (by the check) */
  MigObject *pIdx;          /* indexes: the named index, or NULL (auto) */
  int bPk;                  /* indexes: an automatic index of a PK */
  MigAutoIdx sAuto;         /* indexes: key columns of an auto index */
  MigCons **apFk;           /* foreign keys: the table's parsed ones */
  int nFk;
  int iId, iSeq;            /* foreign keys: the last row's id and seq */
};

/* One check: its query (a printf format taking the schema name, as %w
** and then as %Q twice), which column is the group key (column 0 is
** always the table's name), and what it does at the start of a group,
** at each row and at the end of a group. */
typedef struct MigVerifyDef MigVerifyDef;
struct MigVerifyDef {
  const char *zSql;
  int iKey;
  void (*xBegin)(MigVerify*);
  void (*xRow)(MigVerify*);
  void (*xEnd)(MigVerify*);
};

/* The one verification loop (see above). */
static void migVerify(MigReader *pR, const MigVerifyDef *pDef, MigVerify *pV){
  sqlite3_stmt *pStmt;
  char *zGroup = 0;
  pV->pR = pR;
  pStmt = migPrepare(pR->p, pDef->zSql, pR->zDb, pR->zDb, pR->zDb);
  pV->pStmt = pStmt;
  for(;;){
    int bRow = migStep(pR->p, pStmt)==SQLITE_ROW;
    const char *zKey = 0;
    MigObject *pTab = 0;
    if( bRow ){
      zKey = (const char*)sqlite3_column_text(pStmt, pDef->iKey);
      pTab = migModelTable(pR, (const char*)sqlite3_column_text(pStmt, 0));
      if( pTab==0 || zKey==0 ) continue;        /* not in the model */
    }
    if( zGroup && (!bRow || strcmp(zKey, zGroup)!=0) ){
      pDef->xEnd(pV);
      sqlite3_free(zGroup);
      zGroup = 0;
    }
    if( !bRow || pR->p->rc!=SQLITE_OK ) break;
    if( zGroup==0 ){
      zGroup = migStrndup(pR->p, zKey, -1);
      pV->pTab = pTab;
      pV->zKey = zGroup;
      pV->iNext = 0;
      if( zGroup ) pDef->xBegin(pV);
    }
    if( pR->p->rc==SQLITE_OK ) pDef->xRow(pV);
    if( pR->p->rc!=SQLITE_OK ) break;
  }
  migFinalize(pR->p, pStmt);
  sqlite3_free(zGroup);
}

/* Fail when SQLite lists nSqlite objects of a kind (zWhat) and the model
** has nModel. */
static void migVerifyCount(MigReader *pR, const char *zOf, const char *zWhat,
                           int nSqlite, int nModel){
  if( pR->p->rc==SQLITE_OK && nSqlite!=nModel ){
    migError(pR->p, "cannot read schema %s: SQLite lists %s%d %s, libmig "
        "parsed %d", pR->zDb, zOf, nSqlite, zWhat, nModel);
  }
}

/* The number of objects of type eType in the model. */
static int migModelCount(MigSchema *pS, int eType){
  int i, n = 0;
  for(i=0; i<pS->nObj; i++){
    if( pS->apObj[i]->eType==eType ) n++;
  }
  return n;
}

/*
** Columns: SQLite's list of names, NOT NULL, primary key positions,
** generated kinds and presence of a DEFAULT must be the parser's.
*/
static void migColBegin(MigVerify *pV){
  pV->nGroup++;
}
static void migColRow(MigVerify *pV){
  MigReader *pR = pV->pR;
  sqlite3_stmt *pStmt = pV->pStmt;
  MigObject *pTab = pV->pTab;
  const char *zTab = pTab->zName;
  int cid = sqlite3_column_int(pStmt, 1);
  const char *zCol = (const char*)sqlite3_column_text(pStmt, 2);
  int bNotNull = sqlite3_column_int(pStmt, 3)!=0;
  int bDflt = sqlite3_column_int(pStmt, 4);
  int iPk = sqlite3_column_int(pStmt, 5);
  int eHidden = sqlite3_column_int(pStmt, 6);
  int eGen;
  MigColumn *pCol;
  if( cid!=pV->iNext ){
    migReadError(pR, "table", zTab, "pragma_table_xinfo returned column "
        "%d where %d was expected", cid, pV->iNext);
    return;
  }
  pV->iNext++;
  if( cid>=pTab->nCol ) return;             /* reported at the end */
  pCol = &pTab->aCol[cid];
  if( migStrICmp(zCol, pCol->zName)!=0 ){
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
static void migColEnd(MigVerify *pV){
  if( pV->iNext!=pV->pTab->nCol ){
    migReadError(pV->pR, "table", pV->pTab->zName,
        "SQLite reports %d columns, libmig parsed %d",
        pV->iNext, pV->pTab->nCol);
  }
}
static void migCheckColumns(MigReader *pR){
  static const MigVerifyDef sDef = {
    "SELECT m.name, x.cid, x.name, x.\"notnull\", x.dflt_value IS NOT NULL,"
    " x.pk, x.hidden"
    " FROM \"%w\".sqlite_master m, pragma_table_xinfo(m.name, %Q) x"
    " WHERE" MIG_ORDINARY_TABLES,
    0, migColBegin, migColRow, migColEnd
  };
  MigVerify sV;
  memset(&sV, 0, sizeof(sV));
  migVerify(pR, &sDef, &sV);
  migVerifyCount(pR, "the columns of ", "tables", sV.nGroup,
      migModelCount(pR->pSchema, MIG_OBJ_TABLE));
}

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
    if( migStrICmp(pCons->aPart[i].zCol, pAuto->azCol[i])!=0 ) return 0;
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
    if( migStrICmp(pPart->zCol, zCol)!=0 ){
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
static void migIdxBegin(MigVerify *pV){
  MigReader *pR = pV->pR;
  sqlite3_stmt *pStmt = pV->pStmt;
  const char *zIdx = pV->zKey;
  const char *zTab = pV->pTab->zName;
  const char *zOrigin = (const char*)sqlite3_column_text(pStmt, 3);
  pV->pIdx = 0;
  pV->bPk = zOrigin && sqlite3_stricmp(zOrigin, "pk")==0;
  if( zOrigin && sqlite3_stricmp(zOrigin, "c")==0 ){
    int bUnique = sqlite3_column_int(pStmt, 2)!=0;
    int bPartial = sqlite3_column_int(pStmt, 4)!=0;
    MigObject *pIdx = (MigObject*)migHashFind(&pR->pSchema->indexes, zIdx);
    pV->pIdx = pIdx;
    pV->nGroup++;
    if( pIdx==0 ){
      migReadError(pR, "index", zIdx, "it is missing from the model");
    }else if( migStrICmp(pIdx->zTable, zTab)!=0 ){
      migReadError(pR, "index", zIdx, "it is on table %s for SQLite", zTab);
    }else if( bUnique!=(pIdx->bUnique!=0) ){
      migReadError(pR, "index", zIdx, "it is %sUNIQUE for SQLite",
          bUnique ? "" : "not ");
    }else if( bPartial!=(pIdx->zWhere!=0) ){
      migReadError(pR, "index", zIdx, "it is %sa partial index for "
          "SQLite", bPartial ? "" : "not ");
    }
  }
}
static void migIdxRow(MigVerify *pV){
  sqlite3_stmt *pStmt = pV->pStmt;
  int seqno = sqlite3_column_int(pStmt, 5);
  if( seqno!=pV->iNext ){
    migReadError(pV->pR, "index", pV->zKey, "pragma_index_xinfo returned "
        "term %d where %d was expected", seqno, pV->iNext);
    return;
  }
  pV->iNext++;
  if( pV->pIdx ){
    if( seqno<pV->pIdx->nPart ){
      migCheckIndexPart(pV->pR, pV->pIdx, seqno, sqlite3_column_int(pStmt, 6),
          (const char*)sqlite3_column_text(pStmt, 7),
          sqlite3_column_int(pStmt, 8)!=0,
          (const char*)sqlite3_column_text(pStmt, 9));
    }
  }else{
    migAutoIdxAdd(pV->pR->p, &pV->sAuto,
        (const char*)sqlite3_column_text(pStmt, 7));
  }
}
static void migIdxEnd(MigVerify *pV){
  if( pV->pIdx ){
    if( pV->iNext!=pV->pIdx->nPart ){
      migReadError(pV->pR, "index", pV->pIdx->zName, "SQLite reports %d "
          "terms, libmig parsed %d", pV->iNext, pV->pIdx->nPart);
    }
  }else{
    migCheckAutoIdx(pV->pR, pV->pTab, pV->bPk, &pV->sAuto);
  }
  migAutoIdxReset(&pV->sAuto);
}
static void migCheckIndexes(MigReader *pR){
  static const MigVerifyDef sDef = {
    "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial,"
    " x.seqno, x.cid, x.name, x.\"desc\", x.coll"
    " FROM \"%w\".sqlite_master m, pragma_index_list(m.name, %Q) l,"
    " pragma_index_xinfo(l.name, %Q) x"
    " WHERE" MIG_ORDINARY_TABLES " AND x.key",
    1, migIdxBegin, migIdxRow, migIdxEnd
  };
  MigVerify sV;
  memset(&sV, 0, sizeof(sV));
  migVerify(pR, &sDef, &sV);
  migAutoIdxReset(&sV.sAuto);
  sqlite3_free(sV.sAuto.azCol);
  migVerifyCount(pR, "", "indexes", sV.nGroup,
      migModelCount(pR->pSchema, MIG_OBJ_INDEX));
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
static void migFkBegin(MigVerify *pV){
  pV->apFk = migTableFks(pV->pR, pV->pTab, &pV->nFk);
  pV->iId = -1;
  pV->iSeq = -1;
}
static void migFkRow(MigVerify *pV){
  MigReader *pR = pV->pR;
  sqlite3_stmt *pStmt = pV->pStmt;
  const char *zTab = pV->pTab->zName;
  int id = sqlite3_column_int(pStmt, 1);
  int seq = sqlite3_column_int(pStmt, 2);
  const char *zParent = (const char*)sqlite3_column_text(pStmt, 3);
  const char *zFrom = (const char*)sqlite3_column_text(pStmt, 4);
  const char *zTo = (const char*)sqlite3_column_text(pStmt, 5);
  const char *zUpd = (const char*)sqlite3_column_text(pStmt, 6);
  const char *zDel = (const char*)sqlite3_column_text(pStmt, 7);
  MigCons *pFk;
  if( pV->apFk==0 ) return;
  if( id==pV->iId && seq==pV->iSeq+1 ){
    /* the next column of the same foreign key */
  }else if( id==pV->iId+1 && seq==0 ){
    if( pV->iId>=0 && pV->iSeq+1!=pV->apFk[pV->nFk-1-pV->iId]->nPart ){
      migReadError(pR, "table", zTab, "a foreign key has %d columns for "
          "SQLite, %d for libmig", pV->iSeq+1,
          pV->apFk[pV->nFk-1-pV->iId]->nPart);
      return;
    }
  }else{
    migReadError(pR, "table", zTab, "pragma_foreign_key_list returned "
        "key %d column %d after key %d column %d", id, seq, pV->iId, pV->iSeq);
    return;
  }
  pV->iId = id;
  pV->iSeq = seq;
  if( id>=pV->nFk ){
    migReadError(pR, "table", zTab, "SQLite reports %d or more foreign "
        "keys, libmig parsed %d", id+1, pV->nFk);
    return;
  }
  pFk = pV->apFk[pV->nFk-1-id];
  if( seq==0 ){
    if( migStrICmp(zParent, pFk->zParent)!=0 ){
      migReadError(pR, "table", zTab, "a foreign key references %s for "
          "SQLite, %s for libmig", zParent ? zParent : "", pFk->zParent);
    }else if( migStrICmp(zDel, pFk->zOnDelete)!=0 ){
      migReadError(pR, "table", zTab, "a foreign key to %s has ON DELETE "
          "%s for SQLite, %s for libmig", pFk->zParent, zDel ? zDel : "",
          pFk->zOnDelete);
    }else if( migStrICmp(zUpd, pFk->zOnUpdate)!=0 ){
      migReadError(pR, "table", zTab, "a foreign key to %s has ON UPDATE "
          "%s for SQLite, %s for libmig", pFk->zParent, zUpd ? zUpd : "",
          pFk->zOnUpdate);
    }
  }
  if( seq>=pFk->nPart ){
    migReadError(pR, "table", zTab, "a foreign key to %s has more than "
        "%d columns for SQLite", pFk->zParent, pFk->nPart);
  }else if( migStrICmp(zFrom, pFk->aPart[seq].zCol)!=0 ){
    migReadError(pR, "table", zTab, "a foreign key to %s is on column %s "
        "for SQLite, %s for libmig", pFk->zParent, zFrom ? zFrom : "",
        pFk->aPart[seq].zCol ? pFk->aPart[seq].zCol : "");
  }else if( pFk->nParentCol==0 ? zTo!=0
         : (seq>=pFk->nParentCol || migStrICmp(zTo, pFk->azParentCol[seq])!=0)
  ){
    migReadError(pR, "table", zTab, "a foreign key to %s references "
        "column %s for SQLite", pFk->zParent, zTo ? zTo : "(the primary key)");
  }
}
static void migFkEnd(MigVerify *pV){
  /* All foreign keys of the table seen: the last must be complete too. */
  if( pV->apFk==0 ) return;
  if( pV->iId+1!=pV->nFk ){
    migReadError(pV->pR, "table", pV->pTab->zName, "SQLite reports %d "
        "foreign keys, libmig parsed %d", pV->iId+1, pV->nFk);
  }else if( pV->iSeq+1!=pV->apFk[0]->nPart ){
    migReadError(pV->pR, "table", pV->pTab->zName, "a foreign key has %d "
        "columns for SQLite, %d for libmig", pV->iSeq+1, pV->apFk[0]->nPart);
  }
  pV->nGroup += pV->nFk;
}
static void migCheckForeignKeys(MigReader *pR){
  static const MigVerifyDef sDef = {
    "SELECT m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\","
    " f.on_update, f.on_delete"
    " FROM \"%w\".sqlite_master m, pragma_foreign_key_list(m.name, %Q) f"
    " WHERE" MIG_ORDINARY_TABLES,
    0, migFkBegin, migFkRow, migFkEnd
  };
  MigSchema *pS = pR->pSchema;
  MigVerify sV;
  int i, j, nFkAll = 0;
  memset(&sV, 0, sizeof(sV));
  migVerify(pR, &sDef, &sV);
  for(i=0; i<pS->nObj; i++){
    MigObject *pObj = pS->apObj[i];
    if( pObj->eType!=MIG_OBJ_TABLE ) continue;
    for(j=0; j<pObj->nCons; j++){
      if( pObj->aCons[j].eType==MIG_CONS_FK ) nFkAll++;
    }
  }
  migVerifyCount(pR, "", "foreign keys", sV.nGroup, nFkAll);
}

/*************************************************************************
** The public interface.
*/

/*
** The model of schema zDb, or NULL with the error set.  Small schemas
** are verified against SQLite as they are read (MIG_VERIFY_MAX_TABLES).
*/
MigSchema *migSchemaRead(Mig *p, const char *zDb){
  return migSchemaReadFiltered(p, zDb, 0);
}

/* The model of schema zDb without what pFilter excludes. */
MigSchema *migSchemaReadFiltered(Mig *p, const char *zDb,
                                 const MigFilter *pFilter){
  MigReader sR;
  MigSchema *pS;
  int i, nTab = 0, bVerify;
  if( p->rc!=SQLITE_OK ) return 0;
  memset(&sR, 0, sizeof(sR));
  sR.pFilter = pFilter;
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
  migHashClear(&sR.vecIdx);
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
