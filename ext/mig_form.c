/*
** mig_form.c: the form of mig_sql's offline script for the engine that
** runs it.
**
** mig_sql(target [, from [, options_json]]) records every statement that
** writes while the revisions run on a scratch database (mig_apply.c) and
** wraps them in a head and a tail written here.  options_json
** {"form": "..."} chooses the wrapping:
**
**   "sqlite"  (the default) for the sqlite3 shell: PRAGMA foreign_keys=OFF
**             outside the transaction, BEGIN ... COMMIT, a TEMP table whose
**             CHECK fails when foreign key violations are left, and
**             foreign keys on again after the COMMIT.
**
**   "dqlite"  for the dqlite shell (go-dqlite's `dqlite`), which runs every
**             input line in a transaction of its own (BEGIN is refused, so
**             a script of many lines is not atomic) while one line of
**             several statements runs atomically.  The statements become
**             ONE line; the comments between them become comment lines
**             before it (the shell skips a line that holds only a
**             comment).  Line breaks inside a statement become spaces, a
**             "--" comment inside one becomes a block comment, and a line
**             break inside a string literal of an INSERT, UPDATE, DELETE
**             or SELECT becomes char(10): 'a<LF>b' is written
**             ('a'||char(10)||'b'), the same text value.  Where the
**             literal's text would be stored in the schema (CREATE,
**             ALTER) or the line break is inside a quoted name, no one-line
**             form keeps it, and mig_sql fails naming the statement.  The
**             shell reads at most 4096 bytes of a line and runs the rest
**             as further lines, so a longer line is refused unless
**             "max_line" allows it (0: any length, for clients that send
**             the text whole).
**
**   "d1"      for Cloudflare D1, which runs each file in a transaction of
**             its own and rejects BEGIN: the statements as recorded,
**             without transaction control.
**
** dqlite and D1 both enforce foreign keys, and PRAGMA foreign_keys=OFF
** does nothing inside their transaction.  Their forms defer the checks
** instead (PRAGMA defer_foreign_keys=ON), switch the deferral off before
** the end (which also forgets the violations counted so far: the DROP of
** a rebuilt parent table counts every child row as an orphan, although
** the renamed copy brings the parent keys back), and then fail if
** pragma_foreign_key_check finds a violation, through the CHECK of a table
** created in main and dropped again in the same transaction (D1 refuses
** TEMP tables).
**
** With foreign keys enforced, a DROP TABLE (each rebuild drops the old
** table) still fires the ON DELETE actions of the tables that reference
** the dropped one: CASCADE would delete their rows, SET NULL and SET
** DEFAULT would change them.  A rebuild must never fire them (one of the
** rules that protect data, README.md), so these
** forms replay the script on a copy of the starting schema, and mig_sql
** fails, naming the revision, where a DROP TABLE meets such a foreign
** key.  The replay also proves that the text emitted (the one line of
** dqlite included) runs on plain SQLite from the starting schema.
*/
#include "mig_int.h"

/* The shell of go-dqlite reads lines with a 4096-byte buffer. */
#define MIG_DQLITE_LINE 4096

/* Comment lines moved before dqlite's line are cut to this many bytes. */
#define MIG_FORM_CMT 200

/* The state of one replay of the statements of a form. */
typedef struct MigFormRun MigFormRun;
struct MigFormRun {
  Mig *p;               /* the caller's handle: errors go there */
  MigForm *pF;
  const char *zEngine;  /* "dqlite" or "D1", for messages */
  char *zDrop;          /* main table dropped by the statement prepared */
  int bNoMem;           /* the authorizer ran out of memory */
  char *zWhere;         /* last section comment ("upgrade <rev>: <msg>") */
  sqlite3_str *pCmt;    /* dqlite: comment lines that go before the line */
  sqlite3_str *pBody;   /* the statements: dqlite's one line, D1's text */
  int nIdx;             /* temporary indexes named so far */
};

