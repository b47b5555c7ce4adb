/*
** fuzz_parse.c: libFuzzer target for libmig's tokenizer and CREATE parser.
**
** Built by `make fuzz` with clang -fsanitize=fuzzer,address,undefined,
** together with every ext/ source file and the system libsqlite3.
**
** Each input is a NUL-terminated text.  It goes through every entry point
** of mig_parse.c that reads untrusted text: the tokenizer (each token must
** make progress and stay inside the input), migDequote on every token,
** migCanonical and migCanonicalExpr on the whole text, migParseCreate and
** a CREATE TABLE around the text.  Then, as an oracle, the text runs in a scratch
** in-memory database: when SQLite accepts it as one CREATE TABLE, INDEX,
** VIEW or TRIGGER statement, the text SQLite stores must parse too, or
** libmig could not read a schema SQLite itself made (abort()).  Virtual
** tables are left out of the oracle: only their name and arguments are
** parsed, and a module may accept anything.
**
** The extension's files reach SQLite through the sqlite3_api pointer (they
** include sqlite3ext.h); a real connection hands that pointer to an
** auto-extension, which copies it once, before any other call.
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined by SQLITE_EXTENSION_INIT1 in ext/mig_main.c. */
extern const sqlite3_api_routines *sqlite3_api;

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

/* The oracle: if SQLite takes zSql as a single CREATE of a table, index,
** view or trigger, return what it stored (sqlite3_free), else NULL. */
static char *fuzzStoredSql(const char *zSql){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  const char *zTail = 0;
  char *zOut = 0;
  const char *z = zSql;
  while( *z==' ' || *z=='\t' || *z=='\n' || *z=='\r' || *z=='\f' ) z++;
  if( sqlite3_strnicmp(z, "CREATE", 6)!=0 ) return 0;
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) goto out;
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 100000);
  sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
  /* Give a trigger, an index and a view something to refer to. */
  sqlite3_exec(db, "CREATE TABLE t(a,b,c);CREATE TABLE t1(a,b,c);", 0, 0, 0);
  if( sqlite3_prepare_v2(db, z, -1, &pStmt, &zTail)!=SQLITE_OK ) goto out;
  if( pStmt==0 ) goto out;
  while( *zTail==' ' || *zTail=='\n' || *zTail=='\t' || *zTail==';' ) zTail++;
  if( *zTail ) goto out;     /* more than one statement */
  if( sqlite3_step(pStmt)!=SQLITE_DONE ) goto out;
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( sqlite3_prepare_v2(db,
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL"
        " AND name NOT IN ('t','t1') AND name NOT LIKE 'sqlite%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%'", -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW
  ){
    zOut = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
    if( sqlite3_step(pStmt)!=SQLITE_DONE ){   /* made two objects? */
      sqlite3_free(zOut);
      zOut = 0;
    }
  }
 out:
  sqlite3_finalize(pStmt);
  sqlite3_close(db);
  return zOut;
}

#include "mig_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  Mig m;
  MigArena arena;
  char *zBody;
  char *zSql;
  char *zStored;
  int i, n;

  fuzzBoot();
  if( nData>65536 ) return 0;
  zSql = malloc(nData+1);
  if( zSql==0 ) return 0;
  memcpy(zSql, aData, nData);
  zSql[nData] = 0;
  n = (int)strlen(zSql);

  memset(&m, 0, sizeof(m));
  memset(&arena, 0, sizeof(arena));

  /* The tokenizer: every token makes progress and stays in the text. */
  for(i=0; i<n; ){
    int eType = -1;
    int nTok = migGetToken((const unsigned char*)&zSql[i], &eType);
    if( eType==MIG_TK_EOF ) break;
    if( nTok<=0 || nTok>n-i ) abort();
    if( eType<MIG_TK_SPACE || eType>MIG_TK_ILLEGAL ) abort();
    (void)migDequote(&m, &arena, &zSql[i], nTok);
    i += nTok;
  }
  (void)migCanonical(&m, &arena, zSql, n);
  (void)migCanonicalExpr(&m, &arena, zSql, n);
  migReset(&m);

  (void)migParseCreate(&m, &arena, zSql);
  migReset(&m);
  /* The text as the body of a table: its column and constraint
  ** definitions go through the same parser as a whole statement's. */
  zBody = malloc(nData+32);
  if( zBody ){
    memcpy(zBody, "CREATE TABLE fuzz_t(", 20);
    memcpy(&zBody[20], zSql, n);
    memcpy(&zBody[20+n], ")", 2);
    (void)migParseCreate(&m, &arena, zBody);
    migReset(&m);
    free(zBody);
  }
  migArenaFree(&arena);

  /* The oracle. */
  zStored = fuzzStoredSql(zSql);
  if( zStored ){
    memset(&arena, 0, sizeof(arena));
    if( migParseCreate(&m, &arena, zStored)==0 ){
      fprintf(stderr, "SQLite stored a statement libmig cannot parse:\n"
                      "  %s\n  error: %s\n", zStored, m.zErr ? m.zErr : "?");
      abort();
    }
    migReset(&m);
    migArenaFree(&arena);
    sqlite3_free(zStored);
  }
  free(zSql);
  return 0;
}
