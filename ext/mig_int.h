/*
** mig_int.h: the one internal header of libmig.
**
** libmig is an SQLite loadable extension that diffs a "models" schema
** against the live database and migrates it (README.md says what it does
** for a user).  Every C file in ext/ includes this header.  Exactly one of
** them (mig_main.c) uses SQLITE_EXTENSION_INIT1/INIT2; this header
** supplies SQLITE_EXTENSION_INIT3 for all the others.
**
** ARCHITECTURE.  Data flows one way, and each step is one file:
**
**   models     mig_models.c   DDL text -> an attached in-memory schema
**      |                      (or any attached database)
**   schema     mig_schema.c   sqlite_schema + pragmas -> MigSchema, the
**   model      mig_parse.c    parsed model of one schema (tables,
**                             columns, constraints, indexes, views...)
**      |                      (mig_json.c writes it as JSON: mig_schema)
**   diff ops   mig_diff.c     two MigSchemas -> the steps (MigPlan), in
**                             an order SQLite can run, and their SQL
**                             (mig_diff)
**   plan       mig_plan.c     the steps' pre-flight counts on the live
**                             rows (mig_plan, mig_affinity)
**      |
**   script     mig_author.c   plans (or hand-written SQL) -> a revision
**              mig_script.c   script on disk; reading the scripts back,
**                             checksums, the revision graph
**      |
**   apply      mig_apply.c    targets -> the sections to run, in one
**              mig_state.c    transaction, with the bookkeeping of
**                             "_libmig_applied" (mig_upgrade,
**                             mig_downgrade, mig_stamp, mig_current)
**      |
**   rebuild    mig_rebuild.c  mig_rebuild(), which scripts call for the
**                             changes ALTER TABLE cannot make
**
** Around them: mig_check.c replays the scripts into a scratch database
** (mig_check, mig_sql, mig_test) and mig_form.c writes the form of
** mig_sql's script for the engine that runs it; mig_vtab.c lists the
** scripts (the "migrations" table); mig_config.c holds the settings of a
** connection and registers everything (migRegister); mig_main.c is the
** entry point; mig_txn.c the transaction of a call that writes (where it
** runs, how it is rolled back whatever interrupts it) and the guards
** around it; mig_util.c the small machinery every file uses;
** mig_compat.c what the running SQLite has (one build serves SQLite
** 3.31.1 and every later version: features are detected at run time).
** No file calls up the chain: the scratch and private connections get
** libmig through migRegister(), never through the entry point or
** settings as SQL.
**
** THE RULES THAT PROTECT DATA, in brief (README.md has them whole):
** one call is one transaction that lands whole or not at all; a rebuild
** follows SQLite's documented 12 steps with foreign keys off, keeps
** rowids, AUTOINCREMENT counters, indexes, views and triggers, and fails
** (changing nothing) rather than drop a row; identifiers are always
** quoted ("%w") and every statement libmig composes names its schema
** ("%w"."%w", the handle's zDb), so that a TEMP object never captures it
** (a script's own statements run as written); a script edited
** after it was applied is reported, never trusted: upgrades, downgrades
** and checks verify the checksums of what they act on.
**
** Memory: every object of a schema model (tables, columns, constraints,
** indexes, views, triggers and every string they hold) is allocated from
** the MigArena of its MigSchema and freed all at once with it.  Nothing in
** the model is freed on its own.
**
** Errors: a Mig handle carries a sticky error code and message, as the
** sqlite3_recover object does.  Helpers that take a Mig* do nothing once
** an error is set, so callers may chain them and test p->rc once.  The
** handle knows the SQL function the user called (zFunc): messages are
** written without it, and migCallEnd() puts "zFunc: " before them, so an
** error deep in the diff says "mig_autogenerate: ..." when
** mig_autogenerate called the diff.
*/
#ifndef MIG_INT_H
#define MIG_INT_H

/* POSIX.1-2008 (gmtime_r, nanosecond file times) also under -std=c99,
** and with glibc the d_type of a directory entry (DT_REG). */
#if !defined(_POSIX_C_SOURCE) && !defined(_WIN32) && !defined(__APPLE__)
# define _POSIX_C_SOURCE 200809L
#endif
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
# define _DEFAULT_SOURCE 1
#endif

#include "sqlite3ext.h"
#ifndef MIG_MAIN_C
SQLITE_EXTENSION_INIT3
#endif

#include <string.h>
#include <stdarg.h>

#define MIG_VERSION "0.1.0"

typedef sqlite3_int64 i64;
typedef unsigned int u32;

/*
** The settings of a connection (mig_config.c).  One is allocated per
** connection and is the user data of every libmig SQL function.
*/
typedef struct MigConfig MigConfig;
typedef struct MigGuard MigGuard;

/*
** What libmig keeps about a connection while a call that migrates runs
** on it (mig_txn.c).  Part of the connection's MigConfig, never copied
** with its settings.
*/
struct MigGuard {
  int nMoving;               /* mig_upgrade/downgrade/stamp calls running */
  int nScript;               /* migMoveCore calls running the scripts */
  int bNested;               /* a call of method (B) runs (mig_txn.c) */
  sqlite3_stmt *pTrap;       /* its trap, or NULL */
  /* The deferred rollback of method (B), step 3 (mig_txn.c). */
  int bArmed;                /* a half-done call waits to be rolled back */
  int bUndoing;              /* the rollback runs now */
  sqlite3 *db;               /* the connection */
  const char *zSavepoint;    /* its savepoint (static text), or NULL: all */
  void *pProgress;           /* the copy reporting progress (mig_rebuild.c) */
};

typedef struct MigScripts MigScripts;
struct MigConfig {
  char *zScriptLocation;     /* 'script_location', default "migrations" */
  int bAlwaysRebuild;        /* 'rebuild': 0 = auto (default), 1 = always */
  int bProgress;             /* 'progress': 0/1 */
  int bUnsafeJournal;        /* 'unsafe_journal': 0/1 */
  MigGuard guard;            /* not a setting: the connection's state */
  char *zMinSqlite;          /* 'min_sqlite': the oldest SQLite scripts
                             ** must run on, default the running one */
  int bOffline;              /* not a setting: mig_sql's scratch database,
                             ** where mig_rebuild always copies */
  char *zTarget;             /* 'target': the schema libmig migrates,
                             ** default "main" (Mig.zDb of every call) */
  char *zModelsMade;         /* not a setting: the schemas mig_models made
                             ** on this connection, each between two
                             ** MIG_NAME_SEP (never copied), or NULL */
  MigScripts *pScripts;      /* not a setting: the scripts read last
                             ** (mig_script.c), never copied */
};
#define MIG_NAME_SEP '\x1f'

/* The schema libmig migrates unless mig_config('target') names another:
** every statement it runs on the live database names it (Mig.zDb). */
#define MIG_MAIN_DB "main"

