/*
** mig_util.c: the small machinery every other file uses.
**
**   - the sticky error handle (Mig): the first error wins, later helpers
**     do nothing, as in SQLite's ext/recover/sqlite3recover.c;
**   - allocation that records SQLITE_NOMEM on the handle;
**   - MigArena, a bump allocator that owns a whole schema model;
**   - MigHash, an open-addressing hash from ASCII-case-folded names;
**   - helpers to prepare, step and run SQL with the error handle;
**   - the start and end of an SQL function call: its arguments, and its
**     error reported with the function's name before it;
**   - rule 12: queries of libmig's own that hold expressions from a
**     schema call no function a schema could not (migSchemaSafe), and a
**     declared type is written as a checked type name, never raw text.
*/
#include "mig_int.h"
#include <stdlib.h>
#include <time.h>

/* Record an error unless one is already set.  Without a message (zFmt
** NULL) the code is kept and reported with SQLite's text for it; only a
** message that cannot be formatted turns the error into SQLITE_NOMEM. */
static void migErrorV(Mig *p, int rc, const char *zFmt, va_list ap){
  if( p->rc==SQLITE_OK ){
    p->rc = rc;
    if( zFmt && rc!=SQLITE_NOMEM ){
      p->zErr = sqlite3_vmprintf(zFmt, ap);
      if( p->zErr==0 ) p->rc = SQLITE_NOMEM;
    }
  }
}

void migErrorSet(Mig *p, int rc, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  migErrorV(p, rc, zFmt, ap);
  va_end(ap);
}

/* The common case: SQLITE_ERROR with a message.  Messages never name the
** function: migErrorFinish() does. */
void migError(Mig *p, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  migErrorV(p, SQLITE_ERROR, zFmt, ap);
  va_end(ap);
}

/* Take the connection's current error as ours. */
void migErrorFromDb(Mig *p){
  int rc = sqlite3_errcode(p->db);
  if( rc==SQLITE_OK ) rc = SQLITE_ERROR;
  migErrorSet(p, rc, "%s", sqlite3_errmsg(p->db));
}

/* Put "zFunc: " before the error message unless it starts so already,
** and 'target "x": ' after it when the call's target is not main and
** the message does not name it yet. */
void migErrorFinish(Mig *p){
  int n;
  if( p->rc==SQLITE_OK || p->rc==SQLITE_NOMEM || p->zFunc==0 ) return;
  n = (int)strlen(p->zFunc);
  if( p->zErr==0
   || strncmp(p->zErr, p->zFunc, n)!=0 || p->zErr[n]!=':'
  ){
    const char *zMsg = p->zErr ? p->zErr : sqlite3_errstr(p->rc);
    char *zTgt = sqlite3_mprintf("target \"%w\"", p->zDb);
    char *zNew = 0;
    if( zTgt ){
      int bNote = !migIsMain(p->zDb) && strstr(zMsg, zTgt)==0;
      zNew = sqlite3_mprintf("%s: %s%s%s", p->zFunc, bNote ? zTgt : "",
          bNote ? ": " : "", zMsg);
      sqlite3_free(zTgt);
    }
    if( zNew==0 ){
      p->rc = SQLITE_NOMEM;
    }else{
      sqlite3_free(p->zErr);
      p->zErr = zNew;
    }
  }
}

/* Move the error of pFrom (a handle on another connection, or a side
** handle) to p, as "zWhat<its finished message>", and clear pFrom. */
void migErrorFrom(Mig *p, Mig *pFrom, const char *zWhat){
  if( pFrom->rc==SQLITE_OK ) return;
  migErrorFinish(pFrom);
  if( pFrom->rc==SQLITE_NOMEM ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }else{
    migErrorSet(p, pFrom->rc, "%s%s", zWhat,
        pFrom->zErr ? pFrom->zErr : sqlite3_errstr(pFrom->rc));
  }
  migReset(pFrom);
}

/* Drop the error of a side handle whose work was optional, except out of
** memory, which moves to p. */
void migErrorDrop(Mig *p, Mig *pSide){
  if( pSide->rc==SQLITE_NOMEM ) migErrorSet(p, SQLITE_NOMEM, 0);
  migReset(pSide);
}

void migReset(Mig *p){
  sqlite3_free(p->zErr);
  p->zErr = 0;
  p->rc = SQLITE_OK;
}

