/*
** mig_apply.c: the applied state of a database and the SQL functions that
** move it between revisions.
**
** The applied state lives in the target database itself, in
**
**     CREATE TABLE "_libmig_applied"(
**       revision TEXT PRIMARY KEY,    -- the revision id
**       checksum TEXT NOT NULL,       -- of its script when applied
**       applied_at TEXT NOT NULL      -- ISO-8601 UTC
**     );
**
** created on first need, holding one row per applied revision (not only
** the heads, as Alembic's alembic_version does: the checksums let libmig
** notice a script edited after it was applied).  The set of applied
** revisions is always closed under "parent of"; the current revisions are
** the applied ones without an applied child.  The schema reader and the
** diff ignore every table named "_libmig_%".
**
** One mig_upgrade/mig_downgrade/mig_stamp call is one transaction: the
** foreign_keys setting is saved and turned off (outside the transaction,
** where the pragma works), BEGIN IMMEDIATE, every revision's section and
** its bookkeeping, PRAGMA foreign_key_check, COMMIT; on any error
** ROLLBACK; foreign_keys is restored whatever happens.  Inside the user's
** own transaction a SAVEPOINT is used instead and foreign_keys is left
** alone.
**
** Targets: head, heads, base, +N, -N, a revision id or a unique prefix of
** one (for mig_upgrade and mig_stamp also a comma-separated list of ids).
** A script edited after it was applied (its checksum differs from the
** recorded one) stops any upgrade that builds on it and any downgrade
** that reverts it, until mig_stamp records the new checksum.
**
** mig_check, mig_sql and mig_test work on a scratch connection: a private
** in-memory database with libmig registered (sqlite3_mig_init), into
** which the scripts are replayed.  mig_check compares main with models
** and with that replay; mig_sql records, with sqlite3_trace_v2, every
** statement that writes while the scripts run on the replay (the steps
** that mig_rebuild runs included), which gives plain SQL; mig_test runs
** pytest-alembic's checks there.
*/
#include "mig_int.h"

#define MIG_OP_UP     1
#define MIG_OP_DOWN   2
#define MIG_OP_STAMP  3

/* The scripts of the script location.  Errors about the files name the
** SQL function too, as every other error of a call does. */
static MigScripts *migLoadScripts(Mig *p, const char *zFunc, MigConfig *pC){
  MigScripts *pS = migScriptsLoad(p, pC->zScriptLocation);
  migErrorPrefix(p, zFunc);
  return pS;
}

/* True if main holds the bookkeeping table. */
static int migAppliedTableExists(Mig *p){
  int bFound = 0;
  sqlite3_stmt *pStmt = migPrepare(p,
      "SELECT 1 FROM main.sqlite_schema WHERE type='table' AND name=%Q",
      MIG_APPLIED_TABLE);
  if( migStep(p, pStmt)==SQLITE_ROW ) bFound = 1;
  migFinalize(p, pStmt);
  return bFound;
}

/* Read the applied state of main against the scripts pS. */
void migAppliedLoad(Mig *p, MigScripts *pS, MigApplied *pA){
  sqlite3_stmt *pStmt = 0;
  int nAlloc = 0;
  memset(pA, 0, sizeof(*pA));
  if( p->rc!=SQLITE_OK ) return;
  pA->nRev = pS->nRev;
  pA->aApplied = migMalloc(p, pS->nRev+1);
  pA->azSum = migMalloc(p, sizeof(char*)*(pS->nRev+1));
  pA->azAt = migMalloc(p, sizeof(char*)*(pS->nRev+1));
  if( p->rc!=SQLITE_OK || !migAppliedTableExists(p) ) return;
  pStmt = migPrepare(p, "SELECT revision, checksum, applied_at"
      " FROM main.\"%w\" ORDER BY applied_at, revision", MIG_APPLIED_TABLE);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zRev = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zSum = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zAt = (const char*)sqlite3_column_text(pStmt, 2);
    MigRev *pRev = zRev ? migHashFind(&pS->revs, zRev) : 0;
    if( pRev ){
      pA->aApplied[pRev->iOrder] = 1;
      pA->azSum[pRev->iOrder] = migStrndup(p, zSum ? zSum : "", -1);
      pA->azAt[pRev->iOrder] = migStrndup(p, zAt ? zAt : "", -1);
    }else{
      if( pA->nUnknown>=nAlloc ){
        char **azNew;
        nAlloc = nAlloc ? nAlloc*2 : 8;
        azNew = sqlite3_realloc64(pA->azUnknown, sizeof(char*)*nAlloc);
        if( azNew==0 ){
          migErrorSet(p, SQLITE_NOMEM, 0);
          break;
        }
        pA->azUnknown = azNew;
      }
      pA->azUnknown[pA->nUnknown] = migStrndup(p, zRev ? zRev : "", -1);
      if( pA->azUnknown[pA->nUnknown] ) pA->nUnknown++;
    }
  }
  migFinalize(p, pStmt);
}

void migAppliedClear(MigApplied *pA){
  int i;
  for(i=0; i<pA->nRev; i++){
    if( pA->azSum ) sqlite3_free(pA->azSum[i]);
    if( pA->azAt ) sqlite3_free(pA->azAt[i]);
  }
  for(i=0; i<pA->nUnknown; i++) sqlite3_free(pA->azUnknown[i]);
  sqlite3_free(pA->aApplied);
  sqlite3_free(pA->azSum);
  sqlite3_free(pA->azAt);
  sqlite3_free(pA->azUnknown);
  memset(pA, 0, sizeof(*pA));
}

