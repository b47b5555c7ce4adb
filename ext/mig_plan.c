/*
** mig_plan.c: the plan.  The steps of a diff (mig_diff.c) with what they
** will meet in the rows that are there now: the pre-flight counts
** (migPlanCount), the table-valued function mig_plan that shows them,
** and mig_affinity, the conversion a column's type makes.
**
**     SELECT * FROM mig_plan('models' [, options_json]);
**
** One row per step, in the order the SQL runs: step, op, object, detail,
** method, destructive, rows, blocking, changed, warning, sql (README.md,
** mig_plan).  models and options_json are hidden columns: the
** arguments of mig_diff.
**
** THE COUNTS.  A prediction for this connection and today's data, with
** SELECTs only.  Each table that gets a new constraint or a new type is
** read by ONE query, which folds every count of every step about it:
**
**   WITH "_libmig_o" AS (SELECT <live column> AS <its name once renamed>,
**                        ... FROM "main"."<live table>"),
**        "_libmig_n" AS (SELECT <the value the new definition stores>
**                        COLLATE <its collation> AS <column>, ...,
**                        <old values of converted columns> FROM o),
**        "_libmig_g1" AS (SELECT *, <generated column> FROM n), ...
**        "_libmig_w" AS (SELECT *, sum(<in key k>) OVER (PARTITION BY
**                        <key k>) AS "_libmig_u1", ... FROM ...)
**   SELECT count(*), sum(CASE WHEN <condition> THEN 1 ELSE 0 END), ...
**   FROM "_libmig_w" AS "<table>"
**
** The value a column stores is what mig_rebuild's INSERT ... SELECT
** would give it: its mapping, else the column it keeps (renames
** applied), else its DEFAULT, else NULL, then converted by the new
** column's affinity (mig_affinity; no call when the affinity does not
** change, so the column keeps its affinity for comparisons).  On these
** values, with the new definition's own expressions:
**
**   - NULL in a column that becomes NOT NULL (or is added NOT NULL);
**   - rows in duplicate groups under a new UNIQUE or PRIMARY KEY, a new
**     unique index, or one whose columns change value: a window over the
**     key, with the key's collations, counting the rows whose key has
**     no NULL (NULLs are distinct) and that satisfy the index's WHERE;
**   - rows for which a new CHECK is false (NULL passes);
**   - foreign-key orphans of a new or changed foreign key: a NOT EXISTS
**     on the live parent (the child value, without affinity, takes the
**     parent column's, as SQLite's lookup does), every row with a full
**     key when the parent is new (empty), and, on the step that drops a
**     parent, the rows with a full key of the children that keep a
**     foreign key to it.  A parent key that is neither the PRIMARY KEY
**     nor UNIQUE is a warning: SQLite says "foreign key mismatch";
**   - a value a STRICT column's type does not take, a non-integer in an
**     INTEGER PRIMARY KEY;
**   - "changed": rows of which a column's stored value or typeof()
**     differs after the new affinity's conversion, with one example.
**
** Every query is prepared with migPrepareSchemaSafe (rule 12): a models
** expression that calls a function SQLite refuses inside a schema is
** never run; the counts that need it are reported "not counted".  Steps
** that cannot fail cost nothing; "rows" is NULL where no query ran.
**
** A downgrade's plan (bDowngrade, for mig_autogenerate) cannot count on
** the database it will run on, which does not exist yet.  It counts what
** today's data says: the rows whose values the upgrade converts and the
** downgrade does not convert back ('007' -> 7 -> '7').
*/
#include "mig_int.h"

/* What a count adds to (MigCount.eKind). */
#define MIG_COUNT_BLOCK   1   /* rows that make the step fail */
#define MIG_COUNT_CHANGE  2   /* rows whose values change */

typedef struct MigCount MigCount;
typedef struct MigScan MigScan;
typedef struct MigCounter MigCounter;

/* One condition counted on the rows of a table. */
struct MigCount {
  MigStep *pStep;         /* the step whose numbers it adds to */
  int eKind;              /* MIG_COUNT_* */
  char *zCond;            /* SQL: true for a row that counts */
  char *zKey;             /* UNIQUE: the key ("a", lower(b) COLLATE x) */
  char *zKeyAs;           /* UNIQUE: the same as "_libmig_g1", ... */
  int nKey;               /* UNIQUE: its parts */
  char *zIn;              /* UNIQUE: true when a row is in the key (no
                          ** NULL part, the partial index's WHERE) */
  char *zExample;         /* CHANGE: SQL, per row, of its rowid when the
                          ** row counts, or NULL (no example) */
  char *zExampleSql;      /* the example of the row of rowid ?1 */
  char *zWhat;            /* "with NULL in "c", which ...": after "N rows" */
  const char *zAdvice;    /* what to do, or NULL */
  int bOk;                /* in the query (its query prepared) */
  int bFailed;            /* its query alone did not prepare */
  i64 n;                  /* the count */
  char *zEx;              /* the example found */
  MigCount *pNext;
};

/* One query on the rows of one live table. */
struct MigScan {
  MigDiffTab *pT;         /* the table (its rows: pT->pFrom's) */
  MigCount *pFirst;       /* its counts, grouped by step */
  MigCount **ppLast;
  char *zLayers;          /* the WITH clause, built once */
  i64 nRows;              /* count(*), -1 until it ran */
  MigScan *pNext;
};

/* The state of one migPlanCount(). */
struct MigCounter {
  Mig *p;
  MigPlan *pPlan;
  MigScan *pScans;        /* in the order of their first step */
  MigScan **ppLast;
  MigHash scans;          /* zFrom table name -> MigScan */
  MigHash created;        /* indexes that a step creates */
};

/*************************************************************************
** Affinity.
*/

/* SQLite's affinity of a declared type (the rules of "Determination Of
** Column Affinity"): 'A' BLOB (none), 'B' TEXT, 'C' NUMERIC, 'D'
** INTEGER, 'E' REAL, as SQLite's own letters. */
static char migAffinityOf(const char *zType){
  char aff = 'C';
  const unsigned char *z = (const unsigned char*)zType;
  u32 h = 0;
  if( z==0 || z[0]==0 ) return 'A';
  for(; *z; z++){
    h = (h<<8) + (u32)(*z>='a' && *z<='z' ? *z-'a'+'A' : *z);
    if( h==(('C'<<24)+('H'<<16)+('A'<<8)+'R') ){
      aff = 'B';
    }else if( h==(('C'<<24)+('L'<<16)+('O'<<8)+'B') ){
      aff = 'B';
    }else if( h==(('T'<<24)+('E'<<16)+('X'<<8)+'T') ){
      aff = 'B';
    }else if( h==(('B'<<24)+('L'<<16)+('O'<<8)+'B') && (aff=='C' || aff=='E') ){
      aff = 'A';
    }else if( h==(('R'<<24)+('E'<<16)+('A'<<8)+'L') && aff=='C' ){
      aff = 'E';
    }else if( h==(('F'<<24)+('L'<<16)+('O'<<8)+'A') && aff=='C' ){
      aff = 'E';
    }else if( h==(('D'<<24)+('O'<<16)+('U'<<8)+'B') && aff=='C' ){
      aff = 'E';
    }else if( (h&0x00FFFFFF)==(('I'<<16)+('N'<<8)+'T') ){
      return 'D';
    }
  }
  return aff;
}

/* The declared type that gives column pCol of pTab its conversion: its
** type, or "" for none (STRICT's ANY converts nothing). */
static const char *migConvType(MigObject *pTab, MigColumn *pCol){
  if( pCol->zType==0 ) return "";
  if( pTab->bStrict && migStrICmp(pCol->zTypeCanon, "ANY")==0 ) return "";
  return pCol->zType;
}

/* The typeof() a STRICT column of type zType takes, or NULL for ANY. */
static const char *migStrictTypeof(const char *zTypeCanon){
  if( zTypeCanon==0 ) return 0;
  if( migStrICmp(zTypeCanon, "INT")==0 ) return "integer";
  if( migStrICmp(zTypeCanon, "INTEGER")==0 ) return "integer";
  if( migStrICmp(zTypeCanon, "REAL")==0 ) return "real";
  if( migStrICmp(zTypeCanon, "TEXT")==0 ) return "text";
  if( migStrICmp(zTypeCanon, "BLOB")==0 ) return "blob";
  return 0;
}

