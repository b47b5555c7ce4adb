/*
** mig_apply.c: moving a database between revisions: mig_upgrade,
** mig_downgrade and mig_stamp.
**
** One mig_upgrade/mig_downgrade/mig_stamp call is one transaction
** (migTxnBegin/migTxnEnd, run by migAtomicRun: mig_txn.c says where it
** runs, how it is rolled back whatever interrupts it, and why foreign
** key enforcement is off for its time): every revision's section and
** its bookkeeping row, then PRAGMA foreign_key_check; on any error none
** of it lands.
**
** Targets: head, heads, base, +N, -N, a revision id or a unique prefix of
** one (for mig_upgrade and mig_stamp also a comma-separated list of ids).
** A script edited after it was applied (its checksum differs from the
** recorded one) stops any upgrade that builds on it and any downgrade
** that reverts it, until mig_stamp records the new checksum.
**
** For mig_sql (mig_check.c), migMoveCore() can also record, with
** sqlite3_trace_v2, every statement that writes while the sections run
** (the steps that mig_rebuild runs included), which gives plain SQL.
*/
#include "mig_int.h"
#include <stdio.h>

/*************************************************************************
** The revision graph.
*/

/* The revisions reached from pRev (not pRev itself) along parents (bUp)
** or children that aSeen does not mark yet: they are marked, and listed
** in aOut (room for every revision).  Returns how many. */
static int migReach(MigRev *pRev, int bUp, unsigned char *aSeen,
                    MigRev **aOut){
  int n = 0, i = 0, j;
  MigRev *pCur = pRev;
  for(;;){
    int nEdge = bUp ? pCur->nDown : pCur->nChild;
    MigRev **apEdge = bUp ? pCur->apDown : pCur->apChild;
    for(j=0; j<nEdge; j++){
      if( !aSeen[apEdge[j]->iOrder] ){
        aSeen[apEdge[j]->iOrder] = 1;
        aOut[n++] = apEdge[j];
      }
    }
    if( i>=n ) break;
    pCur = aOut[i++];
  }
  return n;
}

/* True if a child of pRev is in aSet. */
static int migChildIn(MigRev *pRev, const unsigned char *aSet){
  int j;
  for(j=0; j<pRev->nChild; j++){
    if( aSet[pRev->apChild[j]->iOrder] ) return 1;
  }
  return 0;
}

/*************************************************************************
** Targets: parsed into a MigTarget, then applied to the applied set.
*/

/* The forms of a target. */
#define MIG_TGT_HEAD   0      /* "head": the one head */
#define MIG_TGT_HEADS  1      /* "heads": every head */
#define MIG_TGT_BASE   2      /* "base": nothing applied */
#define MIG_TGT_PLUS   3      /* "+N": N more revisions */
#define MIG_TGT_MINUS  4      /* "-N": N fewer revisions */
#define MIG_TGT_REVS   5      /* revision ids or unique prefixes */

/* Which operations accept each form (bit 1<<MIG_OP_*).  A list of ids is
** read for an upgrade and a stamp, one id for a downgrade. */
#define MIG_TGT_OK(a,b,c) ((1<<(a))|(1<<(b))|(1<<(c)))
static const unsigned char aMigTargetOps[] = {
  /* head  */ MIG_TGT_OK(MIG_OP_UP,   MIG_OP_STAMP, MIG_OP_STAMP),
  /* heads */ MIG_TGT_OK(MIG_OP_UP,   MIG_OP_STAMP, MIG_OP_STAMP),
  /* base  */ MIG_TGT_OK(MIG_OP_DOWN, MIG_OP_STAMP, MIG_OP_STAMP),
  /* +N    */ MIG_TGT_OK(MIG_OP_UP,   MIG_OP_STAMP, MIG_OP_STAMP),
  /* -N    */ MIG_TGT_OK(MIG_OP_DOWN, MIG_OP_STAMP, MIG_OP_STAMP),
  /* revs  */ MIG_TGT_OK(MIG_OP_UP,   MIG_OP_DOWN,  MIG_OP_STAMP),
};

typedef struct MigTarget MigTarget;
struct MigTarget {
  int eForm;            /* MIG_TGT_* */
  int n;                /* N of +N and -N */
  int nRev;             /* MIG_TGT_REVS: the revisions named */
  MigRev **apRev;       /* (sqlite3_malloc) */
};

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

