/*
** mig_diff.c: the structural diff of two schemas, as a list of steps.
**
** migDiffPlan() reads two schemas (migSchemaRead) and makes the steps
** (MigStep) that turn the first into the second: one per statement, with
** its op, the object it acts on, what changes in words (zDetail), the
** comments mig_diff writes before it, and what the pre-flight counts of
** mig_plan.c need (the table, its column pairing and mapping, which of
** its constraints are new).  Everything that shows a diff is written
** from these steps: mig_diff's SQL (migPlanSql), mig_plan's rows
** (mig_plan.c) and the scripts of mig_autogenerate (mig_author.c).  It
** only reads: the one query it runs besides the schema reader asks
** whether a table has rows.
**
** Comparison is structural, never textual.  Tables and indexes are paired
** by name (ASCII case-insensitive, after the renames of the options and
** of the models' "-- @renamed from=old" hints) and compared field by
** field on the parsed model: columns by name, whatever their order;
** constraints as a multiset of canonical signatures, so that a column
** constraint and the same table constraint are equal, except where that
** decides whether an INTEGER column is the rowid.  Views, triggers and
** virtual tables are compared on the canonical text of what follows
** their name (migParseCreate's zCanon), so TEMP, IF NOT EXISTS and a
** "main." prefix are no change, and neither are the spaces or comments
** among a virtual table's arguments.  Everything is found through hash
** tables: the work is linear in the size of the two schemas.
** options_json "exclude" leaves objects out of both schemas before
** anything is compared (see "The options" below).
**
** OPTIONS (options_json): "renames" {"table": "new", "table.column":
** "new"}; "mappings" {"table.column": "<SQL over the old row>"}, given
** to mig_rebuild() for that table (a table with a mapping is rebuilt);
** "allow_empty" true, which lets a diff to a schema without tables drop
** every table (refused otherwise, when the caller asks: bRefuseEmpty).
** "exclude" ["glob", ...]: objects whose names match are left out of
** both schemas as they are read (migSchemaReadFiltered), so the diff
** never creates, drops or changes them.
**
** RENAME HINTS (with bHints, in the zTo schema only), as sqldef users
** write them: a comment "-- @renamed from=old" at the end of the line of
** a column definition (after its comma, if any) names that column's old
** name; at the end of the table's opening line (before its first column)
** the table's.  A hint acts as the same entry of "renames" would, unless
** "renames" says otherwise; a hint whose old name does not exist (and
** whose new name does not exist either) becomes a warning on the step
** that creates the table or adds the column; once the rename is done the
** hint says nothing.
**
** THE OUTPUT FORMAT of mig_diff (migPlanSql).  A sequence of SQL
** statements, each ending in ";\n", with no blank lines and no header.
** Comment lines "-- ...\n" come immediately before the statement they
** explain.  "" when the schemas match.  The statements come in this
** order, which SQLite can run:
**
**   1. DROP TRIGGER: triggers removed or changed, or on (or mentioning) a
**      table that changes or goes, or a view dropped in step 2;
**   2. DROP VIEW: views removed or changed, or mentioning a table that
**      changes or goes, or a view dropped here (dependents first);
**   3. DROP INDEX: indexes removed or changed, unless their table goes;
**   4. ALTER TABLE "old" RENAME TO "new", then ALTER TABLE "t" RENAME
**      COLUMN "a" TO "b", from the renames;
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
** rebuild adds a NOT NULL column without a DEFAULT (and no mapping) to a
** table that has rows (a downgrade diff, bAssumeRows, assumes it has),
** "-- TODO: "t"."c" is NOT NULL without a DEFAULT and "t" has rows:"
** (one per column) then "-- replace NULL in the mapping with an SQL
** expression over the old row; left as it is, this step fails." and the
** call gets the mapping {"c":"NULL"}.  The last comment before each
** mig_rebuild() says how it will run on this connection (SQLite version,
** DEFENSIVE mode, mig_config('rebuild')), as migRebuildMethod decides:
** "-- in place" when no row is copied (sqlite_schema edited, or SQLite's
** own ALTER TABLE statements), "-- rebuild (copies rows)" when it copies
** them; the step's method (MigStep.eMethod) says the same.
**
** DETAIL (MigStep.zDetail), for reviewers.  Names in double quotes,
** expressions and types as the models write them, one space for any run
** of spaces or comments.  A changed table: "; " between the parts, each
** column first (""c": VARCHAR(50) -> VARCHAR(200), NOT NULL dropped",
** ""c" added: TEXT, NOT NULL, DEFAULT 'x'", ""c" dropped"), then the
** constraints ("CHECK (score >= 0) dropped", "UNIQUE ("email") added"),
** then the table options ("STRICT added").  A column: its type ("no
** type" when none) then NOT NULL, DEFAULT, COLLATE, GENERATED, and for
** ADD COLUMN its own constraints, ", " between them.  A rename: ""old"
** -> "new"".  An index: "[UNIQUE ]on "t" ("a", "b" COLLATE NOCASE)[
** WHERE ...]".  A table: its columns and types.  A view or trigger: why
** it is created or dropped.
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
typedef struct MigDiffObj MigDiffObj;
typedef struct MigDiffLink MigDiffLink;
typedef struct MigColRename MigColRename;

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

/* The state of one migDiffPlan() call.  What the plan keeps (the
** schemas, the arena, the table hashes, the steps) moves to the MigPlan
** at the end. */
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
  MigHash hintWarn;       /* zTo table name -> stale hint warnings */
  MigHash mapKey;         /* "table.column" -> expression ("mappings") */
  int nTab;               /* every MigDiffTab, zFrom order then new ones */
  MigDiffTab **apTab;
  MigColRename *pColRen;  /* column renames, in the order given */
  int bAllowEmpty;        /* options: "allow_empty": true */
  int iMinSqlite;         /* the oldest SQLite the SQL must run on */
  MigFilter filter;       /* options_json "exclude" (in the arena) */
  int nStep;              /* the steps written so far */
  int nStepAlloc;
  MigStep **apStep;       /* (sqlite3_malloc) */
  sqlite3_str *pOut;      /* scratch: the comment lines of one step */
  sqlite3_str *pDesc;     /* scratch: the detail of one step */
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

/* Text inside a "-- " comment line (or a plan's detail or warning):
** bytes as they are, but line breaks and other control characters as
** \xHH, so that nothing can end the comment and put the rest of itself
** in the script as a statement (a table named "x<newline>DROP TABLE y;").
** n<0: up to the terminator. */
void migDescText(sqlite3_str *pStr, const char *z, int n){
  int i, iRun = 0;
  if( n<0 ) n = (int)strlen(z);
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    if( c<0x20 || c==0x7f ){
      if( i>iRun ) sqlite3_str_append(pStr, &z[iRun], i-iRun);
      sqlite3_str_appendf(pStr, "\\x%02x", c);
      iRun = i+1;
    }
  }
  if( n>iRun ) sqlite3_str_append(pStr, &z[iRun], n-iRun);
}

/* A name for a comment line or a detail: in double quotes as "%w" writes
** it, control characters as migDescText writes them. */
void migDescName(sqlite3_str *pStr, const char *z){
  int i, iRun = 0;
  sqlite3_str_appendchar(pStr, 1, '"');
  for(i=0; z[i]; i++){
    if( z[i]=='"' ){
      migDescText(pStr, &z[iRun], i+1-iRun);
      sqlite3_str_appendchar(pStr, 1, '"');
      iRun = i+1;
    }
  }
  migDescText(pStr, &z[iRun], i-iRun);
  sqlite3_str_appendchar(pStr, 1, '"');
}

/* A name inside a "-- " comment line of the output. */
static void migOutCmtName(MigDiff *d, const char *z){
  if( d->p->rc!=SQLITE_OK ) return;
  migDescName(d->pOut, z);
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
** "mappings": {"table.column": "expression"}, "allow_empty": true,
** "exclude": ["glob", ...], "min_sqlite": "3.x.y"}, and the rename hints
** of the models.  Objects that "exclude" matches are left out of both
** schemas as they are read (migSchemaReadFiltered): the diff never
** creates, drops or changes them.
*/

/*
** Split the key "table.column" of the options at the first "." where
** the part before names a table of pS and the rest one of its columns,
** or failing that, the first where the part before names a table.
** Returns that table and sets *piCol to where the column part starts;
** NULL when no part before a "." names a table.
*/
static MigObject *migDiffSplitKey(MigDiff *d, MigSchema *pS, const char *zKey,
                                  int *piCol){
  MigObject *pFirst = 0;
  int i;
  for(i=0; zKey[i] && d->p->rc==SQLITE_OK; i++){
    if( zKey[i]=='.' ){
      char *zTab = migArenaStrndup(d->p, &d->arena, zKey, i);
      MigObject *pX = zTab ? (MigObject*)migHashFind(&pS->tables, zTab) : 0;
      if( pX && pX->eType==MIG_OBJ_TABLE && migFindColumn(pX, &zKey[i+1]) ){
        *piCol = i+1;
        return pX;
      }
      if( pX && pFirst==0 ){
        pFirst = pX;
        *piCol = i+1;
      }
    }
  }
  return pFirst;
}

/* Queue the rename of column pCol of zFrom table pT to zNew (zKey is the
** "table.column" that asked for it, for messages). */
static void migDiffRenameCol(MigDiff *d, const char *zKey, MigDiffTab *pT,
                             MigColumn *pCol, const char *zNew){
  Mig *p = d->p;
  MigColRename *pR, **pp;
  if( migHashFind(&pT->colRen, pCol->zName) ){
    migError(p, "renames: column \"%s\".\"%s\""
        " is renamed twice", pT->pFrom->zName, pCol->zName);
    return;
  }
  pR = migArenaAlloc(p, &d->arena, sizeof(MigColRename));
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
    int i = 0;
    MigObject *pTab = migDiffSplitKey(d, d->pFrom, zKey, &i);
    pT = pTab ? (MigDiffTab*)migHashFind(&d->fromTab, pTab->zName) : 0;
    if( p->rc!=SQLITE_OK ) return;
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
      }else{
        migDiffRenameCol(d, zKey, pT, pCol, zNew);
      }
    }
  }
}

/* One entry of "mappings": the expression zExpr gives column zKey
** ("table.column", of zTo) its value when the table is rebuilt.  Checked
** against the pairs of tables in migDiffCheckMappings. */
static void migDiffMappingOne(MigDiff *d, const char *zKey, const char *zExpr){
  Mig *p = d->p;
  int i = 0;
  MigObject *pTab = migDiffSplitKey(d, d->pTo, zKey, &i);
  MigColumn *pCol = pTab ? migFindColumn(pTab, &zKey[i]) : 0;
  if( p->rc!=SQLITE_OK ) return;
  if( pTab==0 ){
    migError(p, "mappings: \"%s\" must be \"table.column\" of a table of %s",
        zKey, d->zToDb);
    return;
  }
  if( pCol==0 ){
    migError(p, "mappings: no column \"%s\" in table \"%s\" of %s",
        &zKey[i], pTab->zName, d->zToDb);
    return;
  }
  /* Kept by key until the tables are paired (migDiffCheckMappings). */
  if( migHashFind(&d->mapKey, zKey) ){
    migError(p, "mappings: \"%s\" is given twice", zKey);
    return;
  }
  migHashInsert(p, &d->mapKey, zKey, (void*)zExpr);
}