/*
** mig_affinity(value, declared_type): value as a column of that declared
** type (in an ordinary table) stores it: what SQLite's applyAffinity
** does on INSERT.  Text that looks like a number becomes one under
** INTEGER, NUMERIC and REAL (sqlite3_value_numeric_type asks the running
** SQLite which text does); a real that is a whole number in range
** becomes an integer under INTEGER and NUMERIC; REAL reads every number
** back as a real; TEXT makes numbers text; BLOB (or no type) changes
** nothing.
*/
void migAffinityFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  char aff = migAffinityOf((const char*)sqlite3_value_text(argv[1]));
  int eType = sqlite3_value_type(argv[0]);
  (void)argc;
  if( eType==SQLITE_NULL || eType==SQLITE_BLOB || aff=='A' ){
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  if( aff=='B' ){
    if( eType==SQLITE_INTEGER || eType==SQLITE_FLOAT ){
      const unsigned char *z = sqlite3_value_text(argv[0]);
      if( z==0 ){
        sqlite3_result_error_nomem(ctx);
      }else{
        sqlite3_result_text(ctx, (const char*)z, -1, SQLITE_TRANSIENT);
      }
    }else{
      sqlite3_result_value(ctx, argv[0]);
    }
    return;
  }
  if( eType==SQLITE_TEXT ) eType = sqlite3_value_numeric_type(argv[0]);
  if( eType==SQLITE_INTEGER ){
    i64 i = sqlite3_value_int64(argv[0]);
    if( aff=='E' ){
      sqlite3_result_double(ctx, (double)i);
    }else{
      sqlite3_result_int64(ctx, i);
    }
  }else if( eType==SQLITE_FLOAT ){
    double r = sqlite3_value_double(argv[0]);
    /* SQLite's sqlite3VdbeIntegerAffinity: a whole number strictly
    ** between the smallest and the largest 64-bit integer. */
    if( aff!='E' && r>-9223372036854775808.0 && r<9223372036854775808.0 ){
      i64 ix = (i64)r;
      if( r==(double)ix && ix>(i64)(((sqlite3_uint64)1)<<63)
       && ix<(i64)((((sqlite3_uint64)1)<<63)-1) ){
        sqlite3_result_int64(ctx, ix);
        return;
      }
    }
    sqlite3_result_double(ctx, r);
  }else{
    sqlite3_result_value(ctx, argv[0]);
  }
}

/*************************************************************************
** Building the counts.
*/

/* The scan of the live table of pT, created on first use. */
static MigScan *migScanOf(MigCounter *c, MigDiffTab *pT){
  MigScan *pScan = (MigScan*)migHashFind(&c->scans, pT->pFrom->zName);
  if( pScan==0 ){
    pScan = migArenaAlloc(c->p, &c->pPlan->arena, sizeof(MigScan));
    if( pScan==0 ) return 0;
    pScan->pT = pT;
    pScan->nRows = -1;
    pScan->ppLast = &pScan->pFirst;
    *c->ppLast = pScan;
    c->ppLast = &pScan->pNext;
    migHashInsert(c->p, &c->scans, pT->pFrom->zName, pScan);
  }
  return pScan;
}

/* Add a count on the rows of pT to step pS.  zCond, zWhat... are taken
** from the sqlite3_str's (finished here). */
static MigCount *migCountAdd(MigCounter *c, MigDiffTab *pT, MigStep *pS,
    int eKind, sqlite3_str *pCond, sqlite3_str *pWhat, const char *zAdvice){
  Mig *p = c->p;
  MigArena *pA = &c->pPlan->arena;
  MigScan *pScan = migScanOf(c, pT);
  MigCount *pC = migArenaAlloc(p, pA, sizeof(MigCount));
  char *zCond = migStrFinish(p, pCond);
  char *zWhat = migStrFinish(p, pWhat);
  if( pScan && pC && zCond && zWhat ){
    pC->pStep = pS;
    pC->eKind = eKind;
    pC->zCond = migArenaStrndup(p, pA, zCond, -1);
    pC->zWhat = migArenaStrndup(p, pA, zWhat, -1);
    pC->zAdvice = zAdvice;
    *pScan->ppLast = pC;
    pScan->ppLast = &pC->pNext;
  }
  sqlite3_free(zCond);
  sqlite3_free(zWhat);
  return p->rc==SQLITE_OK ? pC : 0;
}

/* Does the query on live table pF see its rowid (as "rowid")? */
static int migScanHasRowid(MigObject *pF){
  return !pF->bWithoutRowid && migFindColumn(pF, "rowid")==0;
}

/* The mapping of column pCol of pT, or NULL. */
static const char *migMapOf(MigDiffTab *pT, MigColumn *pCol){
  return pT->nMap ? (const char*)migHashFind(&pT->map, pCol->zName) : 0;
}

/* Does the value of column iCol of pT->pTo differ from the value it keeps
** (or is it a new or mapped column)?  *pbConv: it is converted. */
static int migValueChanges(MigDiffTab *pT, int iCol, int *pbConv){
  MigColumn *pCol = &pT->pTo->aCol[iCol];
  MigColumn *pSrc = migDiffSource(pT, iCol);
  *pbConv = 0;
  if( pCol->eGen ) return 1;
  if( migMapOf(pT, pCol) || pSrc==0 ) return 1;
  if( migAffinityOf(migConvType(pT->pFrom, pSrc))
   != migAffinityOf(migConvType(pT->pTo, pCol)) ){
    *pbConv = 1;
    return 1;
  }
  return 0;
}

/* True if zTo column zName of pT is one whose value changes (aChg). */
static int migNameChanges(MigDiffTab *pT, const unsigned char *aChg,
                          const char *zName){
  int i;
  for(i=0; zName && i<pT->pTo->nCol; i++){
    if( migStrICmp(pT->pTo->aCol[i].zName, zName)==0 ) return aChg[i];
  }
  return 0;
}

/* True if an expression mentions a column whose value changes. */
static int migExprChanges(MigDiffTab *pT, const unsigned char *aChg,
                          const char *zExpr){
  int i;
  for(i=0; zExpr && i<pT->pTo->nCol; i++){
    if( aChg[i] && migExprMentions(zExpr, pT->pTo->aCol[i].zName) ) return 1;
  }
  return 0;
}

/* A conversion for a warning: ""code" (TEXT -> INTEGER)". */
static void migDescConversion(sqlite3_str *pStr, const char *zCol,
                              MigColumn *pFrom, MigColumn *pTo){
  migDescName(pStr, zCol);
  sqlite3_str_appendall(pStr, " (");
  migDescText(pStr, pFrom->zType ? pFrom->zType : "no type", -1);
  sqlite3_str_appendall(pStr, " -> ");
  migDescText(pStr, pTo->zType ? pTo->zType : "no type", -1);
  sqlite3_str_appendall(pStr, ")");
}

/* "N rows" with the noun in the singular for one. */
static const char *migRowsWord(i64 n){ return n==1 ? "row" : "rows"; }

/* Append a column reference of the final query: "t"."c". */
static void migColRef(sqlite3_str *pStr, MigDiffTab *pT, const char *zCol){
  sqlite3_str_appendf(pStr, "\"%w\".\"%w\"", pT->pTo->zName, zCol);
}

/*
** A count of the rows in duplicate groups under a key of pT->pTo: the
** parts aPart (columns, or expressions), the partial index's WHERE (or
** NULL); zWhat names the key for the warning.
*/
static void migCountUnique(MigCounter *c, MigDiffTab *pT, MigStep *pS,
    int nPart, MigKeyPart *aPart, const char *zWhere, sqlite3_str *pWhat){
  Mig *p = c->p;
  MigScan *pScan = migScanOf(c, pT);
  sqlite3_str *pIn, *pKey, *pKeyAs, *pCond;
  MigCount *pC;
  char *zIn, *zKey, *zKeyAs;
  int i;
  if( pScan==0 ) return;
  pIn = sqlite3_str_new(p->db);
  pKey = sqlite3_str_new(p->db);
  pKeyAs = sqlite3_str_new(p->db);
  for(i=0; i<nPart; i++){
    MigKeyPart *pP = &aPart[i];
    sqlite3_str *pX;
    int j;
    for(j=0; j<2; j++){
      pX = j ? pKeyAs : pKey;
      if( i ) sqlite3_str_append(pX, ", ", 2);
      if( pP->zCol ){
        sqlite3_str_appendf(pX, "\"%w\"", pP->zCol);
      }else{
        sqlite3_str_appendf(pX, "(%s\n)", pP->zExpr ? pP->zExpr : "NULL");
      }
      if( pP->zCollate ) sqlite3_str_appendf(pX, " COLLATE \"%w\"", pP->zCollate);
    }
    sqlite3_str_appendf(pKeyAs, " AS \"_libmig_g%d\"", i+1);
    sqlite3_str_appendf(pIn, "%s", i ? " AND " : "");
    if( pP->zCol ){
      sqlite3_str_appendf(pIn, "\"%w\" IS NOT NULL", pP->zCol);
    }else{
      sqlite3_str_appendf(pIn, "(%s\n) IS NOT NULL",
          pP->zExpr ? pP->zExpr : "NULL");
    }
  }
  if( zWhere ) sqlite3_str_appendf(pIn, " AND (%s\n)", zWhere);
  zIn = migStrFinish(p, pIn);
  zKey = migStrFinish(p, pKey);
  zKeyAs = migStrFinish(p, pKeyAs);
  pCond = sqlite3_str_new(p->db);      /* made by migScanSql */
  pC = migCountAdd(c, pT, pS, MIG_COUNT_BLOCK, pCond, pWhat,
      "make them unique first");
  if( pC && zIn && zKey && zKeyAs ){
    pC->zIn = migArenaStrndup(p, &c->pPlan->arena, zIn, -1);
    pC->zKey = migArenaStrndup(p, &c->pPlan->arena, zKey, -1);
    pC->zKeyAs = migArenaStrndup(p, &c->pPlan->arena, zKeyAs, -1);
    pC->nKey = nPart;
  }
  sqlite3_free(zIn);
  sqlite3_free(zKey);
  sqlite3_free(zKeyAs);
}

