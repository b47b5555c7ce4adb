/*
** mig_rebuild.c: mig_rebuild(table, create_sql [, mapping_json]), the
** rebuild of a table to a new definition by SQLite's documented procedure
** ("Making Other Kinds Of Table Schema Changes" on the ALTER TABLE page),
** and migRebuild(), the engine behind it.  Every statement names the
** schema (Mig.zDb) of what it touches, the recreated indexes, views and
** triggers included (migQualifiedCreate), so that no TEMP object of the
** same name can capture one.
**
** The engine works inside a transaction its caller holds (with foreign
** key enforcement off, see mig_txn.c), under a SAVEPOINT of its own:
**
**   1. it creates the new table from create_sql under the name
**      "_libmig_new_<table>" (a prefix the diff ignores).  Only the name
**      token of create_sql is replaced, so that after the final RENAME
**      the stored SQL is the user's text (SQLite's RENAME writes the
**      name back double-quoted);
**   2. it copies every row with ONE "INSERT OR ABORT ... SELECT": columns
**      of the same name (case-insensitive), the mapped expressions, the
**      rowid of rowid tables without an INTEGER PRIMARY KEY.  Generated
**      columns recompute; other new columns take their defaults.  OR
**      ABORT overrides any ON CONFLICT REPLACE/IGNORE of the new
**      definition, so that no row is dropped silently;
**   3. it drops the views and triggers that name the table (found by what
**      they mention, transitively through views, since RENAME checks
**      every view and trigger), carries the AUTOINCREMENT counter over to
**      the new table in SQL (so that mig_sql's recording of it does the
**      same on any database), drops the table and renames the new one;
**   4. it recreates the table's indexes (after the copy), the views and
**      the triggers from their stored SQL, and checks that each compiles
**      against the new definition;
**   5. it runs PRAGMA foreign_key_check on the table, and on the tables
**      whose foreign keys point to it (failing only on violations the
**      rebuild added to those).
** Any failure rolls back to the savepoint: schema, rows, rowids and
** sqlite_sequence are exactly as they were.
**
** PROGRESS.  With mig_config('progress') set to 1, the SQL function
** mig_rebuild reports a long copy on stderr, for a person watching a
** terminal (tool/mig sets it when stderr is one): the copy calls
** _libmig_progress() for each row it reads, which every
** MIG_RB_PROGRESS_ROWS rows prints
**     \rmig_rebuild: <table>: <rows read> of <rows> rows copied (<n>%)
** when the percentage changed, and a final newline.  The total is
** counted before the copy starts.  A copy that ends before the first
** report prints nothing.  The connection's progress handler is never
** touched (it is the application's, and SQLite offers no way to read one
** back and restore it).
**
** When the copy fails, the reason is looked for only then, so that the
** happy path pays nothing: the mapped rows go into a TEMP scratch table
** with the new column names and types (each written as a checked type
** name, never as raw text) but no constraints, and one query per
** constraint of the new definition counts the offending rows.  Rule 12:
** the copy and every diagnostic query are compiled and checked first,
** and refused if they would call a function that SQLite does not let a
** schema call (migSchemaSafe, mig_util.c).
**
** The SQL function adds what the procedure does around the transaction
** (migTxnBegin, mig_txn.c): foreign key enforcement off with
** sqlite3_db_config for the time of the call (also inside the user's own
** transaction, where PRAGMA foreign_keys is a no-op), so that dropping
** the old table never fires ON DELETE actions; in autocommit mode BEGIN
** and COMMIT, inside the user's transaction a savepoint that leaves it
** open; enforcement back as it was whatever happens.  Step 5 is the
** foreign key check that enforcement would have done.
*/
#include "mig_int.h"
#include <stdio.h>

#define MIG_RB_SAVEPOINT  "_libmig_rebuild"
#define MIG_RB_SCRATCH    "_libmig_scratch"

/* A column of the new definition and where its value comes from. */
typedef struct MigRbCol MigRbCol;
struct MigRbCol {
  char *zName;          /* name as declared */
  char *zType;          /* declared type, "" when none */
  char *zDflt;          /* DEFAULT expression as written, or NULL */
  int eHidden;          /* pragma table_xinfo.hidden: 0, or 2/3 generated */
  int bNotNull;         /* NOT NULL (or PRIMARY KEY of WITHOUT ROWID) */
  char *zSrc;           /* SQL over the old row, or NULL: takes default */
  const char *zMapKey;  /* the mapping_json key that set zSrc, or NULL */
};

/* An edge of the "is mentioned by" graph of views and triggers. */
typedef struct MigRbEdge MigRbEdge;
struct MigRbEdge {
  MigObject *pObj;      /* a view or trigger that mentions the name */
  int bTemp;            /* pObj is in the temp schema */
  MigRbEdge *pNext;     /* the next one mentioning the same name */
};

/* The state of one rebuild. */
typedef struct MigRebuild MigRebuild;
struct MigRebuild {
  Mig *p;
  sqlite3 *db;
  const char *zDb;          /* the schema of the table (p->zDb) */
  MigArena a;               /* strings of this call */
  MigSchema *pSchema;       /* main, as it was at the start */
  MigObject *pTab;          /* the table as it is */
  const char *zName;        /* its name as stored */
  const char *zCreateIn;    /* create_sql as given */
  char *zNewName;           /* the name create_sql gives, dequoted */
  char *zTmp;               /* "_libmig_new_<table>" */
  char *zCreate;            /* create_sql for zTmp */
  char *zInPlaceSql;        /* create_sql as sqlite_schema keeps it */
  int bAutoinc;             /* create_sql says AUTOINCREMENT */
  int bOldRowid;            /* the old table has a rowid */
  const char *zOldRowid;    /* a name for it no column shadows, or NULL */
  int bNewWr;               /* new definition is WITHOUT ROWID */
  int bNewStrict;           /* new definition is STRICT */
  char *zNewIpk;            /* its INTEGER PRIMARY KEY column, or NULL */
  int nCol;                 /* columns of the new definition */
  MigRbCol *aCol;
  MigHash oldCols;          /* old column name -> its stored name */
  MigHash newCols;          /* new column name -> MigRbCol */
  const char *zRowidTarget; /* new rowid name the old rowid is copied to */
  char *zTargets;           /* INSERT column list (sqlite3_malloc) */
  char *zSources;           /* SELECT list over the old row (sqlite3_malloc) */
  int bStat;                /* sqlite_stat1 had rows for the table */
  int iDqsDml, iDqsDdl;     /* the connection's DQS settings, -1: unread */
  int nChild;               /* other tables with a foreign key to it */
  MigObject **apChild;
  i64 *aChildBefore;        /* their violations before, -1: not checked */
  int nIdx;                 /* the table's indexes (not auto-indexes) */
  MigObject **apIdx;
  MigSchema *pTemp;         /* temp, whose views and triggers may name it */
  int nView;                /* views to recreate, in schema order */
  MigObject **apView;
  int iViewTemp;            /* apView[iViewTemp..] are in temp */
  int nTrig;                /* triggers to recreate, in schema order */
  MigObject **apTrig;
  int iTrigTemp;            /* apTrig[iTrigTemp..] are in temp */
  i64 nRow;                 /* rows copied */
  int bProgress;            /* report the copy on stderr */
};

/*************************************************************************
** Small helpers.
*/

/* An error of the environment, not of the definitions: out of memory,
** I/O error, disk full, a corrupt or read-only database.  Recorded on
** r->p with its own code and SQLite's message (true is returned), so that
** no caller explains it as a problem of the new definition, an index,
** a view or a trigger. */
static int migRbEnvError(MigRebuild *r, int rc){
  switch( rc & 0xff ){
    case SQLITE_NOMEM:
      migErrorSet(r->p, SQLITE_NOMEM, 0);
      return 1;
    case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_CORRUPT:
    case SQLITE_CANTOPEN: case SQLITE_READONLY: case SQLITE_NOTADB:
    case SQLITE_INTERRUPT:
      migErrorSet(r->p, rc, "cannot rebuild \"%w\": %s",
          r->zName, sqlite3_errstr(rc));
      return 1;
  }
  return 0;
}

/* A cursor over the significant tokens of a text: create_sql, what
** follows a statement, the head of a trigger. */
typedef struct MigRbTok MigRbTok;
struct MigRbTok {
  const unsigned char *z;   /* the text */
  int iNext;                /* where the next token starts to be looked for */
  int iTok;                 /* offset of the current token */
  int n;                    /* its length, 0 at the end */
  int e;                    /* its MIG_TK_* type */
};

/* Move to the next token that is not space; returns its length (0 at
** the end). */
static int migRbTokNext(MigRbTok *pT){
  for(;;){
    int n = migGetToken(&pT->z[pT->iNext], &pT->e);
    pT->iTok = pT->iNext;
    if( pT->e==MIG_TK_EOF || n<=0 ){
      pT->e = MIG_TK_EOF;
      pT->n = 0;
      return 0;
    }
    pT->iNext += n;
    if( pT->e!=MIG_TK_SPACE ){
      pT->n = n;
      return n;
    }
  }
}

/* A cursor on the first token of z. */
static void migRbTokInit(MigRbTok *pT, const char *z){
  memset(pT, 0, sizeof(*pT));
  pT->z = (const unsigned char*)(z ? z : "");
  migRbTokNext(pT);
}

/* True if the current token is the keyword zKw. */
static int migRbTokIs(MigRbTok *pT, const char *zKw){
  return pT->e==MIG_TK_ID && (int)strlen(zKw)==pT->n
      && sqlite3_strnicmp((const char*)&pT->z[pT->iTok], zKw, pT->n)==0;
}

/* True if the current token is the punctuation c. */
static int migRbTokIsPunct(MigRbTok *pT, char c){
  return pT->e==MIG_TK_PUNCT && pT->n==1 && pT->z[pT->iTok]==(unsigned char)c;
}

/* True if the current token can be a name. */
static int migRbTokIsName(MigRbTok *pT){
  return pT->e==MIG_TK_ID || pT->e==MIG_TK_QID || pT->e==MIG_TK_STRING;
}

/* Copy of a message with every "_libmig_new_<table>" replaced by the
** table's name, so that SQLite's messages name what the user wrote.
** sqlite3_free() it; NULL (and NOMEM on r->p) when out of memory. */
static char *migRbUnTmp(MigRebuild *r, const char *zMsg){
  sqlite3_str *pStr = sqlite3_str_new(r->db);
  int nTmp = r->zTmp ? (int)strlen(r->zTmp) : 0;
  while( zMsg && *zMsg ){
    const char *zHit = nTmp ? strstr(zMsg, r->zTmp) : 0;
    if( zHit==0 ){
      sqlite3_str_appendall(pStr, zMsg);
      break;
    }
    sqlite3_str_append(pStr, zMsg, (int)(zHit - zMsg));
    sqlite3_str_appendall(pStr, r->zNewName);
    zMsg = zHit + nTmp;
  }
  return migStrFinish(r->p, pStr);
}

/* What migRbSql does with its SQL. */
#define MIG_RB_RUN      0   /* run it (all its statements) */
#define MIG_RB_COMPILE  1   /* prepare it, never run it: does it compile? */
#define MIG_RB_COUNT    2   /* the integer of its first row, into *piOut */
#define MIG_RB_GUARD    4   /* or'ed in: it holds expressions of the new
                            ** definition; refuse it (rule 12) when it would
                            ** call a function a schema could not
                            ** (migSchemaSafe, mig_util.c).  One statement. */

/*
** SQL that may legitimately fail: a statement of the procedure whose
** failure the caller explains, a dependent object compiled against the
** new definition, a diagnostic count.  Returns the SQLite result code.
** Errors of the environment (migRbEnvError) are recorded on r->p; other
** failures are not: pzErr (if not NULL) then receives the message, with
** the temporary name replaced (sqlite3_free() it), and a count is -1.
*/
static int migRbSql(MigRebuild *r, int eMode, char **pzErr, i64 *piOut,
                    const char *zFmt, ...){
  char *zSql;
  sqlite3_stmt *pStmt = 0;
  int rc;
  va_list ap;
  if( pzErr ) *pzErr = 0;
  if( piOut ) *piOut = -1;
  if( r->p->rc!=SQLITE_OK ) return r->p->rc;
  va_start(ap, zFmt);
  zSql = migVMprintf(r->p, zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return SQLITE_NOMEM;
  if( eMode & MIG_RB_GUARD ){
    char *zUnsafe = 0;
    eMode &= ~MIG_RB_GUARD;
    rc = migSchemaSafe(r->db, zSql, &zUnsafe);
    if( zUnsafe ){
      /* Refused before it ran: the reason is libmig's, not SQLite's. */
      if( pzErr ){
        *pzErr = zUnsafe;
      }else{
        sqlite3_free(zUnsafe);
      }
      sqlite3_free(zSql);
      return rc;
    }
    if( rc==SQLITE_NOMEM ){
      migErrorSet(r->p, SQLITE_NOMEM, 0);
      sqlite3_free(zSql);
      return rc;
    }
  }
  if( eMode==MIG_RB_RUN ){
    rc = sqlite3_exec(r->db, zSql, 0, 0, 0);
    if( rc==SQLITE_OK ) migTrapRefresh(r->p);   /* DDL expires it */
  }else{
    rc = sqlite3_prepare_v2(r->db, zSql, -1, &pStmt, 0);
    if( rc==SQLITE_OK && eMode==MIG_RB_COUNT ){
      if( sqlite3_step(pStmt)==SQLITE_ROW ){
        *piOut = sqlite3_column_int64(pStmt, 0);
      }
      rc = sqlite3_reset(pStmt);
      if( rc!=SQLITE_OK ) *piOut = -1;
    }
  }
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK && !migRbEnvError(r, rc) && pzErr ){
    *pzErr = migRbUnTmp(r, sqlite3_errmsg(r->db));
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The first of rowid, _rowid_ and oid that no column in pCols shadows. */
static const char *migRbRowidName(MigHash *pCols){
  static const char *azAlias[] = { "rowid", "_rowid_", "oid" };
  int i;
  for(i=0; i<3; i++){
    if( migHashFind(pCols, azAlias[i])==0 ) return azAlias[i];
  }
  return 0;
}

/*
** Double-quoted strings: when no column "x" exists SQLite takes "x" for
** the string 'x', which would turn a reference to a column the new
** definition drops into a constant without a word.  bStrict=1 switches
** that off on the connection (for DDL and DML), 0 puts its settings back.
*/
static void migRbDqs(MigRebuild *r, int bStrict){
  if( bStrict ){
    if( r->iDqsDml<0 ){
      sqlite3_db_config(r->db, SQLITE_DBCONFIG_DQS_DML, -1, &r->iDqsDml);
      sqlite3_db_config(r->db, SQLITE_DBCONFIG_DQS_DDL, -1, &r->iDqsDdl);
    }
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_DQS_DML, 0, (int*)0);
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_DQS_DDL, 0, (int*)0);
  }else if( r->iDqsDml>=0 ){
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_DQS_DML, r->iDqsDml, (int*)0);
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_DQS_DDL, r->iDqsDdl, (int*)0);
  }
  migTrapRefresh(r->p);           /* a changed setting expires it */
}

/*
** The first column of the old table that the new definition drops and
** that the stored SQL of pObj names, or NULL: with any identifier token
** (bDqOnly=0), or with a double-quoted one only (bDqOnly=1: the tokens
** that double-quoted strings could turn into a string).  Found in the
** tokens, never in SQLite's message, whose wording changes (3.46 shows
** the name as written, with a hint).  A token is a name or not wherever
** it stands, so this may name a column of another table of a trigger or
** view that is spelled alike: what it protects from is worse.
*/
static const char *migRbDroppedMention(MigRebuild *r, MigObject *pObj,
                                       int bDqOnly){
  MigRbTok t;
  for(migRbTokInit(&t, pObj->zSql); t.n>0 && r->p->rc==SQLITE_OK;
      migRbTokNext(&t)){
    const char *zOld;
    char *zName;
    if( t.e==MIG_TK_QID ){
      if( bDqOnly && t.z[t.iTok]!='"' ) continue;
    }else if( t.e!=MIG_TK_ID || bDqOnly ){
      continue;
    }
    zName = migDequote(r->p, &r->a, (const char*)&t.z[t.iTok], t.n);
    zOld = zName ? (const char*)migHashFind(&r->oldCols, zName) : 0;
    if( zOld && migHashFind(&r->newCols, zName)==0 ) return zOld;
  }
  return 0;
}

