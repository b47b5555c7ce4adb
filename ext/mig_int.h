/*
** mig_int.h: the one internal header of libmig.
**
** libmig is an SQLite loadable extension that diffs a "models" schema
** against the live database and migrates it (see README.md and DESIGN.md).
** Every C file in ext/ includes this header.  Exactly one of them
** (mig_main.c) uses SQLITE_EXTENSION_INIT1/INIT2; this header supplies
** SQLITE_EXTENSION_INIT3 for all the others.
**
** The header is organised as SQLite's own multi-file extensions are: the
** shared types first, then one "interface to code in X.c" block per file.
**
** Memory: every object of a schema model (tables, columns, constraints,
** indexes, views, triggers and every string they hold) is allocated from
** the MigArena of its MigSchema and freed all at once with it.  Nothing in
** the model is freed on its own.
**
** Errors: a Mig handle carries a sticky error code and message, as the
** sqlite3_recover object does.  Helpers that take a Mig* do nothing once
** an error is set, so callers may chain them and test p->rc once.
*/
#ifndef MIG_INT_H
#define MIG_INT_H

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
** The sticky error handle.  One is created per SQL function call.
*/
typedef struct Mig Mig;
struct Mig {
  sqlite3 *db;          /* database connection */
  int rc;               /* first error code, SQLITE_OK while none */
  char *zErr;           /* its message (sqlite3_malloc), or NULL */
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
  int bHidden;          /* hidden column (virtual table) */
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
  char *zCanon;         /* canonical text of the statement after the
                        ** object's name (a view's column list and
                        ** SELECT, a trigger's definition, a virtual
                        ** table's USING clause), used to compare views,
                        ** triggers and virtual tables (NULL for tables
                        ** and indexes) */

  /* MIG_OBJ_TABLE */
  int bStrict;          /* STRICT */
  int bWithoutRowid;    /* WITHOUT ROWID */
  int bAutoinc;         /* some column is INTEGER PRIMARY KEY AUTOINCREMENT */
  int nCol;
  MigColumn *aCol;
  int nCons;
  MigCons *aCons;
  int nIndex;           /* indexes on this table (filled by migSchemaRead) */
  MigObject **apIndex;
  int nTrigger;         /* triggers on this table (filled by migSchemaRead) */
  MigObject **apTrigger;

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
** arena, the hash table, SQL helpers.
*/
void migErrorSet(Mig *p, int rc, const char *zFmt, ...);
void migErrorFromDb(Mig *p);            /* take db's errcode/errmsg */
void migErrorReport(Mig *p, sqlite3_context *ctx);  /* to sqlite3_result_error* */
void migReset(Mig *p);                  /* clear the error, free zErr */
void migErrorPrefix(Mig *p, const char *zPrefix);  /* "zPrefix: msg" */

void *migMalloc(Mig *p, i64 n);         /* zeroed; NULL and NOMEM on failure */
char *migMprintf(Mig *p, const char *zFmt, ...);   /* sqlite3_free() it */
char *migVMprintf(Mig *p, const char *zFmt, va_list ap);  /* likewise */
char *migStrndup(Mig *p, const char *z, int n);    /* n<0: strlen; sqlite3_free() */

void *migArenaAlloc(Mig *p, MigArena *pA, i64 n);  /* zeroed, 8-aligned */
char *migArenaStrndup(Mig *p, MigArena *pA, const char *z, int n);
char *migArenaPrintf(Mig *p, MigArena *pA, const char *zFmt, ...);
void migArenaFree(MigArena *pA);

u32 migHashString(const char *z);       /* ASCII case-folded */
void *migHashFind(MigHash *pH, const char *zKey);
void migHashInsert(Mig *p, MigHash *pH, const char *zKey, void *pData);
void migHashClear(MigHash *pH);

int migStrICmp(const char *a, const char *b);      /* ASCII case-folded */

sqlite3_stmt *migPrepare(Mig *p, const char *zFmt, ...);
int migStep(Mig *p, sqlite3_stmt *pStmt);  /* SQLITE_ROW or 0 (done/error) */
void migFinalize(Mig *p, sqlite3_stmt *pStmt);
void migExec(Mig *p, const char *zFmt, ...);
int migSchemaExists(Mig *p, const char *zDb); /* attached under that name? */
int migRunOne(sqlite3 *db, const char *zSql, const char **pzTail);
void migCallBegin(Mig *p, sqlite3_context *ctx);  /* start an SQL function */
void migCallEnd(Mig *p, sqlite3_context *ctx);    /* report error, clean up */
const char *migArgText(Mig *p, const char *zFunc, sqlite3_value **argv,
                       int iArg, const char *zWhat);  /* NULL is an error */

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

/* Parse a single column definition (for ADD COLUMN) into pCol. */
void migParseColumnDef(Mig *p, MigArena *pA, const char *zSql, MigColumn *pCol);

/*************************************************************************
** Interface to code in mig_schema.c: reading a whole schema (sqlite_schema
** plus the pragmas) into a MigSchema, and writing it as JSON.
*/
/* The model of schema zDb without sqlite_%, _libmig_% and shadow tables
** (or NULL with the error set).  Indexes and triggers are attached to
** their tables (triggers also to views); index terms are what SQLite
** makes of them ("(a)" is the column a).  Schemas of up to 100 tables
** are verified against SQLite's pragmas as they are read. */
MigSchema *migSchemaRead(Mig *p, const char *zDb);
void migSchemaFree(MigSchema *pSchema);            /* NULL is a no-op */
char *migSchemaJson(Mig *p, MigSchema *pSchema);   /* sqlite3_free() it */
int migIsBookkeepingTable(const char *zName);      /* libmig's own tables */

/*************************************************************************
** Interface to code in mig_diff.c: the structural diff and the upgrade SQL.
*/
typedef struct MigDiffOpts MigDiffOpts;
struct MigDiffOpts {
  const char *zOptionsJson;  /* options_json argument, or NULL */
  int bAlwaysRebuild;        /* mig_config('rebuild') is 'always' */
};
/* The SQL that turns schema zFrom into schema zTo ("" when equal; NULL
** on error; sqlite3_free() it).  Only reads.  The format and the order of
** the statements are described at the top of mig_diff.c. */
char *migDiff(Mig *p, const char *zFrom, const char *zTo, MigDiffOpts *pOpts);

/*************************************************************************
** Interface to code in mig_rebuild.c: the table rebuild (SQLite's
** documented 12-step procedure) and the SQL function mig_rebuild.
*/
/* Rebuild main.zTable to zCreate (one CREATE TABLE for the same name),
** copying every row; zMapping is NULL or a JSON object mapping new
** columns to old column names or SQL expressions over the old row.
** Runs INSIDE a transaction the caller holds, under a SAVEPOINT of its
** own: on error everything it did is rolled back.  The caller chooses
** foreign_keys (off, as the procedure wants); with foreign_keys=ON it
** refuses a table that foreign keys point to.  Returns rows copied. */
i64 migRebuild(Mig *p, const char *zTable, const char *zCreate,
               const char *zMapping);
void migRebuildFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_script.c: revision scripts on disk (finding,
** reading, writing, checksums) and the revision graph they form.
*/
typedef struct MigRev MigRev;
typedef struct MigScripts MigScripts;
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
  char *zText;          /* the whole file */
  char *zUpgrade;       /* text of the upgrade section */
  char *zDowngrade;     /* text of the downgrade section */
  char zChecksum[17];   /* FNV-1a 64 of zText, 16 hex digits */
  int iOrder;           /* index in MigScripts.apRev (base first) */
  int iMark;            /* scratch for graph walks */
};
struct MigScripts {
  MigArena arena;       /* owns every MigRev and string */
  char *zDir;           /* the script location read */
  int nRev;
  MigRev **apRev;       /* every revision, parents before children */
  MigHash revs;         /* revision id -> MigRev */
  int nHead;
  MigRev **apHead;      /* revisions without children, in order */
};
MigScripts *migScriptsLoad(Mig *p, const char *zDir);
void migScriptsFree(MigScripts *pS);
MigRev *migScriptsFind(Mig *p, MigScripts *pS, const char *zFunc,
                       const char *zId);   /* full id or unique prefix */
