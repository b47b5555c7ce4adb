/*
** mig_check.c: the checks that work on a scratch database: mig_check,
** mig_sql and mig_test.
**
** They work on a scratch connection: a private in-memory database with
** libmig registered on it (migRegister, with a copy of the caller's
** settings), into which the scripts are replayed, so that the real
** database is never touched.  mig_check compares the migrated schema
** with models and with that replay; mig_sql records every statement that
** writes while the scripts run on the replay (migMoveCore, mig_apply.c),
** which gives plain SQL; mig_test runs pytest-alembic's checks there.
** A copy of the scratch database (made with the backup API,
** migAttachCopy) is attached to the caller's connection (or to the
** scratch one) under a "_libmig_%" name when two schemas must be diffed,
** and detached whatever happens.
*/
#include "mig_int.h"

#define MIG_REPLAY "_libmig_replay"
#define MIG_SNAP   "_libmig_snap"

/*
** A scratch connection and its handle.  The handle's schema is always
** "main": the scratch database is nothing else.
*/
typedef struct MigScratch MigScratch;
struct MigScratch {
  sqlite3 *db;          /* the private in-memory connection, or NULL */
  Mig m;                /* a handle on it */
};

/* Open a scratch connection with libmig and the settings of p, its
** handle's messages naming zFunc.  When it cannot be opened (or p holds
** an error already) its handle holds an error, so that what is asked of
** it does nothing. */
static void migScratchOpen(Mig *p, MigScratch *pSc, const char *zFunc){
  MigConfig *pCopy = 0;
  int rc = SQLITE_ERROR;
  memset(pSc, 0, sizeof(*pSc));
  if( p->rc==SQLITE_OK ){
    rc = sqlite3_open_v2(":memory:", &pSc->db,
        SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
    if( rc==SQLITE_OK ){
      pCopy = migConfigCopy(p->pConfig);
      /* A replay is not what a person watching progress waits for.  The
      ** scratch database is its main, whatever the caller's target. */
      if( pCopy ){
        char *zMain = sqlite3_mprintf("%s", MIG_MAIN_DB);
        pCopy->bProgress = 0;
        sqlite3_free(pCopy->zTarget);
        pCopy->zTarget = zMain;
        if( zMain==0 ){
          migConfigFree(pCopy);
          pCopy = 0;
        }
      }
      rc = pCopy ? migRegister(pSc->db, pCopy) : SQLITE_NOMEM;
      /* A failed migRegister may have freed it already; closing the
      ** connection frees it otherwise. */
      if( rc!=SQLITE_OK ) pCopy = 0;
    }
    if( rc!=SQLITE_OK ){
      migErrorSet(p, rc, "cannot open a scratch database: %s",
          sqlite3_errstr(rc));
    }
  }
  migHandleInit(&pSc->m, pSc->db, zFunc, pCopy);
  if( rc!=SQLITE_OK ){
    sqlite3_close(pSc->db);
    pSc->db = pSc->m.db = 0;
    pSc->m.pConfig = 0;           /* freed with the connection */
    pSc->m.rc = SQLITE_ERROR;
  }
}

/* Close a scratch connection (its settings go with it). */
static void migScratchClose(MigScratch *pSc){
  migReset(&pSc->m);
  sqlite3_close(pSc->db);
  pSc->db = 0;
}

/* The diff from a copy of the main database of pSrc, attached to p->db
** as zAs for the time of the diff, to schema zTo, with the options
** zOptionsJson (or NULL).  sqlite3_free() it. */
static char *migSnapshotDiff(Mig *p, sqlite3 *pSrc, const char *zAs,
                             const char *zTo, const char *zOptionsJson){
  MigDiffOpts opts;
  char *zDiff = 0;
  memset(&opts, 0, sizeof(opts));
  opts.bAlwaysRebuild = p->pConfig->bAlwaysRebuild;
  opts.zOptionsJson = zOptionsJson;
  if( migAttachCopy(p, pSrc, zAs) ){
    zDiff = migDiff(p, zAs, zTo, &opts);
    migCleanup(p, "DETACH %Q", zAs);
  }
  return zDiff;
}

/* options_json without its "renames", for the diffs of a replay: the
** renames name the tables of the migrated schema, and what the other
** options say ("exclude") holds for the replay as well.  NULL for NULL;
** an invalid text is returned as it is (the diff reports it). */
static char *migOptionsNoRenames(Mig *p, const char *zJson){
  sqlite3_stmt *pStmt;
  char *zRet = 0;
  int bObject = 0;
  if( zJson==0 || p->rc!=SQLITE_OK ) return 0;
  /* Validated by a statement of its own: SQLite may evaluate json_type()
  ** of a constant before a CASE or AND would skip it, and it fails on
  ** malformed JSON. */
  pStmt = migPrepare(p, "SELECT json_valid(?1)");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  if( migStep(p, pStmt)==SQLITE_ROW && sqlite3_column_int(pStmt, 0) ){
    bObject = migQueryInt(p, 0, "SELECT json_type(%Q)='object'", zJson)!=0;
  }
  migFinalize(p, pStmt);
  if( !bObject ) return migStrndup(p, zJson, -1);
  pStmt = migPrepare(p, "SELECT json_remove(?1, '$.renames')");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  if( migStep(p, pStmt)==SQLITE_ROW ){
    zRet = migStrndup(p, (const char*)sqlite3_column_text(pStmt, 0), -1);
  }
  migFinalize(p, pStmt);
  return zRet;
}

/*
** The state of one mig_check, mig_sql or mig_test call, freed in one
** place (migCheckEnd).
*/
typedef struct MigCheckCall MigCheckCall;
struct MigCheckCall {
  Mig m;                /* the call's handle */
  MigScratch sc;        /* the scratch database */
  MigScripts *pS;       /* the scripts */
  MigApplied ap;        /* the applied state of the migrated schema */
  MigApplied apScratch; /* that of the scratch database */
  MigDiffOpts opts;     /* for the diffs against models */
  char *zReplayOpts;    /* the options for diffs of a replay (sqlite3_free) */
  char *azStr[4];       /* strings of the call (sqlite3_free) */
};

/* Detach what an earlier call left attached to the caller's connection.
** A call that ran out of memory inside SQLite cannot detach its copy
** itself: SQLite refuses every statement, DETACH included, until the
** calling statement ends (ext/mig_txn.c, F1).  The copy is a scratch
** in-memory database, nothing of the caller's: the next call of this
** file removes it. */
static void migScratchLeftovers(Mig *p){
  static const char *const azName[] = { MIG_REPLAY, MIG_SNAP };
  int i;
  for(i=0; i<2 && p->rc==SQLITE_OK; i++){
    if( sqlite3_db_filename(p->db, azName[i]) ){
      migCleanup(p, "DETACH %Q", azName[i]);
    }
  }
}

/* Start a call of function zFunc, with options_json argument iOpt of
** argv when there is one (iOpt<0: none). */
static void migCheckBegin(MigCheckCall *pC, sqlite3_context *ctx,
                          const char *zFunc, int argc, sqlite3_value **argv,
                          int iOpt){
  memset(pC, 0, sizeof(*pC));
  migCallBegin(&pC->m, ctx, zFunc);
  migScratchLeftovers(&pC->m);
  pC->opts.bAlwaysRebuild = pC->m.pConfig->bAlwaysRebuild;
  if( iOpt>=0 && argc>iOpt ){
    pC->opts.zOptionsJson = migArgOpt(&pC->m, argv, iOpt);
    pC->zReplayOpts = migOptionsNoRenames(&pC->m, pC->opts.zOptionsJson);
  }
}

/* End a call: report its error, free all it holds. */
static void migCheckEnd(MigCheckCall *pC, sqlite3_context *ctx){
  int i;
  for(i=0; i<(int)(sizeof(pC->azStr)/sizeof(pC->azStr[0])); i++){
    sqlite3_free(pC->azStr[i]);
  }
  sqlite3_free(pC->zReplayOpts);
  migScratchClose(&pC->sc);
  migAppliedClear(&pC->ap);
  migAppliedClear(&pC->apScratch);
  migScriptsFree(pC->pS);
  migCallEnd(&pC->m, ctx);
}

/* Strip the trailing newlines of a diff for an error message. */
static int migTrimLen(const char *z){
  int n = z ? (int)strlen(z) : 0;
  while( n>0 && (z[n-1]=='\n' || z[n-1]==' ') ) n--;
  return n;
}

/*
** mig_check(models [, options_json]): 'ok', or an error listing what
** differs between the migrated schema and models, and between it and
** what its applied scripts build when replayed into a scratch database
** (a manual change).  The options are mig_diff's.
*/
void migCheckFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigCheckCall c;
  Mig *p = &c.m;
  const char *zModels;
  char *zCur, *zModelDiff, *zDrift = 0;
  sqlite3_str *pErr;
  int nProblem = 0, nPending = 0, i;

  migCheckBegin(&c, ctx, "mig_check", argc, argv, 1);
  zModels = migArgText(p, argv, 0, "models");
  migRequireSchema(p, zModels);
  c.pS = migScriptsOpen(p);
  migAppliedLoad(p, c.pS, &c.ap);
  migAppliedRequireKnown(p, c.pS, &c.ap);
  zCur = c.azStr[0] = migCurrentOf(p, c.pS, c.ap.aApplied, c.ap.nUnknown,
                                   c.ap.azUnknown);
  if( p->rc==SQLITE_OK ){
    for(i=0; i<c.pS->nRev; i++) if( !c.ap.aApplied[i] ) nPending++;
  }
  zModelDiff = c.azStr[1] = migDiff(p, p->zDb, zModels, &c.opts);

  /* Replay the applied revisions into a scratch database. */
  migScratchOpen(p, &c.sc, "mig_upgrade");
  if( p->rc==SQLITE_OK && zCur ){
    c.azStr[2] = migMoveCore(&c.sc.m, c.pS, zCur, MIG_OP_UP, 0);
    migErrorFrom(p, &c.sc.m, "replaying the applied scripts into a scratch "
        "database failed: ");
  }
  if( p->rc==SQLITE_OK ){
    zDrift = c.azStr[3] = migSnapshotDiff(p, c.sc.db, MIG_REPLAY, p->zDb,
                                          c.zReplayOpts);
  }
  if( p->rc!=SQLITE_OK ){
    migCheckEnd(&c, ctx);
    return;
  }

  pErr = sqlite3_str_new(p->db);
  if( nPending>0 ){
    nProblem++;
    sqlite3_str_appendf(pErr, "\n- %d revision%s not applied: the database"
        " is at %s, head is ", nPending, nPending==1 ? " is" : "s are",
        zCur ? zCur : "base");
    for(i=0; i<c.pS->nHead; i++){
      sqlite3_str_appendf(pErr, "%s%s", i ? ", " : "", c.pS->apHead[i]->zRev);
    }
  }
  if( zModelDiff && zModelDiff[0] ){
    nProblem++;
    sqlite3_str_appendf(pErr, "\n- %s differs from %s; the SQL that would"
        " make it match:\n%.*s", p->zDb, zModels, migTrimLen(zModelDiff),
        zModelDiff);
  }
  if( zDrift && zDrift[0] ){
    nProblem++;
    sqlite3_str_appendf(pErr, "\n- %s differs from what its applied scripts"
        " build (at %s): it was changed outside the migrations; the"
        " change:\n%.*s", p->zDb, zCur ? zCur : "base", migTrimLen(zDrift),
        zDrift);
  }
  if( nProblem==0 ){
    sqlite3_free(sqlite3_str_finish(pErr));
    sqlite3_result_text(ctx, "ok", -1, SQLITE_STATIC);
  }else{
    char *zList = migStrFinish(p, pErr);
    if( zList ){
      migError(p, "%d problem%s:%s", nProblem, nProblem==1 ? "" : "s", zList);
    }
    sqlite3_free(zList);
  }
  migCheckEnd(&c, ctx);
}