/* The current revisions of the applied set aSet (those without an
** applied child), then the unknown applied ids, comma-separated; NULL
** when nothing is applied. */
static char *migCurrentOf(Mig *p, MigScripts *pS, const unsigned char *aSet,
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

/* Set pRev and all its ancestors in aSet.  apStack has room for nRev. */
static void migSetWithAncestors(MigRev *pRev, unsigned char *aSet,
                                MigRev **apStack){
  int n = 0, i;
  if( aSet[pRev->iOrder] ) return;
  aSet[pRev->iOrder] = 1;
  apStack[n++] = pRev;
  while( n>0 ){
    MigRev *pCur = apStack[--n];
    for(i=0; i<pCur->nDown; i++){
      MigRev *pUp = pCur->apDown[i];
      if( !aSet[pUp->iOrder] ){
        aSet[pUp->iOrder] = 1;
        apStack[n++] = pUp;
      }
    }
  }
}

/* Clear every descendant of pRev (not pRev itself) in aSet. */
static void migClearDescendants(MigRev *pRev, unsigned char *aSet,
                                unsigned char *aSeen, MigRev **apStack){
  int n = 0, i;
  apStack[n++] = pRev;
  while( n>0 ){
    MigRev *pCur = apStack[--n];
    for(i=0; i<pCur->nChild; i++){
      MigRev *pDown = pCur->apChild[i];
      if( !aSeen[pDown->iOrder] ){
        aSeen[pDown->iOrder] = 1;
        aSet[pDown->iOrder] = 0;
        apStack[n++] = pDown;
      }
    }
  }
}

/* Parse "+N" or "-N" (cSign); returns N, or 0 when zTarget is not one. */
static int migRelative(const char *zTarget, char cSign){
  int i, n = 0;
  if( zTarget[0]!=cSign || zTarget[1]==0 ) return 0;
  for(i=1; zTarget[i]; i++){
    if( zTarget[i]<'0' || zTarget[i]>'9' || n>100000000 ) return 0;
    n = n*10 + (zTarget[i]-'0');
  }
  return n;
}

/*
** Compute in aNew the applied set that target zTarget asks for, from the
** applied set aOld, for an upgrade, a downgrade or a stamp.
*/
static void migTargetSet(
  Mig *p, const char *zFunc, MigScripts *pS, const unsigned char *aOld,
  const char *zTarget, int eOp, unsigned char *aNew
){
  int nRev;
  int i, j, n;
  MigRev **apStack = 0;
  unsigned char *aSeen = 0;
  if( p->rc!=SQLITE_OK ) return;
  nRev = pS->nRev;
  apStack = migMalloc(p, sizeof(MigRev*)*(nRev+1));
  aSeen = migMalloc(p, nRev+1);
  if( p->rc!=SQLITE_OK ) goto target_out;
  memcpy(aNew, aOld, nRev);

  if( sqlite3_stricmp(zTarget, "head")==0 || sqlite3_stricmp(zTarget, "heads")==0 ){
    if( eOp==MIG_OP_DOWN ){
      migErrorSet(p, SQLITE_ERROR, "%s: '%s' is not a downgrade target: use"
          " -N, base or a revision", zFunc, zTarget);
    }else if( sqlite3_stricmp(zTarget, "head")==0 && pS->nHead>1 ){
      char *zList = migScriptsHeadList(p, pS);
      if( zList ){
        migErrorSet(p, SQLITE_ERROR, "%s: there are several heads (%s): name"
            " one of them, use 'heads', or merge them with mig_merge",
            zFunc, zList);
      }
      sqlite3_free(zList);
    }else{
      for(i=0; i<pS->nHead; i++){
        migSetWithAncestors(pS->apHead[i], aNew, apStack);
      }
    }
  }else if( sqlite3_stricmp(zTarget, "base")==0 ){
    if( eOp==MIG_OP_UP ){
      migErrorSet(p, SQLITE_ERROR, "%s: 'base' is not an upgrade target:"
          " use mig_downgrade('base')", zFunc);
    }else{
      memset(aNew, 0, nRev);
    }
  }else if( zTarget[0]=='+' ){
    n = migRelative(zTarget, '+');
    if( n<=0 ){
      migErrorSet(p, SQLITE_ERROR, "%s: bad target '%s': +N needs a number"
          " above 0", zFunc, zTarget);
    }else if( eOp==MIG_OP_DOWN ){
      migErrorSet(p, SQLITE_ERROR, "%s: '%s' is not a downgrade target: use"
          " -N, base or a revision", zFunc, zTarget);
    }else{
      int k = 0;
      for(i=0; i<nRev && k<n; i++){
        MigRev *pRev = pS->apRev[i];
        if( aNew[i] ) continue;
        for(j=0; j<pRev->nDown; j++){
          if( !aNew[pRev->apDown[j]->iOrder] ) break;
        }
        if( j<pRev->nDown ) continue;
        aNew[i] = 1;
        k++;
      }
      if( k<n ){
        migErrorSet(p, SQLITE_ERROR, "%s: cannot go %s: only %d revision%s"
            " left to apply", zFunc, zTarget, k, k==1 ? " is" : "s are");
      }
    }
  }else if( zTarget[0]=='-' ){
    n = migRelative(zTarget, '-');
    if( n<=0 ){
      migErrorSet(p, SQLITE_ERROR, "%s: bad target '%s': -N needs a number"
          " above 0", zFunc, zTarget);
    }else if( eOp==MIG_OP_UP ){
      migErrorSet(p, SQLITE_ERROR, "%s: '%s' is not an upgrade target:"
          " use mig_downgrade('%s')", zFunc, zTarget, zTarget);
    }else{
      int k = 0;
      for(i=nRev-1; i>=0 && k<n; i--){
        MigRev *pRev = pS->apRev[i];
        if( !aNew[i] ) continue;
        for(j=0; j<pRev->nChild; j++){
          if( aNew[pRev->apChild[j]->iOrder] ) break;
        }
        if( j<pRev->nChild ) continue;
        aNew[i] = 0;
        k++;
      }
      if( k<n ){
        migErrorSet(p, SQLITE_ERROR, "%s: cannot go %s: only %d revision%s"
            " applied", zFunc, zTarget, k, k==1 ? " is" : "s are");
      }
    }
  }else{
    /* One revision, or (up and stamp) a comma-separated list of them. */
    const char *z = zTarget;
    if( eOp==MIG_OP_STAMP ) memset(aNew, 0, nRev);
    while( p->rc==SQLITE_OK ){
      char *zId;
      MigRev *pRev;
      int nId;
      while( *z==' ' ) z++;
      for(nId=0; z[nId] && z[nId]!=',' && z[nId]!=' '; nId++);
      if( eOp==MIG_OP_DOWN ) nId = (int)strlen(z);
      zId = migStrndup(p, z, nId);
      pRev = zId ? migScriptsFind(p, pS, zFunc, zId) : 0;
      sqlite3_free(zId);
      if( pRev==0 ) break;
      if( eOp==MIG_OP_DOWN ){
        if( !aOld[pRev->iOrder] ){
          migErrorSet(p, SQLITE_ERROR, "%s: revision %s is not applied:"
              " a downgrade target must be an applied revision",
              zFunc, pRev->zRev);
        }
        migClearDescendants(pRev, aNew, aSeen, apStack);
      }else{
        if( eOp==MIG_OP_UP && aOld[pRev->iOrder] ){
          for(j=0; j<pRev->nChild; j++){
            if( aOld[pRev->apChild[j]->iOrder] ) break;
          }
          if( j<pRev->nChild ){
            migErrorSet(p, SQLITE_ERROR, "%s: revision %s is below the"
                " current revision: use mig_downgrade('%s') to go back to it",
                zFunc, pRev->zRev, pRev->zRev);
          }
        }
        migSetWithAncestors(pRev, aNew, apStack);
      }
      z += nId;
      while( *z==' ' ) z++;
      if( *z!=',' ) break;
      z++;
    }
  }

 target_out:
  sqlite3_free(apStack);
  sqlite3_free(aSeen);
}

/*
** The transaction of one call: BEGIN IMMEDIATE with foreign keys off, or
** a savepoint inside the user's transaction.
*/
typedef struct MigTxn MigTxn;
struct MigTxn {
  int bOwn;             /* 1: BEGIN/COMMIT; 0: SAVEPOINT/RELEASE */
  int bStarted;         /* the transaction or savepoint is open */
  int bFkWasOn;         /* foreign_keys was on: restore it */
};
#define MIG_SAVEPOINT "libmig_apply"

static void migTxnBegin(Mig *p, MigTxn *pT){
  memset(pT, 0, sizeof(*pT));
  if( p->rc!=SQLITE_OK ) return;
  if( sqlite3_get_autocommit(p->db) ){
    sqlite3_stmt *pStmt = migPrepare(p, "PRAGMA foreign_keys");
    if( migStep(p, pStmt)==SQLITE_ROW ){
      pT->bFkWasOn = sqlite3_column_int(pStmt, 0);
    }
    migFinalize(p, pStmt);
    pT->bOwn = 1;
    if( pT->bFkWasOn ) migExec(p, "PRAGMA foreign_keys=OFF");
    /* Started as soon as it is tried: BEGIN can open the transaction and
    ** still report an error (out of memory after the step), and then
    ** migTxnEnd must roll it back. */
    if( p->rc==SQLITE_OK ) pT->bStarted = 1;
    migExec(p, "BEGIN IMMEDIATE");
  }else{
    if( p->rc==SQLITE_OK ) pT->bStarted = 1;
    migExec(p, "SAVEPOINT " MIG_SAVEPOINT);
  }
}

/* Commit when all went well, else roll back; restore foreign_keys. */
static void migTxnEnd(Mig *p, MigTxn *pT){
  Mig m2;
  memset(&m2, 0, sizeof(m2));
  m2.db = p->db;
  if( pT->bStarted && p->rc==SQLITE_OK ){
    migExec(p, pT->bOwn ? "COMMIT" : "RELEASE " MIG_SAVEPOINT);
  }
  if( pT->bStarted && p->rc!=SQLITE_OK ){
    if( pT->bOwn ){
      if( !sqlite3_get_autocommit(p->db) ) migExec(&m2, "ROLLBACK");
    }else{
      migExec(&m2, "ROLLBACK TO " MIG_SAVEPOINT "; RELEASE " MIG_SAVEPOINT);
    }
    migReset(&m2);
  }
  if( pT->bFkWasOn ){
    migExec(&m2, "PRAGMA foreign_keys=ON");
    if( m2.rc!=SQLITE_OK && p->rc==SQLITE_OK ){
      migErrorSet(p, m2.rc, "%s", m2.zErr ? m2.zErr : "cannot restore"
          " PRAGMA foreign_keys=ON");
    }
    migReset(&m2);
  }
}


/* True if the statement at z starts with BEGIN, COMMIT, END or ROLLBACK:
** a script must not end the transaction that the whole call runs in. */
static int migIsTxnControl(const char *z){
  int n, eType = MIG_TK_SPACE;
  const unsigned char *zU = (const unsigned char*)z;
  while( (n = migGetToken(zU, &eType))>0 && eType==MIG_TK_SPACE ) zU += n;
  if( eType!=MIG_TK_ID ) return 0;
  return (n==5 && sqlite3_strnicmp((const char*)zU, "begin", 5)==0)
      || (n==6 && sqlite3_strnicmp((const char*)zU, "commit", 6)==0)
      || (n==3 && sqlite3_strnicmp((const char*)zU, "end", 3)==0)
      || (n==8 && sqlite3_strnicmp((const char*)zU, "rollback", 8)==0);
}

/* The code a failed statement of a script is reported with: its own when
** it says something the caller may act on (a constraint, a full disk, an
** I/O error, a busy or read-only database), else SQLITE_ERROR. */
static int migSectionErrCode(int rc){
  switch( rc & 0xff ){
    case SQLITE_CONSTRAINT: case SQLITE_IOERR: case SQLITE_FULL:
    case SQLITE_CORRUPT: case SQLITE_READONLY: case SQLITE_CANTOPEN:
    case SQLITE_NOTADB: case SQLITE_BUSY: case SQLITE_LOCKED:
    case SQLITE_INTERRUPT:
      return rc & 0xff;
  }
  return SQLITE_ERROR;
}

/*
** Run one section of a revision statement by statement, so that an error
** can quote the statement that failed.
*/
static void migRunSection(Mig *p, const char *zFunc, MigRev *pRev,
                          const char *zSection, const char *zSql){
  const char *zTail = zSql;
  while( p->rc==SQLITE_OK && zTail && zTail[0] ){
    const char *zStart = zTail;
    int rc;
    int n = 0;
    const char *zStmt;
    if( migIsTxnControl(zStart) ){
      zStmt = migStatementExtent(zStart, &n);
      migErrorSet(p, SQLITE_ERROR, "%s: revision %s (%s), %s section: %.*s"
          " is not allowed in a script: libmig runs the whole call as one"
          " transaction", zFunc, pRev->zRev, pRev->zFile, zSection, n, zStmt);
      break;
    }
    rc = migRunOne(p->db, zStart, &zTail);
    if( rc==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else if( rc!=SQLITE_OK ){
      zStmt = migStatementExtent(zStart, &n);
      migErrorSet(p, migSectionErrCode(rc),
          "%s: revision %s (%s), %s section: %s, in: %.*s",
          zFunc, pRev->zRev, pRev->zFile, zSection, sqlite3_errmsg(p->db),
          n, zStmt);
    }
  }
}

/* Fail when the migration left foreign key violations in main. */
static void migForeignKeyCheck(Mig *p, const char *zFunc){
  sqlite3_stmt *pStmt = migPrepare(p, "PRAGMA main.foreign_key_check");
  int n = 0;
  char *zFirst = 0;
  while( migStep(p, pStmt)==SQLITE_ROW ){
    if( n==0 ){
      const char *zRowid = (const char*)sqlite3_column_text(pStmt, 1);
      zFirst = migMprintf(p, "table \"%w\" row %s references \"%w\"",
          (const char*)sqlite3_column_text(pStmt, 0),
          zRowid ? zRowid : "(without rowid)",
          (const char*)sqlite3_column_text(pStmt, 2));
    }
    n++;
  }
  migFinalize(p, pStmt);
  if( p->rc==SQLITE_OK && n>0 ){
    migErrorSet(p, SQLITE_CONSTRAINT, "%s: the migration leaves %d foreign key"
        " violation%s (first: %s); nothing was changed", zFunc, n,
        n==1 ? "" : "s", zFirst ? zFirst : "");
  }
  sqlite3_free(zFirst);
}

/* Fail when an applied revision has no script. */
static void migCheckUnknown(Mig *p, const char *zFunc, MigScripts *pS,
                            MigApplied *pA){
  if( p->rc==SQLITE_OK && pA->nUnknown>0 ){
    migErrorSet(p, SQLITE_ERROR, "%s: revision %s is recorded as applied in"
        " main.\"%s\" but no script in %s has it: restore the script, or"
        " re-stamp with mig_stamp", zFunc, pA->azUnknown[0],
        MIG_APPLIED_TABLE, pS->zDir);
  }
}

/* Fail when the script of applied revision pRev changed since. */
static void migCheckEdited(Mig *p, const char *zFunc, MigScripts *pS,
                           MigApplied *pA, MigRev *pRev){
  const char *zSum = pA->azSum[pRev->iOrder];
  if( p->rc==SQLITE_OK && zSum && strcmp(zSum, pRev->zChecksum)!=0 ){
    char *zCur = migCurrentOf(p, pS, pA->aApplied, pA->nUnknown,
                              pA->azUnknown);
    if( p->rc==SQLITE_OK ){
      migErrorSet(p, SQLITE_ERROR, "%s: the script %s of applied revision %s"
          " was edited after it was applied: review the change, then accept"
          " it with mig_stamp('%s')", zFunc, pRev->zFile, pRev->zRev,
          zCur ? zCur : "base");
    }
    sqlite3_free(zCur);
  }
}

/* Fail when an applied ancestor of a revision to apply was edited. */
static void migCheckEditedBelow(Mig *p, const char *zFunc, MigScripts *pS,
                                MigApplied *pA, const unsigned char *aNew){
  int nRev = p->rc==SQLITE_OK ? pS->nRev : 0;
  unsigned char *aSeen = migMalloc(p, nRev+1);
  MigRev **apStack = migMalloc(p, sizeof(MigRev*)*(nRev+1));
  int i, j, n;
  for(i=0; p->rc==SQLITE_OK && i<nRev; i++){
    if( !aNew[i] || pA->aApplied[i] ) continue;
    n = 0;
    apStack[n++] = pS->apRev[i];
    while( n>0 && p->rc==SQLITE_OK ){
      MigRev *pCur = apStack[--n];
      for(j=0; j<pCur->nDown; j++){
        MigRev *pUp = pCur->apDown[j];
        if( aSeen[pUp->iOrder] ) continue;
        aSeen[pUp->iOrder] = 1;
        if( pA->aApplied[pUp->iOrder] ) migCheckEdited(p, zFunc, pS, pA, pUp);
        apStack[n++] = pUp;
      }
    }
  }
  sqlite3_free(aSeen);
  sqlite3_free(apStack);
}

/*
** Recording for mig_sql: while a section runs on the scratch database,
** every statement that writes (including those that mig_rebuild runs
** for its 12 steps) is appended to the output as plain SQL.  Reads,
** transaction control and the programs of triggers are not recorded.
*/
static int migTraceRecord(unsigned mask, void *pCtx, void *pP, void *pX){
  sqlite3_str *pOut = (sqlite3_str*)pCtx;
  sqlite3_stmt *pStmt = (sqlite3_stmt*)pP;
  const char *zX = (const char*)pX;
  const char *zSql;
  char *zExp = 0;
  int n;
  if( mask!=SQLITE_TRACE_STMT || sqlite3_stmt_readonly(pStmt) ) return 0;
  zSql = sqlite3_sql(pStmt);
  if( zSql==0 || zX==0 ) return 0;
  /* SQLite reports a statement run from inside another one (the steps of
  ** mig_rebuild) as "-- <sql>", and a trigger program as "-- TRIGGER". */
  if( strcmp(zSql, zX)!=0
   && (strncmp(zX, "-- ", 3)!=0 || strcmp(zSql, &zX[3])!=0) ){
    return 0;
  }
  if( sqlite3_bind_parameter_count(pStmt)>0 ){
    zExp = sqlite3_expanded_sql(pStmt);
    if( zExp ) zSql = zExp;
  }
  while( zSql[0]==' ' || zSql[0]=='\n' || zSql[0]=='\t' || zSql[0]=='\r' ){
    zSql++;
  }
  n = (int)strlen(zSql);
  while( n>0 && (zSql[n-1]==' ' || zSql[n-1]=='\n' || zSql[n-1]=='\t'
              || zSql[n-1]=='\r' || zSql[n-1]==';') ){
    n--;
  }
  sqlite3_str_appendf(pOut, "%.*s;\n", n, zSql);
  sqlite3_free(zExp);
  return 0;
}

/* Run a section, recording what it writes into pOut if not NULL. */
static void migRunRecorded(Mig *p, const char *zFunc, MigRev *pRev,
                           const char *zSection, const char *zSql,
                           sqlite3_str *pOut){
  if( pOut ){
    sqlite3_str_appendf(pOut, "\n-- %s %s: %s\n", zSection, pRev->zRev,
        pRev->zMessage);
    sqlite3_trace_v2(p->db, SQLITE_TRACE_STMT, migTraceRecord, pOut);
  }
  migRunSection(p, zFunc, pRev, zSection, zSql);
  if( pOut ) sqlite3_trace_v2(p->db, 0, 0, 0);
}

/* Run a bookkeeping statement, and append it to pOut if not NULL. */
static void migBookkeep(Mig *p, sqlite3_str *pOut, const char *zFmt, ...){
  char *zSql;
  va_list ap;
  if( p->rc!=SQLITE_OK ) return;
  va_start(ap, zFmt);
  zSql = migVMprintf(p, zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return;
  migExec(p, "%s", zSql);
  if( pOut ) sqlite3_str_appendf(pOut, "%s;\n", zSql);
  sqlite3_free(zSql);
}

#define MIG_APPLIED_SCHEMA "(revision TEXT PRIMARY KEY," \
    " checksum TEXT NOT NULL, applied_at TEXT NOT NULL)"
#define MIG_NOW "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now')"

/*
** Move the main database of p->db to the applied set that zTarget names
** (eOp: up, down or stamp) in one transaction.  Returns the new current
** revision(s) (sqlite3_free), NULL at base.  With pOut, every statement
** that writes is also recorded there (mig_sql).
*/
static char *migMoveCore(Mig *p, MigScripts *pS, const char *zFunc,
                         const char *zTarget, int eOp, sqlite3_str *pOut){
  MigApplied ap;
  MigTxn txn;
  unsigned char *aNew = 0;
  char *zRet = 0;
  int i;

  memset(&ap, 0, sizeof(ap));
  migTxnBegin(p, &txn);
  migExec(p, "CREATE TABLE IF NOT EXISTS main.\"%w\"" MIG_APPLIED_SCHEMA,
      MIG_APPLIED_TABLE);
  migAppliedLoad(p, pS, &ap);
  if( p->rc==SQLITE_OK ) aNew = migMalloc(p, pS->nRev+1);
  migTargetSet(p, zFunc, pS, ap.aApplied, zTarget, eOp, aNew);

  if( eOp==MIG_OP_UP ){
    migCheckUnknown(p, zFunc, pS, &ap);
    migCheckEditedBelow(p, zFunc, pS, &ap, aNew);
    for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
      MigRev *pRev = pS->apRev[i];
      if( !aNew[i] || ap.aApplied[i] ) continue;
      migRunRecorded(p, zFunc, pRev, "upgrade", pRev->zUpgrade, pOut);
      migBookkeep(p, pOut, "INSERT INTO \"%w\" VALUES(%Q, %Q, " MIG_NOW ")",
          MIG_APPLIED_TABLE, pRev->zRev, pRev->zChecksum);
    }
    migForeignKeyCheck(p, zFunc);
  }else if( eOp==MIG_OP_DOWN ){
    migCheckUnknown(p, zFunc, pS, &ap);
    for(i=pS->nRev-1; p->rc==SQLITE_OK && i>=0; i--){
      if( !aNew[i] && ap.aApplied[i] ){
        migCheckEdited(p, zFunc, pS, &ap, pS->apRev[i]);
      }
    }
    for(i=pS->nRev-1; p->rc==SQLITE_OK && i>=0; i--){
      MigRev *pRev = pS->apRev[i];
      if( aNew[i] || !ap.aApplied[i] ) continue;
      migRunRecorded(p, zFunc, pRev, "downgrade", pRev->zDowngrade, pOut);
      migBookkeep(p, pOut, "DELETE FROM \"%w\" WHERE revision=%Q",
          MIG_APPLIED_TABLE, pRev->zRev);
    }
    migForeignKeyCheck(p, zFunc);
  }else{
    /* A stamp records exactly the new set, with today's checksums. */
    for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
      MigRev *pRev = pS->apRev[i];
      if( aNew[i] && ap.aApplied[i] ){
        migBookkeep(p, pOut, "UPDATE \"%w\" SET checksum=%Q WHERE revision=%Q",
            MIG_APPLIED_TABLE, pRev->zChecksum, pRev->zRev);
      }else if( aNew[i] ){
        migBookkeep(p, pOut, "INSERT INTO \"%w\" VALUES(%Q, %Q, " MIG_NOW ")",
            MIG_APPLIED_TABLE, pRev->zRev, pRev->zChecksum);
      }else if( ap.aApplied[i] ){
        migBookkeep(p, pOut, "DELETE FROM \"%w\" WHERE revision=%Q",
            MIG_APPLIED_TABLE, pRev->zRev);
      }
    }
    for(i=0; p->rc==SQLITE_OK && i<ap.nUnknown; i++){
      migBookkeep(p, pOut, "DELETE FROM \"%w\" WHERE revision=%Q",
          MIG_APPLIED_TABLE, ap.azUnknown[i]);
    }
  }
  if( p->rc==SQLITE_OK ) zRet = migCurrentOf(p, pS, aNew, 0, 0);
  migTxnEnd(p, &txn);
  if( p->rc!=SQLITE_OK ){
    sqlite3_free(zRet);
    zRet = 0;
  }
  sqlite3_free(aNew);
  migAppliedClear(&ap);
  return zRet;
}

/*
** mig_upgrade(target), mig_downgrade(target), mig_stamp(target).
*/
static void migMove(sqlite3_context *ctx, sqlite3_value **argv, int eOp,
                    const char *zFunc){
  Mig m;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS = 0;
  char *zRet = 0;
  const char *zTarget;

  migCallBegin(&m, ctx);
  zTarget = migArgText(&m, zFunc, argv, 0, "target");
  pS = migLoadScripts(&m, zFunc, pConfig);
  if( m.rc==SQLITE_OK ) zRet = migMoveCore(&m, pS, zFunc, zTarget, eOp, 0);
  if( m.rc==SQLITE_OK ){
    if( zRet ){
      sqlite3_result_text(ctx, zRet, -1, sqlite3_free);
      zRet = 0;
    }else{
      sqlite3_result_null(ctx);
    }
  }
  sqlite3_free(zRet);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

void migUpgradeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  migMove(ctx, argv, MIG_OP_UP, "mig_upgrade");
}
void migDowngradeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  migMove(ctx, argv, MIG_OP_DOWN, "mig_downgrade");
}
void migStampFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  migMove(ctx, argv, MIG_OP_STAMP, "mig_stamp");
}