/* Read options_json (NULL or an SQL NULL: the default form). */
void migFormOptions(Mig *p, sqlite3_value *pArg, MigForm *pF){
  sqlite3_stmt *pStmt;
  const char *zJson;
  int bMaxLine = 0;
  memset(pF, 0, sizeof(*pF));
  pF->nMaxLine = MIG_DQLITE_LINE;
  if( p->rc!=SQLITE_OK || pArg==0 || sqlite3_value_type(pArg)==SQLITE_NULL ){
    return;
  }
  zJson = (const char*)sqlite3_value_text(pArg);
  if( zJson==0 ){
    migErrorSet(p, SQLITE_NOMEM, 0);
    return;
  }
  /* json_type() fails on malformed JSON, and reports out of memory as
  ** such (json_valid() says 0 then). */
  pStmt = migPrepare(p, "SELECT json_type(?1)='object'");
  if( pStmt ){
    int rc;
    sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_NOMEM || sqlite3_errcode(p->db)==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else if( rc!=SQLITE_ROW || sqlite3_column_int(pStmt, 0)==0 ){
      migError(p, "options_json must be a JSON"
          " object, such as {\"form\": \"dqlite\"}");
    }
    sqlite3_finalize(pStmt);
  }

  pStmt = migPrepare(p, "SELECT key, type, value FROM json_each(?1)");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    const char *zKey = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zVal = (const char*)sqlite3_column_text(pStmt, 2);
    if( zKey==0 ) zKey = "";
    if( zType==0 ) zType = "";
    if( strcmp(zKey, "form")==0 ){
      if( strcmp(zType, "text")==0 && zVal
       && sqlite3_stricmp(zVal, "sqlite")==0 ){
        pF->eForm = MIG_FORM_SQLITE;
      }else if( strcmp(zType, "text")==0 && zVal
             && sqlite3_stricmp(zVal, "dqlite")==0 ){
        pF->eForm = MIG_FORM_DQLITE;
      }else if( strcmp(zType, "text")==0 && zVal
             && sqlite3_stricmp(zVal, "d1")==0 ){
        pF->eForm = MIG_FORM_D1;
      }else{
        migError(p, "options_json: unknown form"
            " %s (known: sqlite, dqlite, d1)", zVal ? zVal : "null");
      }
    }else if( strcmp(zKey, "max_line")==0 ){
      if( strcmp(zType, "integer")!=0 || sqlite3_column_int64(pStmt, 2)<0 ){
        migError(p, "options_json: max_line must"
            " be a number of bytes (0: no limit)");
      }else{
        pF->nMaxLine = sqlite3_column_int64(pStmt, 2);
        bMaxLine = 1;
      }
    }else{
      migError(p, "options_json: unknown key"
          " \"%s\" (known: form, max_line)", zKey);
    }
  }
  migFinalize(p, pStmt);
  if( p->rc==SQLITE_OK && bMaxLine && pF->eForm!=MIG_FORM_DQLITE ){
    migError(p, "options_json: max_line applies"
        " to the dqlite form only");
  }
}