/*
** The guard at the head of an offline script: a statement that fails
** unless the database that runs it is at the script's starting point,
** aFrom (the applied set of the scratch database, by MigRev.iOrder),
** written zFrom in the message.  The bookkeeping table must hold exactly
** those revisions: a v3->v4 script run on a database at v2 (or at v4
** already) stops there, before it changes anything.  Plain SQL in the
** script's transaction: the CHECK of a table created in main and dropped
** again, whose constraint name is the message that the shell prints.
*/
static void migSqlGuard(Mig *p, MigScripts *pS, const unsigned char *aFrom,
                        const char *zFrom, const char *zTarget,
                        sqlite3_str *pOut){
  const char *zDb = MIG_MAIN_DB;   /* the offline SQL runs on main */
  char *zMsg;
  int i, n = 0;
  if( p->rc!=SQLITE_OK ) return;
  zMsg = migMprintf(p, "the database is not at %s, where this script"
      " starts (it goes to %s): nothing was changed", zFrom, zTarget);
  if( zMsg==0 ) return;
  sqlite3_str_appendf(pOut,
      "-- fails unless the database is at %s\n"
      "CREATE TABLE IF NOT EXISTS \"%w\".\"%w\"" MIG_APPLIED_SCHEMA ";\n"
      "CREATE TABLE \"%w\".\"_libmig_from_check\"(at_start INTEGER"
      " CONSTRAINT \"%w\" CHECK(at_start));\n"
      "INSERT INTO \"%w\".\"_libmig_from_check\" SELECT (SELECT count(*)"
      " FROM \"%w\".\"%w\")=", zFrom, zDb, MIG_APPLIED_TABLE, zDb,
      zMsg, zDb, zDb, MIG_APPLIED_TABLE);
  for(i=0; aFrom && i<pS->nRev; i++) if( aFrom[i] ) n++;
  sqlite3_str_appendf(pOut, "%d", n);
  if( n>0 ){
    sqlite3_str_appendf(pOut, " AND (SELECT count(*) FROM \"%w\".\"%w\""
        " WHERE revision IN (", zDb, MIG_APPLIED_TABLE);
    for(i=0, n=0; i<pS->nRev; i++){
      if( aFrom[i] ){
        sqlite3_str_appendf(pOut, "%s%Q", n++ ? ", " : "", pS->apRev[i]->zRev);
      }
    }
    sqlite3_str_appendf(pOut, "))=%d", n);
  }
  sqlite3_str_appendf(pOut, ";\nDROP TABLE \"%w\".\"_libmig_from_check\";\n",
      zDb);
  sqlite3_free(zMsg);
}

