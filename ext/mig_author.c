/*
** mig_author.c: writing revisions: mig_revision (by hand), mig_merge
** (joining heads) and mig_autogenerate (from the plan: the steps of the
** diff with their pre-flight counts).  The scripts themselves are
** written by migScriptWrite() (mig_script.c).
**
** A generated section is the SQL of mig_diff with two more kinds of
** comment line above each statement: "-- <detail>", what the step
** changes in words, and "-- WARNING: <warning>", one per warning of the
** plan (rows that would make the step fail or whose values change, a
** possible rename, a stale rename hint).  The downgrade section gets the
** same, from the plan of the diff back: its counts are only those that
** today's data can give (values the upgrade converts and the downgrade
** does not restore), and it assumes every table has rows, so that a
** NOT NULL column it must add back without a DEFAULT gets its TODO.
*/
#include "mig_int.h"

/* The scripts of the script location, after checking that a revision
** written there belongs to this database's history: refused when the
** database records applied revisions and none of them is there (the
** script location is wrong, and a new base would start a second history
** next to the applied one). */
static MigScripts *migAuthorScripts(Mig *p){
  MigScripts *pS = migScriptsOpen(p);
  MigApplied ap;
  migAppliedLoad(p, pS, &ap);
  migAppliedRequireKnown(p, pS, &ap);
  migAppliedClear(&ap);
  return pS;
}

/* The new revision zRev (or nothing when NULL) as the function's result. */
static void migAuthorResult(Mig *p, sqlite3_context *ctx, char *zRev){
  if( p->rc==SQLITE_OK && zRev ){
    sqlite3_result_text(ctx, zRev, -1, sqlite3_free);
  }else{
    sqlite3_free(zRev);
  }
}

/* mig_revision(message [, upgrade_sql [, downgrade_sql]]): a hand-written
** revision on top of the head.  Returns its id. */
void migRevisionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigScripts *pS;
  const char *zMsg, *zUp = "", *zDown = "";
  char *zRev = 0;
  migCallBegin(&m, ctx, "mig_revision");
  zMsg = migArgText(&m, argv, 0, "message");
  if( argc>1 ) zUp = migArgText(&m, argv, 1, "upgrade_sql");
  if( argc>2 ) zDown = migArgText(&m, argv, 2, "downgrade_sql");
  pS = migAuthorScripts(&m);
  migRequireOneHead(&m, pS, "merge them with mig_merge first");
  if( m.rc==SQLITE_OK ){
    zRev = migScriptWrite(&m, m.pConfig->zScriptLocation, zMsg, pS->nHead,
                          pS->apHead, zUp, zDown);
  }
  migAuthorResult(&m, ctx, zRev);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

/* mig_merge(message): a revision whose parents are all the heads. */
void migMergeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigScripts *pS;
  const char *zMsg = "merge";
  char *zRev = 0;
  migCallBegin(&m, ctx, "mig_merge");
  if( migMovingEnter(&m) ) migMovingLeave(&m);   /* not from a script */
  if( argc>0 ) zMsg = migArgText(&m, argv, 0, "message");
  pS = migAuthorScripts(&m);
  if( m.rc==SQLITE_OK && pS->nHead<2 ){
    if( pS->nHead==0 ){
      migError(&m, "there are no revisions in %s: nothing to merge",
          pS->zDir);
    }else{
      migError(&m, "there is only one head (%s): nothing to merge",
          pS->apHead[0]->zRev);
    }
  }
  if( m.rc==SQLITE_OK ){
    zRev = migScriptWrite(&m, m.pConfig->zScriptLocation, zMsg, pS->nHead,
                          pS->apHead, "", "");
  }
  migAuthorResult(&m, ctx, zRev);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}

