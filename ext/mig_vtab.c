/*
** mig_vtab.c: the eponymous, read-only virtual table "migrations".
**
**     SELECT revision, message, is_applied, is_head FROM migrations;
**
** One row per revision script in the script location of the connection
** (mig_config('script_location')), base first (parents before children),
** joined with the applied state of the migrated schema ("_libmig_applied"):
**
**   revision       the revision id
**   down_revision  its parents, "a, b" for a merge, NULL for a base
**   message, created, file, upgrade, downgrade   from the script
**   is_applied     1 if main records it as applied
**   is_current     1 if applied and no child of it is
**   is_head        1 if no script names it as a parent
**   checksum       of the script as it is now ("v2:..." see mig_script.c)
**   applied_at     when it was applied, NULL if not
**   is_edited      1 if applied and the script changed since (its
**                  checksum differs from the recorded one, compared in
**                  the version that was recorded)
**
** Every scan reads the applied state afresh; the scripts come from the
** connection's last read of them while each file keeps the size, times
** and inode it had then (migScriptsList), else are read again.
*/
#include "mig_int.h"

typedef struct MigVtabCursor MigVtabCursor;
struct MigVtabCursor {
  sqlite3_vtab_cursor base;
  MigScripts *pS;       /* the scripts, or NULL */
  MigApplied ap;        /* applied state of the target */
  int iRow;             /* current row: index into pS->apRev */
};

#define MIG_COL_REVISION    0
#define MIG_COL_DOWN        1
#define MIG_COL_MESSAGE     2
#define MIG_COL_CREATED     3
#define MIG_COL_FILE        4
#define MIG_COL_UPGRADE     5
#define MIG_COL_DOWNGRADE   6
#define MIG_COL_IS_APPLIED  7
#define MIG_COL_IS_CURRENT  8
#define MIG_COL_IS_HEAD     9
#define MIG_COL_CHECKSUM    10
#define MIG_COL_APPLIED_AT  11
#define MIG_COL_IS_EDITED   12

static int migVtabConnect(
  sqlite3 *db, void *pAux, int argc, const char *const*argv,
  sqlite3_vtab **ppVtab, char **pzErr
){
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(revision TEXT, down_revision TEXT, message TEXT,"
      " created TEXT, file TEXT, upgrade TEXT, downgrade TEXT,"
      " is_applied INT, is_current INT, is_head INT, checksum TEXT,"
      " applied_at TEXT, is_edited INT)");
  if( rc!=SQLITE_OK ) return rc;
  /* It reads files (the scripts): like the functions that touch files,
  ** not from a view or trigger that a hostile schema could hold. */
  rc = sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if( rc!=SQLITE_OK ) return rc;
  return migVtabAlloc(db, pAux, ppVtab);
}

/* The table object of a libmig virtual table, for its xConnect: the
** connection and its settings (pAux), freed by migVtabDisconnect. */
int migVtabAlloc(sqlite3 *db, void *pAux, sqlite3_vtab **ppVtab){
  MigVtab *pTab = sqlite3_malloc(sizeof(*pTab));
  if( pTab==0 ) return SQLITE_NOMEM;
  memset(pTab, 0, sizeof(*pTab));
  pTab->db = db;
  pTab->pConfig = (MigConfig*)pAux;
  *ppVtab = &pTab->base;
  return SQLITE_OK;
}

int migVtabDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* A zeroed cursor of nByte bytes (its sqlite3_vtab_cursor first), for
** the xOpen of a libmig virtual table. */
int migVtabCursorAlloc(i64 nByte, sqlite3_vtab_cursor **ppCur){
  sqlite3_vtab_cursor *pCur = sqlite3_malloc64(nByte);
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, nByte);
  *ppCur = pCur;
  return SQLITE_OK;
}

/* The end of an xFilter that worked through handle p: its error (if
** any) becomes pVtab's message (SQLite reports it), p is reset. */
int migVtabFilterEnd(sqlite3_vtab *pVtab, Mig *p){
  int rc;
  migErrorFinish(p);
  rc = p->rc;
  if( rc!=SQLITE_OK ){
    sqlite3_free(pVtab->zErrMsg);
    pVtab->zErrMsg = p->zErr;
    p->zErr = 0;
  }
  migReset(p);
  return rc;
}

static int migVtabOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  (void)pVtab;
  return migVtabCursorAlloc(sizeof(MigVtabCursor), ppCur);
}

/* Drop what the last scan read. */
static void migVtabCursorReset(MigVtabCursor *pCur){
  migAppliedClear(&pCur->ap);
  migScriptsFree(pCur->pS);
  pCur->pS = 0;
  pCur->iRow = 0;
}

