/*
** mig_state.c: the applied state of a database, its bookkeeping and
** mig_current().
**
** The applied state lives in the target database itself, in
**
**     CREATE TABLE "_libmig_applied"(
**       revision TEXT PRIMARY KEY,    -- the revision id
**       checksum TEXT NOT NULL,       -- of its script when applied
**       applied_at TEXT NOT NULL,     -- ISO-8601 UTC
**       down_revision TEXT            -- its parents: "a,b", "" for none
**     );
**
** created on first need, holding one row per applied revision (not only
** the heads, as Alembic's alembic_version does: the checksums let libmig
** notice a script edited after it was applied).  The set of applied
** revisions is always closed under "parent of"; the current revisions are
** the applied ones without an applied child.
**
** down_revision lets mig_current() answer without reading every script
** (migCurrentFromBook).  Online calls write it, and add the column to a
** table made before it existed (and fill it in) when they move the
** database; offline SQL leaves it NULL (its INSERT names the three other
** columns, so it runs on either form of the table), and a NULL makes
** mig_current() read the scripts, as it always may.  The schema reader and the
** diff ignore every table named "_libmig_%".  Like every statement of
** libmig, those that read and write it name its schema (Mig.zDb), so that
** a TEMP table of the same name never receives the bookkeeping.
**
** The bookkeeping of one call goes through a MigBook, which also records
** each change as plain SQL for mig_sql.
*/
#include "mig_int.h"
#include <stdlib.h>

#define MIG_NOW "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now')"

/* True if the schema holds the bookkeeping table. */
static int migAppliedTableExists(Mig *p){
  return migQueryInt(p, 0, "SELECT 1 FROM \"%w\".sqlite_master"
      " WHERE type='table' AND name=%Q", p->zDb, MIG_APPLIED_TABLE)!=0;
}

/* An applied revision that no script has, sorted by when it was applied
** and its id. */
typedef struct MigUnknown MigUnknown;
struct MigUnknown {
  const char *zAt;
  char *zRev;
};
static int migCmpUnknown(const void *a, const void *b){
  const MigUnknown *x = (const MigUnknown*)a, *y = (const MigUnknown*)b;
  int c = strcmp(x->zAt, y->zAt);
  return c ? c : strcmp(x->zRev, y->zRev);
}

/* Read the applied state of schema p->zDb against the scripts pS: which
** revisions are applied, and (bStrings) their checksums and times. */
static void migAppliedRead(Mig *p, MigScripts *pS, MigApplied *pA,
                           int bStrings){
  sqlite3_stmt *pStmt = 0;
  int nAlloc = 0, i;
  MigUnknown *aUnknown = 0;     /* the applied revisions no script has */
  memset(pA, 0, sizeof(*pA));
  if( p->rc!=SQLITE_OK ) return;
  pA->nRev = pS->nRev;
  pA->aApplied = migMalloc(p, pS->nRev+1);
  pA->azSum = migMalloc(p, sizeof(char*)*(pS->nRev+1));
  pA->azAt = migMalloc(p, sizeof(char*)*(pS->nRev+1));
  if( p->rc!=SQLITE_OK || !migAppliedTableExists(p) ) return;
  /* No ORDER BY: thousands of rows sorted for the few (if any) that no
  ** script has, which are sorted below. */
  pStmt = migPrepare(p, "SELECT revision, applied_at%s FROM \"%w\".\"%w\"",
      bStrings ? ", checksum" : "", p->zDb, MIG_APPLIED_TABLE);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zRev = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zAt = (const char*)sqlite3_column_text(pStmt, 1);
    MigRev *pRev = zRev ? migHashFind(&pS->revs, zRev) : 0;
    if( pRev ){
      const char *zSum;
      pA->aApplied[pRev->iOrder] = 1;
      if( !bStrings ) continue;
      zSum = (const char*)sqlite3_column_text(pStmt, 2);
      pA->azSum[pRev->iOrder] = migArenaStrndup(p, &pA->arena,
          zSum ? zSum : "", -1);
      pA->azAt[pRev->iOrder] = migArenaStrndup(p, &pA->arena,
          zAt ? zAt : "", -1);
    }else{
      if( pA->nUnknown>=nAlloc ){
        MigUnknown *aNew;
        nAlloc = nAlloc ? nAlloc*2 : 8;
        aNew = sqlite3_realloc64(aUnknown, sizeof(MigUnknown)*nAlloc);
        if( aNew==0 ){
          migErrorSet(p, SQLITE_NOMEM, 0);
          break;
        }
        aUnknown = aNew;
      }
      aUnknown[pA->nUnknown].zAt = migArenaStrndup(p, &pA->arena,
          zAt ? zAt : "", -1);
      aUnknown[pA->nUnknown].zRev = migArenaStrndup(p, &pA->arena,
          zRev ? zRev : "", -1);
      if( p->rc==SQLITE_OK ) pA->nUnknown++;
    }
  }
  migFinalize(p, pStmt);
  if( pA->nUnknown>0 ){
    qsort(aUnknown, pA->nUnknown, sizeof(MigUnknown), migCmpUnknown);
    pA->azUnknown = migMalloc(p, sizeof(char*)*pA->nUnknown);
  }
  for(i=0; pA->azUnknown && i<pA->nUnknown; i++){
    pA->azUnknown[i] = aUnknown[i].zRev;
  }
  if( p->rc!=SQLITE_OK ) pA->nUnknown = 0;
  sqlite3_free(aUnknown);
}