/* Is zTo column set azCol (nCol names) the PRIMARY KEY or UNIQUE in zTo
** table pPar, as SQLite needs of a foreign key's parent key?  A unique
** index counts when it is not partial and its collations are the
** columns' own. */
static int migParentKeyOk(MigObject *pPar, int nCol, char **azCol){
  int i, j, k;
  for(i=-1; i<pPar->nCons+pPar->nIndex; i++){
    int nPart;
    MigKeyPart *aPart;
    if( i<0 ) continue;
    if( i<pPar->nCons ){
      MigCons *pC = &pPar->aCons[i];
      if( pC->eType!=MIG_CONS_PK && pC->eType!=MIG_CONS_UNIQUE ) continue;
      nPart = pC->nPart;
      aPart = pC->aPart;
    }else{
      MigObject *pIdx = pPar->apIndex[i-pPar->nCons];
      if( !pIdx->bUnique || pIdx->zWhere ) continue;
      nPart = pIdx->nPart;
      aPart = pIdx->aPart;
    }
    if( nPart!=nCol ) continue;
    for(j=0; j<nPart; j++){
      MigColumn *pCol;
      if( aPart[j].zCol==0 ) break;
      for(k=0; k<nCol && migStrICmp(azCol[k], aPart[j].zCol); k++);
      if( k==nCol ) break;
      pCol = migFindColumn(pPar, aPart[j].zCol);
      if( aPart[j].zCollate && pCol
       && migStrICmp(aPart[j].zCollate, pCol->zCollate ? pCol->zCollate
                                                       : "BINARY") ){
        break;
      }
    }
    if( j==nPart ) return 1;
  }
  return 0;
}

/* The parent key of foreign key pC (zTo names): its columns, or the
** parent's PRIMARY KEY.  Returns how many (0: none). */
static int migParentKey(MigCounter *c, MigCons *pC, MigObject *pPar,
                        char ***pazCol){
  int i, n = 0;
  if( pC->nParentCol>0 ){
    *pazCol = pC->azParentCol;
    return pC->nParentCol;
  }
  *pazCol = 0;
  if( pPar==0 ) return 0;
  for(i=0; i<pPar->nCol; i++) if( pPar->aCol[i].iPk ) n++;
  if( n==0 ) return 0;
  *pazCol = migArenaAlloc(c->p, &c->pPlan->arena, sizeof(char*)*(i64)n);
  if( *pazCol==0 ) return 0;
  for(i=0; i<pPar->nCol; i++){
    if( pPar->aCol[i].iPk ) (*pazCol)[pPar->aCol[i].iPk-1] = pPar->aCol[i].zName;
  }
  return n;
}

/*
** A count of the rows of child table pT whose foreign key pC will find
** no parent row; on step pS.  When the parent will not exist, every row
** with a full key counts (on the step that drops it, or on pS).
*/
static void migCountForeignKey(MigCounter *c, MigDiffTab *pT, MigStep *pS,
                               MigCons *pC){
  Mig *p = c->p;
  MigPlan *pPlan = c->pPlan;
  MigDiffTab *pPar = (MigDiffTab*)migHashFind(&pPlan->toTab, pC->zParent);
  sqlite3_str *pCond, *pWhat;
  char **azKey = 0;
  int nKey, i;

  if( pPar && pPar->pTo->eType!=MIG_OBJ_TABLE ) return;
  nKey = migParentKey(c, pC, pPar ? pPar->pTo : 0, &azKey);
  if( pPar && (nKey!=pC->nPart || !migParentKeyOk(pPar->pTo, nKey, azKey)) ){
    sqlite3_str *pW = sqlite3_str_new(p->db);
    char *zW;
    migDescName(pW, pT->pTo->zName);
    sqlite3_str_appendall(pW, ": ");
    migDescCons(pW, pC, 0);
    sqlite3_str_appendall(pW, ": ");
    migDescName(pW, pC->zParent);
    sqlite3_str_appendall(pW, " has no PRIMARY KEY or UNIQUE on that key, "
        "so SQLite reports \"foreign key mismatch\" and the rows cannot be "
        "counted: make the parent key unique or change the foreign key");
    zW = migStrFinish(p, pW);
    if( zW ) migStepWarn(p, pPlan, pS, "%s", zW);
    sqlite3_free(zW);
    pS->nBlocking = -1;
    return;
  }

  pCond = sqlite3_str_new(p->db);
  pWhat = sqlite3_str_new(p->db);
  for(i=0; i<pC->nPart; i++){
    if( i ) sqlite3_str_appendall(pCond, " AND ");
    migColRef(pCond, pT, pC->aPart[i].zCol ? pC->aPart[i].zCol : "");
    sqlite3_str_appendall(pCond, " IS NOT NULL");
  }
  sqlite3_str_appendall(pWhat, "whose ");
  migDescCons(pWhat, pC, 0);
  if( pPar==0 ){
    sqlite3_str_appendall(pWhat, " will find no table ");
    migDescName(pWhat, pC->zParent);
    migCountAdd(c, pT, pS, MIG_COUNT_BLOCK, pCond, pWhat,
        "drop or change that foreign key too, or delete those rows");
    return;
  }
  if( pPar->pFrom ){
    /* The live parent, under its name of today, its columns too. */
    sqlite3_str_appendf(pCond, " AND NOT EXISTS (SELECT 1 FROM \"%w\".\"%w\" "
        "AS \"_libmig_p\" WHERE ", pPlan->zFromDb, pPar->pFrom->zName);
    for(i=0; i<nKey; i++){
      MigColumn *pKey = migFindColumn(pPar->pTo, azKey[i]);
      MigColumn *pSrc = pKey ? migDiffSource(pPar, (int)(pKey-pPar->pTo->aCol)) : 0;
      if( pSrc==0 || migMapOf(pPar, pKey) ){
        /* The parent key is new or mapped: its values are not here. */
        sqlite3_free(sqlite3_str_finish(pCond));
        sqlite3_free(sqlite3_str_finish(pWhat));
        return;
      }
      if( i ) sqlite3_str_appendall(pCond, " AND ");
      sqlite3_str_appendf(pCond, "\"_libmig_p\".\"%w\" = +", pSrc->zName);
      migColRef(pCond, pT, pC->aPart[i].zCol ? pC->aPart[i].zCol : "");
    }
    sqlite3_str_append(pCond, ")", 1);
  }
  sqlite3_str_appendall(pWhat, " finds no row in ");
  migDescName(pWhat, pC->zParent);
  migCountAdd(c, pT, pS, MIG_COUNT_BLOCK, pCond, pWhat,
      "add the parent rows or fix the child rows first");
}