/* mig_current(): the current revision(s) of main, NULL at base. */
void migCurrentFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS;
  MigApplied ap;
  char *zCur;
  (void)argc; (void)argv;
  migCallBegin(&m, ctx);
  pS = migLoadScripts(&m, "mig_current", pConfig);
  migAppliedLoad(&m, pS, &ap);
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

/* Fail when there are several heads: a new revision needs one parent. */
static void migRequireOneHead(Mig *p, const char *zFunc, MigScripts *pS){
  if( p->rc==SQLITE_OK && pS->nHead>1 ){
    char *zList = migScriptsHeadList(p, pS);
    if( zList ){
      migErrorSet(p, SQLITE_ERROR, "%s: there are several heads (%s): merge"
          " them with mig_merge first", zFunc, zList);
    }
    sqlite3_free(zList);
  }
}

/* mig_revision(message [, upgrade_sql [, downgrade_sql]]): a hand-written
** revision on top of the head.  Returns its id. */
void migRevisionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS;
  const char *zMsg, *zUp = "", *zDown = "";
  char *zRev = 0;
  migCallBegin(&m, ctx);
  zMsg = migArgText(&m, "mig_revision", argv, 0, "message");
  if( argc>1 ) zUp = migArgText(&m, "mig_revision", argv, 1, "upgrade_sql");
  if( argc>2 ) zDown = migArgText(&m, "mig_revision", argv, 2, "downgrade_sql");
  pS = migLoadScripts(&m, "mig_revision", pConfig);
  migRequireOneHead(&m, "mig_revision", pS);
  if( m.rc==SQLITE_OK ){
    zRev = migScriptWrite(&m, pConfig->zScriptLocation, zMsg, pS->nHead,
                          pS->apHead, zUp, zDown);
  }
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zRev, -1, sqlite3_free);
    zRev = 0;
  }
  sqlite3_free(zRev);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