/* Parse zTarget for operation eOp into pT, or set an error that says
** what the operation accepts. */
static void migTargetParse(Mig *p, MigScripts *pS, const char *zTarget,
                           int eOp, MigTarget *pT){
  memset(pT, 0, sizeof(*pT));
  if( p->rc!=SQLITE_OK ) return;
  if( sqlite3_stricmp(zTarget, "head")==0 ){
    pT->eForm = MIG_TGT_HEAD;
  }else if( sqlite3_stricmp(zTarget, "heads")==0 ){
    pT->eForm = MIG_TGT_HEADS;
  }else if( sqlite3_stricmp(zTarget, "base")==0 ){
    pT->eForm = MIG_TGT_BASE;
  }else if( zTarget[0]=='+' || zTarget[0]=='-' ){
    pT->eForm = zTarget[0]=='+' ? MIG_TGT_PLUS : MIG_TGT_MINUS;
    pT->n = migRelative(zTarget, zTarget[0]);
    if( pT->n<=0 ){
      migError(p, "bad target '%s': %cN needs a number above 0",
          zTarget, zTarget[0]);
      return;
    }
  }else{
    pT->eForm = MIG_TGT_REVS;
  }
  if( (aMigTargetOps[pT->eForm] & (1<<eOp))==0 ){
    if( eOp==MIG_OP_DOWN ){
      migError(p, "'%s' is not a downgrade target: use -N, base or a "
          "revision", zTarget);
    }else{
      migError(p, "'%s' is not an upgrade target: use mig_downgrade('%s')",
          zTarget, zTarget);
    }
    return;
  }
  if( pT->eForm==MIG_TGT_REVS ){
    /* One revision, or (up and stamp) a comma-separated list of them. */
    const char *z = zTarget;
    pT->apRev = migMalloc(p, sizeof(MigRev*)*((i64)strlen(zTarget)+1));
    while( p->rc==SQLITE_OK ){
      char *zId;
      int nId;
      while( *z==' ' ) z++;
      for(nId=0; z[nId] && z[nId]!=',' && z[nId]!=' '; nId++);
      if( eOp==MIG_OP_DOWN ) nId = (int)strlen(z);
      zId = migStrndup(p, z, nId);
      if( zId ) pT->apRev[pT->nRev] = migScriptsFind(p, pS, zId);
      sqlite3_free(zId);
      if( p->rc!=SQLITE_OK ) break;
      pT->nRev++;
      z += nId;
      while( *z==' ' ) z++;
      if( *z!=',' ) break;
      z++;
    }
  }
}

/* Apply (bUp) the first n unapplied revisions, base first, whose parents
** are applied, or unapply the last n applied revisions that have no
** applied child, in aSet.  Returns how many could move. */
static int migStepN(MigScripts *pS, unsigned char *aSet, int n, int bUp){
  int i, j, k = 0;
  for(j=0; j<pS->nRev && k<n; j++){
    int iRev = bUp ? j : pS->nRev-1-j;
    MigRev *pRev = pS->apRev[iRev];
    if( aSet[iRev]==bUp ) continue;
    if( bUp ){
      for(i=0; i<pRev->nDown && aSet[pRev->apDown[i]->iOrder]; i++);
      if( i<pRev->nDown ) continue;
    }else if( migChildIn(pRev, aSet) ){
      continue;
    }
    aSet[iRev] = (unsigned char)bUp;
    k++;
  }
  return k;
}