/* Read the applied state of schema p->zDb against the scripts pS. */
void migAppliedLoad(Mig *p, MigScripts *pS, MigApplied *pA){
  migAppliedRead(p, pS, pA, 1);
}

void migAppliedClear(MigApplied *pA){
  sqlite3_free(pA->aApplied);
  sqlite3_free(pA->azSum);
  sqlite3_free(pA->azAt);
  sqlite3_free(pA->azUnknown);
  migArenaFree(&pA->arena);
  memset(pA, 0, sizeof(*pA));
}

/* The current revisions of the applied set aSet (those without an
** applied child), then the unknown applied ids, comma-separated; NULL
** when nothing is applied. */
char *migCurrentOf(Mig *p, MigScripts *pS, const unsigned char *aSet,
                          int nUnknown, char **azUnknown){
  sqlite3_str *pStr;
  char *z;
  int i, j, n = 0;
  if( p->rc!=SQLITE_OK ) return 0;
  pStr = sqlite3_str_new(p->db);
  for(i=0; i<pS->nRev; i++){
    MigRev *pRev = pS->apRev[i];
    if( !aSet[i] ) continue;
    for(j=0; j<pRev->nChild; j++){
      if( aSet[pRev->apChild[j]->iOrder] ) break;
    }
    if( j<pRev->nChild ) continue;
    sqlite3_str_appendf(pStr, "%s%s", n++ ? "," : "", pRev->zRev);
  }
  for(i=0; i<nUnknown; i++){
    sqlite3_str_appendf(pStr, "%s%s", n++ ? "," : "", azUnknown[i]);
  }
  if( sqlite3_str_errcode(pStr) ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }
  z = sqlite3_str_finish(pStr);
  if( n==0 || p->rc!=SQLITE_OK ){
    sqlite3_free(z);
    z = 0;
  }
  return z;
}

/* Start the bookkeeping of a call: the table, created if need be (and
** recorded for mig_sql).  Online, every revision the call applies gets
** the time of the call as applied_at (one transaction, one moment);
** offline SQL asks for the time it runs at. */
void migBookOpen(Mig *p, MigBook *pB, sqlite3_str *pOut){
  char *zSql;
  memset(pB, 0, sizeof(*pB));
  pB->pOut = pOut;
  if( pOut==0 ) migUtcNow(pB->zNow, 0);
  zSql = migMprintf(p, "CREATE TABLE IF NOT EXISTS \"%w\".\"%w\""
      MIG_APPLIED_SCHEMA, p->zDb, MIG_APPLIED_TABLE);
  if( zSql ){
    migExec(p, "%s", zSql);
    if( pOut ) sqlite3_str_appendf(pOut, "%s;\n", zSql);
  }
  sqlite3_free(zSql);
  if( pOut==0 && migQueryInt(p, 1, "SELECT count(*) FROM pragma_table_xinfo("
        "%Q, %Q) WHERE name='down_revision'", MIG_APPLIED_TABLE, p->zDb)==0 ){
    migExec(p, "ALTER TABLE \"%w\".\"%w\" ADD COLUMN down_revision TEXT",
        p->zDb, MIG_APPLIED_TABLE);
  }
}

