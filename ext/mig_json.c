/*
** mig_json.c: a schema model as JSON, and the SQL function mig_schema().
**
** FORMAT.  One object:
**
**   {"schema": NAME,
**    "tables": [TABLE...], "virtual_tables": [VTAB...],
**    "indexes": [INDEX...], "views": [VIEW...], "triggers": [TRIGGER...]}
**
**   TABLE   {"name", "strict", "without_rowid", "autoincrement",
**            "columns": [COLUMN...], "constraints": [CONSTRAINT...], "sql"}
**   COLUMN  {"name", "type", "notnull", "notnull_on_conflict", "default",
**            "collate", "pk", "generated", "expression"}
**   CONSTRAINT, by "type":
**     "PRIMARY KEY" {"type", "name", "inline", "columns": [KEYCOL...],
**                    "on_conflict", "autoincrement"}
**     "UNIQUE"      {"type", "name", "inline", "columns": [KEYCOL...],
**                    "on_conflict"}
**     "CHECK"       {"type", "name", "inline", "expression"}
**     "FOREIGN KEY" {"type", "name", "inline", "columns": [NAME...],
**                    "references": {"table", "columns": [NAME...],
**                                   "on_delete", "on_update", "match",
**                                   "deferrable"}}
**   KEYCOL  {"name", "collate", "desc"}
**   VTAB    {"name", "module", "args", "sql"}
**   INDEX   {"name", "table", "unique",
**            "columns": [{"name", "expression", "collate", "desc"}...],
**            "where", "sql"}
**   VIEW    {"name", "sql"}
**   TRIGGER {"name", "table", "timing", "event", "sql"}
**
** Rules: every key that applies to an object's kind is always present,
** null when the schema says nothing (no type, no DEFAULT...).  Objects are
** in sqlite_schema order within each list, columns and constraints in
** declaration order.  Names are dequoted.  "type" is the declared type in
** canonical form (upper case, one space between words: "VARCHAR(10)");
** expressions ("default", "expression", "where", "args") are the text as
** written, without surrounding space.  Values that are SQL keywords are
** upper case: "on_conflict" ROLLBACK|ABORT|FAIL|IGNORE|REPLACE,
** "generated" VIRTUAL|STORED, "on_delete"/"on_update" NO ACTION (also
** when not written)|RESTRICT|SET NULL|SET DEFAULT|CASCADE, "match" as
** written in upper case, "deferrable" null (not deferrable)|IMMEDIATE|
** DEFERRED (its INITIALLY mode), "timing" BEFORE|AFTER|INSTEAD OF,
** "event" INSERT|DELETE|UPDATE|UPDATE OF.  "pk" is the column's 1-based
** position in the primary key, 0 if none.  "inline" is true for a
** constraint written in a column definition.  An index "columns" entry
** has "name" for a column or "expression" for an expression (the other
** is null).  Strings escape quotes, backslashes and control characters
** (\n, \r, \t, else \u00XX); other UTF-8 passes through as it is.
*/
#include "mig_int.h"

/* Append z as a JSON string, or null.  Quotes, backslashes and control
** characters are escaped; other bytes (UTF-8 included) pass through. */
void migJsonString(sqlite3_str *pOut, const char *z){
  static const char aHex[] = "0123456789abcdef";
  int i, iRun = 0;
  if( z==0 ){
    sqlite3_str_append(pOut, "null", 4);
    return;
  }
  sqlite3_str_appendchar(pOut, 1, '"');
  for(i=0; z[i]; i++){
    unsigned char c = (unsigned char)z[i];
    char aEsc[7];
    int nEsc = 0;
    if( c=='"' || c=='\\' ){
      aEsc[0] = '\\';
      aEsc[1] = (char)c;
      nEsc = 2;
    }else if( c=='\n' || c=='\r' || c=='\t' ){
      aEsc[0] = '\\';
      aEsc[1] = c=='\n' ? 'n' : c=='\r' ? 'r' : 't';
      nEsc = 2;
    }else if( c<0x20 ){
      memcpy(aEsc, "\\u00", 4);
      aEsc[4] = aHex[c>>4];
      aEsc[5] = aHex[c&0xf];
      nEsc = 6;
    }
    if( nEsc ){
      if( i>iRun ) sqlite3_str_append(pOut, &z[iRun], i-iRun);
      sqlite3_str_append(pOut, aEsc, nEsc);
      iRun = i+1;
    }
  }
  if( i>iRun ) sqlite3_str_append(pOut, &z[iRun], i-iRun);
  sqlite3_str_appendchar(pOut, 1, '"');
}