char *migScriptsHeadList(Mig *p, MigScripts *pS);  /* "a, b" sqlite3_free */
void migChecksum(const char *z, i64 n, char *zOut);  /* 17 bytes */
/* Write a new script with parents apDown[0..nDown-1]; returns its id
** (sqlite3_free). */
char *migScriptWrite(Mig *p, const char *zDir, const char *zMessage,
    int nDown, MigRev **apDown, const char *zUp, const char *zDown);

/*************************************************************************
** Interface to code in mig_apply.c: the applied state (_libmig_applied)
** and the SQL functions that move a database between revisions.
*/
#define MIG_APPLIED_TABLE "_libmig_applied"
/* The applied state of main against the scripts pS, by MigRev.iOrder
** (migAppliedLoad fills it, migAppliedClear frees what it holds). */
typedef struct MigApplied MigApplied;
struct MigApplied {
  int nRev;
  unsigned char *aApplied; /* per iOrder: 1 when applied */
  char **azSum;         /* per iOrder: recorded checksum, or NULL */
  char **azAt;          /* per iOrder: applied_at, or NULL */
  int nUnknown;         /* applied revisions that no script has */
  char **azUnknown;
};
void migAppliedLoad(Mig *p, MigScripts *pS, MigApplied *pA);
void migAppliedClear(MigApplied *pA);
void migUpgradeFunc(sqlite3_context*, int, sqlite3_value**);
void migDowngradeFunc(sqlite3_context*, int, sqlite3_value**);
void migCurrentFunc(sqlite3_context*, int, sqlite3_value**);
void migStampFunc(sqlite3_context*, int, sqlite3_value**);
void migMergeFunc(sqlite3_context*, int, sqlite3_value**);
void migRevisionFunc(sqlite3_context*, int, sqlite3_value**);
void migAutogenerateFunc(sqlite3_context*, int, sqlite3_value**);
/* The entry point (mig_main.c), to load libmig into scratch connections. */
int sqlite3_mig_init(sqlite3*, char**, const sqlite3_api_routines*);
void migCheckFunc(sqlite3_context*, int, sqlite3_value**);
void migSqlFunc(sqlite3_context*, int, sqlite3_value**);
void migTestFunc(sqlite3_context*, int, sqlite3_value**);

/*************************************************************************
** Interface to code in mig_vtab.c: the eponymous virtual table
** "migrations" (pAux of the module is the connection's MigConfig).
*/
int migVtabRegister(sqlite3 *db, void *pConfig);

/*************************************************************************
** Interface to code in mig_main.c: registration and per-connection config.
** One MigConfig is allocated per connection when the extension loads; it
** is the user data (sqlite3_user_data()) of every libmig SQL function.
*/
typedef struct MigConfig MigConfig;
struct MigConfig {
  char *zScriptLocation;     /* 'script_location', default "migrations" */
  int bAlwaysRebuild;        /* 'rebuild': 0 = auto (default), 1 = always */
  int bProgress;             /* 'progress': 0/1 */
};

#endif /* MIG_INT_H */