/* A copy of the main database of pSrc in a new in-memory connection, with
** foreign keys off, for the replay (NULL on error). */
static sqlite3 *migFormCopy(Mig *p, sqlite3 *pSrc){
  sqlite3 *pDb = 0;
  sqlite3_backup *pBackup;
  int rc;
  if( p->rc!=SQLITE_OK ) return 0;
  rc = sqlite3_open_v2(":memory:", &pDb,
      SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_db_config(pDb, SQLITE_DBCONFIG_ENABLE_FKEY, 0, (int*)0);
  }
  if( rc==SQLITE_OK ){
    pBackup = sqlite3_backup_init(pDb, "main", pSrc, "main");
    if( pBackup==0 ){
      rc = sqlite3_errcode(pDb);
    }else{
      sqlite3_backup_step(pBackup, -1);
      rc = sqlite3_backup_finish(pBackup);
    }
  }
  if( rc!=SQLITE_OK ){
    if( rc==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else{
      migErrorSet(p, rc, "cannot copy the starting schema: %s",
          pDb ? sqlite3_errmsg(pDb) : sqlite3_errstr(rc));
    }
    sqlite3_close(pDb);
    pDb = 0;
  }
  return pDb;
}

/*
** The head of the script, before the guard (migSqlGuard, mig_check.c)
** and the statements that migMoveCore() records.  pScratch holds the
** starting schema (dqlite and D1 copy it for the replay).  zOp is
** "upgrade" or "downgrade".
*/
void migFormHead(Mig *p, MigForm *pF, sqlite3 *pScratch, sqlite3_str *pOut,
                 const char *zOp, const char *zFrom, const char *zTarget){
  if( p->rc!=SQLITE_OK ) return;
  switch( pF->eForm ){
    case MIG_FORM_DQLITE:
      sqlite3_str_appendf(pOut,
          "-- libmig offline migration (dqlite form): %s from %s to %s\n"
          "-- The statements are ONE line, which the dqlite shell runs as one\n"
          "-- transaction (it refuses BEGIN and commits each line on its own):\n"
          "--   dqlite -s <every node's address, comma-separated> <db> < this.sql\n"
          "-- The shell reports a failure as \"Error: ...\" and still exits\n"
          "-- with status 0: read its output.  A failed line changes"
          " nothing.\n", zOp, zFrom, zTarget);
      break;
    case MIG_FORM_D1:
      sqlite3_str_appendf(pOut,
          "-- libmig offline migration (D1 form): %s from %s to %s\n"
          "-- For Cloudflare D1, which runs a file as one transaction and\n"
          "-- rejects BEGIN:  wrangler d1 execute <database> --file=this.sql\n"
          "-- D1 enforces foreign keys (foreign_keys=OFF does nothing"
          " there):\n"
          "-- they are deferred, then checked before the end.\n",
          zOp, zFrom, zTarget);
      break;
    default:
      sqlite3_str_appendf(pOut,
          "-- libmig offline migration: %s from %s to %s\n"
          "-- Plain SQL for sqlite3 without libmig.  Run it so that the first\n"
          "-- error stops it (sqlite3 -bail app.db < this.sql): it commits\n"
          "-- only at its end.\n"
          "PRAGMA foreign_keys=OFF;\n"
          "BEGIN;\n", zOp, zFrom, zTarget);
      break;
  }
  pF->iBody = sqlite3_str_length(pOut);
  if( pF->eForm!=MIG_FORM_SQLITE ){
    sqlite3_str_appendf(pOut, "PRAGMA defer_foreign_keys=ON;\n");
    pF->pReplay = migFormCopy(p, pScratch);
  }
}

/* Remember the table that the statement being prepared drops. */
static int migFormAuth(void *pCtx, int eAction, const char *z1,
                       const char *z2, const char *zDb, const char *zTrig){
  MigFormRun *pRun = (MigFormRun*)pCtx;
  (void)z2;
  (void)zTrig;
  if( eAction==SQLITE_DROP_TABLE && z1 && zDb && pRun->zDrop==0
   && sqlite3_stricmp(zDb, "main")==0
  ){
    pRun->zDrop = sqlite3_mprintf("%s", z1);
    if( pRun->zDrop==0 ) pRun->bNoMem = 1;
  }
  return SQLITE_OK;
}

/* The first n bytes of z at most, not cutting a UTF-8 character. */
static int migFormCut(const char *z, int n, int nMax){
  if( n<=nMax ) return n;
  n = nMax;
  while( n>0 && (((unsigned char)z[n]) & 0xc0)==0x80 ) n--;
  return n;
}

/* Space and comments between statements: a "--" comment names the
** section that follows (and, for dqlite, becomes a line of its own). */
static void migFormBetween(MigFormRun *pRun, const char *z, int n){
  Mig *p = pRun->p;
  int i = 0;
  while( p->rc==SQLITE_OK && i<n ){
    int eType;
    int nTok = migGetToken((const unsigned char*)&z[i], &eType);
    if( nTok<=0 ) break;
    if( nTok>n-i ) nTok = n-i;
    if( eType==MIG_TK_SPACE && nTok>=2 && z[i]=='-' && z[i+1]=='-' ){
      int j = i+2, nCmt;
      while( j<i+nTok && z[j]==' ' ) j++;
      nCmt = migFormCut(&z[j], i+nTok-j, MIG_FORM_CMT);
      sqlite3_free(pRun->zWhere);
      pRun->zWhere = migMprintf(p, "%.*s", nCmt, &z[j]);
      if( pRun->pCmt ){
        sqlite3_str_appendf(pRun->pCmt, "-- %.*s\n", nCmt, &z[j]);
      }
    }
    i += nTok;
  }
}

/* Set an error about statement z (n bytes) of the replay. */
static void migFormStmtError(MigFormRun *pRun, const char *z, int n,
                             const char *zWhy){
  int nQuote = migFormCut(z, n, 60);
  migError(pRun->p, "the %s form cannot hold"
      " \"%.*s%s\" (%s) on one line: %s", pRun->zEngine, nQuote, z,
      nQuote<n ? "..." : "", pRun->zWhere ? pRun->zWhere : "the script",
      zWhy);
}

/* True if statement z (n bytes) only reads or changes rows, so that its
** string literals are values, never text stored in the schema. */
static int migFormIsDml(const char *z, int n){
  static const char *azDml[] = {
    "INSERT", "REPLACE", "UPDATE", "DELETE", "SELECT", "VALUES", "WITH"
  };
  int i = 0, k;
  while( i<n ){
    int eType;
    int nTok = migGetToken((const unsigned char*)&z[i], &eType);
    if( nTok<=0 ) return 0;
    if( eType!=MIG_TK_SPACE ){
      if( eType!=MIG_TK_ID ) return 0;
      for(k=0; k<(int)(sizeof(azDml)/sizeof(azDml[0])); k++){
        if( (int)strlen(azDml[k])==nTok
         && sqlite3_strnicmp(&z[i], azDml[k], nTok)==0 ){
          return 1;
        }
      }
      return 0;
    }
    i += nTok;
  }
  return 0;
}

/* Append statement z (n bytes, from its first token to its ";") to pOut
** as one line (see the comment at the top of the file). */
static void migFormOneLine(MigFormRun *pRun, const char *z, int n,
                           sqlite3_str *pOut){
  Mig *p = pRun->p;
  int bDml = migFormIsDml(z, n);
  int i = 0, j;
  while( p->rc==SQLITE_OK && i<n ){
    int eType;
    int nTok = migGetToken((const unsigned char*)&z[i], &eType);
    const char *zTok = &z[i];
    int bBreak;
    if( nTok<=0 ) break;
    if( nTok>n-i ) nTok = n-i;
    bBreak = memchr(zTok, '\n', nTok)!=0;
    if( eType==MIG_TK_SPACE && nTok>=2 && zTok[0]=='-' && zTok[1]=='-' ){
      sqlite3_str_append(pOut, "/*", 2);
      for(j=2; j<nTok; j++){
        sqlite3_str_appendchar(pOut, 1, zTok[j]);
        if( zTok[j]=='*' && j+1<nTok && zTok[j+1]=='/' ){
          sqlite3_str_appendchar(pOut, 1, ' ');
        }
      }
      sqlite3_str_append(pOut, " */", 3);
    }else if( !bBreak ){
      sqlite3_str_append(pOut, zTok, nTok);
    }else if( eType==MIG_TK_SPACE ){
      for(j=0; j<nTok; j++){
        sqlite3_str_appendchar(pOut, 1, zTok[j]=='\n' ? ' ' : zTok[j]);
      }
    }else if( eType==MIG_TK_STRING && bDml ){
      /* 'a<LF>b' -> ('a'||char(10)||'b'): the quotes inside stay doubled */
      sqlite3_str_append(pOut, "(", 1);
      for(j=0; j<nTok; j++){
        if( zTok[j]=='\n' ){
          sqlite3_str_append(pOut, "'||char(10)||'", 14);
        }else{
          sqlite3_str_appendchar(pOut, 1, zTok[j]);
        }
      }
      sqlite3_str_append(pOut, ")", 1);
    }else if( eType==MIG_TK_STRING ){
      migFormStmtError(pRun, z, n, "a string literal in it holds a line"
          " break, and written as an expression it would change the text"
          " that SQLite stores in the schema; use char(10) there instead");
    }else{
      migFormStmtError(pRun, z, n, "a quoted name in it holds a line"
          " break");
    }
    i += nTok;
  }
  if( n>0 && z[n-1]!=';' ) sqlite3_str_append(pOut, ";", 1);
}

/* Fail if dropping main table zDrop of the replay database fires an ON
** DELETE action of a foreign key of another table. */
static void migFormCheckDrop(MigFormRun *pRun, sqlite3 *pReplay,
                             const char *zDrop){
  Mig *p = pRun->p;
  Mig r;
  sqlite3_stmt *pStmt;
  migHandleInit(&r, pReplay, 0, 0);
  pStmt = migPrepare(&r,
      "SELECT m.name, f.\"from\", upper(f.on_delete)"
      " FROM \"main\".sqlite_master AS m,"
      " pragma_foreign_key_list(m.name, 'main') AS f"
      " WHERE m.type='table' AND m.name<>?1 COLLATE NOCASE"
      " AND f.\"table\"=?1 COLLATE NOCASE"
      " AND upper(f.on_delete) IN ('CASCADE', 'SET NULL', 'SET DEFAULT')"
      " ORDER BY m.name, f.id, f.seq LIMIT 1");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zDrop, -1, SQLITE_STATIC);
  if( migStep(&r, pStmt)==SQLITE_ROW ){
    const char *zChild = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zCol = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zAct = (const char*)sqlite3_column_text(pStmt, 2);
    const char *zCopy = "";
    char *zHarm, *zAdvice;
    if( zChild==0 || zCol==0 || zAct==0 ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else{
      /* The rebuilt copy of a table that references itself references the
      ** old table by name until the rename: name it as the table. */
      int nNew = (int)strlen(MIG_RB_PREFIX);
      if( sqlite3_strnicmp(zChild, MIG_RB_PREFIX, nNew)==0
       && sqlite3_stricmp(&zChild[nNew], zDrop)==0
      ){
        zChild = zDrop;
        zCopy = " (in its rebuilt copy: a reference to itself)";
      }
      if( strcmp(zAct, "CASCADE")==0 ){
        zHarm = migMprintf(p, "delete the rows of \"%s\"", zChild);
      }else{
        zHarm = migMprintf(p, "set \"%s\".\"%s\" to %s in its rows",
            zChild, zCol, strcmp(zAct, "SET NULL")==0 ? "NULL" :
            "its default");
      }
      if( zCopy[0] ){
        zAdvice = migMprintf(p, "A table that references itself with an"
            " ON DELETE action cannot be rebuilt where foreign keys stay on:"
            " use the default form, where foreign keys can be switched off");
      }else{
        zAdvice = migMprintf(p, "Split the change: a revision that removes"
            " the ON DELETE action of \"%s\" first, then this change, then"
            " one that puts it back; or use the default form, where foreign"
            " keys can be switched off", zChild);
      }
      if( zHarm && zAdvice ){
        migError(p, "the %s form cannot run %s:"
            " it drops table \"%s\" (a rebuild drops the old table), and"
            " \"%s\".\"%s\"%s references it with ON DELETE %s; %s"
            " enforces foreign keys (PRAGMA foreign_keys=OFF does nothing"
            " inside its transaction), so the drop would %s.  %s",
            pRun->zEngine, pRun->zWhere ? pRun->zWhere : "the script",
            zDrop, zChild, zCol, zCopy, zAct, pRun->zEngine, zHarm, zAdvice);
      }
      sqlite3_free(zHarm);
      sqlite3_free(zAdvice);
    }
  }
  migFinalize(&r, pStmt);
  migErrorFrom(p, &r, "cannot read the foreign keys of the replayed"
      " schema: ");
}

/* Add a statement of the form's own (a temporary index) to the text,
** before or after the statement being replayed. */
static void migFormAdd(MigFormRun *pRun, const char *zSql, int bBefore){
  if( pRun->pCmt ){
    int i;
    if( sqlite3_str_length(pRun->pBody)>0 ){
      sqlite3_str_append(pRun->pBody, " ", 1);
    }
    for(i=0; zSql[i]; i++){
      sqlite3_str_appendchar(pRun->pBody, 1, zSql[i]=='\n' ? ' ' : zSql[i]);
    }
  }else if( bBefore ){
    sqlite3_str_appendf(pRun->pBody, "%s\n", zSql);
  }else{
    sqlite3_str_appendf(pRun->pBody, "\n%s", zSql);
  }
}

/* True if main of the replay database has an object named zName. */
static int migFormNameUsed(Mig *r, const char *zName){
  int bUsed = 0;
  sqlite3_stmt *pStmt = migPrepare(r, "SELECT 1 FROM \"main\".sqlite_master"
      " WHERE name=%Q COLLATE NOCASE", zName);
  if( migStep(r, pStmt)==SQLITE_ROW ) bUsed = 1;
  migFinalize(r, pStmt);
  return bUsed;
}

/*
** Before a DROP of table zDrop with foreign keys on, an index for every
** foreign key that points to it from another table and that no index of
** that table serves: the DROP deletes each row of zDrop first, and each
** delete looks for the child rows, which without an index is a scan of
** the child table for every parent row (minutes for tens of thousands of
** rows).  Each index is created before the DROP and dropped right after
** it, on the replay database and in the text; pAfter gets the DROP INDEX
** statements.
*/
static void migFormFkIndexes(MigFormRun *pRun, const char *zDrop,
                             sqlite3_str *pAfter){
  Mig *p = pRun->p;
  Mig r;
  sqlite3_stmt *pStmt;
  char **azCreate = 0;
  int nCreate = 0, i;
  migHandleInit(&r, pRun->pF->pReplay, 0, 0);
  pStmt = migPrepare(&r,
      "WITH fk(child, id, col, seq) AS ("
      "  SELECT m.name, f.id, f.\"from\", f.seq"
      "  FROM \"main\".sqlite_master AS m,"
      "       pragma_foreign_key_list(m.name, 'main') AS f"
      "  WHERE m.type='table' AND m.name<>?1 COLLATE NOCASE"
      "    AND f.\"table\"=?1 COLLATE NOCASE)"
      " SELECT child, (SELECT group_concat('\"' || replace(col, '\"', '\"\"')"
      "                || '\"', ', ') FROM (SELECT col FROM fk AS k"
      "                WHERE k.child=fk.child AND k.id=fk.id ORDER BY seq))"
      " FROM fk WHERE seq=0 AND NOT EXISTS ("
      "  SELECT 1 FROM pragma_index_list(fk.child, 'main') AS l"
      "  WHERE l.partial=0 AND (SELECT count(*)"
      "    FROM pragma_index_info(l.name, 'main') AS x, fk AS k"
      "    WHERE k.child=fk.child AND k.id=fk.id"
      "      AND x.name=k.col COLLATE NOCASE AND x.seqno<(SELECT count(*)"
      "        FROM fk AS c WHERE c.child=fk.child AND c.id=fk.id))"
      "   =(SELECT count(*) FROM fk AS c WHERE c.child=fk.child"
      "      AND c.id=fk.id))"
      " ORDER BY child, id");
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zDrop, -1, SQLITE_STATIC);
  while( migStep(&r, pStmt)==SQLITE_ROW ){
    const char *zChild = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zCols = (const char*)sqlite3_column_text(pStmt, 1);
    char **aNew;
    char *zName = 0;
    if( zChild==0 || zCols==0 ){
      migErrorSet(&r, SQLITE_NOMEM, 0);
      break;
    }
    aNew = (char**)sqlite3_realloc64(azCreate, sizeof(char*)*(nCreate+1));
    if( aNew==0 ){
      migErrorSet(&r, SQLITE_NOMEM, 0);
      break;
    }
    azCreate = aNew;
    do{
      sqlite3_free(zName);
      zName = migMprintf(&r, "_libmig_fkidx_%d", ++pRun->nIdx);
    }while( zName && migFormNameUsed(&r, zName) );
    azCreate[nCreate] = migMprintf(&r, "%s\x1f%s\x1f%s", zName, zChild, zCols);
    sqlite3_free(zName);
    if( azCreate[nCreate] ) nCreate++;
  }
  migFinalize(&r, pStmt);

  /* Create them (the query above is done: the schema may change now). */
  for(i=0; i<nCreate && r.rc==SQLITE_OK; i++){
    char *zName = azCreate[i];
    char *zChild = strchr(zName, '\x1f');
    char *zCols, *zSql;
    *(zChild++) = 0;
    zCols = strchr(zChild, '\x1f');
    *(zCols++) = 0;
    zSql = migMprintf(&r, "CREATE INDEX \"main\".\"%w\" ON \"%w\"(%s);",
        zName, zChild, zCols);
    if( zSql ){
      migExec(&r, "%s", zSql);
      migFormAdd(pRun, zSql, 1);
      sqlite3_str_appendf(pAfter, "%sDROP INDEX \"main\".\"%w\";",
          sqlite3_str_length(pAfter)>0 ? "\n" : "", zName);
    }
    sqlite3_free(zSql);
  }
  for(i=0; i<nCreate; i++) sqlite3_free(azCreate[i]);
  sqlite3_free(azCreate);
  migErrorFrom(p, &r, "cannot index the foreign keys that point to the"
      " table dropped on the replayed schema: ");
}