/* Bookkeeping statement *ppStmt, prepared from zFmt (with the schema and
** the table's name) the first time and kept for the whole call, so that
** a long history is not one printf and one parse per revision.  SQLite
** prepares it again by itself when a script changed the schema. */
static sqlite3_stmt *migBookStmt(Mig *p, sqlite3_stmt **ppStmt,
                                 const char *zFmt){
  if( *ppStmt==0 ) *ppStmt = migPrepare(p, zFmt, p->zDb, MIG_APPLIED_TABLE);
  return *ppStmt;
}

/* Run pStmt with the values that are not NULL of z1 to z4 bound to ?1
** to ?4.  With pB->pOut it is recorded as the plain SQL it ran:
** its text with the values in place. */
static void migBookRun(Mig *p, MigBook *pB, sqlite3_stmt *pStmt,
                       const char *z1, const char *z2, const char *z3,
                       const char *z4){
  const char *az[4];
  int i;
  if( p->rc!=SQLITE_OK || pStmt==0 ) return;
  az[0] = z1; az[1] = z2; az[2] = z3; az[3] = z4;
  for(i=0; i<4; i++){
    if( az[i] && sqlite3_bind_text(pStmt, i+1, az[i], -1, SQLITE_STATIC) ){
      migErrorFromDb(p);
    }
  }
  if( pB->pOut && p->rc==SQLITE_OK ){
    char *zSql = sqlite3_expanded_sql(pStmt);
    if( zSql==0 ) migErrorSet(p, SQLITE_NOMEM, 0);
    sqlite3_str_appendf(pB->pOut, "%s;\n", zSql);
    sqlite3_free(zSql);
  }
  migStep(p, pStmt);
  sqlite3_reset(pStmt);
}

/* Record revision pRev as applied, with its checksum (and online, its
** parents). */
void migBookApplied(Mig *p, MigBook *pB, const MigRev *pRev){
  char *zDown = pB->pOut ? 0 : migRevDownList(p, pRev);
  migBookRun(p, pB, migBookStmt(p, &pB->pIns, pB->pOut
        ? "INSERT INTO \"%w\".\"%w\"(revision, checksum, applied_at)"
          " VALUES(?1, ?2, " MIG_NOW ")"
        : "INSERT INTO \"%w\".\"%w\"(revision, checksum, applied_at,"
          " down_revision) VALUES(?1, ?2, ?3, ?4)"),
      pRev->zRev, pRev->zChecksum, pB->pOut ? 0 : pB->zNow, zDown);
  sqlite3_free(zDown);
}

void migBookParents(Mig *p, MigBook *pB, MigScripts *pS, MigApplied *pA){
  int i;
  if( pB->pOut || migQueryInt(p, 0, "SELECT 1 FROM \"%w\".\"%w\""
        " WHERE down_revision IS NULL LIMIT 1", p->zDb, MIG_APPLIED_TABLE)==0 ){
    return;
  }
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    char *zDown;
    if( !pA->aApplied[i] ) continue;
    zDown = migRevDownList(p, pS->apRev[i]);
    migBookRun(p, pB, migBookStmt(p, &pB->pDown,
          "UPDATE \"%w\".\"%w\" SET down_revision=?2 WHERE revision=?1"
          " AND down_revision IS NULL"), pS->apRev[i]->zRev, zDown, 0, 0);
    sqlite3_free(zDown);
  }
}