/*
** The sticky error handle.  One is created per SQL function call
** (migCallBegin), and one per scratch connection.
*/
typedef struct Mig Mig;
struct Mig {
  sqlite3 *db;          /* database connection */
  int rc;               /* first error code, SQLITE_OK while none */
  char *zErr;           /* its message (sqlite3_malloc), or NULL */
  const char *zFunc;    /* the SQL function called, for messages, or NULL */
  const char *zDb;      /* the schema libmig works on: the connection's
                        ** target (MIG_MAIN_DB unless set) */
  MigConfig *pConfig;   /* the connection's settings, or NULL */
};

/*
** Arena allocator: many small allocations, freed together.
*/
typedef struct MigArena MigArena;
typedef struct MigChunk MigChunk;
struct MigArena {
  MigChunk *pChunk;     /* newest chunk, linked to the older ones */
  i64 nUsed;            /* bytes used in pChunk */
  i64 nAlloc;           /* bytes available in pChunk */
};

/*
** A hash table from a case-folded (ASCII) name to a pointer.  Names in
** SQLite compare case-insensitively for ASCII letters only, as here.
** The keys are not copied: they must outlive the table (arena strings).
*/
typedef struct MigHash MigHash;
typedef struct MigHashEntry MigHashEntry;
struct MigHashEntry {
  const char *zKey;
  void *pData;
  u32 h;
};
struct MigHash {
  int nEntry;           /* number of entries in use */
  int nSlot;            /* size of aSlot[], a power of two, or 0 */
  MigHashEntry *aSlot;  /* open addressing table (sqlite3_malloc) */
};

/* Token types returned by migGetToken() */
#define MIG_TK_EOF       0   /* end of input (length 0) */
#define MIG_TK_SPACE     1   /* white space or a comment */
#define MIG_TK_ID        2   /* a bare word: keyword or identifier */
#define MIG_TK_QID       3   /* "quoted", [bracketed] or `backticked` name */
#define MIG_TK_STRING    4   /* 'string literal' */
#define MIG_TK_NUMBER    5   /* numeric literal */
#define MIG_TK_BLOB      6   /* x'...' */
#define MIG_TK_VARIABLE  7   /* ?, ?N, :a, @a, $a */
#define MIG_TK_PUNCT     8   /* operator or punctuation: ( ) , ; . etc */
#define MIG_TK_ILLEGAL   9   /* anything else (unterminated quote...) */

/* Conflict resolution (ON CONFLICT ...) */
#define MIG_CONF_NONE     0
#define MIG_CONF_ROLLBACK 1
#define MIG_CONF_ABORT    2
#define MIG_CONF_FAIL     3
#define MIG_CONF_IGNORE   4
#define MIG_CONF_REPLACE  5

/* Generated columns */
#define MIG_GEN_NONE      0
#define MIG_GEN_VIRTUAL   1
#define MIG_GEN_STORED    2

/* Constraint types */
#define MIG_CONS_PK       1
#define MIG_CONS_UNIQUE   2
#define MIG_CONS_CHECK    3
#define MIG_CONS_FK       4

/* DEFERRABLE clause of a foreign key */
#define MIG_DEFER_NONE                0  /* no clause, or NOT DEFERRABLE */
#define MIG_DEFER_IMMEDIATE           1  /* DEFERRABLE [INITIALLY IMMEDIATE] */
#define MIG_DEFER_DEFERRED            2  /* DEFERRABLE INITIALLY DEFERRED */

/* Object types (MigObject.eType) */
#define MIG_OBJ_TABLE     1
#define MIG_OBJ_VTAB      2
#define MIG_OBJ_INDEX     3
#define MIG_OBJ_VIEW      4
#define MIG_OBJ_TRIGGER   5

/*
** A span of the original SQL text of an object: offsets into that
** object's zSql.  Used to copy a part (a column definition) verbatim.
*/
typedef struct MigSpan MigSpan;
struct MigSpan {
  int iStart;           /* byte offset of the first character */
  int n;                /* length in bytes */
};

/*
** One term of a key: a column of a PRIMARY KEY, UNIQUE constraint or
** index, or an expression of an expression index.
*/
typedef struct MigKeyPart MigKeyPart;
struct MigKeyPart {
  char *zCol;           /* column name, dequoted; NULL for an expression */
  char *zExpr;          /* expression as written; NULL for a column */
  char *zExprCanon;     /* canonical form of zExpr (migCanonicalExpr) */
  char *zCollate;       /* COLLATE name, dequoted, or NULL */
  int bDesc;            /* 1 for DESC */
};

/*
** A column of a table.
*/
typedef struct MigColumn MigColumn;
struct MigColumn {
  char *zName;          /* name, dequoted */
  char *zType;          /* declared type as written, or NULL */
  char *zTypeCanon;     /* canonical type (upper case, single spaces) */
  int bNotNull;         /* NOT NULL */
  int eNotNullConf;     /* MIG_CONF_* of the NOT NULL */
  char *zDefault;       /* DEFAULT expression as written, or NULL */
  char *zDefaultCanon;  /* canonical, outer parentheses removed */
  char *zCollate;       /* COLLATE name, dequoted, or NULL */
  int iPk;              /* 1-based position in the primary key, else 0 */
  int eGen;             /* MIG_GEN_* */
  char *zGen;           /* generated expression as written */
  char *zGenCanon;      /* its canonical form */
  MigSpan def;          /* the whole column definition in the table's SQL */
};

/*
** A table constraint, or a column constraint other than NOT NULL,
** DEFAULT, COLLATE and GENERATED (those live in MigColumn).  A column's
** PRIMARY KEY, UNIQUE, CHECK and REFERENCES become constraints here with
** bColumn set, so a column-level and a table-level spelling of the same
** constraint compare equal.
*/
typedef struct MigCons MigCons;
struct MigCons {
  int eType;            /* MIG_CONS_* */
  char *zName;          /* CONSTRAINT name, dequoted, or NULL */
  int bColumn;          /* declared as part of a column definition */
  int eConf;            /* MIG_CONF_* (PRIMARY KEY and UNIQUE) */
  int bAutoinc;         /* AUTOINCREMENT (PRIMARY KEY) */
  int nPart;            /* PK/UNIQUE key columns, or FK child columns */
  MigKeyPart *aPart;
  char *zExpr;          /* CHECK expression as written */
  char *zExprCanon;     /* its canonical form */
  char *zParent;        /* FK: parent table, dequoted */
  int nParentCol;       /* FK: number of parent columns given (may be 0) */
  char **azParentCol;   /* FK: parent columns, dequoted */
  char *zOnDelete;      /* FK: "CASCADE", "SET NULL", "SET DEFAULT",
                        **     "RESTRICT" or "NO ACTION" (the default) */
  char *zOnUpdate;      /* FK: likewise */
  char *zMatch;         /* FK: MATCH name, upper case, or NULL */
  int eDefer;           /* FK: MIG_DEFER_* */
  MigSpan span;         /* the constraint's text in the table's SQL */
};

