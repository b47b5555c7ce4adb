/*
** mig_diff.c: the structural diff of two schemas and the upgrade SQL.
**
** migDiff() reads two schemas (migSchemaRead) and writes the SQL that
** turns the first into the second.  It only reads: the one query it runs
** besides the schema reader asks whether a table has rows.
**
** Comparison is structural, never textual.  Tables and indexes are paired
** by name (ASCII case-insensitive, after the renames of the options) and
** compared field by field on the parsed model: columns by name, whatever
** their order; constraints as a multiset of canonical signatures, so that
** a column constraint and the same table constraint are equal, except
** where that decides whether an INTEGER column is the rowid.  Views,
** triggers and virtual tables are compared on the canonical text of
** what follows their name (migParseCreate's zCanon), so TEMP, IF NOT
** EXISTS and a "main." prefix are no change, and neither are the
** spaces or comments among a virtual table's arguments.
** Everything is found through hash tables: the work is linear in the
** size of the two schemas.  options_json "exclude" leaves objects out of
** both schemas before anything is compared (see "The options" below).
**
** THE OUTPUT FORMAT.  A sequence of SQL statements, each ending in ";\n",
** with no blank lines and no header.  Comment lines "-- ...\n" come
** immediately before the statement they explain.  "" when the schemas
** match.  The statements come in this order, which SQLite can run:
**
**   1. DROP TRIGGER: triggers removed or changed, or on (or mentioning) a
**      table that changes or goes, or a view dropped in step 2;
**   2. DROP VIEW: views removed or changed, or mentioning a table that
**      changes or goes, or a view dropped here (dependents first);
**   3. DROP INDEX: indexes removed or changed, unless their table goes;
**   4. ALTER TABLE "old" RENAME TO "new", then ALTER TABLE "t" RENAME
**      COLUMN "a" TO "b", from options_json {"renames": {...}};
**   5. CREATE TABLE / CREATE VIRTUAL TABLE of new tables, the models'
**      text verbatim, FOREIGN KEY parents before children;
**   6. changed tables, parents first: ALTER TABLE "t" ADD COLUMN <the
**      models' column definition> (all of them), then ALTER TABLE "t"
**      DROP COLUMN "c", where SQLite can, else SELECT mig_rebuild('t',
**      '<CREATE TABLE of the models>' [, '<mapping>']) where 't' is the
**      name after step 4 (rebuild=always: always mig_rebuild); when zFrom
**      is the schema being migrated, that CREATE keeps its columns in
**      their live order, new ones last (migDiffRebuildSql);
**   7. DROP TABLE of removed tables, children first (unrelated tables in
**      reverse schema order); a changed virtual table, or a table that
**      becomes virtual or ordinary, is dropped and created again here;
**   8. CREATE INDEX, CREATE VIEW (after the views it reads) and CREATE
**      TRIGGER, new or changed or dropped above as dependents.
**
** Comments: "-- destructive: drops table "t" and all its rows" before a
** DROP TABLE, "-- destructive: drops column "t"."c" and its data" before
** a DROP COLUMN or a mig_rebuild() that loses a column, and, when a
** rebuild adds a NOT NULL column without a DEFAULT to a table that has
** rows, "-- TODO: "t"."c" is NOT NULL without a DEFAULT and "t" has
** rows:" (one per column) then "-- replace NULL in the mapping with an
** SQL expression over the old row; left as it is, this step fails." and
** the call gets the mapping {"c":"NULL"}.  The last comment before each
** mig_rebuild() says how it will run on this connection (SQLite version,
** DEFENSIVE mode, mig_config('rebuild')): "-- in place" when no row is
** copied (sqlite_schema edited, or SQLite's own ALTER TABLE statements),
** "-- rebuild (copies rows)" when it copies them.
*/
#include "mig_int.h"
#include <stdlib.h>

/* What happens to a table (MigDiffTab.eAct) */
#define MIG_ACT_SAME      0   /* nothing (maybe renamed) */
#define MIG_ACT_NEW       1   /* CREATE, step 5 */
#define MIG_ACT_DROP      2   /* DROP, step 7 */
#define MIG_ACT_NATIVE    3   /* ALTER TABLE ADD/DROP COLUMN, step 6 */
#define MIG_ACT_REBUILD   4   /* mig_rebuild(), step 6 */
#define MIG_ACT_RECREATE  5   /* DROP + CREATE (virtual tables), step 7 */

typedef struct MigDiff MigDiff;
typedef struct MigSig MigSig;
typedef struct MigDiffTab MigDiffTab;
typedef struct MigDiffObj MigDiffObj;
typedef struct MigDiffLink MigDiffLink;
typedef struct MigColRename MigColRename;

/*
** A table or virtual table of either schema, paired with its namesake
** (or its rename) in the other.
*/
struct MigDiffTab {
  MigObject *pFrom;       /* in zFrom, or NULL for a new table */
  MigObject *pTo;         /* in zTo, or NULL for a removed table */
  const char *zCur;       /* its name in zFrom once step 4 has run */
  int bRenamed;           /* renamed by the options */
  MigHash colRen;         /* zFrom column name -> zTo column name */
  MigHash colRenTo;       /* zTo column name -> zFrom column name */
  int nColRen;            /* entries in colRen */
  int eAct;               /* MIG_ACT_* */
  int eMark;              /* topological sort: 0, 1 in progress, 2 done */
  int nAdd;               /* added columns, indexes into pTo->aCol */
  int *aAdd;
  int nDrop;              /* dropped columns, indexes into pFrom->aCol */
  int *aDrop;
};

/* A list of objects (the views that read a view). */
struct MigDiffLink {
  MigDiffObj *pObj;
  MigDiffLink *pNext;
};

/* An index, view or trigger, paired by name. */
struct MigDiffObj {
  MigObject *pFrom;       /* in zFrom, or NULL */
  MigObject *pTo;         /* in zTo, or NULL */
  int bChanged;           /* in both, but not the same */
  int bDrop;              /* DROP in steps 1-3 */
  int bCreate;            /* CREATE in step 8 */
  int eMark;              /* topological sort of views */
  MigDiffLink *pReaders;  /* zFrom views whose text mentions this view */
};

/* A column rename of the options, checked once all are read. */
struct MigColRename {
  const char *zKey;       /* the key as given: "table.column" */
  MigDiffTab *pTab;
  MigColumn *pCol;        /* the column in zFrom */
  const char *zNew;       /* the new name as given */
  MigColRename *pNext;
};

/* A signature being built (see migConsSigTo): a growing buffer, cheaper
** than an sqlite3_str for the many small pieces of every constraint. */
struct MigSig {
  char *z;                /* sqlite3_malloc */
  i64 n, nAlloc;
  int bNoMem;             /* an allocation failed */
};

/* The state of one migDiff() call. */
struct MigDiff {
  Mig *p;
  MigDiffOpts *pOpts;
  const char *zFromDb;
  const char *zToDb;
  MigSchema *pFrom;
  MigSchema *pTo;
  MigArena arena;         /* everything below that is not a hash */
  MigHash fromTab;        /* zFrom table name -> MigDiffTab */
  MigHash toTab;          /* zTo table name -> MigDiffTab */
  MigHash renTarget;      /* table rename targets (zTo names) */
  MigHash idx;            /* index name -> MigDiffObj */
  MigHash view;           /* view name -> MigDiffObj */
  MigHash trig;           /* trigger name -> MigDiffObj */
  MigHash hFromCol;       /* scratch: columns of one zFrom table */
  MigHash hToCol;         /* scratch: columns of one zTo table */
  int nTab;               /* every MigDiffTab, zFrom order then new ones */
  MigDiffTab **apTab;
  MigColRename *pColRen;  /* column renames, in the order given */
  int iMinSqlite;         /* the oldest SQLite the SQL must run on */
  MigFilter filter;       /* options_json "exclude" (in the arena) */
  sqlite3_str *pOut;      /* the SQL being written */
  MigSig sigA, sigB;      /* scratch: signatures compared by migSigSame */
};

/*************************************************************************
** Small helpers.
*/

/* Compare two possibly NULL strings exactly (migStrICmp folds case). */
static int migStrCmpNull(const char *a, const char *b){
  if( a==0 || b==0 ) return a!=b;
  return strcmp(a, b);
}

/* ON CONFLICT ABORT is what SQLite does without a clause. */
static int migConfNorm(int eConf){
  return eConf==MIG_CONF_ABORT ? MIG_CONF_NONE : eConf;
}

/* Empty a scratch hash for reuse without freeing its slots, unless it
** grew large for one wide table. */
static void migDiffHashReset(MigHash *pH){
  if( pH->nSlot>1024 ){
    migHashClear(pH);
  }else if( pH->nSlot>0 ){
    memset(pH->aSlot, 0, sizeof(MigHashEntry)*(size_t)pH->nSlot);
    pH->nEntry = 0;
  }
}

/* Append to the output. */
static void migOut(MigDiff *d, const char *zFmt, ...){
  va_list ap;
  if( d->p->rc!=SQLITE_OK ) return;
  va_start(ap, zFmt);
  sqlite3_str_vappendf(d->pOut, zFmt, ap);
  va_end(ap);
}

/* A name inside a "-- " comment line, in double quotes as "%w" writes
** it, but with line breaks and other control characters as \xHH: a name
** must not end the comment and put the rest of itself in the script as
** a statement (a table named "x<newline>DROP TABLE y;"). */
static void migOutCmtName(MigDiff *d, const char *z){
  if( d->p->rc!=SQLITE_OK ) return;
  sqlite3_str_appendchar(d->pOut, 1, '"');
  for(; *z; z++){
    unsigned char c = (unsigned char)*z;
    if( c=='"' ){
      sqlite3_str_append(d->pOut, "\"\"", 2);
    }else if( c<0x20 || c==0x7f ){
      sqlite3_str_appendf(d->pOut, "\\x%02x", c);
    }else{
      sqlite3_str_appendchar(d->pOut, 1, (char)c);
    }
  }
  sqlite3_str_appendchar(d->pOut, 1, '"');
}