/* Append ,"K": where K is a string literal (a key, needing no escapes):
** one append of a constant, as this runs for every key of the output. */
#define MIG_JSON_KEY(pOut, K) \
  sqlite3_str_append(pOut, ",\"" K "\":", (int)sizeof(",\"" K "\":")-1)

/* ,"K":"value" or ,"K":null */
#define MIG_JSON_KEY_STRING(pOut, K, zVal) \
  do{ MIG_JSON_KEY(pOut, K); migJsonString(pOut, zVal); }while(0)

/* ,"K":true or ,"K":false */
#define MIG_JSON_KEY_BOOL(pOut, K, bVal) \
  do{ MIG_JSON_KEY(pOut, K); migJsonBool(pOut, bVal); }while(0)

static void migJsonBool(sqlite3_str *pOut, int bVal){
  if( bVal ){
    sqlite3_str_append(pOut, "true", 4);
  }else{
    sqlite3_str_append(pOut, "false", 5);
  }
}

/* The keyword of a MIG_CONF_* value, or NULL for none (also the words
** of mig_diff.c's details). */
const char *migConfName(int eConf){
  switch( eConf ){
    case MIG_CONF_ROLLBACK: return "ROLLBACK";
    case MIG_CONF_ABORT:    return "ABORT";
    case MIG_CONF_FAIL:     return "FAIL";
    case MIG_CONF_IGNORE:   return "IGNORE";
    case MIG_CONF_REPLACE:  return "REPLACE";
  }
  return 0;
}