/* mig_merge(message): a revision whose parents are all the heads. */
void migMergeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS;
  const char *zMsg = "merge";
  char *zRev = 0;
  migCallBegin(&m, ctx);
  if( argc>0 ) zMsg = migArgText(&m, "mig_merge", argv, 0, "message");
  pS = migLoadScripts(&m, "mig_merge", pConfig);
  if( m.rc==SQLITE_OK && pS->nHead<2 ){
    if( pS->nHead==0 ){
      migErrorSet(&m, SQLITE_ERROR, "mig_merge: there are no revisions in %s:"
          " nothing to merge", pS->zDir);
    }else{
      migErrorSet(&m, SQLITE_ERROR, "mig_merge: there is only one head (%s):"
          " nothing to merge", pS->apHead[0]->zRev);
    }
  }
  if( m.rc==SQLITE_OK ){
    zRev = migScriptWrite(&m, pConfig->zScriptLocation, zMsg, pS->nHead,
                          pS->apHead, "", "");
  }
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zRev, -1, sqlite3_free);
    zRev = 0;
  }
  sqlite3_free(zRev);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

/* The options of the downgrade diff: the renames of zJson inverted
** ({"t": "u", "t.a": "b"} becomes {"u": "t", "u.b": "a"}).  NULL when
** zJson is NULL; zJson itself when it has no renames object. */
static char *migInvertOptions(Mig *p, const char *zJson){
  sqlite3_stmt *pStmt;
  char *zRet = 0;
  if( zJson==0 || p->rc!=SQLITE_OK ) return 0;
  pStmt = migPrepare(p,
      "SELECT CASE WHEN json_valid(?1) AND json_type(?1, '$.renames')='object'"
      " THEN json_set(?1, '$.renames', json((SELECT coalesce(json_group_object("
      "   CASE WHEN instr(key, '.')>0"
      "     THEN coalesce(json_extract(?1, '$.renames.'"
      "              || json_quote(substr(key, 1, instr(key, '.')-1))),"
      "            substr(key, 1, instr(key, '.')-1)) || '.' || value"
      "     ELSE value END,"
      "   CASE WHEN instr(key, '.')>0 THEN substr(key, instr(key, '.')+1)"
      "     ELSE key END), '{}')"
      "   FROM json_each(?1, '$.renames'))))"
      " ELSE ?1 END");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  if( migStep(p, pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    zRet = migStrndup(p, z ? z : zJson, -1);
  }
  migFinalize(p, pStmt);
  return zRet;
}

/*
** mig_autogenerate(models [, message [, options_json]]): a revision whose
** upgrade is the diff main -> models and whose downgrade is the diff
** models -> main.  Refuses unless main is at the head; returns NULL and
** writes nothing when nothing differs.
*/
void migAutogenerateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS = 0;
  MigApplied ap;
  MigDiffOpts up, down;
  const char *zModels;
  const char *zMsg = "";
  char *zInv = 0, *zUp = 0, *zDown = 0, *zRev = 0;
  int i;

  memset(&ap, 0, sizeof(ap));
  memset(&up, 0, sizeof(up));
  memset(&down, 0, sizeof(down));
  migCallBegin(&m, ctx);
  zModels = migArgText(&m, "mig_autogenerate", argv, 0, "models");
  if( argc>1 && sqlite3_value_type(argv[1])!=SQLITE_NULL ){
    zMsg = migArgText(&m, "mig_autogenerate", argv, 1, "message");
  }
  if( argc>2 ) up.zOptionsJson = (const char*)sqlite3_value_text(argv[2]);
  up.bAlwaysRebuild = down.bAlwaysRebuild = pConfig->bAlwaysRebuild;
  if( m.rc==SQLITE_OK && !migSchemaExists(&m, zModels) ){
    migErrorSet(&m, SQLITE_ERROR, "mig_autogenerate: no such schema: %s"
        " (attach it, or create it with mig_models)", zModels);
  }
  pS = migLoadScripts(&m, "mig_autogenerate", pConfig);
  migRequireOneHead(&m, "mig_autogenerate", pS);
  migAppliedLoad(&m, pS, &ap);
  if( m.rc==SQLITE_OK ){
    int bAtHead = ap.nUnknown==0;
    for(i=0; i<pS->nRev; i++) if( !ap.aApplied[i] ) bAtHead = 0;
    if( !bAtHead ){
      char *zCur = migCurrentOf(&m, pS, ap.aApplied, ap.nUnknown,
                                ap.azUnknown);
      if( m.rc==SQLITE_OK ){
        migErrorSet(&m, SQLITE_ERROR, "mig_autogenerate: the database is at"
            " %s, head is %s: upgrade first", zCur ? zCur : "base",
            pS->nHead ? pS->apHead[0]->zRev : "base");
      }
      sqlite3_free(zCur);
    }
  }
  zUp = migDiff(&m, "main", zModels, &up);
  if( m.rc==SQLITE_OK && zUp && zUp[0] ){
    zInv = migInvertOptions(&m, up.zOptionsJson);
    down.zOptionsJson = zInv;
    zDown = migDiff(&m, zModels, "main", &down);
    zRev = migScriptWrite(&m, pConfig->zScriptLocation, zMsg, pS->nHead,
                          pS->apHead, zUp, zDown);
  }
  if( m.rc==SQLITE_OK && zRev ){
    sqlite3_result_text(ctx, zRev, -1, sqlite3_free);
    zRev = 0;
  }
  sqlite3_free(zRev);
  sqlite3_free(zUp);
  sqlite3_free(zDown);
  sqlite3_free(zInv);
  migAppliedClear(&ap);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

/*************************************************************************
** Scratch databases: mig_check, mig_sql and mig_test replay the scripts
** into a private in-memory connection with libmig loaded, so that the
** real database is never touched.
*/

/* A private in-memory connection with libmig and the settings of pConfig. */
static sqlite3 *migScratchOpen(Mig *p, const char *zFunc, MigConfig *pConfig){
  sqlite3 *pDb = 0;
  char *zErr = 0;
  int rc;
  Mig m2;
  if( p->rc!=SQLITE_OK ) return 0;
  rc = sqlite3_open_v2(":memory:", &pDb,
      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_mig_init(pDb, &zErr, sqlite3_api);
  if( rc!=SQLITE_OK ){
    migErrorSet(p, rc==SQLITE_NOMEM ? SQLITE_NOMEM : rc, "%s: cannot open a"
        " scratch database: %s", zFunc, zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    sqlite3_close(pDb);
    return 0;
  }
  memset(&m2, 0, sizeof(m2));
  m2.db = pDb;
  migExec(&m2, "SELECT mig_config('script_location', %Q),"
      " mig_config('rebuild', %Q)", pConfig->zScriptLocation,
      pConfig->bAlwaysRebuild ? "always" : "auto");
  if( m2.rc!=SQLITE_OK ){
    migErrorSet(p, m2.rc, "%s: %s", zFunc, m2.zErr ? m2.zErr : "");
    migReset(&m2);
    sqlite3_close(pDb);
    return 0;
  }
  return pDb;
}

/* Attach a copy of the main database of pSrc to p->db as zAs. */
static void migSnapshotAttach(Mig *p, sqlite3 *pSrc, const char *zAs){
  sqlite3_int64 n = 0;
  unsigned char *a;
  if( p->rc!=SQLITE_OK ) return;
  a = sqlite3_serialize(pSrc, "main", &n, 0);
  if( a==0 ){
    /* An empty in-memory database has nothing to serialize. */
    sqlite3_stmt *pStmt = 0;
    int nPage = 0;
    if( sqlite3_prepare_v2(pSrc, "PRAGMA page_count", -1, &pStmt, 0)==SQLITE_OK
     && sqlite3_step(pStmt)==SQLITE_ROW ){
      nPage = sqlite3_column_int(pStmt, 0);
    }
    sqlite3_finalize(pStmt);
    if( nPage>0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
      return;
    }
  }
  if( migSchemaExists(p, zAs) ) migExec(p, "DETACH %Q", zAs);
  migExec(p, "ATTACH ':memory:' AS %Q", zAs);
  if( p->rc==SQLITE_OK && a && n>0 ){
    int rc = sqlite3_deserialize(p->db, zAs, a, n, n,
        SQLITE_DESERIALIZE_FREEONCLOSE|SQLITE_DESERIALIZE_RESIZEABLE);
    a = 0;
    if( rc!=SQLITE_OK ){
      migErrorSet(p, rc, "cannot load a scratch copy: %s", sqlite3_errstr(rc));
    }
  }
  sqlite3_free(a);
}

/* Detach zAs from db if attached, whatever the state of p. */
static void migSnapshotDetach(sqlite3 *db, const char *zAs){
  Mig m2;
  memset(&m2, 0, sizeof(m2));
  m2.db = db;
  if( migSchemaExists(&m2, zAs) ) migExec(&m2, "DETACH %Q", zAs);
  migReset(&m2);
}

/* Copy the error of a scratch handle to p, prefixed with zFunc. */
static void migScratchError(Mig *p, Mig *p2, const char *zFunc,
                            const char *zWhat){
  if( p2->rc!=SQLITE_OK ){
    if( p2->rc==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else{
      migErrorSet(p, p2->rc, "%s: %s%s", zFunc, zWhat,
          p2->zErr ? p2->zErr : sqlite3_errstr(p2->rc));
    }
    migReset(p2);
  }
}

/* Strip the trailing newlines of a diff for an error message. */
static int migTrimLen(const char *z){
  int n = z ? (int)strlen(z) : 0;
  while( n>0 && (z[n-1]=='\n' || z[n-1]==' ') ) n--;
  return n;
}

#define MIG_REPLAY "_libmig_replay"

/*
** mig_check(models): 'ok', or an error listing what differs between main
** and models, and between main and what its applied scripts build when
** replayed into a scratch database (a manual change to main).
*/
void migCheckFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m, m2;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS = 0;
  MigApplied ap;
  MigDiffOpts opts;
  sqlite3 *pScratch = 0;
  const char *zModels;
  char *zCur = 0, *zModelDiff = 0, *zDrift = 0, *zReplayed = 0;
  sqlite3_str *pErr = 0;
  int nProblem = 0, nPending = 0, i;
  (void)argc;

  memset(&ap, 0, sizeof(ap));
  memset(&m2, 0, sizeof(m2));
  memset(&opts, 0, sizeof(opts));
  opts.bAlwaysRebuild = pConfig->bAlwaysRebuild;
  migCallBegin(&m, ctx);
  zModels = migArgText(&m, "mig_check", argv, 0, "models");
  if( m.rc==SQLITE_OK && !migSchemaExists(&m, zModels) ){
    migErrorSet(&m, SQLITE_ERROR, "mig_check: no such schema: %s"
        " (attach it, or create it with mig_models)", zModels);
  }
  pS = migLoadScripts(&m, "mig_check", pConfig);
  migAppliedLoad(&m, pS, &ap);
  zCur = migCurrentOf(&m, pS, ap.aApplied, ap.nUnknown, ap.azUnknown);
  if( m.rc==SQLITE_OK ){
    for(i=0; i<pS->nRev; i++) if( !ap.aApplied[i] ) nPending++;
  }
  zModelDiff = migDiff(&m, "main", zModels, &opts);

  /* Replay the applied revisions into a scratch database. */
  pScratch = migScratchOpen(&m, "mig_check", pConfig);
  if( m.rc==SQLITE_OK && zCur ){
    m2.db = pScratch;
    zReplayed = migMoveCore(&m2, pS, "mig_upgrade", zCur, MIG_OP_UP, 0);
    migScratchError(&m, &m2, "mig_check",
        "replaying the applied scripts into a scratch database failed: ");
  }
  migSnapshotAttach(&m, pScratch, MIG_REPLAY);
  zDrift = migDiff(&m, MIG_REPLAY, "main", &opts);
  migSnapshotDetach(m.db, MIG_REPLAY);

  if( m.rc==SQLITE_OK ){
    pErr = sqlite3_str_new(m.db);
    if( nPending>0 ){
      nProblem++;
      sqlite3_str_appendf(pErr, "\n- %d revision%s not applied: the"
          " database is at %s, head is ", nPending,
          nPending==1 ? " is" : "s are", zCur ? zCur : "base");
      for(i=0; i<pS->nHead; i++){
        sqlite3_str_appendf(pErr, "%s%s", i ? ", " : "", pS->apHead[i]->zRev);
      }
    }
    if( zModelDiff && zModelDiff[0] ){
      nProblem++;
      sqlite3_str_appendf(pErr, "\n- main differs from %s; the SQL that"
          " would make it match:\n%.*s", zModels, migTrimLen(zModelDiff),
          zModelDiff);
    }
    if( zDrift && zDrift[0] ){
      nProblem++;
      sqlite3_str_appendf(pErr, "\n- main differs from what its applied"
          " scripts build (at %s): it was changed outside the migrations;"
          " the change:\n%.*s", zCur ? zCur : "base", migTrimLen(zDrift),
          zDrift);
    }
    if( nProblem==0 ){
      sqlite3_result_text(ctx, "ok", -1, SQLITE_STATIC);
    }else{
      char *zList = sqlite3_str_finish(pErr);
      pErr = 0;
      if( zList==0 ){
        migErrorSet(&m, SQLITE_NOMEM, 0);
      }else{
        migErrorSet(&m, SQLITE_ERROR, "mig_check: %d problem%s:%s",
            nProblem, nProblem==1 ? "" : "s", zList);
      }
      sqlite3_free(zList);
    }
  }
  sqlite3_free(sqlite3_str_finish(pErr));
  sqlite3_close(pScratch);
  sqlite3_free(zCur);
  sqlite3_free(zReplayed);
  sqlite3_free(zModelDiff);
  sqlite3_free(zDrift);
  migAppliedClear(&ap);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

/*
** mig_sql(target [, from]): offline mode.  The whole migration from
** "from" (default: main's current revision; 'base' allowed) to target as
** plain SQL that sqlite3 without libmig can run: the scripts are applied
** to a scratch database built by replaying the scripts up to "from" (so
** it holds the schema, no data) and every statement that writes is
** recorded, the 12 steps of each mig_rebuild() included, with the
** bookkeeping of "_libmig_applied".
*/
void migSqlFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m, m2;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS = 0;
  MigApplied ap, apScratch;
  sqlite3 *pScratch = 0;
  const char *zTarget;
  char *zFrom = 0, *zAt = 0, *zNew = 0, *zOut = 0;
  sqlite3_str *pOut = 0;
  int eOp = MIG_OP_UP;

  memset(&ap, 0, sizeof(ap));
  memset(&apScratch, 0, sizeof(apScratch));
  memset(&m2, 0, sizeof(m2));
  migCallBegin(&m, ctx);
  zTarget = migArgText(&m, "mig_sql", argv, 0, "target");
  pS = migLoadScripts(&m, "mig_sql", pConfig);
  if( argc>1 && sqlite3_value_type(argv[1])!=SQLITE_NULL ){
    zFrom = migMprintf(&m, "%s", (const char*)sqlite3_value_text(argv[1]));
  }else{
    migAppliedLoad(&m, pS, &ap);
    zFrom = migCurrentOf(&m, pS, ap.aApplied, ap.nUnknown, ap.azUnknown);
  }

  /* The scratch database at "from". */
  pScratch = migScratchOpen(&m, "mig_sql", pConfig);
  m2.db = pScratch;
  if( m.rc==SQLITE_OK && zFrom && sqlite3_stricmp(zFrom, "base")!=0 ){
    zAt = migMoveCore(&m2, pS, "mig_sql", zFrom, MIG_OP_UP, 0);
    migScratchError(&m, &m2, "mig_sql", "cannot build the starting point: ");
  }

  /* Up or down? */
  if( m.rc==SQLITE_OK ){
    if( sqlite3_stricmp(zTarget, "base")==0 || zTarget[0]=='-' ){
      eOp = MIG_OP_DOWN;
    }else if( sqlite3_stricmp(zTarget, "head")!=0
           && sqlite3_stricmp(zTarget, "heads")!=0 && zTarget[0]!='+' ){
      MigRev *pRev = migScriptsFind(&m, pS, "mig_sql", zTarget);
      migAppliedLoad(&m2, pS, &apScratch);
      migScratchError(&m, &m2, "mig_sql", "");
      if( pRev && apScratch.aApplied && apScratch.aApplied[pRev->iOrder] ){
        eOp = MIG_OP_DOWN;
      }
    }
  }

  if( m.rc==SQLITE_OK ){
    pOut = sqlite3_str_new(m.db);
    sqlite3_str_appendf(pOut,
        "-- libmig offline migration: %s from %s to %s\n"
        "-- Plain SQL for sqlite3 without libmig.  Run it so that the first\n"
        "-- error stops it (sqlite3 -bail app.db < this.sql): it commits\n"
        "-- only at its end.\n"
        "PRAGMA foreign_keys=OFF;\n"
        "BEGIN;\n"
        "CREATE TABLE IF NOT EXISTS \"%w\"" MIG_APPLIED_SCHEMA ";\n",
        eOp==MIG_OP_UP ? "upgrade" : "downgrade",
        zAt ? zAt : "base", zTarget, MIG_APPLIED_TABLE);
    zNew = migMoveCore(&m2, pS, "mig_sql", zTarget, eOp, pOut);
    migScratchError(&m, &m2, "mig_sql", "");
    sqlite3_str_appendf(pOut, "\n-- fails if foreign key violations"
        " were left\n"
        "CREATE TEMP TABLE \"_libmig_fk_check\"(foreign_key_violations"
        " INTEGER CHECK(foreign_key_violations=0));\n"
        "INSERT INTO \"_libmig_fk_check\" SELECT count(*)"
        " FROM pragma_foreign_key_check;\n"
        "DROP TABLE \"_libmig_fk_check\";\n"
        "COMMIT;\n"
        "-- now at %s\n", zNew ? zNew : "base");
    zOut = sqlite3_str_finish(pOut);
    pOut = 0;
    if( zOut==0 ) migErrorSet(&m, SQLITE_NOMEM, 0);
  }
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
    zOut = 0;
  }
  sqlite3_free(zOut);
  sqlite3_free(zFrom);
  sqlite3_free(zAt);
  sqlite3_free(zNew);
  sqlite3_close(pScratch);
  migAppliedClear(&ap);
  migAppliedClear(&apScratch);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

#define MIG_SNAP "_libmig_snap"

/*
** mig_test(models): what pytest-alembic checks, on a scratch database:
** one head; base to head works; then the schema matches models; each
** revision steps down and up again to the same schema; and all the way
** down leaves an empty database.  Returns a short report or fails naming
** the first revision that breaks.
*/
void migTestFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m, m2;
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigScripts *pS = 0;
  MigDiffOpts opts;
  sqlite3 *pScratch = 0;
  const char *zModels;
  char *zHead = 0, *zDiff = 0;
  int i;
  (void)argc;

  memset(&m2, 0, sizeof(m2));
  memset(&opts, 0, sizeof(opts));
  opts.bAlwaysRebuild = pConfig->bAlwaysRebuild;
  migCallBegin(&m, ctx);
  zModels = migArgText(&m, "mig_test", argv, 0, "models");
  if( m.rc==SQLITE_OK && !migSchemaExists(&m, zModels) ){
    migErrorSet(&m, SQLITE_ERROR, "mig_test: no such schema: %s"
        " (attach it, or create it with mig_models)", zModels);
  }
  pS = migLoadScripts(&m, "mig_test", pConfig);
  if( m.rc==SQLITE_OK && pS->nHead==0 ){
    migErrorSet(&m, SQLITE_ERROR, "mig_test: there are no revisions in %s",
        pS->zDir);
  }
  if( m.rc==SQLITE_OK && pS->nHead>1 ){
    char *zList = migScriptsHeadList(&m, pS);
    if( zList ){
      migErrorSet(&m, SQLITE_ERROR, "mig_test: there are several heads (%s):"
          " merge them with mig_merge", zList);
    }
    sqlite3_free(zList);
  }

  /* Base to head, then the diff against models. */
  pScratch = migScratchOpen(&m, "mig_test", pConfig);
  m2.db = pScratch;
  if( m.rc==SQLITE_OK ){
    zHead = migMoveCore(&m2, pS, "mig_upgrade", "head", MIG_OP_UP, 0);
    migScratchError(&m, &m2, "mig_test",
        "upgrading an empty database from base to head failed: ");
  }
  migSnapshotAttach(&m, pScratch, MIG_SNAP);
  zDiff = migDiff(&m, MIG_SNAP, zModels, &opts);
  migSnapshotDetach(m.db, MIG_SNAP);
  if( m.rc==SQLITE_OK && zDiff && zDiff[0] ){
    migErrorSet(&m, SQLITE_ERROR, "mig_test: after upgrading from base to"
        " head (%s) the schema differs from %s; the SQL that would make it"
        " match:\n%.*s", zHead, zModels, migTrimLen(zDiff), zDiff);
  }
  sqlite3_free(zDiff);
  zDiff = 0;

  /* Each revision, from the head down: down, up, same schema, down. */
  for(i=(m.rc==SQLITE_OK ? pS->nRev-1 : -1); i>=0 && m.rc==SQLITE_OK; i--){
    MigRev *pRev = pS->apRev[i];
    char *z;
    migSnapshotAttach(&m2, pScratch, MIG_SNAP);
    z = migMoveCore(&m2, pS, "mig_downgrade", "-1", MIG_OP_DOWN, 0);
    sqlite3_free(z);
    z = migMoveCore(&m2, pS, "mig_upgrade", "+1", MIG_OP_UP, 0);
    sqlite3_free(z);
    zDiff = migDiff(&m2, MIG_SNAP, "main", &opts);
    migSnapshotDetach(pScratch, MIG_SNAP);
    migScratchError(&m, &m2, "mig_test", "");
    if( m.rc==SQLITE_OK && zDiff && zDiff[0] ){
      migErrorSet(&m, SQLITE_ERROR, "mig_test: revision %s (%s): its"
          " downgrade then its upgrade do not give back the same schema;"
          " the difference:\n%.*s", pRev->zRev, pRev->zFile,
          migTrimLen(zDiff), zDiff);
    }
    sqlite3_free(zDiff);
    zDiff = 0;
    z = migMoveCore(&m2, pS, "mig_downgrade", "-1", MIG_OP_DOWN, 0);
    sqlite3_free(z);
    migScratchError(&m, &m2, "mig_test", "");
  }

  /* At base the database holds nothing but libmig's own table. */
  if( m.rc==SQLITE_OK ){
    sqlite3_stmt *pStmt = migPrepare(&m2,
        "SELECT group_concat(name, ', ') FROM main.sqlite_schema"
        " WHERE name NOT LIKE '\\_libmig\\_%%' ESCAPE '\\'"
        " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'");
    if( migStep(&m2, pStmt)==SQLITE_ROW && sqlite3_column_text(pStmt, 0) ){
      migErrorSet(&m, SQLITE_ERROR, "mig_test: after downgrading from head"
          " to base the database still holds: %s",
          (const char*)sqlite3_column_text(pStmt, 0));
    }
    migFinalize(&m2, pStmt);
    migScratchError(&m, &m2, "mig_test", "");
  }
  if( m.rc==SQLITE_OK ){
    char *zReport = migMprintf(&m, "ok: 1 head (%s), %d revision%s: base to"
        " head matches %s, each revision steps down and up to the same"
        " schema, head to base leaves nothing", zHead, pS->nRev,
        pS->nRev==1 ? "" : "s", zModels);
    if( zReport ) sqlite3_result_text(ctx, zReport, -1, sqlite3_free);
  }
  sqlite3_free(zHead);
  sqlite3_close(pScratch);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}