/* True if the token z[0..n) of type eType is the name zName (dequoted,
** ASCII case-folded).  No allocation: used to scan expressions. */
static int migTokenIsName(const char *z, int n, int eType, const char *zName){
  int i, j = 0;
  unsigned char q = 0;
  int iStart = 0, iEnd = n;
  if( eType==MIG_TK_QID && n>=2 ){
    q = (unsigned char)z[0];
    if( q=='[' ) q = ']';
    iStart = 1;
    iEnd = n-1;
  }else if( eType!=MIG_TK_ID ){
    return 0;
  }
  for(i=iStart; i<iEnd; i++){
    unsigned char c = (unsigned char)z[i];
    unsigned char c2 = (unsigned char)zName[j];
    if( q && q!=']' && c==q ) i++;          /* "" stands for " */
    if( c2==0 ) return 0;
    if( c>='A' && c<='Z' ) c += 'a'-'A';
    if( c2>='A' && c2<='Z' ) c2 += 'a'-'A';
    if( c!=c2 ) return 0;
    j++;
  }
  return zName[j]==0;
}

/* True if the canonical expression zExpr mentions the name zName. */
int migExprMentions(const char *zExpr, const char *zName){
  const unsigned char *z = (const unsigned char*)zExpr;
  int i = 0;
  if( zExpr==0 ) return 0;
  for(;;){
    int eType;
    int n = migGetToken(&z[i], &eType);
    if( eType==MIG_TK_EOF || n<=0 ) break;
    if( migTokenIsName((const char*)&z[i], n, eType, zName) ) return 1;
    i += n;
  }
  return 0;
}

/* The zTo name of column zCol of the zFrom table pT (renames applied). */
static const char *migDiffColName(MigDiffTab *pT, const char *zCol){
  if( pT && pT->nColRen && zCol ){
    const char *zNew = (const char*)migHashFind(&pT->colRen, zCol);
    if( zNew ) return zNew;
  }
  return zCol;
}

/*
** A canonical expression of zFrom table pT with the renamed columns
** written under their new names, so that it compares with the zTo text
** (RENAME COLUMN rewrites expressions in the same way).  A name followed
** by "(" is a function, not a column.
*/
static const char *migDiffMapExpr(MigDiff *d, MigDiffTab *pT, const char *zExpr){
  sqlite3_str *pStr;
  const unsigned char *z = (const unsigned char*)zExpr;
  char *zNew;
  const char *zRet = zExpr;
  int i = 0;
  if( pT==0 || pT->nColRen==0 || zExpr==0 || d->p->rc!=SQLITE_OK ){
    return zExpr;
  }
  pStr = sqlite3_str_new(d->p->db);
  for(;;){
    int eType;
    int n = migGetToken(&z[i], &eType);
    const char *zRen = 0;
    if( eType==MIG_TK_EOF || n<=0 ) break;
    if( eType==MIG_TK_ID || eType==MIG_TK_QID ){
      int j = i+n, eNext = 0, nNext;
      do{
        nNext = migGetToken(&z[j], &eNext);
        j += nNext;
      }while( eNext==MIG_TK_SPACE && nNext>0 );
      if( !(eNext==MIG_TK_PUNCT && nNext==1 && z[j-1]=='(') ){
        char *zName = migDequote(d->p, &d->arena, (const char*)&z[i], n);
        if( zName ) zRen = (const char*)migHashFind(&pT->colRen, zName);
      }
    }
    if( zRen ){
      sqlite3_str_appendf(pStr, "\"%w\"", zRen);
    }else{
      sqlite3_str_append(pStr, (const char*)&z[i], n);
    }
    i += n;
  }
  if( sqlite3_str_errcode(pStr) ){
    migErrorSet(d->p, SQLITE_NOMEM, 0);
  }
  zNew = sqlite3_str_finish(pStr);
  if( zNew && d->p->rc==SQLITE_OK ){
    zRet = migCanonical(d->p, &d->arena, zNew, -1);
  }
  sqlite3_free(zNew);
  return zRet;
}

/*************************************************************************
** Pairing the objects of the two schemas.
*/

/* The MigDiffObj of name zName in pH, created if need be. */
static MigDiffObj *migDiffObjGet(MigDiff *d, MigHash *pH, MigObject *pObj,
                                 int bTo){
  MigDiffObj *pD = (MigDiffObj*)migHashFind(pH, pObj->zName);
  if( pD==0 ){
    pD = migArenaAlloc(d->p, &d->arena, sizeof(MigDiffObj));
    if( pD==0 ) return 0;
    migHashInsert(d->p, pH, pObj->zName, pD);
  }
  if( bTo ){
    pD->pTo = pObj;
  }else{
    pD->pFrom = pObj;
  }
  return pD;
}

/* Index, view and trigger pairs by name; zFrom tables. */
static void migDiffPairObjects(MigDiff *d){
  int i, s;
  d->apTab = migArenaAlloc(d->p, &d->arena,
      sizeof(MigDiffTab*)*((i64)d->pFrom->nObj + d->pTo->nObj + 1));
  for(s=0; s<2 && d->p->rc==SQLITE_OK; s++){
    MigSchema *pS = s ? d->pTo : d->pFrom;
    for(i=0; i<pS->nObj && d->p->rc==SQLITE_OK; i++){
      MigObject *pObj = pS->apObj[i];
      switch( pObj->eType ){
        case MIG_OBJ_INDEX:   migDiffObjGet(d, &d->idx, pObj, s);  break;
        case MIG_OBJ_VIEW:    migDiffObjGet(d, &d->view, pObj, s); break;
        case MIG_OBJ_TRIGGER: migDiffObjGet(d, &d->trig, pObj, s); break;
        case MIG_OBJ_TABLE:
        case MIG_OBJ_VTAB:
          if( s==0 ){
            MigDiffTab *pT = migArenaAlloc(d->p, &d->arena, sizeof(MigDiffTab));
            if( pT==0 ) break;
            pT->pFrom = pObj;
            pT->zCur = pObj->zName;
            migHashInsert(d->p, &d->fromTab, pObj->zName, pT);
            d->apTab[d->nTab++] = pT;
          }
          break;
      }
    }
  }
}

/* Pair the zFrom tables with the zTo ones, renames applied; the zTo
** tables left over are new. */
static void migDiffPairTables(MigDiff *d){
  int i, nFrom = d->nTab;
  for(i=0; i<nFrom && d->p->rc==SQLITE_OK; i++){
    MigDiffTab *pT = d->apTab[i];
    MigObject *pTo = (MigObject*)migHashFind(&d->pTo->tables, pT->zCur);
    if( pTo && migHashFind(&d->toTab, pTo->zName)==0 ){
      pT->pTo = pTo;
      migHashInsert(d->p, &d->toTab, pTo->zName, pT);
    }
  }
  for(i=0; i<d->pTo->nObj && d->p->rc==SQLITE_OK; i++){
    MigObject *pObj = d->pTo->apObj[i];
    if( (pObj->eType==MIG_OBJ_TABLE || pObj->eType==MIG_OBJ_VTAB)
     && migHashFind(&d->toTab, pObj->zName)==0
    ){
      MigDiffTab *pT = migArenaAlloc(d->p, &d->arena, sizeof(MigDiffTab));
      if( pT==0 ) return;
      pT->pTo = pObj;
      pT->zCur = pObj->zName;
      pT->eAct = MIG_ACT_NEW;
      migHashInsert(d->p, &d->toTab, pObj->zName, pT);
      d->apTab[d->nTab++] = pT;
    }
  }
}

/*************************************************************************
** The options: {"renames": {"table": "new", "table.column": "new"},
** "exclude": ["glob", ...]}.  Objects that "exclude" matches are left out
** of both schemas as they are read (migSchemaReadFiltered): the diff
** never creates, drops or changes them.
*/

/* One entry of "renames": a table rename now, a column rename queued. */
static void migDiffRenameOne(MigDiff *d, const char *zKey, const char *zNew){
  Mig *p = d->p;
  MigDiffTab *pT = (MigDiffTab*)migHashFind(&d->fromTab, zKey);
  if( pT ){
    MigObject *pTo = (MigObject*)migHashFind(&d->pTo->tables, zNew);
    MigDiffTab *pOther = (MigDiffTab*)migHashFind(&d->fromTab, zNew);
    if( pT->bRenamed ){
      migError(p, "renames: table \"%s\" is renamed"
          " twice", zKey);
    }else if( pOther==pT ){
      migError(p, "renames: \"%s\" and \"%s\" are"
          " the same name (names are case-insensitive); nothing to rename",
          zKey, zNew);
    }else if( pOther ){
      migError(p, "renames: cannot rename \"%s\" to"
          " \"%s\": %s already has a table \"%s\"",
          zKey, zNew, d->zFromDb, pOther->pFrom->zName);
    }else if( pTo==0 ){
      migError(p, "renames: \"%s\" renames to"
          " \"%s\", but %s has no table \"%s\"", zKey, zNew, d->zToDb, zNew);
    }else if( migHashFind(&d->renTarget, pTo->zName) ){
      migError(p, "renames: two tables renamed"
          " to \"%s\"", zNew);
    }else{
      pT->bRenamed = 1;
      pT->zCur = pTo->zName;
      migHashInsert(p, &d->renTarget, pTo->zName, pT);
    }
  }else{
    /* "table.column": split at the first "." where the prefix names a
    ** table and the rest one of its columns, or failing that, the first
    ** where the prefix names a table (for the error message). */
    int i, iFirst = -1;
    MigDiffTab *pFirst = 0;
    for(i=0; zKey[i] && pT==0; i++){
      if( zKey[i]=='.' ){
        char *zTab = migArenaStrndup(p, &d->arena, zKey, i);
        MigDiffTab *pX;
        if( zTab==0 ) return;
        pX = (MigDiffTab*)migHashFind(&d->fromTab, zTab);
        if( pX && pFirst==0 ){
          pFirst = pX;
          iFirst = i;
        }
        if( pX && migFindColumn(pX->pFrom, &zKey[i+1]) ) pT = pX;
      }
    }
    if( pT==0 && pFirst ){
      pT = pFirst;
      i = iFirst+1;
    }
    if( pT==0 ){
      const char *zDot = strchr(zKey, '.');
      if( zDot ){
        migError(p, "renames: no table \"%.*s\""
            " in %s (for the column rename \"%s\")",
            (int)(zDot-zKey), zKey, d->zFromDb, zKey);
      }else{
        migError(p, "renames: no table \"%s\""
            " in %s", zKey, d->zFromDb);
      }
    }else{
      const char *zCol = &zKey[i];
      MigColumn *pCol = migFindColumn(pT->pFrom, zCol);
      if( pT->pFrom->eType==MIG_OBJ_VTAB ){
        migError(p, "renames: \"%s\": \"%s\" is a"
            " virtual table; its columns cannot be renamed",
            zKey, pT->pFrom->zName);
      }else if( pCol==0 ){
        migError(p, "renames: no column \"%s\" in"
            " table \"%s\" of %s", zCol, pT->pFrom->zName, d->zFromDb);
      }else if( migHashFind(&pT->colRen, pCol->zName) ){
        migError(p, "renames: column \"%s\".\"%s\""
            " is renamed twice", pT->pFrom->zName, pCol->zName);
      }else{
        MigColRename *pR = migArenaAlloc(p, &d->arena, sizeof(MigColRename));
        MigColRename **pp;
        if( pR==0 ) return;
        pR->zKey = zKey;
        pR->pTab = pT;
        pR->pCol = pCol;
        pR->zNew = zNew;
        migHashInsert(p, &pT->colRen, pCol->zName, (void*)zNew);
        pT->nColRen++;
        for(pp=&d->pColRen; *pp; pp=&(*pp)->pNext);
        *pp = pR;
      }
    }
  }
}

