/*
** fuzz_diff.c: libFuzzer target for mig_diff + applying its output.
**
** Built by `make fuzz` with clang -fsanitize=fuzzer,address,undefined,
** together with every ext/ source file and the system libsqlite3.
**
** An input is two texts separated by the line "----": the DDL (and
** INSERT statements) of the live database, and the DDL of the models.
** Both are run in in-memory databases; inputs SQLite rejects are skipped.
** Then, through libmig's SQL functions on one connection:
**
**   mig_models('models', <B>); mig_diff('models') -> D; run D;
**   mig_diff('models') must now be '';
**
** and then the way back, to the live database's first text:
**
**   mig_models('models', <A>); mig_diff('models') -> D; run D;
**   mig_diff('models') must now be ''.
**
** A finding is reported with abort(): the second diff is not empty or
** fails, or D fails although the tables hold no rows (with rows, D may
** fail on purpose: a NOT NULL column without a default, a CHECK the old
** rows break).  Crashes, leaks and undefined behaviour are found by the
** sanitizers.
**
** Safety: only statements that start with CREATE (and INSERT in the
** first part) run, under an authorizer that refuses ATTACH, PRAGMA,
** TEMP objects and any mig_* or load_extension call, so no input can
** write a file.  A progress handler bounds the time a statement runs.
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined by SQLITE_EXTENSION_INIT1 in ext/mig_main.c. */
extern const sqlite3_api_routines *sqlite3_api;
int sqlite3_mig_init(sqlite3*, char**, const sqlite3_api_routines*);

static int fuzzCaptureApi(sqlite3 *db, char **pzErr,
                          const sqlite3_api_routines *pApi){
  (void)db; (void)pzErr;
  sqlite3_api = pApi;
  return SQLITE_OK;
}

/* Make sqlite3_api point at the real library, once. */
static void fuzzBoot(void){
  sqlite3 *db = 0;
  if( sqlite3_api ) return;
  sqlite3_auto_extension((void(*)(void))fuzzCaptureApi);
  sqlite3_open(":memory:", &db);
  sqlite3_close(db);
  sqlite3_cancel_auto_extension((void(*)(void))fuzzCaptureApi);
  if( sqlite3_api==0 ) abort();
}