/* The counts of an ALTER TABLE step (a rebuild of pT). */
static void migCountAlter(MigCounter *c, MigStep *pS){
  Mig *p = c->p;
  MigDiffTab *pT = pS->pTab;
  MigObject *pTo = pT->pTo, *pF = pT->pFrom;
  unsigned char *aChg;
  int i;
  aChg = migArenaAlloc(p, &c->pPlan->arena, (i64)pTo->nCol+1);
  if( aChg==0 ) return;
  for(i=0; i<pTo->nCol; i++){
    int bConv;
    aChg[i] = (unsigned char)migValueChanges(pT, i, &bConv);
  }

  for(i=0; i<pTo->nCol && p->rc==SQLITE_OK; i++){
    MigColumn *pCol = &pTo->aCol[i];
    MigColumn *pSrc = migDiffSource(pT, i);
    const char *zMap = migMapOf(pT, pCol);
    int bConv;
    int bNotNull = pCol->bNotNull || (pTo->bWithoutRowid && pCol->iPk);
    const char *zTypeof;

    /* NOT NULL */
    if( bNotNull && pCol->eGen==MIG_GEN_NONE
     && (pSrc==0 || zMap || !(pSrc->bNotNull || (pF->bWithoutRowid && pSrc->iPk)))
    ){
      sqlite3_str *pCond = sqlite3_str_new(p->db);
      sqlite3_str *pWhat = sqlite3_str_new(p->db);
      migColRef(pCond, pT, pCol->zName);
      sqlite3_str_appendall(pCond, " IS NULL");
      sqlite3_str_appendall(pWhat, "with NULL in ");
      migDescName(pWhat, pCol->zName);
      sqlite3_str_appendall(pWhat, pSrc ? ", which becomes NOT NULL"
                                        : ", a new NOT NULL column");
      migCountAdd(c, pT, pS, MIG_COUNT_BLOCK, pCond, pWhat, pSrc
          ? "fill them first, or give the column a mapping (\"mappings\" "
            "in options_json, or in the script)"
          : "give it a DEFAULT, or a mapping (\"mappings\" in "
            "options_json, or the script's TODO)");
    }

    /* STRICT */
    zTypeof = pTo->bStrict ? migStrictTypeof(pCol->zTypeCanon) : 0;
    if( zTypeof && pCol->eGen==MIG_GEN_NONE
     && (pSrc==0 || zMap || !pF->bStrict
         || migStrICmp(pSrc->zTypeCanon, pCol->zTypeCanon))
    ){
      sqlite3_str *pCond = sqlite3_str_new(p->db);
      sqlite3_str *pWhat = sqlite3_str_new(p->db);
      migColRef(pCond, pT, pCol->zName);
      sqlite3_str_appendall(pCond, " IS NOT NULL AND typeof(");
      migColRef(pCond, pT, pCol->zName);
      sqlite3_str_appendf(pCond, ")<>'%s'", zTypeof);
      sqlite3_str_appendall(pWhat, "with a value in ");
      migDescName(pWhat, pCol->zName);
      sqlite3_str_appendall(pWhat, " that STRICT ");
      migDescText(pWhat, pCol->zTypeCanon, -1);
      sqlite3_str_appendall(pWhat, " does not take");
      migCountAdd(c, pT, pS, MIG_COUNT_BLOCK, pCond, pWhat,
          "convert or fix those values first");
    }else if( !pTo->bStrict && !pTo->bWithoutRowid && pCol->iPk==1
           && pCol->zTypeCanon && migStrICmp(pCol->zTypeCanon, "INTEGER")==0
           && aChg[i]
    ){
      /* A rowid alias takes integers only ("datatype mismatch"). */
      int j, nPk = 0;
      for(j=0; j<pTo->nCol; j++) if( pTo->aCol[j].iPk ) nPk++;
      if( nPk==1 ){
        sqlite3_str *pCond = sqlite3_str_new(p->db);
        sqlite3_str *pWhat = sqlite3_str_new(p->db);
        migColRef(pCond, pT, pCol->zName);
        sqlite3_str_appendall(pCond, " IS NOT NULL AND typeof(");
        migColRef(pCond, pT, pCol->zName);
        sqlite3_str_appendall(pCond, ")<>'integer'");
        sqlite3_str_appendall(pWhat, "with a value in ");
        migDescName(pWhat, pCol->zName);
        sqlite3_str_appendall(pWhat, " that is not an integer, which "
            "INTEGER PRIMARY KEY requires");
        migCountAdd(c, pT, pS, MIG_COUNT_BLOCK, pCond, pWhat,
            "convert or fix those values first");
      }
    }

    /* Changed values */
    if( pSrc && !zMap && pCol->eGen==MIG_GEN_NONE
     && migValueChanges(pT, i, &bConv) && bConv
    ){
      sqlite3_str *pCond = sqlite3_str_new(p->db);
      sqlite3_str *pWhat = sqlite3_str_new(p->db);
      MigCount *pC;
      sqlite3_str_appendf(pCond, "(typeof(\"_libmig_o%d\")<>typeof(", i);
      migColRef(pCond, pT, pCol->zName);
      sqlite3_str_appendall(pCond, ") OR ");
      migColRef(pCond, pT, pCol->zName);
      sqlite3_str_appendf(pCond, " IS NOT \"_libmig_o%d\" COLLATE BINARY)", i);
      if( zTypeof ){
        /* A value STRICT refuses blocks the step; it is not stored. */
        sqlite3_str_appendf(pCond, " AND typeof(");
        migColRef(pCond, pT, pCol->zName);
        sqlite3_str_appendf(pCond, ") IN ('%s','null')", zTypeof);
      }
      sqlite3_str_appendall(pWhat, "with values that read differently under "
          "the new type of ");
      migDescConversion(pWhat, pCol->zName, pSrc, pCol);
      pC = migCountAdd(c, pT, pS, MIG_COUNT_CHANGE, pCond, pWhat,
          "the downgrade does not convert them back; check them first");
      if( pC && migScanHasRowid(pF) ){
        /* One example, read afterwards by rowid: building the text of
        ** every changed row would cost more than the whole count. */
        pC->zExample = migArenaPrintf(p, &c->pPlan->arena,
            "CASE WHEN %s THEN \"_libmig_rowid\" END", pC->zCond);
        pC->zExampleSql = migArenaPrintf(p, &c->pPlan->arena,
            "SELECT quote(\"%w\") || ' -> ' || quote(mig_affinity(\"%w\", %Q))"
            " FROM \"%w\".\"%w\" WHERE rowid=?1", pSrc->zName, pSrc->zName,
            migConvType(pTo, pCol), c->pPlan->zFromDb, pF->zName);
      }
    }
  }

  /* Constraints: new ones, and those over columns whose values change. */
  for(i=0; i<pTo->nCons && p->rc==SQLITE_OK; i++){
    MigCons *pC = &pTo->aCons[i];
    int bNew = pT->aNewCons && pT->aNewCons[i];
    int j, bChg = 0;
    if( pC->eType==MIG_CONS_CHECK ){
      if( bNew || migExprChanges(pT, aChg, pC->zExpr) ){
        sqlite3_str *pCond = sqlite3_str_new(p->db);
        sqlite3_str *pWhat = sqlite3_str_new(p->db);
        sqlite3_str_appendf(pCond, "NOT (%s\n)", pC->zExpr ? pC->zExpr : "1");
        sqlite3_str_appendall(pWhat, "failing ");
        migDescCons(pWhat, pC, 0);
        migCountAdd(c, pT, pS, MIG_COUNT_BLOCK, pCond, pWhat,
            "fix those rows first");
      }
      continue;
    }
    for(j=0; j<pC->nPart; j++){
      if( pC->aPart[j].zCol ){
        if( migNameChanges(pT, aChg, pC->aPart[j].zCol) ) bChg = 1;
      }else if( migExprChanges(pT, aChg, pC->aPart[j].zExpr) ){
        bChg = 1;
      }
    }
    if( !bNew && !bChg ) continue;
    if( pC->eType==MIG_CONS_FK ){
      migCountForeignKey(c, pT, pS, pC);
    }else{
      sqlite3_str *pWhat = sqlite3_str_new(p->db);
      sqlite3_str_appendall(pWhat, "in groups of duplicates under ");
      migDescCons(pWhat, pC, 0);
      migCountUnique(c, pT, pS, pC->nPart, pC->aPart, 0, pWhat);
    }
  }

  /* Unique indexes that stay, over columns whose values change. */
  for(i=0; i<pTo->nIndex && p->rc==SQLITE_OK; i++){
    MigObject *pIdx = pTo->apIndex[i];
    int j, bChg = migExprChanges(pT, aChg, pIdx->zWhere);
    if( !pIdx->bUnique || migHashFind(&c->created, pIdx->zName) ) continue;
    for(j=0; j<pIdx->nPart; j++){
      if( pIdx->aPart[j].zCol ){
        if( migNameChanges(pT, aChg, pIdx->aPart[j].zCol) ) bChg = 1;
      }else if( migExprChanges(pT, aChg, pIdx->aPart[j].zExpr) ){
        bChg = 1;
      }
    }
    if( bChg ){
      sqlite3_str *pWhat = sqlite3_str_new(p->db);
      sqlite3_str_appendall(pWhat, "in groups of duplicates under the "
          "UNIQUE index ");
      migDescName(pWhat, pIdx->zName);
      migCountUnique(c, pT, pS, pIdx->nPart, pIdx->aPart, pIdx->zWhere, pWhat);
    }
  }
}

/* The counts of a CREATE UNIQUE INDEX on a table that has rows. */
static void migCountIndex(MigCounter *c, MigStep *pS){
  sqlite3_str *pWhat;
  MigObject *pIdx = pS->pIndex;
  if( pIdx==0 || !pIdx->bUnique || pS->pTab==0 || pS->pTab->pFrom==0
   || pS->pTab->pTo==0 || pS->pTab->pFrom->eType!=MIG_OBJ_TABLE ){
    return;
  }
  pWhat = sqlite3_str_new(c->p->db);
  sqlite3_str_appendall(pWhat, "in groups of duplicates under the UNIQUE "
      "index ");
  migDescName(pWhat, pIdx->zName);
  migCountUnique(c, pS->pTab, pS, pIdx->nPart, pIdx->aPart, pIdx->zWhere,
                 pWhat);
}

/* The counts of a DROP TABLE step: the rows of the tables that keep a
** foreign key to the table, which will not exist. */
static void migCountDropped(MigCounter *c, MigStep *pS){
  MigPlan *pPlan = c->pPlan;
  MigDiffTab *pT = pS->pTab;
  int i, j;
  if( pT==0 || pT->pFrom==0 || migHashFind(&pPlan->toTab, pT->pFrom->zName) ){
    return;
  }
  for(i=0; i<pPlan->nTab && c->p->rc==SQLITE_OK; i++){
    MigDiffTab *pChild = pPlan->apTab[i];
    MigObject *pTo = pChild->pTo;
    if( pTo==0 || pChild->pFrom==0 || pTo->eType!=MIG_OBJ_TABLE
     || pChild->pFrom->eType!=MIG_OBJ_TABLE ){
      continue;
    }
    for(j=0; j<pTo->nCons; j++){
      MigCons *pC = &pTo->aCons[j];
      if( pC->eType==MIG_CONS_FK && migStrICmp(pC->zParent, pT->pFrom->zName)==0
       && !(pChild->aNewCons && pChild->aNewCons[j])
      ){
        /* A new foreign key to it is counted on its own table's step. */
        migCountForeignKey(c, pChild, pS, pC);
      }
    }
  }
}