/* Check the column renames against the tables (renamed) of zTo and make
** their targets the zTo spelling. */
static void migDiffCheckColRenames(MigDiff *d){
  Mig *p = d->p;
  MigColRename *pR;
  for(pR=d->pColRen; pR && p->rc==SQLITE_OK; pR=pR->pNext){
    MigDiffTab *pT = pR->pTab;
    MigObject *pTo = (MigObject*)migHashFind(&d->pTo->tables, pT->zCur);
    MigColumn *pNew = pTo ? migFindColumn(pTo, pR->zNew) : 0;
    MigColumn *pOld = migFindColumn(pT->pFrom, pR->zNew);
    if( pTo==0 || pTo->eType!=MIG_OBJ_TABLE ){
      migError(p, "renames: \"%s\" renames a column"
          " of \"%s\", but %s has no table \"%s\"",
          pR->zKey, pT->pFrom->zName, d->zToDb, pT->zCur);
    }else if( pNew==0 ){
      migError(p, "renames: \"%s\" renames to"
          " \"%s\", but table \"%s\" of %s has no column \"%s\"",
          pR->zKey, pR->zNew, pTo->zName, d->zToDb, pR->zNew);
    }else if( pOld==pR->pCol ){
      migError(p, "renames: \"%s\" and \"%s\" are"
          " the same name (names are case-insensitive); nothing to rename",
          pR->pCol->zName, pR->zNew);
    }else if( pOld ){
      migError(p, "renames: cannot rename \"%s\" to"
          " \"%s\": table \"%s\" of %s already has a column \"%s\"",
          pR->zKey, pR->zNew, pT->pFrom->zName, d->zFromDb, pOld->zName);
    }else if( migHashFind(&pT->colRenTo, pNew->zName) ){
      migError(p, "renames: two columns of \"%s\""
          " renamed to \"%s\"", pT->pFrom->zName, pR->zNew);
    }else{
      migHashInsert(p, &pT->colRenTo, pNew->zName, pR->pCol->zName);
      migHashInsert(p, &pT->colRen, pR->pCol->zName, pNew->zName);
    }
  }
}

/* Read the patterns of options_json "exclude" (an array of strings)
** into d->filter, lower-cased. */
static void migDiffExclude(MigDiff *d, const char *zJson){
  Mig *p = d->p;
  sqlite3_stmt *pStmt;
  int n = (int)migQueryInt(p, 0, "SELECT json_array_length(%Q, '$.exclude')",
                           zJson);
  if( n<=0 ) return;
  d->filter.azPat = migArenaAlloc(p, &d->arena, sizeof(char*)*(i64)n);
  pStmt = migPrepare(p, "SELECT type, lower(value) FROM json_each(?1,"
      " '$.exclude')");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  while( migStep(p, pStmt)==SQLITE_ROW && d->filter.nPat<n ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zPat = (const char*)sqlite3_column_text(pStmt, 1);
    if( zType==0 || strcmp(zType, "text")!=0 || zPat==0 ){
      migError(p, "exclude: must be an array of glob patterns (strings),"
          " such as [\"cache_*\", \"legacy\"]");
      break;
    }
    d->filter.azPat[d->filter.nPat] = migArenaStrndup(p, &d->arena, zPat, -1);
    if( d->filter.azPat[d->filter.nPat] ) d->filter.nPat++;
  }
  migFinalize(p, pStmt);
}

/* Check options_json (valid, an object, known keys of the right types)
** and read its "exclude" patterns, before the schemas are read. */
static void migDiffOptionsCheck(MigDiff *d){
  Mig *p = d->p;
  const char *zJson = d->pOpts ? d->pOpts->zOptionsJson : 0;
  sqlite3_stmt *pStmt;
  if( zJson==0 || p->rc!=SQLITE_OK ) return;

  /* Valid first, in a query of its own (see migJsonValid). */
  if( migJsonValid(p, zJson)==0 ){
    migError(p, "options_json is not valid JSON");
  }
  pStmt = migPrepare(p, "SELECT json_type(?1)");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  if( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    if( zType==0 || strcmp(zType, "object")!=0 ){
      migError(p, "options_json must be a JSON"
          " object, such as {\"renames\": {\"old_table\": \"new_table\"}}");
    }
  }
  migFinalize(p, pStmt);

  pStmt = migPrepare(p, "SELECT key, type, value FROM json_each(?1)");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zKey = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    if( zKey && strcmp(zKey, "min_sqlite")==0 ){
      /* The oldest SQLite the SQL must run on (mig_compat.c). */
      const char *zVal = (const char*)sqlite3_column_text(pStmt, 2);
      if( zType==0 || strcmp(zType, "text")!=0 ){
        migError(p, "min_sqlite must be an SQLite version such as "
            "'3.31.1'");
      }else{
        migMinSqliteCheck(p, zVal);
        d->iMinSqlite = migVersionParse(zVal);
      }
    }else if( zKey && strcmp(zKey, "exclude")==0 ){
      if( zType==0 || strcmp(zType, "array")!=0 ){
        migError(p, "exclude: must be an array of glob patterns (strings),"
            " such as [\"cache_*\", \"legacy\"]");
      }
    }else if( zKey==0 || strcmp(zKey, "renames")!=0 ){
      migError(p, "options_json: unknown key"
          " \"%s\" (known: renames, exclude, min_sqlite)", zKey ? zKey : "");
    }else if( zType==0 || strcmp(zType, "object")!=0 ){
      migError(p, "renames: must be a JSON object"
          " such as {\"old_table\": \"new_table\", \"table.old_column\":"
          " \"new_column\"}");
    }
  }
  migFinalize(p, pStmt);
  if( p->rc==SQLITE_OK ) migDiffExclude(d, zJson);
}

/* Apply the renames of options_json to the paired tables. */
static void migDiffRenames(MigDiff *d){
  Mig *p = d->p;
  const char *zJson = d->pOpts ? d->pOpts->zOptionsJson : 0;
  sqlite3_stmt *pStmt;
  if( zJson==0 || p->rc!=SQLITE_OK ) return;
  pStmt = migPrepare(p,
      "SELECT key, type, value FROM json_each(?1, '$.renames')");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    char *zKey = migArenaStrndup(p, &d->arena,
        (const char*)sqlite3_column_text(pStmt, 0), -1);
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    char *zNew = migArenaStrndup(p, &d->arena,
        (const char*)sqlite3_column_text(pStmt, 2), -1);
    if( p->rc!=SQLITE_OK ) break;
    if( zKey==0 ) zKey = "";
    if( zType==0 || strcmp(zType, "text")!=0 || zNew==0 ){
      migError(p, "renames: the new name for"
          " \"%s\" must be a string", zKey);
    }else{
      migDiffRenameOne(d, zKey, zNew);
    }
  }
  migFinalize(p, pStmt);
}

/*************************************************************************
** Tables.
*/

/* Room for n more bytes at the end of a signature (its length grows by
** n), or NULL when out of memory. */
static char *migSigRoom(MigSig *pS, i64 n){
  char *zRet;
  if( pS->n + n > pS->nAlloc ){
    i64 nNew = (pS->n + n)*2 + 64;
    char *zNew = sqlite3_realloc64(pS->z, nNew);
    if( zNew==0 ){
      pS->bNoMem = 1;
      return 0;
    }
    pS->z = zNew;
    pS->nAlloc = nNew;
  }
  zRet = &pS->z[pS->n];
  pS->n += n;
  return zRet;
}

/* Append n bytes to a signature. */
static void migSigAppend(MigSig *pS, const char *z, i64 n){
  char *zOut = migSigRoom(pS, n);
  if( zOut ) memcpy(zOut, z, (size_t)n);
}

/* Append a number (not negative) and cSep to a signature. */
static void migSigInt(MigSig *pS, i64 v, char cSep){
  char a[24];
  int i = (int)sizeof(a);
  a[--i] = cSep;
  do{
    a[--i] = (char)('0' + v%10);
    v /= 10;
  }while( v>0 );
  migSigAppend(pS, &a[i], (int)sizeof(a)-i);
}

/* Append a name to a signature: length-prefixed, ASCII case-folded. */
static void migSigName(MigSig *pS, const char *z){
  int i, n;
  char *zOut;
  if( z==0 ){
    migSigAppend(pS, "~", 1);
    return;
  }
  n = (int)strlen(z);
  migSigInt(pS, n, ':');
  zOut = migSigRoom(pS, n);
  for(i=0; zOut && i<n; i++){
    char c = z[i];
    zOut[i] = (c>='A' && c<='Z') ? c+('a'-'A') : c;
  }
}

/* Append a text to a signature as it is, length-prefixed. */
static void migSigText(MigSig *pS, const char *z){
  if( z==0 ){
    migSigAppend(pS, "~", 1);
  }else{
    int n = (int)strlen(z);
    migSigInt(pS, n, ':');
    migSigAppend(pS, z, n);
  }
}