/*
** Any schema object.  Fields that do not apply to eType are 0/NULL.
*/
typedef struct MigObject MigObject;
struct MigObject {
  int eType;            /* MIG_OBJ_* */
  char *zName;          /* name, as stored in sqlite_schema */
  char *zTable;         /* tbl_name: the table of an index or trigger */
  char *zSql;           /* the CREATE statement as stored (never NULL
                        ** for objects in the model: auto-indexes are
                        ** not objects, they are constraints) */
  int iName;            /* offset in zSql of its name (the last part of
                        ** a qualified name), as written */
  char *zCanon;         /* canonical text of the statement after the
                        ** object's name (a view's column list and
                        ** SELECT, a trigger's definition, a virtual
                        ** table's USING clause), used to compare views,
                        ** triggers and virtual tables (NULL for tables
                        ** and indexes) */

  /* MIG_OBJ_TABLE */
  int bStrict;          /* STRICT */
  int bWithoutRowid;    /* WITHOUT ROWID */
  int bRandomRowid;     /* RANDOM ROWID (libSQL's table option) */
  int bAutoinc;         /* some column is INTEGER PRIMARY KEY AUTOINCREMENT */
  int nCol;
  MigColumn *aCol;
  int nCons;
  MigCons *aCons;
  int nIndex;           /* indexes on this table (filled by migSchemaRead) */
  MigObject **apIndex;

  /* MIG_OBJ_VTAB */
  char *zModule;        /* module name, dequoted */
  char *zArgs;          /* the arguments as written (between parentheses) */

  /* MIG_OBJ_INDEX */
  int bUnique;
  int nPart;
  MigKeyPart *aPart;
  char *zWhere;         /* partial index WHERE, as written, or NULL */
  char *zWhereCanon;

  /* MIG_OBJ_VIEW and MIG_OBJ_TRIGGER */
  int nRef;             /* names (dequoted) that the body mentions: the */
  char **azRef;         /* tables and views it may read, a superset */

  /* MIG_OBJ_TRIGGER */
  char *zWhen;          /* "BEFORE", "AFTER" or "INSTEAD OF" */
  char *zEvent;         /* "INSERT", "DELETE", "UPDATE" or "UPDATE OF" */
};

/*
** A whole schema as libmig understands it.
*/
typedef struct MigSchema MigSchema;
struct MigSchema {
  char *zDb;            /* schema name ("main", "models"...) */
  MigArena arena;       /* owns every object below */
  int nObj;             /* all objects, in sqlite_schema order */
  MigObject **apObj;
  MigHash tables;       /* name -> MigObject (tables and virtual tables) */
  MigHash indexes;      /* name -> MigObject */
  MigHash views;        /* name -> MigObject */
  MigHash triggers;     /* name -> MigObject */
};

/*************************************************************************
** Interface to code in mig_util.c: the error handle, allocation, the
** arena, the hash table, SQL helpers, the transaction of a call.
*/
void migErrorSet(Mig *p, int rc, const char *zFmt, ...); /* zFmt may be 0 */
void migError(Mig *p, const char *zFmt, ...);   /* SQLITE_ERROR */
void migErrorFromDb(Mig *p);            /* take db's errcode/errmsg */
void migErrorFinish(Mig *p);            /* put "zFunc: " before the message */
void migErrorFrom(Mig *p, Mig *pFrom, const char *zWhat); /* move pFrom's */
void migErrorDrop(Mig *p, Mig *pSide);  /* ignore pSide's, but not NOMEM */
void migReset(Mig *p);                  /* clear the error, free zErr */
void migHandleInit(Mig *p, sqlite3 *db, const char *zFunc, MigConfig *pC);

void *migMalloc(Mig *p, i64 n);         /* zeroed; NULL and NOMEM on failure */
char *migMprintf(Mig *p, const char *zFmt, ...);   /* sqlite3_free() it */
char *migVMprintf(Mig *p, const char *zFmt, va_list ap);  /* likewise */
char *migStrndup(Mig *p, const char *z, int n);    /* n<0: strlen; sqlite3_free() */
char *migStrFinish(Mig *p, sqlite3_str *pStr);     /* never NULL unless NOMEM */

void *migArenaAlloc(Mig *p, MigArena *pA, i64 n);  /* zeroed, 8-aligned */
char *migArenaStrndup(Mig *p, MigArena *pA, const char *z, int n);
char *migArenaPrintf(Mig *p, MigArena *pA, const char *zFmt, ...);
void migArenaFree(MigArena *pA);

u32 migHashString(const char *z);       /* ASCII case-folded */
void *migHashFind(MigHash *pH, const char *zKey);
void migHashInsert(Mig *p, MigHash *pH, const char *zKey, void *pData);
void migHashClear(MigHash *pH);

int migStrICmp(const char *a, const char *b);      /* ASCII case-folded */
void migUtcNow(char *zIso, char *zStamp);  /* ISO-8601 (21), digits (15) */
int migLineOf(const char *z, int iLine, i64 iOff); /* z starts on iLine */

sqlite3_stmt *migPrepare(Mig *p, const char *zFmt, ...);
int migStep(Mig *p, sqlite3_stmt *pStmt);  /* SQLITE_ROW or 0 (done/error) */
void migFinalize(Mig *p, sqlite3_stmt *pStmt);
void migExec(Mig *p, const char *zFmt, ...);
i64 migQueryInt(Mig *p, i64 iDefault, const char *zFmt, ...);
void migCleanup(Mig *p, const char *zFmt, ...);  /* runs even after errors */
int migSchemaExists(Mig *p, const char *zDb); /* attached under that name? */
int migIsMain(const char *zDb);         /* "main", in any case */
void migRequireSchema(Mig *p, const char *zDb); /* error unless attached */
int migRunOne(sqlite3 *db, const char *zSql, const char **pzTail);

/* Start an SQL function call: a fresh handle for function zFunc on the
** call's connection, with its settings.  End it: report the error (if
** any) as the function's result, with "zFunc: " before it. */
void migCallBegin(Mig *p, sqlite3_context *ctx, const char *zFunc);
void migCallEnd(Mig *p, sqlite3_context *ctx);
/* Argument iArg: text, NULL an error; or (Opt) text or NULL. */
const char *migArgText(Mig *p, sqlite3_value **argv, int iArg,
                       const char *zWhat);
const char *migArgOpt(Mig *p, sqlite3_value **argv, int iArg);

/*
** Rule 12 (README.md): a query of libmig's own that holds expressions
** from a schema (CHECKs, partial-index WHEREs, DEFAULTs, generated
** columns, mappings) calls no function that SQLite would refuse inside a
** schema (SQLITE_DIRECTONLY; not SQLITE_INNOCUOUS under trusted_schema=
** OFF).  migSchemaSafe checks the single statement zSql without running
** it: SQLITE_OK, or the error of compiling it (*pzErr NULL), or
** SQLITE_ERROR with "unsafe use of f(): ..." in *pzErr (sqlite3_free).
** migPrepareSchemaSafe prepares the SQL text zSql with that check (the
** error on p).  Use them for every such query: validations, pre-flight
** counts, diagnostics.
*/
int migSchemaSafe(sqlite3 *db, const char *zSql, char **pzErr);
sqlite3_stmt *migPrepareSchemaSafe(Mig *p, const char *zSql);
/* Append declared type zType as a checked type name (words and an
** optional "(n[, m])") or, when it is anything else, as a quoted name
** with the same meaning: never as raw SQL. */
void migAppendTypeName(sqlite3_str *pStr, const char *zType);