/* True if zErr, the failure of pObj with the new definition, comes from a
** column the new definition drops. */
static int migRbDroppedColumn(MigRebuild *r, MigObject *pObj,
                              const char *zErr){
  if( zErr==0 || sqlite3_strnicmp(zErr, "no such column: ", 16)!=0 ){
    return 0;
  }
  return migRbDroppedMention(r, pObj, 0)!=0;
}

/* "s" when n is not 1, for messages. */
static const char *migRbPlural(i64 n){ return n==1 ? "" : "s"; }

/*************************************************************************
** Arguments: the table and create_sql.
*/

/* The table must be an ordinary table of the schema that is not SQLite's
** or libmig's own. */
static void migRbFindTable(MigRebuild *r, const char *zTable){
  if( r->p->rc!=SQLITE_OK ) return;
  if( sqlite3_strnicmp(zTable, "sqlite_", 7)==0 ){
    migError(r->p, "cannot rebuild \"%w\": tables named sqlite_%% belong "
        "to SQLite", zTable);
    return;
  }
  if( migIsBookkeepingTable(zTable) ){
    migError(r->p, "cannot rebuild \"%w\": it is a table of libmig's own",
        zTable);
    return;
  }
  r->pSchema = migSchemaRead(r->p, r->zDb);
  if( r->p->rc!=SQLITE_OK ) return;
  r->pTab = (MigObject*)migHashFind(&r->pSchema->tables, zTable);
  if( r->pTab==0 || (r->pTab->eType!=MIG_OBJ_TABLE
                  && r->pTab->eType!=MIG_OBJ_VTAB) ){
    migError(r->p, "no such table: %s", zTable);
    r->pTab = 0;
    return;
  }
  if( r->pTab->eType==MIG_OBJ_VTAB ){
    migError(r->p, "cannot rebuild \"%w\": it is a virtual table (drop it "
        "and create it again instead)", r->pTab->zName);
    r->pTab = 0;
    return;
  }
  r->zName = r->pTab->zName;
}

/* The temp schema, when it has objects: its views and triggers may name
** the table.  If libmig cannot read it, SQLite's RENAME will still say
** which TEMP object is in the way. */
static void migRbReadTemp(MigRebuild *r){
  Mig m;
  if( r->p->rc!=SQLITE_OK ) return;
  if( !migQueryInt(r->p, 0, "SELECT count(*) FROM \"temp\".sqlite_master "
        "WHERE type IN ('view','trigger')") ){
    return;
  }
  migHandleInit(&m, r->db, 0, 0);
  r->pTemp = migSchemaRead(&m, "temp");
  if( m.rc!=SQLITE_OK ){
    migSchemaFree(r->pTemp);
    r->pTemp = 0;
  }
  migErrorDrop(r->p, &m);
}

/*
** Check that create_sql is one CREATE TABLE for the same table, and build
** the same statement for the temporary name: "CREATE TABLE" and the name
** token are replaced, the rest is kept verbatim (SQLite stores a table's
** SQL from its name token on, so nothing before it would survive anyway).
*/
static void migRbSplitCreate(MigRebuild *r){
  MigRbTok t;
  int iName = 0, nName = 0, nPart, iEnd;
  const char *zWhat = "create_sql must be a CREATE TABLE statement";

  if( r->p->rc!=SQLITE_OK ) return;
  migRbTokInit(&t, r->zCreateIn);
  if( !migRbTokIs(&t, "CREATE") ) goto bad_create;
  migRbTokNext(&t);
  if( migRbTokIs(&t, "TEMP") || migRbTokIs(&t, "TEMPORARY") ){
    migError(r->p, "create_sql must not create a TEMP table");
    return;
  }
  if( migRbTokIs(&t, "VIRTUAL") ){
    migError(r->p, "%s, not CREATE VIRTUAL TABLE (virtual tables cannot "
        "be rebuilt)", zWhat);
    return;
  }
  if( !migRbTokIs(&t, "TABLE") ) goto bad_create;
  migRbTokNext(&t);
  if( migRbTokIs(&t, "IF") ){
    migRbTokNext(&t);
    if( !migRbTokIs(&t, "NOT") ) goto bad_create;
    migRbTokNext(&t);
    if( !migRbTokIs(&t, "EXISTS") ) goto bad_create;
    migRbTokNext(&t);
  }
  /* [schema.]name: only the table's own schema is allowed. */
  for(nPart=0; ; nPart++){
    if( !migRbTokIsName(&t) ) goto bad_create;
    iName = t.iTok;
    nName = t.n;
    migRbTokNext(&t);
    if( nPart>0 || !migRbTokIsPunct(&t, '.') ) break;
    {
      char *zDb = migDequote(r->p, &r->a, (const char*)&t.z[iName], nName);
      if( zDb && sqlite3_stricmp(zDb, r->zDb)!=0 ){
        migError(r->p, "create_sql must create the table in %s, not in "
            "\"%w\"", r->zDb, zDb);
        return;
      }
    }
    migRbTokNext(&t);
  }
  r->zNewName = migDequote(r->p, &r->a, (const char*)&t.z[iName], nName);
  if( r->p->rc!=SQLITE_OK ) return;
  if( migStrICmp(r->zNewName, r->zName)!=0 ){
    migError(r->p, "create_sql creates \"%w\", not \"%w\"; to rename a "
        "table use ALTER TABLE \"%w\" RENAME TO \"%w\"",
        r->zNewName, r->zName, r->zName, r->zNewName);
    return;
  }
  if( !migRbTokIsPunct(&t, '(') ){
    migError(r->p, "create_sql must list the columns of \"%w\"; CREATE "
        "TABLE ... AS SELECT is not supported", r->zName);
    return;
  }
  /* AUTOINCREMENT is a keyword: a bare word anywhere after the name.
  ** The statement ends with its last token before a ";" (what follows
  ** is refused by migRbCreateNew). */
  iEnd = t.iTok;
  while( t.n>0 && !migRbTokIsPunct(&t, ';') ){
    if( migRbTokIs(&t, "AUTOINCREMENT") ) r->bAutoinc = 1;
    iEnd = t.iTok + t.n;
    migRbTokNext(&t);
  }
  r->zTmp = migArenaPrintf(r->p, &r->a, MIG_RB_PREFIX "%s", r->zName);
  if( r->zTmp ){
    r->zCreate = migArenaPrintf(r->p, &r->a, "CREATE TABLE \"%w\".\"%w\"%s",
        r->zDb, r->zTmp, (const char*)&t.z[iName+nName]);
  }
  /* What the copy leaves in sqlite_schema (SQLite's RENAME writes the
  ** name double-quoted), for an edit in place to write the same. */
  r->zInPlaceSql = migArenaPrintf(r->p, &r->a, "CREATE TABLE \"%w\"%.*s",
      r->zNewName, iEnd-(iName+nName), (const char*)&t.z[iName+nName]);
  return;

 bad_create:
  migError(r->p, "%s", zWhat);
}

/*************************************************************************
** Foreign keys: who points at the table.
*/

/* The tables (other than itself) whose foreign keys name the table as
** parent: the tables to check after the rebuild. */
static void migRbFindChildren(MigRebuild *r){
  MigSchema *pS = r->pSchema;
  int i, j;
  if( r->p->rc!=SQLITE_OK ) return;
  r->apChild = migMalloc(r->p, sizeof(MigObject*)*(i64)(pS->nObj+1));
  r->aChildBefore = migMalloc(r->p, sizeof(i64)*(i64)(pS->nObj+1));
  if( r->p->rc!=SQLITE_OK ) return;
  for(i=0; i<pS->nObj; i++){
    MigObject *pObj = pS->apObj[i];
    if( pObj->eType!=MIG_OBJ_TABLE || pObj==r->pTab ) continue;
    for(j=0; j<pObj->nCons; j++){
      MigCons *pC = &pObj->aCons[j];
      if( pC->eType!=MIG_CONS_FK || migStrICmp(pC->zParent, r->zName)!=0 ){
        continue;
      }
      r->aChildBefore[r->nChild] = -1;
      r->apChild[r->nChild++] = pObj;
      break;
    }
  }
}

/* What PRAGMA foreign_key_check says of one table. */
typedef struct MigRbFkScan MigRbFkScan;
struct MigRbFkScan {
  i64 nRow;             /* violations, -1 when the check itself failed */
  int iFirstFk;         /* the lowest fkid among them */
  const char *zParent;  /* its parent table (arena) */
  i64 nFirst;           /* violations of that foreign key */
};

/* Run PRAGMA foreign_key_check on table zTab, counting the violations of
** its foreign keys that point at zParent (all of them when NULL).  The
** statement form, which every SQLite has: the table-valued function takes
** its arguments only from 3.33.  Returns the SQLite result code; a
** failure that is not of the environment leaves the message in *pzErr
** (sqlite3_free() it) and nRow -1. */
static int migRbFkScan(MigRebuild *r, const char *zTab, const char *zParent,
                       MigRbFkScan *pScan, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  i64 n = 0;
  int rc;
  memset(pScan, 0, sizeof(*pScan));
  pScan->nRow = -1;
  pScan->iFirstFk = -1;
  *pzErr = 0;
  zSql = migMprintf(r->p, "PRAGMA \"%w\".foreign_key_check(\"%w\")",
      r->zDb, zTab);
  if( zSql==0 ) return r->p->rc;
  rc = sqlite3_prepare_v2(r->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zP = (const char*)sqlite3_column_text(pStmt, 2);
    int iFk = sqlite3_column_int(pStmt, 3);
    rc = SQLITE_OK;
    if( zParent && migStrICmp(zP, zParent)!=0 ) continue;
    n++;
    if( pScan->iFirstFk<0 || iFk<pScan->iFirstFk ){
      pScan->iFirstFk = iFk;
      pScan->nFirst = 0;
      pScan->zParent = migArenaStrndup(r->p, &r->a, zP ? zP : "", -1);
    }
    if( iFk==pScan->iFirstFk ) pScan->nFirst++;
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK && !migRbEnvError(r, rc) ){
    *pzErr = migRbUnTmp(r, sqlite3_errmsg(r->db));
  }
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK && r->p->rc==SQLITE_OK ) pScan->nRow = n;
  return r->p->rc!=SQLITE_OK ? r->p->rc : rc;
}

/* Violations of the foreign keys of zChild that point at the table, or
** -1 when the check itself fails (*pzErr then says why). */
static i64 migRbChildViolations(MigRebuild *r, const char *zChild, char **pzErr){
  MigRbFkScan scan;
  migRbFkScan(r, zChild, r->zName, &scan, pzErr);
  return scan.nRow;
}

/* The child columns of foreign key iFk of zTab, as ("a", "b"). */
static char *migRbFkCols(MigRebuild *r, const char *zTab, int iFk){
  sqlite3_stmt *pStmt;
  sqlite3_str *pStr;
  int n = 0;
  pStmt = migPrepare(r->p, "SELECT \"from\" FROM pragma_foreign_key_list(%Q,"
      "%Q) WHERE id=%d ORDER BY seq", zTab, r->zDb, iFk);
  pStr = sqlite3_str_new(r->db);
  sqlite3_str_appendall(pStr, "(");
  while( migStep(r->p, pStmt)==SQLITE_ROW ){
    sqlite3_str_appendf(pStr, "%s\"%w\"", n++ ? ", " : "",
        (const char*)sqlite3_column_text(pStmt, 0));
  }
  migFinalize(r->p, pStmt);
  sqlite3_str_appendall(pStr, ")");
  return migStrFinish(r->p, pStr);
}

