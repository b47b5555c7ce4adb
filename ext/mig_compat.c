/*
** mig_compat.c: the SQLite versions libmig runs on.
**
** One build of libmig serves every SQLite from 3.31.1 (MIG_SQLITE_FLOOR)
** on: what the running library has is decided at run time, from
** sqlite3_libversion_number() read once (migSqliteVersion), never from
** the sqlite3.h it was compiled against.  Below the floor the extension
** refuses to load (migFloorCheck, called by sqlite3_mig_init): 3.31 is
** the first SQLite with the SQLITE_INNOCUOUS flag libmig registers
** mig_version() with, and SQLITE_DIRECTONLY came in 3.30.
**
** EXTENSION-API ROUTINES.  A loadable extension calls SQLite through the
** host's sqlite3_api_routines table, which grows with each release: an
** entry that the running SQLite's table does not have is read past its
** end, and the call jumps anywhere.  The entries newer than the floor,
** and what libmig does about each:
**
**   sqlite3_create_filename, sqlite3_free_filename,
**   sqlite3_database_file_object      3.32.0  not used
**   sqlite3_txn_state                 3.34.0  migNoTxn(): whether the
**                                             private connection of
**                                             mig_txn.c can be used;
**                                             before, read from the
**                                             programs of the busy
**                                             statements (EXPLAIN)
**   sqlite3_changes64,
**   sqlite3_total_changes64           3.37.0  migChanges() falls back to
**                                             sqlite3_changes()
**   sqlite3_autovacuum_pages          3.37.0  not used
**   sqlite3_error_offset,
**   sqlite3_vtab_rhs_value, _distinct, _in, _in_first, _in_next
**                                     3.38.0  not used
**   sqlite3_serialize,
**   sqlite3_deserialize               3.39.0  not used (in the table from
**                                             3.39; in the library from
**                                             3.36, an option before):
**                                             copies go through the backup
**                                             API (migAttachCopy), which
**                                             also survives the failed
**                                             allocation that leaves a
**                                             deserialize into an attached
**                                             database half done
**   sqlite3_db_name                   3.39.0  migHasDbName()
**   sqlite3_value_encoding            3.40.0  not used
**   sqlite3_is_interrupted            3.41.0  migIsInterrupted() (found
**                                             in the table past
**                                             value_encoding when the
**                                             header is 3.40's)
**   sqlite3_stmt_explain              3.43.0  not used
**   sqlite3_get_clientdata,
**   sqlite3_set_clientdata            3.44.0  not used
**   sqlite3_setlk_timeout             3.50.0  not used
**   sqlite3_set_errmsg,
**   sqlite3_db_status64               3.51.0  not used
**   sqlite3_str_truncate, sqlite3_str_free,
**   sqlite3_carray_bind, _bind_v2     3.52.0  not used
**
** A file that calls one of them tests the predicate first.  The header
** libmig is compiled against may be older than 3.37 (sqlite3_changes64
** then does not exist as a macro): migChanges() is the one place that
** names it.
**
** COMPILED INTO AN APPLICATION.  With SQLITE_CORE (libmig.c built into a
** program, see tool/amalgamate.tcl) there is no API table: libmig calls
** the library the program links, whose functions are those of the
** sqlite3.h it was compiled against.  There a routine is used when that
** header declares it (MIG_CORE_HAS) and the running version has it.
**
** SQL FEATURES newer than the floor, and libmig's way around each:
**
**   the name sqlite_schema            3.33.0  libmig says sqlite_master
**                                             (temp: "temp".sqlite_master)
**   pragma_foreign_key_check(t, s)    3.33.0  the statement PRAGMA
**                                             "s".foreign_key_check("t")
**   UPDATE ... FROM                   3.33.0  not used by libmig
**   ALTER TABLE DROP COLUMN           3.35.0  (3.35.5: the first without
**                                             known bugs) migHasDropColumn;
**                                             mig_rebuild below
**   RETURNING, MATERIALIZED           3.35.0  not used by libmig
**   PRAGMA writable_schema=RESET      3.37.0  migHasSchemaReset(): mig_txn.c
**                                             drops a connection's cached
**                                             schema with it (its private
**                                             connection is not used
**                                             before)
**   PRAGMA table_list                 3.37.0  an unknown pragma is a
**                                             silent no-op, so it is read
**                                             only where migHasTableList()
**   STRICT tables                     3.37.0  migHasStrict()
**   JSON functions built in           3.38.0  an option before: a missing
**                                             function is named (migPrepare)
**   -> and ->>                        3.38.0  not used by libmig
**   RIGHT and FULL JOIN,
**   IS [NOT] DISTINCT FROM            3.39.0  not used by libmig
**   ALTER TABLE ... ALTER COLUMN SET/DROP NOT NULL,
**   ADD/DROP CONSTRAINT               3.52.0  migHasAlterConstraint()
**
** Older quirks met on the way: before 3.32 a constant JSON call inside a
** CASE is evaluated even when the CASE does not take it ("malformed
** JSON" from CASE WHEN json_valid(x) THEN json_type(x) END): JSON is
** validated by a query of its own first (migJsonValid).
**
** SCRIPTS THAT TRAVEL.  A revision generated on a new SQLite may be
** applied on an older one.  migSqlNeeds() reads a statement's tokens and
** names the newest feature of the list above it uses (and the version
** that brought it); migSectionCheck() runs it over a section of a script
** before anything is changed, so that an upgrade on an SQLite that cannot
** run a statement fails up front with the version it needs and the way
** to get a portable script: mig_config('min_sqlite', 'X.Y.Z'), the
** oldest SQLite scripts must run on (default: the running one), which
** the diff follows (migMinSqlite).
*/
#include "mig_int.h"