/* Place the mappings on their tables, once these are paired. */
static void migDiffCheckMappings(MigDiff *d){
  Mig *p = d->p;
  int i;
  for(i=0; i<d->mapKey.nSlot && p->rc==SQLITE_OK; i++){
    MigHashEntry *pE = &d->mapKey.aSlot[i];
    int iCol = 0;
    MigObject *pTab;
    MigColumn *pCol;
    MigDiffTab *pT;
    if( pE->zKey==0 ) continue;
    pTab = migDiffSplitKey(d, d->pTo, pE->zKey, &iCol);
    pCol = pTab ? migFindColumn(pTab, &pE->zKey[iCol]) : 0;
    pT = pTab ? (MigDiffTab*)migHashFind(&d->toTab, pTab->zName) : 0;
    if( pT==0 || pCol==0 ) continue;
    if( pT->pFrom==0 ){
      migError(p, "mappings: \"%s\": \"%s\" is a new table, it has no rows "
          "to map", pE->zKey, pTab->zName);
    }else if( pT->pFrom->eType!=MIG_OBJ_TABLE ){
      migError(p, "mappings: \"%s\": \"%s\" is a virtual table",
          pE->zKey, pT->pFrom->zName);
    }else if( pCol->eGen!=MIG_GEN_NONE ){
      migError(p, "mappings: \"%s\" is a generated column", pE->zKey);
    }else{
      migHashInsert(p, &pT->map, pCol->zName, pE->pData);
      pT->nMap++;
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
** and read its "min_sqlite", "allow_empty" and "exclude", before the
** schemas are read. */
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
    }else if( zKey && strcmp(zKey, "allow_empty")==0 ){
      if( zType && strcmp(zType, "true")==0 ){
        d->bAllowEmpty = 1;
      }else if( zType==0 || strcmp(zType, "false")!=0 ){
        migError(p, "allow_empty: must be true or false");
      }
    }else if( zKey && strcmp(zKey, "exclude")==0 ){
      if( zType==0 || strcmp(zType, "array")!=0 ){
        migError(p, "exclude: must be an array of glob patterns (strings),"
            " such as [\"cache_*\", \"legacy\"]");
      }
    }else if( zKey==0
     || (strcmp(zKey, "renames")!=0 && strcmp(zKey, "mappings")!=0) ){
      migError(p, "options_json: unknown key \"%s\" (known: renames,"
          " mappings, allow_empty, exclude, min_sqlite)", zKey ? zKey : "");
    }else if( zType==0 || strcmp(zType, "object")!=0 ){
      if( zKey[0]=='r' ){
        migError(p, "renames: must be a JSON object"
            " such as {\"old_table\": \"new_table\", \"table.old_column\":"
            " \"new_column\"}");
      }else{
        migError(p, "mappings: must be a JSON object"
            " such as {\"table.column\": \"coalesce(old_column, 'x')\"}");
      }
    }
  }
  migFinalize(p, pStmt);
  if( p->rc==SQLITE_OK ) migDiffExclude(d, zJson);
}

/* Apply the renames and mappings of options_json to the paired tables. */
static void migDiffOptions(MigDiff *d){
  Mig *p = d->p;
  const char *zJson = d->pOpts ? d->pOpts->zOptionsJson : 0;
  sqlite3_stmt *pStmt;
  int i;
  static const char *azObj[] = { "renames", "mappings" };
  if( zJson==0 || p->rc!=SQLITE_OK ) return;

  for(i=0; i<2; i++){
    pStmt = migPrepare(p,
        "SELECT key, type, value FROM json_each(?1, '$.%s')", azObj[i]);
    if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
    while( migStep(p, pStmt)==SQLITE_ROW ){
      char *zKey = migArenaStrndup(p, &d->arena,
          (const char*)sqlite3_column_text(pStmt, 0), -1);
      const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
      char *zVal = migArenaStrndup(p, &d->arena,
          (const char*)sqlite3_column_text(pStmt, 2), -1);
      if( p->rc!=SQLITE_OK ) break;
      if( zKey==0 ) zKey = "";
      if( zType==0 || strcmp(zType, "text")!=0 || zVal==0 ){
        if( i==0 ){
          migError(p, "renames: the new name for"
              " \"%s\" must be a string", zKey);
        }else{
          migError(p, "mappings: the expression for"
              " \"%s\" must be a string", zKey);
        }
      }else if( i==0 ){
        migDiffRenameOne(d, zKey, zVal);
      }else{
        migDiffMappingOne(d, zKey, zVal);
      }
    }
    migFinalize(p, pStmt);
  }
}

/*
** The old name in a rename hint: the comment token z[0..n) if it reads
** "-- @renamed from=NAME" (NAME a word, or in double quotes), else NULL.
*/
static char *migHintName(MigDiff *d, const char *z, int n){
  static const char zTag[] = "@renamed";
  int i = 2, j;
  if( n<2 || z[0]!='-' || z[1]!='-' ) return 0;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  if( n-i<8 || memcmp(&z[i], zTag, 8)!=0 ) return 0;
  i += 8;
  if( i<n && z[i]!=' ' && z[i]!='\t' ) return 0;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  if( n-i<5 || memcmp(&z[i], "from=", 5)!=0 ) return 0;
  i += 5;
  if( i<n && z[i]=='"' ){
    for(j=i+1; j<n; j++){
      if( z[j]=='"' ){
        if( j+1<n && z[j+1]=='"' ){ j++; continue; }
        return migDequote(d->p, &d->arena, &z[i], j+1-i);
      }
    }
    return 0;
  }
  for(j=i; j<n && z[j]!=' ' && z[j]!='\t' && z[j]!='\r' && z[j]!='\n'; j++);
  if( j==i ) return 0;
  return migArenaStrndup(d->p, &d->arena, &z[i], j-i);
}

/* A warning about the stale hint z[0..n) (the comment as written): its
** start, "rename hint "<comment>" on ", for the caller to finish. */
static sqlite3_str *migHintWarnStart(MigDiff *d, const char *z, int n){
  sqlite3_str *pStr = sqlite3_str_new(d->p->db);
  sqlite3_str_appendall(pStr, "rename hint \"");
  migDescText(pStr, z, n);
  sqlite3_str_appendall(pStr, "\" on ");
  return pStr;
}

/* Record the warning pStr (finished here) about a stale hint of zTo
** table zTab. */
static void migHintWarn(MigDiff *d, const char *zTab, sqlite3_str *pStr){
  char *zOld = (char*)migHashFind(&d->hintWarn, zTab);
  char *zNew = migStrFinish(d->p, pStr), *z;
  if( zNew==0 ) return;
  z = zOld ? migArenaPrintf(d->p, &d->arena, "%s\n%s", zOld, zNew)
           : migArenaStrndup(d->p, &d->arena, zNew, -1);
  sqlite3_free(zNew);
  if( z ) migHashInsert(d->p, &d->hintWarn, zTab, z);
}

/* True if the renames so far rename a column of pT to zNew. */
static int migColRenamedTo(MigDiff *d, MigDiffTab *pT, const char *zNew){
  MigColRename *pR;
  for(pR=d->pColRen; pR; pR=pR->pNext){
    if( pR->pTab==pT && migStrICmp(pR->zNew, zNew)==0 ) return 1;
  }
  return 0;
}

/* The zFrom table that zTo table zName pairs with by the renames so far,
** or NULL. */
static MigDiffTab *migDiffPairOf(MigDiff *d, const char *zName){
  MigDiffTab *pT = (MigDiffTab*)migHashFind(&d->renTarget, zName);
  if( pT==0 ){
    pT = (MigDiffTab*)migHashFind(&d->fromTab, zName);
    if( pT && pT->bRenamed ) pT = 0;
  }
  return pT;
}

/*
** The rename hints of zTo table pTab: pass 0 the table's, pass 1 its
** columns'.  A hint belongs to the last column whose definition ends on
** the comment's line, before it; else, before the first column, to the
** table.  A hint that "renames" already covers, or that is spent (the
** old name is gone and the new one exists), says nothing.
*/
static void migDiffHintsOf(MigDiff *d, MigObject *pTab, int iPass){
  Mig *p = d->p;
  const char *z = pTab->zSql;
  int i, n, nHint, iLine = 0;     /* where the current line starts */
  for(i=0; p->rc==SQLITE_OK; i+=n){
    int eType, k, iCol = -1;
    char *zOld = 0;
    n = migGetToken((const unsigned char*)&z[i], &eType);
    if( eType==MIG_TK_EOF || n<=0 ) break;
    if( eType==MIG_TK_SPACE && n>2 && z[i]=='-' && z[i+1]=='-' ){
      zOld = migHintName(d, &z[i], n);
    }
    if( zOld==0 ){
      for(k=0; k<n; k++) if( z[i+k]=='\n' ) iLine = i+k+1;
      continue;
    }
    /* The comment as written, for warnings, without its line end. */
    for(nHint=n; nHint>0 && (z[i+nHint-1]=='\n' || z[i+nHint-1]=='\r'
                          || z[i+nHint-1]==' ' || z[i+nHint-1]=='\t'); nHint--);
    for(k=0; k<pTab->nCol; k++){
      int iEnd = pTab->aCol[k].def.iStart + pTab->aCol[k].def.n;
      if( iEnd>=iLine && iEnd<=i ) iCol = k;
    }
    if( iCol<0 && pTab->nCol>0 && i<pTab->aCol[0].def.iStart && iPass==0 ){
      /* The table's hint. */
      MigDiffTab *pOld = (MigDiffTab*)migHashFind(&d->fromTab, zOld);
      MigDiffTab *pSame = (MigDiffTab*)migHashFind(&d->fromTab, pTab->zName);
      if( migHashFind(&d->renTarget, pTab->zName) || (pOld && pOld->bRenamed) ){
        /* "renames" says what happens to it */
      }else if( pOld && pSame==0 && pOld->pFrom->eType==MIG_OBJ_TABLE ){
        migDiffRenameOne(d, pOld->pFrom->zName, pTab->zName);
      }else if( pOld==0 && pSame==0 ){
        sqlite3_str *pStr = migHintWarnStart(d, &z[i], nHint);
        sqlite3_str_appendall(pStr, "table ");
        migDescName(pStr, pTab->zName);
        sqlite3_str_appendf(pStr, ": %s has no table ", d->zFromDb);
        migDescName(pStr, zOld);
        sqlite3_str_appendall(pStr, ", so it is created empty");
        migHintWarn(d, pTab->zName, pStr);
      }
    }else if( iCol>=0 && iPass==1 ){
      /* A column's hint: the table it pairs with, renames applied. */
      MigColumn *pNew = &pTab->aCol[iCol];
      MigDiffTab *pT = migDiffPairOf(d, pTab->zName);
      MigColumn *pOldCol = 0, *pLive = 0;
      if( pT && pT->pFrom->eType==MIG_OBJ_TABLE ){
        pOldCol = migFindColumn(pT->pFrom, zOld);
        pLive = migFindColumn(pT->pFrom, pNew->zName);
      }
      if( pT && (migColRenamedTo(d, pT, pNew->zName)
              || (pOldCol && migHashFind(&pT->colRen, pOldCol->zName))) ){
        /* "renames" says what happens to it */
      }else if( pOldCol && pLive==0 ){
        char *zKey = migArenaPrintf(p, &d->arena, "%s.%s",
            pT->pFrom->zName, pOldCol->zName);
        if( zKey ) migDiffRenameCol(d, zKey, pT, pOldCol, pNew->zName);
      }else if( pOldCol==0 && pLive==0 ){
        sqlite3_str *pStr = migHintWarnStart(d, &z[i], nHint);
        sqlite3_str_appendall(pStr, "column ");
        migDescName(pStr, pTab->zName);
        sqlite3_str_appendall(pStr, ".");
        migDescName(pStr, pNew->zName);
        sqlite3_str_appendall(pStr, ": ");
        if( pT ){
          migDescName(pStr, pT->pFrom->zName);
          sqlite3_str_appendf(pStr, " of %s has no column ", d->zFromDb);
          migDescName(pStr, zOld);
        }else{
          sqlite3_str_appendf(pStr, "%s has no table ", d->zFromDb);
          migDescName(pStr, pTab->zName);
        }
        sqlite3_str_appendall(pStr, ", so the column is added empty");
        migHintWarn(d, pTab->zName, pStr);
      }
    }
    for(k=0; k<n; k++) if( z[i+k]=='\n' ) iLine = i+k+1;
  }
}