/* Append a key part; pT is the zFrom table for renames, or NULL. */
static void migSigPart(MigDiff *d, MigDiffTab *pT, MigSig *pS,
                       MigKeyPart *pPart){
  if( pPart->zCol ){
    migSigAppend(pS, "c", 1);
    migSigName(pS, migDiffColName(pT, pPart->zCol));
  }else{
    migSigAppend(pS, "e", 1);
    migSigText(pS, migDiffMapExpr(d, pT, pPart->zExprCanon));
  }
  migSigName(pS, pPart->zCollate);
  migSigInt(pS, pPart->bDesc!=0, ';');
}

/*
** The canonical signature of a constraint, appended to pS: the one
** definition of constraint equality (equal signatures for equal
** constraints, however spelled).  pT is the zFrom table (its renames and
** those of the FK parent are applied) or NULL for a zTo constraint.  The
** key parts of a CHECK (the column of a column CHECK) are not part of it.
*/
static void migConsSigTo(MigDiff *d, MigDiffTab *pT, MigCons *pC,
                         MigSig *pS){
  int i;
  migSigInt(pS, pC->eType, '|');
  migSigName(pS, pC->zName);
  switch( pC->eType ){
    case MIG_CONS_PK:
    case MIG_CONS_UNIQUE:
      migSigInt(pS, migConfNorm(pC->eConf), '|');
      migSigInt(pS, pC->bAutoinc!=0, '|');
      migSigInt(pS, pC->nPart, '|');
      for(i=0; i<pC->nPart; i++) migSigPart(d, pT, pS, &pC->aPart[i]);
      break;
    case MIG_CONS_CHECK:
      migSigAppend(pS, "|", 1);
      migSigText(pS, migDiffMapExpr(d, pT, pC->zExprCanon));
      break;
    case MIG_CONS_FK: {
      MigDiffTab *pPar = 0;
      const char *zParent = pC->zParent;
      if( pT ){
        pPar = (MigDiffTab*)migHashFind(&d->fromTab, zParent);
        if( pPar ) zParent = pPar->zCur;
      }
      migSigInt(pS, pC->nPart, '|');
      for(i=0; i<pC->nPart; i++){
        migSigName(pS, migDiffColName(pT, pC->aPart[i].zCol));
      }
      migSigAppend(pS, "|", 1);
      migSigName(pS, zParent);
      migSigInt(pS, pC->nParentCol, '|');
      for(i=0; i<pC->nParentCol; i++){
        migSigName(pS, migDiffColName(pPar, pC->azParentCol[i]));
      }
      migSigAppend(pS, "|", 1);
      migSigName(pS, pC->zOnDelete ? pC->zOnDelete : "NO ACTION");
      migSigName(pS, pC->zOnUpdate ? pC->zOnUpdate : "NO ACTION");
      migSigName(pS, pC->zMatch);
      migSigInt(pS, pC->eDefer, '|');
      break;
    }
  }
}

/* The signature of constraint pC on its own, without renames (see
** migConsSigTo), for mig_rebuild.c.  sqlite3_free() it. */
char *migConsSignature(Mig *p, MigCons *pC){
  MigDiff d;
  char *zRet = 0;
  memset(&d, 0, sizeof(d));
  d.p = p;
  if( p->rc!=SQLITE_OK ) return 0;
  migConsSigTo(&d, 0, pC, &d.sigA);
  if( d.sigA.bNoMem ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }else{
    zRet = migStrndup(p, d.sigA.n ? d.sigA.z : "", (int)d.sigA.n);
  }
  sqlite3_free(d.sigA.z);
  return zRet;
}

/* The signature of a constraint, in the arena (see migConsSigTo). */
static char *migConsSig(MigDiff *d, MigDiffTab *pT, MigCons *pC){
  d->sigA.n = 0;
  migConsSigTo(d, pT, pC, &d->sigA);
  if( d->sigA.bNoMem ){
    migErrorSet(d->p, SQLITE_NOMEM, 0);
    return 0;
  }
  return migArenaStrndup(d->p, &d->arena, d->sigA.n ? d->sigA.z : "",
                         (int)d->sigA.n);
}

/* True if the two scratch signatures (sigA, sigB) are the same. */
static int migSigSame(MigDiff *d){
  if( d->sigA.bNoMem || d->sigB.bNoMem ) migErrorSet(d->p, SQLITE_NOMEM, 0);
  return d->p->rc==SQLITE_OK && d->sigA.n==d->sigB.n
      && (d->sigA.n==0 || memcmp(d->sigA.z, d->sigB.z, d->sigA.n)==0);
}

/*
** Are two constraints equal (a of zFrom table pT, b of zTo)?  Their
** signatures, written into two buffers of the diff that are reused, so
** that the tables that did not change (most of them) allocate nothing.
*/
static int migConsEqual(MigDiff *d, MigDiffTab *pT, MigCons *a, MigCons *b){
  if( a->eType!=b->eType ) return 0;
  d->sigA.n = d->sigB.n = 0;
  migConsSigTo(d, pT, a, &d->sigA);
  migConsSigTo(d, 0, b, &d->sigB);
  return migSigSame(d);
}

static int migSigCmp(const void *a, const void *b){
  return strcmp(*(const char**)a, *(const char**)b);
}

/* The column that owns a column constraint (by its name), or NULL for a
** table constraint.  pH maps the column names of that table's side. */
static MigColumn *migConsOwner(MigDiffTab *pT, MigHash *pH, MigCons *pC){
  if( !pC->bColumn || pC->nPart<1 || pC->aPart[0].zCol==0 ) return 0;
  return (MigColumn*)migHashFind(pH, migDiffColName(pT, pC->aPart[0].zCol));
}

/* A default that is absent or NULL. */
int migNoDefault(MigColumn *pCol){
  return pCol->zDefaultCanon==0 || strcmp(pCol->zDefaultCanon, "\"null\"")==0;
}

/* Do two columns (the first of zFrom table pT) differ? */
static int migColumnsDiffer(MigDiff *d, MigDiffTab *pT,
                            MigColumn *a, MigColumn *b){
  const char *zCa = a->zCollate, *zCb = b->zCollate;
  if( zCa && migStrICmp(zCa, "BINARY")==0 ) zCa = 0;
  if( zCb && migStrICmp(zCb, "BINARY")==0 ) zCb = 0;
  if( migStrICmp(a->zTypeCanon, b->zTypeCanon) ) return 1;
  if( (a->bNotNull!=0)!=(b->bNotNull!=0) ) return 1;
  if( a->bNotNull
   && migConfNorm(a->eNotNullConf)!=migConfNorm(b->eNotNullConf) ) return 1;
  if( migNoDefault(a)!=migNoDefault(b) ) return 1;
  if( !migNoDefault(a) && strcmp(a->zDefaultCanon, b->zDefaultCanon) ){
    return 1;
  }
  if( migStrICmp(zCa, zCb) ) return 1;
  if( a->iPk!=b->iPk ) return 1;
  if( a->eGen!=b->eGen ) return 1;
  if( a->eGen!=MIG_GEN_NONE
   && migStrCmpNull(migDiffMapExpr(d, pT, a->zGenCanon), b->zGenCanon) ){
    return 1;
  }
  return 0;
}

/*
** The column a constraint of zTo table pTo goes with when that column is
** added by ALTER TABLE ADD COLUMN, or NULL: the owner of a column
** constraint; for a table constraint, the one child column of a FOREIGN
** KEY or the one column a CHECK mentions (ADD COLUMN writes those
** column-level, which compares equal: see migConsSigTo).  pH maps pTo's
** column names, or is NULL (then they are looked up one by one).
*/
static MigColumn *migAddOwner(MigObject *pTo, MigHash *pH, MigCons *pC){
  MigColumn *pOwner = 0;
  int i;
  if( pC->eType==MIG_CONS_FK && !pC->bColumn && pC->nPart==1 ){
    const char *zCol = pC->aPart[0].zCol;
    return pH ? (MigColumn*)migHashFind(pH, zCol) : migFindColumn(pTo, zCol);
  }
  if( pC->eType!=MIG_CONS_CHECK || pC->bColumn ){
    if( pH ) return migConsOwner(0, pH, pC);
    if( !pC->bColumn || pC->nPart<1 ) return 0;
    return migFindColumn(pTo, pC->aPart[0].zCol);
  }
  for(i=0; i<pTo->nCol; i++){
    if( migExprMentions(pC->zExprCanon, pTo->aCol[i].zName) ){
      if( pOwner ) return 0;
      pOwner = &pTo->aCol[i];
    }
  }
  return pOwner;
}

/*
** Do the CHECK constraints that go with added column pCol hold for the
** rows the table has now?  Those rows will all read the column's DEFAULT
** (NULL without one), so this is asked of a private in-memory database
** that has nothing but SQLite's built-in functions: a table of that one
** column, its definition as the models write it and those CHECKs, and
** INSERT DEFAULT VALUES.  Any error there (a CHECK that fails, a
** function or a collation of the application's) is a no, and the table
** is rebuilt, which reports the rows and runs the application's
** functions as a schema would.
*/
static int migAddChecksHold(Mig *p, MigObject *pTo, MigColumn *pCol,
                            MigHash *pH){
  sqlite3 *db = 0;
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  char *zSql;
  int i, rc;
  sqlite3_str_appendf(pStr, "CREATE TABLE \"%w\"(%.*s", pTo->zName,
      pCol->def.n, &pTo->zSql[pCol->def.iStart]);
  for(i=0; i<pTo->nCons; i++){
    MigCons *pC = &pTo->aCons[i];
    if( pC->eType==MIG_CONS_CHECK && !pC->bColumn
     && migAddOwner(pTo, pH, pC)==pCol ){
      sqlite3_str_appendf(pStr, ", %.*s", pC->span.n, &pTo->zSql[pC->span.iStart]);
    }
  }
  sqlite3_str_appendf(pStr, ");INSERT INTO \"%w\" DEFAULT VALUES;", pTo->zName);
  zSql = migStrFinish(p, pStr);
  if( zSql==0 ) return 0;
  rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, zSql, 0, 0, 0);
  if( (rc & 0xff)==SQLITE_NOMEM ) migErrorSet(p, SQLITE_NOMEM, 0);
  sqlite3_close(db);
  sqlite3_free(zSql);
  return rc==SQLITE_OK;
}