/* A fresh handle on db, for function zFunc, with settings pConfig, on
** the schema libmig migrates. */
void migHandleInit(Mig *p, sqlite3 *db, const char *zFunc, MigConfig *pC){
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->zFunc = zFunc;
  p->zDb = pC && pC->zTarget ? pC->zTarget : MIG_MAIN_DB;
  p->pConfig = pC;
}

void *migMalloc(Mig *p, i64 n){
  void *pRet = 0;
  if( p->rc==SQLITE_OK ){
    pRet = sqlite3_malloc64(n>0 ? n : 1);
    if( pRet ){
      memset(pRet, 0, n>0 ? n : 1);
    }else{
      migErrorSet(p, SQLITE_NOMEM, 0);
    }
  }
  return pRet;
}

/* sqlite3_vmprintf() that does nothing once an error is set and records
** SQLITE_NOMEM when it fails: every SQL builder goes through it. */
char *migVMprintf(Mig *p, const char *zFmt, va_list ap){
  char *z = 0;
  if( p->rc==SQLITE_OK ){
    z = sqlite3_vmprintf(zFmt, ap);
    if( z==0 ) migErrorSet(p, SQLITE_NOMEM, 0);
  }
  return z;
}

char *migMprintf(Mig *p, const char *zFmt, ...){
  char *z;
  va_list ap;
  va_start(ap, zFmt);
  z = migVMprintf(p, zFmt, ap);
  va_end(ap);
  return z;
}

char *migStrndup(Mig *p, const char *z, int n){
  char *zRet;
  if( z==0 ) return 0;
  if( n<0 ) n = (int)strlen(z);
  zRet = migMalloc(p, (i64)n+1);
  if( zRet ){
    memcpy(zRet, z, n);
    zRet[n] = 0;
  }
  return zRet;
}

/* Finish a string built with sqlite3_str: never NULL unless out of
** memory (then NOMEM is recorded; "" for an empty string). */
char *migStrFinish(Mig *p, sqlite3_str *pStr){
  int rc = sqlite3_str_errcode(pStr);
  char *z = sqlite3_str_finish(pStr);
  if( rc==SQLITE_OK && z==0 ) z = sqlite3_mprintf("%s", "");
  if( z==0 || rc!=SQLITE_OK ){
    sqlite3_free(z);
    z = 0;
    migErrorSet(p, rc==SQLITE_TOOBIG ? SQLITE_TOOBIG : SQLITE_NOMEM, 0);
  }
  return z;
}

/*
** Arena chunks.  A chunk holds many small allocations; a request larger
** than a quarter of the default chunk size gets a chunk of its own.
*/
struct MigChunk {
  MigChunk *pNext;
  i64 align;            /* keeps the data after the header 8-aligned */
};
#define MIG_CHUNK_SIZE 16384

/* Arena memory, not zeroed: for callers that fill all of it at once. */
static void *migArenaRaw(Mig *p, MigArena *pA, i64 n){
  char *pRet;
  if( p->rc!=SQLITE_OK ) return 0;
  n = (n + 7) & ~(i64)7;
  if( n==0 ) n = 8;
  if( pA->pChunk==0 || pA->nUsed + n > pA->nAlloc ){
    i64 nData = n > MIG_CHUNK_SIZE/4 ? n : MIG_CHUNK_SIZE;
    MigChunk *pNew = (MigChunk*)sqlite3_malloc64(sizeof(MigChunk) + nData);
    if( pNew==0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
      return 0;
    }
    if( nData>MIG_CHUNK_SIZE && pA->pChunk ){
      /* A big private chunk: link it behind the current one so that the
      ** space left in the current chunk is not wasted. */
      pNew->pNext = pA->pChunk->pNext;
      pA->pChunk->pNext = pNew;
      return (char*)&pNew[1];
    }
    pNew->pNext = pA->pChunk;
    pA->pChunk = pNew;
    pA->nUsed = 0;
    pA->nAlloc = nData;
  }
  pRet = ((char*)&pA->pChunk[1]) + pA->nUsed;
  pA->nUsed += n;
  return pRet;
}

void *migArenaAlloc(Mig *p, MigArena *pA, i64 n){
  void *pRet = migArenaRaw(p, pA, n);
  if( pRet ) memset(pRet, 0, n);
  return pRet;
}