/* The options of the downgrade diff: those of the upgrade (zOptions, or
** NULL) without its "mappings" (they map the upgrade's columns), with
** the renames it applied (zRenames, a JSON object of options and hints,
** or NULL) inverted: {"t": "u", "t.a": "b"} becomes {"u": "t", "u.b":
** "a"}.  NULL when both are NULL. */
static char *migDowngradeOptions(Mig *p, const char *zOptions,
                                 const char *zRenames){
  sqlite3_stmt *pStmt;
  char *zRet = 0;
  if( (zRenames==0 && zOptions==0) || p->rc!=SQLITE_OK ) return 0;
  pStmt = migPrepare(p,
      "SELECT json_remove(json_set(coalesce(?2, '{}'), '$.renames',"
      " json((SELECT coalesce(json_group_object("
      "   CASE WHEN instr(key, '.')>0"
      "     THEN coalesce(json_extract(?1, '$.'"
      "              || json_quote(substr(key, 1, instr(key, '.')-1))),"
      "            substr(key, 1, instr(key, '.')-1)) || '.' || value"
      "     ELSE value END,"
      "   CASE WHEN instr(key, '.')>0 THEN substr(key, instr(key, '.')+1)"
      "     ELSE key END), '{}')"
      "   FROM json_each(coalesce(?1, '{}'))))), '$.mappings')");
  if( pStmt ){
    sqlite3_bind_text(pStmt, 1, zRenames, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zOptions, -1, SQLITE_STATIC);
  }
  if( migStep(p, pStmt)==SQLITE_ROW ){
    zRet = migStrndup(p, (const char*)sqlite3_column_text(pStmt, 0), -1);
  }
  migFinalize(p, pStmt);
  return zRet;
}

/*
** mig_autogenerate(models [, message [, options_json]]): a revision whose
** upgrade is the plan from the migrated schema to models and whose
** downgrade is the plan back, each step with its detail and warnings.
** Refuses unless the schema is at the head; returns NULL and writes
** nothing when nothing differs.
*/
void migAutogenerateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigScripts *pS = 0;
  MigApplied ap;
  MigDiffOpts up, down;
  MigPlan *pUp = 0, *pDown = 0;
  const char *zModels;
  const char *zMsg = 0;
  char *zInv = 0, *zUp = 0, *zDown = 0, *zRev = 0;
  int i;

  memset(&up, 0, sizeof(up));
  memset(&down, 0, sizeof(down));
  migCallBegin(&m, ctx, "mig_autogenerate");
  zModels = migArgText(&m, argv, 0, "models");
  if( argc>1 ) zMsg = migArgOpt(&m, argv, 1);
  if( argc>2 ) up.zOptionsJson = migArgOpt(&m, argv, 2);
  up.bAlwaysRebuild = down.bAlwaysRebuild = m.pConfig->bAlwaysRebuild;
  up.bRefuseEmpty = 1;
  up.bHints = 1;
  down.bAssumeRows = 1;
  migRequireSchema(&m, zModels);
  pS = migScriptsOpen(&m);
  migAppliedLoad(&m, pS, &ap);
  migAppliedRequireKnown(&m, pS, &ap);
  migRequireOneHead(&m, pS, "merge them with mig_merge first");
  if( m.rc==SQLITE_OK ){
    int bAtHead = ap.nUnknown==0;
    for(i=0; i<pS->nRev; i++) if( !ap.aApplied[i] ) bAtHead = 0;
    if( !bAtHead ){
      char *zCur = migCurrentOf(&m, pS, ap.aApplied, ap.nUnknown,
                                ap.azUnknown);
      if( m.rc==SQLITE_OK ){
        migError(&m, "the database is at %s, head is %s: upgrade first",
            zCur ? zCur : "base", pS->nHead ? pS->apHead[0]->zRev : "base");
      }
      sqlite3_free(zCur);
    }
  }
  pUp = migDiffPlan(&m, m.zDb, zModels, &up);
  if( m.rc==SQLITE_OK && pUp->nStep>0 ){
    migPlanCount(&m, pUp, 0);
    zUp = migPlanSql(&m, pUp, 1);
    zInv = migDowngradeOptions(&m, up.zOptionsJson, pUp->zRenames);
    down.zOptionsJson = zInv;
    pDown = migDiffPlan(&m, zModels, m.zDb, &down);
    if( pDown ) migPlanCount(&m, pDown, 1);
    if( pDown ) zDown = migPlanSql(&m, pDown, 1);
    zRev = migScriptWrite(&m, m.pConfig->zScriptLocation, zMsg ? zMsg : "",
                          pS->nHead, pS->apHead, zUp, zDown);
  }
  migAuthorResult(&m, ctx, zRev);
  migPlanFree(pUp);
  migPlanFree(pDown);
  sqlite3_free(zUp);
  sqlite3_free(zDown);
  sqlite3_free(zInv);
  migAppliedClear(&ap);
  migScriptsFree(pS);
  migCallEnd(&m, ctx);
}