/* A JSON array of the n items of a (szItem bytes each), each written by
** xItem. */
static void migJsonArray(sqlite3_str *pOut, const void *a, int n,
                         size_t szItem,
                         void (*xItem)(sqlite3_str*, const void*)){
  int i;
  sqlite3_str_appendchar(pOut, 1, '[');
  for(i=0; i<n; i++){
    if( i ) sqlite3_str_appendchar(pOut, 1, ',');
    xItem(pOut, (const char*)a + i*szItem);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
}

/* Items: a name (char*), the column name of a key part, a key part of a
** PRIMARY KEY or UNIQUE, a term of an index. */
static void migJsonName(sqlite3_str *pOut, const void *pItem){
  migJsonString(pOut, *(char*const*)pItem);
}
static void migJsonPartName(sqlite3_str *pOut, const void *pItem){
  migJsonString(pOut, ((const MigKeyPart*)pItem)->zCol);
}
static void migJsonPart(sqlite3_str *pOut, const MigKeyPart *pPart,
                        int bIndex){
  sqlite3_str_appendall(pOut, "{\"name\":");
  migJsonString(pOut, pPart->zCol);
  if( bIndex ){
    MIG_JSON_KEY_STRING(pOut, "expression", pPart->zCol ? 0 : pPart->zExpr);
  }
  MIG_JSON_KEY_STRING(pOut, "collate", pPart->zCollate);
  MIG_JSON_KEY_BOOL(pOut, "desc", pPart->bDesc);
  sqlite3_str_appendchar(pOut, 1, '}');
}
static void migJsonKeyPart(sqlite3_str *pOut, const void *pItem){
  migJsonPart(pOut, (const MigKeyPart*)pItem, 0);
}
static void migJsonIndexPart(sqlite3_str *pOut, const void *pItem){
  migJsonPart(pOut, (const MigKeyPart*)pItem, 1);
}

static void migJsonColumn(sqlite3_str *pOut, const void *pItem){
  const MigColumn *pCol = (const MigColumn*)pItem;
  sqlite3_str_appendall(pOut, "{\"name\":");
  migJsonString(pOut, pCol->zName);
  MIG_JSON_KEY_STRING(pOut, "type", pCol->zTypeCanon);
  MIG_JSON_KEY_BOOL(pOut, "notnull", pCol->bNotNull);
  MIG_JSON_KEY_STRING(pOut, "notnull_on_conflict", migConfName(pCol->eNotNullConf));
  MIG_JSON_KEY_STRING(pOut, "default", pCol->zDefault);
  MIG_JSON_KEY_STRING(pOut, "collate", pCol->zCollate);
  MIG_JSON_KEY(pOut, "pk");
  if( pCol->iPk>=0 && pCol->iPk<10 ){
    sqlite3_str_appendchar(pOut, 1, (char)('0' + pCol->iPk));
  }else{
    sqlite3_str_appendf(pOut, "%d", pCol->iPk);
  }
  MIG_JSON_KEY_STRING(pOut, "generated", pCol->eGen==MIG_GEN_VIRTUAL ? "VIRTUAL"
                   : pCol->eGen==MIG_GEN_STORED ? "STORED" : 0);
  MIG_JSON_KEY_STRING(pOut, "expression", pCol->zGen);
  sqlite3_str_appendchar(pOut, 1, '}');
}

static void migJsonConstraint(sqlite3_str *pOut, const void *pItem){
  static const char *azType[] = {
    0, "PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN KEY"
  };
  const MigCons *pCons = (const MigCons*)pItem;
  sqlite3_str_appendall(pOut, "{\"type\":");
  migJsonString(pOut, (pCons->eType>=1 && pCons->eType<=4)
                      ? azType[pCons->eType] : 0);
  MIG_JSON_KEY_STRING(pOut, "name", pCons->zName);
  MIG_JSON_KEY_BOOL(pOut, "inline", pCons->bColumn);
  switch( pCons->eType ){
    case MIG_CONS_PK:
    case MIG_CONS_UNIQUE:
      MIG_JSON_KEY(pOut, "columns");
      migJsonArray(pOut, pCons->aPart, pCons->nPart, sizeof(MigKeyPart),
                   migJsonKeyPart);
      MIG_JSON_KEY_STRING(pOut, "on_conflict", migConfName(pCons->eConf));
      if( pCons->eType==MIG_CONS_PK ){
        MIG_JSON_KEY_BOOL(pOut, "autoincrement", pCons->bAutoinc);
      }
      break;
    case MIG_CONS_CHECK:
      MIG_JSON_KEY_STRING(pOut, "expression", pCons->zExpr);
      break;
    case MIG_CONS_FK:
      MIG_JSON_KEY(pOut, "columns");
      migJsonArray(pOut, pCons->aPart, pCons->nPart, sizeof(MigKeyPart),
                   migJsonPartName);
      MIG_JSON_KEY(pOut, "references");
      sqlite3_str_appendall(pOut, "{\"table\":");
      migJsonString(pOut, pCons->zParent);
      MIG_JSON_KEY(pOut, "columns");
      migJsonArray(pOut, pCons->azParentCol, pCons->nParentCol,
                   sizeof(char*), migJsonName);
      MIG_JSON_KEY_STRING(pOut, "on_delete", pCons->zOnDelete);
      MIG_JSON_KEY_STRING(pOut, "on_update", pCons->zOnUpdate);
      MIG_JSON_KEY_STRING(pOut, "match", pCons->zMatch);
      MIG_JSON_KEY_STRING(pOut, "deferrable",
          pCons->eDefer==MIG_DEFER_IMMEDIATE ? "IMMEDIATE"
        : pCons->eDefer==MIG_DEFER_DEFERRED ? "DEFERRED" : 0);
      sqlite3_str_appendchar(pOut, 1, '}');
      break;
  }
  sqlite3_str_appendchar(pOut, 1, '}');
}

/* One object: "name", the keys of its kind, "sql". */
static void migJsonObject(sqlite3_str *pOut, MigObject *pObj){
  sqlite3_str_appendall(pOut, "{\"name\":");
  migJsonString(pOut, pObj->zName);
  switch( pObj->eType ){
    case MIG_OBJ_TABLE:
      MIG_JSON_KEY_BOOL(pOut, "strict", pObj->bStrict);
      MIG_JSON_KEY_BOOL(pOut, "without_rowid", pObj->bWithoutRowid);
      if( pObj->bRandomRowid ){       /* libSQL only: absent elsewhere */
        MIG_JSON_KEY_BOOL(pOut, "random_rowid", 1);
      }
      MIG_JSON_KEY_BOOL(pOut, "autoincrement", pObj->bAutoinc);
      MIG_JSON_KEY(pOut, "columns");
      migJsonArray(pOut, pObj->aCol, pObj->nCol, sizeof(MigColumn),
                   migJsonColumn);
      MIG_JSON_KEY(pOut, "constraints");
      migJsonArray(pOut, pObj->aCons, pObj->nCons, sizeof(MigCons),
                   migJsonConstraint);
      break;
    case MIG_OBJ_INDEX:
      MIG_JSON_KEY_STRING(pOut, "table", pObj->zTable);
      MIG_JSON_KEY_BOOL(pOut, "unique", pObj->bUnique);
      MIG_JSON_KEY(pOut, "columns");
      migJsonArray(pOut, pObj->aPart, pObj->nPart, sizeof(MigKeyPart),
                   migJsonIndexPart);
      MIG_JSON_KEY_STRING(pOut, "where", pObj->zWhere);
      break;
    case MIG_OBJ_VTAB:
      MIG_JSON_KEY_STRING(pOut, "module", pObj->zModule);
      MIG_JSON_KEY_STRING(pOut, "args", pObj->zArgs);
      break;
    case MIG_OBJ_TRIGGER:
      MIG_JSON_KEY_STRING(pOut, "table", pObj->zTable);
      MIG_JSON_KEY_STRING(pOut, "timing", pObj->zWhen);
      MIG_JSON_KEY_STRING(pOut, "event", pObj->zEvent);
      break;
  }
  MIG_JSON_KEY_STRING(pOut, "sql", pObj->zSql);
  sqlite3_str_appendchar(pOut, 1, '}');
}

/* The model as JSON, in the format described at the top of this file. */
char *migSchemaJson(Mig *p, MigSchema *pSchema){
  static const struct { const char *zKey; int eType; } aList[] = {
    { "tables",         MIG_OBJ_TABLE },
    { "virtual_tables", MIG_OBJ_VTAB },
    { "indexes",        MIG_OBJ_INDEX },
    { "views",          MIG_OBJ_VIEW },
    { "triggers",       MIG_OBJ_TRIGGER },
  };
  sqlite3_str *pOut;
  int i, j;
  if( p->rc!=SQLITE_OK || pSchema==0 ) return 0;
  pOut = sqlite3_str_new(p->db);
  sqlite3_str_appendall(pOut, "{\"schema\":");
  migJsonString(pOut, pSchema->zDb);
  for(i=0; i<(int)(sizeof(aList)/sizeof(aList[0])); i++){
    int bFirst = 1;
    sqlite3_str_appendf(pOut, ",\"%s\":", aList[i].zKey);
    sqlite3_str_appendchar(pOut, 1, '[');
    for(j=0; j<pSchema->nObj; j++){
      MigObject *pObj = pSchema->apObj[j];
      if( pObj->eType!=aList[i].eType ) continue;
      if( !bFirst ) sqlite3_str_appendchar(pOut, 1, ',');
      bFirst = 0;
      migJsonObject(pOut, pObj);
    }
    sqlite3_str_appendchar(pOut, 1, ']');
  }
  sqlite3_str_appendchar(pOut, 1, '}');
  if( sqlite3_str_errcode(pOut)==SQLITE_TOOBIG ){
    migErrorSet(p, SQLITE_TOOBIG, "the schema is too large for JSON");
  }
  return migStrFinish(p, pOut);
}

/*
** mig_schema([schema]): the schema as libmig understands it, as JSON.
*/
void migSchemaFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  Mig m;
  const char *zDb;
  MigSchema *pSchema = 0;
  char *zJson = 0;
  migCallBegin(&m, ctx, "mig_schema");
  zDb = m.zDb;
  if( argc>0 ) zDb = migArgText(&m, argv, 0, "schema");
  migRequireSchema(&m, zDb);
  pSchema = migSchemaRead(&m, zDb);
  zJson = migSchemaJson(&m, pSchema);
  if( m.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zJson, -1, sqlite3_free);
    zJson = 0;
  }
  sqlite3_free(zJson);
  migSchemaFree(pSchema);
  migCallEnd(&m, ctx);
}