char *migArenaStrndup(Mig *p, MigArena *pA, const char *z, int n){
  char *zRet;
  if( z==0 ) return 0;
  if( n<0 ) n = (int)strlen(z);
  zRet = migArenaRaw(p, pA, (i64)n+1);
  if( zRet ){
    memcpy(zRet, z, n);
    zRet[n] = 0;
  }
  return zRet;
}

char *migArenaPrintf(Mig *p, MigArena *pA, const char *zFmt, ...){
  char *z, *zRet;
  va_list ap;
  va_start(ap, zFmt);
  z = migVMprintf(p, zFmt, ap);
  va_end(ap);
  zRet = migArenaStrndup(p, pA, z, -1);  /* NULL for NULL */
  sqlite3_free(z);
  return zRet;
}

void migArenaFree(MigArena *pA){
  MigChunk *pC = pA->pChunk;
  while( pC ){
    MigChunk *pNext = pC->pNext;
    sqlite3_free(pC);
    pC = pNext;
  }
  memset(pA, 0, sizeof(*pA));
}

/* Fold an ASCII upper-case letter; other bytes are unchanged, as in
** SQLite's identifier comparison. */
static unsigned char migFold(unsigned char c){
  return (c>='A' && c<='Z') ? c + ('a'-'A') : c;
}

int migStrICmp(const char *a, const char *b){
  const unsigned char *x = (const unsigned char*)a;
  const unsigned char *y = (const unsigned char*)b;
  if( x==0 || y==0 ) return x==y ? 0 : (x ? 1 : -1);
  /* Names compared are mostly spelled alike: equal bytes first. */
  while( *x && (*x==*y || migFold(*x)==migFold(*y)) ){ x++; y++; }
  return (int)migFold(*x) - (int)migFold(*y);
}

u32 migHashString(const char *z){
  u32 h = 2166136261u;      /* FNV-1a */
  const unsigned char *x = (const unsigned char*)z;
  while( *x ){
    h ^= migFold(*x++);
    h *= 16777619u;
  }
  return h;
}

void *migHashFind(MigHash *pH, const char *zKey){
  u32 h, i;
  if( pH->nSlot==0 || zKey==0 ) return 0;
  h = migHashString(zKey);
  for(i=h & (pH->nSlot-1); pH->aSlot[i].zKey; i=(i+1) & (pH->nSlot-1)){
    if( pH->aSlot[i].h==h && migStrICmp(pH->aSlot[i].zKey, zKey)==0 ){
      return pH->aSlot[i].pData;
    }
  }
  return 0;
}

/* Insert or replace.  The table grows to keep it at most half full. */
void migHashInsert(Mig *p, MigHash *pH, const char *zKey, void *pData){
  u32 h, i;
  if( p->rc!=SQLITE_OK ) return;
  if( (pH->nEntry+1)*2 > pH->nSlot ){
    int nNew = pH->nSlot ? pH->nSlot*2 : 64;
    int j;
    MigHashEntry *aNew = migMalloc(p, sizeof(MigHashEntry)*(i64)nNew);
    if( aNew==0 ) return;
    for(j=0; j<pH->nSlot; j++){
      MigHashEntry *pE = &pH->aSlot[j];
      if( pE->zKey ){
        for(i=pE->h & (nNew-1); aNew[i].zKey; i=(i+1) & (nNew-1));
        aNew[i] = *pE;
      }
    }
    sqlite3_free(pH->aSlot);
    pH->aSlot = aNew;
    pH->nSlot = nNew;
  }
  h = migHashString(zKey);
  for(i=h & (pH->nSlot-1); pH->aSlot[i].zKey; i=(i+1) & (pH->nSlot-1)){
    if( pH->aSlot[i].h==h && migStrICmp(pH->aSlot[i].zKey, zKey)==0 ){
      pH->aSlot[i].pData = pData;
      return;
    }
  }
  pH->aSlot[i].zKey = zKey;
  pH->aSlot[i].pData = pData;
  pH->aSlot[i].h = h;
  pH->nEntry++;
}

void migHashClear(MigHash *pH){
  sqlite3_free(pH->aSlot);
  memset(pH, 0, sizeof(*pH));
}