/* PRAGMA foreign_key_check before the commit: every foreign key of the
** new definition must hold, and the tables pointing at the table must
** not have more violations than before. */
static void migRbFkCheck(MigRebuild *r){
  MigRbFkScan scan;
  char *zErr = 0;
  int rc, i;
  if( r->p->rc!=SQLITE_OK ) return;

  rc = migRbFkScan(r, r->zNewName, 0, &scan, &zErr);
  if( rc!=SQLITE_OK && r->p->rc==SQLITE_OK ){
    migError(r->p, "the foreign keys of the new definition of \"%w\" do "
        "not fit their parent tables (%s); a foreign key must name the "
        "PRIMARY KEY or UNIQUE columns of its parent", r->zNewName,
        zErr ? zErr : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  zErr = 0;
  if( scan.nRow>0 ){
    /* The first foreign key that fails, and by how many rows. */
    i64 n = scan.nFirst;
    char *zCols = migRbFkCols(r, r->zNewName, scan.iFirstFk);
    migError(r->p, "%lld row%s of \"%w\" %s no matching row in \"%w\" for "
        "the foreign key %s of the new definition",
        n, migRbPlural(n), r->zNewName, n==1 ? "has" : "have",
        scan.zParent ? scan.zParent : "", zCols ? zCols : "");
    sqlite3_free(zCols);
  }

  for(i=0; i<r->nChild && r->p->rc==SQLITE_OK; i++){
    const char *zChild = r->apChild[i]->zName;
    i64 n;
    if( r->aChildBefore[i]<0 ) continue;
    n = migRbChildViolations(r, zChild, &zErr);
    if( n<0 && zErr ){
      migError(r->p, "the new definition of \"%w\" breaks the foreign key "
          "of \"%w\" (%s); keep a PRIMARY KEY or UNIQUE constraint on the "
          "columns it references", r->zNewName, zChild, zErr);
    }else if( n>r->aChildBefore[i] ){
      n -= r->aChildBefore[i];
      migError(r->p, "%lld row%s of \"%w\" would have no matching row in "
          "\"%w\" for %s foreign key after the rebuild",
          n, migRbPlural(n), zChild, r->zNewName, n==1 ? "its" : "their");
    }
    sqlite3_free(zErr);
    zErr = 0;
  }
}

/*************************************************************************
** The new table, its columns and the mapping.
*/

/* Step 1: create the new table under the temporary name. */
static void migRbCreateNew(MigRebuild *r){
  sqlite3_stmt *pStmt = 0;
  const char *zTail = 0;
  int rc;
  if( r->p->rc!=SQLITE_OK ) return;
  if( migQueryInt(r->p, 0, "SELECT 1 FROM \"%w\".sqlite_master WHERE name=%Q "
        "COLLATE NOCASE", r->zDb, r->zTmp) ){
    migError(r->p, "a table named \"%w\" already exists; drop it first",
        r->zTmp);
    return;
  }
  rc = sqlite3_prepare_v2(r->db, r->zCreate, -1, &pStmt, &zTail);
  if( rc==SQLITE_OK ){
    /* Only white space, comments and semicolons may follow. */
    MigRbTok t;
    for(migRbTokInit(&t, zTail); t.n>0; migRbTokNext(&t)){
      if( !migRbTokIsPunct(&t, ';') ){
        migError(r->p, "create_sql must be a single CREATE TABLE statement; "
            "remove what follows it: %s", (const char*)&t.z[t.iTok]);
        break;
      }
    }
    if( r->p->rc==SQLITE_OK ){
      sqlite3_step(pStmt);
      rc = sqlite3_finalize(pStmt);
      pStmt = 0;
    }
  }
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK && r->p->rc==SQLITE_OK ){
    if( migRbEnvError(r, rc) ){
    }else{
      char *zMsg = migRbUnTmp(r, sqlite3_errmsg(r->db));
      migError(r->p, "create_sql: %s", zMsg ? zMsg : "");
      sqlite3_free(zMsg);
    }
  }
}

/* WITHOUT ROWID and STRICT of table zTab: pragma table_list where SQLite
** has it (3.37); before, no table is STRICT and a WITHOUT ROWID table is
** one whose PRIMARY KEY index does not end with the rowid. */
static void migRbTableFlags(MigRebuild *r, const char *zTab, int *pbWr,
                            int *pbStrict){
  sqlite3_stmt *pStmt;
  *pbWr = *pbStrict = 0;
  if( migHasTableList() ){
    pStmt = migPrepare(r->p, "SELECT wr, strict FROM pragma_table_list(%Q) "
        "WHERE schema=%Q", zTab, r->zDb);
  }else{
    pStmt = migPrepare(r->p, "SELECT EXISTS (SELECT 1 FROM "
        "pragma_index_list(?1,?2) WHERE origin='pk') AND NOT EXISTS (SELECT "
        "1 FROM pragma_index_list(?1,?2) l, pragma_index_xinfo(l.name,?2) x "
        "WHERE l.origin='pk' AND x.cid=-1), 0");
    if( pStmt ){
      sqlite3_bind_text(pStmt, 1, zTab, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, r->zDb, -1, SQLITE_STATIC);
    }
  }
  if( migStep(r->p, pStmt)==SQLITE_ROW ){
    *pbWr = sqlite3_column_int(pStmt, 0);
    *pbStrict = sqlite3_column_int(pStmt, 1);
  }
  migFinalize(r->p, pStmt);
}

/* The columns of both tables and the facts about rowids. */
static void migRbColumns(MigRebuild *r){
  int bOldWr = 0, bOldStrict = 0;
  sqlite3_stmt *pStmt;
  int nAlloc = 0;
  Mig *p = r->p;
  if( p->rc!=SQLITE_OK ) return;

  /* The old table: names only, generated ones included (they can be
  ** read, so a plain column of the same name copies their value). */
  pStmt = migPrepare(p, "SELECT name FROM pragma_table_xinfo(%Q,%Q)",
      r->zName, r->zDb);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    char *zCol = migArenaStrndup(p, &r->a,
        (const char*)sqlite3_column_text(pStmt, 0), -1);
    if( zCol ) migHashInsert(p, &r->oldCols, zCol, zCol);
  }
  migFinalize(p, pStmt);
  migRbTableFlags(r, r->zName, &bOldWr, &bOldStrict);
  r->bOldRowid = !bOldWr;
  if( r->bOldRowid ) r->zOldRowid = migRbRowidName(&r->oldCols);

  /* The new table. */
  nAlloc = (int)migQueryInt(p, 0, "SELECT count(*) FROM "
      "pragma_table_xinfo(%Q,%Q)", r->zTmp, r->zDb);
  r->aCol = migArenaAlloc(p, &r->a, sizeof(MigRbCol)*(i64)(nAlloc+1));
  pStmt = migPrepare(p, "SELECT name, coalesce(type,''), hidden, \"notnull\", "
      "dflt_value FROM pragma_table_xinfo(%Q,%Q)", r->zTmp, r->zDb);
  while( migStep(p, pStmt)==SQLITE_ROW && r->nCol<nAlloc ){
    MigRbCol *pCol = &r->aCol[r->nCol++];
    pCol->zName = migArenaStrndup(p, &r->a,
        (const char*)sqlite3_column_text(pStmt, 0), -1);
    pCol->zType = migArenaStrndup(p, &r->a,
        (const char*)sqlite3_column_text(pStmt, 1), -1);
    pCol->eHidden = sqlite3_column_int(pStmt, 2);
    pCol->bNotNull = sqlite3_column_int(pStmt, 3);
    if( sqlite3_column_type(pStmt, 4)!=SQLITE_NULL ){
      pCol->zDflt = migArenaStrndup(p, &r->a,
          (const char*)sqlite3_column_text(pStmt, 4), -1);
    }
    if( pCol->zName ) migHashInsert(p, &r->newCols, pCol->zName, pCol);
  }
  migFinalize(p, pStmt);
  migRbTableFlags(r, r->zTmp, &r->bNewWr, &r->bNewStrict);
  if( !r->bNewWr ){
    /* An INTEGER PRIMARY KEY is a single-column primary key that did not
    ** need an index of its own. */
    pStmt = migPrepare(p, "SELECT name FROM pragma_table_info(%Q,%Q) "
        "WHERE pk=1 AND (SELECT count(*) FROM pragma_table_info(%Q,%Q) "
        "WHERE pk>0)=1 AND NOT EXISTS (SELECT 1 FROM "
        "pragma_index_list(%Q,%Q) WHERE origin='pk')",
        r->zTmp, r->zDb, r->zTmp, r->zDb, r->zTmp, r->zDb);
    if( migStep(p, pStmt)==SQLITE_ROW ){
      r->zNewIpk = migArenaStrndup(p, &r->a,
          (const char*)sqlite3_column_text(pStmt, 0), -1);
    }
    migFinalize(p, pStmt);
  }
}

/*
** A mapping expression must be exactly one expression over the old row:
** its parentheses balanced, no ";" and no parameter, no unterminated
** comment, so that wrapped in "(...\n)" it cannot leave its place in the
** copy statement.  Then it must compile as "SELECT (<expr>) FROM <table>"
** with nothing left over, and (being also tried in a WHERE clause) must
** not be an aggregate or window function, which would fold the rows.
*/
static void migRbCheckExpr(MigRebuild *r, const char *zKey, const char *zExpr){
  const unsigned char *z = (const unsigned char*)zExpr;
  int i = 0, n, e, nDepth = 0, nSig = 0, bBad = 0;
  sqlite3_stmt *pStmt = 0;
  const char *zTail = 0;
  char *zSql;
  char *zErr = 0;               /* SQLite's message, when the prepare fails */
  int rc;

  if( r->p->rc!=SQLITE_OK ) return;
  for(;;){
    n = migGetToken(&z[i], &e);
    if( e==MIG_TK_EOF || n<=0 ) break;
    if( e==MIG_TK_SPACE ){
      if( z[i]=='/' && (n<4 || z[i+n-2]!='*' || z[i+n-1]!='/') ) bBad = 1;
    }else{
      nSig++;
      if( e==MIG_TK_ILLEGAL || e==MIG_TK_VARIABLE ) bBad = 1;
      if( e==MIG_TK_PUNCT && n==1 ){
        if( z[i]=='(' ) nDepth++;
        if( z[i]==')' && --nDepth<0 ) bBad = 1;
        if( z[i]==';' ) bBad = 1;
      }
    }
    i += n;
  }
  if( bBad || nDepth!=0 || nSig==0 ){
    migError(r->p, "mapping_json entry \"%w\" must be one SQL expression "
        "over the old row of \"%w\", not: %s", zKey, r->zName, zExpr);
    return;
  }

  zSql = sqlite3_mprintf("SELECT (%s\n) FROM \"%w\".\"%w\" WHERE (%s\n) "
      "IS NULL", zExpr, r->zDb, r->zName, zExpr);
  if( zSql==0 ){
    migErrorSet(r->p, SQLITE_NOMEM, 0);
    return;
  }
  migRbDqs(r, 1);
  rc = sqlite3_prepare_v2(r->db, zSql, -1, &pStmt, &zTail);
  /* The message is copied before migRbDqs(), whose migTrapRefresh()
  ** prepares a statement of its own (and so clears it). */
  if( rc!=SQLITE_OK ) zErr = sqlite3_mprintf("%s", sqlite3_errmsg(r->db));
  migRbDqs(r, 0);
  if( rc==SQLITE_OK ){
    MigRbTok t;
    migRbTokInit(&t, zTail);
    if( t.n>0 ){
      migError(r->p, "mapping_json entry \"%w\" must be one SQL expression "
          "over the old row of \"%w\", not: %s", zKey, r->zName, zExpr);
    }else if( sqlite3_bind_parameter_count(pStmt)>0 ){
      migError(r->p, "mapping_json entry \"%w\" must not contain "
          "parameters: %s", zKey, zExpr);
    }
  }else if( migRbEnvError(r, rc) ){
  }else if( zErr==0 ){
    migErrorSet(r->p, SQLITE_NOMEM, 0);
  }else{
    migError(r->p, "mapping_json entry \"%w\" is not a valid expression "
        "over the old row of \"%w\": %s", zKey, r->zName, zErr);
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  sqlite3_free(zErr);
}

/* Read mapping_json into the zSrc of the new columns it names. */
static void migRbMapping(MigRebuild *r, const char *zMapping){
  sqlite3_stmt *pStmt;
  Mig *p = r->p;
  if( p->rc!=SQLITE_OK || zMapping==0 ) return;
  /* json_valid first, by itself: before SQLite 3.32 a CASE evaluates a
  ** constant json_type() even when it does not take it. */
  if( migJsonValid(p, zMapping)!=1
   || !migQueryInt(p, 0, "SELECT json_type(%Q)='object'", zMapping) ){
    if( p->rc==SQLITE_OK ){
      migError(r->p, "mapping_json must be a JSON object that maps new "
          "column names to old column names or SQL expressions, like "
          "{\"phone_number\": \"phone\"}");
    }
    return;
  }
  pStmt = migPrepare(p, "SELECT key, type, CASE type WHEN 'text' THEN value "
      "WHEN 'null' THEN 'NULL' WHEN 'true' THEN '1' WHEN 'false' THEN '0' "
      "WHEN 'integer' THEN json_quote(value) WHEN 'real' THEN "
      "json_quote(value) END FROM json_each(%Q)", zMapping);
  while( migStep(p, pStmt)==SQLITE_ROW ){
    char *zKey = migArenaStrndup(p, &r->a,
        (const char*)sqlite3_column_text(pStmt, 0), -1);
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zVal = (const char*)sqlite3_column_text(pStmt, 2);
    MigRbCol *pCol;
    const char *zOld;
    if( zKey==0 ) break;
    pCol = (MigRbCol*)migHashFind(&r->newCols, zKey);
    if( pCol==0 ){
      migError(r->p, "mapping_json names \"%w\", which is not a column of "
          "the new definition of \"%w\"", zKey, r->zName);
    }else if( pCol->eHidden ){
      migError(r->p, "mapping_json maps \"%w\", a generated column of the "
          "new definition: its value is computed, remove it from the "
          "mapping", zKey);
    }else if( pCol->zMapKey ){
      migError(r->p, "mapping_json maps \"%w\" twice", pCol->zName);
    }else if( zVal==0 ){
      migError(r->p, "mapping_json entry \"%w\" must be a string (an old "
          "column name or an SQL expression), not an %s", zKey,
          zType ? zType : "object");
    }else if( (zOld = (const char*)migHashFind(&r->oldCols, zVal))!=0 ){
      pCol->zSrc = migArenaPrintf(p, &r->a, "\"%w\"", zOld);
      pCol->zMapKey = zKey;
    }else{
      migRbCheckExpr(r, zKey, zVal);
      pCol->zSrc = migArenaPrintf(p, &r->a, "(%s\n)", zVal);
      pCol->zMapKey = zKey;
    }
    if( p->rc!=SQLITE_OK ) break;
  }
  migFinalize(p, pStmt);
}

/* Step 2's column lists: what each new column gets from the old row. */
static void migRbLists(MigRebuild *r){
  sqlite3_str *pT, *pS;
  int i, n = 0;
  Mig *p = r->p;
  if( p->rc!=SQLITE_OK ) return;
  for(i=0; i<r->nCol; i++){
    MigRbCol *pCol = &r->aCol[i];
    const char *zOld;
    if( pCol->eHidden || pCol->zSrc ) continue;
    zOld = (const char*)migHashFind(&r->oldCols, pCol->zName);
    if( zOld ) pCol->zSrc = migArenaPrintf(p, &r->a, "\"%w\"", zOld);
  }
  if( r->bOldRowid && r->zOldRowid && !r->bNewWr ){
    if( r->zNewIpk ){
      /* An INTEGER PRIMARY KEY nothing fills keeps the old rowids. */
      MigRbCol *pIpk = (MigRbCol*)migHashFind(&r->newCols, r->zNewIpk);
      if( pIpk && pIpk->zSrc==0 ){
        pIpk->zSrc = migArenaStrndup(p, &r->a, r->zOldRowid, -1);
      }
    }else{
      r->zRowidTarget = migRbRowidName(&r->newCols);
    }
  }
  pT = sqlite3_str_new(r->db);
  pS = sqlite3_str_new(r->db);
  for(i=0; i<r->nCol; i++){
    MigRbCol *pCol = &r->aCol[i];
    if( pCol->eHidden || pCol->zSrc==0 ) continue;
    sqlite3_str_appendf(pT, "%s\"%w\"", n ? ", " : "", pCol->zName);
    sqlite3_str_appendf(pS, "%s%s", n ? ", " : "", pCol->zSrc);
    n++;
  }
  if( r->zRowidTarget ){
    sqlite3_str_appendf(pT, "%s%s", n ? ", " : "", r->zRowidTarget);
    sqlite3_str_appendf(pS, "%s%s", n ? ", " : "", r->zOldRowid);
    n++;
  }
  if( n==0 ){
    /* Nothing to copy but the number of rows: one column takes its
    ** default (or a fresh rowid). */
    if( !r->bNewWr && migRbRowidName(&r->newCols) ){
      sqlite3_str_appendall(pT, migRbRowidName(&r->newCols));
      sqlite3_str_appendall(pS, "NULL");
    }else{
      for(i=0; i<r->nCol && r->aCol[i].eHidden; i++){}
      if( i<r->nCol ){
        sqlite3_str_appendf(pT, "\"%w\"", r->aCol[i].zName);
        sqlite3_str_appendf(pS, "(%s)",
            r->aCol[i].zDflt ? r->aCol[i].zDflt : "NULL");
      }
    }
  }
  r->zTargets = migStrFinish(r->p, pT);
  r->zSources = migStrFinish(r->p, pS);
}

/*************************************************************************
** Why the copy failed.
*/

/* The declared type of a column, upper-cased, or "". */
static char *migRbUpper(MigRebuild *r, const char *z){
  char *zRet = migArenaStrndup(r->p, &r->a, z ? z : "", -1);
  int i;
  for(i=0; zRet && zRet[i]; i++){
    if( zRet[i]>='a' && zRet[i]<='z' ) zRet[i] -= 'a'-'A';
  }
  return zRet;
}

/* The TEMP scratch table: the new column names, types, collations,
** defaults and generated columns, no constraint.  Returns 1 if it was
** created and filled with the mapped rows.  The TEMP schema is trusted
** by SQLite, so its filling, like every diagnostic query, goes through
** the rule-12 check (MIG_RB_GUARD). */
static int migRbScratch(MigRebuild *r, MigObject *pNew){
  sqlite3_str *pStr;
  char *zSql;
  char *zErr = 0;
  int i, n = 0, rc;
  if( r->p->rc!=SQLITE_OK ) return 0;
  pStr = sqlite3_str_new(r->db);
  sqlite3_str_appendf(pStr, "CREATE TEMP TABLE \"%w\"(", MIG_RB_SCRATCH);
  for(i=0; i<r->nCol; i++){
    MigRbCol *pCol = &r->aCol[i];
    const char *zColl = 0;
    const char *zGen = 0;
    char *zUp = migRbUpper(r, pCol->zType);
    if( pCol->eHidden ){
      int j;
      for(j=0; pNew && j<pNew->nCol; j++){
        if( migStrICmp(pNew->aCol[j].zName, pCol->zName)==0 ){
          zGen = pNew->aCol[j].zGen;
        }
      }
      if( zGen==0 ) continue;
    }
    sqlite3_str_appendf(pStr, "%s\"%w\"", n++ ? ", " : "", pCol->zName);
    if( zUp && zUp[0] && !(r->bNewStrict && strcmp(zUp, "ANY")==0) ){
      /* the same affinity; a checked type name, never raw text */
      sqlite3_str_appendall(pStr, " ");
      migAppendTypeName(pStr, pCol->zType);
    }
    if( sqlite3_table_column_metadata(r->db, r->zDb, r->zTmp, pCol->zName,
          0, &zColl, 0, 0, 0)==SQLITE_OK
     && zColl && sqlite3_stricmp(zColl, "BINARY")!=0 ){
      sqlite3_str_appendf(pStr, " COLLATE \"%w\"", zColl);
    }
    if( zGen ){
      sqlite3_str_appendf(pStr, " GENERATED ALWAYS AS (%s)", zGen);
    }else if( pCol->zDflt ){
      sqlite3_str_appendf(pStr, " DEFAULT (%s)", pCol->zDflt);
    }
  }
  sqlite3_str_appendall(pStr, ")");
  zSql = migStrFinish(r->p, pStr);
  if( zSql==0 ) return 0;
  rc = migRbSql(r, MIG_RB_RUN, &zErr, 0, "DROP TABLE IF EXISTS temp.\"%w\";%s",
      MIG_RB_SCRATCH, zSql);
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ){
    rc = migRbSql(r, MIG_RB_RUN|MIG_RB_GUARD, &zErr, 0,
        "INSERT INTO \"temp\".\"%w\"(%s) "
        "SELECT %s FROM \"%w\".\"%w\"", MIG_RB_SCRATCH, r->zTargets,
        r->zSources, r->zDb, r->zName);
  }
  sqlite3_free(zErr);
  return rc==SQLITE_OK;
}