/* With SQLITE_CORE: whether sqlite3.h declares the routines of SQLite
** version v.  Without it (a loadable extension): never, as the API
** table's macros say what the header has. */
#ifdef SQLITE_CORE
# define MIG_CORE_HAS(v) (SQLITE_VERSION_NUMBER>=(v))
#else
# define MIG_CORE_HAS(v) 0
#endif

/* The running library's version, as sqlite3_libversion_number(): read
** once (an int written with the same value by any thread that races). */
int migSqliteVersion(void){
  static int iVersion = 0;
  if( iVersion==0 ) iVersion = sqlite3_libversion_number();
  return iVersion;
}

int migHasDropColumn(void){ return migSqliteVersion()>=MIG_V_DROP_COLUMN; }
int migHasTableList(void){ return migSqliteVersion()>=MIG_V_TABLE_LIST; }
int migHasStrict(void){ return migSqliteVersion()>=MIG_V_STRICT; }
int migHasDbName(void){ return migSqliteVersion()>=MIG_V_DB_NAME; }
int migHasIsInterrupted(void){
  return migSqliteVersion()>=MIG_V_IS_INTERRUPTED;
}
int migHasAlterConstraint(void){
  return migSqliteVersion()>=MIG_V_ALTER_CONSTRAINT;
}
int migHasSchemaReset(void){
  return migSqliteVersion()>=MIG_V_SCHEMA_RESET;
}

/* Whether sqlite3_progress_handler() exists in the running library: a
** build with SQLITE_OMIT_PROGRESS_CALLBACK (better-sqlite3's, for one)
** leaves its entry of the API table NULL, whatever its version.  (A
** program that links such a build directly cannot link libmig.) */
int migHasProgressHandler(void){
#ifdef SQLITE_CORE
  return 1;
#else
  return sqlite3_api->progress_handler!=0;
#endif
}

/* Before 3.34 (no sqlite3_txn_state): 1 if statement pStmt of p->db,
** busy, has opened no transaction, read from its program (EXPLAIN): a
** statement that reads or writes a schema opens it with its first
** instruction (OP_Transaction).  0 when it has one, or when that cannot
** be told (no SQL text kept, a program that does not compile again):
** the answer errs towards "a transaction is open". */
static int migStmtNoTxn(Mig *p, sqlite3_stmt *pStmt){
  const char *zSql = sqlite3_sql(pStmt);
  sqlite3_stmt *pExplain = 0;
  char *zExplain;
  int rc, bNone = 1;
  if( sqlite3_stmt_isexplain(pStmt) ) return 1;
  if( zSql==0 ) return 0;
  zExplain = sqlite3_mprintf("EXPLAIN %s", zSql);
  if( zExplain==0 ){
    migErrorSet(p, SQLITE_NOMEM, 0);
    return 0;
  }
  rc = sqlite3_prepare_v2(p->db, zExplain, -1, &pExplain, 0);
  sqlite3_free(zExplain);
  while( rc==SQLITE_OK && pExplain && bNone
      && sqlite3_step(pExplain)==SQLITE_ROW ){
    const char *zOp = (const char*)sqlite3_column_text(pExplain, 1);
    if( zOp && strcmp(zOp, "Transaction")==0 ) bNone = 0;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pExplain);
  if( rc==SQLITE_NOMEM || rc==SQLITE_INTERRUPT ){
    migErrorSet(p, rc, rc==SQLITE_NOMEM ? 0 : MIG_INTERRUPTED);
  }
  return rc==SQLITE_OK && pExplain ? bNone : 0;
}