/*************************************************************************
** Running the counts.
*/

/* The WITH clause of the query on the rows of pT: the old row under its
** new names (o), the new row (n), the generated columns (g1...). */
static char *migScanLayers(MigCounter *c, MigDiffTab *pT){
  Mig *p = c->p;
  MigObject *pF = pT->pFrom, *pTo = pT->pTo;
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  const char *zPrev = "_libmig_n";
  unsigned char *aDone;
  int i, nLayer = 0, nLeft = 0, bProgress = 1, nOut = 0;

  /* o: the live row, each column under its name once renamed. */
  sqlite3_str_appendall(pStr, "WITH \"_libmig_o\" AS (SELECT ");
  for(i=0; i<pF->nCol; i++){
    const char *zNew = pT->nColRen
        ? (const char*)migHashFind(&pT->colRen, pF->aCol[i].zName) : 0;
    sqlite3_str_appendf(pStr, "%s\"%w\" AS \"%w\"", i ? ", " : "",
        pF->aCol[i].zName, zNew ? zNew : pF->aCol[i].zName);
  }
  if( migScanHasRowid(pF) ){
    sqlite3_str_appendall(pStr, ", rowid AS \"rowid\"");
  }
  sqlite3_str_appendf(pStr, " FROM \"%w\".\"%w\"),\n", c->pPlan->zFromDb,
      pF->zName);

  /* n: the row the new definition stores, and the old values of the
  ** columns it converts. */
  sqlite3_str_appendall(pStr, "\"_libmig_n\" AS (SELECT ");
  for(i=0; i<pTo->nCol; i++){
    MigColumn *pCol = &pTo->aCol[i];
    MigColumn *pSrc = migDiffSource(pT, i);
    const char *zMap = migMapOf(pT, pCol);
    const char *zType = migConvType(pTo, pCol);
    int bConv = 0;
    if( pCol->eGen ){
      nLeft++;
      continue;
    }
    if( nOut++ ) sqlite3_str_append(pStr, ", ", 2);
    migValueChanges(pT, i, &bConv);
    if( zMap || pSrc==0 || bConv ){
      if( migAffinityOf(zType)!='A' ){
        sqlite3_str_appendall(pStr, "mig_affinity(");
      }else{
        sqlite3_str_appendall(pStr, "(");
      }
      if( zMap ){
        sqlite3_str_appendf(pStr, "(%s\n)", zMap);
      }else if( pSrc ){
        sqlite3_str_appendf(pStr, "\"%w\"", pCol->zName);
      }else if( pCol->zDefault ){
        sqlite3_str_appendf(pStr, "(%s\n)", pCol->zDefault);
      }else{
        sqlite3_str_appendall(pStr, "NULL");
      }
      if( migAffinityOf(zType)!='A' ) sqlite3_str_appendf(pStr, ", %Q", zType);
      sqlite3_str_append(pStr, ")", 1);
    }else{
      sqlite3_str_appendf(pStr, "\"%w\"", pCol->zName);
    }
    if( pCol->zCollate ){
      sqlite3_str_appendf(pStr, " COLLATE \"%w\"", pCol->zCollate);
    }
    sqlite3_str_appendf(pStr, " AS \"%w\"", pCol->zName);
    if( bConv && !zMap ){
      sqlite3_str_appendf(pStr, ", \"%w\" AS \"_libmig_o%d\"", pCol->zName, i);
    }
  }
  if( nOut==0 ) sqlite3_str_appendall(pStr, "NULL AS \"_libmig_none\"");
  if( migScanHasRowid(pF) ){
    sqlite3_str_appendall(pStr, ", \"rowid\" AS \"_libmig_rowid\"");
  }
  sqlite3_str_appendall(pStr, " FROM \"_libmig_o\")");

  /* g1...: the generated columns, each after those it reads. */
  aDone = migArenaAlloc(p, &c->pPlan->arena, (i64)pTo->nCol+1);
  while( aDone && nLeft>0 && bProgress ){
    bProgress = 0;
    for(i=0; i<pTo->nCol; i++){
      MigColumn *pCol = &pTo->aCol[i];
      const char *zType = migConvType(pTo, pCol);
      int j;
      if( pCol->eGen==MIG_GEN_NONE || aDone[i] ) continue;
      for(j=0; j<pTo->nCol; j++){
        if( j!=i && pTo->aCol[j].eGen && !aDone[j]
         && migExprMentions(pCol->zGen, pTo->aCol[j].zName) ){
          break;
        }
      }
      if( j<pTo->nCol ) continue;
      nLayer++;
      sqlite3_str_appendf(pStr, ",\n\"_libmig_g%d\" AS (SELECT *, ", nLayer);
      if( migAffinityOf(zType)!='A' ){
        sqlite3_str_appendf(pStr, "mig_affinity((%s\n), %Q)",
            pCol->zGen ? pCol->zGen : "NULL", zType);
      }else{
        sqlite3_str_appendf(pStr, "(%s\n)", pCol->zGen ? pCol->zGen : "NULL");
      }
      if( pCol->zCollate ){
        sqlite3_str_appendf(pStr, " COLLATE \"%w\"", pCol->zCollate);
      }
      sqlite3_str_appendf(pStr, " AS \"%w\" FROM \"%w\" AS \"%w\")",
          pCol->zName, zPrev, pTo->zName);
      zPrev = migArenaPrintf(p, &c->pPlan->arena, "_libmig_g%d", nLayer);
      if( zPrev==0 ) break;
      aDone[i] = 1;
      nLeft--;
      bProgress = 1;
    }
  }
  sqlite3_str_appendf(pStr, ",\n\"_libmig_last\" AS (SELECT * FROM \"%w\")",
      zPrev ? zPrev : "_libmig_n");
  return migStrFinish(p, pStr);
}