/* The error of n rows that are NULL in zCol, which becomes NOT NULL. */
static void migRbNullError(MigRebuild *r, i64 n, const char *zCol){
  migError(r->p, "%lld row%s of \"%w\" %s NULL in \"%w\", which the new "
      "definition makes NOT NULL", n, migRbPlural(n), r->zNewName,
      n==1 ? "has" : "have", zCol);
}

/* The error of n rows that fail the CHECK constraint pC. */
static void migRbCheckError(MigRebuild *r, i64 n, MigCons *pC){
  if( pC->zName ){
    migError(r->p, "%lld row%s of \"%w\" fail%s the new definition's "
        "CHECK constraint \"%w\"", n, migRbPlural(n), r->zNewName,
        n==1 ? "s" : "", pC->zName);
  }else{
    migError(r->p, "%lld row%s of \"%w\" fail%s the new definition's "
        "CHECK (%s)", n, migRbPlural(n), r->zNewName,
        n==1 ? "s" : "", pC->zExpr);
  }
}

/* NOT NULL, then the INTEGER PRIMARY KEY's type, then STRICT types.
** Returns 1 when it found offending rows (the error is set). */
static int migRbDiagColumns(MigRebuild *r){
  int i;
  for(i=0; i<r->nCol && r->p->rc==SQLITE_OK; i++){
    MigRbCol *pCol = &r->aCol[i];
    i64 n;
    if( !pCol->bNotNull ) continue;
    migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, 0, &n, "SELECT count(*) FROM temp.\"%w\" WHERE \"%w\" IS NULL",
        MIG_RB_SCRATCH, pCol->zName);
    if( n>0 ){
      migRbNullError(r, n, pCol->zName);
      return 1;
    }
  }
  if( r->zNewIpk ){
    i64 n;
    migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, 0, &n, "SELECT count(*) FROM temp.\"%w\" WHERE "
        "typeof(\"%w\") NOT IN ('integer','null')",
        MIG_RB_SCRATCH, r->zNewIpk);
    if( n>0 ){
      migError(r->p, "%lld row%s of \"%w\" %s a value in \"%w\" that is not "
          "an integer, which the new definition makes the INTEGER PRIMARY "
          "KEY", n, migRbPlural(n), r->zNewName, n==1 ? "has" : "have",
          r->zNewIpk);
      return 1;
    }
  }
  for(i=0; r->bNewStrict && i<r->nCol && r->p->rc==SQLITE_OK; i++){
    MigRbCol *pCol = &r->aCol[i];
    char *zUp = migRbUpper(r, pCol->zType);
    const char *zOk = 0;
    i64 n;
    if( zUp==0 ) break;
    if( strcmp(zUp, "INT")==0 || strcmp(zUp, "INTEGER")==0 ){
      zOk = "integer";
    }else if( strcmp(zUp, "REAL")==0 ){
      zOk = "real";
    }else if( strcmp(zUp, "TEXT")==0 ){
      zOk = "text";
    }else if( strcmp(zUp, "BLOB")==0 ){
      zOk = "blob";
    }
    if( zOk==0 ) continue;
    migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, 0, &n, "SELECT count(*) FROM temp.\"%w\" WHERE "
        "typeof(\"%w\") NOT IN ('%s','null')",
        MIG_RB_SCRATCH, pCol->zName, zOk);
    if( n>0 ){
      migError(r->p, "%lld row%s of \"%w\" %s a value in \"%w\" that is not "
          "%s, which the new definition (STRICT) requires", n,
          migRbPlural(n), r->zNewName, n==1 ? "has" : "have", pCol->zName,
          zUp);
      return 1;
    }
  }
  return 0;
}

/* The CHECK constraints of the new definition. */
static int migRbDiagChecks(MigRebuild *r, MigObject *pNew){
  int i;
  for(i=0; pNew && i<pNew->nCons && r->p->rc==SQLITE_OK; i++){
    MigCons *pC = &pNew->aCons[i];
    i64 n;
    if( pC->eType!=MIG_CONS_CHECK || pC->zExpr==0 ) continue;
    migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, 0, &n, "SELECT count(*) FROM temp.\"%w\" AS \"%w\" WHERE "
        "NOT (%s\n)", MIG_RB_SCRATCH, r->zNewName, pC->zExpr);
    if( n>0 ){
      migRbCheckError(r, n, pC);
      return 1;
    }
  }
  return 0;
}

/* The PRIMARY KEY and UNIQUE constraints of the new definition: count
** the rows that share a key with another row. */
static int migRbDiagUnique(MigRebuild *r){
  sqlite3_stmt *pIdx;
  int bFound = 0;
  if( r->zNewIpk ){
    i64 n;
    migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, 0, &n, "SELECT coalesce(sum(n),0) FROM (SELECT count(*) "
        "AS n FROM temp.\"%w\" WHERE \"%w\" IS NOT NULL GROUP BY \"%w\" "
        "HAVING count(*)>1)", MIG_RB_SCRATCH, r->zNewIpk, r->zNewIpk);
    if( n>0 ){
      migError(r->p, "%lld rows of \"%w\" have duplicate values in (\"%w\"), "
          "which the new definition makes the PRIMARY KEY",
          n, r->zNewName, r->zNewIpk);
      return 1;
    }
  }
  pIdx = migPrepare(r->p, "SELECT name, origin FROM "
      "pragma_index_list(%Q,%Q) WHERE origin IN ('pk','u') ORDER BY seq",
      r->zTmp, r->zDb);
  while( !bFound && migStep(r->p, pIdx)==SQLITE_ROW ){
    const char *zIdx = (const char*)sqlite3_column_text(pIdx, 0);
    const char *zOrigin = (const char*)sqlite3_column_text(pIdx, 1);
    int bPk = zOrigin && zOrigin[0]=='p';
    sqlite3_stmt *pCol;
    sqlite3_str *pGroup = sqlite3_str_new(r->db);
    sqlite3_str *pWhere = sqlite3_str_new(r->db);
    sqlite3_str *pShow = sqlite3_str_new(r->db);
    char *zGroup, *zWhere, *zShow;
    int n = 0;
    pCol = migPrepare(r->p, "SELECT name, coll FROM "
        "pragma_index_xinfo(%Q,%Q) WHERE key=1 ORDER BY seqno", zIdx, r->zDb);
    while( migStep(r->p, pCol)==SQLITE_ROW ){
      const char *zCol = (const char*)sqlite3_column_text(pCol, 0);
      const char *zColl = (const char*)sqlite3_column_text(pCol, 1);
      if( zCol==0 ) continue;
      sqlite3_str_appendf(pGroup, "%s\"%w\"", n ? ", " : "", zCol);
      if( zColl ) sqlite3_str_appendf(pGroup, " COLLATE \"%w\"", zColl);
      sqlite3_str_appendf(pWhere, " AND \"%w\" IS NOT NULL", zCol);
      sqlite3_str_appendf(pShow, "%s\"%w\"", n ? ", " : "", zCol);
      n++;
    }
    migFinalize(r->p, pCol);
    zGroup = migStrFinish(r->p, pGroup);
    zWhere = migStrFinish(r->p, pWhere);
    zShow = migStrFinish(r->p, pShow);
    if( zGroup && zWhere && zShow && n>0 ){
      i64 nDup;
      migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, 0, &nDup, "SELECT coalesce(sum(n),0) FROM (SELECT "
          "count(*) AS n FROM temp.\"%w\" WHERE 1%s GROUP BY %s HAVING count(*)>1)",
          MIG_RB_SCRATCH, zWhere, zGroup);
      if( nDup>0 ){
        migError(r->p, "%lld rows of \"%w\" have duplicate values in (%s), "
            "which the new definition makes %s", nDup, r->zNewName, zShow,
            bPk ? "the PRIMARY KEY" : "UNIQUE");
        bFound = 1;
      }
    }
    sqlite3_free(zGroup);
    sqlite3_free(zWhere);
    sqlite3_free(zShow);
  }
  migFinalize(r->p, pIdx);
  return bFound;
}

/* True if the copy failed (zErr) on the bug of SQLite 3.37 that refuses
** INSERT ... SELECT into a STRICT table with generated columns with
** "cannot store REAL value in REAL column", whatever the rows hold (the
** diagnosis found no row at fault).  A single-row INSERT ... VALUES
** works, but row by row the copy would lose the one statement that
** offline SQL (mig_sql) records: no workaround, a message that names the
** bug.  (3.38.2 does not have it; 3.38.0 and 3.38.1 were not tried.) */
static int migRbStrictGenBug(MigRebuild *r, const char *zErr){
  int i, v = migSqliteVersion();
  if( v<3037000 || v>=3038000 || !r->bNewStrict ) return 0;
  if( zErr==0 || sqlite3_strnicmp(zErr, "cannot store ", 13)!=0 ) return 0;
  for(i=0; i<r->nCol; i++){
    if( r->aCol[i].eHidden>=2 ) return 1;
  }
  return 0;
}

/* The copy failed with zErr: find which constraint and how many rows,
** or say what SQLite said. */
static void migRbDiagnose(MigRebuild *r, const char *zErr){
  MigObject *pNew = 0;
  Mig m;
  if( r->p->rc!=SQLITE_OK ) return;
  /* The parser is asked only here, on a private handle: if it cannot
  ** read the definition, the CHECKs and generated columns are skipped. */
  migHandleInit(&m, r->db, 0, 0);
  pNew = migParseCreate(&m, &r->a, r->zCreate);
  if( m.rc!=SQLITE_OK ) pNew = 0;
  migErrorDrop(r->p, &m);
  if( migRbScratch(r, pNew) ){
    if( migRbDiagColumns(r) ) return;
    if( migRbDiagChecks(r, pNew) ) return;
    if( migRbDiagUnique(r) ) return;
  }
  if( migRbStrictGenBug(r, zErr) ){
    char zHave[MIG_VERSION_BUF];
    migError(r->p, "cannot copy the rows of \"%w\" into the new definition: "
        "%s; the rows are not at fault: SQLite %s refuses INSERT ... SELECT "
        "into a STRICT table with generated columns, a bug of SQLite 3.37 "
        "(3.38.2 does not have it): rebuild on a newer SQLite, or without "
        "STRICT", r->zNewName, zErr, migVersionText(migSqliteVersion(), zHave));
    return;
  }
  migError(r->p, "cannot copy the rows of \"%w\" into the new definition: %s",
      r->zNewName, zErr);
}

/* Rows between two looks at the percentage of a copy. */
#define MIG_RB_PROGRESS_ROWS 1000

/* The state of the progress report of one copy. */
typedef struct MigRbProgress MigRbProgress;
struct MigRbProgress {
  const char *zTable;       /* the table, as the user named it */
  i64 nTotal;               /* its rows, counted before the copy */
  i64 nRead;                /* rows read so far */
  int iPct;                 /* the last percentage printed, -1: none yet */
};

/*
** _libmig_progress(): true.  The copy calls it for every row it reads
** when mig_config('progress') is on, and it prints the progress of the
** copy that the connection's MigGuard.pProgress names, if any, whenever
** the percentage changes.  A function of the copy rather than a progress
** handler: the connection's progress handler is the application's (or,
** on a private connection, libmig's poll of the caller), and SQLite
** offers no way to read one back and restore it.
*/
void migRbProgressFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigConfig *pConfig = (MigConfig*)sqlite3_user_data(ctx);
  MigRbProgress *pP = (MigRbProgress*)pConfig->guard.pProgress;
  (void)argc; (void)argv;
  if( pP && (++pP->nRead % MIG_RB_PROGRESS_ROWS)==0 ){
    i64 n = pP->nRead;
    int iPct;
    if( n>pP->nTotal ) n = pP->nTotal;
    iPct = pP->nTotal>0 ? (int)(n*100/pP->nTotal) : 100;
    if( iPct!=pP->iPct ){
      fprintf(stderr, "\rmig_rebuild: %s: %lld of %lld rows copied (%d%%)",
          pP->zTable, (long long)n, (long long)pP->nTotal, iPct);
      fflush(stderr);
      pP->iPct = iPct;
    }
  }
  sqlite3_result_int(ctx, 1);
}

/* Step 2: the copy, in one statement.  It runs the mappings and fills
** the new table (its DEFAULTs, generated columns, CHECKs), so it is
** refused first, whatever the SQLite version does with a new table's
** CHECK, when it would call a function that a schema could not (rule 12:
** a DIRECTONLY function of a models CHECK does not run, not even once). */
static void migRbCopy(MigRebuild *r){
  char *zErr = 0, *zCopy, *zUnsafe = 0;
  int rc;
  MigRbProgress prog;
  if( r->p->rc!=SQLITE_OK ) return;
  zCopy = migMprintf(r->p, "INSERT OR ABORT INTO \"%w\".\"%w\"(%s) "
      "SELECT %s FROM \"%w\".\"%w\"", r->zDb, r->zTmp, r->zTargets,
      r->zSources, r->zDb, r->zName);
  if( zCopy==0 ) return;
  rc = migSchemaSafe(r->db, zCopy, &zUnsafe);
  if( zUnsafe || rc==SQLITE_NOMEM ){
    if( zUnsafe ){
      migError(r->p, "cannot copy the rows of \"%w\" into the new"
          " definition: %s", r->zNewName, zUnsafe);
    }else{
      migErrorSet(r->p, SQLITE_NOMEM, 0);
    }
    sqlite3_free(zUnsafe);
    sqlite3_free(zCopy);
    return;
  }
  if( r->bProgress ){
    memset(&prog, 0, sizeof(prog));
    prog.zTable = r->zName;
    prog.iPct = -1;
    prog.nTotal = migQueryInt(r->p, 0, "SELECT count(*) FROM \"%w\".\"%w\"",
                              r->zDb, r->zName);
    r->p->pConfig->guard.pProgress = &prog;
  }
  rc = migRbSql(r, MIG_RB_RUN, &zErr, 0, "%s%s", zCopy,
      r->bProgress ? " WHERE \"_libmig_progress\"()" : "");
  sqlite3_free(zCopy);
  if( rc==SQLITE_OK ) r->nRow = migChanges(r->db);
  if( r->bProgress ){
    r->p->pConfig->guard.pProgress = 0;
    if( prog.iPct>=0 ){
      if( rc==SQLITE_OK ){
        fprintf(stderr, "\rmig_rebuild: %s: %lld of %lld rows copied (100%%)",
            r->zName, (long long)r->nRow, (long long)r->nRow);
      }
      fprintf(stderr, "\n");
      fflush(stderr);
    }
  }
  if( rc!=SQLITE_OK && r->p->rc==SQLITE_OK ){
    migRbDiagnose(r, zErr ? zErr : "");
  }
  sqlite3_free(zErr);
}

/*************************************************************************
** Dependent objects.
*/