/*
** The applied set that target pT asks for, in aNew, from the applied set
** aOld, for an upgrade, a downgrade or a stamp.
*/
static void migTargetApply(Mig *p, MigScripts *pS, MigTarget *pT,
                           const char *zTarget, int eOp,
                           const unsigned char *aOld, unsigned char *aNew){
  int nRev, i, k;
  MigRev **apTmp;
  unsigned char *aSeen;
  if( p->rc!=SQLITE_OK ) return;
  nRev = pS->nRev;
  apTmp = migMalloc(p, sizeof(MigRev*)*(nRev+1));
  aSeen = migMalloc(p, nRev+1);
  if( p->rc!=SQLITE_OK ) goto apply_out;
  memcpy(aNew, aOld, nRev);

  switch( pT->eForm ){
    case MIG_TGT_HEAD:
      migRequireOneHead(p, pS, "name one of them, use 'heads', or merge "
          "them with mig_merge");
      if( p->rc!=SQLITE_OK ) break;
      /* fall through */
    case MIG_TGT_HEADS:
      for(i=0; i<pS->nHead; i++){
        aNew[pS->apHead[i]->iOrder] = 1;
        migReach(pS->apHead[i], 1, aNew, apTmp);
      }
      break;
    case MIG_TGT_BASE:
      memset(aNew, 0, nRev);
      break;
    case MIG_TGT_PLUS:
    case MIG_TGT_MINUS: {
      int bUp = pT->eForm==MIG_TGT_PLUS;
      k = migStepN(pS, aNew, pT->n, bUp);
      if( k<pT->n ){
        migError(p, "cannot go %s: only %d revision%s %s", zTarget, k,
            k==1 ? " is" : "s are", bUp ? "left to apply" : "applied");
      }
      break;
    }
    default:    /* MIG_TGT_REVS */
      if( eOp==MIG_OP_STAMP ) memset(aNew, 0, nRev);
      for(i=0; i<pT->nRev && p->rc==SQLITE_OK; i++){
        MigRev *pRev = pT->apRev[i];
        if( eOp==MIG_OP_DOWN ){
          if( !aOld[pRev->iOrder] ){
            migError(p, "revision %s is not applied: a downgrade target "
                "must be an applied revision", pRev->zRev);
          }
          k = migReach(pRev, 0, aSeen, apTmp);
          while( k>0 ) aNew[apTmp[--k]->iOrder] = 0;
        }else{
          if( eOp==MIG_OP_UP && aOld[pRev->iOrder] && migChildIn(pRev, aOld) ){
            migError(p, "revision %s is below the current revision: use "
                "mig_downgrade('%s') to go back to it", pRev->zRev,
                pRev->zRev);
          }
          aNew[pRev->iOrder] = 1;
          migReach(pRev, 1, aNew, apTmp);
        }
      }
      break;
  }

 apply_out:
  sqlite3_free(apTmp);
  sqlite3_free(aSeen);
}

/*************************************************************************
** Running the sections.
*/

/* The first token of z that is not space or a comment: its type (EOF
** when there is none) in *peType, its length in *pn. */
static const unsigned char *migFirstToken(const char *z, int *pn, int *peType){
  const unsigned char *zU = (const unsigned char*)z;
  while( (*pn = migGetToken(zU, peType))>0 && *peType==MIG_TK_SPACE ){
    zU += *pn;
  }
  return zU;
}

/* True if token zTok[0..n) of type eType names zWord (ASCII, any case):
** a bare word, or a quoted one ("x", `x`, [x]) once its quotes are off. */
static int migTokenIs(const unsigned char *zTok, int n, int eType,
                      const char *zWord){
  char zBuf[32];
  int i, j = 0;
  unsigned char q;
  if( eType==MIG_TK_ID ){
    /* The first letter first: every word of every statement a move runs
    ** is compared with the names of azMigNoNest. */
    return (zTok[0]|0x20)==(zWord[0]|0x20) && n==(int)strlen(zWord)
        && sqlite3_strnicmp((const char*)zTok, zWord, n)==0;
  }
  if( eType!=MIG_TK_QID || n<2 ) return 0;
  q = zTok[0]=='[' ? ']' : zTok[0];
  for(i=1; i<n-1 && j<(int)sizeof(zBuf)-1; i++){
    if( zTok[i]==q && zTok[i+1]==q ) i++;
    zBuf[j++] = (char)zTok[i];
  }
  zBuf[j] = 0;
  return i==n-1 && sqlite3_stricmp(zBuf, zWord)==0;
}

/* The functions that move a database or write scripts: a revision script
** must not call them (it runs in the middle of a move). */
static const char *const azMigNoNest[] = {
  "mig_upgrade", "mig_downgrade", "mig_stamp", "mig_merge", 0
};