/* Can ALTER TABLE ADD COLUMN add column pCol of zTo table pTo?  SQLite's
** rules (a constant DEFAULT, no PRIMARY KEY, UNIQUE or STORED, NOT NULL
** with a DEFAULT, REFERENCES with a NULL default), plus: CHECKs that
** read only that column and hold for the rows there are now. */
static int migAddQualifies(Mig *p, MigObject *pTo, MigColumn *pCol,
                           MigHash *pHTo){
  int i, bCheck = 0;
  int bDefault = !migNoDefault(pCol);
  if( pCol->iPk || pCol->eGen==MIG_GEN_STORED ) return 0;
  if( pCol->zDefault ){
    const char *z = pCol->zDefault;
    while( *z==' ' || *z=='\t' || *z=='\n' || *z=='\r' ) z++;
    if( *z=='(' ) return 0;
    if( strcmp(pCol->zDefaultCanon, "\"current_time\"")==0
     || strcmp(pCol->zDefaultCanon, "\"current_date\"")==0
     || strcmp(pCol->zDefaultCanon, "\"current_timestamp\"")==0
    ){
      return 0;
    }
  }
  if( pCol->bNotNull && !bDefault ) return 0;
  for(i=0; i<pTo->nCons; i++){
    MigCons *pC = &pTo->aCons[i];
    int j;
    if( migAddOwner(pTo, pHTo, pC)!=pCol ) continue;
    if( pC->eType==MIG_CONS_FK ){
      if( bDefault ) return 0;
    }else if( pC->eType==MIG_CONS_CHECK ){
      for(j=0; j<pTo->nCol; j++){
        if( &pTo->aCol[j]!=pCol
         && migExprMentions(pC->zExprCanon, pTo->aCol[j].zName) ) return 0;
      }
      bCheck = 1;
    }else{
      return 0;
    }
  }
  return !bCheck || migAddChecksHold(p, pTo, pCol, pHTo);
}

/* Can ALTER TABLE DROP COLUMN drop column pCol of zFrom table pT?  Not a
** key, not in a constraint, surviving index or expression of the table. */
static int migDropQualifies(MigDiff *d, MigDiffTab *pT, MigColumn *pCol){
  MigObject *pF = pT->pFrom;
  const char *zName = pCol->zName;
  int i, j;
  if( pCol->iPk ) return 0;
  for(i=0; i<pF->nCons; i++){
    MigCons *pC = &pF->aCons[i];
    MigColumn *pOwner = migConsOwner(pT, &d->hFromCol, pC);
    if( pOwner==pCol ){
      if( pC->eType!=MIG_CONS_CHECK ) return 0;
      continue;               /* its own CHECK goes with it */
    }
    if( pC->eType==MIG_CONS_CHECK ){
      if( migExprMentions(pC->zExprCanon, zName) ) return 0;
    }else{
      for(j=0; j<pC->nPart; j++){
        if( pC->aPart[j].zCol && migStrICmp(pC->aPart[j].zCol, zName)==0 ){
          return 0;
        }
        if( migExprMentions(pC->aPart[j].zExprCanon, zName) ) return 0;
      }
    }
  }
  for(i=0; i<pF->nCol; i++){
    MigColumn *pOther = &pF->aCol[i];
    if( pOther!=pCol && pOther->eGen!=MIG_GEN_NONE
     && migExprMentions(pOther->zGenCanon, zName) ){
      return 0;
    }
  }
  for(i=0; i<pF->nIndex; i++){
    MigObject *pIdx = pF->apIndex[i];
    MigDiffObj *pD = (MigDiffObj*)migHashFind(&d->idx, pIdx->zName);
    if( pD && pD->pTo && !pD->bChanged ){
      if( migExprMentions(pIdx->zWhereCanon, zName) ) return 0;
      for(j=0; j<pIdx->nPart; j++){
        if( pIdx->aPart[j].zCol && migStrICmp(pIdx->aPart[j].zCol, zName)==0 ){
          return 0;
        }
        if( migExprMentions(pIdx->aPart[j].zExprCanon, zName) ) return 0;
      }
    }
  }
  return 1;
}

/* The signatures of the constraints of one side of a table, skipping
** those owned by a column for which aSkip[] is set; sorted.  With bAdd
** (zTo, where columns are added) a table constraint that goes with an
** added column (migAddOwner) is skipped with it. */
static char **migConsSigs(MigDiff *d, MigDiffTab *pT, MigObject *pObj,
                          MigHash *pH, MigColumn *aCol, const int *aSkip,
                          int bAdd, int *pn){
  char **azSig;
  int i, n = 0;
  *pn = 0;
  if( pObj->nCons==0 ) return 0;
  azSig = migArenaAlloc(d->p, &d->arena, sizeof(char*)*(i64)pObj->nCons);
  if( azSig==0 ) return 0;
  for(i=0; i<pObj->nCons && d->p->rc==SQLITE_OK; i++){
    MigCons *pC = &pObj->aCons[i];
    MigColumn *pOwner = bAdd ? migAddOwner(pObj, pH, pC)
                             : migConsOwner(pT, pH, pC);
    if( pOwner && aSkip[pOwner-aCol] ) continue;
    azSig[n++] = migConsSig(d, pT, pC);
  }
  if( d->p->rc!=SQLITE_OK ) return 0;
  qsort(azSig, n, sizeof(char*), migSigCmp);
  *pn = n;
  return azSig;
}

/*
** Is some column of table pTab an alias of the rowid?  Column and table
** constraints compare equal, but for SQLite "x INTEGER PRIMARY KEY DESC"
** is not an alias (it gets an index of its own) while "PRIMARY KEY(x
** DESC)" is (a quirk kept for compatibility), so the two differ in how
** rows are stored and this is compared on its own.  SQLite's rule: a
** rowid table, a one-column PRIMARY KEY, declared type exactly INTEGER.
*/
int migHasRowidAlias(MigObject *pTab){
  int i;
  if( pTab->bWithoutRowid ) return 0;
  for(i=0; i<pTab->nCons; i++){
    MigCons *pC = &pTab->aCons[i];
    if( pC->eType!=MIG_CONS_PK ) continue;
    if( pC->nPart!=1 || pC->aPart[0].zCol==0 ) return 0;
    if( pC->bColumn && pC->aPart[0].bDesc ) return 0;
    break;
  }
  if( i==pTab->nCons ) return 0;
  for(i=0; i<pTab->nCol; i++){
    MigColumn *pCol = &pTab->aCol[i];
    if( pCol->iPk ){
      return pCol->zTypeCanon && migStrICmp(pCol->zTypeCanon, "INTEGER")==0;
    }
  }
  return 0;
}

/*
** Decide what happens to a table that is in both schemas.
**
** The common case, a table that did not change, is recognised without
** allocating: the same column names in the same order, the same
** constraints in the same order.  Otherwise columns pair by (renamed)
** name through a hash, and constraints compare as sorted multisets of
** signatures.
*/
static void migDiffTable(MigDiff *d, MigDiffTab *pT){
  Mig *p = d->p;
  MigObject *pF = pT->pFrom;
  MigObject *pTo = pT->pTo;
  int *aMatched = 0;          /* per zFrom column: paired, then: dropped */
  int *aAdded = 0;            /* per zTo column: added */
  int bDiff = 0;              /* a change other than added/dropped columns */
  int bSameCols;              /* same column names in the same order */
  char **azA, **azB;
  int nA, nB, i;

  if( pF->eType!=pTo->eType ){
    pT->eAct = MIG_ACT_RECREATE;
    return;
  }
  if( pF->eType==MIG_OBJ_VTAB ){
    /* zCanon starts after the name: the module and its arguments as
    ** canonical tokens, the same whether or not the table is renamed. */
    int bSame = migStrCmpNull(pF->zCanon, pTo->zCanon)==0;
    pT->eAct = bSame ? MIG_ACT_SAME : MIG_ACT_RECREATE;
    return;
  }
  if( (pF->bStrict!=0)!=(pTo->bStrict!=0)
   || (pF->bWithoutRowid!=0)!=(pTo->bWithoutRowid!=0)
   || (pF->bRandomRowid!=0)!=(pTo->bRandomRowid!=0)
   || migHasRowidAlias(pF)!=migHasRowidAlias(pTo)
  ){
    bDiff = 1;
  }

  /* Fast path: same columns in the same order, same constraints. */
  bSameCols = pF->nCol==pTo->nCol;
  for(i=0; i<pF->nCol && bSameCols; i++){
    if( migStrICmp(migDiffColName(pT, pF->aCol[i].zName), pTo->aCol[i].zName) ){
      bSameCols = 0;
    }
  }
  if( bSameCols ){
    for(i=0; i<pF->nCol && !bDiff; i++){
      if( migColumnsDiffer(d, pT, &pF->aCol[i], &pTo->aCol[i]) ) bDiff = 1;
    }
    if( !bDiff && pF->nCons==pTo->nCons ){
      for(i=0; i<pF->nCons; i++){
        if( !migConsEqual(d, pT, &pF->aCons[i], &pTo->aCons[i]) ) break;
      }
      if( i==pF->nCons ){
        pT->eAct = MIG_ACT_SAME;
        return;
      }
    }
  }

  /* Columns, by (renamed) name. */
  migDiffHashReset(&d->hFromCol);
  migDiffHashReset(&d->hToCol);
  aMatched = migArenaAlloc(p, &d->arena, sizeof(int)*((i64)pF->nCol+1));
  aAdded = migArenaAlloc(p, &d->arena, sizeof(int)*((i64)pTo->nCol+1));
  pT->aAdd = migArenaAlloc(p, &d->arena, sizeof(int)*((i64)pTo->nCol+1));
  pT->aDrop = migArenaAlloc(p, &d->arena, sizeof(int)*((i64)pF->nCol+1));
  if( p->rc!=SQLITE_OK ) return;
  for(i=0; i<pF->nCol; i++){
    MigColumn *pCol = &pF->aCol[i];
    migHashInsert(p, &d->hFromCol, migDiffColName(pT, pCol->zName), pCol);
  }
  for(i=0; i<pTo->nCol && p->rc==SQLITE_OK; i++){
    MigColumn *pCol = &pTo->aCol[i];
    MigColumn *pOld = (MigColumn*)migHashFind(&d->hFromCol, pCol->zName);
    migHashInsert(p, &d->hToCol, pCol->zName, pCol);
    if( pOld==0 ){
      aAdded[i] = 1;
      pT->aAdd[pT->nAdd++] = i;
    }else{
      aMatched[pOld - pF->aCol] = 1;
      if( !bSameCols && migColumnsDiffer(d, pT, pOld, pCol) ) bDiff = 1;
    }
  }
  for(i=0; i<pF->nCol; i++){
    if( !aMatched[i] ) pT->aDrop[pT->nDrop++] = i;
    aMatched[i] = !aMatched[i];
  }

  /* Constraints, as multisets, leaving out those of the added and
  ** dropped columns (which go with their column if it qualifies). */
  azA = migConsSigs(d, pT, pF, &d->hFromCol, pF->aCol, aMatched, 0, &nA);
  azB = migConsSigs(d, 0, pTo, &d->hToCol, pTo->aCol, aAdded, pT->nAdd>0,
                    &nB);
  if( p->rc!=SQLITE_OK ) return;
  if( nA!=nB ){
    bDiff = 1;
  }else{
    for(i=0; i<nA && !bDiff; i++){
      if( strcmp(azA[i], azB[i]) ) bDiff = 1;
    }
  }

  if( !bDiff && pT->nAdd==0 && pT->nDrop==0 ){
    pT->eAct = MIG_ACT_SAME;
    return;
  }
  pT->eAct = MIG_ACT_REBUILD;
  if( bDiff || d->pOpts->bAlwaysRebuild ) return;
  for(i=0; i<pT->nAdd; i++){
    if( !migAddQualifies(p, pTo, &pTo->aCol[pT->aAdd[i]], &d->hToCol) ){
      return;
    }
  }
  /* Native DROP COLUMN only where the scripts' SQLite has it. */
  if( pT->nDrop>0 && d->iMinSqlite<MIG_V_DROP_COLUMN ) return;
  for(i=0; i<pT->nDrop; i++){
    if( !migDropQualifies(d, pT, &pF->aCol[pT->aDrop[i]]) ) return;
  }
  pT->eAct = MIG_ACT_NATIVE;
}