/*
** mig_sql(target [, from [, options_json]]): offline mode.  The whole
** migration from "from" (default: the current revision; 'base' allowed)
** to target as plain SQL that sqlite3 without libmig can run (the head
** and the tail of the script are those of the form options_json asks
** for, mig_form.c): the scripts are applied
** to a scratch database built by replaying the scripts up to "from" (so
** it holds the schema, no data) and every statement that writes is
** recorded, the 12 steps of each mig_rebuild() included, with the
** bookkeeping of "_libmig_applied".  What it records does on any
** database at "from" what mig_upgrade does there (the AUTOINCREMENT
** counters of rebuilt tables are carried in SQL, see mig_rebuild.c); the
** script refuses a database that is not at "from" (migSqlGuard), and
** like the 12-step procedure it switches foreign keys off outside its
** transaction and on again at its end.
*/
void migSqlFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigCheckCall c;
  Mig *p = &c.m;
  const char *zTarget, *zFrom = 0;
  char *zAt = 0, *zNew = 0, *zOut;
  sqlite3_str *pOut;
  MigForm form;
  int eOp = MIG_OP_UP;

  migCheckBegin(&c, ctx, "mig_sql", argc, argv, -1);
  zTarget = migArgText(p, argv, 0, "target");
  if( argc>1 ) zFrom = migArgOpt(p, argv, 1);
  migFormOptions(p, argc>2 ? argv[2] : 0, &form);
  c.pS = migScriptsOpen(p);
  if( zFrom==0 ){
    migAppliedLoad(p, c.pS, &c.ap);
    migAppliedRequireKnown(p, c.pS, &c.ap);
    zFrom = c.azStr[0] = migCurrentOf(p, c.pS, c.ap.aApplied, c.ap.nUnknown,
                                      c.ap.azUnknown);
  }

  /* The scratch database at "from", and its applied set.  Its
  ** mig_rebuild() calls copy the rows, in steps plain SQL can replay
  ** anywhere (no edit in place, no statement of a newer SQLite). */
  migScratchOpen(p, &c.sc, 0);
  if( c.sc.m.pConfig ) c.sc.m.pConfig->bOffline = 1;
  if( p->rc==SQLITE_OK && zFrom && sqlite3_stricmp(zFrom, "base")!=0 ){
    zAt = c.azStr[1] = migMoveCore(&c.sc.m, c.pS, zFrom, MIG_OP_UP, 0);
    migErrorFrom(p, &c.sc.m, "cannot build the starting point: ");
  }
  if( p->rc==SQLITE_OK ){
    migAppliedLoad(&c.sc.m, c.pS, &c.apScratch);
    migErrorFrom(p, &c.sc.m, "");
  }

  /* Up or down? */
  if( p->rc==SQLITE_OK ){
    if( sqlite3_stricmp(zTarget, "base")==0 || zTarget[0]=='-' ){
      eOp = MIG_OP_DOWN;
    }else if( sqlite3_stricmp(zTarget, "head")!=0
           && sqlite3_stricmp(zTarget, "heads")!=0 && zTarget[0]!='+' ){
      MigRev *pRev = migScriptsFind(p, c.pS, zTarget);
      if( pRev && c.apScratch.aApplied && c.apScratch.aApplied[pRev->iOrder] ){
        eOp = MIG_OP_DOWN;
      }
    }
  }
  if( p->rc!=SQLITE_OK ){
    migFormClear(&form);
    migCheckEnd(&c, ctx);
    return;
  }

  pOut = sqlite3_str_new(p->db);
  migFormHead(p, &form, c.sc.db, pOut, eOp==MIG_OP_UP ? "upgrade" :
      "downgrade", zAt ? zAt : "base", zTarget);
  migSqlGuard(p, c.pS, c.apScratch.aApplied, zAt ? zAt : "base", zTarget,
              pOut);
  zNew = c.azStr[2] = migMoveCore(&c.sc.m, c.pS, zTarget, eOp, pOut);
  migErrorFrom(p, &c.sc.m, "");
  migFormTail(p, &form, pOut, zNew ? zNew : "base");
  migFormClear(&form);
  zOut = migStrFinish(p, pOut);
  migOfflineCheck(p, zOut);       /* nothing newer than min_sqlite */
  if( p->rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
  }else{
    sqlite3_free(zOut);
  }
  migCheckEnd(&c, ctx);
}