/* The rename hints of every table of zTo: the tables' first, so that
** the columns' find the tables they pair with. */
static void migDiffHints(MigDiff *d){
  int i, iPass;
  for(iPass=0; iPass<2; iPass++){
    for(i=0; i<d->pTo->nObj && d->p->rc==SQLITE_OK; i++){
      MigObject *pObj = d->pTo->apObj[i];
      if( pObj->eType==MIG_OBJ_TABLE && strstr(pObj->zSql, "@renamed") ){
        migDiffHintsOf(d, pObj, iPass);
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

/* Run zSql (sqlite3_free()d here) on a private in-memory database that
** has nothing but SQLite's built-in functions: 1 when all of it runs. */
static int migScratchRuns(Mig *p, char *zSql){
  sqlite3 *db = 0;
  int rc;
  if( zSql==0 ) return 0;
  rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, zSql, 0, 0, 0);
  if( (rc & 0xff)==SQLITE_NOMEM ) migErrorSet(p, SQLITE_NOMEM, 0);
  sqlite3_close(db);
  sqlite3_free(zSql);
  return rc==SQLITE_OK;
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
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  int i;
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
  return migScratchRuns(p, migStrFinish(p, pStr));
}

/*
** SQLite 3.44 and 3.45 (3.44.2 and 3.45.1 tried; 3.40.1 and 3.53.2 do
** not) have a bug that ALTER TABLE ADD COLUMN meets: their quick_check
** and integrity_check find NULL in a NOT NULL column with a REAL DEFAULT
** in the rows older than the column (see migSqliteBugHint).  An ADD
** COLUMN of such a column leaves a table that integrity_check calls
** damaged, and fails outright ("NOT NULL constraint failed") where the
** column comes with a CHECK or the table is STRICT (SQLite then runs
** quick_check itself).
**
** migQuickCheckBug() asks the running SQLite once, on a private
** in-memory database; where it has the bug, migAddNotNullRuns() asks it
** of each added NOT NULL column (not generated: it has a DEFAULT), with
** a CHECK, and a no means a rebuild.
*/
static int migQuickCheckBug(Mig *p){
  static int eBug = 0;          /* 0: not asked yet, 1: no, 2: yes */
  if( eBug==0 ){
    int bOk = migScratchRuns(p, migMprintf(p, "CREATE TABLE t(x);"
        "INSERT INTO t VALUES(1);"
        "ALTER TABLE t ADD COLUMN c REAL NOT NULL DEFAULT 0.5 CHECK (1);"));
    if( p->rc!=SQLITE_OK ) return 0;
    eBug = bOk ? 1 : 2;
  }
  return eBug==2;
}
static int migAddNotNullRuns(Mig *p, MigObject *pTo, MigColumn *pCol){
  if( !pCol->bNotNull || pCol->eGen!=MIG_GEN_NONE || !migQuickCheckBug(p) ){
    return 1;
  }
  return migScratchRuns(p, migMprintf(p, "CREATE TABLE t(\"%w\" INT)%s;"
      "INSERT INTO t VALUES(1);ALTER TABLE t ADD COLUMN %.*s CHECK (1);",
      sqlite3_stricmp(pCol->zName, "x")==0 ? "y" : "x",
      pTo->bStrict ? " STRICT" : "", pCol->def.n,
      &pTo->zSql[pCol->def.iStart]));
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
  return (!bCheck || migAddChecksHold(p, pTo, pCol, pHTo))
      && migAddNotNullRuns(p, pTo, pCol);
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

/* The constraints of zFrom table pT whose owner is column pCol (pFrom
** side: bTo 0) or of zTo (bTo 1), by type, into an[MIG_CONS_FK+1]; the
** FOREIGN KEY parents must be the same for two columns to compare. */
static void migOwnedCons(MigDiff *d, MigDiffTab *pT, int bTo, MigColumn *pCol,
                         int *an, const char **pzParent){
  MigObject *pTab = bTo ? pT->pTo : pT->pFrom;
  int i;
  memset(an, 0, sizeof(int)*(MIG_CONS_FK+1));
  *pzParent = 0;
  for(i=0; i<pTab->nCons; i++){
    MigCons *pC = &pTab->aCons[i];
    if( migConsOwner(bTo ? 0 : pT, bTo ? &d->hToCol : &d->hFromCol, pC)!=pCol ){
      continue;
    }
    an[pC->eType]++;
    if( pC->eType==MIG_CONS_FK ) *pzParent = pC->zParent;
  }
}

/* Could zFrom column a of pT and zTo column b be one column renamed: the
** same type, NOT NULL, DEFAULT, COLLATE, generation and constraints? */
static int migColShapeSame(MigDiff *d, MigDiffTab *pT, MigColumn *a,
                           MigColumn *b){
  int anA[MIG_CONS_FK+1], anB[MIG_CONS_FK+1];
  const char *zPa, *zPb;
  const char *zCa = a->zCollate, *zCb = b->zCollate;
  if( zCa && migStrICmp(zCa, "BINARY")==0 ) zCa = 0;
  if( zCb && migStrICmp(zCb, "BINARY")==0 ) zCb = 0;
  if( migStrICmp(a->zTypeCanon, b->zTypeCanon) ) return 0;
  if( (a->bNotNull!=0)!=(b->bNotNull!=0) ) return 0;
  if( migNoDefault(a)!=migNoDefault(b) ) return 0;
  if( !migNoDefault(a) && strcmp(a->zDefaultCanon, b->zDefaultCanon) ) return 0;
  if( migStrICmp(zCa, zCb) ) return 0;
  if( a->iPk || b->iPk || a->eGen || b->eGen ) return 0;
  migOwnedCons(d, pT, 0, a, anA, &zPa);
  migOwnedCons(d, pT, 1, b, anB, &zPb);
  if( memcmp(anA, anB, sizeof(anA)) ) return 0;
  if( migStrICmp(zPa, zPb) ) return 0;
  return 1;
}

/* Possible renames among the dropped and added columns of pT: a pair
** whose shapes match, each matching nothing else. */
static void migDiffSuggestCols(MigDiff *d, MigDiffTab *pT){
  int i, j;
  pT->aSug = migArenaAlloc(d->p, &d->arena, sizeof(int)*2*(i64)pT->nDrop);
  if( pT->aSug==0 ) return;
  for(i=0; i<pT->nDrop; i++){
    MigColumn *pOld = &pT->pFrom->aCol[pT->aDrop[i]];
    int nMatch = 0, iAdd = -1;
    for(j=0; j<pT->nAdd; j++){
      if( migColShapeSame(d, pT, pOld, &pT->pTo->aCol[pT->aAdd[j]]) ){
        nMatch++;
        iAdd = pT->aAdd[j];
      }
    }
    if( nMatch!=1 ) continue;
    for(j=0, nMatch=0; j<pT->nDrop; j++){
      if( migColShapeSame(d, pT, &pT->pFrom->aCol[pT->aDrop[j]],
                          &pT->pTo->aCol[iAdd]) ){
        nMatch++;
      }
    }
    if( nMatch!=1 ) continue;
    pT->aSug[2*pT->nSug] = pT->aDrop[i];
    pT->aSug[2*pT->nSug+1] = iAdd;
    pT->nSug++;
  }
}

/*
** Which constraints of a changed table are new (pT->aNewCons, per zTo
** constraint) and which go (*paGone, per zFrom constraint): each zTo
** constraint pairs with an unpaired equal zFrom one, if any.
*/
static void migDiffConsPair(MigDiff *d, MigDiffTab *pT, unsigned char **paGone){
  MigObject *pF = pT->pFrom, *pTo = pT->pTo;
  char **azA;
  unsigned char *aGone;
  int i, j;
  *paGone = 0;
  pT->aNewCons = migArenaAlloc(d->p, &d->arena, (i64)pTo->nCons+1);
  aGone = migArenaAlloc(d->p, &d->arena, (i64)pF->nCons+1);
  azA = migArenaAlloc(d->p, &d->arena, sizeof(char*)*((i64)pF->nCons+1));
  if( d->p->rc!=SQLITE_OK ) return;
  for(i=0; i<pF->nCons; i++){
    azA[i] = migConsSig(d, pT, &pF->aCons[i]);
    aGone[i] = 1;
  }
  for(j=0; j<pTo->nCons && d->p->rc==SQLITE_OK; j++){
    char *zB = migConsSig(d, 0, &pTo->aCons[j]);
    pT->aNewCons[j] = 1;
    for(i=0; zB && i<pF->nCons; i++){
      if( aGone[i] && azA[i] && strcmp(azA[i], zB)==0 ){
        aGone[i] = 0;
        pT->aNewCons[j] = 0;
        break;
      }
    }
  }
  *paGone = aGone;
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
  if( pT->nAdd>0 && pT->nDrop>0 ) migDiffSuggestCols(d, pT);

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
  if( bDiff || d->pOpts->bAlwaysRebuild || pT->nMap>0 ) return;
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
** Words for reviewers (MigStep.zDetail).
*/

/* The tokens of z (NUL-terminated) as a reviewer reads them: as written,
** one space wherever spaces or comments were between two tokens. */
void migDescExpr(sqlite3_str *pStr, const char *z){
  const unsigned char *u = (const unsigned char*)z;
  int i = 0, bSpace = 0, bAny = 0;
  for(;;){
    int eType;
    int n = migGetToken(&u[i], &eType);
    if( eType==MIG_TK_EOF || n<=0 ) break;
    if( eType==MIG_TK_SPACE ){
      bSpace = 1;
    }else{
      if( bSpace && bAny ) sqlite3_str_appendchar(pStr, 1, ' ');
      migDescText(pStr, &z[i], n);
      bAny = 1;
      bSpace = 0;
    }
    i += n;
  }
}

/* A COLLATE name that is not the default. */
static const char *migCollName(const char *z){
  return (z && migStrICmp(z, "BINARY")) ? z : 0;
}

/* An ON CONFLICT clause's keyword, NULL for SQLite's default (ABORT). */
static const char *migDescConf(int eConf){
  return migConfName(migConfNorm(eConf));
}

/* The key parts of a constraint or index: ("a", lower(b) COLLATE x). */
static void migDescParts(sqlite3_str *pStr, int nPart, MigKeyPart *aPart){
  int i;
  sqlite3_str_append(pStr, "(", 1);
  for(i=0; i<nPart; i++){
    MigKeyPart *pP = &aPart[i];
    if( i ) sqlite3_str_append(pStr, ", ", 2);
    if( pP->zCol ){
      migDescName(pStr, pP->zCol);
    }else{
      migDescExpr(pStr, pP->zExpr ? pP->zExpr : "");
    }
    if( pP->zCollate ){
      sqlite3_str_appendall(pStr, " COLLATE ");
      migDescText(pStr, pP->zCollate, -1);
    }
    if( pP->bDesc ) sqlite3_str_appendall(pStr, " DESC");
  }
  sqlite3_str_append(pStr, ")", 1);
}

/* A constraint: "UNIQUE ("email")", "CHECK (score >= 0)", "FOREIGN KEY
** ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE"; the form a
** column definition uses with bInline ("REFERENCES ...", "UNIQUE"). */
void migDescCons(sqlite3_str *pStr, MigCons *pC, int bInline){
  int i;
  const char *zConf = migDescConf(pC->eConf);
  if( pC->zName ){
    sqlite3_str_appendall(pStr, "CONSTRAINT ");
    migDescName(pStr, pC->zName);
    sqlite3_str_append(pStr, " ", 1);
  }
  switch( pC->eType ){
    case MIG_CONS_PK:
    case MIG_CONS_UNIQUE:
      sqlite3_str_appendall(pStr,
          pC->eType==MIG_CONS_PK ? "PRIMARY KEY" : "UNIQUE");
      if( !bInline ){
        sqlite3_str_append(pStr, " ", 1);
        migDescParts(pStr, pC->nPart, pC->aPart);
      }
      if( pC->bAutoinc ) sqlite3_str_appendall(pStr, " AUTOINCREMENT");
      if( zConf ) sqlite3_str_appendf(pStr, " ON CONFLICT %s", zConf);
      break;
    case MIG_CONS_CHECK:
      sqlite3_str_appendall(pStr, "CHECK (");
      migDescExpr(pStr, pC->zExpr ? pC->zExpr : "");
      sqlite3_str_append(pStr, ")", 1);
      break;
    case MIG_CONS_FK:
      if( !bInline ){
        sqlite3_str_appendall(pStr, "FOREIGN KEY (");
        for(i=0; i<pC->nPart; i++){
          if( i ) sqlite3_str_append(pStr, ", ", 2);
          migDescName(pStr, pC->aPart[i].zCol ? pC->aPart[i].zCol : "");
        }
        sqlite3_str_appendall(pStr, ") ");
      }
      sqlite3_str_appendall(pStr, "REFERENCES ");
      migDescName(pStr, pC->zParent ? pC->zParent : "");
      if( pC->nParentCol>0 ){
        sqlite3_str_appendall(pStr, " (");
        for(i=0; i<pC->nParentCol; i++){
          if( i ) sqlite3_str_append(pStr, ", ", 2);
          migDescName(pStr, pC->azParentCol[i]);
        }
        sqlite3_str_append(pStr, ")", 1);
      }
      if( pC->zOnDelete && strcmp(pC->zOnDelete, "NO ACTION") ){
        sqlite3_str_appendf(pStr, " ON DELETE %s", pC->zOnDelete);
      }
      if( pC->zOnUpdate && strcmp(pC->zOnUpdate, "NO ACTION") ){
        sqlite3_str_appendf(pStr, " ON UPDATE %s", pC->zOnUpdate);
      }
      if( pC->zMatch ){
        sqlite3_str_appendall(pStr, " MATCH ");
        migDescText(pStr, pC->zMatch, -1);
      }
      if( pC->eDefer==MIG_DEFER_IMMEDIATE ){
        sqlite3_str_appendall(pStr, " DEFERRABLE");
      }else if( pC->eDefer==MIG_DEFER_DEFERRED ){
        sqlite3_str_appendall(pStr, " DEFERRABLE INITIALLY DEFERRED");
      }
      break;
  }
}

/* A column's type, or "no type". */
static void migDescType(sqlite3_str *pStr, MigColumn *pCol){
  if( pCol->zType && pCol->zType[0] ){
    migDescExpr(pStr, pCol->zType);
  }else{
    sqlite3_str_appendall(pStr, "no type");
  }
}

static void migDescGen(sqlite3_str *pStr, MigColumn *pCol){
  sqlite3_str_appendall(pStr, "GENERATED ALWAYS AS (");
  migDescExpr(pStr, pCol->zGen ? pCol->zGen : "");
  sqlite3_str_appendall(pStr,
      pCol->eGen==MIG_GEN_STORED ? ") STORED" : ") VIRTUAL");
}

/*
** A column: "VARCHAR(20), NOT NULL, DEFAULT 'x'", and with pTab (its
** table, on the side pT and bTo say) the constraints it owns.
*/
static void migDescColumn(MigDiff *d, sqlite3_str *pStr, MigColumn *pCol,
                          MigDiffTab *pT, int bTo){
  const char *zColl = migCollName(pCol->zCollate);
  migDescType(pStr, pCol);
  if( pCol->bNotNull ) sqlite3_str_appendall(pStr, ", NOT NULL");
  if( !migNoDefault(pCol) ){
    sqlite3_str_appendall(pStr, ", DEFAULT ");
    migDescExpr(pStr, pCol->zDefault);
  }
  if( zColl ){
    sqlite3_str_appendall(pStr, ", COLLATE ");
    migDescText(pStr, zColl, -1);
  }
  if( pCol->eGen ){
    sqlite3_str_appendall(pStr, ", ");
    migDescGen(pStr, pCol);
  }
  if( pT ){
    MigObject *pTab = bTo ? pT->pTo : pT->pFrom;
    int i;
    for(i=0; i<pTab->nCons; i++){
      MigCons *pC = &pTab->aCons[i];
      if( pC->bColumn && pC->nPart>=1 && pC->aPart[0].zCol
       && migStrICmp(pC->aPart[0].zCol, pCol->zName)==0
      ){
        sqlite3_str_appendall(pStr, ", ");
        migDescCons(pStr, pC, 1);
      }else if( !pC->bColumn && bTo && pT->eAct==MIG_ACT_NATIVE
       && migAddOwner(pTab, 0, pC)==pCol
      ){
        /* ADD COLUMN writes it with the column (migOutAddCons). */
        sqlite3_str_appendall(pStr, ", ");
        migDescCons(pStr, pC, 1);
      }
    }
  }
  (void)d;
}

/* ", " between the changes of one column, after the first. */
static void migDescSep(sqlite3_str *pStr, int *pn){
  if( (*pn)++ ) sqlite3_str_append(pStr, ", ", 2);
}

/* What changes in a column (a of zFrom, b of zTo): "VARCHAR(50) ->
** VARCHAR(200), NOT NULL dropped".  Returns how many changes. */
static int migDescColChange(MigDiff *d, sqlite3_str *pStr, MigDiffTab *pT,
                            MigColumn *a, MigColumn *b){
  int n = 0;
  const char *zCa = migCollName(a->zCollate), *zCb = migCollName(b->zCollate);
  if( migStrICmp(a->zTypeCanon, b->zTypeCanon) ){
    migDescSep(pStr, &n);
    migDescType(pStr, a);
    sqlite3_str_appendall(pStr, " -> ");
    migDescType(pStr, b);
  }
  if( (a->bNotNull!=0)!=(b->bNotNull!=0) ){
    migDescSep(pStr, &n);
    sqlite3_str_appendall(pStr, b->bNotNull ? "NOT NULL added" : "NOT NULL dropped");
  }else if( a->bNotNull
         && migConfNorm(a->eNotNullConf)!=migConfNorm(b->eNotNullConf) ){
    const char *zA = migDescConf(a->eNotNullConf);
    const char *zB = migDescConf(b->eNotNullConf);
    migDescSep(pStr, &n);
    sqlite3_str_appendf(pStr, "NOT NULL ON CONFLICT %s -> NOT NULL ON "
        "CONFLICT %s", zA ? zA : "ABORT", zB ? zB : "ABORT");
  }
  if( migNoDefault(a)!=migNoDefault(b)
   || (!migNoDefault(a) && strcmp(a->zDefaultCanon, b->zDefaultCanon))
  ){
    migDescSep(pStr, &n);
    if( !migNoDefault(a) ){
      sqlite3_str_appendall(pStr, "DEFAULT ");
      migDescExpr(pStr, a->zDefault);
      sqlite3_str_appendall(pStr, migNoDefault(b) ? " dropped" : " -> ");
    }
    if( !migNoDefault(b) ){
      sqlite3_str_appendall(pStr, "DEFAULT ");
      migDescExpr(pStr, b->zDefault);
      if( migNoDefault(a) ) sqlite3_str_appendall(pStr, " added");
    }
  }
  if( migStrICmp(zCa, zCb) ){
    migDescSep(pStr, &n);
    if( zCa ){
      sqlite3_str_appendall(pStr, "COLLATE ");
      migDescText(pStr, zCa, -1);
      sqlite3_str_appendall(pStr, zCb ? " -> " : " dropped");
    }
    if( zCb ){
      sqlite3_str_appendall(pStr, "COLLATE ");
      migDescText(pStr, zCb, -1);
      if( zCa==0 ) sqlite3_str_appendall(pStr, " added");
    }
  }
  if( a->eGen!=b->eGen || (a->eGen!=MIG_GEN_NONE
      && migStrCmpNull(migDiffMapExpr(d, pT, a->zGenCanon), b->zGenCanon)) ){
    migDescSep(pStr, &n);
    if( a->eGen ){
      migDescGen(pStr, a);
      sqlite3_str_appendall(pStr, b->eGen ? " -> " : " dropped");
    }
    if( b->eGen ){
      migDescGen(pStr, b);
      if( a->eGen==0 ) sqlite3_str_appendall(pStr, " added");
    }
  }
  return n;
}

/* "; " between the parts of a detail, after the first. */
static void migDescPart(sqlite3_str *pStr){
  if( sqlite3_str_length(pStr)>0 ) sqlite3_str_append(pStr, "; ", 2);
}

/* The index of column pCol in zTo table pT's added columns, or -1. */
static int migIsAdded(MigDiffTab *pT, int iCol){
  int i;
  for(i=0; i<pT->nAdd; i++) if( pT->aAdd[i]==iCol ) return i;
  return -1;
}

/* True if constraint pC of side bTo of pT is owned by an added (bTo) or a
** dropped (!bTo) column. */
static int migConsOfAddDrop(MigDiffTab *pT, int bTo, MigCons *pC){
  MigObject *pTab = bTo ? pT->pTo : pT->pFrom;
  int i;
  if( !pC->bColumn || pC->nPart<1 || pC->aPart[0].zCol==0 ) return 0;
  for(i=0; i<(bTo ? pT->nAdd : pT->nDrop); i++){
    MigColumn *pCol = &pTab->aCol[bTo ? pT->aAdd[i] : pT->aDrop[i]];
    if( migStrICmp(pCol->zName, pC->aPart[0].zCol)==0 ) return 1;
  }
  return 0;
}

/* The detail of a changed table: its columns, constraints and options
** (pT->aNewCons and aGone from migDiffConsPair). */
static void migDescTable(MigDiff *d, sqlite3_str *pStr, MigDiffTab *pT,
                         const unsigned char *aGone){
  MigObject *pF = pT->pFrom, *pTo = pT->pTo;
  int i;
  for(i=0; i<pTo->nCol; i++){
    MigColumn *pNew = &pTo->aCol[i];
    MigColumn *pOld = migDiffSource(pT, i);
    if( migIsAdded(pT, i)>=0 || pOld==0 ){
      migDescPart(pStr);
      migDescName(pStr, pNew->zName);
      sqlite3_str_appendall(pStr, " added: ");
      migDescColumn(d, pStr, pNew, pT, 1);
    }else{
      sqlite3_str *pCh = sqlite3_str_new(d->p->db);
      if( migDescColChange(d, pCh, pT, pOld, pNew)>0 ){
        migDescPart(pStr);
        migDescName(pStr, pNew->zName);
        sqlite3_str_appendall(pStr, ": ");
        sqlite3_str_appendall(pStr, sqlite3_str_value(pCh));
      }
      if( sqlite3_str_errcode(pCh) ) migErrorSet(d->p, SQLITE_NOMEM, 0);
      sqlite3_free(sqlite3_str_finish(pCh));
    }
  }
  for(i=0; i<pT->nDrop; i++){
    migDescPart(pStr);
    migDescName(pStr, pF->aCol[pT->aDrop[i]].zName);
    sqlite3_str_appendall(pStr, " dropped");
  }
  for(i=0; aGone && i<pF->nCons; i++){
    if( aGone[i] && !migConsOfAddDrop(pT, 0, &pF->aCons[i]) ){
      migDescPart(pStr);
      migDescCons(pStr, &pF->aCons[i], 0);
      sqlite3_str_appendall(pStr, " dropped");
    }
  }
  for(i=0; pT->aNewCons && i<pTo->nCons; i++){
    if( pT->aNewCons[i] && !migConsOfAddDrop(pT, 1, &pTo->aCons[i]) ){
      migDescPart(pStr);
      migDescCons(pStr, &pTo->aCons[i], 0);
      sqlite3_str_appendall(pStr, " added");
    }
  }
  if( (pF->bStrict!=0)!=(pTo->bStrict!=0) ){
    migDescPart(pStr);
    sqlite3_str_appendall(pStr, pTo->bStrict ? "STRICT added" : "STRICT dropped");
  }
  if( (pF->bWithoutRowid!=0)!=(pTo->bWithoutRowid!=0) ){
    migDescPart(pStr);
    sqlite3_str_appendall(pStr, pTo->bWithoutRowid
        ? "WITHOUT ROWID added" : "WITHOUT ROWID dropped");
  }
}

/* A whole table: ""id" INTEGER, "name" TEXT; STRICT", or a virtual
** table's "USING module(args)". */
static void migDescWhole(sqlite3_str *pStr, MigObject *pTab){
  int i;
  if( pTab->eType==MIG_OBJ_VTAB ){
    sqlite3_str_appendall(pStr, "USING ");
    migDescText(pStr, pTab->zModule ? pTab->zModule : "", -1);
    if( pTab->zArgs ){
      sqlite3_str_append(pStr, "(", 1);
      migDescExpr(pStr, pTab->zArgs);
      sqlite3_str_append(pStr, ")", 1);
    }
    return;
  }
  for(i=0; i<pTab->nCol; i++){
    if( i ) sqlite3_str_append(pStr, ", ", 2);
    migDescName(pStr, pTab->aCol[i].zName);
    sqlite3_str_append(pStr, " ", 1);
    migDescType(pStr, &pTab->aCol[i]);
  }
  if( pTab->bStrict ) sqlite3_str_appendall(pStr, "; STRICT");
  if( pTab->bWithoutRowid ) sqlite3_str_appendall(pStr, "; WITHOUT ROWID");
}

/* An index: "UNIQUE on "t" ("a") WHERE b > 0". */
static void migDescIndex(sqlite3_str *pStr, MigObject *pIdx, const char *zTab){
  if( pIdx->bUnique ) sqlite3_str_appendall(pStr, "UNIQUE ");
  sqlite3_str_appendall(pStr, "on ");
  migDescName(pStr, zTab);
  sqlite3_str_append(pStr, " ", 1);
  migDescParts(pStr, pIdx->nPart, pIdx->aPart);
  if( pIdx->zWhere ){
    sqlite3_str_appendall(pStr, " WHERE ");
    migDescExpr(pStr, pIdx->zWhere);
  }
}

/* The table or view that makes view or trigger pObj (of zFrom) go and
** come back, or NULL. */
static const char *migDiffCause(MigDiff *d, MigObject *pObj){
  int j;
  if( pObj->eType==MIG_OBJ_TRIGGER && migDiffAffected(d, pObj->zTable) ){
    return pObj->zTable;
  }
  for(j=0; j<pObj->nRef; j++){
    if( migDiffAffected(d, pObj->azRef[j]) ) return pObj->azRef[j];
  }
  return 0;
}

/* Why a view or trigger is dropped (bCreate 0) or created (1). */
static void migDescWhy(MigDiff *d, sqlite3_str *pStr, MigDiffObj *pD,
                       int bCreate){
  MigObject *pObj = pD->pTo ? pD->pTo : pD->pFrom;
  const char *zCause;
  if( pObj->eType==MIG_OBJ_TRIGGER ){
    const char *zEvent = pObj->zEvent ? pObj->zEvent : "";
    sqlite3_str_appendf(pStr, "%s %s ON ", pObj->zWhen ? pObj->zWhen : "",
        strcmp(zEvent, "UPDATE OF")==0 ? "UPDATE" : zEvent);
    migDescName(pStr, pObj->zTable ? pObj->zTable : "");
    sqlite3_str_appendall(pStr, ": ");
  }
  if( bCreate ? pD->pFrom==0 : pD->pTo==0 ){
    sqlite3_str_appendall(pStr, bCreate ? "new" : "removed");
  }else if( pD->bChanged ){
    sqlite3_str_appendall(pStr, "definition changed");
  }else if( (zCause = pD->pFrom ? migDiffCause(d, pD->pFrom) : 0)!=0 ){
    migDescName(pStr, zCause);
    sqlite3_str_appendall(pStr, bCreate ? " changed: created again"
                                        : " changes: created again below");
  }else{
    sqlite3_str_appendall(pStr, bCreate ? "created again"
                                        : "dropped, created again below");
  }
}

/*************************************************************************
** Writing the steps.
*/

/* The zFrom column whose value column iCol of pT->pTo keeps (renames
** applied), or NULL: a new column. */
MigColumn *migDiffSource(MigDiffTab *pT, int iCol){
  const char *zName, *zOld;
  MigColumn *pCol;
  if( pT->pFrom==0 || pT->pTo==0 ) return 0;
  zName = pT->pTo->aCol[iCol].zName;
  if( pT->nColRen ){
    zOld = (const char*)migHashFind(&pT->colRenTo, zName);
    if( zOld ) return migFindColumn(pT->pFrom, zOld);
  }
  pCol = migFindColumn(pT->pFrom, zName);
  if( pCol && pT->nColRen && migHashFind(&pT->colRen, pCol->zName) ) pCol = 0;
  return pCol;
}

/* A new step: the statement zFmt, the comment lines written to d->pOut
** since the last step, and the detail in d->pDesc. */
static MigStep *migDiffStep(MigDiff *d, int eOp, const char *zObject,
                            MigDiffTab *pT, const char *zFmt, ...){
  Mig *p = d->p;
  MigStep *pS;
  va_list ap;
  char *z;
  if( p->rc!=SQLITE_OK ) return 0;
  if( d->nStep>=d->nStepAlloc ){
    int nNew = d->nStepAlloc ? 2*d->nStepAlloc : 32;
    MigStep **aNew = sqlite3_realloc64(d->apStep, sizeof(MigStep*)*(i64)nNew);
    if( aNew==0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
      return 0;
    }
    d->apStep = aNew;
    d->nStepAlloc = nNew;
  }
  pS = migArenaAlloc(p, &d->arena, sizeof(MigStep));
  if( pS==0 ) return 0;
  va_start(ap, zFmt);
  z = migVMprintf(p, zFmt, ap);
  va_end(ap);
  pS->zSql = migArenaStrndup(p, &d->arena, z, -1);
  sqlite3_free(z);
  if( sqlite3_str_errcode(d->pOut) || sqlite3_str_errcode(d->pDesc) ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }
  if( sqlite3_str_length(d->pOut)>0 ){
    pS->zNote = migArenaStrndup(p, &d->arena, sqlite3_str_value(d->pOut), -1);
  }
  if( sqlite3_str_length(d->pDesc)>0 ){
    pS->zDetail = migArenaStrndup(p, &d->arena,
        sqlite3_str_value(d->pDesc), -1);
  }
  sqlite3_str_reset(d->pOut);
  sqlite3_str_reset(d->pDesc);
  if( p->rc!=SQLITE_OK ) return 0;
  pS->iStep = d->nStep+1;
  pS->eOp = eOp;
  pS->zObject = zObject;
  pS->pTab = pT;
  pS->eMethod = MIG_METHOD_NATIVE;
  pS->nRows = -1;
  d->apStep[d->nStep++] = pS;
  return pS;
}

/* Add a warning to step pS. */
static void migDiffWarn(MigDiff *d, MigStep *pS, const char *zWarn){
  if( pS==0 || zWarn==0 || d->p->rc!=SQLITE_OK ) return;
  pS->zWarning = pS->zWarning
      ? migArenaPrintf(d->p, &d->arena, "%s\n%s", pS->zWarning, zWarn)
      : migArenaStrndup(d->p, &d->arena, zWarn, -1);
}

/* Add a warning (a printf format) to step pS of pPlan. */
void migStepWarn(Mig *p, MigPlan *pPlan, MigStep *pS, const char *zFmt, ...){
  char *z;
  va_list ap;
  if( pS==0 || p->rc!=SQLITE_OK ) return;
  va_start(ap, zFmt);
  z = migVMprintf(p, zFmt, ap);
  va_end(ap);
  if( z==0 ) return;
  pS->zWarning = pS->zWarning
      ? migArenaPrintf(p, &pPlan->arena, "%s\n%s", pS->zWarning, z)
      : migArenaStrndup(p, &pPlan->arena, z, -1);
  sqlite3_free(z);
}

/* The warning "possible rename of "t"."a" to "b": pass renames ..." for
** the iSug-th suggestion of pT (or, iSug<0, for the table pT renamed to
** zNew). */
static void migDiffWarnRename(MigDiff *d, MigStep *pS, MigDiffTab *pT,
                              int iSug, const char *zNew){
  sqlite3_str *pStr = sqlite3_str_new(d->p->db);
  sqlite3_str *pKey = sqlite3_str_new(d->p->db);
  char *zKey, *zW;
  const char *zOld = iSug<0 ? pT->pFrom->zName
                            : pT->pFrom->aCol[pT->aSug[2*iSug]].zName;
  if( iSug>=0 ) zNew = pT->pTo->aCol[pT->aSug[2*iSug+1]].zName;
  sqlite3_str_appendall(pStr, "possible rename of ");
  if( iSug>=0 ){
    migDescName(pStr, pT->zCur);
    sqlite3_str_append(pStr, ".", 1);
    sqlite3_str_appendf(pKey, "%s.", pT->pFrom->zName);
  }
  migDescName(pStr, zOld);
  sqlite3_str_appendall(pStr, " to ");
  migDescName(pStr, zNew);
  sqlite3_str_appendall(pKey, zOld);
  zKey = migStrFinish(d->p, pKey);
  sqlite3_str_appendall(pStr, ": pass renames {");
  if( zKey ){
    sqlite3_str *pJson = sqlite3_str_new(d->p->db);
    char *zJson;
    migJsonString(pJson, zKey);
    sqlite3_str_appendall(pJson, ": ");
    migJsonString(pJson, zNew);
    zJson = migStrFinish(d->p, pJson);
    if( zJson ) migDescText(pStr, zJson, -1);
    sqlite3_free(zJson);
  }
  sqlite3_str_appendall(pStr, "} to keep its data");
  zW = migStrFinish(d->p, pStr);
  migDiffWarn(d, pS, zW);
  sqlite3_free(zW);
  sqlite3_free(zKey);
}

/* Does zFrom table pT have a row?  (A read.)  A downgrade diff's zFrom
** (the models) has none, but the database it will run on has: it says
** yes. */
static int migDiffHasRows(MigDiff *d, MigDiffTab *pT){
  int bRows = 0;
  sqlite3_stmt *pStmt;
  if( d->pOpts->bAssumeRows ) return 1;
  pStmt = migPrepare(d->p, "SELECT 1 FROM \"%w\".\"%w\" LIMIT 1",
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

/* The warnings of pT that go on its first step: the stale rename hints. */
static void migDiffWarnHints(MigDiff *d, MigStep *pS, MigDiffTab *pT){
  if( pT->pTo ){
    migDiffWarn(d, pS, (const char*)migHashFind(&d->hintWarn, pT->pTo->zName));
  }
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

/* How the mig_rebuild() of pT will run on this connection now
** (MIG_METHOD_*, decided by mig_rebuild.c), and the comment before it
** that says whether it copies the rows (SQLite's own ALTER TABLE
** statements copy nothing either: for a reader both are "in place"). */
static int migOutMethod(MigDiff *d, MigDiffTab *pT, const char *zCreate,
                        const char *zMap){
  int eMethod;
  if( d->p->rc!=SQLITE_OK || zCreate==0 ) return MIG_METHOD_REBUILD;
  eMethod = migRebuildMethod(d->p, d->pFrom, pT->pFrom, pT->zCur,
      zCreate, zMap, 0);
  migOut(d, eMethod==MIG_METHOD_REBUILD ? "-- rebuild (copies rows)\n"
                                        : "-- in place\n");
  return eMethod;
}

/* After an added column's definition, in pStr, the table constraints
** that go with it (migAddOwner), written column-level: a CHECK as it is,
** a FOREIGN KEY without its "FOREIGN KEY (c)" (the name kept). */
static void migOutAddCons(MigDiff *d, sqlite3_str *pStr, MigObject *pTo,
                          MigColumn *pCol){
  int i;
  for(i=0; i<pTo->nCons; i++){
    MigCons *pC = &pTo->aCons[i];
    const char *z = &pTo->zSql[pC->span.iStart];
    int iFk = -1, iRef = -1, j = 0;
    if( pC->bColumn || migAddOwner(pTo, 0, pC)!=pCol ) continue;
    if( pC->eType==MIG_CONS_CHECK ){
      sqlite3_str_appendf(pStr, " %.*s", pC->span.n, z);
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
      sqlite3_str_appendf(pStr, " %.*s%.*s", iFk, z, pC->span.n-iRef,
          &z[iRef]);
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
  unsigned char *aGone = 0;
  MigStep *pFirst = 0;
  int i, j;
  migDiffConsPair(d, pT, &aGone);
  if( pT->eAct==MIG_ACT_NATIVE ){
    for(i=0; i<pT->nAdd; i++){
      MigColumn *pCol = &pTo->aCol[pT->aAdd[i]];
      MigStep *pS;
      sqlite3_str *pSql = sqlite3_str_new(d->p->db);
      char *zSql;
      migDescName(d->pDesc, pCol->zName);
      sqlite3_str_appendall(d->pDesc, ": ");
      migDescColumn(d, d->pDesc, pCol, pT, 1);
      sqlite3_str_appendf(pSql, "ALTER TABLE \"%w\" ADD COLUMN %.*s", pT->zCur,
          pCol->def.n, &pTo->zSql[pCol->def.iStart]);
      migOutAddCons(d, pSql, pTo, pCol);
      sqlite3_str_append(pSql, ";", 1);
      zSql = migStrFinish(d->p, pSql);
      pS = migDiffStep(d, MIG_STEP_ADD_COLUMN, pT->zCur, pT, "%s", zSql);
      sqlite3_free(zSql);
      if( pFirst==0 ) pFirst = pS;
    }
    for(i=0; i<pT->nDrop; i++){
      MigColumn *pCol = &pF->aCol[pT->aDrop[i]];
      MigStep *pS;
      migOutDropComment(d, pT, pCol);
      migDescName(d->pDesc, pCol->zName);
      sqlite3_str_appendall(d->pDesc, ": ");
      migDescColumn(d, d->pDesc, pCol, pT, 0);
      pS = migDiffStep(d, MIG_STEP_DROP_COLUMN, pT->zCur, pT,
          "ALTER TABLE \"%w\" DROP COLUMN \"%w\";", pT->zCur, pCol->zName);
      if( pS ) pS->bDestructive = 1;
      if( pFirst==0 ) pFirst = pS;
      for(j=0; j<pT->nSug; j++){
        if( pT->aSug[2*j]==pT->aDrop[i] ) migDiffWarnRename(d, pS, pT, j, 0);
      }
    }
  }else{
    sqlite3_str *pMap = 0;
    sqlite3_str *pWarn = sqlite3_str_new(d->p->db);
    char *zMap = 0, *zWarn;
    char *zCreate = migDiffRebuildSql(d, pT);
    MigStep *pS;
    int bTodo = 0, eMethod;
    for(i=0; i<pT->nDrop; i++){
      migOutDropComment(d, pT, &pF->aCol[pT->aDrop[i]]);
    }
    /* The mapping: the options' entries, then NULL for each added NOT
    ** NULL column without a DEFAULT, when the table has rows. */
    for(i=0; i<pTo->nCol && d->p->rc==SQLITE_OK; i++){
      MigColumn *pCol = &pTo->aCol[i];
      const char *zExpr = pT->nMap
          ? (const char*)migHashFind(&pT->map, pCol->zName) : 0;
      int bPlaceholder = 0;
      if( zExpr==0 ){
        if( migIsAdded(pT, i)<0 || !pCol->bNotNull || !migNoDefault(pCol)
         || pCol->eGen!=MIG_GEN_NONE || migIsRowidAlias(pTo, pCol)
         || bTodo<0
        ){
          continue;
        }
        if( bTodo==0 ) bTodo = migDiffHasRows(d, pT) ? 1 : -1;
        if( bTodo<0 ) continue;
        bPlaceholder = 1;
      }
      if( pMap==0 ){
        pMap = sqlite3_str_new(d->p->db);
        sqlite3_str_append(pMap, "{", 1);
      }else{
        sqlite3_str_append(pMap, ",", 1);
      }
      migJsonString(pMap, pCol->zName);
      sqlite3_str_append(pMap, ":", 1);
      migJsonString(pMap, bPlaceholder ? "NULL" : zExpr);
      if( bPlaceholder ){
        migOut(d, "-- TODO: ");
        migOutCmtName(d, pT->zCur);
        migOut(d, ".");
        migOutCmtName(d, pCol->zName);
        migOut(d, " is NOT NULL without a DEFAULT and ");
        migOutCmtName(d, pT->zCur);
        migOut(d, " has rows:\n");
        bTodo = 2;
        if( d->pOpts->bAssumeRows ){
          /* A downgrade: the rows it will meet are not here to count. */
          if( sqlite3_str_length(pWarn) ) sqlite3_str_append(pWarn, "\n", 1);
          migDescName(pWarn, pT->zCur);
          sqlite3_str_append(pWarn, ".", 1);
          migDescName(pWarn, pCol->zName);
          sqlite3_str_appendall(pWarn, " is NOT NULL without a DEFAULT: "
              "if ");
          migDescName(pWarn, pT->zCur);
          sqlite3_str_appendall(pWarn, " has rows when this runs, it fails "
              "until the TODO mapping is edited");
        }
      }
    }
    if( pMap ){
      sqlite3_str_append(pMap, "}", 1);
      zMap = migStrFinish(d->p, pMap);
    }
    if( bTodo==2 ){
      migOut(d, "-- replace NULL in the mapping with an SQL expression over"
          " the old row; left as it is, this step fails.\n");
    }
    eMethod = migOutMethod(d, pT, zCreate, zMap);
    migDescTable(d, d->pDesc, pT, aGone);
    if( zMap ){
      pS = migDiffStep(d, MIG_STEP_ALTER_TABLE, pT->zCur, pT,
          "SELECT mig_rebuild(%Q, %Q, %Q);", pT->zCur, zCreate, zMap);
      if( pS ) pS->zMapping = migArenaStrndup(d->p, &d->arena, zMap, -1);
    }else{
      pS = migDiffStep(d, MIG_STEP_ALTER_TABLE, pT->zCur, pT,
          "SELECT mig_rebuild(%Q, %Q);", pT->zCur, zCreate);
    }
    sqlite3_free(zMap);
    sqlite3_free(zCreate);
    zWarn = migStrFinish(d->p, pWarn);
    if( zWarn && zWarn[0] ) migDiffWarn(d, pS, zWarn);
    sqlite3_free(zWarn);
    if( pS ){
      pS->bDestructive = pT->nDrop>0;
      pS->eMethod = eMethod;
      for(j=0; j<pT->nSug; j++) migDiffWarnRename(d, pS, pT, j, 0);
    }
    pFirst = pS;
  }
  migDiffWarnHints(d, pFirst, pT);
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
    MigDiffTab *pT;
    MigStep *pStep;
    if( pObj->eType!=eType ) continue;
    pD = (MigDiffObj*)migHashFind(pH, pObj->zName);
    pT = (MigDiffTab*)migHashFind(zDrop ? &d->fromTab : &d->toTab,
                                  pObj->zTable);
    if( zDrop ? !pD->bDrop : !pD->bCreate ) continue;
    if( eType==MIG_OBJ_INDEX ){
      migDescIndex(d->pDesc, pObj, zDrop && pT ? pT->zCur : pObj->zTable);
      if( zDrop && pD->pTo && pD->bChanged ){
        sqlite3_str_appendall(d->pDesc, "; changed: created again below");
      }else if( !zDrop && pD->pFrom && pD->bChanged ){
        sqlite3_str_appendall(d->pDesc, "; changed");
      }
    }else{
      migDescWhy(d, d->pDesc, pD, zDrop==0);
    }
    if( zDrop ){
      migDiffStep(d, eType==MIG_OBJ_INDEX ? MIG_STEP_DROP_INDEX
          : MIG_STEP_DROP_TRIGGER, pObj->zName, pT,
          "DROP %s \"%w\";", zDrop, pObj->zName);
    }else{
      pStep = migDiffStep(d, eType==MIG_OBJ_INDEX ? MIG_STEP_CREATE_INDEX
          : MIG_STEP_CREATE_TRIGGER, pObj->zName, pT, "%s;", pObj->zSql);
      if( pStep && eType==MIG_OBJ_INDEX ) pStep->pIndex = pObj;
    }
  }
}

/* Possible renames among the dropped and the new tables: a pair of the
** same shape (columns, constraints, options), each matching nothing
** else.  Returns, per MigDiffTab of a dropped table (by apTab index),
** its new table, or NULL (arena). */
static MigDiffTab **migDiffSuggestTables(MigDiff *d){
  Mig *p = d->p;
  MigDiffTab **apSug;
  char **azSig;
  int i, j, nDrop = 0, nNew = 0;
  for(i=0; i<d->nTab; i++){
    MigDiffTab *pT = d->apTab[i];
    if( pT->eAct==MIG_ACT_DROP && pT->pFrom->eType==MIG_OBJ_TABLE ) nDrop++;
    if( pT->eAct==MIG_ACT_NEW && pT->pTo->eType==MIG_OBJ_TABLE ) nNew++;
  }
  if( nDrop==0 || nNew==0 ) return 0;
  apSug = migArenaAlloc(p, &d->arena, sizeof(MigDiffTab*)*(i64)d->nTab);
  azSig = migArenaAlloc(p, &d->arena, sizeof(char*)*(i64)d->nTab);
  if( p->rc!=SQLITE_OK ) return 0;
  /* The shape: options, columns in order, sorted constraint signatures. */
  for(i=0; i<d->nTab && p->rc==SQLITE_OK; i++){
    MigDiffTab *pT = d->apTab[i];
    MigObject *pTab = pT->eAct==MIG_ACT_DROP ? pT->pFrom
                    : pT->eAct==MIG_ACT_NEW ? pT->pTo : 0;
    MigSig sig;             /* (migConsSig uses d->sigA) */
    char **azCons;
    if( pTab==0 || pTab->eType!=MIG_OBJ_TABLE ) continue;
    memset(&sig, 0, sizeof(sig));
    migSigInt(&sig, pTab->bStrict!=0, ' ');
    migSigInt(&sig, pTab->bWithoutRowid!=0, '|');
    for(j=0; j<pTab->nCol; j++){
      MigColumn *pCol = &pTab->aCol[j];
      migSigName(&sig, pCol->zName);
      migSigName(&sig, pCol->zTypeCanon);
      migSigInt(&sig, pCol->bNotNull!=0, '|');
      migSigInt(&sig, pCol->iPk, '|');
      migSigInt(&sig, pCol->eGen, '|');
      migSigText(&sig, migNoDefault(pCol) ? 0 : pCol->zDefaultCanon);
      migSigName(&sig, migCollName(pCol->zCollate));
      migSigText(&sig, pCol->zGenCanon);
    }
    azCons = migArenaAlloc(p, &d->arena, sizeof(char*)*((i64)pTab->nCons+1));
    for(j=0; azCons && j<pTab->nCons; j++){
      azCons[j] = migConsSig(d, 0, &pTab->aCons[j]);
      if( azCons[j]==0 ) azCons[j] = "";
    }
    if( azCons && p->rc==SQLITE_OK ){
      qsort(azCons, pTab->nCons, sizeof(char*), migSigCmp);
      for(j=0; j<pTab->nCons; j++) migSigText(&sig, azCons[j]);
    }
    if( sig.bNoMem ) migErrorSet(p, SQLITE_NOMEM, 0);
    azSig[i] = migArenaStrndup(p, &d->arena, sig.n ? sig.z : "", (int)sig.n);
    sqlite3_free(sig.z);
  }
  /* Pairs by shape: quadratic in the dropped and new tables only. */
  for(i=0; i<d->nTab && p->rc==SQLITE_OK; i++){
    MigDiffTab *pT = d->apTab[i];
    int nMatch = 0, iNew = -1, k;
    if( pT->eAct!=MIG_ACT_DROP || azSig[i]==0 ) continue;
    for(j=0; j<d->nTab; j++){
      if( d->apTab[j]->eAct==MIG_ACT_NEW && azSig[j]
       && strcmp(azSig[i], azSig[j])==0 ){
        nMatch++;
        iNew = j;
      }
    }
    if( nMatch!=1 ) continue;
    for(k=0, nMatch=0; k<d->nTab; k++){
      if( d->apTab[k]->eAct==MIG_ACT_DROP && azSig[k]
       && strcmp(azSig[k], azSig[iNew])==0 ){
        nMatch++;
      }
    }
    if( nMatch==1 ) apSug[i] = d->apTab[iNew];
  }
  return apSug;
}

/* Write all eight steps. */
static void migDiffWrite(MigDiff *d){
  Mig *p = d->p;
  void **aOrder;              /* MigDiffTab* or MigDiffObj* (views) */
  MigDiffTab **apSug;
  int nOrder, i, j;
  MigSchema *pF = d->pFrom, *pTo = d->pTo;

  aOrder = migArenaAlloc(p, &d->arena,
      sizeof(void*)*((i64)(pF->nObj>pTo->nObj ? pF->nObj : pTo->nObj)+1));
  if( p->rc!=SQLITE_OK ) return;
  apSug = migDiffSuggestTables(d);

  /* 1. DROP TRIGGER */
  migDiffWriteObjs(d, MIG_OBJ_TRIGGER, &d->trig, "TRIGGER");

  /* 2. DROP VIEW, readers before the views they read */
  nOrder = migDiffOrder(d, 1, 0, aOrder);
  for(i=nOrder-1; i>=0; i--){
    MigDiffObj *pD = (MigDiffObj*)aOrder[i];
    if( pD->bDrop ){
      migDescWhy(d, d->pDesc, pD, 0);
      migDiffStep(d, MIG_STEP_DROP_VIEW, pD->pFrom->zName, 0,
          "DROP VIEW \"%w\";", pD->pFrom->zName);
    }
  }

  /* 3. DROP INDEX */
  migDiffWriteObjs(d, MIG_OBJ_INDEX, &d->idx, "INDEX");

  /* 4. renames: tables, then columns */
  for(i=0; i<d->nTab; i++){
    MigDiffTab *pT = d->apTab[i];
    if( pT->bRenamed ){
      migDescName(d->pDesc, pT->pFrom->zName);
      sqlite3_str_appendall(d->pDesc, " -> ");
      migDescName(d->pDesc, pT->zCur);
      migDiffStep(d, MIG_STEP_RENAME_TABLE, pT->pFrom->zName, pT,
          "ALTER TABLE \"%w\" RENAME TO \"%w\";", pT->pFrom->zName, pT->zCur);
    }
  }
  for(i=0; i<d->nTab; i++){
    MigDiffTab *pT = d->apTab[i];
    if( pT->nColRen==0 || pT->pFrom==0 ) continue;
    for(j=0; j<pT->pFrom->nCol; j++){
      const char *zOld = pT->pFrom->aCol[j].zName;
      const char *zNew = (const char*)migHashFind(&pT->colRen, zOld);
      if( zNew ){
        migDescName(d->pDesc, zOld);
        sqlite3_str_appendall(d->pDesc, " -> ");
        migDescName(d->pDesc, zNew);
        migDiffStep(d, MIG_STEP_RENAME_COLUMN, pT->zCur, pT,
            "ALTER TABLE \"%w\" RENAME COLUMN \"%w\" TO \"%w\";",
            pT->zCur, zOld, zNew);
      }
    }
  }

  /* 5. new tables and 6. changed tables, parents first */
  nOrder = migDiffOrder(d, 0, 1, aOrder);
  for(i=0; i<nOrder; i++){
    MigDiffTab *pT = (MigDiffTab*)aOrder[i];
    if( pT->eAct==MIG_ACT_NEW ){
      MigStep *pS;
      migDescWhole(d->pDesc, pT->pTo);
      pS = migDiffStep(d, pT->pTo->eType==MIG_OBJ_VTAB
          ? MIG_STEP_CREATE_VTAB : MIG_STEP_CREATE_TABLE, pT->zCur, pT,
          "%s;", pT->pTo->zSql);
      migDiffWarnHints(d, pS, pT);
    }
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
      MigStep *pS;
      int bVtab = pT->pFrom->eType==MIG_OBJ_VTAB;
      migOut(d, "-- destructive: drops table ");
      migOutCmtName(d, pT->zCur);
      migOut(d, " and all its rows\n");
      migDescWhole(d->pDesc, pT->pFrom);
      if( pT->eAct==MIG_ACT_RECREATE ){
        sqlite3_str_appendall(d->pDesc, "; changed: created again below");
      }
      pS = migDiffStep(d, bVtab ? MIG_STEP_DROP_VTAB : MIG_STEP_DROP_TABLE,
          pT->zCur, pT, "DROP TABLE \"%w\";", pT->zCur);
      if( pS ) pS->bDestructive = 1;
      if( pS && apSug ){
        for(j=0; j<d->nTab && d->apTab[j]!=pT; j++);
        if( j<d->nTab && apSug[j] ){
          migDiffWarnRename(d, pS, pT, -1, apSug[j]->pTo->zName);
        }
      }
      if( pT->eAct==MIG_ACT_RECREATE ){
        migDescWhole(d->pDesc, pT->pTo);
        migDiffStep(d, pT->pTo->eType==MIG_OBJ_VTAB ? MIG_STEP_CREATE_VTAB
            : MIG_STEP_CREATE_TABLE, pT->zCur, pT, "%s;", pT->pTo->zSql);
      }
    }
  }

  /* 8. CREATE INDEX, VIEW, TRIGGER */
  migDiffWriteObjs(d, MIG_OBJ_INDEX, &d->idx, 0);
  nOrder = migDiffOrder(d, 1, 1, aOrder);
  for(i=0; i<nOrder; i++){
    MigDiffObj *pD = (MigDiffObj*)aOrder[i];
    if( pD->bCreate ){
      migDescWhy(d, d->pDesc, pD, 1);
      migDiffStep(d, MIG_STEP_CREATE_VIEW, pD->pTo->zName, 0, "%s;",
          pD->pTo->zSql);
    }
  }
  migDiffWriteObjs(d, MIG_OBJ_TRIGGER, &d->trig, 0);
}

/* The renames applied, as a JSON object for the options of the diff back
** (mig_autogenerate's downgrade), or NULL when there are none. */
static char *migDiffRenamesJson(MigDiff *d){
  sqlite3_str *pStr;
  MigColRename *pR;
  int i, n = 0;
  pStr = sqlite3_str_new(d->p->db);
  sqlite3_str_append(pStr, "{", 1);
  for(i=0; i<d->nTab; i++){
    MigDiffTab *pT = d->apTab[i];
    if( pT->bRenamed ){
      if( n++ ) sqlite3_str_append(pStr, ",", 1);
      migJsonString(pStr, pT->pFrom->zName);
      sqlite3_str_append(pStr, ":", 1);
      migJsonString(pStr, pT->zCur);
    }
  }
  for(pR=d->pColRen; pR; pR=pR->pNext){
    const char *zNew = (const char*)migHashFind(&pR->pTab->colRen,
                                                pR->pCol->zName);
    char *zKey = migMprintf(d->p, "%s.%s", pR->pTab->pFrom->zName,
                            pR->pCol->zName);
    if( zKey==0 ) break;
    if( n++ ) sqlite3_str_append(pStr, ",", 1);
    migJsonString(pStr, zKey);
    sqlite3_str_append(pStr, ":", 1);
    migJsonString(pStr, zNew ? zNew : pR->zNew);
    sqlite3_free(zKey);
  }
  sqlite3_str_append(pStr, "}", 1);
  if( n==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  {
    char *z = migStrFinish(d->p, pStr);
    char *zRet = migArenaStrndup(d->p, &d->arena, z, -1);
    sqlite3_free(z);
    return zRet;
  }
}

/* Does schema pS have a table (ordinary or virtual)? */
static int migSchemaHasTable(MigSchema *pS){
  int i;
  for(i=0; i<pS->nObj; i++){
    int e = pS->apObj[i]->eType;
    if( e==MIG_OBJ_TABLE || e==MIG_OBJ_VTAB ) return 1;
  }
  return 0;
}

/* Free the hashes of the tables apTab[0..nTab-1] (the rest is arena). */
static void migDiffTabsClear(int nTab, MigDiffTab **apTab){
  int i;
  for(i=0; i<nTab; i++){
    migHashClear(&apTab[i]->colRen);
    migHashClear(&apTab[i]->colRenTo);
    migHashClear(&apTab[i]->map);
  }
}

/* Free what a MigDiff owns that does not move to its MigPlan. */
static void migDiffClear(MigDiff *d){
  sqlite3_free(d->sigA.z);
  sqlite3_free(d->sigB.z);
  sqlite3_free(sqlite3_str_finish(d->pOut));
  sqlite3_free(sqlite3_str_finish(d->pDesc));
  migHashClear(&d->renTarget);
  migHashClear(&d->idx);
  migHashClear(&d->view);
  migHashClear(&d->trig);
  migHashClear(&d->hFromCol);
  migHashClear(&d->hToCol);
  migHashClear(&d->hintWarn);
  migHashClear(&d->mapKey);
}

/*
** The steps that turn schema zFrom into schema zTo (none when they
** match), or NULL on error.  migPlanFree() it.
*/
MigPlan *migDiffPlan(Mig *p, const char *zFrom, const char *zTo,
                     MigDiffOpts *pOpts){
  MigDiff d;
  MigDiffOpts noOpts;
  MigPlan *pPlan = 0;
  int i;

  if( p->rc!=SQLITE_OK ) return 0;
  pPlan = (MigPlan*)migMalloc(p, sizeof(MigPlan));
  if( pPlan==0 ) return 0;
  memset(&d, 0, sizeof(d));
  memset(&noOpts, 0, sizeof(noOpts));
  d.p = p;
  d.pOpts = pOpts ? pOpts : &noOpts;
  d.zFromDb = zFrom;
  d.zToDb = zTo;
  d.iMinSqlite = migMinSqlite(p->pConfig);
  d.pOut = sqlite3_str_new(p->db);
  d.pDesc = sqlite3_str_new(p->db);
  migDiffOptionsCheck(&d);
  d.pFrom = migSchemaReadFiltered(p, zFrom, &d.filter);
  d.pTo = migSchemaReadFiltered(p, zTo, &d.filter);
  if( p->rc!=SQLITE_OK ) goto diff_out;

  /* Each step needs the hashes the one before filled: after an error
  ** (out of memory in a hash insert) an entry may be missing. */
  migDiffPairObjects(&d);
  if( p->rc==SQLITE_OK ) migDiffOptions(&d);
  if( p->rc==SQLITE_OK && d.pOpts->bRefuseEmpty && !d.bAllowEmpty
   && !migSchemaHasTable(d.pTo)
  ){
    migError(p, "%s has no tables: is it the models you meant (a wrong "
        "path, a models file not yet written)?  Diffing to it would drop "
        "every table; pass {\"allow_empty\": true} in options_json if "
        "that is what you want", zTo);
  }
  if( p->rc==SQLITE_OK && d.pOpts->bHints ) migDiffHints(&d);
  if( p->rc==SQLITE_OK ) migDiffCheckColRenames(&d);
  if( p->rc==SQLITE_OK ) migDiffPairTables(&d);
  if( p->rc==SQLITE_OK ) migDiffCheckMappings(&d);
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
  if( p->rc==SQLITE_OK ) migDiffWrite(&d);
  if( p->rc==SQLITE_OK ) pPlan->zRenames = migDiffRenamesJson(&d);

 diff_out:
  /* What the plan keeps moves to it, also after an error (then
  ** migPlanFree frees it). */
  pPlan->zFromDb = zFrom;
  pPlan->zToDb = zTo;
  pPlan->pFrom = d.pFrom;
  pPlan->pTo = d.pTo;
  pPlan->arena = d.arena;
  pPlan->fromTab = d.fromTab;
  pPlan->toTab = d.toTab;
  pPlan->nStep = d.nStep;
  pPlan->apStep = d.apStep;
  pPlan->nTab = d.nTab;
  pPlan->apTab = d.apTab;
  migDiffClear(&d);
  if( p->rc!=SQLITE_OK ){
    migPlanFree(pPlan);
    pPlan = 0;
  }
  return pPlan;
}

void migPlanFree(MigPlan *pPlan){
  if( pPlan==0 ) return;
  migDiffTabsClear(pPlan->nTab, pPlan->apTab);
  migHashClear(&pPlan->fromTab);
  migHashClear(&pPlan->toTab);
  sqlite3_free(pPlan->apStep);
  migArenaFree(&pPlan->arena);
  migSchemaFree(pPlan->pFrom);
  migSchemaFree(pPlan->pTo);
  sqlite3_free(pPlan);
}

/* A "-- " comment line for each line of z (a detail or the warnings of
** a step), after zPrefix. */
static void migPlanComment(sqlite3_str *pStr, const char *zPrefix,
                           const char *z){
  while( z ){
    const char *zEnd = strchr(z, '\n');
    int n = zEnd ? (int)(zEnd-z) : (int)strlen(z);
    sqlite3_str_appendf(pStr, "-- %s", zPrefix);
    migDescText(pStr, z, n);
    sqlite3_str_append(pStr, "\n", 1);
    z = zEnd ? zEnd+1 : 0;
  }
}

/* The SQL of the steps: mig_diff's format, and with bScript the plan's
** detail and warnings above each statement, as scripts have them. */
char *migPlanSql(Mig *p, MigPlan *pPlan, int bScript){
  sqlite3_str *pStr;
  int i;
  if( p->rc!=SQLITE_OK ) return 0;
  pStr = sqlite3_str_new(p->db);
  for(i=0; i<pPlan->nStep; i++){
    MigStep *pS = pPlan->apStep[i];
    if( bScript && pS->zDetail ) migPlanComment(pStr, "", pS->zDetail);
    if( bScript && pS->zWarning ) migPlanComment(pStr, "WARNING: ", pS->zWarning);
    if( pS->zNote ) sqlite3_str_appendall(pStr, pS->zNote);
    sqlite3_str_appendall(pStr, pS->zSql);
    sqlite3_str_append(pStr, "\n", 1);
  }
  return migStrFinish(p, pStr);
}

/*
** The SQL that turns schema zFrom into schema zTo: "" when they match,
** NULL on error.  sqlite3_free() it.
*/
char *migDiff(Mig *p, const char *zFrom, const char *zTo, MigDiffOpts *pOpts){
  MigPlan *pPlan = migDiffPlan(p, zFrom, zTo, pOpts);
  char *zRet = pPlan ? migPlanSql(p, pPlan, 0) : 0;
  migPlanFree(pPlan);
  return zRet;
}

/* The op column of mig_plan. */
const char *migStepOpName(int eOp){
  static const char *azOp[] = { "",
    "create table", "drop table", "rename table", "add column",
    "drop column", "rename column", "alter table", "create index",
    "drop index", "create view", "drop view", "create trigger",
    "drop trigger", "create virtual table", "drop virtual table"
  };
  return (eOp>0 && eOp<(int)(sizeof(azOp)/sizeof(azOp[0]))) ? azOp[eOp] : "";
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
  opts.bRefuseEmpty = 1;
  opts.bHints = 1;
  migRequireSchema(&m, zModels);
  zOut = migDiff(&m, m.zDb, zModels, &opts);
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut ? zOut : "", -1, SQLITE_TRANSIENT);
  }
  sqlite3_free(zOut);
  migCallEnd(&m, ctx);
}