/*************************************************************************
** Indexes, views and triggers.
*/

/* Does index pF (zFrom) differ from pTo (zTo)?  Its terms compare as
** the key parts of a constraint do. */
static int migIndexDiffers(MigDiff *d, MigObject *pF, MigObject *pTo){
  MigDiffTab *pT = (MigDiffTab*)migHashFind(&d->fromTab, pF->zTable);
  const char *zTab = pT ? pT->zCur : pF->zTable;
  int i;
  if( migStrICmp(zTab, pTo->zTable) ) return 1;
  if( (pF->bUnique!=0)!=(pTo->bUnique!=0) ) return 1;
  if( pF->nPart!=pTo->nPart ) return 1;
  d->sigA.n = d->sigB.n = 0;
  for(i=0; i<pF->nPart; i++){
    migSigPart(d, pT, &d->sigA, &pF->aPart[i]);
    migSigPart(d, 0, &d->sigB, &pTo->aPart[i]);
  }
  if( !migSigSame(d) ) return 1;
  if( migStrCmpNull(migDiffMapExpr(d, pT, pF->zWhereCanon), pTo->zWhereCanon) ){
    return 1;
  }
  return 0;
}

/* True if zName (a zFrom name) is a table that changes or goes, or a
** view dropped in step 2. */
static int migDiffAffected(MigDiff *d, const char *zName){
  MigDiffTab *pT = (MigDiffTab*)migHashFind(&d->fromTab, zName);
  MigDiffObj *pV;
  if( pT && pT->eAct!=MIG_ACT_SAME ) return 1;
  pV = (MigDiffObj*)migHashFind(&d->view, zName);
  return pV && pV->pFrom && pV->bDrop;
}

/* The zTo objects of type eType (pH holds their pairs) that step 8
** creates: the new ones, and the changed or dropped ones (a view or
** trigger whose table changes is dropped, then created again). */
static void migDiffMarkCreate(MigDiff *d, int eType, MigHash *pH){
  int i;
  for(i=0; i<d->pTo->nObj; i++){
    MigObject *pObj = d->pTo->apObj[i];
    MigDiffObj *pD;
    if( pObj->eType!=eType ) continue;
    pD = (MigDiffObj*)migHashFind(pH, pObj->zName);
    if( pD->pFrom==0 || pD->bDrop || pD->bChanged ) pD->bCreate = 1;
  }
}

/* Which views go in step 2: removed, changed, or reading a table that
** changes or goes; then, transitively, the views that read those. */
static void migDiffViews(MigDiff *d){
  Mig *p = d->p;
  MigDiffObj **aStack;
  int nStack = 0;
  int i, j;
  aStack = migArenaAlloc(p, &d->arena, sizeof(MigDiffObj*)*((i64)d->pFrom->nObj+1));
  if( aStack==0 ) return;
  for(i=0; i<d->pFrom->nObj && p->rc==SQLITE_OK; i++){
    MigObject *pV = d->pFrom->apObj[i];
    MigDiffObj *pD;
    if( pV->eType!=MIG_OBJ_VIEW ) continue;
    pD = (MigDiffObj*)migHashFind(&d->view, pV->zName);
    if( pD->pTo && strcmp(pV->zCanon, pD->pTo->zCanon) ) pD->bChanged = 1;
    if( pD->pTo==0 || pD->bChanged ) pD->bDrop = 1;
    for(j=0; j<pV->nRef; j++){
      MigDiffObj *pRead = (MigDiffObj*)migHashFind(&d->view, pV->azRef[j]);
      MigDiffTab *pT = (MigDiffTab*)migHashFind(&d->fromTab, pV->azRef[j]);
      if( pT && pT->eAct!=MIG_ACT_SAME ) pD->bDrop = 1;
      if( pRead && pRead->pFrom && pRead!=pD ){
        MigDiffLink *pL = migArenaAlloc(p, &d->arena, sizeof(MigDiffLink));
        if( pL==0 ) return;
        pL->pObj = pD;
        pL->pNext = pRead->pReaders;
        pRead->pReaders = pL;
      }
    }
    if( pD->bDrop ) aStack[nStack++] = pD;
  }
  while( nStack>0 ){
    MigDiffObj *pD = aStack[--nStack];
    MigDiffLink *pL;
    for(pL=pD->pReaders; pL; pL=pL->pNext){
      if( !pL->pObj->bDrop ){
        pL->pObj->bDrop = 1;
        aStack[nStack++] = pL->pObj;
      }
    }
  }
  migDiffMarkCreate(d, MIG_OBJ_VIEW, &d->view);
}

/* Which triggers go in step 1 and come back in step 8. */
static void migDiffTriggers(MigDiff *d){
  int i, j;
  for(i=0; i<d->pFrom->nObj; i++){
    MigObject *pTr = d->pFrom->apObj[i];
    MigDiffObj *pD;
    if( pTr->eType!=MIG_OBJ_TRIGGER ) continue;
    pD = (MigDiffObj*)migHashFind(&d->trig, pTr->zName);
    if( pD->pTo==0 || strcmp(pTr->zCanon, pD->pTo->zCanon) ){
      pD->bDrop = 1;
    }
    if( migDiffAffected(d, pTr->zTable) ) pD->bDrop = 1;
    for(j=0; j<pTr->nRef && !pD->bDrop; j++){
      if( migDiffAffected(d, pTr->azRef[j]) ) pD->bDrop = 1;
    }
  }
  migDiffMarkCreate(d, MIG_OBJ_TRIGGER, &d->trig);
}

/* Indexes: which change (before the tables are decided, which need to
** know the indexes that survive). */
static void migDiffIndexes(MigDiff *d){
  int i;
  for(i=0; i<d->pFrom->nObj; i++){
    MigObject *pIdx = d->pFrom->apObj[i];
    MigDiffObj *pD;
    if( pIdx->eType!=MIG_OBJ_INDEX ) continue;
    pD = (MigDiffObj*)migHashFind(&d->idx, pIdx->zName);
    if( pD->pTo && migIndexDiffers(d, pIdx, pD->pTo) ) pD->bChanged = 1;
  }
}

/* Indexes: which are dropped and created (once the tables are decided:
** no DROP INDEX for an index whose table goes). */
static void migDiffIndexActions(MigDiff *d){
  int i;
  for(i=0; i<d->pFrom->nObj; i++){
    MigObject *pIdx = d->pFrom->apObj[i];
    MigDiffObj *pD;
    MigDiffTab *pT;
    if( pIdx->eType!=MIG_OBJ_INDEX ) continue;
    pD = (MigDiffObj*)migHashFind(&d->idx, pIdx->zName);
    pT = (MigDiffTab*)migHashFind(&d->fromTab, pIdx->zTable);
    if( (pD->pTo==0 || pD->bChanged)
     && !(pT && (pT->eAct==MIG_ACT_DROP || pT->eAct==MIG_ACT_RECREATE))
    ){
      pD->bDrop = 1;
    }
  }
  migDiffMarkCreate(d, MIG_OBJ_INDEX, &d->idx);
}

/*************************************************************************
** Orders.
*/

/*
** One topological sort serves two orders: the tables of one side with a
** FOREIGN KEY parent before its children (bView 0; nodes are MigDiffTab),
** and the views with a view after the views it reads (bView 1; nodes are
** MigDiffObj).  Cycles (a foreign key loop) are broken anywhere.
*/

/* The node of object pObj of side bTo, or NULL if pObj is not one. */
static void *migTopoNode(MigDiff *d, int bView, int bTo, MigObject *pObj){
  if( bView ){
    return pObj->eType==MIG_OBJ_VIEW ? migHashFind(&d->view, pObj->zName) : 0;
  }
  if( pObj->eType!=MIG_OBJ_TABLE && pObj->eType!=MIG_OBJ_VTAB ) return 0;
  return migHashFind(bTo ? &d->toTab : &d->fromTab, pObj->zName);
}

/* The mark of a node: 0 not seen, 1 in progress, 2 done. */
static int *migTopoMark(int bView, void *pNode){
  return bView ? &((MigDiffObj*)pNode)->eMark : &((MigDiffTab*)pNode)->eMark;
}