/* Step 3 (first half): the indexes of the table, and the views and
** triggers to recreate.  A view or trigger depends on the table when it
** mentions it or a view that depends on it; a trigger also when it is on
** such a view or on the table.  TEMP views and triggers count too: RENAME
** checks them as well.  One pass builds "name -> objects that mention
** it", a breadth-first walk from the table does the rest. */
static void migRbDependents(MigRebuild *r){
  MigSchema *aS[2];
  MigHash refs, aSeenView[2], aSeenTrig[2];
  MigRbEdge *aEdge = 0;
  const char **azQueue = 0;
  int nEdge = 0, nQueue = 0, iQueue = 0, nObj = 0;
  int i, j, k;
  Mig *p = r->p;

  if( p->rc!=SQLITE_OK ) return;
  aS[0] = r->pSchema;
  aS[1] = r->pTemp;
  memset(&refs, 0, sizeof(refs));
  memset(aSeenView, 0, sizeof(aSeenView));
  memset(aSeenTrig, 0, sizeof(aSeenTrig));
  for(k=0; k<2; k++){
    for(i=0; aS[k] && i<aS[k]->nObj; i++){
      MigObject *pObj = aS[k]->apObj[i];
      if( pObj->eType==MIG_OBJ_VIEW || pObj->eType==MIG_OBJ_TRIGGER ){
        nEdge += pObj->nRef + 1;
      }
      nObj++;
    }
  }
  aEdge = migMalloc(p, sizeof(MigRbEdge)*(i64)(nEdge+1));
  azQueue = migMalloc(p, sizeof(char*)*(i64)(nObj+1));
  r->apIdx = migArenaAlloc(p, &r->a, sizeof(MigObject*)*(i64)(nObj+1));
  r->apView = migArenaAlloc(p, &r->a, sizeof(MigObject*)*(i64)(nObj+1));
  r->apTrig = migArenaAlloc(p, &r->a, sizeof(MigObject*)*(i64)(nObj+1));
  nEdge = 0;
  for(k=0; k<2; k++){
    for(i=0; p->rc==SQLITE_OK && aS[k] && i<aS[k]->nObj; i++){
      MigObject *pObj = aS[k]->apObj[i];
      if( pObj->eType!=MIG_OBJ_VIEW && pObj->eType!=MIG_OBJ_TRIGGER ){
        continue;
      }
      for(j=-1; j<pObj->nRef; j++){
        const char *zRef;
        if( j<0 ){
          if( pObj->eType!=MIG_OBJ_TRIGGER ) continue;
          zRef = pObj->zTable;
        }else{
          zRef = pObj->azRef[j];
        }
        if( zRef==0 ) continue;
        if( pObj->eType==MIG_OBJ_VIEW && migStrICmp(zRef, pObj->zName)==0 ){
          continue;
        }
        aEdge[nEdge].pObj = pObj;
        aEdge[nEdge].bTemp = k;
        aEdge[nEdge].pNext = (MigRbEdge*)migHashFind(&refs, zRef);
        migHashInsert(p, &refs, zRef, &aEdge[nEdge]);
        nEdge++;
      }
    }
  }

  if( p->rc==SQLITE_OK ) azQueue[nQueue++] = r->zName;
  while( p->rc==SQLITE_OK && iQueue<nQueue ){
    MigRbEdge *pE = (MigRbEdge*)migHashFind(&refs, azQueue[iQueue++]);
    for(; pE && p->rc==SQLITE_OK; pE=pE->pNext){
      MigObject *pObj = pE->pObj;
      if( pObj->eType==MIG_OBJ_VIEW ){
        if( migHashFind(&aSeenView[pE->bTemp], pObj->zName)==0 ){
          migHashInsert(p, &aSeenView[pE->bTemp], pObj->zName, pObj);
          if( nQueue<=nObj ) azQueue[nQueue++] = pObj->zName;
        }
      }else if( migHashFind(&aSeenTrig[pE->bTemp], pObj->zName)==0 ){
        migHashInsert(p, &aSeenTrig[pE->bTemp], pObj->zName, pObj);
      }
    }
  }

  /* In schema order, which is an order they could be created in: main
  ** first, then temp (which may read main, never the other way). */
  for(k=0; k<2; k++){
    if( k==1 ){
      r->iViewTemp = r->nView;
      r->iTrigTemp = r->nTrig;
    }
    for(i=0; p->rc==SQLITE_OK && aS[k] && i<aS[k]->nObj; i++){
      MigObject *pObj = aS[k]->apObj[i];
      switch( pObj->eType ){
        case MIG_OBJ_INDEX:
          if( k==0 && pObj->zSql && migStrICmp(pObj->zTable, r->zName)==0 ){
            r->apIdx[r->nIdx++] = pObj;
          }
          break;
        case MIG_OBJ_VIEW:
          if( migHashFind(&aSeenView[k], pObj->zName)==pObj ){
            r->apView[r->nView++] = pObj;
          }
          break;
        case MIG_OBJ_TRIGGER:
          if( migHashFind(&aSeenTrig[k], pObj->zName)==pObj ){
            r->apTrig[r->nTrig++] = pObj;
          }
          break;
      }
    }
  }
  if( aS[1]==0 ){
    r->iViewTemp = r->nView;
    r->iTrigTemp = r->nTrig;
  }
  migHashClear(&refs);
  for(k=0; k<2; k++){
    migHashClear(&aSeenView[k]);
    migHashClear(&aSeenTrig[k]);
  }
  sqlite3_free(aEdge);
  sqlite3_free((void*)azQueue);
}

/* Step 3 (second half): drop what names the table, carry the
** AUTOINCREMENT counter over to the new table, drop the old one, rename
** the new one.
**
** The counter is carried in SQL, not through a value read beforehand, so
** that the statements mig_sql records do it on whatever database runs
** them (its counter, not the scratch database's): the new table's row of
** sqlite_sequence takes the larger of its own (the copy set it to the
** largest id copied) and the old table's; DROP TABLE deletes the old
** row, RENAME renames the new one. */
static void migRbSwap(MigRebuild *r){
  char *zErr = 0;
  int i;
  Mig *p = r->p;
  if( p->rc!=SQLITE_OK ) return;
  for(i=0; i<r->nTrig; i++){
    migExec(p, "DROP TRIGGER IF EXISTS \"%w\".\"%w\"",
        i<r->iTrigTemp ? r->zDb : "temp", r->apTrig[i]->zName);
  }
  for(i=0; i<r->nView; i++){
    migExec(p, "DROP VIEW IF EXISTS \"%w\".\"%w\"",
        i<r->iViewTemp ? r->zDb : "temp", r->apView[i]->zName);
  }
  if( r->bAutoinc ){
    /* CREATE of an AUTOINCREMENT table made sqlite_sequence if need be. */
    migExec(p, "UPDATE \"%w\".sqlite_sequence SET seq=max(seq, coalesce(("
        "SELECT max(seq) FROM \"%w\".sqlite_sequence WHERE name=%Q), 0))"
        " WHERE name=%Q", r->zDb, r->zDb, r->zName, r->zTmp);
    migExec(p, "INSERT INTO \"%w\".sqlite_sequence(name, seq) SELECT %Q,"
        " seq FROM (SELECT max(seq) AS seq FROM \"%w\".sqlite_sequence"
        " WHERE name=%Q) WHERE seq IS NOT NULL AND NOT EXISTS (SELECT 1"
        " FROM \"%w\".sqlite_sequence WHERE name=%Q)", r->zDb, r->zTmp,
        r->zDb, r->zName, r->zDb, r->zTmp);
  }
  migTrapRefresh(r->p);           /* TEMP drops expire it */
  if( migRbSql(r, MIG_RB_RUN, &zErr, 0, "DROP TABLE \"%w\".\"%w\"",
        r->zDb, r->zName)!=SQLITE_OK && zErr ){
    migError(r->p, "cannot drop the old table \"%w\": %s%s", r->zName, zErr,
        (sqlite3_errcode(r->db) & 0xff)==SQLITE_LOCKED ? " (a statement "
        "of this connection is still reading: call mig_rebuild in a "
        "statement of its own)" : "");
  }
  sqlite3_free(zErr);
  zErr = 0;
  if( migRbSql(r, MIG_RB_RUN, &zErr, 0, "ALTER TABLE \"%w\".\"%w\" RENAME TO "
        "\"%w\"", r->zDb, r->zTmp, r->zNewName)!=SQLITE_OK && zErr ){
    migError(r->p, "cannot rename the new table to \"%w\": %s (SQLite "
        "checks every view and trigger of the schema when it renames a "
        "table: fix or drop the one named)", r->zNewName, zErr);
  }
  sqlite3_free(zErr);
}

/* Report an index, view or trigger that fails with the new definition
** with the message zErr. */
static void migRbDepError(MigRebuild *r, MigObject *pObj, const char *zErr){
  char *zWhat;
  if( pObj->eType==MIG_OBJ_INDEX ){
    zWhat = migMprintf(r->p, "index \"%w\" of \"%w\"", pObj->zName,
        r->zNewName);
  }else if( pObj->eType==MIG_OBJ_VIEW ){
    zWhat = migMprintf(r->p, "view \"%w\"", pObj->zName);
  }else{
    zWhat = migMprintf(r->p, "trigger \"%w\" on \"%w\"", pObj->zName,
        pObj->zTable ? pObj->zTable : "");
  }
  if( zWhat==0 ) return;
  if( migRbDroppedColumn(r, pObj, zErr) ){
    migError(r->p, "%s uses a column that the new definition drops; drop or "
        "change it first (%s)", zWhat, zErr);
  }else{
    migError(r->p, "%s does not work with the new definition of \"%w\"; drop "
        "or change it first (%s)", zWhat, r->zNewName, zErr);
  }
  sqlite3_free(zWhat);
}

/* A unique index failed to build: count the rows that share a key. */
static void migRbIndexDup(MigRebuild *r, MigObject *pIdx, const char *zErr){
  sqlite3_str *pGroup = sqlite3_str_new(r->db);
  sqlite3_str *pWhere = sqlite3_str_new(r->db);
  sqlite3_str *pShow = sqlite3_str_new(r->db);
  char *zGroup, *zWhere, *zShow;
  i64 n = -1;
  int i;
  for(i=0; i<pIdx->nPart; i++){
    MigKeyPart *pPart = &pIdx->aPart[i];
    const char *zSep = i ? ", " : "";
    if( pPart->zCol ){
      sqlite3_str_appendf(pGroup, "%s\"%w\"", zSep, pPart->zCol);
      sqlite3_str_appendf(pWhere, " AND \"%w\" IS NOT NULL", pPart->zCol);
      sqlite3_str_appendf(pShow, "%s\"%w\"", zSep, pPart->zCol);
    }else{
      sqlite3_str_appendf(pGroup, "%s(%s\n)", zSep, pPart->zExpr);
      sqlite3_str_appendf(pWhere, " AND (%s\n) IS NOT NULL", pPart->zExpr);
      sqlite3_str_appendf(pShow, "%s%s", zSep, pPart->zExpr);
    }
    if( pPart->zCollate ){
      sqlite3_str_appendf(pGroup, " COLLATE \"%w\"", pPart->zCollate);
    }
  }
  if( pIdx->zWhere ){
    sqlite3_str_appendf(pWhere, " AND (%s\n)", pIdx->zWhere);
  }
  zGroup = migStrFinish(r->p, pGroup);
  zWhere = migStrFinish(r->p, pWhere);
  zShow = migStrFinish(r->p, pShow);
  if( zGroup && zWhere && zShow && pIdx->nPart>0 ){
    migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, 0, &n, "SELECT coalesce(sum(n),0) FROM (SELECT count(*) AS n "
        "FROM \"%w\".\"%w\" WHERE 1%s GROUP BY %s HAVING count(*)>1)",
        r->zDb, r->zNewName, zWhere, zGroup);
  }
  if( n>0 ){
    migError(r->p, "%lld rows of \"%w\" have duplicate values in (%s), which "
        "unique index \"%w\" does not allow", n, r->zNewName, zShow,
        pIdx->zName);
  }else{
    migError(r->p, "unique index \"%w\" of \"%w\" cannot be rebuilt: %s",
        pIdx->zName, r->zNewName, zErr);
  }
  sqlite3_free(zGroup);
  sqlite3_free(zWhere);
  sqlite3_free(zShow);
}

/* The first column of the "UPDATE OF a, b ON" list of a trigger that the
** new definition drops (an arena string), or NULL. */
static char *migRbUpdateOfMissing(MigRebuild *r, const char *zSql){
  MigRbTok t;
  int bUpdate = 0, bList = 0;
  for(migRbTokInit(&t, zSql); t.n>0; migRbTokNext(&t)){
    if( bList ){
      if( migRbTokIs(&t, "ON") ) break;
      if( migRbTokIsName(&t) ){
        char *zCol = migDequote(r->p, &r->a, (const char*)&t.z[t.iTok], t.n);
        if( zCol && migHashFind(&r->newCols, zCol)==0
         && migHashFind(&r->oldCols, zCol)!=0 ){
          return zCol;
        }
      }
    }else if( bUpdate && migRbTokIs(&t, "OF") ){
      bList = 1;
    }else if( migRbTokIs(&t, "BEGIN") ){
      break;
    }else{
      bUpdate = migRbTokIs(&t, "UPDATE");
    }
  }
  return 0;
}

/* Compile (never run) a statement that fires trigger pTrig, so that its
** body is checked against the new definition.  A TEMP trigger may be on
** a TEMP table or view. */
static int migRbCheckTrigger(
  MigRebuild *r, MigObject *pTrig, int bTemp, char **pzErr
){
  const char *zEv = pTrig->zEvent;
  const char *zOn = pTrig->zTable;
  const char *zDb = r->zDb;
  *pzErr = 0;
  if( zEv==0 || zOn==0 ) return SQLITE_OK;
  if( bTemp && (migHashFind(&r->pTemp->tables, zOn)
             || migHashFind(&r->pTemp->views, zOn)) ){
    zDb = "temp";
  }
  if( sqlite3_stricmp(zEv, "UPDATE OF")==0
   && migStrICmp(zOn, r->zNewName)==0 ){
    /* SQLite never checks the columns of UPDATE OF: a dropped one would
    ** leave a trigger that silently never fires. */
    char *zMissing = migRbUpdateOfMissing(r, pTrig->zSql);
    if( zMissing ){
      *pzErr = sqlite3_mprintf("no such column: %s", zMissing);
      if( *pzErr==0 ) migErrorSet(r->p, SQLITE_NOMEM, 0);
      return SQLITE_ERROR;
    }
  }
  if( sqlite3_stricmp(zEv, "INSERT")==0 ){
    return migRbSql(r, MIG_RB_COMPILE, pzErr, 0,
        "INSERT INTO \"%w\".\"%w\" DEFAULT VALUES", zDb, zOn);
  }
  if( sqlite3_stricmp(zEv, "DELETE")==0 ){
    return migRbSql(r, MIG_RB_COMPILE, pzErr, 0, "DELETE FROM \"%w\".\"%w\"",
        zDb, zOn);
  }
  if( sqlite3_strnicmp(zEv, "UPDATE", 6)==0 ){
    /* SET every column, so that UPDATE OF triggers fire too. */
    sqlite3_stmt *pStmt;
    sqlite3_str *pSet = sqlite3_str_new(r->db);
    char *zSet;
    int n = 0, rc = SQLITE_OK;
    pStmt = migPrepare(r->p, "SELECT name FROM pragma_table_xinfo(%Q,%Q) "
        "WHERE hidden=0", zOn, zDb);
    while( migStep(r->p, pStmt)==SQLITE_ROW ){
      const char *zCol = (const char*)sqlite3_column_text(pStmt, 0);
      sqlite3_str_appendf(pSet, "%s\"%w\"=\"%w\"", n++ ? ", " : "",
          zCol, zCol);
    }
    migFinalize(r->p, pStmt);
    zSet = migStrFinish(r->p, pSet);
    if( zSet && n>0 ){
      rc = migRbSql(r, MIG_RB_COMPILE, pzErr, 0, "UPDATE \"%w\".\"%w\" SET %s",
          zDb, zOn, zSet);
    }
    sqlite3_free(zSet);
    return rc;
  }
  return SQLITE_OK;
}