/* Prepare the SQL text zSql; with bSchemaSafe, refuse it first (error on
** p) if it would call a function that a schema could not (migSchemaSafe,
** rule 12). */
static sqlite3_stmt *migPrepareText(Mig *p, int bSchemaSafe,
                                    const char *zSql){
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc = SQLITE_OK;
  if( p->rc!=SQLITE_OK ) return 0;
  if( bSchemaSafe ) rc = migSchemaSafe(p->db, zSql, &zErr);
  if( zErr ){
    migErrorSet(p, rc, "%s", zErr);
  }else if( rc==SQLITE_NOMEM ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }else if( sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    /* Never lost: the code, and SQLite's message with what a build
    ** lacks named (migPrepareMessage). */
    char *zMsg;
    rc = sqlite3_errcode(p->db);
    zMsg = rc==SQLITE_NOMEM ? 0 : migPrepareMessage(p->db);
    if( zMsg==0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else{
      migErrorSet(p, rc==SQLITE_OK ? SQLITE_ERROR : rc, "%s", zMsg);
    }
    sqlite3_free(zMsg);
    pStmt = 0;
  }
  sqlite3_free(zErr);
  return pStmt;
}

/* Prepare an SQL statement built from a printf-style format. */
sqlite3_stmt *migPrepare(Mig *p, const char *zFmt, ...){
  sqlite3_stmt *pStmt;
  char *zSql;
  va_list ap;
  if( p->rc!=SQLITE_OK ) return 0;
  va_start(ap, zFmt);
  zSql = migVMprintf(p, zFmt, ap);
  va_end(ap);
  pStmt = zSql ? migPrepareText(p, 0, zSql) : 0;
  sqlite3_free(zSql);
  return pStmt;
}

/* Step once.  Returns SQLITE_ROW while there are rows, 0 otherwise; an
** error is recorded on the handle. */
int migStep(Mig *p, sqlite3_stmt *pStmt){
  int rc;
  if( p->rc!=SQLITE_OK || pStmt==0 ) return 0;
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ) return SQLITE_ROW;
  if( rc!=SQLITE_DONE ){
    migErrorFromDb(p);
  }
  return 0;
}

/* Finalize, keeping the first error. */
void migFinalize(Mig *p, sqlite3_stmt *pStmt){
  if( pStmt ){
    int rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK && p->rc==SQLITE_OK ) migErrorFromDb(p);
  }
}