/*
** The query of pScan with the counts that bOk marks (all of them with
** bAll), or NULL.  The result: count(*), then per count its number (and
** its example), then per step and kind the rows that any of its counts
** holds for (a row counts once).
**
** Each condition is a column of the layer "_libmig_k", which LIMIT -1
** keeps from being flattened into the aggregate (it runs as a
** co-routine), so that a condition is evaluated once per row even when a
** step's total ORs it with others.  The rows in duplicate groups of the
** first UNIQUE key come from a GROUP BY on that key ("_libmig_g", which
** sums the other conditions per group): one sort of the key.  Any other
** UNIQUE key is a window over the rows ("_libmig_w").
*/
static char *migScanSql(MigCounter *c, MigScan *pScan, int bAll){
  Mig *p = c->p;
  MigDiffTab *pT = pScan->pT;
  const char *zTab = pT->pTo->zName;
  sqlite3_str *pStr;
  MigCount *pC, *pGroup, *pUniq = 0;
  int k;
  if( pScan->zLayers==0 ){
    char *z = migScanLayers(c, pT);
    pScan->zLayers = migArenaStrndup(p, &c->pPlan->arena, z, -1);
    sqlite3_free(z);
    if( pScan->zLayers==0 ) return 0;
  }
  for(pC=pScan->pFirst; pC && pUniq==0; pC=pC->pNext){
    if( pC->zKey && (bAll || pC->bOk) ) pUniq = pC;
  }
  pStr = sqlite3_str_new(p->db);
  sqlite3_str_appendall(pStr, pScan->zLayers);

  /* w: the windows of the other UNIQUE keys. */
  sqlite3_str_appendall(pStr, ",\n\"_libmig_w\" AS (SELECT *");
  for(k=1, pC=pScan->pFirst; pC; pC=pC->pNext, k++){
    if( pC->zKey && pC!=pUniq && (bAll || pC->bOk) ){
      sqlite3_str_appendf(pStr, ",\n CASE WHEN %s THEN sum(CASE WHEN %s THEN 1 "
          "ELSE 0 END) OVER (PARTITION BY %s) END AS \"_libmig_u%d\"",
          pC->zIn, pC->zIn, pC->zKey, k);
    }
  }
  sqlite3_str_appendf(pStr, " FROM \"_libmig_last\" AS \"%w\"),\n", zTab);

  /* k: a column per condition. */
  sqlite3_str_appendall(pStr, "\"_libmig_k\" AS (SELECT 1 AS \"_libmig_row\"");
  if( pUniq ){
    sqlite3_str_appendf(pStr, ",\n %s, (%s) AS \"_libmig_in\"", pUniq->zKeyAs,
        pUniq->zIn);
  }
  for(k=1, pC=pScan->pFirst; pC; pC=pC->pNext, k++){
    if( !(bAll || pC->bOk) || pC==pUniq ) continue;
    if( pC->zKey ){
      sqlite3_str_appendf(pStr, ",\n (\"_libmig_u%d\">1) AS \"_libmig_k%d\"", k, k);
    }else{
      sqlite3_str_appendf(pStr, ",\n (%s) AS \"_libmig_k%d\"", pC->zCond, k);
    }
    if( pC->zExample ){
      sqlite3_str_appendf(pStr, ", %s AS \"_libmig_e%d\"", pC->zExample, k);
    }
  }
  sqlite3_str_appendf(pStr, "\n FROM \"_libmig_w\" AS \"%w\" LIMIT -1),\n", zTab);

  /* g: per group of the first UNIQUE key (or per row, without one), the
  ** rows, and the sums of the conditions. */
  sqlite3_str_appendall(pStr, "\"_libmig_g\" AS (SELECT count(*) AS \"_libmig_n\"");
  if( pUniq ) sqlite3_str_appendall(pStr, ", \"_libmig_in\"");
  for(k=1, pC=pScan->pFirst; pC; pC=pC->pNext, k++){
    if( !(bAll || pC->bOk) || pC==pUniq ) continue;
    sqlite3_str_appendf(pStr, ",\n sum(CASE WHEN \"_libmig_k%d\" THEN 1 ELSE 0 "
        "END) AS \"_libmig_s%d\"", k, k);
    if( pC->zExample ){
      sqlite3_str_appendf(pStr, ", min(\"_libmig_e%d\") AS \"_libmig_m%d\"", k, k);
    }
  }
  for(k=1, pGroup=pScan->pFirst; pGroup; ){
    MigCount *pEnd = pGroup;
    int eKind, kEnd = k;
    while( pEnd && pEnd->pStep==pGroup->pStep ){ pEnd = pEnd->pNext; kEnd++; }
    for(eKind=MIG_COUNT_BLOCK; eKind<=MIG_COUNT_CHANGE; eKind++){
      int n = 0, j;
      for(j=k, pC=pGroup; pC!=pEnd; pC=pC->pNext, j++){
        if( pC->eKind!=eKind || !(bAll || pC->bOk) || pC==pUniq ) continue;
        sqlite3_str_appendf(pStr, n++ ? " OR \"_libmig_k%d\""
            : ",\n sum(CASE WHEN \"_libmig_k%d\"", j);
      }
      if( n ){
        sqlite3_str_appendf(pStr, " THEN 1 ELSE 0 END) AS \"_libmig_t%d_%d\"",
            k, eKind);
      }
    }
    pGroup = pEnd;
    k = kEnd;
  }
  sqlite3_str_appendall(pStr, "\n FROM \"_libmig_k\"");
  if( pUniq ){
    int j;
    sqlite3_str_appendall(pStr, " GROUP BY \"_libmig_in\"");
    for(j=0; j<pUniq->nKey; j++){
      sqlite3_str_appendf(pStr, ", \"_libmig_g%d\"", j+1);
    }
  }
  sqlite3_str_appendall(pStr, ")\n");

  /* The result. */
  sqlite3_str_appendall(pStr, "SELECT sum(\"_libmig_n\")");
  for(k=1, pC=pScan->pFirst; pC; pC=pC->pNext, k++){
    if( !(bAll || pC->bOk) ) continue;
    if( pC==pUniq ){
      sqlite3_str_appendall(pStr, ", sum(CASE WHEN \"_libmig_in\" AND "
          "\"_libmig_n\">1 THEN \"_libmig_n\" ELSE 0 END)");
    }else{
      sqlite3_str_appendf(pStr, ", sum(\"_libmig_s%d\")", k);
    }
    if( pC->zExample ) sqlite3_str_appendf(pStr, ", min(\"_libmig_m%d\")", k);
  }
  for(k=1, pGroup=pScan->pFirst; pGroup; ){
    MigCount *pEnd = pGroup;
    int eKind, kEnd = k;
    while( pEnd && pEnd->pStep==pGroup->pStep ){ pEnd = pEnd->pNext; kEnd++; }
    for(eKind=MIG_COUNT_BLOCK; eKind<=MIG_COUNT_CHANGE; eKind++){
      int nOther = 0, bUniq = 0;
      for(pC=pGroup; pC!=pEnd; pC=pC->pNext){
        if( pC->eKind!=eKind || !(bAll || pC->bOk) ) continue;
        if( pC==pUniq ){ bUniq = 1; }else{ nOther++; }
      }
      if( bUniq ){
        /* A group of duplicates: all its rows; else those of the others. */
        sqlite3_str_appendall(pStr, ", sum(CASE WHEN \"_libmig_in\" AND "
            "\"_libmig_n\">1 THEN \"_libmig_n\" ELSE ");
        if( nOther ){
          sqlite3_str_appendf(pStr, "\"_libmig_t%d_%d\" END)", k, eKind);
        }else{
          sqlite3_str_appendall(pStr, "0 END)");
        }
      }else if( nOther ){
        sqlite3_str_appendf(pStr, ", sum(\"_libmig_t%d_%d\")", k, eKind);
      }
    }
    pGroup = pEnd;
    k = kEnd;
  }
  sqlite3_str_appendall(pStr, "\nFROM \"_libmig_g\"");
  return migStrFinish(p, pStr);
}

/* Report that the counts that bOk does not mark could not be made. */
static void migScanNotCounted(MigCounter *c, MigScan *pScan, MigCount *pC,
                              const char *zWhy){
  sqlite3_str *pW = sqlite3_str_new(c->p->db);
  char *zW;
  migDescName(pW, pScan->pT->pTo->zName);
  sqlite3_str_appendall(pW, ": the rows ");
  sqlite3_str_appendall(pW, pC->zWhat);
  sqlite3_str_appendall(pW, " were not counted: ");
  migDescText(pW, zWhy, -1);
  zW = migStrFinish(c->p, pW);
  if( zW ) migStepWarn(c->p, c->pPlan, pC->pStep, "%s", zW);
  sqlite3_free(zW);
  if( pC->eKind==MIG_COUNT_BLOCK ){
    pC->pStep->nBlocking = -1;
  }else{
    pC->pStep->nChanged = -1;
  }
}

/* Prepare the query of pScan (rule 12), the counts it holds marked bOk.
** When the query with all of them fails, each is tried alone, and those
** that fail on their own are reported as not counted. */
static sqlite3_stmt *migScanPrepare(MigCounter *c, MigScan *pScan){
  Mig *p = c->p;
  Mig side;
  MigCount *pC;
  sqlite3_stmt *pStmt = 0;
  char *zSql = migScanSql(c, pScan, 1);
  migHandleInit(&side, p->db, 0, p->pConfig);
  if( zSql ) pStmt = migPrepareSchemaSafe(&side, zSql);
  sqlite3_free(zSql);
  if( pStmt ){
    for(pC=pScan->pFirst; pC; pC=pC->pNext) pC->bOk = 1;
    migReset(&side);
    return pStmt;
  }
  if( side.rc==SQLITE_NOMEM ){
    migErrorDrop(p, &side);
    return 0;
  }
  migReset(&side);
  for(pC=pScan->pFirst; pC && p->rc==SQLITE_OK; pC=pC->pNext){
    MigCount *pNext = pC->pNext, *pX;
    for(pX=pScan->pFirst; pX; pX=pX->pNext) pX->bOk = pX==pC;
    pC->pNext = 0;
    zSql = migScanSql(c, pScan, 0);
    pC->pNext = pNext;
    if( zSql ) pStmt = migPrepareSchemaSafe(&side, zSql);
    sqlite3_free(zSql);
    sqlite3_finalize(pStmt);
    pStmt = 0;
    if( side.rc!=SQLITE_OK ){
      if( side.rc==SQLITE_NOMEM ) migErrorDrop(p, &side);
      pC->bFailed = 1;
      pC->zEx = migArenaStrndup(p, &c->pPlan->arena,
          side.zErr ? side.zErr : sqlite3_errstr(side.rc), -1);
      migReset(&side);
    }
  }
  for(pC=pScan->pFirst; pC; pC=pC->pNext){
    pC->bOk = !pC->bFailed;
    if( pC->bFailed ){
      migScanNotCounted(c, pScan, pC, pC->zEx ? pC->zEx : "");
      pC->zEx = 0;
    }
  }
  zSql = migScanSql(c, pScan, 0);
  if( zSql ) pStmt = migPrepareSchemaSafe(&side, zSql);
  sqlite3_free(zSql);
  if( side.rc==SQLITE_NOMEM ) migErrorDrop(p, &side);
  migReset(&side);
  return pStmt;
}

/* Add n to a step's count (-1 stays unknown). */
static void migStepAddCount(i64 *pN, i64 n){
  if( *pN>=0 ) *pN += n;
}