/*************************************************************************
** Interface to code in mig_compat.c: the SQLite versions libmig runs on.
** The list of what came in which version, and what libmig does about
** each, opens mig_compat.c.  Every extension-API routine newer than the
** floor is called only where a predicate below says the running SQLite
** has it.  Those routines, by the version whose API table has them:
**   3.32 create_filename, free_filename, database_file_object; 3.34
**   txn_state; 3.37 changes64, total_changes64 (migChanges),
**   autovacuum_pages; 3.38 error_offset, vtab_rhs_value, vtab_distinct,
**   vtab_in, vtab_in_first, vtab_in_next; 3.39 serialize, deserialize
**   (never called: migAttachCopy uses the backup API), db_name
**   (migHasDbName); 3.40 value_encoding; 3.41 is_interrupted
**   (migHasIsInterrupted); 3.43 stmt_explain; 3.44 get_clientdata,
**   set_clientdata; 3.50 setlk_timeout; 3.51 set_errmsg, db_status64;
**   3.52 str_truncate, str_free, carray_bind, carray_bind_v2.
*/
#define MIG_SQLITE_FLOOR       3031001  /* the oldest SQLite libmig loads in */
#define MIG_SQLITE_FLOOR_TEXT  "3.31.1"
#define MIG_V_FKCHECK_ARGS     3033000  /* pragma_foreign_key_check(t, s) */
#define MIG_V_UPDATE_FROM      3033000  /* UPDATE ... FROM */
#define MIG_V_RETURNING        3035000  /* RETURNING, MATERIALIZED */
#define MIG_V_DROP_COLUMN      3035005  /* ALTER TABLE DROP COLUMN, fixed */
#define MIG_V_TXN_STATE        3034000  /* sqlite3_txn_state in the API */
#define MIG_V_CHANGES64        3037000  /* sqlite3_changes64 in the API */
#define MIG_V_SCHEMA_RESET     3037000  /* PRAGMA writable_schema=RESET */
#define MIG_V_TABLE_LIST       3037000  /* PRAGMA table_list */
#define MIG_V_STRICT           3037000  /* STRICT tables */
#define MIG_V_JSON             3038000  /* JSON built in; -> and ->> */
#define MIG_V_DB_NAME          3039000  /* sqlite3_db_name in the API */
#define MIG_V_JOIN39           3039000  /* RIGHT/FULL JOIN, IS DISTINCT FROM */
#define MIG_V_IS_INTERRUPTED   3041000  /* sqlite3_is_interrupted */
#define MIG_V_ALTER_CONSTRAINT 3052000  /* ALTER TABLE ... ALTER COLUMN SET/
                                        ** DROP NOT NULL, ADD/DROP CONSTRAINT */
#define MIG_VERSION_BUF        16       /* room for "3.37.2" and more */

int migSqliteVersion(void);     /* sqlite3_libversion_number(), read once */
int migHasDropColumn(void);     /* native ALTER TABLE DROP COLUMN (3.35.5) */
int migHasTableList(void);      /* PRAGMA table_list (3.37) */
int migHasStrict(void);         /* STRICT tables (3.37) */
int migHasDbName(void);         /* sqlite3_db_name() (3.39) */
int migHasIsInterrupted(void);  /* sqlite3_is_interrupted() (3.41) */
int migHasSchemaReset(void);    /* PRAGMA writable_schema=RESET (3.37) */
int migHasProgressHandler(void); /* not omitted at compile time */
int migNoTxn(Mig *p, const char *zDb);  /* 1: no transaction open, else 0 */
int migIsInterrupted(sqlite3 *db);  /* 1, 0, -1: cannot say (< 3.41) */
int migHasAlterConstraint(void);  /* ALTER COLUMN SET/DROP NOT NULL,
                                  ** ADD/DROP CONSTRAINT (3.52) */
i64 migChanges(sqlite3 *db);    /* sqlite3_changes64, or sqlite3_changes */
char *migVersionText(int iVersion, char *zBuf);  /* "3.37.2"; returns zBuf */
int migVersionParse(const char *z);  /* "3.37.2" -> 3037002, else -1 */
int migFloorCheck(char **pzErrMsg);  /* SQLITE_ERROR below the floor */
int migMinSqlite(MigConfig *pConfig);  /* min_sqlite as a number */
void migMinSqliteCheck(Mig *p, const char *zVal);  /* a valid min_sqlite? */
/* Attach a copy of the main database of pSrc (p->db itself allowed) to
** p->db as zAs (replacing one of that name); 1 when zAs is attached. */
int migAttachCopy(Mig *p, sqlite3 *pSrc, const char *zAs);
int migJsonValid(Mig *p, const char *zJson);  /* 1, 0, or -1 on error */
/* What SQL needs: the newest feature of a statement (mig_compat.c has
** the list), and the first statement of a text that needs more than a
** version; migSectionCheck fails before a move when a section of a
** revision needs more than the running SQLite. */
typedef struct MigNeed MigNeed;
struct MigNeed {
  int iVersion;         /* the SQLite version it needs, 0: none */
  const char *zWhat;    /* the feature */
  const char *zInstead; /* what does it on older SQLite, or NULL */
};
typedef struct MigNeedHit MigNeedHit;
struct MigNeedHit {
  MigNeed need;
  const char *zStmt;    /* the statement (in the text searched) */
  int nStmt;            /* its length */
};
int migSqlNeedsAbove(Mig *p, const char *zSql, int iVersion,
                     MigNeedHit *pHit);
void migOfflineCheck(Mig *p, const char *zOut);  /* mig_sql's output */
/* " (<the SQLite bug that explains it>)" for a statement that failed
** with rc on db, or "" (mig_compat.c lists the bugs). */
const char *migSqliteBugHint(sqlite3 *db, int rc);
struct MigRev;                 /* (mig_script.c) */
void migSectionCheck(Mig *p, struct MigRev *pRev, const char *zSection,
                     const char *zSql);
char *migPrepareMessage(sqlite3 *db);  /* errmsg, JSON named if missing */

/*************************************************************************
** Interface to code in mig_parse.c: the tokenizer and the parser of the
** CREATE statements that SQLite stores in sqlite_schema.
*/
int migGetToken(const unsigned char *z, int *peType);  /* returns length */
char *migDequote(Mig *p, MigArena *pA, const char *z, int n);
char *migCanonical(Mig *p, MigArena *pA, const char *z, int n);
char *migCanonicalExpr(Mig *p, MigArena *pA, const char *z, int n);
const char *migStatementExtent(const char *z, int *pn);  /* for messages */

/* Parse one CREATE statement into a new object allocated from pA.  On a
** syntax libmig does not understand, sets an error naming the object. */
MigObject *migParseCreate(Mig *p, MigArena *pA, const char *zSql);