/* Replay statement z (n bytes) and add it to the text: a DROP TABLE is
** checked first and gets its temporary indexes. */
static void migFormRunOne(MigFormRun *pRun, const char *z, int n){
  Mig *p = pRun->p;
  sqlite3 *pReplay = pRun->pF->pReplay;
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pAfter = 0;
  int rc;
  if( p->rc!=SQLITE_OK ) return;
  sqlite3_free(pRun->zDrop);
  pRun->zDrop = 0;
  rc = sqlite3_prepare_v2(pReplay, z, n, &pStmt, 0);
  if( pRun->bNoMem ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK && pRun->zDrop ){
    char *zDrop = pRun->zDrop;
    pRun->zDrop = 0;
    migFormCheckDrop(pRun, pReplay, zDrop);
    pAfter = sqlite3_str_new(0);
    migFormFkIndexes(pRun, zDrop, pAfter);
    sqlite3_free(zDrop);
  }
  if( rc==SQLITE_OK && pStmt && p->rc==SQLITE_OK ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){}
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc==SQLITE_NOMEM ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }else if( rc!=SQLITE_OK ){
    int nQuote = migFormCut(z, n, 60);
    migErrorSet(p, rc, "the %s form of \"%.*s%s\" (%s) fails on"
        " a copy of the starting schema: %s", pRun->zEngine, nQuote, z,
        nQuote<n ? "..." : "", pRun->zWhere ? pRun->zWhere : "the script",
        sqlite3_errmsg(pReplay));
  }
  sqlite3_finalize(pStmt);
  if( p->rc==SQLITE_OK ){
    if( pRun->pCmt && sqlite3_str_length(pRun->pBody)>0 ){
      sqlite3_str_append(pRun->pBody, " ", 1);
    }
    sqlite3_str_append(pRun->pBody, z, n);
  }
  if( pAfter && sqlite3_str_length(pAfter)>0 && p->rc==SQLITE_OK ){
    const char *zAfter = sqlite3_str_value(pAfter);
    Mig r;
    migHandleInit(&r, pReplay, 0, 0);
    migExec(&r, "%s", zAfter);
    migErrorFrom(p, &r, "");
    migFormAdd(pRun, zAfter, 0);
  }
  if( pAfter && sqlite3_str_errcode(pAfter) ) migErrorSet(p, SQLITE_NOMEM, 0);
  sqlite3_free(sqlite3_str_finish(pAfter));
}