/* Run the query of pScan and give each step its numbers. */
static void migScanRun(MigCounter *c, MigScan *pScan){
  Mig *p = c->p;
  MigCount *pC, *pGroup;
  sqlite3_stmt *pStmt;
  Mig side;
  int iCol = 1;
  /* An empty table: every count is 0, and no expression runs. */
  if( migQueryInt(p, 0, "SELECT 1 FROM \"%w\".\"%w\" LIMIT 1",
                  c->pPlan->zFromDb, pScan->pT->pFrom->zName)==0 ){
    pScan->nRows = 0;
    return;
  }
  pStmt = migScanPrepare(c, pScan);
  if( pStmt==0 || p->rc!=SQLITE_OK ){
    sqlite3_finalize(pStmt);
    return;
  }
  /* An error while the rows are read (an expression that fails on some
  ** value) leaves the counts unknown, it does not fail the plan. */
  migHandleInit(&side, p->db, 0, p->pConfig);
  if( migStep(&side, pStmt)==SQLITE_ROW ){
    pScan->nRows = sqlite3_column_int64(pStmt, 0);
    for(pC=pScan->pFirst; pC; pC=pC->pNext){
      if( !pC->bOk ) continue;
      pC->n = sqlite3_column_int64(pStmt, iCol++);
      if( pC->zExample ){
        if( sqlite3_column_type(pStmt, iCol)!=SQLITE_NULL ){
          /* The example: its row, by rowid. */
          Mig ex;
          sqlite3_stmt *pEx;
          migHandleInit(&ex, p->db, 0, p->pConfig);
          pEx = migPrepare(&ex, "%s", pC->zExampleSql);
          if( pEx ) sqlite3_bind_int64(pEx, 1, sqlite3_column_int64(pStmt, iCol));
          if( migStep(&ex, pEx)==SQLITE_ROW ){
            pC->zEx = migArenaStrndup(p, &c->pPlan->arena,
                (const char*)sqlite3_column_text(pEx, 0), -1);
          }
          migFinalize(&ex, pEx);
          migErrorDrop(p, &ex);
        }
        iCol++;
      }
    }
    for(pGroup=pScan->pFirst; pGroup; ){
      MigCount *pEnd = pGroup;
      int eKind;
      while( pEnd && pEnd->pStep==pGroup->pStep ) pEnd = pEnd->pNext;
      for(eKind=MIG_COUNT_BLOCK; eKind<=MIG_COUNT_CHANGE; eKind++){
        int bAny = 0;
        for(pC=pGroup; pC!=pEnd; pC=pC->pNext){
          if( pC->eKind==eKind && pC->bOk ) bAny = 1;
        }
        if( bAny ){
          i64 n = sqlite3_column_int64(pStmt, iCol++);
          migStepAddCount(eKind==MIG_COUNT_BLOCK ? &pGroup->pStep->nBlocking
                                                 : &pGroup->pStep->nChanged, n);
        }
      }
      pGroup = pEnd;
    }
  }
  migFinalize(&side, pStmt);
  if( side.rc!=SQLITE_OK ){
    char *zErr = migMprintf(p, "%s", side.zErr ? side.zErr
                                              : sqlite3_errstr(side.rc));
    if( side.rc==SQLITE_NOMEM ) migErrorDrop(p, &side);
    for(pC=pScan->pFirst; pC && zErr; pC=pC->pNext){
      if( pC->bOk ){
        pC->bOk = 0;
        migScanNotCounted(c, pScan, pC, zErr);
      }
    }
    pScan->nRows = -1;
    sqlite3_free(zErr);
    migReset(&side);
    return;
  }

  /* The warnings, in the order of the counts. */
  for(pC=pScan->pFirst; pC && p->rc==SQLITE_OK; pC=pC->pNext){
    sqlite3_str *pW;
    char *zW;
    if( !pC->bOk || pC->n==0 ) continue;
    pW = sqlite3_str_new(p->db);
    migDescName(pW, pScan->pT->pTo->zName);
    sqlite3_str_appendf(pW, ": %lld %s ", pC->n, migRowsWord(pC->n));
    sqlite3_str_appendall(pW, pC->zWhat);
    if( pC->zEx ){
      sqlite3_str_appendall(pW, ", e.g. ");
      migDescText(pW, pC->zEx, -1);
    }
    if( pC->zAdvice ) sqlite3_str_appendf(pW, ": %s", pC->zAdvice);
    zW = migStrFinish(p, pW);
    if( zW ) migStepWarn(p, c->pPlan, pC->pStep, "%s", zW);
    sqlite3_free(zW);
  }
}

/*
** The downgrade: the values of today's rows that the upgrade converts
** and the downgrade does not convert back, per ALTER TABLE step.  Its
** zTo table is today's; its zFrom table the models' (the upgrade's
** result).
*/
static void migCountRoundTrip(MigCounter *c, MigStep *pS){
  Mig *p = c->p;
  MigDiffTab *pT = pS->pTab;
  MigObject *pTo = pT->pTo, *pF = pT->pFrom;
  sqlite3_str *pStr, *pWhat;
  sqlite3_stmt *pStmt;
  Mig side;
  char *zSql;
  int i, n = 0, iFirst = -1;
  pStr = sqlite3_str_new(p->db);
  pWhat = sqlite3_str_new(p->db);
  for(i=0; i<pTo->nCol; i++){
    MigColumn *pCol = &pTo->aCol[i];
    MigColumn *pUp = migDiffSource(pT, i);
    const char *zUp, *zDown;
    if( pUp==0 || pCol->eGen ) continue;
    zUp = migConvType(pF, pUp);
    zDown = migConvType(pTo, pCol);
    if( migAffinityOf(zUp)==migAffinityOf(zDown) ) continue;
    sqlite3_str_appendf(pStr, "%s(typeof(mig_affinity(mig_affinity(\"%w\", "
        "%Q), %Q))<>typeof(\"%w\") OR mig_affinity(mig_affinity(\"%w\", %Q), "
        "%Q) IS NOT \"%w\" COLLATE BINARY)", n ? " OR " : "", pCol->zName,
        zUp, zDown, pCol->zName, pCol->zName, zUp, zDown, pCol->zName);
    if( n ) sqlite3_str_append(pWhat, ", ", 2);
    migDescConversion(pWhat, pCol->zName, pCol, pUp);
    if( iFirst<0 ) iFirst = i;
    n++;
  }
  zSql = migStrFinish(p, pStr);
  if( n==0 || zSql==0 ){
    sqlite3_free(zSql);
    sqlite3_free(sqlite3_str_finish(pWhat));
    return;
  }
  migHandleInit(&side, p->db, 0, p->pConfig);
  {
    MigColumn *pCol = &pTo->aCol[iFirst];
    MigColumn *pUp = migDiffSource(pT, iFirst);
    char *zQuery = migMprintf(&side, "SELECT sum(CASE WHEN %s THEN 1 ELSE 0 "
        "END), min(CASE WHEN %s THEN quote(\"%w\") || ' -> ' || "
        "quote(mig_affinity(\"%w\", %Q)) || ' -> ' || "
        "quote(mig_affinity(mig_affinity(\"%w\", %Q), %Q)) END) "
        "FROM \"%w\".\"%w\"", zSql, zSql, pCol->zName, pCol->zName,
        migConvType(pF, pUp), pCol->zName, migConvType(pF, pUp),
        migConvType(pTo, pCol), c->pPlan->zToDb, pTo->zName);
    pStmt = migPrepareSchemaSafe(&side, zQuery);
    sqlite3_free(zQuery);
  }
  if( migStep(&side, pStmt)==SQLITE_ROW ){
    i64 nRows = sqlite3_column_int64(pStmt, 0);
    const char *zEx = (const char*)sqlite3_column_text(pStmt, 1);
    char *zWhat = migStrFinish(p, pWhat);
    pS->nChanged = nRows;
    if( nRows>0 && zWhat ){
      sqlite3_str *pW = sqlite3_str_new(p->db);
      char *zW;
      migDescName(pW, pTo->zName);
      sqlite3_str_appendf(pW, ": %lld %s of today's data hold values that the "
          "upgrade converts and this downgrade does not restore, in ",
          nRows, migRowsWord(nRows));
      sqlite3_str_appendall(pW, zWhat);
      if( zEx ){
        sqlite3_str_appendall(pW, ", e.g. ");
        migDescText(pW, zEx, -1);
      }
      zW = migStrFinish(p, pW);
      if( zW ) migStepWarn(p, c->pPlan, pS, "%s", zW);
      sqlite3_free(zW);
    }
    sqlite3_free(zWhat);
  }
  else{
    sqlite3_free(sqlite3_str_finish(pWhat));
  }
  migFinalize(&side, pStmt);
  if( side.rc!=SQLITE_OK ) pS->nChanged = -1;
  migErrorDrop(p, &side);
  sqlite3_free(zSql);
}

/*
** The pre-flight counts of every step of pPlan on the live rows: counts
** first gathered per table, then one query per table.
*/
void migPlanCount(Mig *p, MigPlan *pPlan, int bDowngrade){
  MigCounter c;
  MigScan *pScan;
  int i;
  if( p->rc!=SQLITE_OK ) return;
  memset(&c, 0, sizeof(c));
  c.p = p;
  c.pPlan = pPlan;
  c.ppLast = &c.pScans;
  for(i=0; i<pPlan->nStep && p->rc==SQLITE_OK; i++){
    MigStep *pS = pPlan->apStep[i];
    if( pS->eOp==MIG_STEP_CREATE_INDEX && pS->pIndex ){
      migHashInsert(p, &c.created, pS->pIndex->zName, pS);
    }
  }
  for(i=0; i<pPlan->nStep && p->rc==SQLITE_OK; i++){
    MigStep *pS = pPlan->apStep[i];
    if( bDowngrade ){
      if( pS->eOp==MIG_STEP_ALTER_TABLE ) migCountRoundTrip(&c, pS);
      continue;
    }
    switch( pS->eOp ){
      case MIG_STEP_ALTER_TABLE:  migCountAlter(&c, pS);    break;
      case MIG_STEP_CREATE_INDEX: migCountIndex(&c, pS);    break;
      case MIG_STEP_DROP_TABLE:   migCountDropped(&c, pS);  break;
    }
  }
  for(pScan=c.pScans; pScan && p->rc==SQLITE_OK; pScan=pScan->pNext){
    migScanRun(&c, pScan);
  }
  /* "rows": for every step on a table that was read. */
  for(i=0; i<pPlan->nStep && p->rc==SQLITE_OK; i++){
    MigStep *pS = pPlan->apStep[i];
    if( pS->pTab && pS->pTab->pFrom && pS->eOp!=MIG_STEP_DROP_TABLE ){
      pScan = (MigScan*)migHashFind(&c.scans, pS->pTab->pFrom->zName);
      if( pScan && pScan->pT==pS->pTab ) pS->nRows = pScan->nRows;
    }
  }
  migHashClear(&c.scans);
  migHashClear(&c.created);
}

