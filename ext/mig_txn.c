/*
** mig_txn.c: the transaction of a call that writes, where it runs, the
** connection settings it switches for its time, and the guards around it.
**
** A call that writes (mig_upgrade, mig_downgrade, mig_stamp, mig_rebuild)
** lands whole or not at all, whatever happens while it runs and whatever
** the caller does next (rules 1 and 7 of README.md): an error, an
** interrupt (sqlite3_interrupt: Ctrl-C in the shell, an application's
** timeout, a progress handler that returns non-zero), out of memory, an
** I/O error or a full disk, a crash.
**
** WHY THIS IS HARD.  The call is an SQL function: it runs inside the
** caller's statement (SELECT mig_upgrade('head')), and every statement it
** runs is nested in that one.  Facts of SQLite (3.31 to 3.53 alike) that
** the design rests on:
**   (F1) sqlite3_interrupt() sets a flag on the connection that is
**        cleared only when a statement starts while no other one is
**        active.  Until the caller's statement ends, every nested
**        statement libmig starts fails at its first instruction with
**        SQLITE_INTERRUPT, ROLLBACK and ROLLBACK TO included, and so does
**        the parsing of any SQL text that holds a space.  An allocation
**        that fails inside SQLite (out of memory) sets the same flag, and
**        every later allocation of the connection fails too, until then.
**   (F2) when a statement that writes stops with SQLITE_INTERRUPT (or
**        out of memory without a statement journal), SQLite rolls back
**        the whole transaction and returns to autocommit mode: the
**        sqlite3_interrupt documentation says so of an interrupted
**        INSERT, UPDATE or DELETE inside an explicit transaction.  A
**        statement that only reads rolls back nothing.
**   (F3) a function called as SELECT f() (no FROM) that fails makes
**        SQLite roll back nothing, whatever the error code.
**   (F4) a schema change, a flag PRAGMA or sqlite3_db_config marks every
**        prepared statement of the connection expired; an expired
**        statement must be compiled again before it runs, which (F1)
**        forbids once the flag is set.
**   (F5) sqlite3_db_config runs no SQL: it works while SQL is refused.
**   (F6) sqlite3_commit_hook, sqlite3_rollback_hook and
**        sqlite3_trace_v2 return nothing that lets a second callback
**        chain to the application's own.
**
** THE DESIGN.  Two ways, chosen per call by migAtomicRun():
**
** (A) A PRIVATE CONNECTION, in autocommit mode on a database file (the
**     caller's statement then holds no lock and no transaction, checked
**     with sqlite3_txn_state).  libmig opens a second connection to the
**     same file (same VFS, URI parameters, a private cache), registers
**     itself there, copies the settings that change what SQL does (the
**     flags of sqlite3_db_config, the PRAGMAs that can be read back, the
**     limits, the busy timeout) and does the whole call there, as
**     top-level statements: (F1) does not apply to them, so ROLLBACK
**     always runs, and if it could not (out of memory), closing the
**     connection rolls back; a crash leaves a journal that the next
**     opener rolls back.  The caller's connection is never in a
**     transaction: nothing is left open for its later writes to fall
**     into, and its settings are never touched.  The caller's interrupt
**     reaches the work through a progress handler on the private
**     connection, which (every MIG_POLL_STEPS instructions) asks
**     sqlite3_is_interrupted() where the running SQLite has it (3.41+,
**     found at run time in the API table) and steps a prepared "SELECT 1"
**     on the caller's connection: that statement starts after the
**     interrupt, so SQLite interrupts it (documented, every version), and
**     it runs the caller's own progress handler, which can cancel the
**     call by returning non-zero as for any statement.  Nothing runs on
**     the caller's connection after the private COMMIT, so nothing there
**     (not even out of memory, which would fail the caller's statement)
**     can report an error for a call that committed.  Before the work,
**     "PRAGMA writable_schema=RESET" is compiled on the caller's
**     connection (3.37+: compiling it drops the cached schema, running it
**     is not needed): its next statement reads the schema the private
**     connection committed, and a statement compiled against the old
**     one cannot fail (a VALUES count, say) for want of a reload.
**     The caller's TEMP objects are made again on the private connection
**     (their definitions, no rows), so that a rebuild checks and keeps
**     the TEMP views and triggers that name its table as it would on the
**     caller's connection; the caller's own are never touched.  What a
**     private connection lacks: functions, collations and virtual table
**     modules the application registered, attached databases, the rows
**     of TEMP tables.  A call that fails
**     on the private connection for want of one of those ("no such
**     function", "unknown function", "no such collation sequence", "no
**     such module", "no such table", "unknown database") is rolled back
**     and done again by (B).  Also (B): in-memory and temporary databases (no second
**     connection reaches them), SQLite before 3.37, an SQLite built
**     without progress handlers (better-sqlite3's), a caller in
**     locking_mode=EXCLUSIVE, a VFS that is not registered by name.
**
** (B) THE CALLER'S CONNECTION, inside the caller's own transaction (and
**     where (A) is not possible).  The call's own SAVEPOINT (or BEGIN
**     IMMEDIATE in autocommit mode) holds the work.  On failure:
**     1. ROLLBACK TO and RELEASE (or ROLLBACK), when SQLite runs them: an
**        error of the call, an error out of memory in libmig itself, a
**        statement stopped by a progress handler (which does not set the
**        flag of (F1)).
**     2. If SQLite refuses them (F1), the trap: a BEGIN IMMEDIATE
**        prepared before the work (and prepared again after every
**        statement that could expire it, F4).  It writes (it takes the
**        write lock), so when stepped now it is stopped at its first
**        instruction by the interrupt and, by (F2), SQLite rolls back the
**        whole transaction, the caller's part too if it is the caller's
**        (exactly what SQLite does to the caller's own interrupted
**        INSERT there; the error message says so).  It is the one
**        statement SQLite still lets run.  Had it no interrupt to meet,
**        it would fail harmlessly ("cannot start a transaction within a
**        transaction").
**     3. If the trap is expired too (the interrupt came in the instant
**        between a schema change and its new preparation, or that
**        preparation itself ran out of memory), the half-done work is
**        made impossible to commit and rolled back at the next
**        opportunity: a commit hook that vetoes (any COMMIT of that
**        transaction fails and rolls it back), a rollback hook that sees
**        it end, and a trace callback that runs the rollback (ROLLBACK
**        TO and RELEASE, or ROLLBACK) when the connection starts its next
**        statement, before that statement runs; the flag of (F1) is
**        clear by then.  By (F6) these replace the application's own
**        commit hook, rollback hook and trace callback from then on; they
**        remove themselves when the transaction is rolled back.
**     So the database ends at the old revision or the new one whatever
**     the caller does next: COMMIT (vetoed, or nothing left to commit),
**     ROLLBACK, more writes (they run after the rollback), close
**     (rollback).  And the result matches: only a COMMIT or RELEASE that
**     succeeded lets the call return a revision.
**
** SETTINGS.  For the time of the call's own transaction (bOwn), foreign
** key enforcement and legacy_alter_table are off, switched with
** sqlite3_db_config, never by PRAGMA: PRAGMA foreign_keys is a no-op
** inside a transaction, and by (F5) the settings go back as they were on
** every path.
**   - foreign keys off: a rebuild drops the old table, which with
**     enforcement on runs the ON DELETE actions of the tables that point
**     to it (rule 4).  Nothing is lost to that: the callers run PRAGMA
**     foreign_key_check themselves before they return (violations made
**     while enforcement is off are not caught at COMMIT).
**   - legacy_alter_table off: with it on, ALTER TABLE ... RENAME does not
**     rewrite the foreign keys of other tables that name the table.
**
** JOURNAL.  A failed call is undone by SQLite's rollback journal (or
** WAL).  With journal_mode=OFF there is nothing to roll back with (a
** failing revision leaves a malformed database), and with MEMORY a crash
** in the middle corrupts the file (SQLite's own warning): upgrades,
** downgrades and rebuilds refuse both unless mig_config('unsafe_journal',
** 1).  An in-memory database has only MEMORY and no crash to survive: it
** is refused only under OFF.
**
** RE-ENTRY.  While mig_upgrade, mig_downgrade or mig_stamp runs on a
** connection, none of them (nor mig_merge) may start on it: a revision
** script that calls one, or a trigger or TEMP view it fires that does
** (SQLITE_DIRECTONLY keeps the functions out of the schema's own views
** and triggers, but SQLite trusts TEMP ones), would nest a second move
** inside the first one's transaction.  The guard counts the calls
** running (MigGuard.nMoving of the connection's MigConfig).
*/
#include "mig_int.h"

