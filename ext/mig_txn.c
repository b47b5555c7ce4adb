/*
** mig_txn.c: the transaction of a call that writes, the connection
** settings it switches for its time, and the guards around it.
**
** THE TRANSACTION (MigTxn).  A call that writes (mig_upgrade,
** mig_downgrade, mig_stamp, mig_rebuild) runs in one transaction: in
** autocommit mode its own BEGIN IMMEDIATE ... COMMIT, inside the
** caller's transaction a SAVEPOINT ... RELEASE.  Any error rolls all of
** it back (ROLLBACK, or ROLLBACK TO and RELEASE).
**
** SETTINGS.  For the time of the call's own transaction (bOwn), foreign
** key enforcement and legacy_alter_table are off, switched with
** sqlite3_db_config, never by PRAGMA: PRAGMA foreign_keys is a no-op
** inside a transaction, and sqlite3_db_config runs no SQL, so that the
** settings go back as they were on every path, also when SQLite refuses
** every statement (an interrupted or out-of-memory call).
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

/* Read (iNew<0) or set a boolean sqlite3_db_config option; returns the
** value before. */
static int migDbConfigSwap(sqlite3 *db, int op, int iNew){
  int iOld = 0;
  sqlite3_db_config(db, op, -1, &iOld);
  if( iNew>=0 && iNew!=iOld ) sqlite3_db_config(db, op, iNew, (int*)0);
  return iOld;
}

void migTxnBegin(Mig *p, MigTxn *pT, const char *zSavepoint, int bOwn){
  memset(pT, 0, sizeof(*pT));
  pT->zSavepoint = zSavepoint;
  pT->iFk = pT->iLegacyAlter = -1;
  if( p->rc!=SQLITE_OK ) return;
  if( bOwn ){
    pT->bOwn = 1;
    pT->iFk = migDbConfigSwap(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, 0);
    pT->iLegacyAlter = migDbConfigSwap(p->db,
        SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, 0);
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
    }else{
      migExec(p, "RELEASE \"%w\"", pT->zSavepoint);
    }
  }
  if( pT->bStarted && p->rc!=SQLITE_OK ){
    if( !pT->bBegin ){
      migCleanup(p, "ROLLBACK TO \"%w\"; RELEASE \"%w\"", pT->zSavepoint,
          pT->zSavepoint);
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
  pT->bStarted = 0;
  pT->iFk = pT->iLegacyAlter = -1;
}

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