/*
** mig_test(models [, options_json]): what pytest-alembic checks, on a
** scratch database (the options' "exclude" applies to every comparison):
** one head; base to head works; then the schema matches models; each
** revision steps down and up again to the same schema; and all the way
** down leaves an empty database.  Returns a short report or fails naming
** the first revision that breaks.
*/
void migTestFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigCheckCall c;
  Mig *p = &c.m;
  Mig *pSc = &c.sc.m;
  const char *zModels;
  char *zHead, *zDiff;
  int i;

  migCheckBegin(&c, ctx, "mig_test", argc, argv, 1);
  zModels = migArgText(p, argv, 0, "models");
  migRequireSchema(p, zModels);
  c.pS = migScriptsOpen(p);
  if( p->rc==SQLITE_OK && c.pS->nHead==0 ){
    migError(p, "there are no revisions in %s", c.pS->zDir);
  }
  migRequireOneHead(p, c.pS, "merge them with mig_merge");

  /* Base to head, then the diff against models. */
  migScratchOpen(p, &c.sc, "mig_upgrade");
  zHead = c.azStr[0] = migMoveCore(pSc, c.pS, "head", MIG_OP_UP, 0);
  migErrorFrom(p, pSc, "upgrading an empty database from base to head "
      "failed: ");
  zDiff = c.azStr[1] = migSnapshotDiff(p, c.sc.db, MIG_SNAP, zModels,
                                       c.zReplayOpts);
  if( p->rc==SQLITE_OK && zDiff[0] ){
    migError(p, "after upgrading from base to head (%s) the schema differs "
        "from %s; the SQL that would make it match:\n%.*s", zHead, zModels,
        migTrimLen(zDiff), zDiff);
  }

  /* Each revision, from the head down: down, up, same schema, down. */
  for(i=(p->rc==SQLITE_OK ? c.pS->nRev-1 : -1); i>=0 && p->rc==SQLITE_OK; i--){
    MigRev *pRev = c.pS->apRev[i];
    int bSnap = migAttachCopy(pSc, c.sc.db, MIG_SNAP);
    pSc->zFunc = "mig_downgrade";
    sqlite3_free(migMoveCore(pSc, c.pS, "-1", MIG_OP_DOWN, 0));
    pSc->zFunc = "mig_upgrade";
    sqlite3_free(migMoveCore(pSc, c.pS, "+1", MIG_OP_UP, 0));
    c.opts.zOptionsJson = c.zReplayOpts;
    zDiff = migDiff(pSc, MIG_SNAP, "main", &c.opts);
    if( bSnap ) migCleanup(pSc, "DETACH %Q", MIG_SNAP);
    migErrorFrom(p, pSc, "");
    if( p->rc==SQLITE_OK && zDiff[0] ){
      migError(p, "revision %s (%s): its downgrade then its upgrade do not "
          "give back the same schema; the difference:\n%.*s", pRev->zRev,
          pRev->zFile, migTrimLen(zDiff), zDiff);
    }
    sqlite3_free(zDiff);
    pSc->zFunc = "mig_downgrade";
    sqlite3_free(migMoveCore(pSc, c.pS, "-1", MIG_OP_DOWN, 0));
    migErrorFrom(p, pSc, "");
  }

  /* At base the database holds nothing but libmig's own table. */
  if( p->rc==SQLITE_OK ){
    sqlite3_stmt *pStmt = migPrepare(pSc,
        "SELECT group_concat(name, ', ') FROM \"main\".sqlite_master"
        " WHERE name NOT LIKE '\\_libmig\\_%%' ESCAPE '\\'"
        " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
        " AND name<>'libsql_vector_meta_shadow'");   /* libSQL keeps it */
    if( migStep(pSc, pStmt)==SQLITE_ROW && sqlite3_column_text(pStmt, 0) ){
      c.azStr[2] = migMprintf(p, "%s",
          (const char*)sqlite3_column_text(pStmt, 0));
    }
    migFinalize(pSc, pStmt);
    migErrorFrom(p, pSc, "");
    if( c.azStr[2] ){
      migError(p, "after downgrading from head to base the database still "
          "holds: %s", c.azStr[2]);
    }
  }
  if( p->rc==SQLITE_OK ){
    char *zReport = migMprintf(p, "ok: 1 head (%s), %d revision%s: base to"
        " head matches %s, each revision steps down and up to the same"
        " schema, head to base leaves nothing", zHead, c.pS->nRev,
        c.pS->nRev==1 ? "" : "s", zModels);
    if( zReport ) sqlite3_result_text(ctx, zReport, -1, sqlite3_free);
  }
  migCheckEnd(&c, ctx);
}