/* Instructions of the private connection between two looks at the
** caller's connection (its interrupt, its progress handler). */
#define MIG_POLL_STEPS 10000

/* Read (iNew<0) or set a boolean sqlite3_db_config option; returns the
** value before. */
static int migDbConfigSwap(sqlite3 *db, int op, int iNew){
  int iOld = 0;
  sqlite3_db_config(db, op, -1, &iOld);
  if( iNew>=0 && iNew!=iOld ) sqlite3_db_config(db, op, iNew, (int*)0);
  return iOld;
}

/*************************************************************************
** (B): the trap and the deferred rollback.
*/

/* The trap of method (B): see the comment at the top of the file. */
#define MIG_TRAP_SQL "BEGIN IMMEDIATE"

/* Prepare the trap of the connection again, after a statement or a
** setting that may have expired it (F4).  Nothing to do when no call of
** method (B) runs on the connection.  When SQLite refuses to prepare it
** (interrupted, out of memory) the call is doomed: that is its error. */
void migTrapRefresh(Mig *p){
  MigGuard *pG;
  sqlite3_stmt *pNew = 0;
  int rc;
  if( p->pConfig==0 ) return;
  pG = &p->pConfig->guard;
  if( pG->pTrap==0 ) return;
  rc = sqlite3_prepare_v2(p->db, MIG_TRAP_SQL, -1, &pNew, 0);
  if( rc==SQLITE_OK && pNew ){
    sqlite3_finalize(pG->pTrap);
    pG->pTrap = pNew;
  }else if( p->rc==SQLITE_OK ){
    if( rc==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else{
      migErrorSet(p, rc ? rc : SQLITE_ERROR, "%s", sqlite3_errmsg(p->db));
    }
  }
}

/* Stop the deferred rollback: the transaction it waited for is over.
** The hooks go (the application's own were replaced when it started). */
static void migDeferDisarm(MigGuard *pG){
  if( !pG->bArmed ) return;
  pG->bArmed = 0;
  sqlite3_commit_hook(pG->db, 0, 0);
  sqlite3_rollback_hook(pG->db, 0, 0);
  sqlite3_trace_v2(pG->db, 0, 0, 0);
}

/* Commit hook: a transaction that holds half a call never commits. */
static int migDeferCommit(void *pArg){
  return ((MigGuard*)pArg)->bArmed;
}

/* Rollback hook: the transaction is gone, with the half call in it. */
static void migDeferRollback(void *pArg){
  migDeferDisarm((MigGuard*)pArg);
}

/* Run the rollback of the half call; true when it is undone. */
static int migDeferUndo(MigGuard *pG){
  if( pG->zSavepoint ){
    char *zSql = sqlite3_mprintf("ROLLBACK TO \"%w\"", pG->zSavepoint);
    int rc = zSql ? sqlite3_exec(pG->db, zSql, 0, 0, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc!=SQLITE_OK ) return sqlite3_get_autocommit(pG->db);
    /* An empty savepoint left behind (RELEASE is refused while a writing
    ** statement runs) is harmless. */
    zSql = sqlite3_mprintf("RELEASE \"%w\"", pG->zSavepoint);
    if( zSql ) sqlite3_exec(pG->db, zSql, 0, 0, 0);
    sqlite3_free(zSql);
    return 1;
  }
  return sqlite3_exec(pG->db, "ROLLBACK", 0, 0, 0)==SQLITE_OK
      || sqlite3_get_autocommit(pG->db);
}

/* Trace callback: the connection starts a statement, so SQL runs again
** (the interrupt flag is clear): roll the half call back first. */
static int migDeferTrace(unsigned mask, void *pArg, void *pP, void *pX){
  MigGuard *pG = (MigGuard*)pArg;
  (void)mask; (void)pP; (void)pX;
  if( pG->bArmed && !pG->bUndoing ){
    int bDone;
    pG->bUndoing = 1;
    bDone = migDeferUndo(pG);
    pG->bUndoing = 0;
    if( bDone ) migDeferDisarm(pG);
  }
  return 0;
}

/* Arm the deferred rollback of the call's transaction on p->db. */
static void migDeferArm(Mig *p, MigTxn *pT){
  MigGuard *pG = &p->pConfig->guard;
  pG->db = p->db;
  pG->zSavepoint = pT->bBegin ? 0 : pT->zSavepoint;
  pG->bArmed = 1;
  sqlite3_commit_hook(p->db, migDeferCommit, pG);
  sqlite3_rollback_hook(p->db, migDeferRollback, pG);
  sqlite3_trace_v2(p->db, SQLITE_TRACE_STMT, migDeferTrace, pG);
}

/* Add zNote to the error message of p, if it has one and memory allows. */
static void migErrorNote(Mig *p, const char *zNote){
  char *z;
  if( p->zErr==0 ) return;
  z = sqlite3_mprintf("%s (%s)", p->zErr, zNote);
  if( z ){
    sqlite3_free(p->zErr);
    p->zErr = z;
  }
}

/* An interrupted call of its own transaction (pT->bBegin) that is rolled
** back changed nothing, and says so in the words of method (A): the same
** message whichever method ran (before SQLite 3.37 it is always B). */
static void migTxnUndone(Mig *p, MigTxn *pT){
  if( pT->bBegin && (p->rc & 0xff)==SQLITE_INTERRUPT ){
    migReset(p);
    migErrorSet(p, SQLITE_INTERRUPT, MIG_INTERRUPTED);
  }
}

/* Roll back the failed call of transaction pT that owns the trap (method
** B), by the first of the three ways that works. */
static void migTxnUndo(Mig *p, MigTxn *pT){
  MigGuard *pG = &p->pConfig->guard;
  int rc;
  if( sqlite3_get_autocommit(p->db) ){
    /* SQLite rolled it all back already (F2). */
    if( !pT->bBegin ){
      migErrorNote(p, "SQLite rolled back the whole transaction");
    }
    migTxnUndone(p, pT);
    return;
  }
  if( pT->bBegin ){
    rc = sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
  }else{
    char *zSql = sqlite3_mprintf("ROLLBACK TO \"%w\"; RELEASE \"%w\"",
        pT->zSavepoint, pT->zSavepoint);
    rc = zSql ? sqlite3_exec(p->db, zSql, 0, 0, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
  }
  if( rc==SQLITE_OK || sqlite3_get_autocommit(p->db) ){
    migTxnUndone(p, pT);
    return;
  }
  /* 2. The trap.  Its result does not matter: whether the transaction
  ** is gone does. */
  sqlite3_step(pG->pTrap);
  sqlite3_reset(pG->pTrap);
  if( sqlite3_get_autocommit(p->db) ){
    if( !pT->bBegin ){
      migErrorNote(p, "the whole transaction was rolled back: SQLite "
          "refuses a partial rollback while the call is interrupted");
    }
    migTxnUndone(p, pT);
    return;
  }
  /* 3. The deferred rollback. */
  migDeferArm(p, pT);
  migErrorNote(p, "what the call did cannot commit, and is rolled back "
      "before the next statement of this connection runs");
}

/*************************************************************************
** The transaction.
*/

void migTxnBegin(Mig *p, MigTxn *pT, const char *zSavepoint, int bOwn){
  MigGuard *pG = p->pConfig ? &p->pConfig->guard : 0;
  memset(pT, 0, sizeof(*pT));
  pT->zSavepoint = zSavepoint;
  pT->iFk = pT->iLegacyAlter = -1;
  if( p->rc!=SQLITE_OK ) return;
  if( bOwn ){
    pT->iFk = migDbConfigSwap(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, 0);
    pT->iLegacyAlter = migDbConfigSwap(p->db,
        SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, 0);
    if( pG && pG->bNested && pG->pTrap==0 ){
      /* The outermost transaction of a call of method (B): the trap is
      ** prepared after the settings (which expire statements). */
      int rc = sqlite3_prepare_v2(p->db, MIG_TRAP_SQL, -1, &pG->pTrap, 0);
      if( rc!=SQLITE_OK ){
        migErrorFromDb(p);
        return;
      }
      pT->bTrap = 1;
    }
  }
  /* Started as soon as it is tried: BEGIN can open the transaction and
  ** still report an error (out of memory after the step), and then
  ** migTxnEnd must roll it back. */
  pT->bStarted = 1;
  if( bOwn && sqlite3_get_autocommit(p->db) ){
    pT->bBegin = 1;
    migExec(p, "BEGIN IMMEDIATE");
  }else{
    migExec(p, "SAVEPOINT \"%w\"", zSavepoint);
  }
}

/* Commit when all went well, else roll back; the settings back. */
void migTxnEnd(Mig *p, MigTxn *pT){
  if( pT->bStarted && p->rc==SQLITE_OK ){
    if( pT->bBegin ){
      migExec(p, "COMMIT");
      /* A progress handler that says stop as COMMIT ends makes SQLite
      ** report SQLITE_INTERRUPT for a COMMIT that is done (3.31 and 3.40
      ** alike; SQLite rolls nothing back for it, COMMIT being read-only
      ** to it, so one stopped before the commit leaves the transaction
      ** open): back in autocommit mode, the call committed. */
      if( (p->rc & 0xff)==SQLITE_INTERRUPT && sqlite3_get_autocommit(p->db) ){
        migReset(p);
      }
    }else{
      migExec(p, "RELEASE \"%w\"", pT->zSavepoint);
    }
  }
  if( pT->bStarted && p->rc!=SQLITE_OK ){
    if( pT->bTrap ){
      migTxnUndo(p, pT);
    }else if( !pT->bBegin ){
      migCleanup(p, "ROLLBACK TO \"%w\"; RELEASE \"%w\"", pT->zSavepoint,
          pT->zSavepoint);
      migTrapRefresh(p);
    }else if( !sqlite3_get_autocommit(p->db) ){
      migCleanup(p, "ROLLBACK");
    }
  }
  if( pT->iFk>=0 ){
    migDbConfigSwap(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, pT->iFk);
  }
  if( pT->iLegacyAlter>=0 ){
    migDbConfigSwap(p->db, SQLITE_DBCONFIG_LEGACY_ALTER_TABLE,
        pT->iLegacyAlter);
  }
  if( pT->bTrap ){
    MigGuard *pG = &p->pConfig->guard;
    sqlite3_finalize(pG->pTrap);
    pG->pTrap = 0;
  }else if( pT->iFk>=0 ){
    migTrapRefresh(p);      /* the settings expired it (F4) */
  }
  pT->bStarted = pT->bTrap = 0;
  pT->iFk = pT->iLegacyAlter = -1;
}

/*************************************************************************
** (A): the private connection.
*/

typedef struct MigPrivate MigPrivate;
struct MigPrivate {
  sqlite3 *dbCaller;        /* the connection of the SQL function call */
  sqlite3 *db;              /* the private connection, or NULL */
  char *zMainName;          /* the name of its main schema when the call's
                            ** target is not main (sqlite3_malloc) */
  const char *zWhy;         /* why it could not be opened, or NULL */
  MigConfig *pConfig;       /* its settings (db owns them once registered) */
  sqlite3_stmt *pPoll;      /* "SELECT 1" on dbCaller */
  int rcStop;               /* why the poll stopped the work, or 0 */
};

/* The progress handler of the private connection: does the caller want
** the call to stop?  Returning non-zero stops the private connection's
** statement that runs (not the ones after it: the flag of (F1) is not
** set by a progress handler), and it keeps saying so. */
static int migPrivatePoll(void *pArg){
  MigPrivate *pv = (MigPrivate*)pArg;
  int rc;
  if( pv->rcStop ) return 1;
  if( migIsInterrupted(pv->dbCaller)==1 ){
    pv->rcStop = SQLITE_INTERRUPT;
    return 1;
  }
  rc = sqlite3_step(pv->pPoll);
  sqlite3_reset(pv->pPoll);
  if( rc!=SQLITE_ROW ){
    pv->rcStop = rc==SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_INTERRUPT;
    return 1;
  }
  return 0;
}

/* An integer read on the caller's connection (a PRAGMA that may not
** exist in this SQLite), or -1.  Interrupted (the caller's progress
** handler said stop) or out of memory, the call fails. */
static i64 migCallerInt(Mig *p, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  i64 v = -1;
  int rc;
  if( p->rc!=SQLITE_OK ) return -1;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK && pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
    v = sqlite3_column_int64(pStmt, 0);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  if( rc==SQLITE_NOMEM || rc==SQLITE_INTERRUPT ){
    migErrorSet(p, rc, rc==SQLITE_NOMEM ? 0 : MIG_INTERRUPTED);
  }
  return v;
}

/* The caller's connection allows method (A) for schema p->zDb: returns
** the VFS to open it with, or NULL and (for a target that is not main)
** why not in pv->zWhy; a read-only schema has no reason (nothing can be
** written to it anyway).  For main, the private connection is a choice:
** it needs what makes it as safe as the caller's connection (the reset
** of the caller's schema cache, the progress handler that carries the
** caller's interrupt).  For another target it is the only place where
** the scripts' statements reach that schema and no other (the target is
** main there): it goes without them, as without the caller's TEMP
** objects, which belong with the caller's main. */
static sqlite3_vfs *migPrivatePossible(Mig *p, MigPrivate *pv){
  sqlite3_vfs *pVfs = 0;
  const char *zFile;
  char *zSql;
  i64 v;
  int bMain = migIsMain(p->zDb);
  if( p->rc!=SQLITE_OK ) return 0;
  if( bMain && (!migHasSchemaReset() || !migHasProgressHandler()) ) return 0;
  /* No transaction on any schema: no statement of the caller is reading
  ** either (the calling SELECT of a bare function reads nothing), so that
  ** dropping its cached schema below pulls nothing from under one. */
  if( !sqlite3_get_autocommit(p->db) || migNoTxn(p, 0)!=1 ){
    pv->zWhy = "a transaction is open on this connection";
    return 0;
  }
  zFile = sqlite3_db_filename(p->db, p->zDb);
  if( zFile==0 || zFile[0]==0 ){
    pv->zWhy = "it is an in-memory or temporary database, which no other "
               "connection can open";
    return 0;
  }
  if( sqlite3_db_readonly(p->db, p->zDb)!=0 ) return 0;
  if( sqlite3_file_control(p->db, p->zDb, SQLITE_FCNTL_VFS_POINTER, &pVfs)
   || pVfs==0 || pVfs->zName==0 || sqlite3_vfs_find(pVfs->zName)!=pVfs
   || (strcmp(pVfs->zName, "memdb")==0 && zFile[0]!='/')
  ){
    pv->zWhy = "its VFS is not registered under its name";
    return 0;
  }
  zSql = migMprintf(p, "SELECT lower(locking_mode)='exclusive' FROM "
      "pragma_locking_mode WHERE schema=%Q", p->zDb);
  v = zSql ? migCallerInt(p, zSql) : -1;
  sqlite3_free(zSql);
  if( v!=0 || p->rc!=SQLITE_OK ){
    pv->zWhy = "its locking_mode is EXCLUSIVE";
    return 0;
  }
  return pVfs;
}

/* The URI that opens database zFile (a name from sqlite3_db_filename)
** with the same parameters, without vfs= and cache= (sqlite3_free). */
static char *migPrivateUri(Mig *p, const char *zFile){
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *z;
  int i, n = 0;
  sqlite3_str_appendall(pStr, "file:");
  for(z=zFile; *z; z++){
    if( *z=='%' || *z=='?' || *z=='#' ){
      sqlite3_str_appendf(pStr, "%%%02X", (unsigned char)*z);
    }else{
      sqlite3_str_appendchar(pStr, 1, *z);
    }
  }
  for(i=0; (z = sqlite3_uri_key(zFile, i))!=0; i++){
    const char *zVal = sqlite3_uri_parameter(zFile, z);
    const char *zPart[2];
    int k;
    if( strcmp(z, "vfs")==0 || strcmp(z, "cache")==0 ) continue;
    zPart[0] = z;
    zPart[1] = zVal ? zVal : "";
    sqlite3_str_appendchar(pStr, 1, n++ ? '&' : '?');
    for(k=0; k<2; k++){
      const char *c;
      if( k ) sqlite3_str_appendchar(pStr, 1, '=');
      for(c=zPart[k]; *c; c++){
        if( *c=='%' || *c=='&' || *c=='#' || *c=='=' ){
          sqlite3_str_appendf(pStr, "%%%02X", (unsigned char)*c);
        }else{
          sqlite3_str_appendchar(pStr, 1, *c);
        }
      }
    }
  }
  return migStrFinish(p, pStr);
}

/* Give the private connection the caller's settings that change what
** SQL does there: flags, PRAGMAs that can be read back, limits, the busy
** timeout, the rollback journal mode. */
static void migPrivateSettings(Mig *p, MigPrivate *pv){
  static const int aFlag[] = {
    SQLITE_DBCONFIG_ENABLE_TRIGGER, SQLITE_DBCONFIG_ENABLE_VIEW,
    SQLITE_DBCONFIG_DEFENSIVE, SQLITE_DBCONFIG_DQS_DML,
    SQLITE_DBCONFIG_DQS_DDL, SQLITE_DBCONFIG_TRUSTED_SCHEMA,
    SQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_DBCONFIG_WRITABLE_SCHEMA,
    SQLITE_DBCONFIG_LEGACY_FILE_FORMAT,
  };
  /* The last three are the migrated schema's (main there). */
  static const char *const azPragma[] = {
    "recursive_triggers", "reverse_unordered_selects", "cell_size_check",
    "ignore_check_constraints", "automatic_index", "temp_store",
    "busy_timeout", "secure_delete", "synchronous", "cache_size",
  };
  const int nConn = 7;      /* those of the connection */
  Mig m;
  int i;
  migHandleInit(&m, pv->db, 0, pv->pConfig);
  for(i=0; i<(int)(sizeof(aFlag)/sizeof(aFlag[0])); i++){
    migDbConfigSwap(pv->db, aFlag[i], migDbConfigSwap(p->db, aFlag[i], -1));
  }
  for(i=0; i<=SQLITE_LIMIT_WORKER_THREADS; i++){
    sqlite3_limit(pv->db, i, sqlite3_limit(p->db, i, -1));
  }
  for(i=0; i<(int)(sizeof(azPragma)/sizeof(azPragma[0])) && p->rc==0; i++){
    char *zSql = i<nConn ? migMprintf(p, "PRAGMA %s", azPragma[i])
        : migMprintf(p, "PRAGMA \"%w\".%s", p->zDb, azPragma[i]);
    i64 v = zSql ? migCallerInt(p, zSql) : -1;
    sqlite3_free(zSql);
    if( v>=0 || strcmp(azPragma[i], "cache_size")==0 ){
      migExec(&m, "PRAGMA %s%s=%lld", i<nConn ? "" : "main.", azPragma[i], v);
    }
  }
  if( p->rc==SQLITE_OK ){
    sqlite3_stmt *pStmt = migPrepare(p, "PRAGMA \"%w\".journal_mode", p->zDb);
    if( migStep(p, pStmt)==SQLITE_ROW ){
      const char *zMode = (const char*)sqlite3_column_text(pStmt, 0);
      if( zMode && (sqlite3_stricmp(zMode, "truncate")==0
                 || sqlite3_stricmp(zMode, "persist")==0) ){
        migExec(&m, "PRAGMA main.journal_mode=%s", zMode);
      }
    }
    migFinalize(p, pStmt);
  }
  migErrorFrom(p, &m, "cannot set up the private connection: ");
}

/* The caller's TEMP objects, their definitions (no rows), on the private
** connection, so that the work sees there what it would see on the
** caller's: a rebuild checks and keeps the TEMP views and triggers that
** name its table (SQLite's RENAME checks them), TEMP tables shadow names
** as they do there, TEMP triggers fire.  The caller's own are never
** touched.  Returns 0 when one cannot be made there (method B then). */
static int migPrivateTemp(Mig *p, MigPrivate *pv){
  MigArena a;
  Mig side;
  sqlite3_stmt *pStmt;
  int bOk = 1;
  memset(&a, 0, sizeof(a));
  migHandleInit(&side, pv->db, 0, pv->pConfig);
  pStmt = migPrepare(p, "SELECT sql FROM \"temp\".sqlite_master"
      " WHERE sql IS NOT NULL ORDER BY rowid");
  while( bOk && migStep(p, pStmt)==SQLITE_ROW ){
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 0);
    MigObject *pObj = zSql ? migParseCreate(&side, &a, zSql) : 0;
    char *zCreate = pObj ? migQualifiedCreate(&side, pObj, "temp") : 0;
    if( zCreate ) migExec(&side, "%s", zCreate);
    sqlite3_free(zCreate);
    if( side.rc==SQLITE_NOMEM ) migErrorSet(p, SQLITE_NOMEM, 0);
    if( side.rc!=SQLITE_OK ) bOk = 0;
  }
  migFinalize(p, pStmt);
  migReset(&side);
  migArenaFree(&a);
  return bOk && p->rc==SQLITE_OK;
}

/* Close the private connection: whatever it did not commit is rolled
** back (also when ROLLBACK itself could not run). */
static void migPrivateClose(MigPrivate *pv){
  sqlite3_finalize(pv->pPoll);
  if( pv->db ){
    if( migHasProgressHandler() ) sqlite3_progress_handler(pv->db, 0, 0, 0);
    sqlite3_close_v2(pv->db);
  }
  sqlite3_free(pv->zMainName);
  memset(pv, 0, sizeof(*pv));
}

/* Open the private connection of method (A) for the call p, with libmig
** and the caller's settings, its poll, and the caller's schema cache
** dropped.  Returns 1 when the work can go there, 0 (with no error) when
** method (B) must do it. */
static int migPrivateOpen(Mig *p, MigPrivate *pv){
  sqlite3_vfs *pVfs;
  char *zUri = 0;
  int rc, iWritable;
  int bMain = migIsMain(p->zDb);
  sqlite3_stmt *pReset = 0;
  memset(pv, 0, sizeof(*pv));
  pv->dbCaller = p->db;
  pVfs = migPrivatePossible(p, pv);
  if( pVfs==0 ) return 0;
  zUri = migPrivateUri(p, sqlite3_db_filename(p->db, p->zDb));
  if( zUri==0 ) return 0;
  rc = sqlite3_open_v2(zUri, &pv->db, SQLITE_OPEN_READWRITE|SQLITE_OPEN_URI
      |SQLITE_OPEN_PRIVATECACHE|SQLITE_OPEN_NOMUTEX, pVfs->zName);
  sqlite3_free(zUri);
  if( rc==SQLITE_OK && !bMain ){
    /* The target is main there, under its own name: what names it
    ** ("t1"."x") and what names nothing (a script's "x") both reach it. */
    pv->zMainName = sqlite3_mprintf("%s", p->zDb);
    rc = pv->zMainName ? sqlite3_db_config(pv->db, SQLITE_DBCONFIG_MAINDBNAME,
                                           pv->zMainName) : SQLITE_NOMEM;
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    pv->zWhy = "a second connection cannot open it";
  }
  if( rc==SQLITE_OK ){
    pv->pConfig = migConfigCopy(p->pConfig);
    rc = pv->pConfig ? migRegister(pv->db, pv->pConfig) : SQLITE_NOMEM;
    if( rc!=SQLITE_OK ) pv->pConfig = 0;     /* freed by migRegister */
  }
  if( rc==SQLITE_NOMEM ) migErrorSet(p, SQLITE_NOMEM, 0);
  if( rc!=SQLITE_OK ) goto open_failed;
  pv->pConfig->guard.nMoving = p->pConfig->guard.nMoving;
  migPrivateSettings(p, pv);
  if( bMain && !migPrivateTemp(p, pv) ){
    pv->zWhy = "a TEMP object of this connection cannot be made there";
    goto open_failed;
  }
  if( p->rc!=SQLITE_OK ) goto open_failed;

  /* The caller's schema cache goes (compiling the PRAGMA does it), and
  ** writable_schema, which it clears, comes back.  (Before 3.37, for a
  ** target other than main: the caller reloads the target's schema when
  ** it sees the schema cookie move.) */
  rc = SQLITE_OK;
  if( migHasSchemaReset() ){
    iWritable = migDbConfigSwap(p->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, -1);
    rc = sqlite3_prepare_v2(p->db, "PRAGMA writable_schema=RESET", -1,
                            &pReset, 0);
    sqlite3_finalize(pReset);
    migDbConfigSwap(p->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, iWritable);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(p->db, "SELECT 1", -1, &pv->pPoll, 0);
  }
  if( rc==SQLITE_NOMEM || rc==SQLITE_INTERRUPT ){
    migErrorSet(p, rc, rc==SQLITE_NOMEM ? 0 : MIG_INTERRUPTED);
  }
  if( rc!=SQLITE_OK ) goto open_failed;
  /* Once more, after the reads above: with a statement of the caller
  ** that reads (TEMP tables, say), SQLite keeps their read transaction
  ** of the file open, and the private connection could not write. */
  if( migNoTxn(p, p->zDb)!=1 ){
    pv->zWhy = "a statement of this connection is reading it";
    goto open_failed;
  }
  if( migHasProgressHandler() ){
    sqlite3_progress_handler(pv->db, MIG_POLL_STEPS, migPrivatePoll, pv);
  }
  return 1;

 open_failed:
  {
    const char *zWhy = pv->zWhy;
    migPrivateClose(pv);
    pv->zWhy = zWhy;
  }
  return 0;
}


/* True if the message says that SQL lacked something the private
** connection may lack and the caller's may have. */
static int migLackedSomething(const char *zErr){
  static const char *const azLack[] = {
    "no such function: ", "unknown function: ", "no such collation sequence: ",
    "no such module: ", "no such table: ", "unknown database ", 0
  };
  int i;
  for(i=0; zErr && azLack[i]; i++){
    if( strstr(zErr, azLack[i]) ) return 1;
  }
  return 0;
}

/*
** Run xWork(p, pArg), the work of an SQL function call that writes, so
** that it lands whole or not at all (see the top of the file): on a
** private connection when it can, else on the caller's connection with
** the trap ready.  xWork runs its own MigTxn (bOwn) on p->db.  Called
** from a revision script, the call that runs the script holds the
** transaction already: xWork just runs.  With bScripts (xWork runs the
** statements of revision scripts, which name no schema) and a target
** other than main, only the private connection will do.
*/
void migAtomicRun(Mig *p, void (*xWork)(Mig*, void*), void *pArg,
                  int bScripts){
  MigGuard *pG = &p->pConfig->guard;
  MigPrivate pv;
  int bOnlyPrivate = bScripts && !migIsMain(p->zDb);
  if( p->rc!=SQLITE_OK ) return;
  if( pG->nScript>0 || pG->bNested ){
    xWork(p, pArg);
    return;
  }
  if( migPrivateOpen(p, &pv) ){
    sqlite3 *dbCaller = p->db;
    MigConfig *pCaller = p->pConfig;
    p->db = pv.db;
    p->pConfig = pv.pConfig;
    xWork(p, pArg);
    p->db = dbCaller;
    p->pConfig = pCaller;
    if( p->rc!=SQLITE_OK && pv.rcStop ){
      /* The poll stopped it: say why, not what failed for it. */
      migReset(p);
      migErrorSet(p, pv.rcStop, pv.rcStop==SQLITE_NOMEM ? 0 :
          MIG_INTERRUPTED);
    }
    migPrivateClose(&pv);
    if( bOnlyPrivate ) return;
    if( p->rc!=SQLITE_ERROR || !migLackedSomething(p->zErr) ) return;
    /* Again on the caller's connection, which may have what was missing
    ** (nothing of the first try was committed). */
    migReset(p);
  }
  if( p->rc!=SQLITE_OK ) return;
  if( bOnlyPrivate && pv.zWhy ){
    migError(p, "the revision scripts of target \"%w\" run on a connection "
        "of their own where it is the main schema (their statements name "
        "no schema), and that is not possible here: %s", p->zDb, pv.zWhy);
    return;
  }
  pG->bNested = 1;
  xWork(p, pArg);
  pG->bNested = 0;
}

/*************************************************************************
** The journal and the re-entry guard.
*/

void migRequireSafeJournal(Mig *p){
  sqlite3_stmt *pStmt;
  const char *zFile;
  if( p->rc!=SQLITE_OK || p->pConfig->bUnsafeJournal ) return;
  pStmt = migPrepare(p, "PRAGMA \"%w\".journal_mode", p->zDb);
  if( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zMode = (const char*)sqlite3_column_text(pStmt, 0);
    zFile = sqlite3_db_filename(p->db, p->zDb);
    if( zMode && sqlite3_stricmp(zMode, "off")==0 ){
      migError(p, "the journal_mode of \"%w\" is OFF: a revision that "
          "fails could not be rolled back and would leave the database "
          "malformed; switch to another journal mode (PRAGMA "
          "journal_mode=DELETE or WAL) first, or accept the risk with "
          "mig_config('unsafe_journal', 1)", p->zDb);
    }else if( zMode && sqlite3_stricmp(zMode, "memory")==0
           && zFile && zFile[0] ){
      migError(p, "the journal_mode of \"%w\" is MEMORY: a crash in the "
          "middle of the call would leave the database file corrupt; "
          "switch to another journal mode (PRAGMA journal_mode=DELETE or "
          "WAL) first, or accept the risk with "
          "mig_config('unsafe_journal', 1)", p->zDb);
    }
  }
  migFinalize(p, pStmt);
}

int migMovingEnter(Mig *p){
  MigGuard *pG;
  if( p->rc!=SQLITE_OK ) return 0;
  pG = &p->pConfig->guard;
  if( pG->nMoving>0 ){
    migError(p, "a migration is already running on this connection: "
        "mig_upgrade, mig_downgrade, mig_stamp and mig_merge cannot be "
        "called from a revision script, nor from a trigger or view that "
        "one fires");
    return 0;
  }
  pG->nMoving++;
  return 1;
}

void migMovingLeave(Mig *p){
  p->pConfig->guard.nMoving--;
}