/* 1 when schema zDb of p->db (every schema: NULL) has no transaction
** open (not even a read), else 0 (also after an error, recorded in p:
** an interrupt, out of memory).  From 3.34 sqlite3_txn_state says.
** Before, the connection says it is in autocommit mode, and no busy
** statement of it has opened a transaction (migStmtNoTxn): then no
** schema has one, since a read libmig's own statements start ends with
** them unless another statement of the connection is reading.  That
** answer is for every schema at once, zDb or not. */
int migNoTxn(Mig *p, const char *zDb){
  sqlite3_stmt *pStmt;
#if defined(sqlite3_txn_state) || MIG_CORE_HAS(MIG_V_TXN_STATE)
  if( migSqliteVersion()>=MIG_V_TXN_STATE ){
    return sqlite3_txn_state(p->db, zDb)==SQLITE_TXN_NONE;
  }
#endif
  (void)zDb;
  if( p->rc!=SQLITE_OK || !sqlite3_get_autocommit(p->db) ) return 0;
  for(pStmt=sqlite3_next_stmt(p->db, 0); pStmt;
      pStmt=sqlite3_next_stmt(p->db, pStmt)){
    if( sqlite3_stmt_busy(pStmt) && !migStmtNoTxn(p, pStmt) ) return 0;
  }
  return 1;
}

/* sqlite3_is_interrupted(db): 1 or 0, or -1 when the running SQLite
** does not have it (before 3.41).  Its entry is read from the API table
** only then: a table built for an older SQLite is shorter. */
int migIsInterrupted(sqlite3 *db){
  int (*x)(sqlite3*) = 0;
  if( !migHasIsInterrupted() ) return -1;
#if defined(sqlite3_is_interrupted)
  x = sqlite3_api->is_interrupted;
#elif MIG_CORE_HAS(MIG_V_IS_INTERRUPTED)
  x = sqlite3_is_interrupted;
#elif defined(sqlite3_value_encoding) && !defined(SQLITE_CORE)
  /* Compiled with the headers of 3.40: the entry of 3.41 follows the
  ** last one they know. */
  memcpy(&x, (const char*)&sqlite3_api->value_encoding
             + sizeof(sqlite3_api->value_encoding), sizeof(x));
#endif
  return x ? x(db)!=0 : -1;
}

/* Rows changed by the last statement: sqlite3_changes64 where the
** running SQLite's API table has it. */
i64 migChanges(sqlite3 *db){
#if defined(sqlite3_changes64) || MIG_CORE_HAS(MIG_V_CHANGES64)
  if( migSqliteVersion()>=MIG_V_CHANGES64 ) return sqlite3_changes64(db);
#endif
  return sqlite3_changes(db);
}

/* "3.37.2" for 3037002, in zBuf (at least MIG_VERSION_BUF bytes). */
char *migVersionText(int iVersion, char *zBuf){
  sqlite3_snprintf(MIG_VERSION_BUF, zBuf, "%d.%d.%d", iVersion/1000000,
      (iVersion/1000)%1000, iVersion%1000);
  return zBuf;
}

/* "3.37.2" (or "3.37") as 3037002, or -1 when it is not such a text. */
int migVersionParse(const char *z){
  int a[3] = {0, 0, 0};
  int i = 0, nDigit = 0;
  if( z==0 ) return -1;
  for(; *z; z++){
    if( *z>='0' && *z<='9' ){
      if( ++nDigit>3 ) return -1;
      a[i] = a[i]*10 + (*z - '0');
    }else if( *z=='.' && nDigit>0 && i<2 ){
      i++;
      nDigit = 0;
    }else{
      return -1;
    }
  }
  if( nDigit==0 || i<1 ) return -1;
  return a[0]*1000000 + a[1]*1000 + a[2];
}