/* The authorizer while input statements run. */
static int fuzzAuth(void *pArg, int eCode, const char *z3, const char *z4,
                    const char *z5, const char *z6){
  (void)pArg; (void)z3; (void)z5; (void)z6;
  switch( eCode ){
    case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_VTABLE: case SQLITE_INSERT: case SQLITE_READ:
    case SQLITE_SELECT: case SQLITE_RECURSIVE: case SQLITE_UPDATE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if( z4 && (sqlite3_strnicmp(z4, "mig_", 4)==0
              || sqlite3_stricmp(z4, "load_extension")==0) ){
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

/* Stops a statement that runs too long. */
static int fuzzProgress(void *pArg){
  int *pn = (int*)pArg;
  return ++(*pn) > 2000;
}

/* True if the statement at z starts with the keyword zKw (6 letters),
** after white space and comments. */
static int fuzzStartsWith(const char *z, const char *zKw){
  for(;;){
    while( *z==' ' || *z=='\t' || *z=='\n' || *z=='\r' || *z=='\f' ) z++;
    if( z[0]=='-' && z[1]=='-' ){
      while( *z && *z!='\n' ) z++;
    }else if( z[0]=='/' && z[1]=='*' ){
      z += 2;
      while( *z && !(z[0]=='*' && z[1]=='/') ) z++;
      if( *z ) z += 2;
    }else{
      break;
    }
  }
  if( sqlite3_strnicmp(z, zKw, 6)!=0 ) return 0;
  z += 6;
  return !((*z>='a' && *z<='z') || (*z>='A' && *z<='Z') || *z=='_'
           || (*z>='0' && *z<='9') || (unsigned char)*z>=0x80);
}

/* Run the statements of zSql on db, each starting with CREATE (or
** INSERT when bInsert).  Returns 1 when all ran, 0 otherwise.  *pnRow
** counts the rows inserted. */
static int fuzzRun(sqlite3 *db, const char *zSql, int bInsert, int *pnRow){
  const char *zTail = zSql;
  int ok = 1;
  int nStep = 0;
  sqlite3_set_authorizer(db, fuzzAuth, 0);
  sqlite3_progress_handler(db, 1000, fuzzProgress, &nStep);
  while( ok && zTail && zTail[0] ){
    sqlite3_stmt *pStmt = 0;
    const char *zStart = zTail;
    if( sqlite3_prepare_v2(db, zStart, -1, &pStmt, &zTail)!=SQLITE_OK ){
      ok = 0;
    }else if( pStmt ){
      if( !fuzzStartsWith(zStart, "CREATE")
       && !(bInsert && fuzzStartsWith(zStart, "INSERT"))
      ){
        ok = 0;
      }else{
        nStep = 0;
        while( sqlite3_step(pStmt)==SQLITE_ROW ){}
        if( sqlite3_finalize(pStmt)!=SQLITE_OK ) ok = 0;
        else if( pnRow ) *pnRow += sqlite3_changes(db);
        pStmt = 0;
      }
    }
    sqlite3_finalize(pStmt);
  }
  sqlite3_set_authorizer(db, 0, 0);
  sqlite3_progress_handler(db, 0, 0, 0);
  return ok;
}

/* mig_models('models', zSql) on db; 1 on success. */
static int fuzzModels(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int ok = 0;
  if( sqlite3_prepare_v2(db, "SELECT mig_models('models', ?1)", -1,
                         &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zSql, -1, SQLITE_STATIC);
    ok = sqlite3_step(pStmt)==SQLITE_ROW;
  }
  sqlite3_finalize(pStmt);
  return ok;
}

/* mig_diff('models') on db: the text (sqlite3_free), or NULL with the
** error in *pzErr (sqlite3_free). */
static char *fuzzDiff(sqlite3 *db, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  char *zOut = 0;
  *pzErr = 0;
  if( sqlite3_prepare_v2(db, "SELECT mig_diff('models')", -1, &pStmt, 0)
      ==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW
  ){
    zOut = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
  }else{
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return zOut;
}

/* Diff main against the models, run the diff, diff again: a finding
** unless the second diff is '' (or the first is refused, or fails on
** purpose on tables that hold rows).  Returns 1 when the diff ran. */
static void fuzzFinding(const char*, const char*, const char*, const char*,
                        const char*);
static int fuzzRoundTrip(sqlite3 *db, const char *zA, const char *zB,
                         int nRow){
  char *zD, *zD2 = 0, *zErr = 0;
  int ok = 0;
  zD = fuzzDiff(db, &zErr);
  if( zD==0 ) goto out;           /* refused: an error is an answer */
  if( sqlite3_exec(db, zD, 0, 0, &zErr)!=SQLITE_OK ){
    if( nRow==0 ) fuzzFinding("the diff fails on empty tables", zA, zB, zD, zErr);
    goto out;
  }
  zD2 = fuzzDiff(db, &zErr);
  if( zD2==0 ) fuzzFinding("mig_diff fails after applying", zA, zB, zD, zErr);
  if( zD2[0] ) fuzzFinding("mig_diff is not '' after applying", zA, zB, zD, zD2);
  ok = 1;
 out:
  sqlite3_free(zD);
  sqlite3_free(zD2);
  sqlite3_free(zErr);
  return ok;
}

static void fuzzFinding(const char *zWhat, const char *zA, const char *zB,
                        const char *zD, const char *zMore){
  fprintf(stderr, "FINDING: %s\n---- main:\n%s\n---- models:\n%s\n"
          "---- diff:\n%s\n---- then:\n%s\n", zWhat, zA, zB,
          zD ? zD : "", zMore ? zMore : "");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  sqlite3 *db = 0;
  sqlite3 *pScratch = 0;
  char *zIn, *zA, *zB, *zSep;
  int nRow = 0;

  fuzzBoot();
  if( nData>16384 ) return 0;
  zIn = malloc(nData+1);
  if( zIn==0 ) return 0;
  memcpy(zIn, aData, nData);
  zIn[nData] = 0;
  zSep = strstr(zIn, "\n----\n");
  if( zSep==0 ) goto out;
  *zSep = 0;
  zA = zIn;
  zB = zSep + 6;

  /* The models must be valid DDL on their own. */
  if( sqlite3_open(":memory:", &pScratch)!=SQLITE_OK ) goto out;
  if( !fuzzRun(pScratch, zB, 0, 0) ) goto out;

  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) goto out;
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000000);
  if( sqlite3_mig_init(db, 0, sqlite3_api)!=SQLITE_OK ) abort();
  if( !fuzzRun(db, zA, 1, &nRow) ) goto out;

  if( !fuzzModels(db, zB) ) goto out;
  if( !fuzzRoundTrip(db, zA, zB, nRow) ) goto out;
  /* The way back: the models are now the first text. */
  if( !fuzzModels(db, zA) ) goto out;
  fuzzRoundTrip(db, zB, zA, nRow);

 out:
  sqlite3_close(db);
  sqlite3_close(pScratch);
  free(zIn);
  return 0;
}