/* Replay the statements of zBody on the replay database and write the
** body of the form: for dqlite the comment lines and the one line, for D1
** the text as it is, with the temporary indexes added. */
static void migFormReplay(MigFormRun *pRun, const char *zBody){
  Mig *p = pRun->p;
  sqlite3 *pReplay = pRun->pF->pReplay;
  const char *z = zBody;
  sqlite3_set_authorizer(pReplay, migFormAuth, pRun);
  while( p->rc==SQLITE_OK && z[0] ){
    sqlite3_stmt *pStmt = 0;
    const char *zTail = 0;
    const char *zStart = z;
    int rc = sqlite3_prepare_v2(pReplay, z, -1, &pStmt, &zTail);
    int bStmt = pStmt!=0;
    sqlite3_finalize(pStmt);
    if( rc==SQLITE_NOMEM || pRun->bNoMem ){
      migErrorSet(p, SQLITE_NOMEM, 0);
      break;
    }else if( rc!=SQLITE_OK ){
      migErrorSet(p, rc, "the %s form fails on a copy of the"
          " starting schema (%s): %s", pRun->zEngine,
          pRun->zWhere ? pRun->zWhere : "the script", sqlite3_errmsg(pReplay));
      break;
    }
    if( zTail==0 || zTail<=z ) zTail = z + strlen(z);
    /* Skip the space and comments before the statement. */
    while( zStart<zTail ){
      int eType;
      int nTok = migGetToken((const unsigned char*)zStart, &eType);
      if( nTok<=0 || eType!=MIG_TK_SPACE ) break;
      zStart += nTok;
    }
    if( zStart>zTail ) zStart = zTail;
    migFormBetween(pRun, z, (int)(zStart-z));
    if( pRun->pCmt==0 ){
      sqlite3_str_append(pRun->pBody, z, (int)(zStart-z));
    }
    if( bStmt && zStart<zTail ){
      if( pRun->pCmt ){
        sqlite3_str *pOne = sqlite3_str_new(0);
        char *zOne;
        int nOne;
        migFormOneLine(pRun, zStart, (int)(zTail-zStart), pOne);
        nOne = sqlite3_str_length(pOne);
        zOne = sqlite3_str_finish(pOne);
        if( zOne==0 && p->rc==SQLITE_OK ) migErrorSet(p, SQLITE_NOMEM, 0);
        if( p->rc==SQLITE_OK ) migFormRunOne(pRun, zOne, nOne);
        sqlite3_free(zOne);
      }else{
        migFormRunOne(pRun, zStart, (int)(zTail-zStart));
      }
    }else if( pRun->pCmt==0 ){
      sqlite3_str_append(pRun->pBody, zStart, (int)(zTail-zStart));
    }
    z = zTail;
  }
  sqlite3_set_authorizer(pReplay, 0, 0);
}