/* Create an index, view or trigger again from its stored SQL, in its
** schema (temp for the TEMP views and triggers), named in the statement
** so that no TEMP object of the same name can capture it. */
static int migRbCreateDep(
  MigRebuild *r, MigObject *pObj, int bTemp, char **pzErr
){
  char *zSql = migQualifiedCreate(r->p, pObj, bTemp ? "temp" : r->zDb);
  int rc = zSql ? migRbSql(r, MIG_RB_RUN, pzErr, 0, "%s", zSql) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  return rc;
}

#define MIG_RB_CREATE  0     /* run the object's CREATE statement */
#define MIG_RB_VIEW    1     /* compile SELECT * FROM the view */
#define MIG_RB_TRIGGER 2     /* compile a statement that fires it */

/* Do eAct for pObj with double-quoted strings off, so that a dropped
** column cannot pass for a string.  If it fails on a missing name, the
** object may use a double-quoted string (as SQLite let it when it was
** created): it is done again with the connection's own settings only
** when none of its double-quoted tokens names a column the new
** definition drops, so that no such token can become a string. */
static int migRbDepRun(
  MigRebuild *r, int eAct, MigObject *pObj, int bTemp, char **pzErr
){
  int rc = SQLITE_OK;
  int bStrict;
  for(bStrict=1; bStrict>=0; bStrict--){
    migRbDqs(r, bStrict);
    switch( eAct ){
      case MIG_RB_CREATE:
        rc = migRbCreateDep(r, pObj, bTemp, pzErr);
        break;
      case MIG_RB_VIEW:
        rc = migRbSql(r, MIG_RB_COMPILE, pzErr, 0,
            "SELECT * FROM \"%w\".\"%w\"", bTemp ? "temp" : r->zDb,
            pObj->zName);
        break;
      default:
        rc = migRbCheckTrigger(r, pObj, bTemp, pzErr);
        break;
    }
    migRbDqs(r, 0);
    if( rc==SQLITE_OK || *pzErr==0 || bStrict==0
     || sqlite3_strnicmp(*pzErr, "no such column: ", 16)!=0
     || migRbDroppedMention(r, pObj, 1)!=0 ){
      break;
    }
    sqlite3_free(*pzErr);
    *pzErr = 0;
  }
  return rc;
}

/* Step 4: indexes, views, triggers, each checked. */
static void migRbRecreate(MigRebuild *r){
  char *zErr = 0;
  int i;
  for(i=0; i<r->nIdx && r->p->rc==SQLITE_OK; i++){
    MigObject *pIdx = r->apIdx[i];
    if( migRbDepRun(r, MIG_RB_CREATE, pIdx, 0, &zErr)!=SQLITE_OK && zErr ){
      if( sqlite3_strnicmp(zErr, "UNIQUE constraint failed", 24)==0 ){
        migRbIndexDup(r, pIdx, zErr);
      }else{
        migRbDepError(r, pIdx, zErr);
      }
    }
    sqlite3_free(zErr);
    zErr = 0;
  }
  for(i=0; i<r->nView && r->p->rc==SQLITE_OK; i++){
    MigObject *pView = r->apView[i];
    if( migRbCreateDep(r, pView, i>=r->iViewTemp, &zErr)!=SQLITE_OK && zErr ){
      migRbDepError(r, pView, zErr);
    }
    sqlite3_free(zErr);
    zErr = 0;
  }
  for(i=0; i<r->nView && r->p->rc==SQLITE_OK; i++){
    MigObject *pView = r->apView[i];
    if( migRbDepRun(r, MIG_RB_VIEW, pView, i>=r->iViewTemp, &zErr)!=SQLITE_OK
     && zErr ){
      migRbDepError(r, pView, zErr);
    }
    sqlite3_free(zErr);
    zErr = 0;
  }
  for(i=0; i<r->nTrig && r->p->rc==SQLITE_OK; i++){
    MigObject *pTrig = r->apTrig[i];
    int bTemp = i>=r->iTrigTemp;
    int rc = migRbCreateDep(r, pTrig, bTemp, &zErr);
    if( rc==SQLITE_OK ){
      rc = migRbDepRun(r, MIG_RB_TRIGGER, pTrig, bTemp, &zErr);
    }
    if( rc!=SQLITE_OK && zErr ){
      migRbDepError(r, pTrig, zErr);
    }
    sqlite3_free(zErr);
    zErr = 0;
  }
  if( r->bStat ){
    migExec(r->p, "ANALYZE \"%w\".\"%w\"", r->zDb, r->zNewName);
    migTrapRefresh(r->p);
  }
}

/*************************************************************************
** Choosing the method: SQLite's own ALTER TABLE statements, an edit of
** sqlite_schema in place, or the copy.
**
** Copying every row is the price of a change to what rows store; most
** changes do not touch them.  migRbCompare() sets the live table beside
** create_sql, both parsed, and lists what differs.  A difference outside
** the list of safe ones means a copy:
**
**   safe (no row changes): NOT NULL dropped; a CHECK or FOREIGN KEY
**   dropped; a declared type changed within its affinity, on a column
**   outside the PRIMARY KEY; a COLLATE changed on a column that no index,
**   key, CHECK, generated column, view or trigger reads; a constraint
**   renamed; the text (spaces, comments, quoting);
**
**   safe after one validation in the same transaction: NOT NULL or a
**   CHECK added (one scan counts the rows that fail them all), a FOREIGN
**   KEY added (foreign_key_check, which also fails on a parent key that
**   is not unique);
**
**   never: STRICT or WITHOUT ROWID tables, AUTOINCREMENT added or
**   removed, columns added, dropped, renamed or moved, a DEFAULT changed
**   (rows written before an ADD COLUMN read the current default), a type
**   across affinities, anything about the PRIMARY KEY or whether a column
**   aliases the rowid, PRIMARY KEY and UNIQUE constraints other than
**   exactly the same in the same order (their auto-indexes are numbered
**   in that order), anything about a generated column or a column one
**   reads, a mapping.
**
** Then the connection decides (migRbChoose): with SQLite 3.53 or later,
** a change made only of NOT NULL set or dropped and CHECKs added or
** dropped (by name) runs as SQLite's own statements (ALTER COLUMN
** SET/DROP NOT NULL, ADD/DROP CONSTRAINT), which also work in DEFENSIVE
** mode; otherwise, unless the connection is DEFENSIVE (writable_schema
** refused) or its SQLite is older than 3.34 (where PRAGMA schema_version
** does not make the connection reload its own schema), sqlite_schema is
** edited in place; otherwise, and always with mig_config('rebuild',
** 'always') or for mig_sql's offline SQL, the rows are copied.
**
** Each method checks its own result before it keeps it: SQLite's
** statements must leave a table equal to create_sql (else they are
** rolled back and the next method runs), and an edit in place must leave
** the indexes of the table (auto-indexes included) and its columns' key
** positions exactly as they were, as SQLite's pragmas report them after
** it has read the new text (else it is rolled back and the rows copied).
** The plan calls migRebuildMethod() for the same decision without
** writing anything.
*/

/* The versions that bring what a method needs. */
#define MIG_RB_NATIVE_VERSION  3053000  /* ALTER COLUMN, ADD/DROP CONSTRAINT */
#define MIG_RB_INPLACE_VERSION 3034000  /* PRAGMA schema_version reloads */

/* The savepoint of an attempt that may be rolled back for the next. */
#define MIG_RB_TRY "_libmig_rebuild_try"

/* What separates the live table from create_sql. */
typedef struct MigRbDelta MigRbDelta;
struct MigRbDelta {
  MigObject *pNew;        /* create_sql, parsed (arena), or NULL */
  const char *zWhy;       /* why the rows must be copied, or NULL */
  int bOther;             /* a difference only an edit in place makes */
  int bAddFk;             /* a FOREIGN KEY is new: foreign_key_check */
  int nAddFk;             /* the new FOREIGN KEYs (in pNew) */
  MigCons **apAddFk;
  int bNative;            /* SQLite's own statements can make it all */
  int bInPlaceOk;         /* the connection allows an edit in place */
  int nAddNN;             /* columns that become NOT NULL (in pNew) */
  MigColumn **apAddNN;
  int nDropNN;            /* columns that stop being NOT NULL (live) */
  MigColumn **apDropNN;
  int nAddCk;             /* CHECK constraints that are new (in pNew) */
  MigCons **apAddCk;
  int nDropCk;            /* CHECK constraints that go (live) */
  MigCons **apDropCk;
};

/* True if nothing but the text differs. */
static int migRbDeltaEmpty(MigRbDelta *pD){
  return pD->zWhy==0 && !pD->bOther && !pD->bAddFk && pD->nAddNN==0
      && pD->nDropNN==0 && pD->nAddCk==0 && pD->nDropCk==0;
}

/* True if the declared type zType contains zPart (ASCII, any case). */
static int migRbTypeHas(const char *zType, const char *zPart){
  int n = (int)strlen(zPart);
  for(; zType && *zType; zType++){
    if( sqlite3_strnicmp(zType, zPart, n)==0 ) return 1;
  }
  return 0;
}

/* SQLite's affinity of a declared type ("Determination Of Column
** Affinity"): 'i'nteger, 't'ext, 'b'lob, 'r'eal or 'n'umeric. */
static char migRbAffinity(const char *zType){
  if( migRbTypeHas(zType, "INT") ) return 'i';
  if( migRbTypeHas(zType, "CHAR") || migRbTypeHas(zType, "CLOB")
   || migRbTypeHas(zType, "TEXT") ) return 't';
  if( zType==0 || zType[0]==0 || migRbTypeHas(zType, "BLOB") ) return 'b';
  if( migRbTypeHas(zType, "REAL") || migRbTypeHas(zType, "FLOA")
   || migRbTypeHas(zType, "DOUB") ) return 'r';
  return 'n';
}

/* A collation name, with BINARY (the default) as NULL. */
static const char *migRbColl(const char *z){
  return (z && migStrICmp(z, "BINARY")==0) ? 0 : z;
}

/* Two possibly NULL names, equal but for ASCII case. */
static int migRbSameName(const char *a, const char *b){
  if( a==0 || b==0 ) return a==b;
  return migStrICmp(a, b)==0;
}

/* True if key part pPart reads column zCol. */
static int migRbPartReads(MigKeyPart *pPart, const char *zCol){
  return (pPart->zCol && migStrICmp(pPart->zCol, zCol)==0)
      || migExprMentions(pPart->zExprCanon, zCol);
}

/* True if a constraint (bCons), an index (bIdx) or a generated column of
** table pTab reads column zCol. */
static int migRbTableReads(MigObject *pTab, const char *zCol,
                           int bCons, int bIdx){
  int i, j;
  for(i=0; i<pTab->nCol; i++){
    if( pTab->aCol[i].eGen!=MIG_GEN_NONE
     && migExprMentions(pTab->aCol[i].zGenCanon, zCol) ) return 1;
  }
  for(i=0; bCons && i<pTab->nCons; i++){
    MigCons *pC = &pTab->aCons[i];
    if( pC->eType==MIG_CONS_CHECK ){
      if( migExprMentions(pC->zExprCanon, zCol) ) return 1;
      continue;
    }
    for(j=0; j<pC->nPart; j++){
      if( migRbPartReads(&pC->aPart[j], zCol) ) return 1;
    }
  }
  for(i=0; bIdx && i<pTab->nIndex; i++){
    MigObject *pIdx = pTab->apIndex[i];
    if( migExprMentions(pIdx->zWhereCanon, zCol) ) return 1;
    for(j=0; j<pIdx->nPart; j++){
      if( migRbPartReads(&pIdx->aPart[j], zCol) ) return 1;
    }
  }
  return 0;
}

/* True if something of schema pS other than table pTab (named zTable
** now) may read its column zCol: a foreign key that points at it, a
** view or trigger that names the table and mentions the column. */
static int migRbSchemaReads(MigSchema *pS, MigObject *pTab,
                            const char *zTable, const char *zCol){
  MigColumn *pCol = migFindColumn(pTab, zCol);
  int i, j, k;
  for(i=0; pS && i<pS->nObj; i++){
    MigObject *pObj = pS->apObj[i];
    if( pObj==pTab ) continue;
    if( pObj->eType==MIG_OBJ_TABLE ){
      for(j=0; j<pObj->nCons; j++){
        MigCons *pC = &pObj->aCons[j];
        if( pC->eType!=MIG_CONS_FK || !migRbSameName(pC->zParent, zTable) ){
          continue;
        }
        if( pC->nParentCol==0 && pCol && pCol->iPk ) return 1;
        for(k=0; k<pC->nParentCol; k++){
          if( migStrICmp(pC->azParentCol[k], zCol)==0 ) return 1;
        }
      }
    }else if( pObj->eType==MIG_OBJ_VIEW || pObj->eType==MIG_OBJ_TRIGGER ){
      int bNames = pObj->eType==MIG_OBJ_TRIGGER
                && migRbSameName(pObj->zTable, zTable);
      for(j=0; !bNames && j<pObj->nRef; j++){
        bNames = migRbSameName(pObj->azRef[j], zTable);
      }
      if( bNames && migExprMentions(pObj->zCanon, zCol) ) return 1;
    }
  }
  return 0;
}

/* The columns: pairs in the same order, each difference sorted. */
static void migRbCompareColumns(
  MigRebuild *r, MigObject *pOld, MigObject *pNew, MigRbDelta *pD
){
  int i;
  if( pOld->nCol!=pNew->nCol ){
    pD->zWhy = "columns are added or dropped";
    return;
  }
  for(i=0; i<pOld->nCol && pD->zWhy==0; i++){
    MigColumn *a = &pOld->aCol[i], *b = &pNew->aCol[i];
    int bType = migStrICmp(a->zTypeCanon ? a->zTypeCanon : "",
                           b->zTypeCanon ? b->zTypeCanon : "")!=0;
    int bColl = !migRbSameName(migRbColl(a->zCollate), migRbColl(b->zCollate));
    int bNN = (a->bNotNull!=0)!=(b->bNotNull!=0);
    int bConf = a->bNotNull && b->bNotNull
        && (a->eNotNullConf==MIG_CONF_ABORT ? 0 : a->eNotNullConf)
        != (b->eNotNullConf==MIG_CONF_ABORT ? 0 : b->eNotNullConf);
    int bDflt = migNoDefault(a)!=migNoDefault(b)
        || (!migNoDefault(a) && strcmp(a->zDefaultCanon, b->zDefaultCanon));
    int bName = strcmp(a->zName, b->zName)!=0;
    int bAny = bType || bColl || bNN || bConf || bDflt || bName;
    if( migStrICmp(a->zName, b->zName) ){
      pD->zWhy = "columns are renamed or in another order";
    }else if( a->eGen!=MIG_GEN_NONE || b->eGen!=MIG_GEN_NONE ){
      if( bAny || a->eGen!=b->eGen
       || strcmp(a->zGenCanon ? a->zGenCanon : "",
                 b->zGenCanon ? b->zGenCanon : "") ){
        pD->zWhy = "a generated column changes";
      }
    }else if( bAny && (migRbTableReads(pOld, a->zName, 0, 0)
                    || migRbTableReads(pNew, a->zName, 0, 0)) ){
      pD->zWhy = "a column that a generated column reads changes";
    }else if( a->iPk!=b->iPk || (a->iPk && bType) ){
      pD->zWhy = "the PRIMARY KEY changes";
    }else if( bDflt ){
      pD->zWhy = "a DEFAULT changes";
    }else if( bType && migRbAffinity(a->zType)!=migRbAffinity(b->zType) ){
      pD->zWhy = "a type changes its affinity";
    }else if( bColl && (migRbTableReads(pOld, a->zName, 1, 1)
                     || migRbTableReads(pNew, a->zName, 1, 0)
                     || migRbSchemaReads(r->pSchema, pOld, r->zName, a->zName)
                     || migRbSchemaReads(r->pTemp, pOld, r->zName, a->zName)) ){
      pD->zWhy = "a COLLATE changes on a column that is read by an index, "
                 "a key, a CHECK, a view or a trigger";
    }else{
      if( bType || bColl || bConf || bName ) pD->bOther = 1;
      if( bNN && b->bNotNull ) pD->apAddNN[pD->nAddNN++] = b;
      if( bNN && a->bNotNull ) pD->apDropNN[pD->nDropNN++] = a;
    }
  }
}