/* Record revision zRev as no longer applied. */
void migBookRemoved(Mig *p, MigBook *pB, const char *zRev){
  migBookRun(p, pB, migBookStmt(p, &pB->pDel,
        "DELETE FROM \"%w\".\"%w\" WHERE revision=?1"), zRev, 0, 0, 0);
}

/* Record zSum as the checksum of applied revision zRev. */
void migBookChecksum(Mig *p, MigBook *pB, const char *zRev, const char *zSum){
  migBookRun(p, pB, migBookStmt(p, &pB->pSum,
        "UPDATE \"%w\".\"%w\" SET checksum=?2 WHERE revision=?1"),
      zRev, zSum, 0, 0);
}

/* End the bookkeeping of a call. */
void migBookClose(MigBook *pB){
  sqlite3_finalize(pB->pIns);
  sqlite3_finalize(pB->pDel);
  sqlite3_finalize(pB->pSum);
  sqlite3_finalize(pB->pDown);
  memset(pB, 0, sizeof(*pB));
}

/*
** Fail when the schema records applied revisions and none of them has a
** script in pS: listing those ids as current, or counting "0 applied",
** or starting a new base next to them would all hide that the script
** location is not the directory of this database's history.
*/
void migAppliedRequireKnown(Mig *p, MigScripts *pS, MigApplied *pA){
  sqlite3_str *pStr;
  char *zList;
  int i;
  if( p->rc!=SQLITE_OK || pA->nUnknown==0 ) return;
  for(i=0; i<pS->nRev; i++){
    if( pA->aApplied[i] ) return;
  }
  pStr = sqlite3_str_new(p->db);
  for(i=0; i<pA->nUnknown && i<3; i++){
    sqlite3_str_appendf(pStr, "%s%s", i ? ", " : "", pA->azUnknown[i]);
  }
  if( pA->nUnknown>3 ) sqlite3_str_appendf(pStr, ", ...");
  zList = migStrFinish(p, pStr);
  if( zList ){
    migError(p, "%s records %d applied revision%s (%s), and none of them is"
        " in the script location %s, which %s: set the script location to"
        " the directory that holds this database's revisions"
        " (mig_config('script_location', 'dir')); if their scripts were"
        " deleted, restore them (or forget them with mig_stamp('base'))",
        p->zDb, pA->nUnknown, pA->nUnknown==1 ? "" : "s", zList, pS->zDir,
        pS->nRev==0 ? "holds no scripts" : "holds other revisions only");
  }
  sqlite3_free(zList);
}

/* Fail when schema p->zDb is read-only; zWhat is what it would change. */
void migRequireWritable(Mig *p, const char *zWhat){
  if( p->rc==SQLITE_OK && sqlite3_db_readonly(p->db, p->zDb)==1 ){
    const char *zFile = sqlite3_db_filename(p->db, p->zDb);
    migErrorSet(p, SQLITE_READONLY, "%s is read-only (%s): it was opened"
        " read-only, or the file or its directory cannot be written; nothing"
        " was changed: open it read-write to %s", p->zDb,
        zFile && zFile[0] ? zFile : "an in-memory or temporary database",
        zWhat);
  }
}