/* The CREATE TABLE statement of pTab with its columns in the order
** aOrder[0..nCol-1] (indexes into aCol), each with its comments, the
** table constraints and the rest in place; NULL when it cannot be done
** safely (sqlite3_free it).  For rule 11 (mig_diff.c). */
char *migCreateReorder(Mig *p, MigObject *pTab, const int *aOrder);

/* The CREATE statement of pObj for schema zDb: "CREATE [UNIQUE] <kind>
** "zDb"."name"" and the rest of pObj->zSql after its name (sqlite3_free
** it), so that running it never depends on name lookup. */
char *migQualifiedCreate(Mig *p, MigObject *pObj, const char *zDb);

/*************************************************************************
** Interface to code in mig_schema.c: reading a whole schema (sqlite_schema
** plus the pragmas) into a MigSchema.
*/
/* The model of schema zDb without sqlite_%, _libmig_%, alembic_version
** and shadow tables (or NULL with the error set).  Indexes and triggers
** are attached to their tables (triggers also to views); index terms are
** what SQLite makes of them ("(a)" is the column a).  Schemas of up to
** 100 tables are verified against SQLite's pragmas as they are read. */
MigSchema *migSchemaRead(Mig *p, const char *zDb);

/* Objects the migrations ignore (options_json "exclude"): glob patterns,
** ASCII case-folded as SQLite folds names.  A table, view, index or
** trigger whose name matches is left out of the model, and so is an
** index or trigger on a table or view that is left out. */
typedef struct MigFilter MigFilter;
struct MigFilter {
  int nPat;
  char **azPat;         /* lower-case patterns (the caller owns them) */
};
int migFilterMatch(Mig *p, const MigFilter *pF, const char *zName);
/* migSchemaRead() without the objects that pFilter (may be NULL) excludes. */
MigSchema *migSchemaReadFiltered(Mig *p, const char *zDb,
                                 const MigFilter *pFilter);
void migSchemaFree(MigSchema *pSchema);            /* NULL is a no-op */
int migIsBookkeepingTable(const char *zName);      /* libmig's own tables */
int migShadowCount(Mig *p, const char *zDb);  /* shadow tables of zDb */
MigColumn *migFindColumn(MigObject *pTab, const char *zName);  /* or NULL */

/*************************************************************************
** Interface to code in mig_json.c: a schema model as JSON, mig_schema().
*/
void migJsonString(sqlite3_str *pOut, const char *z);  /* or null */
const char *migConfName(int eConf);  /* "ROLLBACK"... for MIG_CONF_*, or NULL */
char *migSchemaJson(Mig *p, MigSchema *pSchema);   /* sqlite3_free() it */
void migSchemaFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_models.c: mig_models(), a models schema from
** DDL text.
*/
void migModelsFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_diff.c: the structural diff of two schemas as
** a list of steps (the plan), the upgrade SQL written from it, and
** mig_diff().
*/
typedef struct MigDiffOpts MigDiffOpts;
struct MigDiffOpts {
  const char *zOptionsJson;  /* options_json argument, or NULL */
  int bAlwaysRebuild;        /* mig_config('rebuild') is 'always' */
  int bRefuseEmpty;          /* refuse a zTo without tables unless the
                             ** options say "allow_empty": true */
  int bHints;                /* read "-- @renamed from=" hints in zTo */
  int bAssumeRows;           /* the rows are not in zFrom (a downgrade
                             ** diff): assume every table has some */
};

/* What a step does (MigStep.eOp): the "op" column of mig_plan. */
#define MIG_STEP_CREATE_TABLE     1
#define MIG_STEP_DROP_TABLE       2
#define MIG_STEP_RENAME_TABLE     3
#define MIG_STEP_ADD_COLUMN       4
#define MIG_STEP_DROP_COLUMN      5
#define MIG_STEP_RENAME_COLUMN    6
#define MIG_STEP_ALTER_TABLE      7   /* mig_rebuild() */
#define MIG_STEP_CREATE_INDEX     8
#define MIG_STEP_DROP_INDEX       9
#define MIG_STEP_CREATE_VIEW     10
#define MIG_STEP_DROP_VIEW       11
#define MIG_STEP_CREATE_TRIGGER  12
#define MIG_STEP_DROP_TRIGGER    13
#define MIG_STEP_CREATE_VTAB     14
#define MIG_STEP_DROP_VTAB       15

/*
** A table of either schema of a diff, paired with its namesake (or its
** rename) in the other.  The plan (mig_plan.c) reads the fields up to
** aNewCons; the rest belongs to mig_diff.c.
*/
typedef struct MigDiffTab MigDiffTab;
struct MigDiffTab {
  MigObject *pFrom;       /* in zFrom, or NULL for a new table */
  MigObject *pTo;         /* in zTo, or NULL for a removed table */
  const char *zCur;       /* its name in zFrom once the renames ran */
  MigHash colRen;         /* zFrom column name -> zTo column name */
  MigHash colRenTo;       /* zTo column name -> zFrom column name */
  int nColRen;            /* entries in colRen */
  MigHash map;            /* zTo column name -> mapping expression (the
                          ** options' "mappings"), as the rebuild gets it */
  int nMap;               /* entries in map */
  unsigned char *aNewCons;  /* per pTo constraint: 1 when pFrom has no
                          ** equal one; NULL when none is new */
  int eAct;               /* MIG_ACT_* of mig_diff.c */
  int eMark;              /* topological sort: 0, 1 in progress, 2 done */
  int bRenamed;           /* renamed by the options or a hint */
  int nAdd;               /* added columns, indexes into pTo->aCol */
  int *aAdd;
  int nDrop;              /* dropped columns, indexes into pFrom->aCol */
  int *aDrop;
  int nSug;               /* possible column renames: aSug[2*i] dropped */
  int *aSug;              /* (pFrom->aCol), aSug[2*i+1] added (pTo->aCol) */
};

/*
** One step of a diff: one statement of the upgrade, with what a reviewer
** needs to know about it.  The diff fills the fields up to pIndex; the
** plan (migPlanCount) the counts and more warnings.
*/
typedef struct MigStep MigStep;
struct MigStep {
  int iStep;              /* 1, 2, ... in the order the SQL runs */
  int eOp;                /* MIG_STEP_* */
  const char *zObject;    /* the table, index, view or trigger */
  char *zDetail;          /* what changes, in words, or NULL */
  int eMethod;            /* MIG_METHOD_* */
  int bDestructive;       /* loses data: a dropped table or column */
  char *zNote;            /* comment lines ("-- ...\n") that mig_diff
                          ** writes before the statement, or NULL */
  char *zSql;             /* the statement, ending in ";" */
  char *zWarning;         /* warnings, one per line ("\n" between), or
                          ** NULL */
  MigDiffTab *pTab;       /* the table it acts on, or NULL */
  MigObject *pIndex;      /* CREATE INDEX: the new index */
  char *zMapping;         /* ALTER TABLE: the mapping_json, or NULL */
  i64 nRows;              /* rows of the table, -1: not counted (NULL) */
  i64 nBlocking;          /* rows that make it fail, -1: unknown (NULL) */
  i64 nChanged;           /* rows whose values change, -1: unknown */
};