/*
** Why libmig refuses statement pStmt of a script (rule 10), as a message
** (sqlite3_free), or NULL: transaction control (the whole call is one
** transaction), PRAGMA journal_mode, or a call of a function that moves
** the database.  The check reads the tokens of the prepared statement's
** own text (sqlite3_sql), so that quotes, case and comments hide nothing;
** a trigger or TEMP view the statement fires is the business of the
** re-entry guard (migMovingEnter).
*/
static char *migScriptRefusal(Mig *p, sqlite3_stmt *pStmt){
  static const char *const azTxn[] = {
    "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", 0
  };
  const unsigned char *z = (const unsigned char*)sqlite3_sql(pStmt);
  const unsigned char *zTok;
  int n, eType, i, k;
  if( z==0 ) return 0;
  zTok = migFirstToken((const char*)z, &n, &eType);
  for(k=0; azTxn[k]; k++){
    if( migTokenIs(zTok, n, eType, azTxn[k]) ){
      return migMprintf(p, "%.*s is not allowed in a script: libmig runs "
          "the whole call as one transaction", n, (const char*)zTok);
    }
  }
  if( migTokenIs(zTok, n, eType, "PRAGMA") ){
    /* PRAGMA [schema.]journal_mode */
    for(i=0; i<2; i++){
      zTok = migFirstToken((const char*)&zTok[n], &n, &eType);
      if( migTokenIs(zTok, n, eType, "journal_mode") ){
        return migMprintf(p, "PRAGMA journal_mode is not allowed in a "
            "script: the call's transaction depends on the journal");
      }
      zTok = migFirstToken((const char*)&zTok[n], &n, &eType);
      if( eType!=MIG_TK_PUNCT || zTok[0]!='.' ) break;
    }
    return 0;
  }
  /* A function call: a name, then "(". */
  for(; eType!=MIG_TK_EOF; zTok = migFirstToken((const char*)&zTok[n],
                                                &n, &eType)){
    int n2, e2;
    if( eType!=MIG_TK_ID && eType!=MIG_TK_QID ) continue;
    for(k=0; azMigNoNest[k]; k++){
      if( migTokenIs(zTok, n, eType, azMigNoNest[k]) ) break;
    }
    if( azMigNoNest[k]==0 ) continue;
    if( *migFirstToken((const char*)&zTok[n], &n2, &e2)=='('
     && e2==MIG_TK_PUNCT ){
      return migMprintf(p, "a call of %s() is not allowed in a script: a "
          "revision must not move the database itself", azMigNoNest[k]);
    }
  }
  return 0;
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
** Recording for mig_sql: while a section runs on the scratch database,
** every statement that writes (including those that mig_rebuild runs
** for its 12 steps) is appended to the output as plain SQL.  Reads,
** transaction control and the programs of triggers are not recorded.
** A statement that runs inside another one is recorded only when the
** outer one is not (SELECT mig_rebuild(...), which plain SQLite cannot
** run): what a recorded statement runs inside itself, such as the
** statements of fts4, fts5 or rtree on their shadow tables inside CREATE
** or DROP of a virtual table, SQLite runs again when the recorded
** statement runs, and must not be there twice.
*/
typedef struct MigTrace MigTrace;
struct MigTrace {
  sqlite3_str *pOut;    /* the offline SQL */
  int bOuterWrites;     /* the running top-level statement is recorded */
};
static int migTraceRecord(unsigned mask, void *pCtx, void *pP, void *pX){
  MigTrace *pT = (MigTrace*)pCtx;
  sqlite3_stmt *pStmt = (sqlite3_stmt*)pP;
  const char *zX = (const char*)pX;
  const char *zSql;
  char *zExp = 0;
  int n;
  if( mask!=SQLITE_TRACE_STMT ) return 0;
  zSql = sqlite3_sql(pStmt);
  if( zSql==0 || zX==0 ) return 0;
  /* SQLite reports a statement run from inside another one (the steps of
  ** mig_rebuild) as "-- <sql>", and a trigger program as "-- TRIGGER". */
  if( strcmp(zSql, zX)==0 ){
    pT->bOuterWrites = !sqlite3_stmt_readonly(pStmt);
    if( !pT->bOuterWrites ) return 0;
  }else if( strncmp(zX, "-- ", 3)!=0 || strcmp(zSql, &zX[3])!=0
         || pT->bOuterWrites || sqlite3_stmt_readonly(pStmt) ){
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
  sqlite3_str_appendf(pT->pOut, "%.*s;\n", n, zSql);
  sqlite3_free(zExp);
  return 0;
}

/*
** Run one section of a revision statement by statement, so that an error
** can quote the statement that failed (and a refusal its line); with
** pOut, record what it writes.
*/
static void migRunSection(Mig *p, MigRev *pRev, const char *zSection,
                          const char *zSql, sqlite3_str *pOut){
  const char *zTail = zSql;
  MigTrace trace;
  int iLine = zSection[0]=='u' ? pRev->iUpLine : pRev->iDownLine;
  if( p->rc!=SQLITE_OK ) return;
  if( pOut ){
    sqlite3_str_appendf(pOut, "\n-- %s %s: %s\n", zSection, pRev->zRev,
        pRev->zMessage);
    trace.pOut = pOut;
    trace.bOuterWrites = 0;
    sqlite3_trace_v2(p->db, SQLITE_TRACE_STMT, migTraceRecord, &trace);
  }
  while( p->rc==SQLITE_OK && zTail && zTail[0] ){
    const char *zStart = zTail;
    sqlite3_stmt *pStmt = 0;
    char *zRefusal = 0;
    int rc, eType;
    int n = 0;
    const char *zStmt;
    const unsigned char *zTok = migFirstToken(zStart, &n, &eType);
    if( eType==MIG_TK_EOF ) break;        /* only space and comments left */
    rc = sqlite3_prepare_v2(p->db, zStart, -1, &pStmt, &zTail);
    if( rc==SQLITE_OK && pStmt ) zRefusal = migScriptRefusal(p, pStmt);
    if( zRefusal ){
      migError(p, "revision %s (%s), %s section, line %d: %s", pRev->zRev,
          pRev->zFile, zSection, migLineOf(zSql, iLine,
          (i64)((const char*)zTok - zSql)), zRefusal);
      sqlite3_free(zRefusal);
    }else if( rc==SQLITE_OK && pStmt && p->rc==SQLITE_OK ){
      while( (rc = sqlite3_step(pStmt))==SQLITE_ROW );
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    }
    sqlite3_finalize(pStmt);
    if( rc==SQLITE_OK ) migTrapRefresh(p);   /* its DDL may expire it */
    if( p->rc!=SQLITE_OK ) break;
    if( rc==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else if( rc!=SQLITE_OK ){
      zStmt = migStatementExtent(zStart, &n);
      migErrorSet(p, migSectionErrCode(rc),
          "revision %s (%s), %s section: %s%s, in: %.*s", pRev->zRev,
          pRev->zFile, zSection, sqlite3_errmsg(p->db),
          migSqliteBugHint(p->db, rc), n, zStmt);
    }
  }
  if( pOut ) sqlite3_trace_v2(p->db, 0, 0, 0);
}

/* Fail when the migration left foreign key violations in the schema. */
static void migForeignKeyCheck(Mig *p){
  sqlite3_stmt *pStmt = migPrepare(p, "PRAGMA \"%w\".foreign_key_check",
      p->zDb);
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
    migErrorSet(p, SQLITE_CONSTRAINT, "the migration leaves %d foreign key "
        "violation%s (first: %s); nothing was changed", n, n==1 ? "" : "s",
        zFirst ? zFirst : "");
  }
  sqlite3_free(zFirst);
}

/*************************************************************************
** Checks of the applied state.
*/

/* Fail when an applied revision has no script. */
static void migCheckUnknown(Mig *p, MigScripts *pS, MigApplied *pA){
  if( p->rc==SQLITE_OK && pA->nUnknown>0 ){
    migError(p, "revision %s is recorded as applied in %s.\"%s\" but no "
        "script in %s has it: restore the script, or re-stamp with "
        "mig_stamp", pA->azUnknown[0], p->zDb, MIG_APPLIED_TABLE, pS->zDir);
  }
}

/* Fail when the script of applied revision pRev changed since. */
static void migCheckEdited(Mig *p, MigScripts *pS, MigApplied *pA,
                           MigRev *pRev){
  const char *zSum = pA->azSum[pRev->iOrder];
  if( p->rc==SQLITE_OK && !migChecksumMatches(pRev, zSum) ){
    char *zCur = migCurrentOf(p, pS, pA->aApplied, pA->nUnknown,
                              pA->azUnknown);
    if( p->rc==SQLITE_OK ){
      migError(p, "the script %s of applied revision %s was edited after "
          "it was applied: review the change, then accept it with "
          "mig_stamp('%s')", pRev->zFile, pRev->zRev, zCur ? zCur : "base");
    }
    sqlite3_free(zCur);
  }
}

/* Fail when an applied ancestor of a revision to apply was edited. */
static void migCheckEditedBelow(Mig *p, MigScripts *pS, MigApplied *pA,
                                const unsigned char *aNew){
  int nRev = p->rc==SQLITE_OK ? pS->nRev : 0;
  unsigned char *aSeen = migMalloc(p, nRev+1);
  MigRev **apTmp = migMalloc(p, sizeof(MigRev*)*(nRev+1));
  int i, n;
  for(i=0; p->rc==SQLITE_OK && i<nRev; i++){
    if( !aNew[i] || pA->aApplied[i] ) continue;
    n = migReach(pS->apRev[i], 1, aSeen, apTmp);
    while( n>0 && p->rc==SQLITE_OK ){
      MigRev *pUp = apTmp[--n];
      if( pA->aApplied[pUp->iOrder] ) migCheckEdited(p, pS, pA, pUp);
    }
  }
  sqlite3_free(aSeen);
  sqlite3_free(apTmp);
}

/*************************************************************************
** Moving.
*/

/* With mig_config('progress', 1): the line Alembic prints for a revision
** ("Running upgrade <parents> -> <rev>, <message>", or "Running downgrade
** <rev> -> <parents>, ..."), on stderr as the revision starts, so that a
** person watching a long upgrade sees where it is. */
static void migProgressRev(Mig *p, MigRev *pRev, int bUp){
  int i;
  if( p->rc!=SQLITE_OK || p->pConfig==0 || !p->pConfig->bProgress ) return;
  fprintf(stderr, "Running %s ", bUp ? "upgrade" : "downgrade");
  if( !bUp ) fprintf(stderr, "%s -> ", pRev->zRev);
  for(i=0; i<pRev->nDown; i++){
    fprintf(stderr, "%s%s", i ? ", " : "", pRev->azDown[i]);
  }
  if( bUp ) fprintf(stderr, " -> %s", pRev->zRev);
  fprintf(stderr, ", %s\n", pRev->zMessage);
  fflush(stderr);
}

/*
** The applied state of p->zDb (into *pA) and the applied set that
** zTarget asks for (into aNew, room for every revision), with the checks
** that the move must pass before anything runs: the script location
** holds this database's history; no applied revision lacks its script;
** no script that the move builds on or reverts was edited after it was
** applied; no section to run needs a newer SQLite.  Shared by the move
** itself and by its dry run.
*/
static void migMoveResolve(Mig *p, MigScripts *pS, const char *zTarget,
                           int eOp, MigApplied *pA, MigTarget *pT,
                           unsigned char *aNew){
  int i;
  migAppliedLoad(p, pS, pA);
  if( eOp!=MIG_OP_STAMP ) migAppliedRequireKnown(p, pS, pA);
  migTargetParse(p, pS, zTarget, eOp, pT);
  migTargetApply(p, pS, pT, zTarget, eOp, pA->aApplied, aNew);
  if( eOp==MIG_OP_UP ){
    migCheckUnknown(p, pS, pA);
    migCheckEditedBelow(p, pS, pA, aNew);
  }else if( eOp==MIG_OP_DOWN ){
    migCheckUnknown(p, pS, pA);
    for(i=pS->nRev-1; p->rc==SQLITE_OK && i>=0; i--){
      if( !aNew[i] && pA->aApplied[i] ){
        migCheckEdited(p, pS, pA, pS->apRev[i]);
      }
    }
  }
  /* No section that would run may need a newer SQLite than the running
  ** one (mig_compat.c). */
  for(i=0; p->rc==SQLITE_OK && eOp!=MIG_OP_STAMP && i<pS->nRev; i++){
    MigRev *pRev = pS->apRev[i];
    if( eOp==MIG_OP_UP && aNew[i] && !pA->aApplied[i] ){
      migSectionCheck(p, pRev, "upgrade", pRev->zUpgrade);
    }else if( eOp==MIG_OP_DOWN && !aNew[i] && pA->aApplied[i] ){
      migSectionCheck(p, pRev, "downgrade", pRev->zDowngrade);
    }
  }
}

/*
** On a read-only schema, fail when the move would change anything,
** saying that the database is read-only and what to do (rather than
** SQLite's "attempt to write a readonly database" from deep inside), and
** before any work.  A move that changes nothing succeeds without a
** transaction (which some SQLite versions refuse on a read-only file):
** then *pzRet is the current revision (or NULL at base) and 1 is
** returned.  0 when the schema can be written, or on an error.
*/
static int migMoveReadOnly(Mig *p, MigScripts *pS, const char *zTarget,
                           int eOp, char **pzRet){
  MigApplied ap;
  MigTarget tgt;
  unsigned char *aNew;
  int i, bChange;
  *pzRet = 0;
  if( p->rc!=SQLITE_OK || sqlite3_db_readonly(p->db, p->zDb)!=1 ) return 0;
  aNew = migMalloc(p, pS->nRev+1);
  migMoveResolve(p, pS, zTarget, eOp, &ap, &tgt, aNew);
  bChange = eOp==MIG_OP_STAMP && ap.nUnknown>0;
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    if( aNew[i]!=ap.aApplied[i] ) bChange = 1;
    if( eOp==MIG_OP_STAMP && aNew[i] && ap.azSum[i]
     && strcmp(ap.azSum[i], pS->apRev[i]->zChecksum)!=0 ){
      bChange = 1;
    }
  }
  if( bChange ){
    migRequireWritable(p, eOp==MIG_OP_STAMP ? "record revisions in it"
                                            : "migrate it");
  }else{
    *pzRet = migCurrentOf(p, pS, aNew, 0, 0);
  }
  sqlite3_free(aNew);
  sqlite3_free(tgt.apRev);
  migAppliedClear(&ap);
  return p->rc==SQLITE_OK && !bChange;
}

/*
** Move schema p->zDb to the applied set that zTarget names (eOp: up,
** down or stamp) in one transaction.  Returns the new current
** revision(s) (sqlite3_free), NULL at base.  With pOut, every statement
** that writes is also recorded there (mig_sql).
*/
char *migMoveCore(Mig *p, MigScripts *pS, const char *zTarget, int eOp,
                  sqlite3_str *pOut){
  MigApplied ap;
  MigTarget tgt;
  MigTxn txn;
  MigBook book;
  unsigned char *aNew = 0;
  char *zRet = 0;
  int i;

  if( p->rc!=SQLITE_OK ) return 0;
  memset(&ap, 0, sizeof(ap));
  memset(&tgt, 0, sizeof(tgt));
  if( pOut==0 && migMoveReadOnly(p, pS, zTarget, eOp, &zRet) ) return zRet;
  if( p->pConfig ) p->pConfig->guard.nScript++;
  migTxnBegin(p, &txn, "libmig_apply", 1);
  migBookOpen(p, &book, pOut);
  if( p->rc==SQLITE_OK ) aNew = migMalloc(p, pS->nRev+1);
  migMoveResolve(p, pS, zTarget, eOp, &ap, &tgt, aNew);
  if( pOut==0 ) migBookParents(p, &book, pS, &ap);

  if( eOp==MIG_OP_UP ){
    for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
      MigRev *pRev = pS->apRev[i];
      if( !aNew[i] || ap.aApplied[i] ) continue;
      if( pOut==0 ) migProgressRev(p, pRev, 1);
      migRunSection(p, pRev, "upgrade", pRev->zUpgrade, pOut);
      migBookApplied(p, &book, pRev);
    }
    migForeignKeyCheck(p);
  }else if( eOp==MIG_OP_DOWN ){
    for(i=pS->nRev-1; p->rc==SQLITE_OK && i>=0; i--){
      MigRev *pRev = pS->apRev[i];
      if( aNew[i] || !ap.aApplied[i] ) continue;
      if( pOut==0 ) migProgressRev(p, pRev, 0);
      migRunSection(p, pRev, "downgrade", pRev->zDowngrade, pOut);
      migBookRemoved(p, &book, pRev->zRev);
    }
    migForeignKeyCheck(p);
  }else{
    /* A stamp records exactly the new set, with today's checksums. */
    for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
      MigRev *pRev = pS->apRev[i];
      if( aNew[i] && ap.aApplied[i] ){
        if( strcmp(ap.azSum[i], pRev->zChecksum)!=0 ){
          migBookChecksum(p, &book, pRev->zRev, pRev->zChecksum);
        }
      }else if( aNew[i] ){
        migBookApplied(p, &book, pRev);
      }else if( ap.aApplied[i] ){
        migBookRemoved(p, &book, pRev->zRev);
      }
    }
    for(i=0; p->rc==SQLITE_OK && i<ap.nUnknown; i++){
      migBookRemoved(p, &book, ap.azUnknown[i]);
    }
  }
  if( p->rc==SQLITE_OK ) zRet = migCurrentOf(p, pS, aNew, 0, 0);
  migBookClose(&book);
  migTxnEnd(p, &txn);
  if( p->rc!=SQLITE_OK ){
    sqlite3_free(zRet);
    zRet = 0;
  }
  sqlite3_free(aNew);
  sqlite3_free(tgt.apRev);
  migAppliedClear(&ap);
  if( p->pConfig ) p->pConfig->guard.nScript--;
  return zRet;
}