/*
** mig_current() from the applied table alone, for a connection that has
** not read the scripts (the first call, as in a command-line tool): when
** every row records its parents, exactly one applied revision has no
** applied child, and the script location still holds every applied
** revision (migScriptsConfirm: one readdir and one script, where reading
** every script is four system calls a file).  Returns that revision
** (sqlite3_free), or NULL without an error when the scripts must answer
** (nothing applied, several current revisions, a row without parents,
** a script location that does not confirm).
*/
static char *migCurrentFromBook(Mig *p){
  Mig m;
  MigArena a;
  MigHash parents;
  sqlite3_stmt *pStmt = 0;
  char **azRev = 0, **azDown = 0, *zRet = 0;
  int nRev = 0, nAlloc = 0, iCur = -1, nCur = 0, i, rc;
  if( p->rc!=SQLITE_OK ) return 0;
  memset(&a, 0, sizeof(a));
  memset(&parents, 0, sizeof(parents));
  migHandleInit(&m, p->db, 0, 0);
  /* Prepared by hand: an old table (no down_revision) or none at all is
  ** no error here. */
  {
    char *zSql = migMprintf(&m, "SELECT revision, down_revision"
        " FROM \"%w\".\"%w\"", p->zDb, MIG_APPLIED_TABLE);
    rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
  }
  while( rc==SQLITE_OK && m.rc==SQLITE_OK ){
    const char *zRev, *zDown;
    if( sqlite3_step(pStmt)!=SQLITE_ROW ){
      rc = sqlite3_finalize(pStmt)==SQLITE_OK ? SQLITE_DONE : SQLITE_ERROR;
      pStmt = 0;
      break;
    }
    zRev = (const char*)sqlite3_column_text(pStmt, 0);
    zDown = (const char*)sqlite3_column_text(pStmt, 1);
    if( zRev==0 || zDown==0 ) break;
    if( nRev>=nAlloc ){
      char **azNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      azNew = migArenaAlloc(&m, &a, sizeof(char*)*nAlloc*2);
      if( azNew==0 ) break;
      if( nRev ){
        memcpy(azNew, azRev, sizeof(char*)*nRev);
        memcpy(&azNew[nAlloc], azDown, sizeof(char*)*nRev);
      }
      azRev = azNew;
      azDown = &azNew[nAlloc];
    }
    azRev[nRev] = migArenaStrndup(&m, &a, zRev, -1);
    azDown[nRev] = migArenaStrndup(&m, &a, zDown, -1);
    nRev++;
  }
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_DONE && m.rc==SQLITE_OK ){
    /* Every id that an applied revision names as a parent (split on a
    ** copy: azDown stays as recorded). */
    for(i=0; m.rc==SQLITE_OK && i<nRev; i++){
      char *z = migArenaStrndup(&m, &a, azDown[i], -1);
      while( z && *z && m.rc==SQLITE_OK ){
        char *zEnd = strchr(z, ',');
        if( zEnd ) *zEnd = 0;
        if( *z ) migHashInsert(&m, &parents, z, z);
        z = zEnd ? zEnd+1 : z+strlen(z);
      }
    }
    for(i=0; m.rc==SQLITE_OK && i<nRev; i++){
      if( migHashFind(&parents, azRev[i]) ) continue;
      iCur = i;
      nCur++;
    }
  }
  migErrorDrop(p, &m);
  if( nCur==1 && migScriptsConfirm(p, p->pConfig->zScriptLocation, nRev,
                                   azRev, iCur, azDown[iCur]) ){
    zRet = migStrndup(p, azRev[iCur], -1);
  }
  migHashClear(&parents);
  migArenaFree(&a);
  return zRet;
}

/* mig_current(): the current revision(s), NULL at base.  From the
** applied table and the scripts' headers: a listing (migScriptsList),
** or on a connection that has not read them, the applied table alone
** where it can answer (migCurrentFromBook). */
void migCurrentFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigScripts *pS;
  MigApplied ap;
  char *zCur;
  (void)argc; (void)argv;
  migCallBegin(&m, ctx, "mig_current");
  if( m.rc==SQLITE_OK && (m.pConfig->pScripts==0
       || strcmp(m.pConfig->pScripts->zDir, m.pConfig->zScriptLocation)) ){
    zCur = migCurrentFromBook(&m);
    if( zCur ){
      sqlite3_result_text(ctx, zCur, -1, sqlite3_free);
      migCallEnd(&m, ctx);
      return;
    }
  }
  pS = migScriptsList(&m, 1);
  migAppliedRead(&m, pS, &ap, 0);
  migAppliedRequireKnown(&m, pS, &ap);
  zCur = migCurrentOf(&m, pS, ap.aApplied, ap.nUnknown, ap.azUnknown);
  if( m.rc==SQLITE_OK && zCur ){
    sqlite3_result_text(ctx, zCur, -1, sqlite3_free);
    zCur = 0;
  }
  sqlite3_free(zCur);
  migAppliedClear(&ap);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}