/*************************************************************************
** The table-valued function mig_plan(models [, options_json]).
*/

typedef struct MigPlanCursor MigPlanCursor;
struct MigPlanCursor {
  sqlite3_vtab_cursor base;
  MigPlan *pPlan;         /* the plan of the last xFilter, or NULL */
  int iRow;               /* index into pPlan->apStep */
};

#define MIG_PLAN_STEP         0
#define MIG_PLAN_OP           1
#define MIG_PLAN_OBJECT       2
#define MIG_PLAN_DETAIL       3
#define MIG_PLAN_METHOD       4
#define MIG_PLAN_DESTRUCTIVE  5
#define MIG_PLAN_ROWS         6
#define MIG_PLAN_BLOCKING     7
#define MIG_PLAN_CHANGED      8
#define MIG_PLAN_WARNING      9
#define MIG_PLAN_SQL         10
#define MIG_PLAN_MODELS      11   /* hidden: the first argument */
#define MIG_PLAN_OPTIONS     12   /* hidden: the second */

static int migPlanConnect(
  sqlite3 *db, void *pAux, int argc, const char *const*argv,
  sqlite3_vtab **ppVtab, char **pzErr
){
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(step INT, op TEXT, object TEXT, detail TEXT,"
      " method TEXT, destructive INT, rows INT, blocking INT, changed INT,"
      " warning TEXT, sql TEXT, models HIDDEN, options_json HIDDEN)");
  if( rc!=SQLITE_OK ) return rc;
  return migVtabAlloc(db, pAux, ppVtab);
}

/* The arguments are equality constraints on the hidden columns: idxNum
** bit 1 models, bit 2 options_json, passed in that order.  Without a
** usable models, the plan is refused (SQLITE_CONSTRAINT), so that
** SQLite looks for another order of a join. */
static int migPlanBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i, iModels = -1, iOpts = -1, bUnusable = 0;
  (void)pVtab;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( pC->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( pC->iColumn==MIG_PLAN_MODELS || pC->iColumn==MIG_PLAN_OPTIONS ){
      if( !pC->usable ){
        bUnusable = 1;
      }else if( pC->iColumn==MIG_PLAN_MODELS ){
        iModels = i;
      }else{
        iOpts = i;
      }
    }
  }
  if( iModels<0 && bUnusable ) return SQLITE_CONSTRAINT;
  pInfo->idxNum = 0;
  if( iModels>=0 ){
    pInfo->idxNum |= 1;
    pInfo->aConstraintUsage[iModels].argvIndex = 1;
    pInfo->aConstraintUsage[iModels].omit = 1;
  }
  if( iOpts>=0 ){
    pInfo->idxNum |= 2;
    pInfo->aConstraintUsage[iOpts].argvIndex = iModels>=0 ? 2 : 1;
    pInfo->aConstraintUsage[iOpts].omit = 1;
  }
  pInfo->estimatedCost = iModels>=0 ? 1000.0 : 1e12;
  pInfo->estimatedRows = 100;
  return SQLITE_OK;
}

static int migPlanOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  (void)pVtab;
  return migVtabCursorAlloc(sizeof(MigPlanCursor), ppCur);
}

static int migPlanClose(sqlite3_vtab_cursor *pCursor){
  MigPlanCursor *pCur = (MigPlanCursor*)pCursor;
  migPlanFree(pCur->pPlan);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Every scan makes the plan afresh: the diff, then the counts. */
static int migPlanFilter(
  sqlite3_vtab_cursor *pCursor, int idxNum, const char *idxStr,
  int argc, sqlite3_value **argv
){
  MigPlanCursor *pCur = (MigPlanCursor*)pCursor;
  MigVtab *pTab = (MigVtab*)pCursor->pVtab;
  MigDiffOpts opts;
  const char *zModels = 0;
  Mig m;
  int rc;
  (void)idxStr; (void)argc;
  migPlanFree(pCur->pPlan);
  pCur->pPlan = 0;
  pCur->iRow = 0;
  migHandleInit(&m, pTab->db, "mig_plan", pTab->pConfig);
  memset(&opts, 0, sizeof(opts));
  if( idxNum & 1 ){
    zModels = migArgText(&m, argv, 0, "models");
  }else{
    migError(&m, "the models schema must be given: "
        "SELECT * FROM mig_plan('models')");
  }
  if( idxNum & 2 ) opts.zOptionsJson = migArgOpt(&m, argv, (idxNum & 1) ? 1 : 0);
  opts.bAlwaysRebuild = pTab->pConfig->bAlwaysRebuild;
  opts.bRefuseEmpty = 1;
  opts.bHints = 1;
  if( zModels ) migRequireSchema(&m, zModels);
  pCur->pPlan = migDiffPlan(&m, m.zDb, zModels, &opts);
  if( pCur->pPlan ) migPlanCount(&m, pCur->pPlan, 0);
  rc = migVtabFilterEnd(&pTab->base, &m);
  if( rc!=SQLITE_OK ){
    migPlanFree(pCur->pPlan);
    pCur->pPlan = 0;
  }
  return rc;
}

static int migPlanNext(sqlite3_vtab_cursor *pCursor){
  ((MigPlanCursor*)pCursor)->iRow++;
  return SQLITE_OK;
}

static int migPlanEof(sqlite3_vtab_cursor *pCursor){
  MigPlanCursor *pCur = (MigPlanCursor*)pCursor;
  return pCur->pPlan==0 || pCur->iRow>=pCur->pPlan->nStep;
}

/* A count as the column shows it: NULL when unknown. */
static void migPlanResultCount(sqlite3_context *ctx, i64 n){
  if( n<0 ){
    sqlite3_result_null(ctx);
  }else{
    sqlite3_result_int64(ctx, n);
  }
}

static int migPlanColumn(
  sqlite3_vtab_cursor *pCursor, sqlite3_context *ctx, int iCol
){
  MigPlanCursor *pCur = (MigPlanCursor*)pCursor;
  MigStep *pS = pCur->pPlan->apStep[pCur->iRow];
  const char *z = 0;
  switch( iCol ){
    case MIG_PLAN_STEP:        sqlite3_result_int(ctx, pS->iStep);  return SQLITE_OK;
    case MIG_PLAN_OP:          z = migStepOpName(pS->eOp);          break;
    case MIG_PLAN_OBJECT:      z = pS->zObject;                     break;
    case MIG_PLAN_DETAIL:      z = pS->zDetail;                     break;
    case MIG_PLAN_METHOD:
      z = migRebuildMethodName(pS->eMethod);
      break;
    case MIG_PLAN_DESTRUCTIVE:
      sqlite3_result_int(ctx, pS->bDestructive);
      return SQLITE_OK;
    case MIG_PLAN_ROWS:        migPlanResultCount(ctx, pS->nRows);     return SQLITE_OK;
    case MIG_PLAN_BLOCKING:    migPlanResultCount(ctx, pS->nBlocking); return SQLITE_OK;
    case MIG_PLAN_CHANGED:     migPlanResultCount(ctx, pS->nChanged);  return SQLITE_OK;
    case MIG_PLAN_WARNING:     z = pS->zWarning;                    break;
    case MIG_PLAN_SQL:         z = pS->zSql;                        break;
    default:                   return SQLITE_OK;   /* the arguments: NULL */
  }
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int migPlanRowid(sqlite3_vtab_cursor *pCursor, sqlite_int64 *pRowid){
  *pRowid = ((MigPlanCursor*)pCursor)->iRow + 1;
  return SQLITE_OK;
}

/* Register the eponymous table-valued function mig_plan. */
int migPlanRegister(sqlite3 *db, MigConfig *pConfig){
  static sqlite3_module migPlanModule = {
    0,                    /* iVersion */
    0,                    /* xCreate: eponymous only */
    migPlanConnect,
    migPlanBestIndex,
    migVtabDisconnect,
    0,                    /* xDestroy */
    migPlanOpen,
    migPlanClose,
    migPlanFilter,
    migPlanNext,
    migPlanEof,
    migPlanColumn,
    migPlanRowid,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  };
  return sqlite3_create_module(db, "mig_plan", &migPlanModule, pConfig);
}