/* The next node that pNode depends on, from its *piNext-th reference on
** (advanced), or NULL when there is none left. */
static void *migTopoDep(MigDiff *d, int bView, int bTo, void *pNode,
                        int *piNext){
  if( bView ){
    MigDiffObj *pD = (MigDiffObj*)pNode;
    MigObject *pV = bTo ? pD->pTo : pD->pFrom;
    while( *piNext < pV->nRef ){
      MigDiffObj *pRead = migHashFind(&d->view, pV->azRef[(*piNext)++]);
      if( pRead && (bTo ? pRead->pTo : pRead->pFrom) ) return pRead;
    }
  }else{
    MigDiffTab *pT = (MigDiffTab*)pNode;
    MigObject *pTab = bTo ? pT->pTo : pT->pFrom;
    while( *piNext < pTab->nCons ){
      MigCons *pC = &pTab->aCons[(*piNext)++];
      if( pC->eType==MIG_CONS_FK ){
        void *pPar = migHashFind(bTo ? &d->toTab : &d->fromTab, pC->zParent);
        if( pPar ) return pPar;
      }
    }
  }
  return 0;
}

/* The nodes of side bTo in dependency order, by an iterative depth-first
** search, into aOut (room for the side's objects).  Returns how many. */
static int migDiffOrder(MigDiff *d, int bView, int bTo, void **aOut){
  MigSchema *pS = bTo ? d->pTo : d->pFrom;
  struct MigTopo { void *pNode; int iNext; } *aStack;
  int nOut = 0, i;
  aStack = migArenaAlloc(d->p, &d->arena, sizeof(*aStack)*((i64)pS->nObj+1));
  if( aStack==0 ) return 0;
  for(i=0; i<pS->nObj; i++){
    void *pNode = migTopoNode(d, bView, bTo, pS->apObj[i]);
    if( pNode ) *migTopoMark(bView, pNode) = 0;
  }
  for(i=0; i<pS->nObj; i++){
    void *pRoot = migTopoNode(d, bView, bTo, pS->apObj[i]);
    int nStack = 0;
    if( pRoot==0 || *migTopoMark(bView, pRoot) ) continue;
    *migTopoMark(bView, pRoot) = 1;
    aStack[nStack].pNode = pRoot;
    aStack[nStack++].iNext = 0;
    while( nStack>0 ){
      void *pTop = aStack[nStack-1].pNode;
      void *pDep = migTopoDep(d, bView, bTo, pTop, &aStack[nStack-1].iNext);
      if( pDep ){
        if( *migTopoMark(bView, pDep)==0 ){
          *migTopoMark(bView, pDep) = 1;
          aStack[nStack].pNode = pDep;
          aStack[nStack++].iNext = 0;
        }
      }else{
        *migTopoMark(bView, pTop) = 2;
        aOut[nOut++] = pTop;
        nStack--;
      }
    }
  }
  return nOut;
}

/*************************************************************************
** Writing the SQL.
*/

/* Does zFrom table pT have a row?  (A read.) */
static int migDiffHasRows(MigDiff *d, MigDiffTab *pT){
  int bRows = 0;
  sqlite3_stmt *pStmt = migPrepare(d->p, "SELECT 1 FROM \"%w\".\"%w\" LIMIT 1",
      d->zFromDb, pT->pFrom->zName);
  if( migStep(d->p, pStmt)==SQLITE_ROW ) bRows = 1;
  migFinalize(d->p, pStmt);
  return bRows;
}

/* A rowid alias: the zTo column is the table's INTEGER PRIMARY KEY. */
static int migIsRowidAlias(MigObject *pTab, MigColumn *pCol){
  int i, nPk = 0;
  if( pTab->bWithoutRowid || pCol->iPk!=1 ) return 0;
  if( pCol->zTypeCanon==0 || strcmp(pCol->zTypeCanon, "INTEGER")!=0 ) return 0;
  for(i=0; i<pTab->nCol; i++){
    if( pTab->aCol[i].iPk ) nPk++;
  }
  return nPk==1;
}

/* The comment before a step that loses column pCol of pT. */
static void migOutDropComment(MigDiff *d, MigDiffTab *pT, MigColumn *pCol){
  migOut(d, "-- destructive: drops column ");
  migOutCmtName(d, pT->zCur);
  migOut(d, ".");
  migOutCmtName(d, pCol->zName);
  migOut(d, " and its data\n");
}

/*
** The CREATE TABLE that a generated rebuild of pT gives mig_rebuild
** (rule 11).  When zFrom is the schema being migrated (Mig.zDb: mig_diff,
** the upgrade of mig_autogenerate), the columns that exist there keep
** their order, each under its zTo (renamed) name, and the new ones come
** last in models order, as ALTER TABLE ADD COLUMN would put them: an
** application's SELECT * and INSERT ... VALUES without a column list
** keep their meaning.  Each column is spelled as zTo spells it, with its
** comments; the table constraints and the rest stay where zTo has them.
** Otherwise (a downgrade diff goes from the models back to the schema as
** it was, whose text already holds the order to restore) and whenever
** the order is already that one, zTo's text as it is.  sqlite3_free()
** the result.
*/
static char *migDiffRebuildSql(MigDiff *d, MigDiffTab *pT){
  MigObject *pF = pT->pFrom;
  MigObject *pTo = pT->pTo;
  int *aOrder = 0;
  unsigned char *aUsed = 0;
  char *zRet = 0;
  int i, j, n = 0, bSame = 1;
  if( migStrICmp(d->zFromDb, d->p->zDb)==0 ){
    aOrder = migMalloc(d->p, sizeof(int)*((i64)pTo->nCol+1));
    aUsed = migMalloc(d->p, (i64)pTo->nCol+1);
  }
  for(i=0; aOrder && aUsed && i<pF->nCol; i++){
    const char *zName = migDiffColName(pT, pF->aCol[i].zName);
    for(j=0; j<pTo->nCol; j++){
      if( !aUsed[j] && migStrICmp(pTo->aCol[j].zName, zName)==0 ){
        aUsed[j] = 1;
        aOrder[n++] = j;
        break;
      }
    }
  }
  for(j=0; aOrder && aUsed && j<pTo->nCol; j++){
    if( !aUsed[j] ) aOrder[n++] = j;
  }
  for(i=0; aOrder && i<n; i++) if( aOrder[i]!=i ) bSame = 0;
  if( aOrder && !bSame ) zRet = migCreateReorder(d->p, pTo, aOrder);
  if( zRet==0 ) zRet = migMprintf(d->p, "%s", pTo->zSql);
  sqlite3_free(aOrder);
  sqlite3_free(aUsed);
  return zRet;
}

/* The comment before a mig_rebuild(): whether it will copy the rows, as
** this connection would run it now (SQLite's own ALTER TABLE statements
** copy nothing either: for a reader both are "in place"). */
static void migOutMethod(MigDiff *d, MigDiffTab *pT, const char *zCreate,
                         const char *zMap){
  int eMethod;
  if( d->p->rc!=SQLITE_OK || zCreate==0 ) return;
  eMethod = migRebuildMethod(d->p, d->pFrom, pT->pFrom, pT->zCur,
      zCreate, zMap, 0);
  migOut(d, eMethod==MIG_METHOD_REBUILD ? "-- rebuild (copies rows)\n"
                                        : "-- in place\n");
}

/* After an added column's definition, the table constraints that go
** with it (migAddOwner), written column-level: a CHECK as it is, a
** FOREIGN KEY without its "FOREIGN KEY (c)" (the name kept). */
static void migOutAddCons(MigDiff *d, MigObject *pTo, MigColumn *pCol){
  int i;
  for(i=0; i<pTo->nCons; i++){
    MigCons *pC = &pTo->aCons[i];
    const char *z = &pTo->zSql[pC->span.iStart];
    int iFk = -1, iRef = -1, j = 0;
    if( pC->bColumn || migAddOwner(pTo, 0, pC)!=pCol ) continue;
    if( pC->eType==MIG_CONS_CHECK ){
      migOut(d, " %.*s", pC->span.n, z);
      continue;
    }
    while( j<pC->span.n && iRef<0 ){
      int eType, n = migGetToken((const unsigned char*)&z[j], &eType);
      if( n<=0 ) break;
      if( eType==MIG_TK_ID && n==7 && sqlite3_strnicmp(&z[j], "FOREIGN", 7)==0 ){
        iFk = j;
      }
      if( eType==MIG_TK_ID && n==10
       && sqlite3_strnicmp(&z[j], "REFERENCES", 10)==0 ){
        iRef = j;
      }
      j += n;
    }
    if( iFk>=0 && iRef>iFk ){
      migOut(d, " %.*s%.*s", iFk, z, pC->span.n-iRef, &z[iRef]);
    }else{
      migError(d->p, "cannot write the foreign key of %s as a column "
          "constraint", pCol->zName);
    }
  }
}

/* Step 6 for one table. */
static void migDiffWriteChange(MigDiff *d, MigDiffTab *pT){
  MigObject *pF = pT->pFrom;
  MigObject *pTo = pT->pTo;
  int i;
  if( pT->eAct==MIG_ACT_NATIVE ){
    for(i=0; i<pT->nAdd; i++){
      MigColumn *pCol = &pTo->aCol[pT->aAdd[i]];
      migOut(d, "ALTER TABLE \"%w\" ADD COLUMN %.*s", pT->zCur,
          pCol->def.n, &pTo->zSql[pCol->def.iStart]);
      migOutAddCons(d, pTo, pCol);
      migOut(d, ";\n");
    }
    for(i=0; i<pT->nDrop; i++){
      MigColumn *pCol = &pF->aCol[pT->aDrop[i]];
      migOutDropComment(d, pT, pCol);
      migOut(d, "ALTER TABLE \"%w\" DROP COLUMN \"%w\";\n",
          pT->zCur, pCol->zName);
    }
  }else{
    sqlite3_str *pMap = 0;
    char *zCreate = migDiffRebuildSql(d, pT);
    for(i=0; i<pT->nDrop; i++){
      migOutDropComment(d, pT, &pF->aCol[pT->aDrop[i]]);
    }
    for(i=0; i<pT->nAdd && d->p->rc==SQLITE_OK; i++){
      MigColumn *pCol = &pTo->aCol[pT->aAdd[i]];
      if( pCol->bNotNull && migNoDefault(pCol) && pCol->eGen==MIG_GEN_NONE
       && !migIsRowidAlias(pTo, pCol)
      ){
        if( pMap==0 ){
          if( !migDiffHasRows(d, pT) ) break;
          pMap = sqlite3_str_new(d->p->db);
          sqlite3_str_append(pMap, "{", 1);
        }else{
          sqlite3_str_append(pMap, ",", 1);
        }
        migJsonString(pMap, pCol->zName);
        sqlite3_str_append(pMap, ":\"NULL\"", 7);
        migOut(d, "-- TODO: ");
        migOutCmtName(d, pT->zCur);
        migOut(d, ".");
        migOutCmtName(d, pCol->zName);
        migOut(d, " is NOT NULL without a DEFAULT and ");
        migOutCmtName(d, pT->zCur);
        migOut(d, " has rows:\n");
      }
    }
    if( pMap ){
      char *zMap;
      sqlite3_str_append(pMap, "}", 1);
      if( sqlite3_str_errcode(pMap) ) migErrorSet(d->p, SQLITE_NOMEM, 0);
      zMap = sqlite3_str_finish(pMap);
      migOut(d, "-- replace NULL in the mapping with an SQL expression over"
          " the old row; left as it is, this step fails.\n");
      migOutMethod(d, pT, zCreate, zMap);
      migOut(d, "SELECT mig_rebuild(%Q, %Q, %Q);\n", pT->zCur, zCreate, zMap);
      sqlite3_free(zMap);
    }else{
      migOutMethod(d, pT, zCreate, 0);
      migOut(d, "SELECT mig_rebuild(%Q, %Q);\n", pT->zCur, zCreate);
    }
    sqlite3_free(zCreate);
  }
}