/* Refuse an SQLite below the floor; *pzErrMsg says why. */
int migFloorCheck(char **pzErrMsg){
  if( migSqliteVersion()<MIG_SQLITE_FLOOR ){
    if( pzErrMsg ){
      *pzErrMsg = sqlite3_mprintf("libmig needs SQLite %s or newer; this "
          "is SQLite %s", MIG_SQLITE_FLOOR_TEXT, sqlite3_libversion());
    }
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

/*
** The oldest SQLite the scripts must run on: mig_config('min_sqlite'),
** else the running one.
*/
int migMinSqlite(MigConfig *pConfig){
  int v = pConfig ? migVersionParse(pConfig->zMinSqlite) : -1;
  return v>0 ? v : migSqliteVersion();
}

/* The check of a new value of mig_config('min_sqlite') (and of the
** options_json key): a version, not below the floor. */
void migMinSqliteCheck(Mig *p, const char *zVal){
  int v = migVersionParse(zVal);
  if( v<0 ){
    migError(p, "min_sqlite must be an SQLite version such as '3.31.1', "
        "not '%s'", zVal);
  }else if( v<MIG_SQLITE_FLOOR ){
    migError(p, "min_sqlite must be %s or newer (the oldest SQLite libmig "
        "runs on), not '%s'", MIG_SQLITE_FLOOR_TEXT, zVal);
  }
}

/*************************************************************************
** Copies of a database.
*/

/* Copy database zSrcDb of pSrc over zDest of pDest (another connection)
** with the backup API. */
static void migBackup(Mig *p, sqlite3 *pDest, const char *zDest,
                      sqlite3 *pSrc, const char *zSrcDb){
  sqlite3_backup *pB;
  int rc;
  if( p->rc!=SQLITE_OK ) return;
  pB = sqlite3_backup_init(pDest, zDest, pSrc, zSrcDb);
  if( pB==0 ){
    rc = sqlite3_errcode(pDest);
    if( rc==SQLITE_NOMEM ){
      migErrorSet(p, SQLITE_NOMEM, 0);
    }else{
      migErrorSet(p, rc==SQLITE_OK ? SQLITE_ERROR : rc, "cannot copy a "
          "scratch database: %s", sqlite3_errmsg(pDest));
    }
    return;
  }
  sqlite3_backup_step(pB, -1);
  rc = sqlite3_backup_finish(pB);
  if( rc==SQLITE_NOMEM ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }else if( rc!=SQLITE_OK ){
    migErrorSet(p, rc, "cannot copy a scratch database: %s",
        sqlite3_errstr(rc));
  }
}

/*
** Attach a copy of the main database of pSrc (which may be p->db itself)
** to p->db as the in-memory schema zAs, replacing one of that name.
** Returns 1 when zAs is attached (the caller detaches it, also after an
** error), 0 when nothing was attached or replaced.  The backup API exists in every SQLite libmig runs on; a copy
** of a connection onto itself goes through a private connection, as the
** backup API wants two.
**
** An in-memory (or temporary) schema zAs already there is overwritten in
** place: the backup is one write transaction on it, so that a failure
** (out of memory) leaves it as it was, where a DETACH and a new ATTACH
** could leave it empty (after out of memory inside SQLite, the DETACH
** of the cleanup is refused until the calling statement ends).  A
** database file is detached, never written.
*/
int migAttachCopy(Mig *p, sqlite3 *pSrc, const char *zAs){
  sqlite3 *pVia = 0;
  int bAttached = 0;
  if( p->rc!=SQLITE_OK ) return 0;
  if( pSrc!=p->db && migSchemaExists(p, zAs) ){
    const char *zFile = sqlite3_db_filename(p->db, zAs);
    if( zFile && zFile[0]==0 && sqlite3_db_readonly(p->db, zAs)==0 ){
      Mig m;
      migHandleInit(&m, p->db, 0, p->pConfig);
      migBackup(&m, p->db, zAs, pSrc, "main");
      if( m.rc==SQLITE_OK ) return 1;
      if( m.rc==SQLITE_NOMEM ){
        migErrorSet(p, SQLITE_NOMEM, 0);
        return 0;                 /* the old one stays */
      }
      /* Refused (another page size, say): replace it. */
      migReset(&m);
    }
  }
  if( migSchemaExists(p, zAs) ) migExec(p, "DETACH %Q", zAs);
  migExec(p, "ATTACH ':memory:' AS %Q", zAs);
  if( p->rc!=SQLITE_OK ) return 0;
  bAttached = 1;
  if( pSrc==p->db ){
    int rc = sqlite3_open_v2(":memory:", &pVia,
        SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
    if( rc!=SQLITE_OK ){
      migErrorSet(p, rc, "cannot open an in-memory database: %s",
          sqlite3_errstr(rc));
    }
    migBackup(p, pVia, "main", pSrc, "main");
    pSrc = pVia;
  }
  migBackup(p, p->db, zAs, pSrc, "main");
  sqlite3_close(pVia);
  return bAttached;
}

/*************************************************************************
** JSON.
*/

/* 1 if zJson is well-formed JSON, 0 if not; -1 after an error (recorded:
** a build without the JSON functions is named by migPrepare).  A query
** of its own, never a CASE around the next JSON call (see above). */
int migJsonValid(Mig *p, const char *zJson){
  sqlite3_stmt *pStmt = migPrepare(p, "SELECT json_valid(?1)");
  int bValid = -1;
  if( pStmt ) sqlite3_bind_text(pStmt, 1, zJson, -1, SQLITE_STATIC);
  if( migStep(p, pStmt)==SQLITE_ROW ) bValid = sqlite3_column_int(pStmt, 0);
  migFinalize(p, pStmt);
  return p->rc==SQLITE_OK ? bValid : -1;
}

/* The message of a failed prepare, with what is missing named when the
** JSON functions are (sqlite3_free() it). */
char *migPrepareMessage(sqlite3 *db){
  const char *zMsg = sqlite3_errmsg(db);
  if( sqlite3_strnicmp(zMsg, "no such function: json", 22)==0 ){
    return sqlite3_mprintf("%s (libmig needs SQLite's JSON functions, built "
        "in from SQLite 3.38.0 and an option before it: this SQLite %s was "
        "built without them; use one built with -DSQLITE_ENABLE_JSON1, or "
        "3.38.0 or newer)", zMsg, sqlite3_libversion());
  }
  return sqlite3_mprintf("%s", zMsg);
}

/*************************************************************************
** Scripts that travel: what a statement needs.
*/

/* A significant token of a statement (see migNeedNext). */
typedef struct MigNeedTok MigNeedTok;
struct MigNeedTok {
  const unsigned char *z;   /* the statement */
  int nStmt;                /* its length */
  int i;                    /* where the next token is looked for */
  const char *zTok;         /* the current token */
  int n;                    /* its length, 0 at the end */
  int e;                    /* its MIG_TK_* type */
};

/* Move to the next token that is not space; its length, 0 at the end. */
static int migNeedNext(MigNeedTok *pT){
  while( pT->i<pT->nStmt ){
    int n = migGetToken(&pT->z[pT->i], &pT->e);
    if( n<=0 || pT->e==MIG_TK_EOF ) break;
    pT->zTok = (const char*)&pT->z[pT->i];
    pT->i += n;
    if( pT->i>pT->nStmt ) break;
    if( pT->e!=MIG_TK_SPACE ){
      pT->n = n;
      return n;
    }
  }
  pT->n = 0;
  pT->e = MIG_TK_EOF;
  return 0;
}

/* True if the current token is the bare word zKw. */
static int migNeedIs(MigNeedTok *pT, const char *zKw){
  return pT->e==MIG_TK_ID && pT->n==(int)strlen(zKw)
      && sqlite3_strnicmp(pT->zTok, zKw, pT->n)==0;
}

/* True if the current token is the punctuation zP. */
static int migNeedIsPunct(MigNeedTok *pT, const char *zP){
  return pT->e==MIG_TK_PUNCT && pT->n==(int)strlen(zP)
      && memcmp(pT->zTok, zP, pT->n)==0;
}

/* True if the token after the current one is the bare word zKw (and,
** when zKw2 is not NULL, the one after that is zKw2). */
static int migNeedAhead(MigNeedTok *pT, const char *zKw, const char *zKw2){
  MigNeedTok t = *pT;
  migNeedNext(&t);
  if( !migNeedIs(&t, zKw) ) return 0;
  if( zKw2==0 ) return 1;
  migNeedNext(&t);
  return migNeedIs(&t, zKw2);
}

/* Record a need if it is the newest yet. */
static void migNeedSet(MigNeed *pNeed, int iVersion, const char *zWhat,
                       const char *zInstead){
  if( iVersion>pNeed->iVersion ){
    pNeed->iVersion = iVersion;
    pNeed->zWhat = zWhat;
    pNeed->zInstead = zInstead;
  }
}

/* ALTER TABLE [schema.]name <action>: the current token is TABLE. */
static void migNeedAlter(MigNeedTok *pT, MigNeed *pNeed){
  static const char zNew[] = "mig_rebuild() makes the change on any "
      "SQLite";
  migNeedNext(pT);                        /* the name */
  migNeedNext(pT);
  if( migNeedIsPunct(pT, ".") ){
    migNeedNext(pT);
    migNeedNext(pT);
  }
  if( migNeedIs(pT, "DROP") ){
    if( migNeedAhead(pT, "CONSTRAINT", 0) ){
      migNeedSet(pNeed, MIG_V_ALTER_CONSTRAINT,
          "ALTER TABLE ... DROP CONSTRAINT", zNew);
    }else{
      migNeedSet(pNeed, MIG_V_DROP_COLUMN, "ALTER TABLE ... DROP COLUMN",
          zNew);
    }
  }else if( migNeedIs(pT, "ALTER") ){
    migNeedSet(pNeed, MIG_V_ALTER_CONSTRAINT,
        "ALTER TABLE ... ALTER COLUMN", zNew);
  }else if( migNeedIs(pT, "ADD") && (migNeedAhead(pT, "CONSTRAINT", 0)
                                  || migNeedAhead(pT, "CHECK", 0)) ){
    migNeedSet(pNeed, MIG_V_ALTER_CONSTRAINT,
        "ALTER TABLE ... ADD CONSTRAINT", zNew);
  }
}

/*
** The newest feature that one statement (z, n bytes, no ";" after it)
** uses among those of the list at the top of this file that libmig can
** recognize from the tokens alone, into pNeed (left as it is when the
** statement needs nothing newer than what pNeed holds).  The create_sql
** of a mig_rebuild() call is looked into as well.  Out of memory is
** recorded on p.
*/
static void migNeedStmt(Mig *p, const char *z, int n, MigNeed *pNeed){
  MigNeedTok t;
  unsigned char aSet[64];     /* per depth: SET seen (UPDATE ... SET) */
  int nDepth = 0, iTok = 0;
  int bCreateTable = 0;       /* CREATE [TEMP] TABLE */
  int bModify = 0;            /* INSERT, REPLACE, UPDATE, DELETE, WITH */
  int bCols = 0;              /* the column list of CREATE TABLE is done */
  memset(&t, 0, sizeof(t));
  memset(aSet, 0, sizeof(aSet));
  t.z = (const unsigned char*)z;
  t.nStmt = n;
  while( p->rc==SQLITE_OK && migNeedNext(&t)>0 ){
    int iD = nDepth<(int)sizeof(aSet) ? nDepth : (int)sizeof(aSet)-1;
    int bPrevClose = 0;
    iTok++;
    if( iTok==1 ){
      bModify = migNeedIs(&t, "INSERT") || migNeedIs(&t, "REPLACE")
             || migNeedIs(&t, "UPDATE") || migNeedIs(&t, "DELETE")
             || migNeedIs(&t, "WITH");
      if( migNeedIs(&t, "ALTER") && migNeedAhead(&t, "TABLE", 0) ){
        migNeedNext(&t);
        migNeedAlter(&t, pNeed);
        return;
      }
      if( migNeedIs(&t, "CREATE") ){
        bCreateTable = migNeedAhead(&t, "TABLE", 0)
                    || migNeedAhead(&t, "TEMP", "TABLE")
                    || migNeedAhead(&t, "TEMPORARY", "TABLE");
      }
    }
    if( t.e==MIG_TK_PUNCT ){
      if( migNeedIsPunct(&t, "(") ){
        nDepth++;
        if( nDepth<(int)sizeof(aSet) ) aSet[nDepth] = 0;
      }else if( migNeedIsPunct(&t, ")") ){
        if( nDepth>0 ) nDepth--;
        if( nDepth==0 && bCreateTable ) bCols = 1;
        bPrevClose = 1;
      }else if( migNeedIsPunct(&t, "->") || migNeedIsPunct(&t, "->>") ){
        migNeedSet(pNeed, MIG_V_JSON, "the -> and ->> operators", 0);
      }else if( migNeedIsPunct(&t, ";") ){
        aSet[iD] = 0;             /* a statement of a trigger's body */
      }
      if( !bPrevClose ) continue;
    }
    if( t.e!=MIG_TK_ID ) continue;
    if( bCols && nDepth==0 && migNeedIs(&t, "STRICT") ){
      migNeedSet(pNeed, MIG_V_STRICT, "STRICT tables",
          "a table without STRICT works on any SQLite");
    }else if( migNeedIs(&t, "SET") ){
      aSet[iD] = 1;
    }else if( migNeedIs(&t, "FROM") ){
      if( aSet[iD] ){
        migNeedSet(pNeed, MIG_V_UPDATE_FROM, "UPDATE ... FROM",
            "a subquery in SET does it on any SQLite");
      }
    }else if( migNeedIs(&t, "SELECT") || migNeedIs(&t, "WHERE")
           || migNeedIs(&t, "VALUES") || migNeedIs(&t, "BEGIN")
           || migNeedIs(&t, "UPDATE") || migNeedIs(&t, "INSERT")
           || migNeedIs(&t, "DELETE") || migNeedIs(&t, "ON") ){
      aSet[iD] = 0;
    }else if( migNeedIs(&t, "RETURNING") && bModify && nDepth==0 ){
      migNeedSet(pNeed, MIG_V_RETURNING, "RETURNING", 0);
    }else if( migNeedIs(&t, "AS") && (migNeedAhead(&t, "MATERIALIZED", 0)
                                   || migNeedAhead(&t, "NOT", "MATERIALIZED")) ){
      migNeedSet(pNeed, MIG_V_RETURNING, "MATERIALIZED common table "
          "expressions", 0);
    }else if( (migNeedIs(&t, "RIGHT") || migNeedIs(&t, "FULL"))
           && (migNeedAhead(&t, "JOIN", 0) || migNeedAhead(&t, "OUTER", "JOIN")) ){
      migNeedSet(pNeed, MIG_V_JOIN39, "RIGHT and FULL JOIN", 0);
    }else if( migNeedIs(&t, "IS") && (migNeedAhead(&t, "DISTINCT", 0)
                                   || migNeedAhead(&t, "NOT", "DISTINCT")) ){
      migNeedSet(pNeed, MIG_V_JOIN39, "IS [NOT] DISTINCT FROM", 0);
    }else if( migNeedIs(&t, "mig_rebuild") ){
      /* mig_rebuild('t', '<create_sql>' ...): its definition too. */
      MigNeedTok a = t;
      migNeedNext(&a);
      if( migNeedIsPunct(&a, "(") && migNeedNext(&a) && a.e==MIG_TK_STRING
       && migNeedNext(&a) && migNeedIsPunct(&a, ",")
       && migNeedNext(&a) && a.e==MIG_TK_STRING ){
        MigArena arena;
        char *zCreate;
        memset(&arena, 0, sizeof(arena));
        zCreate = migDequote(p, &arena, a.zTok, a.n);
        if( zCreate ) migNeedStmt(p, zCreate, (int)strlen(zCreate), pNeed);
        migArenaFree(&arena);
      }
    }
  }
}

/*
** The newest feature that migNeedStmt finds in a statement other than
** ALTER TABLE (STRICT, UPDATE ... FROM, RETURNING, ->, RIGHT JOIN...).
** A feature newer than this that is not an ALTER TABLE form must raise
** it: on an SQLite at least this new, only a text that holds the word
** ALTER is read token by token (a move checks every section it runs, and
** most statements of a long history are INSERTs and CREATEs).
*/
#define MIG_V_NEED_ANY MIG_V_JOIN39

/* True if z holds "alter" in any case (in a word, a string or not). */
static int migHasAlter(const char *z){
  for(; *z; z++){
    if( (z[0]|0x20)=='a' && (z[1]|0x20)=='l' && (z[2]|0x20)=='t'
     && (z[3]|0x20)=='e' && (z[4]|0x20)=='r' ) return 1;
  }
  return 0;
}

/*
** The first statement of zSql (a section of a script, or offline SQL)
** that needs an SQLite newer than iVersion: 1 and *pHit filled, or 0.
*/
int migSqlNeedsAbove(Mig *p, const char *zSql, int iVersion,
                     MigNeedHit *pHit){
  const char *z = zSql;
  memset(pHit, 0, sizeof(*pHit));
  if( z && iVersion>=MIG_V_NEED_ANY && !migHasAlter(z) ) return 0;
  while( p->rc==SQLITE_OK && z && z[0] ){
    MigNeed need;
    int n = 0, eType;
    const char *zStmt;
    int nTok = migGetToken((const unsigned char*)z, &eType);
    if( nTok<=0 || eType==MIG_TK_EOF ) break;
    if( eType==MIG_TK_SPACE || (eType==MIG_TK_PUNCT && z[0]==';') ){
      z += nTok;
      continue;
    }
    zStmt = migStatementExtent(z, &n);
    if( n<=0 ) break;
    memset(&need, 0, sizeof(need));
    migNeedStmt(p, zStmt, n, &need);
    if( need.iVersion>iVersion ){
      pHit->need = need;
      pHit->zStmt = zStmt;
      pHit->nStmt = n;
      return 1;
    }
    z = zStmt + n;
  }
  return 0;
}

/*
** Before a move changes anything: fail when a statement of section
** zSection ("upgrade" or "downgrade") of pRev needs a newer SQLite than
** the running one, with the version it needs and the way to a script
** that runs here.
*/
void migSectionCheck(Mig *p, MigRev *pRev, const char *zSection,
                     const char *zSql){
  MigNeedHit hit;
  char zNeed[MIG_VERSION_BUF], zHave[MIG_VERSION_BUF];
  if( p->rc!=SQLITE_OK ) return;
  if( !migSqlNeedsAbove(p, zSql, migSqliteVersion(), &hit) ) return;
  migVersionText(hit.need.iVersion, zNeed);
  migVersionText(migSqliteVersion(), zHave);
  migError(p, "revision %s (%s), %s section: %.*s needs SQLite %s or newer "
      "(%s), and this is SQLite %s; nothing was changed.  Scripts that run "
      "here come from mig_autogenerate with mig_config('min_sqlite', '%s') "
      "or the option {\"min_sqlite\": \"%s\"}%s%s", pRev->zRev, pRev->zFile,
      zSection, hit.nStmt, hit.zStmt, zNeed, hit.need.zWhat, zHave, zHave,
      zHave, hit.need.zInstead ? "; " : "",
      hit.need.zInstead ? hit.need.zInstead : "");
}

/*
** Offline SQL (mig_sql) is for the oldest SQLite the scripts must run on,
** mig_config('min_sqlite'): fail when a statement of zOut needs a newer
** one, naming the revision whose section it comes from.
*/
void migOfflineCheck(Mig *p, const char *zOut){
  MigNeedHit hit;
  char zNeed[MIG_VERSION_BUF], zMin[MIG_VERSION_BUF];
  const char *zSec = 0, *z;
  int iMin = migMinSqlite(p->pConfig), nSec = 0;
  if( p->rc!=SQLITE_OK || zOut==0 ) return;
  if( !migSqlNeedsAbove(p, zOut, iMin, &hit) ) return;
  /* The "-- upgrade <rev>: <message>" line of its section, if any. */
  for(z=zOut; z<hit.zStmt; z++){
    if( z[0]=='\n' && z[1]=='-' && z[2]=='-' && z[3]==' '
     && (strncmp(&z[4], "upgrade ", 8)==0 || strncmp(&z[4], "downgrade ", 10)==0)
    ){
      zSec = &z[4];
      for(nSec=0; zSec[nSec] && zSec[nSec]!='\n'; nSec++){}
    }
  }
  migVersionText(hit.need.iVersion, zNeed);
  migVersionText(iMin, zMin);
  migError(p, "%.*s%s%.*s needs SQLite %s or newer (%s), and "
      "mig_config('min_sqlite') is %s: regenerate that revision with this "
      "min_sqlite, or raise it%s%s", nSec, zSec ? zSec : "",
      zSec ? ": " : "", hit.nStmt, hit.zStmt, zNeed, hit.need.zWhat, zMin,
      hit.need.zInstead ? "; " : "",
      hit.need.zInstead ? hit.need.zInstead : "");
}

/*************************************************************************
** SQLite's bugs that a script meets.
*/

/*
** The explanation of a statement's failure that is SQLite's bug and not
** the script's nor the data's, as " (...)" to put after SQLite's message,
** or "".  Known:
**
**   SQLite 3.44 (3.44.2 tried; 3.40.1 and 3.45.1 do not have it): once an
**   FTS5 table created in the current transaction is dropped after an
**   ALTER TABLE of the same transaction, every schema change fails with
**   "SQL logic error" until the transaction ends.  One call of libmig is
**   one transaction, so an upgrade through a revision that creates an
**   FTS5 table and a later one that alters a table and then recreates or
**   drops it meets it.  Nothing that libmig can reorder inside the
**   transaction avoids it; a call per revision does (the table then
**   exists before the transaction).
**
**   SQLite 3.44 and 3.45 (3.44.2 and 3.45.1 tried; 3.40.1 and 3.53.2 do
**   not have it): quick_check and integrity_check find NULL in a NOT
**   NULL column with a REAL DEFAULT in the rows older than that column.
**   ALTER TABLE ... ADD COLUMN of a column with a CHECK (or into a STRICT
**   table) checks the table with quick_check, and fails with "NOT NULL
**   constraint failed" (no column named, where a row that is at fault
**   names it).  Where the running SQLite has the bug, the diff rebuilds
**   the table instead (migAddNotNullRuns in mig_diff.c); a script made
**   elsewhere meets it.
*/
const char *migSqliteBugHint(sqlite3 *db, int rc){
  int v = migSqliteVersion();
  if( (rc & 0xff)==SQLITE_ERROR && v>=3044000 && v<3045000
   && strcmp(sqlite3_errmsg(db), "SQL logic error")==0
  ){
    return " (the bug of SQLite 3.44 that fails every schema change once "
        "an FTS5 table created in the same transaction was dropped after "
        "an ALTER TABLE; not the script's fault: upgrade one revision per "
        "call, mig_upgrade('+1'), or use SQLite 3.45 or newer)";
  }
  if( ((rc & 0xff)==SQLITE_ERROR || (rc & 0xff)==SQLITE_CONSTRAINT)
   && v>=3044000 && v<3046000
   && strcmp(sqlite3_errmsg(db), "NOT NULL constraint failed")==0
  ){
    return " (from an ALTER TABLE ... ADD COLUMN, the bug of SQLite 3.44 "
        "and 3.45 that sees NULL in a NOT NULL column with a REAL DEFAULT "
        "in the rows older than the column, in a table with a CHECK or "
        "STRICT; not the data's fault: regenerate the revision on this "
        "SQLite, which rebuilds the table instead, or use another SQLite)";
  }
  return "";
}