static int migVtabClose(sqlite3_vtab_cursor *pCursor){
  MigVtabCursor *pCur = (MigVtabCursor*)pCursor;
  migVtabCursorReset(pCur);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Every scan reads the script location and the target's applied state. */
static int migVtabFilter(
  sqlite3_vtab_cursor *pCursor, int idxNum, const char *idxStr,
  int argc, sqlite3_value **argv
){
  MigVtabCursor *pCur = (MigVtabCursor*)pCursor;
  MigVtab *pTab = (MigVtab*)pCursor->pVtab;
  Mig m;
  int rc;
  (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  migVtabCursorReset(pCur);
  migHandleInit(&m, pTab->db, "migrations", pTab->pConfig);
  migTargetRequire(&m);
  pCur->pS = migScriptsList(&m, 0);
  migAppliedLoad(&m, pCur->pS, &pCur->ap);
  rc = migVtabFilterEnd(&pTab->base, &m);
  if( rc!=SQLITE_OK ) migVtabCursorReset(pCur);
  return rc;
}

static int migVtabNext(sqlite3_vtab_cursor *pCursor){
  ((MigVtabCursor*)pCursor)->iRow++;
  return SQLITE_OK;
}

static int migVtabEof(sqlite3_vtab_cursor *pCursor){
  MigVtabCursor *pCur = (MigVtabCursor*)pCursor;
  return pCur->pS==0 || pCur->iRow>=pCur->pS->nRev;
}

static int migVtabColumn(
  sqlite3_vtab_cursor *pCursor, sqlite3_context *ctx, int iCol
){
  MigVtabCursor *pCur = (MigVtabCursor*)pCursor;
  MigRev *pRev = pCur->pS->apRev[pCur->iRow];
  int bApplied = pCur->ap.aApplied[pRev->iOrder];
  const char *zSum = pCur->ap.azSum[pRev->iOrder];
  const char *zText = 0;        /* a text column of the script */
  int i;
  switch( iCol ){
    case MIG_COL_REVISION:   zText = pRev->zRev;        break;
    case MIG_COL_MESSAGE:    zText = pRev->zMessage;    break;
    case MIG_COL_CREATED:    zText = pRev->zCreated;    break;
    case MIG_COL_FILE:       zText = pRev->zFile;       break;
    case MIG_COL_UPGRADE:    zText = pRev->zUpgrade;    break;
    case MIG_COL_DOWNGRADE:  zText = pRev->zDowngrade;  break;
    case MIG_COL_CHECKSUM:   zText = pRev->zChecksum;   break;
    case MIG_COL_APPLIED_AT:
      if( bApplied ) zText = pCur->ap.azAt[pRev->iOrder];
      break;
    case MIG_COL_DOWN: {
      if( pRev->nDown>0 ){
        sqlite3_str *pStr = sqlite3_str_new(0);
        char *z;
        for(i=0; i<pRev->nDown; i++){
          sqlite3_str_appendf(pStr, "%s%s", i ? ", " : "", pRev->azDown[i]);
        }
        z = sqlite3_str_finish(pStr);
        if( z==0 ) return SQLITE_NOMEM;
        sqlite3_result_text(ctx, z, -1, sqlite3_free);
      }
      break;
    }
    case MIG_COL_IS_APPLIED:
      sqlite3_result_int(ctx, bApplied);
      break;
    case MIG_COL_IS_CURRENT: {
      int bCurrent = bApplied;
      for(i=0; bCurrent && i<pRev->nChild; i++){
        if( pCur->ap.aApplied[pRev->apChild[i]->iOrder] ) bCurrent = 0;
      }
      sqlite3_result_int(ctx, bCurrent);
      break;
    }
    case MIG_COL_IS_HEAD:
      sqlite3_result_int(ctx, pRev->nChild==0);
      break;
    default: /* MIG_COL_IS_EDITED */
      sqlite3_result_int(ctx,
          bApplied && !migChecksumMatches(pRev, zSum));
      break;
  }
  if( zText ) sqlite3_result_text(ctx, zText, -1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int migVtabRowid(sqlite3_vtab_cursor *pCursor, sqlite_int64 *pRowid){
  *pRowid = ((MigVtabCursor*)pCursor)->iRow + 1;
  return SQLITE_OK;
}

/* Always a full scan: there are few scripts and no useful index. */
static int migVtabBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  (void)pVtab;
  pInfo->estimatedCost = 1000.0;
  pInfo->estimatedRows = 100;
  return SQLITE_OK;
}

static sqlite3_module migVtabModule = {
  0,                    /* iVersion */
  0,                    /* xCreate: eponymous only */
  migVtabConnect,       /* xConnect */
  migVtabBestIndex,     /* xBestIndex */
  migVtabDisconnect,    /* xDisconnect */
  0,                    /* xDestroy */
  migVtabOpen,          /* xOpen */
  migVtabClose,         /* xClose */
  migVtabFilter,        /* xFilter */
  migVtabNext,          /* xNext */
  migVtabEof,           /* xEof */
  migVtabColumn,        /* xColumn */
  migVtabRowid,         /* xRowid */
  0,                    /* xUpdate: read-only */
  0,                    /* xBegin */
  0,                    /* xSync */
  0,                    /* xCommit */
  0,                    /* xRollback */
  0,                    /* xFindFunction */
  0,                    /* xRename */
  0,                    /* xSavepoint */
  0,                    /* xRelease */
  0,                    /* xRollbackTo */
  0                     /* xShadowName */
};

/* Register "migrations" on db; pConfig is the connection's MigConfig,
** owned (and freed) by the registration (mig_config.c). */
int migVtabRegister(sqlite3 *db, MigConfig *pConfig){
  return sqlite3_create_module_v2(db, "migrations", &migVtabModule,
                                  pConfig, 0);
}