/* The signatures of the constraints of pTab (sqlite3_malloc, each and
** the array), NULL when out of memory or when it has none. */
static char **migRbSigs(MigRebuild *r, MigObject *pTab){
  char **az = migMalloc(r->p, sizeof(char*)*(i64)(pTab->nCons+1));
  int i;
  for(i=0; az && i<pTab->nCons && r->p->rc==SQLITE_OK; i++){
    az[i] = migConsSignature(r->p, &pTab->aCons[i]);
  }
  return az;
}

/* Free what migRbSigs returned. */
static void migRbSigsFree(char **az, int n){
  int i;
  for(i=0; az && i<n; i++) sqlite3_free(az[i]);
  sqlite3_free((void*)az);
}

/* The next PRIMARY KEY or UNIQUE constraint of pTab from i on, or nCons. */
static int migRbNextKey(MigObject *pTab, int i){
  while( i<pTab->nCons && pTab->aCons[i].eType!=MIG_CONS_PK
      && pTab->aCons[i].eType!=MIG_CONS_UNIQUE ) i++;
  return i;
}

/* The constraints: keys equal and in order, CHECKs and FOREIGN KEYs
** paired (a CHECK by its expression, a FOREIGN KEY by all of it). */
static void migRbCompareCons(
  MigRebuild *r, MigObject *pOld, MigObject *pNew, MigRbDelta *pD
){
  char **azOld = migRbSigs(r, pOld);
  char **azNew = migRbSigs(r, pNew);
  unsigned char *aUsed = migMalloc(r->p, pOld->nCons+1);
  int i, j;
  if( r->p->rc==SQLITE_OK ){
    i = migRbNextKey(pOld, 0);
    j = migRbNextKey(pNew, 0);
    while( i<pOld->nCons || j<pNew->nCons ){
      if( i>=pOld->nCons || j>=pNew->nCons || strcmp(azOld[i], azNew[j]) ){
        pD->zWhy = "a PRIMARY KEY or UNIQUE constraint changes";
        break;
      }
      i = migRbNextKey(pOld, i+1);
      j = migRbNextKey(pNew, j+1);
    }
  }
  for(j=0; r->p->rc==SQLITE_OK && pD->zWhy==0 && j<pNew->nCons; j++){
    MigCons *pC = &pNew->aCons[j];
    if( pC->eType!=MIG_CONS_CHECK && pC->eType!=MIG_CONS_FK ) continue;
    for(i=0; i<pOld->nCons; i++){
      MigCons *pO = &pOld->aCons[i];
      if( aUsed[i] || pO->eType!=pC->eType ) continue;
      if( pC->eType==MIG_CONS_FK ? strcmp(azOld[i], azNew[j])==0
                   : strcmp(pO->zExprCanon, pC->zExprCanon)==0 ){
        aUsed[i] = 1;
        if( !migRbSameName(pO->zName, pC->zName) ) pD->bOther = 1;
        break;
      }
    }
    if( i<pOld->nCons ) continue;
    if( pC->eType==MIG_CONS_FK ){
      pD->bAddFk = pD->bOther = 1;
      pD->apAddFk[pD->nAddFk++] = pC;
    }else{
      pD->apAddCk[pD->nAddCk++] = pC;
    }
  }
  for(i=0; r->p->rc==SQLITE_OK && pD->zWhy==0 && i<pOld->nCons; i++){
    MigCons *pO = &pOld->aCons[i];
    if( aUsed[i] ) continue;
    if( pO->eType==MIG_CONS_FK ) pD->bOther = 1;
    if( pO->eType==MIG_CONS_CHECK ) pD->apDropCk[pD->nDropCk++] = pO;
  }
  migRbSigsFree(azOld, pOld->nCons);
  migRbSigsFree(azNew, pNew->nCons);
  sqlite3_free(aUsed);
}

/* True if ALTER TABLE DROP CONSTRAINT can drop CHECK pC of pTab: it has
** a name no other constraint of the table has. */
static int migRbDroppable(MigObject *pTab, MigCons *pC){
  int i, n = 0;
  if( pC->zName==0 ) return 0;
  for(i=0; i<pTab->nCons; i++){
    if( migRbSameName(pTab->aCons[i].zName, pC->zName) ) n++;
  }
  return n==1;
}

/* Compare the live table pOld with pD->pNew into pD. */
static void migRbCompare(MigRebuild *r, MigObject *pOld, MigRbDelta *pD){
  MigObject *pNew = pD->pNew;
  Mig *p = r->p;
  int i;
  if( p->rc!=SQLITE_OK ) return;
  pD->apAddNN = migArenaAlloc(p, &r->a, sizeof(MigColumn*)*(i64)(pNew->nCol+1));
  pD->apDropNN = migArenaAlloc(p, &r->a, sizeof(MigColumn*)*(i64)(pOld->nCol+1));
  pD->apAddCk = migArenaAlloc(p, &r->a, sizeof(MigCons*)*(i64)(pNew->nCons+1));
  pD->apAddFk = migArenaAlloc(p, &r->a, sizeof(MigCons*)*(i64)(pNew->nCons+1));
  pD->apDropCk = migArenaAlloc(p, &r->a, sizeof(MigCons*)*(i64)(pOld->nCons+1));
  if( p->rc!=SQLITE_OK ) return;
  if( pOld->bStrict || pNew->bStrict ){
    pD->zWhy = "the table is STRICT";
  }else if( pOld->bWithoutRowid || pNew->bWithoutRowid ){
    pD->zWhy = "the table is WITHOUT ROWID";
  }else if( (pOld->bAutoinc!=0)!=(pNew->bAutoinc!=0) ){
    pD->zWhy = "AUTOINCREMENT is added or removed";
  }else if( migHasRowidAlias(pOld)!=migHasRowidAlias(pNew) ){
    pD->zWhy = "the PRIMARY KEY changes";
  }
  if( pD->zWhy==0 ) migRbCompareColumns(r, pOld, pNew, pD);
  if( pD->zWhy==0 ) migRbCompareCons(r, pOld, pNew, pD);
  if( p->rc!=SQLITE_OK ) return;
  pD->bNative = pD->zWhy==0 && !pD->bOther;
  for(i=0; pD->bNative && i<pD->nDropCk; i++){
    pD->bNative = migRbDroppable(pOld, pD->apDropCk[i]);
  }
}

/* Parse create_sql and check that it prepares under the scratch name
** (r->zCreate), then compare it with the live table.  Never writes. */
static void migRbAnalyze(MigRebuild *r, const char *zMapping, MigRbDelta *pD){
  Mig m;
  sqlite3_stmt *pStmt = 0;
  const char *zTail = 0;
  int rc;
  memset(pD, 0, sizeof(*pD));
  if( r->p->rc!=SQLITE_OK ) return;
  if( zMapping ){
    pD->zWhy = "a mapping computes columns";
    return;
  }
  if( r->zNewName && strcmp(r->zNewName, r->zName)!=0 ){
    /* The copy's RENAME writes the new spelling into every row of
    ** sqlite_schema that names the table; an edit would not. */
    pD->zWhy = "the table's name changes case";
    return;
  }
  migHandleInit(&m, r->db, 0, 0);
  pD->pNew = migParseCreate(&m, &r->a, r->zCreateIn);
  if( m.rc!=SQLITE_OK || pD->pNew->eType!=MIG_OBJ_TABLE ){
    migErrorDrop(r->p, &m);
    pD->pNew = 0;
    pD->zWhy = "create_sql is not a CREATE TABLE libmig reads";
    return;
  }
  rc = sqlite3_prepare_v2(r->db, r->zCreate, -1, &pStmt, &zTail);
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK ){
    MigRbTok t;
    for(migRbTokInit(&t, zTail); t.n>0 && migRbTokIsPunct(&t, ';');){
      migRbTokNext(&t);
    }
    if( t.n>0 ) rc = SQLITE_ERROR;
  }
  if( rc!=SQLITE_OK ){
    migRbEnvError(r, rc);
    pD->zWhy = "create_sql does not prepare";
    return;
  }
  migRbCompare(r, r->pTab, pD);
}

/* The method for pD on this connection, now. */
static int migRbChoose(MigRebuild *r, MigRbDelta *pD){
  MigConfig *pConfig = r->p->pConfig;
  int bDefensive = 0;
  int iVersion = sqlite3_libversion_number();
  if( r->p->rc!=SQLITE_OK || pD->zWhy ) return MIG_METHOD_REBUILD;
  if( pConfig && pConfig->bAlwaysRebuild ){
    pD->zWhy = "mig_config('rebuild') is 'always'";
    return MIG_METHOD_REBUILD;
  }
  if( pConfig && pConfig->bOffline ){
    pD->zWhy = "offline SQL copies";
    return MIG_METHOD_REBUILD;
  }
  sqlite3_db_config(r->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &bDefensive);
  pD->bInPlaceOk = !bDefensive && iVersion>=MIG_RB_INPLACE_VERSION;
  if( migRbDeltaEmpty(pD) && !pD->bInPlaceOk ) return MIG_METHOD_NATIVE;
  if( pD->bNative && !migRbDeltaEmpty(pD)
   && iVersion>=MIG_RB_NATIVE_VERSION ){
    return MIG_METHOD_NATIVE;
  }
  if( pD->bInPlaceOk ) return MIG_METHOD_INPLACE;
  pD->zWhy = bDefensive ? "the connection is in DEFENSIVE mode"
                        : "this SQLite is older than 3.34";
  return MIG_METHOD_REBUILD;
}

/*************************************************************************
** Without a copy: validation, SQLite's own statements, the edit.
*/

/* Count the rows of the table for which zWhere holds (-1 and the error
** set when that fails).  zWhere holds the expressions of create_sql's
** CHECKs: the query is refused if it would call a function a schema could
** not (rule 12, MIG_RB_GUARD), as the CHECK itself was when create_sql was
** prepared. */
static i64 migRbCountWhere(MigRebuild *r, const char *zWhere){
  i64 n = -1;
  char *zErr = 0;
  if( migRbSql(r, MIG_RB_COUNT|MIG_RB_GUARD, &zErr, &n, "SELECT count(*) "
        "FROM \"%w\".\"%w\" AS \"%w\" WHERE %s", r->zDb, r->zName,
        r->zNewName, zWhere)!=SQLITE_OK
   && r->p->rc==SQLITE_OK ){
    /* In the words of a copy that fails the same way. */
    migError(r->p, "cannot copy the rows of \"%w\" into the new "
        "definition: %s", r->zNewName, zErr ? zErr : "");
  }
  sqlite3_free(zErr);
  return n;
}

/* The new NOT NULL (unless bNoNN) and CHECK constraints of pD hold for
** every row, or the error names the first that fails and how many rows
** do, in the words of a failed copy.  One scan when all hold. */
static void migRbValidate(MigRebuild *r, MigRbDelta *pD, int bNoNN){
  sqlite3_str *pAll;
  char *zAll, *zOne;
  int i, n = 0;
  i64 nBad;
  if( r->p->rc!=SQLITE_OK ) return;
  pAll = sqlite3_str_new(r->db);
  for(i=0; !bNoNN && i<pD->nAddNN; i++){
    sqlite3_str_appendf(pAll, "%s\"%w\" IS NULL", n++ ? " OR " : "",
        pD->apAddNN[i]->zName);
  }
  for(i=0; i<pD->nAddCk; i++){
    sqlite3_str_appendf(pAll, "%sNOT (%s\n)", n++ ? " OR " : "",
        pD->apAddCk[i]->zExpr);
  }
  zAll = migStrFinish(r->p, pAll);
  if( zAll && n>0 && migRbCountWhere(r, zAll)>0 ){
    for(i=0; !bNoNN && i<pD->nAddNN && r->p->rc==SQLITE_OK; i++){
      zOne = migMprintf(r->p, "\"%w\" IS NULL", pD->apAddNN[i]->zName);
      nBad = zOne ? migRbCountWhere(r, zOne) : 0;
      sqlite3_free(zOne);
      if( nBad>0 ) migRbNullError(r, nBad, pD->apAddNN[i]->zName);
    }
    for(i=0; i<pD->nAddCk && r->p->rc==SQLITE_OK; i++){
      zOne = migMprintf(r->p, "NOT (%s\n)", pD->apAddCk[i]->zExpr);
      nBad = zOne ? migRbCountWhere(r, zOne) : 0;
      sqlite3_free(zOne);
      if( nBad>0 ) migRbCheckError(r, nBad, pD->apAddCk[i]);
    }
  }
  sqlite3_free(zAll);
}

/* Roll back to MIG_RB_TRY and let the next method run, unless an error
** is set (then the call fails).  Returns 0 (not done) or 1 (failed). */
static int migRbTryFailed(MigRebuild *r){
  if( r->p->rc!=SQLITE_OK ) return 1;
  migExec(r->p, "ROLLBACK TO \"" MIG_RB_TRY "\"; RELEASE \"" MIG_RB_TRY "\"");
  migTrapRefresh(r->p);           /* the schema change expired it */
  return r->p->rc!=SQLITE_OK;
}

/* The table as sqlite_schema now has it, parsed, or NULL. */
static MigObject *migRbReread(MigRebuild *r){
  Mig m;
  MigObject *pObj = 0;
  char *zSql = 0;
  sqlite3_stmt *pStmt = migPrepare(r->p, "SELECT sql FROM \"%w\".sqlite_master "
      "WHERE type='table' AND name=%Q", r->zDb, r->zName);
  if( migStep(r->p, pStmt)==SQLITE_ROW ){
    zSql = migStrndup(r->p, (const char*)sqlite3_column_text(pStmt, 0), -1);
  }
  migFinalize(r->p, pStmt);
  if( zSql ){
    migHandleInit(&m, r->db, 0, 0);
    pObj = migParseCreate(&m, &r->a, zSql);
    if( m.rc!=SQLITE_OK ) pObj = 0;
    migErrorDrop(r->p, &m);
  }
  sqlite3_free(zSql);
  return pObj;
}

/* The conflict clause of a NOT NULL, as SQL ("" for none). */
static const char *migRbConflict(int eConf){
  switch( eConf ){
    case MIG_CONF_ROLLBACK: return " ON CONFLICT ROLLBACK";
    case MIG_CONF_FAIL:     return " ON CONFLICT FAIL";
    case MIG_CONF_IGNORE:   return " ON CONFLICT IGNORE";
    case MIG_CONF_REPLACE:  return " ON CONFLICT REPLACE";
  }
  return "";
}