void migExec(Mig *p, const char *zFmt, ...){
  char *zSql;
  va_list ap;
  if( p->rc!=SQLITE_OK ) return;
  va_start(ap, zFmt);
  zSql = migVMprintf(p, zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return;
  if( sqlite3_exec(p->db, zSql, 0, 0, 0)!=SQLITE_OK ){
    migErrorFromDb(p);
  }
  sqlite3_free(zSql);
}

/* Run a query; the first column of its first row as an integer, or
** iDefault when there is no row or it is NULL. */
i64 migQueryInt(Mig *p, i64 iDefault, const char *zFmt, ...){
  char *zSql;
  sqlite3_stmt *pStmt;
  i64 iRet = iDefault;
  va_list ap;
  if( p->rc!=SQLITE_OK ) return iDefault;
  va_start(ap, zFmt);
  zSql = migVMprintf(p, zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return iDefault;
  pStmt = migPrepare(p, "%s", zSql);
  sqlite3_free(zSql);
  if( migStep(p, pStmt)==SQLITE_ROW
   && sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
    iRet = sqlite3_column_int64(pStmt, 0);
  }
  migFinalize(p, pStmt);
  return iRet;
}

/* Run a statement that must run whatever state p is in: the cleanup
** after an error (ROLLBACK, DETACH, a setting put back).  It runs on a
** side handle; its own failure is recorded on p only when p holds no
** error yet. */
void migCleanup(Mig *p, const char *zFmt, ...){
  Mig m;
  char *zSql;
  va_list ap;
  migHandleInit(&m, p->db, 0, p->pConfig);
  va_start(ap, zFmt);
  zSql = migVMprintf(&m, zFmt, ap);
  va_end(ap);
  if( zSql && sqlite3_exec(m.db, zSql, 0, 0, 0)!=SQLITE_OK ){
    migErrorFromDb(&m);
  }
  sqlite3_free(zSql);
  migErrorFrom(p, &m, "");
}

int migIsMain(const char *zDb){
  return sqlite3_stricmp(zDb, MIG_MAIN_DB)==0;
}

/* True if a database is attached under the name zDb. */
int migSchemaExists(Mig *p, const char *zDb){
  int bFound = 0;
  sqlite3_stmt *pStmt = migPrepare(p,
      "SELECT 1 FROM pragma_database_list WHERE name=%Q COLLATE NOCASE", zDb);
  if( migStep(p, pStmt)==SQLITE_ROW ) bFound = 1;
  migFinalize(p, pStmt);
  return bFound;
}

/*
** Fails unless zDb names an attached schema, and unless the file it was
** attached from is still the one at its path.  An ORM that writes a new
** models.db (create_all on a fresh file) replaces the file: a connection
** that keeps the old one attached reads the old schema, and the diff
** would say "no changes" with a straight face.
*/
void migRequireSchema(Mig *p, const char *zDb){
  int bMoved = 0;
  if( p->rc==SQLITE_OK && !migSchemaExists(p, zDb) ){
    migError(p, "no such schema: %s (attach it, or create it with "
        "mig_models)", zDb);
  }
  if( p->rc==SQLITE_OK
   && sqlite3_file_control(p->db, zDb, SQLITE_FCNTL_HAS_MOVED, &bMoved)
      ==SQLITE_OK
   && bMoved
  ){
    const char *zFile = sqlite3_db_filename(p->db, zDb);
    migError(p, "%s is stale: its file %s was replaced or deleted after it"
        " was attached, and this connection still reads the old one;"
        " attach it again (DETACH %s; ATTACH '%q' AS %s)", zDb,
        zFile ? zFile : "", zDb, zFile ? zFile : "", zDb);
  }
}

/* Start an SQL function call: a fresh handle on the call's connection. */
void migCallBegin(Mig *p, sqlite3_context *ctx, const char *zFunc){
  migHandleInit(p, sqlite3_context_db_handle(ctx), zFunc,
                (MigConfig*)sqlite3_user_data(ctx));
  migTargetRequire(p);
}

/* End an SQL function call: report any error, free the message. */
void migCallEnd(Mig *p, sqlite3_context *ctx){
  migErrorFinish(p);
  if( p->rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( p->rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, p->zErr ? p->zErr : sqlite3_errstr(p->rc), -1);
    sqlite3_result_error_code(ctx, p->rc);
  }
  migReset(p);
}

/* Text argument iArg of an SQL function, or an error naming the argument
** when it is NULL. */
const char *migArgText(Mig *p, sqlite3_value **argv, int iArg,
                       const char *zWhat){
  const char *z = migArgOpt(p, argv, iArg);
  if( z==0 && p->rc==SQLITE_OK ) migError(p, "%s must not be NULL", zWhat);
  return z;
}

/* Optional text argument iArg: NULL for an SQL NULL, else its text (a
** number or a blob reads as SQLite gives it as text).  Out of memory is
** an error, never taken for a NULL. */
const char *migArgOpt(Mig *p, sqlite3_value **argv, int iArg){
  const char *z;
  if( p->rc!=SQLITE_OK || sqlite3_value_type(argv[iArg])==SQLITE_NULL ){
    return 0;
  }
  z = (const char*)sqlite3_value_text(argv[iArg]);
  if( z==0 ) migErrorSet(p, SQLITE_NOMEM, 0);
  return z;
}

/* Run the first statement of zSql to completion; *pzTail is set to what
** follows it.  Returns an SQLite result code (SQLITE_OK for nothing but
** space); on failure sqlite3_errmsg(db) still says why.  Scripts run
** statement by statement through this so errors can quote the statement. */
int migRunOne(sqlite3 *db, const char *zSql, const char **pzTail){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, pzTail);
  if( rc==SQLITE_OK && pStmt ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW );
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The line of a text where its offset iOff is, when the text starts on
** line iLine (a script file's line numbers in messages). */
int migLineOf(const char *z, int iLine, i64 iOff){
  i64 i;
  for(i=0; i<iOff; i++){
    if( z[i]=='\n' ) iLine++;
  }
  return iLine;
}

/* The current time, UTC, as "YYYY-MM-DDTHH:MM:SSZ" in zIso (21 bytes) and,
** unless zStamp is NULL, as "YYYYMMDDHHMMSS" in zStamp (15 bytes). */
void migUtcNow(char *zIso, char *zStamp){
  time_t now = time(0);
  struct tm tm;
  gmtime_r(&now, &tm);
  sqlite3_snprintf(21, zIso, "%04d-%02d-%02dT%02d:%02d:%02dZ",
      tm.tm_year+1900, tm.tm_mon+1, tm.tm_mday, tm.tm_hour, tm.tm_min,
      tm.tm_sec);
  if( zStamp ){
    sqlite3_snprintf(15, zStamp, "%.4s%.2s%.2s%.2s%.2s%.2s", zIso, &zIso[5],
        &zIso[8], &zIso[11], &zIso[14], &zIso[17]);
  }
}

/*************************************************************************
** Rule 12: an expression that comes from a schema (a models CHECK, a
** partial-index WHERE, a DEFAULT or generated column, a mapping) gets no
** more power in a query of libmig's own than SQLite gives it inside a
** schema.
**
** Inside a schema SQLite refuses ("unsafe use of f()") a function
** registered SQLITE_DIRECTONLY, and, with trusted_schema=OFF, one that is
** not SQLITE_INNOCUOUS.  When libmig puts such an expression into a query
** of its own (a rebuild's copy and its failure diagnostics on a TEMP
** scratch table, the plan's counts, validations), SQLite sees top-level
** SQL (or the TEMP schema, which it trusts) and would call it.  So such a
** query is compiled, not run, as "EXPLAIN <query>" first: its program
** names every function it calls (those of the views it reads, the
** DEFAULTs and generated columns it fills and the CHECKs it enforces
** included) as "name(nArg)" in an opcode that calls a function, and each
** is looked up in pragma_function_list, whose flags column holds the
** SQLITE_DIRECTONLY and SQLITE_INNOCUOUS bits.  A function a schema could
** not call, or one that cannot be found there, refuses the query.  This
** changes nothing on the connection (an authorizer would replace the
** application's own, which cannot be read back to put it back).
*/

/* True if the EXPLAIN opcode zOp calls the function its P4 names. */
static int migOpCallsFunction(const char *zOp){
  return zOp && (strstr(zOp, "Func")!=0 || strncmp(zOp, "Agg", 3)==0);
}

/*
** SQLITE_OK if every function that the single statement zSql calls is
** one SQLite lets a schema call, with trusted_schema as it is on db now.
** Otherwise an SQLite error code: the error of compiling zSql (its own
** message is for the caller's prepare to report; *pzErr stays NULL), or
** SQLITE_ERROR with *pzErr "unsafe use of f(): <why>" (sqlite3_free()).
*/
int migSchemaSafe(sqlite3 *db, const char *zSql, char **pzErr){
  sqlite3_stmt *pExpl = 0, *pFlags = 0;
  sqlite3_str *pSeen = 0;   /* "\n<P4>\n" of each function already looked up */
  char *zExpl;
  int rc, rc2, bTrusted = 1;
  *pzErr = 0;
  zExpl = sqlite3_mprintf("EXPLAIN %s", zSql);
  if( zExpl==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zExpl, -1, &pExpl, 0);
  sqlite3_free(zExpl);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db, "SELECT flags FROM pragma_function_list"
        " WHERE name=?1 AND narg=?2", -1, &pFlags, 0);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("cannot tell which functions a schema may"
          " call: %s", sqlite3_errmsg(db));
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK ){
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &bTrusted);
  }
  while( rc==SQLITE_OK && sqlite3_step(pExpl)==SQLITE_ROW ){
    const char *zOp = (const char*)sqlite3_column_text(pExpl, 1);
    const char *zP4 = (const char*)sqlite3_column_text(pExpl, 5);
    const char *zParen = zP4 ? strrchr(zP4, '(') : 0;
    const char *zWhy = 0;
    int nRow = 0;
    if( !migOpCallsFunction(zOp) || zParen==0 || zParen==zP4 ) continue;
    /* Each function once: a query of the plan calls sum() many times,
    ** and every look-up reads the whole function list. */
    if( pSeen==0 ) pSeen = sqlite3_str_new(db);
    sqlite3_str_appendf(pSeen, "\n");
    if( sqlite3_str_errcode(pSeen) ){
      rc = SQLITE_NOMEM;
      break;
    }
    if( strstr(sqlite3_str_value(pSeen), zP4) ){
      /* seen (a name in a longer one is only looked up again) */
      const char *zAt = sqlite3_str_value(pSeen);
      int nP4 = (int)strlen(zP4), bSeen = 0;
      while( (zAt = strstr(zAt, zP4))!=0 ){
        if( zAt[-1]=='\n' && zAt[nP4]=='\n' ){ bSeen = 1; break; }
        zAt++;
      }
      if( bSeen ) continue;
    }
    sqlite3_str_appendall(pSeen, zP4);
    sqlite3_bind_text(pFlags, 1, zP4, (int)(zParen-zP4), SQLITE_STATIC);
    sqlite3_bind_int(pFlags, 2, atoi(&zParen[1]));
    while( sqlite3_step(pFlags)==SQLITE_ROW ){
      int flags = sqlite3_column_int(pFlags, 0);
      nRow++;
      if( flags & SQLITE_DIRECTONLY ){
        zWhy = "it is SQLITE_DIRECTONLY";
      }else if( !bTrusted && (flags & SQLITE_INNOCUOUS)==0 && zWhy==0 ){
        zWhy = "it is not SQLITE_INNOCUOUS and trusted_schema is OFF";
      }
    }
    rc = sqlite3_reset(pFlags);
    if( rc==SQLITE_OK && nRow==0 ){
      zWhy = "it is not in pragma_function_list, so libmig cannot tell";
    }
    if( rc==SQLITE_OK && zWhy ){
      *pzErr = sqlite3_mprintf("unsafe use of %.*s(): SQLite would not let"
          " a schema call it (%s), and libmig does not call it for an"
          " expression of one either", (int)(zParen-zP4), zP4, zWhy);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  rc2 = sqlite3_finalize(pExpl);
  if( rc==SQLITE_OK ) rc = rc2;
  sqlite3_finalize(pFlags);
  sqlite3_free(sqlite3_str_finish(pSeen));
  return rc;
}

/* Prepare zSql, a statement that holds expressions from a schema:
** refused, with the error on p, when it would call a function that a
** schema could not (migSchemaSafe). */
sqlite3_stmt *migPrepareSchemaSafe(Mig *p, const char *zSql){
  return migPrepareText(p, 1, zSql);
}

/*
** The declared type zType (of a column, as SQLite reports it) as SQL for
** a column definition of libmig's own: as it is when it is words and an
** optional "(n)" or "(n, m)" of signed numbers, none of them a word that
** starts a column constraint; otherwise as a quoted name, which SQLite
** takes for the same declared type (the same affinity) whatever it
** holds.  A declared type is never spliced as raw text: it may hold
** anything ("INT) DEFAULT (x" is a valid one, written as a string).
*/
void migAppendTypeName(sqlite3_str *pStr, const char *zType){
  static const char *azStop[] = { "CONSTRAINT", "PRIMARY", "NOT", "NULL",
    "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED",
    "AS", "ON" };
  const unsigned char *z = (const unsigned char*)zType;
  int i = 0, bOk = 1, nWord = 0, k;
  if( zType==0 || zType[0]==0 ) return;
  while( bOk && z[i] && z[i]!='(' ){
    int iWord;
    while( z[i]==' ' ) i++;
    iWord = i;
    while( (z[i]>='A' && z[i]<='Z') || (z[i]>='a' && z[i]<='z')
        || (z[i]>='0' && z[i]<='9' && i>iWord) || z[i]=='_' ) i++;
    if( i==iWord ){
      bOk = z[i]==0 || z[i]=='(';
      break;
    }
    for(k=0; k<(int)(sizeof(azStop)/sizeof(azStop[0])); k++){
      if( (int)strlen(azStop[k])==i-iWord
       && sqlite3_strnicmp((const char*)&z[iWord], azStop[k], i-iWord)==0 ){
        bOk = 0;
      }
    }
    nWord++;
    if( z[i]!=' ' && z[i]!='(' && z[i]!=0 ) bOk = 0;
  }
  if( bOk && z[i]=='(' ){
    /* "(" signed [ "," signed ] ")" and nothing after */
    int nNum = 0;
    i++;
    for(;;){
      while( z[i]==' ' ) i++;
      if( z[i]=='+' || z[i]=='-' ) i++;
      k = i;
      while( (z[i]>='0' && z[i]<='9') || z[i]=='.' ) i++;
      if( i==k ){ bOk = 0; break; }
      nNum++;
      while( z[i]==' ' ) i++;
      if( z[i]==',' && nNum==1 ){ i++; continue; }
      if( z[i]==')' ){ i++; break; }
      bOk = 0;
      break;
    }
    while( z[i]==' ' ) i++;
    if( z[i] ) bOk = 0;
  }
  if( bOk && nWord>0 ){
    sqlite3_str_appendall(pStr, zType);
  }else{
    sqlite3_str_appendf(pStr, "\"%w\"", zType);
  }
}