/* The work of a move, for migAtomicRun(). */
typedef struct MigMoveWork MigMoveWork;
struct MigMoveWork {
  MigScripts *pS;           /* the scripts */
  const char *zTarget;      /* the target */
  int eOp;                  /* MIG_OP_* */
  char *zRet;               /* the new current revision(s) */
};
static void migMoveWork(Mig *p, void *pArg){
  MigMoveWork *pW = (MigMoveWork*)pArg;
  pW->zRet = migMoveCore(p, pW->pS, pW->zTarget, pW->eOp, 0);
}

/*
** mig_upgrade(target), mig_downgrade(target), mig_stamp(target).
*/
static void migMove(sqlite3_context *ctx, sqlite3_value **argv, int eOp,
                    const char *zFunc){
  Mig m;
  MigMoveWork w;

  memset(&w, 0, sizeof(w));
  w.eOp = eOp;
  migCallBegin(&m, ctx, zFunc);
  w.zTarget = migArgText(&m, argv, 0, "target");
  if( migMovingEnter(&m) ){
    if( eOp!=MIG_OP_STAMP ) migRequireSafeJournal(&m);
    w.pS = migScriptsOpen(&m);
    migAtomicRun(&m, migMoveWork, &w, eOp!=MIG_OP_STAMP);
    migMovingLeave(&m);
  }
  if( m.rc==SQLITE_OK ){
    if( w.zRet ){
      /* No copy: nothing may fail once the call committed. */
      sqlite3_result_text(ctx, w.zRet, -1, sqlite3_free);
      w.zRet = 0;
    }else{
      sqlite3_result_null(ctx);
    }
  }
  sqlite3_free(w.zRet);
  migScriptsFree(w.pS);
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

/*
** mig_dry_run(operation, target): what mig_upgrade(target) (operation
** 'upgrade') or mig_downgrade(target) ('downgrade') would run, changing
** nothing: the same target and the same checks as the move itself, and
** no transaction.  JSON:
**
**   {"operation": "upgrade", "from": "<current>" or null,
**    "to": "<current afterwards>" or null,
**    "revisions": [{"revision", "parents": [...], "message", "file",
**                   "sql": "<the section that would run>"}, ...]}
**
** with the revisions in the order they would run.
*/
void migDryRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigScripts *pS = 0;
  MigApplied ap;
  MigTarget tgt;
  const char *zOp, *zTarget;
  unsigned char *aNew = 0;
  char *zFrom = 0, *zTo = 0, *zOut;
  sqlite3_str *pOut = 0;
  int eOp = MIG_OP_UP, i, j, n = 0;
  (void)argc;

  memset(&ap, 0, sizeof(ap));
  memset(&tgt, 0, sizeof(tgt));
  migCallBegin(&m, ctx, "mig_dry_run");
  zOp = migArgText(&m, argv, 0, "operation");
  zTarget = migArgText(&m, argv, 1, "target");
  if( m.rc==SQLITE_OK ){
    if( sqlite3_stricmp(zOp, "downgrade")==0 ){
      eOp = MIG_OP_DOWN;
    }else if( sqlite3_stricmp(zOp, "upgrade")!=0 ){
      migError(&m, "operation must be 'upgrade' or 'downgrade', not '%s'",
          zOp);
    }
  }
  pS = migScriptsOpen(&m);
  if( m.rc==SQLITE_OK ) aNew = migMalloc(&m, pS->nRev+1);
  migMoveResolve(&m, pS, zTarget, eOp, &ap, &tgt, aNew);
  zFrom = migCurrentOf(&m, pS, ap.aApplied, 0, 0);
  zTo = migCurrentOf(&m, pS, aNew, 0, 0);
  if( m.rc==SQLITE_OK ){
    pOut = sqlite3_str_new(m.db);
    sqlite3_str_appendf(pOut, "{\"operation\":\"%s\",\"from\":",
        eOp==MIG_OP_UP ? "upgrade" : "downgrade");
    migJsonString(pOut, zFrom);
    sqlite3_str_appendall(pOut, ",\"to\":");
    migJsonString(pOut, zTo);
    sqlite3_str_appendall(pOut, ",\"revisions\":[");
    for(i=0; i<pS->nRev; i++){
      MigRev *pRev = pS->apRev[eOp==MIG_OP_UP ? i : pS->nRev-1-i];
      int iOrder = pRev->iOrder;
      if( aNew[iOrder]==ap.aApplied[iOrder] ) continue;
      sqlite3_str_appendall(pOut, n++ ? ",{\"revision\":" : "{\"revision\":");
      migJsonString(pOut, pRev->zRev);
      sqlite3_str_appendall(pOut, ",\"parents\":[");
      for(j=0; j<pRev->nDown; j++){
        if( j ) sqlite3_str_appendchar(pOut, 1, ',');
        migJsonString(pOut, pRev->azDown[j]);
      }
      sqlite3_str_appendall(pOut, "],\"message\":");
      migJsonString(pOut, pRev->zMessage);
      sqlite3_str_appendall(pOut, ",\"file\":");
      migJsonString(pOut, pRev->zFile);
      sqlite3_str_appendall(pOut, ",\"sql\":");
      migJsonString(pOut, eOp==MIG_OP_UP ? pRev->zUpgrade : pRev->zDowngrade);
      sqlite3_str_appendchar(pOut, 1, '}');
    }
    sqlite3_str_appendall(pOut, "]}");
    zOut = migStrFinish(&m, pOut);
    if( zOut ) sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
  }
  sqlite3_free(zFrom);
  sqlite3_free(zTo);
  sqlite3_free(aNew);
  sqlite3_free(tgt.apRev);
  migAppliedClear(&ap);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}