/* The steps of a diff, and the two schemas they refer to. */
typedef struct MigPlan MigPlan;
struct MigPlan {
  const char *zFromDb;    /* the two schemas */
  const char *zToDb;
  MigSchema *pFrom;
  MigSchema *pTo;
  MigArena arena;         /* owns the steps, the tables and their texts */
  MigHash fromTab;        /* zFrom table name -> MigDiffTab */
  MigHash toTab;          /* zTo table name -> MigDiffTab */
  int nTab;               /* every table of both schemas */
  MigDiffTab **apTab;
  int nStep;
  MigStep **apStep;       /* the steps, in order (sqlite3_malloc) */
  char *zRenames;         /* the renames applied (options and hints), as
                          ** a JSON object, or NULL when none */
};

/* The diff from schema zFrom to schema zTo as steps (NULL on error;
** migPlanFree() it).  Only reads. */
MigPlan *migDiffPlan(Mig *p, const char *zFrom, const char *zTo,
                     MigDiffOpts *pOpts);
void migPlanFree(MigPlan *pPlan);             /* NULL is a no-op */
/* The SQL of the steps in mig_diff's format ("" for none; sqlite3_free);
** with bScript, each statement under "-- <detail>" and "-- WARNING:
** <warning>" lines, as mig_autogenerate writes it. */
char *migPlanSql(Mig *p, MigPlan *pPlan, int bScript);
/* The SQL that turns schema zFrom into schema zTo ("" when equal; NULL
** on error; sqlite3_free() it).  Only reads.  The format and the order of
** the statements are described at the top of mig_diff.c. */
char *migDiff(Mig *p, const char *zFrom, const char *zTo, MigDiffOpts *pOpts);
const char *migStepOpName(int eOp);           /* "create table"... */
/* Add a warning (a printf format) to step pS. */
void migStepWarn(Mig *p, MigPlan *pPlan, MigStep *pS, const char *zFmt, ...);
/* Text for reviewers: a name in double quotes, and any text, with
** control characters as \xHH (they must not end a comment line). */
void migDescName(sqlite3_str *pStr, const char *zName);
void migDescText(sqlite3_str *pStr, const char *z, int n);
/* An expression or type as a reviewer reads it: its tokens as written,
** one space wherever spaces or comments were. */
void migDescExpr(sqlite3_str *pStr, const char *z);
/* A constraint in words: "UNIQUE ("email")", "CHECK (a > 0)", "FOREIGN
** KEY ("u") REFERENCES "users" ("id") ON DELETE CASCADE" (bInline: as a
** column definition writes it, "REFERENCES ...", "UNIQUE"). */
void migDescCons(sqlite3_str *pStr, MigCons *pC, int bInline);
/* The zFrom column whose value column iCol of pT->pTo keeps (renames
** applied), or NULL for a new column. */
MigColumn *migDiffSource(MigDiffTab *pT, int iCol);
void migDiffFunc(sqlite3_context*, int, sqlite3_value**);
/* The diff's own comparisons, for mig_rebuild.c: the canonical signature
** of a constraint (equal for equal constraints however spelled, the
** name included; sqlite3_free() it), whether an expression (canonical,
** or as written) mentions a name, a DEFAULT that is absent or NULL, and whether a table
** has a column that aliases the rowid. */
char *migConsSignature(Mig *p, MigCons *pC);
int migExprMentions(const char *zExpr, const char *zName);
int migNoDefault(MigColumn *pCol);
int migHasRowidAlias(MigObject *pTab);