/* DROP (zDrop, from zFrom) or CREATE (zDrop NULL, from zTo) the
** indexes or triggers (eType) that pH marks so, in schema order. */
static void migDiffWriteObjs(MigDiff *d, int eType, MigHash *pH,
                             const char *zDrop){
  MigSchema *pS = zDrop ? d->pFrom : d->pTo;
  int i;
  for(i=0; i<pS->nObj; i++){
    MigObject *pObj = pS->apObj[i];
    MigDiffObj *pD;
    if( pObj->eType!=eType ) continue;
    pD = (MigDiffObj*)migHashFind(pH, pObj->zName);
    if( zDrop && pD->bDrop ){
      migOut(d, "DROP %s \"%w\";\n", zDrop, pObj->zName);
    }else if( zDrop==0 && pD->bCreate ){
      migOut(d, "%s;\n", pObj->zSql);
    }
  }
}

/* Write all eight steps. */
static void migDiffWrite(MigDiff *d){
  Mig *p = d->p;
  void **aOrder;              /* MigDiffTab* or MigDiffObj* (views) */
  int nOrder, i, j;
  MigSchema *pF = d->pFrom, *pTo = d->pTo;

  aOrder = migArenaAlloc(p, &d->arena,
      sizeof(void*)*((i64)(pF->nObj>pTo->nObj ? pF->nObj : pTo->nObj)+1));
  if( p->rc!=SQLITE_OK ) return;

  /* 1. DROP TRIGGER */
  migDiffWriteObjs(d, MIG_OBJ_TRIGGER, &d->trig, "TRIGGER");

  /* 2. DROP VIEW, readers before the views they read */
  nOrder = migDiffOrder(d, 1, 0, aOrder);
  for(i=nOrder-1; i>=0; i--){
    MigDiffObj *pD = (MigDiffObj*)aOrder[i];
    if( pD->bDrop ) migOut(d, "DROP VIEW \"%w\";\n", pD->pFrom->zName);
  }

  /* 3. DROP INDEX */
  migDiffWriteObjs(d, MIG_OBJ_INDEX, &d->idx, "INDEX");

  /* 4. renames: tables, then columns */
  for(i=0; i<d->nTab; i++){
    MigDiffTab *pT = d->apTab[i];
    if( pT->bRenamed ){
      migOut(d, "ALTER TABLE \"%w\" RENAME TO \"%w\";\n",
          pT->pFrom->zName, pT->zCur);
    }
  }
  for(i=0; i<d->nTab; i++){
    MigDiffTab *pT = d->apTab[i];
    if( pT->nColRen==0 || pT->pFrom==0 ) continue;
    for(j=0; j<pT->pFrom->nCol; j++){
      const char *zOld = pT->pFrom->aCol[j].zName;
      const char *zNew = (const char*)migHashFind(&pT->colRen, zOld);
      if( zNew ){
        migOut(d, "ALTER TABLE \"%w\" RENAME COLUMN \"%w\" TO \"%w\";\n",
            pT->zCur, zOld, zNew);
      }
    }
  }

  /* 5. new tables and 6. changed tables, parents first */
  nOrder = migDiffOrder(d, 0, 1, aOrder);
  for(i=0; i<nOrder; i++){
    MigDiffTab *pT = (MigDiffTab*)aOrder[i];
    if( pT->eAct==MIG_ACT_NEW ) migOut(d, "%s;\n", pT->pTo->zSql);
  }
  for(i=0; i<nOrder && p->rc==SQLITE_OK; i++){
    MigDiffTab *pT = (MigDiffTab*)aOrder[i];
    if( pT->eAct==MIG_ACT_NATIVE || pT->eAct==MIG_ACT_REBUILD ){
      migDiffWriteChange(d, pT);
    }
  }

  /* 7. DROP TABLE, children first */
  nOrder = migDiffOrder(d, 0, 0, aOrder);
  for(i=nOrder-1; i>=0; i--){
    MigDiffTab *pT = (MigDiffTab*)aOrder[i];
    if( pT->eAct==MIG_ACT_DROP || pT->eAct==MIG_ACT_RECREATE ){
      migOut(d, "-- destructive: drops table ");
      migOutCmtName(d, pT->zCur);
      migOut(d, " and all its rows\nDROP TABLE \"%w\";\n", pT->zCur);
      if( pT->eAct==MIG_ACT_RECREATE ) migOut(d, "%s;\n", pT->pTo->zSql);
    }
  }

  /* 8. CREATE INDEX, VIEW, TRIGGER */
  migDiffWriteObjs(d, MIG_OBJ_INDEX, &d->idx, 0);
  nOrder = migDiffOrder(d, 1, 1, aOrder);
  for(i=0; i<nOrder; i++){
    MigDiffObj *pD = (MigDiffObj*)aOrder[i];
    if( pD->bCreate ) migOut(d, "%s;\n", pD->pTo->zSql);
  }
  migDiffWriteObjs(d, MIG_OBJ_TRIGGER, &d->trig, 0);
}

/*
** The SQL that turns schema zFrom into schema zTo: "" when they match,
** NULL on error.  sqlite3_free() it.
*/
char *migDiff(Mig *p, const char *zFrom, const char *zTo, MigDiffOpts *pOpts){
  MigDiff d;
  MigDiffOpts noOpts;
  char *zRet = 0;
  int i;

  if( p->rc!=SQLITE_OK ) return 0;
  memset(&d, 0, sizeof(d));
  memset(&noOpts, 0, sizeof(noOpts));
  d.p = p;
  d.pOpts = pOpts ? pOpts : &noOpts;
  d.zFromDb = zFrom;
  d.zToDb = zTo;
  d.iMinSqlite = migMinSqlite(p->pConfig);
  migDiffOptionsCheck(&d);
  d.pFrom = migSchemaReadFiltered(p, zFrom, &d.filter);
  d.pTo = migSchemaReadFiltered(p, zTo, &d.filter);
  if( p->rc!=SQLITE_OK ) goto diff_out;

  /* Each step needs the hashes the one before filled: after an error
  ** (out of memory in a hash insert) an entry may be missing. */
  migDiffPairObjects(&d);
  if( p->rc==SQLITE_OK ) migDiffRenames(&d);
  if( p->rc==SQLITE_OK ) migDiffCheckColRenames(&d);
  if( p->rc==SQLITE_OK ) migDiffPairTables(&d);
  if( p->rc==SQLITE_OK ) migDiffIndexes(&d);
  for(i=0; i<d.nTab && p->rc==SQLITE_OK; i++){
    MigDiffTab *pT = d.apTab[i];
    if( pT->pFrom==0 ){
      pT->eAct = MIG_ACT_NEW;
    }else if( pT->pTo==0 ){
      pT->eAct = MIG_ACT_DROP;
    }else{
      migDiffTable(&d, pT);
    }
  }
  if( p->rc==SQLITE_OK ) migDiffIndexActions(&d);
  if( p->rc==SQLITE_OK ) migDiffViews(&d);
  if( p->rc==SQLITE_OK ) migDiffTriggers(&d);
  if( p->rc!=SQLITE_OK ) goto diff_out;

  d.pOut = sqlite3_str_new(p->db);
  migDiffWrite(&d);
  if( sqlite3_str_errcode(d.pOut) ) migErrorSet(p, SQLITE_NOMEM, 0);
  zRet = sqlite3_str_finish(d.pOut);
  d.pOut = 0;
  if( p->rc!=SQLITE_OK ){
    sqlite3_free(zRet);
    zRet = 0;
  }else if( zRet==0 ){
    zRet = migMprintf(p, "%s", "");
  }

 diff_out:
  sqlite3_free(d.sigA.z);
  sqlite3_free(d.sigB.z);
  for(i=0; i<d.nTab; i++){
    migHashClear(&d.apTab[i]->colRen);
    migHashClear(&d.apTab[i]->colRenTo);
  }
  migHashClear(&d.fromTab);
  migHashClear(&d.toTab);
  migHashClear(&d.renTarget);
  migHashClear(&d.idx);
  migHashClear(&d.view);
  migHashClear(&d.trig);
  migHashClear(&d.hFromCol);
  migHashClear(&d.hToCol);
  migArenaFree(&d.arena);
  migSchemaFree(d.pFrom);
  migSchemaFree(d.pTo);
  return zRet;
}

/*
** mig_diff(models [, options_json]): the upgrade SQL from the migrated
** schema to models.
*/
void migDiffFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigDiffOpts opts;
  const char *zModels;
  char *zOut = 0;

  migCallBegin(&m, ctx, "mig_diff");
  memset(&opts, 0, sizeof(opts));
  zModels = migArgText(&m, argv, 0, "models");
  if( argc>1 ) opts.zOptionsJson = migArgOpt(&m, argv, 1);
  opts.bAlwaysRebuild = m.pConfig->bAlwaysRebuild;
  migRequireSchema(&m, zModels);
  zOut = migDiff(&m, m.zDb, zModels, &opts);
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut ? zOut : "", -1, SQLITE_TRANSIENT);
  }
  sqlite3_free(zOut);
  migCallEnd(&m, ctx);
}