/*
** The tail of the script: the foreign key check and the end of the
** transaction; for dqlite and D1 the replay, after which what follows the
** head comments in pOut is replaced by the body the replay wrote.  zNow
** is the revision the script ends at ("base" at none).
*/
void migFormTail(Mig *p, MigForm *pF, sqlite3_str *pOut, const char *zNow){
  MigFormRun run;
  char *zHead = 0;
  if( p->rc!=SQLITE_OK ) return;
  if( pF->eForm==MIG_FORM_SQLITE ){
    sqlite3_str_appendf(pOut, "\n-- fails if foreign key violations"
        " were left\n"
        "CREATE TEMP TABLE \"_libmig_fk_check\"(foreign_key_violations"
        " INTEGER CHECK(foreign_key_violations=0));\n"
        "INSERT INTO \"temp\".\"_libmig_fk_check\" SELECT count(*)"
        " FROM pragma_foreign_key_check;\n"
        "DROP TABLE \"temp\".\"_libmig_fk_check\";\n"
        "COMMIT;\n"
        "-- foreign keys on again, as the 12-step procedure ends\n"
        "PRAGMA foreign_keys=ON;\n"
        "-- now at %s\n", zNow);
    return;
  }
  sqlite3_str_appendf(pOut, "\n%s"
      "PRAGMA defer_foreign_keys=OFF;\n"
      "CREATE TABLE \"main\".\"_libmig_fk_check\"(foreign_key_violations"
      " INTEGER CHECK(foreign_key_violations=0));\n"
      "INSERT INTO \"main\".\"_libmig_fk_check\" SELECT count(*)"
      " FROM pragma_foreign_key_check;\n"
      "DROP TABLE \"main\".\"_libmig_fk_check\";\n",
      pF->eForm==MIG_FORM_D1 ? "-- foreign keys are checked again from"
      " here: this fails if violations were left\n" : "");
  if( sqlite3_str_errcode(pOut) ){
    migErrorSet(p, SQLITE_NOMEM, 0);
    return;
  }

  memset(&run, 0, sizeof(run));
  run.p = p;
  run.pF = pF;
  run.zEngine = pF->eForm==MIG_FORM_DQLITE ? "dqlite" : "D1";
  run.pBody = sqlite3_str_new(0);
  if( pF->eForm==MIG_FORM_DQLITE ) run.pCmt = sqlite3_str_new(0);
  if( pF->pReplay==0 ){
    migError(p, "no copy of the starting schema");
  }
  if( p->rc==SQLITE_OK ){
    const char *zAll = sqlite3_str_value(pOut);
    zHead = migMprintf(p, "%.*s", pF->iBody, zAll);
    migFormReplay(&run, &zAll[pF->iBody]);
  }
  if( p->rc==SQLITE_OK && (sqlite3_str_errcode(run.pBody)
       || (run.pCmt && sqlite3_str_errcode(run.pCmt))) ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }
  if( p->rc==SQLITE_OK && run.pCmt && pF->nMaxLine>0
   && sqlite3_str_length(run.pBody)>pF->nMaxLine
  ){
    migError(p, "the dqlite form of this"
        " migration is one line of %d bytes, longer than the %lld bytes"
        " allowed: the dqlite shell reads at most %d bytes of a line and"
        " runs the rest as further lines, each in a transaction of its own."
        "  Migrate in smaller steps (mig_sql('+1', ...) and so on), or,"
        " with a client that sends the line whole, raise the limit with"
        " {\"form\": \"dqlite\", \"max_line\": 0}",
        sqlite3_str_length(run.pBody), pF->nMaxLine, MIG_DQLITE_LINE);
  }
  if( p->rc==SQLITE_OK ){
    const char *zCmt = run.pCmt ? sqlite3_str_value(run.pCmt) : 0;
    const char *zBody = sqlite3_str_value(run.pBody);
    sqlite3_str_reset(pOut);
    sqlite3_str_appendf(pOut, "%s%s%s%s-- now at %s\n", zHead,
        zCmt ? zCmt : "", zBody ? zBody : "", run.pCmt ? "\n" : "", zNow);
  }
  sqlite3_free(zHead);
  sqlite3_free(sqlite3_str_finish(run.pCmt));
  sqlite3_free(sqlite3_str_finish(run.pBody));
  sqlite3_free(run.zDrop);
  sqlite3_free(run.zWhere);
}

/* Free what the form holds. */
void migFormClear(MigForm *pF){
  sqlite3_close(pF->pReplay);
  pF->pReplay = 0;
}