/*************************************************************************
** Interface to code in mig_plan.c: the pre-flight counts of a plan on
** the live data, the table-valued function mig_plan, and mig_affinity.
*/
/* Count, with SELECTs only, what each step of pPlan will meet in the
** rows of the live database (the zFrom schema; with bDowngrade, the plan
** is a downgrade's and the rows are those of its zTo schema today). */
void migPlanCount(Mig *p, MigPlan *pPlan, int bDowngrade);
/* Register the eponymous virtual table mig_plan (pAux: the MigConfig). */
int migPlanRegister(sqlite3 *db, MigConfig *pConfig);
/* mig_affinity(value, declared_type): the value as a column of that
** declared type stores it. */
void migAffinityFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_rebuild.c: the SQL function mig_rebuild,
** which brings a table to a new definition by the cheapest way that is
** safe on this connection: SQLite's own ALTER TABLE statements, an edit
** of sqlite_schema in place (no row copied), or the table rebuild
** (SQLite's documented 12-step procedure, every row copied).  The
** method is also the "method" column of mig_plan (MigStep.eMethod: a
** step that is a statement of its own is MIG_METHOD_NATIVE).
*/
#define MIG_METHOD_NATIVE   1   /* SQLite's own ALTER TABLE statements */
#define MIG_METHOD_INPLACE  2   /* sqlite_schema edited, no row copied */
#define MIG_METHOD_REBUILD  3   /* the 12-step copy */
/* The name prefix of a rebuild's new table (mig_form.c recognises it). */
#define MIG_RB_PREFIX "_libmig_new_"
/* How mig_rebuild(zTable, zCreate, zMapping) would bring table pTab of
** pSchema (the live schema it was read from; zTable is the table's name
** at that step of a script, after any RENAME) to zCreate on this
** connection now: MIG_METHOD_*.  Reads only, never writes; an error of
** create_sql is no error here (the copy reports it when it runs).  With
** pzWhy, *pzWhy is set to why the rows are copied (a static string) or
** NULL. */
int migRebuildMethod(Mig *p, MigSchema *pSchema, MigObject *pTab,
    const char *zTable, const char *zCreate, const char *zMapping,
    const char **pzWhy);
const char *migRebuildMethodName(int eMethod);  /* "native", "in place"... */
void migRebuildFunc(sqlite3_context*, int, sqlite3_value**);
void migRbProgressFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_script.c: revision scripts on disk (finding,
** reading, writing, checksums) and the revision graph they form.
*/
typedef struct MigRev MigRev;
#define MIG_CHECKSUM_V2 "v2:"   /* prefix of a version-2 checksum */
#define MIG_CHECKSUM_SZ 20      /* its size with the terminator */
/* What a script file was when it was read: the key of the listing
** cache.  Times in nanoseconds; the inode changes when a file is
** replaced, the change time (ctime) when it is written, also by "cp -p",
** which keeps the modification time. */
typedef struct MigFileSig MigFileSig;
struct MigFileSig {
  i64 iSize;
  i64 iMtime;
  i64 iCtime;
  i64 iIno;
};
struct MigRev {
  char *zRev;           /* revision id (12 hex digits when generated) */
  int nDown;            /* number of parents (down revisions) */
  char **azDown;        /* their ids, as written in the header */
  MigRev **apDown;      /* the parents themselves */
  int nChild;           /* number of children */
  MigRev **apChild;     /* children, in file order */
  char *zMessage;       /* "-- message:" or "" */
  char *zCreated;       /* "-- created:" or "" */
  char *zFile;          /* path of the script: <location>/<name> */
  char *zUpgrade;       /* text of the upgrade section */
  char *zDowngrade;     /* text of the downgrade section */
  char zChecksum[MIG_CHECKSUM_SZ];  /* "v2:<16 hex>", what is recorded */
  char zChecksumRaw[17];  /* of the raw bytes (old databases recorded it) */
  int iUpLine;          /* line of the file where zUpgrade starts */
  int iDownLine;        /* line of the file where zDowngrade starts */
  int iOrder;           /* index in MigScripts.apRev (base first) */
  int iMark;            /* scratch for graph walks */
};
struct MigScripts {
  int nRef;             /* references; migScriptsFree frees at 0 */
  MigArena arena;       /* owns every MigRev and string */
  char *zDir;           /* the script location read */
  int nRev;
  MigRev **apRev;       /* every revision, parents before children */
  MigHash revs;         /* revision id -> MigRev */
  int nHead;
  MigRev **apHead;      /* revisions without children, in order */
  int nFile;            /* the files read (nRev of them), by name: */
  char **azName;        /* their names, sorted (sqlite3_malloc array) */
  MigFileSig *aSig;     /* what each was when read (size, times, inode) */
  MigHash files;        /* file name -> its entry of aSig */
  MigFileSig dirSig;    /* what the directory was */
  i64 iReadTime;        /* when they were read (ns since the epoch) */
};
/* The scripts of the connection's script location, read now, checksums
** and all: what an upgrade, a downgrade, a stamp or a check acts on. */
MigScripts *migScriptsOpen(Mig *p);
/* The same for a listing: served by the last read while every file has
** the size, times and inode it had then (bNames: while the directory
** has, for mig_current). */
MigScripts *migScriptsList(Mig *p, int bNames);
void migScriptsFree(MigScripts *pS);  /* drop a reference; NULL: no-op */
/* The parents of pRev as "a,b" ("" for none), as the applied table's
** down_revision records them (sqlite3_free). */
char *migRevDownList(Mig *p, const MigRev *pRev);
/* True when the script location zDir still holds the applied revisions
** azId[0..nId-1] by their file names, and the script of azId[iCur] has
** the parents zDown ("a,b"): mig_current() may then answer from the
** applied table without reading every script (0: read them). */
int migScriptsConfirm(Mig *p, const char *zDir, int nId, char **azId,
                      int iCur, const char *zDown);
MigRev *migScriptsFind(Mig *p, MigScripts *pS, const char *zId);
/* Fail when there are several heads; zAdvice says what to do. */
void migRequireOneHead(Mig *p, MigScripts *pS, const char *zAdvice);
/* Whether a checksum recorded when pRev was applied (either version:
** mig_script.c says which changes they ignore) matches its script now. */
int migChecksumMatches(MigRev *pRev, const char *zRecorded);
/* Write a new script with parents apDown[0..nDown-1]; returns its id
** (sqlite3_free). */
char *migScriptWrite(Mig *p, const char *zDir, const char *zMessage,
    int nDown, MigRev **apDown, const char *zUp, const char *zDown);

/*************************************************************************
** Interface to code in mig_author.c: mig_revision, mig_merge and
** mig_autogenerate.
*/
void migRevisionFunc(sqlite3_context*, int, sqlite3_value**);
void migMergeFunc(sqlite3_context*, int, sqlite3_value**);
void migAutogenerateFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_state.c: the applied state (_libmig_applied)
** of the schema p->zDb, its bookkeeping, mig_current().
*/
#define MIG_APPLIED_TABLE "_libmig_applied"
#define MIG_APPLIED_SCHEMA "(revision TEXT PRIMARY KEY," \
    " checksum TEXT NOT NULL, applied_at TEXT NOT NULL, down_revision TEXT)"
/* The applied state against the scripts pS, by MigRev.iOrder
** (migAppliedLoad fills it, migAppliedClear frees what it holds). */
typedef struct MigApplied MigApplied;
struct MigApplied {
  MigArena arena;       /* owns the strings below */
  int nRev;
  unsigned char *aApplied; /* per iOrder: 1 when applied */
  char **azSum;         /* per iOrder: recorded checksum, or NULL */
  char **azAt;          /* per iOrder: applied_at, or NULL */
  int nUnknown;         /* applied revisions that no script has, by */
  char **azUnknown;     /* applied_at, then id */
};
void migAppliedLoad(Mig *p, MigScripts *pS, MigApplied *pA);
void migAppliedClear(MigApplied *pA);
/* The current revisions of the applied set aSet, then the unknown
** applied ids, comma-separated (sqlite3_free); NULL at base. */
char *migCurrentOf(Mig *p, MigScripts *pS, const unsigned char *aSet,
                   int nUnknown, char **azUnknown);
/* Writing the bookkeeping: one MigBook per call that moves a database
** (migBookOpen creates the table if need be); each change is also
** appended as SQL to pOut when not NULL (mig_sql). */
typedef struct MigBook MigBook;
struct MigBook {
  sqlite3_str *pOut;    /* offline SQL being recorded, or NULL */
  char zNow[24];        /* applied_at of this call (online), or "" */
  sqlite3_stmt *pIns;   /* INSERT of a revision (prepared once) */
  sqlite3_stmt *pDel;   /* DELETE of a revision */
  sqlite3_stmt *pSum;   /* UPDATE of a checksum */
  sqlite3_stmt *pDown;  /* UPDATE of a row's parents */
};
void migBookOpen(Mig *p, MigBook *pB, sqlite3_str *pOut);
void migBookApplied(Mig *p, MigBook *pB, const MigRev *pRev);
/* Online: record the parents of every applied revision of pA whose row
** has none (rows that offline SQL or an earlier libmig wrote). */
void migBookParents(Mig *p, MigBook *pB, MigScripts *pS, MigApplied *pA);
void migBookRemoved(Mig *p, MigBook *pB, const char *zRev);
void migBookChecksum(Mig *p, MigBook *pB, const char *zRev, const char *zSum);
void migBookClose(MigBook *pB);
void migCurrentFunc(sqlite3_context*, int, sqlite3_value**);
/* Fail when p->zDb records applied revisions and none of them has a
** script in pS: the script location is wrong (or the scripts are gone);
** the message names the directory and the revisions. */
void migAppliedRequireKnown(Mig *p, MigScripts *pS, MigApplied *pA);
/* Fail when p->zDb cannot be written; zWhat says what was refused. */
void migRequireWritable(Mig *p, const char *zWhat);

/*************************************************************************
** Interface to code in mig_txn.c: the transaction of a call that writes,
** the settings it switches for its time, and the guards around it.
*/
/*
** migTxnBegin(p, pT, zSavepoint, bOwn): with bOwn (the call's own
** transaction) foreign key enforcement and legacy_alter_table are
** switched off with sqlite3_db_config for its time; in autocommit mode
** with bOwn, BEGIN IMMEDIATE, else SAVEPOINT zSavepoint.  migTxnEnd:
** COMMIT (or RELEASE) when p holds no error, else ROLLBACK (TO); the
** settings back as they were whatever happened.
*/
typedef struct MigTxn MigTxn;
struct MigTxn {
  const char *zSavepoint;  /* the savepoint's name */
  int bBegin;              /* 1: BEGIN/COMMIT; 0: SAVEPOINT/RELEASE */
  int bStarted;            /* the transaction or savepoint is open */
  int bTrap;               /* it prepared the connection's trap */
  int iFk;                 /* foreign key enforcement before, -1: kept */
  int iLegacyAlter;        /* legacy_alter_table before, -1: kept */
};
void migTxnBegin(Mig *p, MigTxn *pT, const char *zSavepoint, int bOwn);
void migTxnEnd(Mig *p, MigTxn *pT);
/* The message of a call that the caller interrupted before it changed
** anything. */
#define MIG_INTERRUPTED "interrupted; nothing was changed"
/* Run xWork(p, pArg), the work of an SQL function call that writes (it
** runs its own MigTxn on p->db), so that it lands whole or not at all
** whatever interrupts it: on a private connection to the same file when
** it can (p->db and p->pConfig are that connection's during xWork), else
** on the caller's connection with the trap of mig_txn.c ready.  With
** bScripts (xWork runs revision scripts) and a target other than main,
** only the private connection will do: it fails, saying why, where that
** connection cannot be had. */
void migAtomicRun(Mig *p, void (*xWork)(Mig*, void*), void *pArg,
                  int bScripts);
/* Prepare the connection's trap again after a statement or a setting
** that may have expired it (schema changes, flag PRAGMAs, db_config);
** nothing when no call of method (B) runs.  Fails when SQLite refuses. */
void migTrapRefresh(Mig *p);
/* Fail unless the journal of p->zDb can roll a failed call back: not
** OFF, and not MEMORY for a database file, unless 'unsafe_journal'. */
void migRequireSafeJournal(Mig *p);
/* The re-entry guard of the connection: migMovingEnter fails when a call
** that moves the database already runs on it (from a revision script, a
** trigger or a view); migMovingLeave ends what a successful Enter began. */
int migMovingEnter(Mig *p);
void migMovingLeave(Mig *p);

/*************************************************************************
** Interface to code in mig_apply.c: mig_upgrade, mig_downgrade and
** mig_stamp, and the engine behind them that mig_check.c reuses.
*/
#define MIG_OP_UP     1
#define MIG_OP_DOWN   2
#define MIG_OP_STAMP  3
/* Move schema p->zDb of p->db to the applied set that zTarget names (eOp:
** up, down or stamp) in one transaction.  Returns the new current
** revision(s) (sqlite3_free), NULL at base.  With pOut, every statement
** that writes is also recorded there as plain SQL (mig_sql). */
char *migMoveCore(Mig *p, MigScripts *pS, const char *zTarget, int eOp,
                  sqlite3_str *pOut);
void migUpgradeFunc(sqlite3_context*, int, sqlite3_value**);
void migDowngradeFunc(sqlite3_context*, int, sqlite3_value**);
void migStampFunc(sqlite3_context*, int, sqlite3_value**);
void migDryRunFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_check.c: mig_check, mig_sql and mig_test, on
** a scratch database.
*/
void migCheckFunc(sqlite3_context*, int, sqlite3_value**);
void migSqlFunc(sqlite3_context*, int, sqlite3_value**);
void migTestFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_form.c: the form of mig_sql's script for the
** engine that runs it (options_json {"form": "sqlite"|"dqlite"|"d1"}).
** migSqlFunc reads the options, writes the head, records the revisions
** between them, writes the tail, and clears the form.
*/
#define MIG_FORM_SQLITE 0    /* the sqlite3 shell (the default) */
#define MIG_FORM_DQLITE 1    /* dqlite's shell: the statements on one line */
#define MIG_FORM_D1     2    /* Cloudflare D1: a file, one transaction */
typedef struct MigForm MigForm;
struct MigForm {
  int eForm;            /* MIG_FORM_* */
  i64 nMaxLine;         /* dqlite: longest line in bytes, 0 for any */
  sqlite3 *pReplay;     /* dqlite, D1: copy of the starting schema */
  int iBody;            /* offset in the script where the statements start */
};
void migFormOptions(Mig *p, sqlite3_value *pArg, MigForm *pF);  /* pArg may be 0 */
void migFormHead(Mig *p, MigForm *pF, sqlite3 *pScratch, sqlite3_str *pOut,
                 const char *zOp, const char *zFrom, const char *zTarget);
void migFormTail(Mig *p, MigForm *pF, sqlite3_str *pOut, const char *zNow);
void migFormClear(MigForm *pF);

/*************************************************************************
** Interface to code in mig_vtab.c: the eponymous virtual table
** "migrations" (pAux of the module is the connection's MigConfig).
*/
int migVtabRegister(sqlite3 *db, MigConfig *pConfig);
/* The table object of libmig's virtual tables (migrations, mig_plan):
** migVtabAlloc makes it in xConnect, once the table is declared;
** migVtabDisconnect (an xDisconnect) frees it. */
typedef struct MigVtab MigVtab;
struct MigVtab {
  sqlite3_vtab base;
  sqlite3 *db;
  MigConfig *pConfig;   /* the module's pAux */
};
int migVtabAlloc(sqlite3 *db, void *pAux, sqlite3_vtab **ppVtab);
int migVtabDisconnect(sqlite3_vtab *pVtab);
/* A zeroed cursor of nByte bytes, its sqlite3_vtab_cursor first (xOpen). */
int migVtabCursorAlloc(i64 nByte, sqlite3_vtab_cursor **ppCur);
/* The end of an xFilter that worked through handle p: its error (if any)
** becomes pVtab's message, p is reset; returns the error code. */
int migVtabFilterEnd(sqlite3_vtab *pVtab, Mig *p);

/*************************************************************************
** Interface to code in mig_config.c: the settings, mig_config() and the
** registration of everything on a connection.
*/
MigConfig *migConfigCopy(const MigConfig *pFrom);  /* NULL: defaults */
/* Fail unless the target p->zDb can be migrated now (attached); errors
** name it.  migCallBegin does it for every call. */
void migTargetRequire(Mig *p);
/* mig_models made schema zDb on the connection of p (a target refuses
** it); and whether it did (and zDb is still in memory). */
void migModelsMadeAdd(Mig *p, const char *zDb);
int migModelsMadeHas(Mig *p, const char *zDb);
void migConfigFree(void *pConfig);
/* Register every function and the virtual table on db; db owns pConfig
** from then on, even when this fails. */
int migRegister(sqlite3 *db, MigConfig *pConfig);

/*************************************************************************
** Interface to code in mig_main.c: the entry point.
*/
int sqlite3_mig_init(sqlite3*, char**, const sqlite3_api_routines*);

#endif /* MIG_INT_H */