/*
** SQLite's own statements (3.53): DROP NOT NULL and DROP CONSTRAINT, then
** SET NOT NULL (its own scan refuses NULLs: then they are counted for the
** message), then ADD CHECK after libmig's validation (which runs the
** expression with schema rights and CHECK's rule that NULL passes; SQLite
** 3.53 refuses a row where the expression is NULL: then the next method
** runs).  The result must equal create_sql, or the next method runs.
** Returns 1 when done (or failed with the error set), 0 for the next.
*/
static int migRbNative(MigRebuild *r, MigRbDelta *pD){
  Mig *p = r->p;
  int i, rc = SQLITE_OK;
  MigRbDelta check;
  MigObject *pNow;
  if( p->rc!=SQLITE_OK || migRbDeltaEmpty(pD) ) return 1;
  migExec(p, "SAVEPOINT \"" MIG_RB_TRY "\"");
  for(i=0; i<pD->nDropNN && rc==SQLITE_OK; i++){
    rc = migRbSql(r, MIG_RB_RUN, 0, 0, "ALTER TABLE \"%w\".\"%w\" ALTER "
        "COLUMN \"%w\" DROP NOT NULL", r->zDb, r->zName,
        pD->apDropNN[i]->zName);
  }
  for(i=0; i<pD->nDropCk && rc==SQLITE_OK; i++){
    rc = migRbSql(r, MIG_RB_RUN, 0, 0, "ALTER TABLE \"%w\".\"%w\" DROP "
        "CONSTRAINT \"%w\"", r->zDb, r->zName, pD->apDropCk[i]->zName);
  }
  for(i=0; i<pD->nAddNN && rc==SQLITE_OK; i++){
    MigColumn *pCol = pD->apAddNN[i];
    rc = migRbSql(r, MIG_RB_RUN, 0, 0, "ALTER TABLE \"%w\".\"%w\" ALTER "
        "COLUMN \"%w\" SET NOT NULL%s", r->zDb, r->zName, pCol->zName,
        migRbConflict(pCol->eNotNullConf));
    if( (rc & 0xff)==SQLITE_CONSTRAINT ){
      char *zOne = migMprintf(p, "\"%w\" IS NULL", pCol->zName);
      i64 n = zOne ? migRbCountWhere(r, zOne) : 0;
      sqlite3_free(zOne);
      if( n>0 ) migRbNullError(r, n, pCol->zName);
    }
  }
  if( rc==SQLITE_OK && pD->nAddCk ) migRbValidate(r, pD, 1);
  for(i=0; i<pD->nAddCk && rc==SQLITE_OK && p->rc==SQLITE_OK; i++){
    /* "[CONSTRAINT name] CHECK (...)" as create_sql writes it, column
    ** constraint or table constraint alike. */
    MigCons *pC = pD->apAddCk[i];
    rc = migRbSql(r, MIG_RB_RUN, 0, 0, "ALTER TABLE \"%w\".\"%w\" ADD %.*s",
        r->zDb, r->zName, pC->span.n, &pD->pNew->zSql[pC->span.iStart]);
  }
  if( rc==SQLITE_OK && p->rc==SQLITE_OK ){
    /* Done as create_sql says? */
    pNow = migRbReread(r);
    memset(&check, 0, sizeof(check));
    check.pNew = pD->pNew;
    if( pNow ) migRbCompare(r, pNow, &check);
    if( pNow && p->rc==SQLITE_OK && migRbDeltaEmpty(&check) ){
      migExec(p, "RELEASE \"" MIG_RB_TRY "\"");
      return 1;
    }
  }
  return migRbTryFailed(r);
}

/*
** Do the new FOREIGN KEYs of pD hold for every row (after the edit)?
** foreign_key_check probes the parent once per row: a million rows cost
** about two seconds.  A key of one column that names its parent's
** INTEGER PRIMARY KEY, on a column that an index of the table leads, is
** checked with one probe per distinct value instead, read from that
** index: the same rowid lookup SQLite's check makes (the value given the
** parent's numeric affinity; no match unless it becomes an integer).
** Returns 1 when every new key was shown to hold; 0 when one was not
** (or a violation was found): then foreign_key_check runs, and says
** which rows fail in the words of a failed copy.
*/
static int migRbFksHold(MigRebuild *r, MigRbDelta *pD){
  int i, j;
  for(i=0; i<pD->nAddFk && r->p->rc==SQLITE_OK; i++){
    MigCons *pC = pD->apAddFk[i];
    MigObject *pPar = (MigObject*)migHashFind(&r->pSchema->tables, pC->zParent);
    const char *zCol = pC->nPart==1 ? pC->aPart[0].zCol : 0;
    const char *zKey = 0;
    int bLead = 0;
    i64 n;
    if( zCol==0 || pPar==0 || pPar->eType!=MIG_OBJ_TABLE
     || !migHasRowidAlias(pPar) ){
      return 0;
    }
    for(j=0; j<pPar->nCol; j++){
      if( pPar->aCol[j].iPk ) zKey = pPar->aCol[j].zName;
    }
    if( zKey==0 || pC->nParentCol>1
     || (pC->nParentCol==1 && migStrICmp(pC->azParentCol[0], zKey)) ){
      return 0;
    }
    for(j=0; j<r->pTab->nIndex && !bLead; j++){
      MigObject *pIdx = r->pTab->apIndex[j];
      bLead = pIdx->zWhere==0 && pIdx->nPart>0 && pIdx->aPart[0].zCol
           && migStrICmp(pIdx->aPart[0].zCol, zCol)==0;
    }
    for(j=0; j<r->pTab->nCons && !bLead; j++){
      MigCons *pK = &r->pTab->aCons[j];
      bLead = (pK->eType==MIG_CONS_PK || pK->eType==MIG_CONS_UNIQUE)
           && pK->nPart>0 && pK->aPart[0].zCol
           && migStrICmp(pK->aPart[0].zCol, zCol)==0;
    }
    if( !bLead ) return 0;
    migRbSql(r, MIG_RB_COUNT, 0, &n, "SELECT count(*) FROM (SELECT DISTINCT "
        "\"%w\" AS v FROM \"%w\".\"%w\" WHERE \"%w\" IS NOT NULL) AS x "
        "WHERE NOT EXISTS (SELECT 1 FROM \"%w\".\"%w\" AS p WHERE p.\"%w\"=x.v)",
        zCol, r->zDb, r->zName, zCol, r->zDb, pPar->zName, zKey);
    if( n!=0 ) return 0;
  }
  return r->p->rc==SQLITE_OK;
}

/* What an edit in place must not change, as SQLite reports it: the key
** positions and hidden flags of the columns, every index of the table
** (auto-indexes included) with its columns, collations and order.
** sqlite3_free() it. */
static char *migRbShape(MigRebuild *r){
  char *zShape = 0;
  sqlite3_stmt *pStmt = migPrepare(r->p,
      "SELECT (SELECT group_concat(lower(name)||':'||pk||':'||hidden, ',') "
      "FROM pragma_table_xinfo(%Q,%Q)) || '|' || coalesce((SELECT "
      "group_concat(s, ',') FROM (SELECT l.name||'/'||l.\"unique\"||'/'||"
      "l.origin||'/'||l.partial||'/'||x.seqno||'/'||x.cid||'/'||"
      "lower(coalesce(x.name,''))||'/'||x.\"desc\"||'/'||"
      "upper(coalesce(x.coll,''))||'/'||x.key AS s "
      "FROM pragma_index_list(%Q,%Q) AS l, pragma_index_xinfo(l.name,%Q) AS x "
      "ORDER BY l.name, x.seqno)), '')",
      r->zName, r->zDb, r->zName, r->zDb, r->zDb);
  if( migStep(r->p, pStmt)==SQLITE_ROW ){
    zShape = migStrndup(r->p, (const char*)sqlite3_column_text(pStmt, 0), -1);
  }
  migFinalize(r->p, pStmt);
  return zShape;
}

/*
** The edit in place: sqlite_schema gets the new text under
** writable_schema (switched with sqlite3_db_config, as it was before on
** every path), schema_version is bumped (every connection, this one
** included, reads the schema again), the shape is checked.  The new NOT
** NULL and CHECK constraints are validated before the edit, a new
** FOREIGN KEY after it (foreign_key_check reads the schema).  All inside
** the call's transaction, the edit under MIG_RB_TRY.
** Returns 1 when done (or failed with the error set), 0 for the copy.
*/
static int migRbInPlace(MigRebuild *r, MigRbDelta *pD){
  Mig *p = r->p;
  char *zBefore, *zAfter = 0;
  int bWritable = 0, bSame = 0;
  i64 iVersion;
  if( p->rc!=SQLITE_OK ) return 1;
  /* Before the edit: once the schema says NOT NULL, SQLite answers
  ** "x IS NULL" with false without looking at the rows. */
  migRbValidate(r, pD, 0);
  migExec(p, "SAVEPOINT \"" MIG_RB_TRY "\"");
  zBefore = migRbShape(r);
  iVersion = migQueryInt(p, 0, "PRAGMA \"%w\".schema_version", r->zDb);
  if( p->rc==SQLITE_OK ){
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, -1, &bWritable);
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 1, (int*)0);
    migExec(p, "UPDATE \"%w\".sqlite_master SET sql=%Q WHERE type='table' "
        "AND name=%Q", r->zDb, r->zInPlaceSql, r->zName);
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, bWritable,
                      (int*)0);
    if( p->rc==SQLITE_OK && sqlite3_changes(r->db)!=1 ){
      migError(p, "cannot edit the definition of \"%w\" in place", r->zName);
    }
  }
  migExec(p, "PRAGMA \"%w\".schema_version=%lld", r->zDb, iVersion+1);
  migTrapRefresh(p);              /* writable_schema expired it */
  if( p->rc==SQLITE_OK ){
    zAfter = migRbShape(r);
    bSame = zBefore && zAfter && strcmp(zBefore, zAfter)==0;
  }
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  if( p->rc!=SQLITE_OK || !bSame ) return migRbTryFailed(r);
  if( pD->bAddFk && !migRbFksHold(r, pD) ) migRbFkCheck(r);
  if( p->rc==SQLITE_OK ) migExec(p, "RELEASE \"" MIG_RB_TRY "\"");
  return 1;
}

/*
** How mig_rebuild(zTable, zCreate, zMapping) would change table pTab of
** schema pSchema (named zTable at that step of a script) on this
** connection now: MIG_METHOD_NATIVE, _INPLACE or _REBUILD.  Reads only.
** *pzWhy (if not NULL) gets why the rows are copied, or NULL.
*/
int migRebuildMethod(
  Mig *p,
  MigSchema *pSchema,
  MigObject *pTab,
  const char *zTable,
  const char *zCreate,
  const char *zMapping,
  const char **pzWhy
){
  MigRebuild r;
  MigRbDelta d;
  Mig m;
  int eMethod = MIG_METHOD_REBUILD;
  if( pzWhy ) *pzWhy = 0;
  if( p->rc!=SQLITE_OK ) return eMethod;
  memset(&r, 0, sizeof(r));
  memset(&d, 0, sizeof(d));
  migHandleInit(&m, p->db, 0, p->pConfig);
  m.zDb = pSchema->zDb;
  r.p = &m;
  r.db = p->db;
  r.zDb = pSchema->zDb;
  r.iDqsDml = r.iDqsDdl = -1;
  r.pSchema = pSchema;
  r.pTab = pTab;
  r.zName = zTable;
  r.zCreateIn = zCreate;
  if( pTab==0 || pTab->eType!=MIG_OBJ_TABLE ){
    d.zWhy = "it is not a table";
  }else{
    migRbSplitCreate(&r);
    if( m.rc==SQLITE_OK ){
      migRbAnalyze(&r, zMapping, &d);
      eMethod = migRbChoose(&r, &d);
    }else{
      d.zWhy = "create_sql is not a CREATE TABLE for it";
    }
  }
  if( pzWhy ) *pzWhy = m.rc==SQLITE_OK ? d.zWhy : 0;
  if( m.rc!=SQLITE_OK ) eMethod = MIG_METHOD_REBUILD;
  migErrorDrop(p, &m);
  migArenaFree(&r.a);
  return eMethod;
}

/* "native", "in place" or "rebuild". */
const char *migRebuildMethodName(int eMethod){
  switch( eMethod ){
    case MIG_METHOD_NATIVE:  return "native";
    case MIG_METHOD_INPLACE: return "in place";
  }
  return "rebuild";
}

/*************************************************************************
** The engine and the SQL function.
*/

/* What must be saved before the old table goes: whether it had
** statistics, the violations of its children. */
static void migRbSave(MigRebuild *r){
  int i;
  char *zErr = 0;
  Mig *p = r->p;
  if( p->rc!=SQLITE_OK ) return;
  if( migQueryInt(p, 0, "SELECT 1 FROM \"%w\".sqlite_master WHERE "
        "name='sqlite_stat1'", r->zDb) ){
    r->bStat = migQueryInt(p, 0, "SELECT 1 FROM \"%w\".sqlite_stat1 WHERE "
        "tbl=%Q COLLATE NOCASE", r->zDb, r->zName)!=0;
  }
  for(i=0; i<r->nChild && p->rc==SQLITE_OK; i++){
    r->aChildBefore[i] = migRbChildViolations(r, r->apChild[i]->zName, &zErr);
    sqlite3_free(zErr);
    zErr = 0;
  }
}

/* The copy, SQLite's documented 12 steps (see the top of this file). */
static void migRbCopyAll(MigRebuild *r, const char *zMapping){
  migRbCreateNew(r);
  migRbColumns(r);
  migRbMapping(r, zMapping);
  migRbLists(r);
  migRbSave(r);
  migRbCopy(r);
  migRbDependents(r);
  migRbSwap(r);
  migRbRecreate(r);
  migRbFkCheck(r);
}

/*
** Rebuild table zTable of schema p->zDb to zCreate (one CREATE TABLE for
** the same name), copying every row; zMapping is NULL or a JSON object
** mapping new columns to old column names or SQL expressions over the
** old row.  Runs inside a transaction the caller holds, with foreign key
** enforcement off, under a SAVEPOINT of its own: on error everything it
** did is rolled back.  Returns rows copied.
*/
static i64 migRebuild(
  Mig *p,
  const char *zTable,
  const char *zCreate,
  const char *zMapping
){
  MigRebuild r;
  MigTxn txn;
  MigRbDelta delta;
  int eMethod;
  if( p->rc!=SQLITE_OK ) return 0;
  memset(&r, 0, sizeof(r));
  r.p = p;
  r.bProgress = p->pConfig ? p->pConfig->bProgress : 0;
  r.db = p->db;
  r.zDb = p->zDb;
  r.zCreateIn = zCreate;
  r.iDqsDml = r.iDqsDdl = -1;

  migRbFindTable(&r, zTable);
  migRbReadTemp(&r);
  migRbSplitCreate(&r);
  migRbFindChildren(&r);
  migRbAnalyze(&r, zMapping, &delta);
  eMethod = migRbChoose(&r, &delta);

  migTxnBegin(p, &txn, MIG_RB_SAVEPOINT, 0);
  if( eMethod==MIG_METHOD_NATIVE && !migRbNative(&r, &delta) ){
    eMethod = delta.bInPlaceOk ? MIG_METHOD_INPLACE : MIG_METHOD_REBUILD;
  }
  if( eMethod==MIG_METHOD_INPLACE && !migRbInPlace(&r, &delta) ){
    eMethod = MIG_METHOD_REBUILD;
  }
  if( eMethod==MIG_METHOD_REBUILD ) migRbCopyAll(&r, zMapping);
  migTxnEnd(p, &txn);


  migRbDqs(&r, 0);
  sqlite3_free(r.zTargets);
  sqlite3_free(r.zSources);
  sqlite3_free(r.apChild);
  sqlite3_free(r.aChildBefore);
  migHashClear(&r.oldCols);
  migHashClear(&r.newCols);
  migSchemaFree(r.pSchema);
  migSchemaFree(r.pTemp);
  migArenaFree(&r.a);
  return p->rc==SQLITE_OK ? r.nRow : 0;
}

/*
** mig_rebuild(table, create_sql [, mapping_json]): rebuild table to the
** definition create_sql, copying every row.  Returns the number of rows
** copied.  In autocommit mode it runs in a transaction of its own, with
** foreign keys off as the procedure wants (see migTxnBegin).
*/
/* The arguments and the result of one mig_rebuild call. */
typedef struct MigRbCall MigRbCall;
struct MigRbCall {
  const char *zTable, *zCreate, *zMapping;
  i64 nRow;
};

/* The work of a call, for migAtomicRun(): its own transaction. */
static void migRbCallWork(Mig *p, void *pArg){
  MigRbCall *pC = (MigRbCall*)pArg;
  MigTxn txn;
  migTxnBegin(p, &txn, "libmig_rebuild_call", 1);
  pC->nRow = migRebuild(p, pC->zTable, pC->zCreate, pC->zMapping);
  migTxnEnd(p, &txn);
}

void migRebuildFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  MigRbCall c;

  memset(&c, 0, sizeof(c));
  migCallBegin(&m, ctx, "mig_rebuild");
  c.zTable = migArgText(&m, argv, 0, "table");
  c.zCreate = migArgText(&m, argv, 1, "create_sql");
  if( argc>2 ) c.zMapping = migArgOpt(&m, argv, 2);
  /* From a script, the call that runs it checked the journal already. */
  if( m.pConfig->guard.nScript==0 ) migRequireSafeJournal(&m);
  migAtomicRun(&m, migRbCallWork, &c, 0);
  if( m.rc==SQLITE_OK ) sqlite3_result_int64(ctx, c.nRow);
  migCallEnd(&m, ctx);
}
