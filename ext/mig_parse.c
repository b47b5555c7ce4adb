/*
** mig_parse.c: the tokenizer and the parser of CREATE statements.
**
** SQLite keeps the text of every CREATE statement in sqlite_schema.sql,
** but not a structured form of it: which column has which DEFAULT, which
** constraint has which name, what a foreign key does ON DELETE.  The
** pragmas give part of it; this file reads the rest from the text.
**
** The tokenizer follows SQLite's lexical rules (tokenize.c): the same
** comments, quotes, numbers, blobs, variables and operators.  The parser
** is a small recursive-descent reader over a token cursor (MigParse) for
** the statements SQLite stores: CREATE TABLE (including the text that
** ALTER TABLE ADD COLUMN appends and the re-quoting RENAME does), CREATE
** VIRTUAL TABLE, CREATE INDEX, CREATE VIEW and CREATE TRIGGER.  It does
** not parse expressions or SELECT statements: those are kept as text
** spans, with balanced parentheses counted iteratively so that deep
** nesting cannot exhaust the stack.  Every loop stops at the end of the
** input, so garbage text yields an error, never a crash.
**
** Canonical text (migCanonical) is libmig's own format, used only to
** compare two spellings of the same thing, never run as SQL: tokens
** without spaces or comments, joined by one space; names dequoted,
** folded to lower case (ASCII only, as SQLite folds them) and written
** as "name"; strings and numbers as written; blobs as x'HEX'; "==" as
** "=" and "!=" as "<>".  migCanonicalExpr also removes redundant outer
** parentheses, so DEFAULT 0 and DEFAULT (0) compare equal.
*/
#include "mig_int.h"

/*************************************************************************
** The tokenizer.
*/

/* Byte classes, one lookup instead of a chain of compares on the hot
** path: MIG_CC_SPACE as migIsSpace(), MIG_CC_IDSTART for bytes that may
** start a bare identifier (letters, "_", every byte of a multi-byte
** UTF-8 character), MIG_CC_IDCHAR for bytes that may continue one (those
** and digits and "$"). */
#define MIG_CC_SPACE   1
#define MIG_CC_IDSTART 2
#define MIG_CC_IDCHAR  4
static const unsigned char aMigCharClass[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0,
  0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 6,
  0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 0,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
  6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
};

static int migIsIdChar(unsigned char c){
  return (aMigCharClass[c] & MIG_CC_IDCHAR)!=0;
}

static int migIsIdStart(unsigned char c){
  return (aMigCharClass[c] & MIG_CC_IDSTART)!=0;
}

static int migIsDigit(unsigned char c){ return c>='0' && c<='9'; }

static int migIsXDigit(unsigned char c){
  return migIsDigit(c) || (c>='a' && c<='f') || (c>='A' && c<='F');
}

/* White space inside a run: SQLite's run of white space goes on through
** a vertical tab (its sqlite3Isspace()), although a vertical tab cannot
** start one (an illegal token there). */
static int migIsSpace(unsigned char c){
  return c==' ' || c=='\t' || c=='\n' || c=='\f' || c=='\r' || c=='\v';
}

static unsigned char migToLower(unsigned char c){
  return (c>='A' && c<='Z') ? c + ('a'-'A') : c;
}

static unsigned char migToUpper(unsigned char c){
  return (c>='a' && c<='z') ? c - ('a'-'A') : c;
}

/*
** The token at z, reading at most n bytes (a NUL also ends the input).
** Returns its length and sets *peType.  Bounded so that a span of a
** larger text can be tokenized on its own without reading past it.
*/
static int migTokenN(const unsigned char *z, int n, int *peType){
  int i;
  unsigned char c;
#define MIG_AT(I) ((I)<n ? z[I] : 0)
  c = MIG_AT(0);
  if( c==0 ){
    *peType = MIG_TK_EOF;
    return 0;
  }
  *peType = MIG_TK_PUNCT;
  switch( c ){
    case ' ': case '\t': case '\n': case '\f': case '\r':
      for(i=1; migIsSpace(MIG_AT(i)); i++){}
      *peType = MIG_TK_SPACE;
      return i;
    case '-':
      if( MIG_AT(1)=='-' ){
        for(i=2; (c=MIG_AT(i))!=0 && c!='\n'; i++){}
        *peType = MIG_TK_SPACE;
        return i;
      }
      if( MIG_AT(1)=='>' ) return MIG_AT(2)=='>' ? 3 : 2;
      return 1;
    case '/':
      if( MIG_AT(1)=='*' ){
        for(i=2; (c=MIG_AT(i))!=0; i++){
          if( c=='*' && MIG_AT(i+1)=='/' ){ i += 2; break; }
        }
        *peType = MIG_TK_SPACE;
        return i;
      }
      return 1;
    case '(': case ')': case ';': case '+': case '*': case '%':
    case ',': case '&': case '~':
      return 1;
    case '=':
      return MIG_AT(1)=='=' ? 2 : 1;
    case '<':
      c = MIG_AT(1);
      return (c=='=' || c=='>' || c=='<') ? 2 : 1;
    case '>':
      c = MIG_AT(1);
      return (c=='=' || c=='>') ? 2 : 1;
    case '!':
      if( MIG_AT(1)=='=' ) return 2;
      *peType = MIG_TK_ILLEGAL;
      return 1;
    case '|':
      return MIG_AT(1)=='|' ? 2 : 1;
    case '\'': case '"': case '`': {
      unsigned char q = c;
      for(i=1; (c=MIG_AT(i))!=0; i++){
        if( c==q ){
          if( MIG_AT(i+1)==q ){
            i++;
          }else{
            *peType = (q=='\'') ? MIG_TK_STRING : MIG_TK_QID;
            return i+1;
          }
        }
      }
      *peType = MIG_TK_ILLEGAL;
      return i;
    }
    case '[':
      for(i=1; (c=MIG_AT(i))!=0; i++){
        if( c==']' ){
          *peType = MIG_TK_QID;
          return i+1;
        }
      }
      *peType = MIG_TK_ILLEGAL;
      return i;
    case '.':
      if( !migIsDigit(MIG_AT(1)) ) return 1;
      /* fall through - a number like .5 */
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      *peType = MIG_TK_NUMBER;
      if( c=='0' && (MIG_AT(1)=='x' || MIG_AT(1)=='X')
       && migIsXDigit(MIG_AT(2)) ){
        for(i=3; migIsXDigit(MIG_AT(i)); i++){}
      }else{
        for(i=0; migIsDigit(MIG_AT(i)); i++){}
        if( MIG_AT(i)=='.' ){
          for(i++; migIsDigit(MIG_AT(i)); i++){}
        }
        c = MIG_AT(i);
        if( (c=='e' || c=='E')
         && (migIsDigit(MIG_AT(i+1))
          || ((MIG_AT(i+1)=='+' || MIG_AT(i+1)=='-')
              && migIsDigit(MIG_AT(i+2)))) ){
          for(i+=2; migIsDigit(MIG_AT(i)); i++){}
        }
      }
      /* "123abc" is one illegal token, as in SQLite */
      while( migIsIdChar(MIG_AT(i)) ){
        *peType = MIG_TK_ILLEGAL;
        i++;
      }
      return i;
    case '?':
      for(i=1; migIsDigit(MIG_AT(i)); i++){}
      *peType = MIG_TK_VARIABLE;
      return i;
    case '$': case '@': case ':': case '#':
      for(i=1; migIsIdChar(MIG_AT(i)); i++){}
      *peType = (i>1) ? MIG_TK_VARIABLE : MIG_TK_ILLEGAL;
      return i;
    case 'x': case 'X':
      if( MIG_AT(1)=='\'' ){
        for(i=2; migIsXDigit(MIG_AT(i)); i++){}
        if( MIG_AT(i)=='\'' && (i%2)==0 ){
          *peType = MIG_TK_BLOB;
          return i+1;
        }
        while( (c=MIG_AT(i))!=0 && c!='\'' ) i++;
        if( c ) i++;
        *peType = MIG_TK_ILLEGAL;
        return i;
      }
      break;
    default:
      break;
  }
  if( migIsIdStart(c) ){
    for(i=1; migIsIdChar(MIG_AT(i)); i++){}
    *peType = MIG_TK_ID;
    return i;
  }
  *peType = MIG_TK_ILLEGAL;
  return 1;
#undef MIG_AT
}

/* The token at z in a NUL-terminated text. */
int migGetToken(const unsigned char *z, int *peType){
  return migTokenN(z, 0x7fffffff, peType);
}

/*
** Copy a token with its quotes removed: "a""b" -> a"b, [a b] -> a b,
** 'it''s' -> it's.  Anything else (a bare word) is copied as it is.
*/
char *migDequote(Mig *p, MigArena *pA, const char *z, int n){
  char *zOut;
  unsigned char q;
  int i, j;
  if( z==0 ) return 0;
  if( n<0 ) n = (int)strlen(z);
  q = n>0 ? (unsigned char)z[0] : 0;
  if( q!='"' && q!='\'' && q!='`' && q!='[' ){
    return migArenaStrndup(p, pA, z, n);
  }
  zOut = migArenaAlloc(p, pA, (i64)n+1);
  if( zOut==0 ) return 0;
  if( q=='[' ){
    int nBody = n-1;
    if( nBody>0 && z[n-1]==']' ) nBody--;
    memcpy(zOut, &z[1], nBody);
    zOut[nBody] = 0;
    return zOut;
  }
  for(i=1, j=0; i<n; i++){
    if( (unsigned char)z[i]==q ){
      if( i+1<n && (unsigned char)z[i+1]==q ){
        i++;
      }else{
        break;              /* the closing quote */
      }
    }
    zOut[j++] = z[i];
  }
  zOut[j] = 0;
  return zOut;
}

/*************************************************************************
** Canonical text.
*/

/* Write the canonical form of one significant token at zOut; returns the
** number of bytes written, at most 2*nTok+3 (see migCanonical). */
static int migCanonToken(char *zOut, const char *z, int nTok, int eType){
  int j = 0;
  int i;
  if( eType==MIG_TK_ID || eType==MIG_TK_QID ){
    int iStart = 0, iEnd = nTok;
    unsigned char q = 0;
    if( eType==MIG_TK_QID && nTok>=2 ){
      q = (unsigned char)z[0];
      iStart = 1;
      iEnd = nTok-1;
    }
    zOut[j++] = '"';
    for(i=iStart; i<iEnd; i++){
      unsigned char c = (unsigned char)z[i];
      if( q!=0 && q!='[' && c==q ) i++;        /* undouble "" or `` */
      if( c=='"' ) zOut[j++] = '"';           /* double " again */
      zOut[j++] = (char)migToLower(c);
    }
    zOut[j++] = '"';
  }else if( eType==MIG_TK_BLOB ){
    zOut[j++] = 'x';
    for(i=1; i<nTok; i++) zOut[j++] = (char)migToUpper((unsigned char)z[i]);
  }else if( eType==MIG_TK_PUNCT && nTok==2 && z[0]=='=' && z[1]=='=' ){
    zOut[j++] = '=';
  }else if( eType==MIG_TK_PUNCT && nTok==2 && z[0]=='!' && z[1]=='=' ){
    zOut[j++] = '<';
    zOut[j++] = '>';
  }else{
    memcpy(zOut, z, nTok);
    j = nTok;
  }
  return j;
}

/*
** Canonical text of the tokens in z[0..n).  Each token of length L
** becomes at most 2L+2 bytes plus a separator, and a bare word (the only
** token that gains quotes without having any) at most L+3, so 4n+1
** bytes of scratch space always suffice.
*/
char *migCanonical(Mig *p, MigArena *pA, const char *z, int n){
  char aStack[512];      /* scratch for short texts (most DEFAULTs) */
  char *zBuf = aStack;
  char *zRet;
  int i = 0, j = 0;
  if( p->rc!=SQLITE_OK || z==0 ) return 0;
  if( n<0 ) n = (int)strlen(z);
  if( (i64)n*4 + 16 > (i64)sizeof(aStack) ){
    zBuf = migMalloc(p, (i64)n*4 + 16);
    if( zBuf==0 ) return 0;
  }
  while( i<n ){
    int eType;
    int nTok = migTokenN((const unsigned char*)&z[i], n-i, &eType);
    if( eType==MIG_TK_EOF ) break;
    if( eType!=MIG_TK_SPACE ){
      if( j>0 ) zBuf[j++] = ' ';
      j += migCanonToken(&zBuf[j], &z[i], nTok, eType);
    }
    i += nTok;
  }
  zBuf[j] = 0;
  zRet = migArenaStrndup(p, pA, zBuf, j);
  if( zBuf!=aStack ) sqlite3_free(zBuf);
  return zRet;
}

/* True if the token is the single punctuation character c. */
static int migIsPunct(const char *z, int nTok, int eType, char c){
  return eType==MIG_TK_PUNCT && nTok==1 && z[0]==c;
}

/*
** Like migCanonical, but without redundant outer parentheses: "((a))"
** gives the same text as "a", "(a)+(b)" keeps its parentheses.
**
** One pass finds L, the run of "(" at the start, R, the run of ")" at the
** end, and the smallest nesting depth reached by any token between them.
** The k outermost pairs enclose everything exactly when k is at most all
** three, so k = min(L, R, that depth) pairs go, without rescanning.
*/
char *migCanonicalExpr(Mig *p, MigArena *pA, const char *z, int n){
  int i, nTok, eType;
  int nSig = 0;         /* significant tokens seen */
  int nLead = 0;        /* "(" tokens that start the text */
  int bLead = 1;        /* still in that leading run */
  int nTrail = 0;       /* ")" tokens since the last other token */
  int iDepth = 0;
  int bBad = 0;         /* depth went negative */
  int mRun = 0x7fffffff;  /* min depth since the leading run */
  int mMid = 0x7fffffff;  /* min depth up to the last non-")" token */
  int nStrip;
  int iStart = 0, iEnd = 0;
  if( p->rc!=SQLITE_OK || z==0 ) return 0;
  if( n<0 ) n = (int)strlen(z);

  for(i=0; i<n; i+=nTok){
    nTok = migTokenN((const unsigned char*)&z[i], n-i, &eType);
    if( eType==MIG_TK_EOF ) break;
    if( eType==MIG_TK_SPACE ) continue;
    nSig++;
    if( migIsPunct(&z[i], nTok, eType, '(') ){
      iDepth++;
    }else if( migIsPunct(&z[i], nTok, eType, ')') ){
      iDepth--;
      if( iDepth<0 ) bBad = 1;
    }
    if( bLead && migIsPunct(&z[i], nTok, eType, '(') ){
      nLead++;
      continue;
    }
    bLead = 0;
    if( iDepth<mRun ) mRun = iDepth;
    if( migIsPunct(&z[i], nTok, eType, ')') ){
      nTrail++;
    }else{
      nTrail = 0;
      mMid = mRun;
    }
  }
  nStrip = nLead<nTrail ? nLead : nTrail;
  if( mMid<nStrip ) nStrip = mMid;
  if( mMid==0x7fffffff && nStrip>0 ) nStrip--;  /* "(())": keep one pair */
  if( bBad || iDepth!=0 || nStrip<=0 ){
    return migCanonical(p, pA, z, n);
  }

  /* Second pass: the text between the nStrip-th "(" and the nStrip-th ")"
  ** from the end. */
  {
    int iTok = 0;
    for(i=0; i<n; i+=nTok){
      nTok = migTokenN((const unsigned char*)&z[i], n-i, &eType);
      if( eType==MIG_TK_EOF ) break;
      if( eType==MIG_TK_SPACE ) continue;
      iTok++;
      if( iTok==nStrip ) iStart = i+nTok;
      if( iTok==nSig-nStrip ){
        iEnd = i+nTok;
        break;
      }
    }
  }
  return migCanonical(p, pA, &z[iStart], iEnd-iStart);
}

/*************************************************************************
** The parser: a cursor over the significant tokens of one statement.
**
** Lists of unknown length (columns, constraints, key parts, names) grow
** in scratch arrays from sqlite3_malloc and are copied into the arena
** once complete, so that the arena holds no abandoned copies.
*/
typedef struct MigParse MigParse;
struct MigParse {
  Mig *p;               /* error handle */
  MigArena *pA;         /* arena of the model being built */
  const char *z;        /* NUL-terminated text being parsed */
  int n;                /* its length in bytes */
  int iTok;             /* offset of the current significant token */
  int nTok;             /* its length (0 at the end) */
  int eTok;             /* its MIG_TK_* type */
  unsigned char cKw;    /* first byte in upper case if MIG_TK_ID, else 0 */
  unsigned char cKw2;   /* and the second (0 if none): together they
                        ** reject most keyword tests without a loop */
  int iPrevEnd;         /* offset just past the previous significant token */
  const char *zWhat;    /* "CREATE statement" or "column definition" */
  const char *zObj;     /* the object's name, for errors, once known */
  int iAfterName;       /* offset of the first token after that name */
  int bAutoinc;         /* some PRIMARY KEY has AUTOINCREMENT */
  MigColumn *aCol;      /* scratch: columns */
  int nCol, nColAlloc;
  MigCons *aCons;       /* scratch: constraints */
  int nCons, nConsAlloc;
  MigKeyPart *aPart;    /* scratch: key parts of one constraint or index */
  int nPart, nPartAlloc;
  char **azStr;         /* scratch: a list of names */
  int nStr, nStrAlloc;
};

/* Room for one more element in a scratch array: returns the (possibly
** moved) array with element nUsed zeroed, or NULL after setting
** SQLITE_NOMEM.  Only that element is zeroed, not the whole new room:
** every caller takes exactly element nUsed next.  16 to start, so that
** a typical table's columns need a single allocation. */
static void *migParseGrow(MigParse *pP, void *a, int *pnAlloc, int nUsed,
                          int szElem){
  if( pP->p->rc!=SQLITE_OK ) return 0;
  if( nUsed>=*pnAlloc ){
    int nNew = *pnAlloc ? *pnAlloc*2 : 16;
    void *aNew = sqlite3_realloc64(a, (i64)nNew*szElem);
    if( aNew==0 ){
      migErrorSet(pP->p, SQLITE_NOMEM, 0);
      return 0;
    }
    a = aNew;
    *pnAlloc = nNew;
  }
  memset((char*)a + (i64)nUsed*szElem, 0, szElem);
  return a;
}

static void migParseFree(MigParse *pP){
  sqlite3_free(pP->aCol);
  sqlite3_free(pP->aCons);
  sqlite3_free(pP->aPart);
  sqlite3_free(pP->azStr);
  pP->aCol = 0;
  pP->aCons = 0;
  pP->aPart = 0;
  pP->azStr = 0;
}

/* True while parsing may go on: no error and not at the end. */
static int migParseOk(MigParse *pP){
  return pP->p->rc==SQLITE_OK && pP->eTok!=MIG_TK_EOF;
}

/*
** Move to the next significant token.  Stays put at the end.  Plain
** white space and bare words (most of a schema) are read here without
** the general tokenizer: the text is NUL-terminated at pP->n, so no
** bound is needed.  Everything else goes to migTokenN().
*/
static void migParseNext(MigParse *pP){
  const unsigned char *z = (const unsigned char*)pP->z;
  int i;
  if( pP->eTok==MIG_TK_EOF ) return;
  i = pP->iTok + pP->nTok;
  if( pP->nTok>0 ) pP->iPrevEnd = i;
  for(;;){
    int eType, nTok;
    unsigned char c = z[i];
    if( aMigCharClass[c] & MIG_CC_SPACE ){
      for(i++; migIsSpace(z[i]); i++){}
      continue;
    }
    if( migIsIdStart(c) && !((c=='x' || c=='X') && z[i+1]=='\'') ){
      int j;
      for(j=i+1; migIsIdChar(z[j]); j++){}
      pP->iTok = i;
      pP->nTok = j - i;
      pP->eTok = MIG_TK_ID;
      pP->cKw = migToUpper(c);
      pP->cKw2 = (j - i)>1 ? migToUpper(z[i+1]) : 0;
      return;
    }
    nTok = migTokenN(&z[i], pP->n - i, &eType);
    if( eType!=MIG_TK_SPACE ){
      pP->iTok = i;
      pP->nTok = nTok;
      pP->eTok = eType;
      pP->cKw = 0;
      pP->cKw2 = 0;
      return;
    }
    i += nTok;
  }
}

static void migParseInit(MigParse *pP, Mig *p, MigArena *pA,
                         const char *z, const char *zWhat){
  memset(pP, 0, sizeof(*pP));
  pP->p = p;
  pP->pA = pA;
  pP->z = z;
  pP->n = (int)strlen(z);
  pP->zWhat = zWhat;
  pP->eTok = MIG_TK_SPACE;
  migParseNext(pP);
}

/*
** Record a syntax error at the current token, then jump to the end of
** the input so that every loop of the parser stops.
*/
static void migParseError(MigParse *pP, const char *zFmt, ...){
  char *zMsg;
  va_list ap;
  va_start(ap, zFmt);
  zMsg = migVMprintf(pP->p, zFmt, ap);
  va_end(ap);
  if( zMsg ){
    const char *zOf = pP->zObj ? " of " : "";
    const char *zObj = pP->zObj ? pP->zObj : "";
    if( pP->eTok==MIG_TK_EOF ){
      migError(pP->p, "cannot parse the %s%s%s: %s at the end of the "
          "statement", pP->zWhat, zOf, zObj, zMsg);
    }else{
      /* Show at most 40 bytes of the token, not splitting a character */
      int nNear = pP->nTok;
      if( nNear>40 ){
        nNear = 40;
        while( nNear>0 && (pP->z[pP->iTok+nNear] & 0xc0)==0x80 ) nNear--;
      }
      migError(pP->p, "cannot parse the %s%s%s: %s near \"%.*s\"",
          pP->zWhat, zOf, zObj, zMsg, nNear, &pP->z[pP->iTok]);
    }
    sqlite3_free(zMsg);
  }
  pP->eTok = MIG_TK_EOF;
  pP->nTok = 0;
  pP->cKw = 0;
  pP->cKw2 = 0;
}

/* True if the token z[0..n) of type eType is the keyword zKw (given in
** upper case, letters A-Z only), in any case.  Clearing bit 0x20 folds
** exactly a and A to A; the NUL that ends zKw never matches, since no
** byte of a bare word folds to 0, so the loop stops there. */
static int migTokIsKw(const char *z, int n, int eType, const char *zKw){
  int i;
  if( eType!=MIG_TK_ID ) return 0;
  for(i=0; i<n; i++){
    if( ((unsigned char)z[i] & 0xdf)!=(unsigned char)zKw[i] ) return 0;
  }
  return zKw[i]==0;
}

/* True if the current token is the keyword zKw.  The first two bytes
** are tested before the loop: most tests are of words that differ
** there.  (zKw[1] exists: cKw is never 0 for a bare word.) */
static inline int migParseIsKw(MigParse *pP, const char *zKw){
  return pP->cKw==(unsigned char)zKw[0]
      && pP->cKw2==(unsigned char)zKw[1]
      && migTokIsKw(&pP->z[pP->iTok], pP->nTok, pP->eTok, zKw);
}

/* True if the token after the current one is the keyword zKw. */
static int migParsePeekKw(MigParse *pP, const char *zKw){
  int i = pP->iTok + pP->nTok;
  int eType, nTok;
  if( pP->eTok==MIG_TK_EOF ) return 0;
  for(;;){
    nTok = migTokenN((const unsigned char*)&pP->z[i], pP->n - i, &eType);
    if( eType!=MIG_TK_SPACE ) break;
    i += nTok;
  }
  return migTokIsKw(&pP->z[i], nTok, eType, zKw);
}

/* Consume the keyword zKw if it is the current token. */
static int migParseAcceptKw(MigParse *pP, const char *zKw){
  if( migParseIsKw(pP, zKw) ){
    migParseNext(pP);
    return 1;
  }
  return 0;
}

static void migParseExpectKw(MigParse *pP, const char *zKw){
  if( !migParseAcceptKw(pP, zKw) ){
    migParseError(pP, "expected %s", zKw);
  }
}

static int migParseIsPunct(MigParse *pP, char c){
  return migIsPunct(&pP->z[pP->iTok], pP->nTok, pP->eTok, c);
}

static int migParseAcceptPunct(MigParse *pP, char c){
  if( migParseIsPunct(pP, c) ){
    migParseNext(pP);
    return 1;
  }
  return 0;
}

static void migParseExpectPunct(MigParse *pP, char c){
  if( !migParseAcceptPunct(pP, c) ){
    migParseError(pP, "expected \"%c\"", c);
  }
}

/* An arena copy of z[iStart..iEnd), or NULL if empty. */
static char *migParseText(MigParse *pP, int iStart, int iEnd){
  if( iEnd<=iStart ) return 0;
  return migArenaStrndup(pP->p, pP->pA, &pP->z[iStart], iEnd-iStart);
}

/* An arena copy of z in upper case (ASCII). */
static char *migParseUpper(MigParse *pP, const char *z){
  char *zRet = migArenaStrndup(pP->p, pP->pA, z, -1);
  int i;
  for(i=0; zRet && zRet[i]; i++){
    zRet[i] = (char)migToUpper((unsigned char)zRet[i]);
  }
  return zRet;
}

/*
** A name: a bare word, a quoted name or a string (SQLite accepts all
** three).  Returns it dequoted and moves past it.
*/
static char *migParseName(MigParse *pP, const char *zWhat){
  char *zRet = 0;
  if( pP->eTok==MIG_TK_ID || pP->eTok==MIG_TK_QID
   || pP->eTok==MIG_TK_STRING ){
    zRet = migDequote(pP->p, pP->pA, &pP->z[pP->iTok], pP->nTok);
    migParseNext(pP);
  }else{
    migParseError(pP, "expected %s", zWhat);
  }
  return zRet;
}

/* [schema.]name: returns the name, dequoted. */
static char *migParseQualifiedName(MigParse *pP, const char *zWhat){
  char *zRet = migParseName(pP, zWhat);
  if( migParseAcceptPunct(pP, '.') ){
    zRet = migParseName(pP, zWhat);
  }
  return zRet;
}

/*
** At "(": move past the balanced group it opens.  *pInner receives the
** text inside without surrounding space and comments, *pRaw (if not
** NULL) the text inside exactly.  Depth is a counter, not recursion.
*/
static void migParseSkipParens(MigParse *pP, MigSpan *pInner, MigSpan *pRaw){
  int iDepth = 1;
  int iOpenEnd, iFirst = -1;
  memset(pInner, 0, sizeof(*pInner));
  if( pRaw ) memset(pRaw, 0, sizeof(*pRaw));
  if( !migParseIsPunct(pP, '(') ){
    migParseError(pP, "expected \"(\"");
    return;
  }
  iOpenEnd = pP->iTok + 1;
  migParseNext(pP);
  while( migParseOk(pP) ){
    if( migParseIsPunct(pP, '(') ){
      iDepth++;
    }else if( migParseIsPunct(pP, ')') ){
      if( --iDepth==0 ) break;
    }
    if( iFirst<0 ) iFirst = pP->iTok;
    migParseNext(pP);
  }
  if( !migParseOk(pP) ){
    migParseError(pP, "unbalanced parentheses");
    return;
  }
  if( iFirst>=0 ){
    pInner->iStart = iFirst;
    pInner->n = pP->iPrevEnd - iFirst;
  }else{
    pInner->iStart = iOpenEnd;
  }
  if( pRaw ){
    pRaw->iStart = iOpenEnd;
    pRaw->n = pP->iTok - iOpenEnd;
  }
  migParseNext(pP);           /* past the ")" */
}

/* [ON CONFLICT ROLLBACK|ABORT|FAIL|IGNORE|REPLACE] */
static int migParseConflict(MigParse *pP){
  static const char *const azConf[] = {
    "ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"
  };
  int i;
  if( !migParseIsKw(pP, "ON") ) return MIG_CONF_NONE;
  migParseNext(pP);
  migParseExpectKw(pP, "CONFLICT");
  for(i=0; i<5; i++){
    if( migParseAcceptKw(pP, azConf[i]) ) return MIG_CONF_ROLLBACK + i;
  }
  migParseError(pP, "expected ROLLBACK, ABORT, FAIL, IGNORE or REPLACE");
  return MIG_CONF_NONE;
}

/* A new constraint at the end of the scratch list, or NULL (NOMEM). */
static MigCons *migParseNewCons(MigParse *pP, int eType, char *zName,
                                int iStart){
  MigCons *aNew = migParseGrow(pP, pP->aCons, &pP->nConsAlloc, pP->nCons,
                               sizeof(MigCons));
  MigCons *pCons;
  if( aNew==0 ) return 0;
  pP->aCons = aNew;
  pCons = &aNew[pP->nCons++];
  pCons->eType = eType;
  pCons->zName = zName;
  pCons->span.iStart = iStart;
  return pCons;
}

/* Append a key part naming a column to the scratch list. */
static MigKeyPart *migParseNewPart(MigParse *pP){
  MigKeyPart *aNew = migParseGrow(pP, pP->aPart, &pP->nPartAlloc, pP->nPart,
                                  sizeof(MigKeyPart));
  if( aNew==0 ) return 0;
  pP->aPart = aNew;
  memset(&aNew[pP->nPart], 0, sizeof(MigKeyPart));   /* slots are reused */
  return &aNew[pP->nPart++];
}

/* Move the scratch key parts into the arena. */
static MigKeyPart *migParseTakeParts(MigParse *pP, int *pnPart){
  MigKeyPart *aRet = 0;
  *pnPart = 0;
  if( pP->nPart>0 ){
    aRet = migArenaAlloc(pP->p, pP->pA, sizeof(MigKeyPart)*(i64)pP->nPart);
    if( aRet ){
      memcpy(aRet, pP->aPart, sizeof(MigKeyPart)*(i64)pP->nPart);
      *pnPart = pP->nPart;
    }
  }
  pP->nPart = 0;
  return aRet;
}

static void migParsePushStr(MigParse *pP, char *z){
  char **azNew = migParseGrow(pP, pP->azStr, &pP->nStrAlloc, pP->nStr,
                              sizeof(char*));
  if( azNew==0 ) return;
  pP->azStr = azNew;
  azNew[pP->nStr++] = z;
}

/* Move the scratch names into the arena. */
static char **migParseTakeStrs(MigParse *pP, int *pnStr){
  char **azRet = 0;
  *pnStr = 0;
  if( pP->nStr>0 ){
    azRet = migArenaAlloc(pP->p, pP->pA, sizeof(char*)*(i64)pP->nStr);
    if( azRet ){
      memcpy(azRet, pP->azStr, sizeof(char*)*(i64)pP->nStr);
      *pnStr = pP->nStr;
    }
  }
  pP->nStr = 0;
  return azRet;
}

/* A one-part key naming column zCol, in the arena. */
static MigKeyPart *migParseColumnPart(MigParse *pP, char *zCol, int bDesc){
  MigKeyPart *pPart = migArenaAlloc(pP->p, pP->pA, sizeof(MigKeyPart));
  if( pPart ){
    pPart->zCol = zCol;
    pPart->bDesc = bDesc;
  }
  return pPart;
}

/*
** After "(": the terms of a PRIMARY KEY, UNIQUE or index, each
** "expr [COLLATE name] [ASC|DESC]", through the closing ")", into the
** scratch key parts.  A term that is a single name is a column.  When
** pbAutoinc is not NULL, AUTOINCREMENT may end the list (SQLite accepts
** "PRIMARY KEY(a AUTOINCREMENT)").
**
** Expressions are not parsed: the tokens of a term are scanned to the
** "," or ")" at depth 0, remembering the last few, and the optional
** suffixes are then taken off its end.
*/
#define MIG_TAIL 5
static void migParseKeyParts(MigParse *pP, int *pbAutoinc){
  struct { int i, n, e, d; } aTail[MIG_TAIL];   /* newest last */
  memset(aTail, 0, sizeof(aTail));
  for(;;){
    int nTerm = 0;            /* tokens in this term */
    int iStart = pP->iTok;
    int iDepth = 0;
    int nTail;
    MigKeyPart *pPart;
    if( !migParseOk(pP) ){
      migParseError(pP, "expected a column or an expression");
      return;
    }
    while( migParseOk(pP) ){
      if( iDepth==0 && (migParseIsPunct(pP, ',') || migParseIsPunct(pP, ')')) ){
        break;
      }
      if( migParseIsPunct(pP, '(') ) iDepth++;
      if( migParseIsPunct(pP, ')') ) iDepth--;
      memmove(&aTail[0], &aTail[1], sizeof(aTail[0])*(MIG_TAIL-1));
      aTail[MIG_TAIL-1].i = pP->iTok;
      aTail[MIG_TAIL-1].n = pP->nTok;
      aTail[MIG_TAIL-1].e = pP->eTok;
      aTail[MIG_TAIL-1].d = iDepth;
      nTerm++;
      migParseNext(pP);
    }
    if( !migParseOk(pP) ){
      migParseError(pP, "expected \")\"");
      return;
    }
    if( nTerm==0 ){
      migParseError(pP, "expected a column or an expression");
      return;
    }
    pPart = migParseNewPart(pP);
    if( pPart==0 ) return;
    nTail = nTerm<MIG_TAIL ? nTerm : MIG_TAIL;
#define MIG_TAILKW(K, KW) (aTail[MIG_TAIL-(K)].d==0 && migTokIsKw( \
        &pP->z[aTail[MIG_TAIL-(K)].i], aTail[MIG_TAIL-(K)].n, \
        aTail[MIG_TAIL-(K)].e, KW))
    if( pbAutoinc && migParseIsPunct(pP, ')') && nTerm>1
     && MIG_TAILKW(1, "AUTOINCREMENT") ){
      *pbAutoinc = 1;
      memmove(&aTail[1], &aTail[0], sizeof(aTail[0])*(MIG_TAIL-1));
      nTerm--; nTail--;
    }
    if( nTerm>1 && nTail>=1 && (MIG_TAILKW(1, "ASC") || MIG_TAILKW(1, "DESC")) ){
      pPart->bDesc = MIG_TAILKW(1, "DESC");
      memmove(&aTail[1], &aTail[0], sizeof(aTail[0])*(MIG_TAIL-1));
      nTerm--; nTail--;
    }
    if( nTerm>2 && nTail>=2 && MIG_TAILKW(2, "COLLATE") ){
      int e = aTail[MIG_TAIL-1].e;
      if( e==MIG_TK_ID || e==MIG_TK_QID || e==MIG_TK_STRING ){
        pPart->zCollate = migDequote(pP->p, pP->pA,
            &pP->z[aTail[MIG_TAIL-1].i], aTail[MIG_TAIL-1].n);
        memmove(&aTail[2], &aTail[0], sizeof(aTail[0])*(MIG_TAIL-2));
        nTerm -= 2; nTail -= 2;
      }
    }
#undef MIG_TAILKW
    if( nTail<1 ){
      /* More suffix tokens than remembered: cannot happen for valid SQL */
      migParseError(pP, "cannot read the term");
      return;
    }
    if( nTerm==1 && (aTail[MIG_TAIL-1].e==MIG_TK_ID
                  || aTail[MIG_TAIL-1].e==MIG_TK_QID
                  || aTail[MIG_TAIL-1].e==MIG_TK_STRING) ){
      pPart->zCol = migDequote(pP->p, pP->pA, &pP->z[iStart],
                               aTail[MIG_TAIL-1].n);
    }else{
      int iEnd = aTail[MIG_TAIL-1].i + aTail[MIG_TAIL-1].n;
      pPart->zExpr = migParseText(pP, iStart, iEnd);
      pPart->zExprCanon = migCanonicalExpr(pP->p, pP->pA, &pP->z[iStart],
                                           iEnd-iStart);
    }
    if( migParseAcceptPunct(pP, ',') ) continue;
    migParseExpectPunct(pP, ')');
    break;
  }
}

/* After "(": a list of names through ")" into the scratch names. */
static void migParseNameList(MigParse *pP, const char *zWhat){
  for(;;){
    migParsePushStr(pP, migParseName(pP, zWhat));
    if( pP->p->rc!=SQLITE_OK ) break;
    if( migParseAcceptPunct(pP, ',') ) continue;
    migParseExpectPunct(pP, ')');
    break;
  }
}

/* SET NULL | SET DEFAULT | CASCADE | RESTRICT | NO ACTION */
static char *migParseFkAction(MigParse *pP){
  const char *zAct = 0;
  if( migParseAcceptKw(pP, "SET") ){
    if( migParseAcceptKw(pP, "NULL") ) zAct = "SET NULL";
    else if( migParseAcceptKw(pP, "DEFAULT") ) zAct = "SET DEFAULT";
  }else if( migParseAcceptKw(pP, "CASCADE") ){
    zAct = "CASCADE";
  }else if( migParseAcceptKw(pP, "RESTRICT") ){
    zAct = "RESTRICT";
  }else if( migParseAcceptKw(pP, "NO") ){
    if( migParseAcceptKw(pP, "ACTION") ) zAct = "NO ACTION";
  }
  if( zAct==0 ){
    migParseError(pP,
        "expected SET NULL, SET DEFAULT, CASCADE, RESTRICT or NO ACTION");
    return 0;
  }
  return migArenaStrndup(pP->p, pP->pA, zAct, -1);
}

/* True at the start of a DEFERRABLE clause. */
static int migParseIsDefer(MigParse *pP){
  return migParseIsKw(pP, "DEFERRABLE")
      || (migParseIsKw(pP, "NOT") && migParsePeekKw(pP, "DEFERRABLE"));
}

/* [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]: returns MIG_DEFER_* */
static int migParseDefer(MigParse *pP){
  int bNot = migParseAcceptKw(pP, "NOT");
  int eDefer = MIG_DEFER_IMMEDIATE;
  migParseExpectKw(pP, "DEFERRABLE");
  if( migParseAcceptKw(pP, "INITIALLY") ){
    if( migParseAcceptKw(pP, "DEFERRED") ){
      eDefer = MIG_DEFER_DEFERRED;
    }else if( !migParseAcceptKw(pP, "IMMEDIATE") ){
      migParseError(pP, "expected DEFERRED or IMMEDIATE");
    }
  }
  return bNot ? MIG_DEFER_NONE : eDefer;
}

/*
** After REFERENCES: parent [(cols)] [ON DELETE|UPDATE action]...
** [MATCH name] [[NOT] DEFERRABLE ...], into the constraint at index
** iCons (an index: the scratch array may move meanwhile).
*/
static void migParseFkClause(MigParse *pP, int iCons){
  char *zParent;
  char *zDel = 0, *zUpd = 0, *zMatch = 0;
  int eDefer = MIG_DEFER_NONE;
  int nParentCol = 0;
  char **azParentCol = 0;
  MigCons *pCons;

  zParent = migParseName(pP, "the parent table");
  if( migParseAcceptPunct(pP, '(') ){
    pP->nStr = 0;
    migParseNameList(pP, "a parent column");
    azParentCol = migParseTakeStrs(pP, &nParentCol);
  }
  while( migParseOk(pP) ){
    if( migParseIsKw(pP, "ON") ){
      migParseNext(pP);
      if( migParseAcceptKw(pP, "DELETE") ){
        zDel = migParseFkAction(pP);
      }else if( migParseAcceptKw(pP, "UPDATE") ){
        zUpd = migParseFkAction(pP);
      }else if( migParseAcceptKw(pP, "INSERT") ){
        migParseFkAction(pP);      /* accepted and ignored by SQLite */
      }else{
        migParseError(pP, "expected DELETE or UPDATE");
      }
    }else if( migParseAcceptKw(pP, "MATCH") ){
      char *zName = migParseName(pP, "a MATCH type");
      if( zName ) zMatch = migParseUpper(pP, zName);
    }else{
      break;
    }
  }
  if( migParseIsDefer(pP) ) eDefer = migParseDefer(pP);
  if( zDel==0 ) zDel = migArenaStrndup(pP->p, pP->pA, "NO ACTION", -1);
  if( zUpd==0 ) zUpd = migArenaStrndup(pP->p, pP->pA, "NO ACTION", -1);
  if( pP->p->rc!=SQLITE_OK ) return;
  pCons = &pP->aCons[iCons];
  pCons->zParent = zParent;
  pCons->nParentCol = nParentCol;
  pCons->azParentCol = azParentCol;
  pCons->zOnDelete = zDel;
  pCons->zOnUpdate = zUpd;
  pCons->zMatch = zMatch;
  pCons->eDefer = eDefer;
}

/* A CHECK constraint at its "(expression)": of column zCol, or a table
** constraint (zCol NULL, which may have a conflict clause).  NULL after
** an error. */
static MigCons *migParseCheck(MigParse *pP, char *zConsName, int iStart,
                              char *zCol){
  MigSpan inner;
  MigCons *pCons;
  migParseSkipParens(pP, &inner, 0);
  if( zCol==0 ) migParseConflict(pP);
  if( pP->p->rc!=SQLITE_OK ) return 0;
  if( inner.n==0 ){
    if( zCol ){
      migParseError(pP, "empty CHECK of column %s", zCol);
    }else{
      migParseError(pP, "empty CHECK constraint");
    }
    return 0;
  }
  pCons = migParseNewCons(pP, MIG_CONS_CHECK, zConsName, iStart);
  if( pCons==0 ) return 0;
  pCons->zExpr = migParseText(pP, inner.iStart, inner.iStart+inner.n);
  pCons->zExprCanon = migCanonicalExpr(pP->p, pP->pA,
                                       &pP->z[inner.iStart], inner.n);
  if( zCol ){
    pCons->aPart = migParseColumnPart(pP, zCol, 0);
    pCons->nPart = 1;
  }
  return pCons;
}

/* True if the current token starts a column constraint, so that it ends
** the column's type name.  "GENERATED" and "ALWAYS" are not in the list:
** SQLite's grammar takes them as type words (also in "x INT GENERATED
** ALWAYS d" or "x GENERATED ALWAYS" without AS), and migParseType cuts
** them off the end as sqlite3AddColumn() does. */
static int migParseIsColConsStart(MigParse *pP){
  static const char *const azKw[] = {
    "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
    "COLLATE", "REFERENCES", "AS", "DEFERRABLE"
  };
  int i;
  if( pP->eTok!=MIG_TK_ID ) return 0;
  for(i=0; i<(int)(sizeof(azKw)/sizeof(azKw[0])); i++){
    if( migParseIsKw(pP, azKw[i]) ) return 1;
  }
  return 0;
}

/* True if the current token starts a table constraint. */
static int migParseIsTableConsStart(MigParse *pP){
  return migParseIsKw(pP, "CONSTRAINT") || migParseIsKw(pP, "PRIMARY")
      || migParseIsKw(pP, "UNIQUE") || migParseIsKw(pP, "CHECK")
      || migParseIsKw(pP, "FOREIGN");
}

/*
** The declared type: type name words, then optional "(n)" or "(n, m)".
** Sets zType (as written) and zTypeCanon (upper case, one space between
** words, nothing around or inside the parentheses).
*/
static void migParseType(MigParse *pP, MigColumn *pCol){
  int iStart = -1, iEnd;
  char *zCanon;
  int j = 0;
  int nMax;
  while( (pP->eTok==MIG_TK_ID && !migParseIsColConsStart(pP))
      || pP->eTok==MIG_TK_QID || pP->eTok==MIG_TK_STRING ){
    if( iStart<0 ) iStart = pP->iTok;
    migParseNext(pP);
  }
  if( iStart<0 ) return;
  if( migParseAcceptPunct(pP, '(') ){
    /* one or two signed numbers */
    int nNum = 0;
    do{
      if( !migParseAcceptPunct(pP, '+') ) migParseAcceptPunct(pP, '-');
      if( pP->eTok!=MIG_TK_NUMBER ){
        migParseError(pP, "expected a number in the type of column %s",
                      pCol->zName);
        return;
      }
      migParseNext(pP);
    }while( ++nNum<2 && migParseAcceptPunct(pP, ',') );
    migParseExpectPunct(pP, ')');
  }
  if( pP->p->rc!=SQLITE_OK ) return;
  iEnd = pP->iPrevEnd;

  /* "GENERATED" and "ALWAYS" may be type names, so SQLite's grammar
  ** reads "x INT GENERATED ALWAYS AS (...)" with both in the type, and
  ** sqlite3AddColumn() then cuts them off the end of the text.  Do the
  ** same, by the same rule, so that the type matches the pragma's. */
  if( iEnd-iStart>=16 && sqlite3_strnicmp(&pP->z[iEnd-6], "always", 6)==0 ){
    iEnd -= 6;
    while( iEnd>iStart && migIsSpace((unsigned char)pP->z[iEnd-1]) ) iEnd--;
    if( iEnd-iStart>=9
     && sqlite3_strnicmp(&pP->z[iEnd-9], "generated", 9)==0 ){
      iEnd -= 9;
      while( iEnd>iStart && migIsSpace((unsigned char)pP->z[iEnd-1]) ) iEnd--;
    }
    if( iEnd<=iStart ) return;
  }
  pCol->zType = migParseText(pP, iStart, iEnd);

  /* Canonical form: walk the type's tokens again.  It is never longer
  ** than the text plus one byte a word. */
  nMax = 2*(iEnd - iStart) + 2;
  zCanon = migArenaAlloc(pP->p, pP->pA, nMax);
  if( zCanon ){
    int i = iStart;
    int bParen = 0;
    while( i<iEnd ){
      int eType, k;
      int nTok = migTokenN((const unsigned char*)&pP->z[i], iEnd - i, &eType);
      if( eType==MIG_TK_EOF ) break;
      if( eType!=MIG_TK_SPACE ){
        const char *zTok = &pP->z[i];
        int nWord = nTok;
        if( migIsPunct(zTok, nTok, eType, '(') ) bParen = 1;
        if( !bParen && (eType==MIG_TK_QID || eType==MIG_TK_STRING) ){
          /* a quoted word: its text without quotes (no undoubling
          ** needed for comparison) */
          zTok++;
          nWord -= 2;
        }
        if( !bParen && j>0 ) zCanon[j++] = ' ';
        for(k=0; k<nWord; k++){
          zCanon[j++] = (char)migToUpper((unsigned char)zTok[k]);
        }
      }
      i += nTok;
    }
    zCanon[j] = 0;
  }
  pCol->zTypeCanon = zCanon;
}

/*
** DEFAULT value: a signed number, a literal, a name or "(expr)".  Sets
** zDefault to the text after DEFAULT exactly and zDefaultCanon.
*/
static void migParseDefault(MigParse *pP, MigColumn *pCol){
  int iStart = pP->iTok;
  if( migParseIsPunct(pP, '(') ){
    MigSpan inner;
    migParseSkipParens(pP, &inner, 0);
    if( pP->p->rc==SQLITE_OK && inner.n==0 ){
      migParseError(pP, "empty DEFAULT expression of column %s",
                    pCol->zName);
    }
  }else{
    if( migParseIsPunct(pP, '+') || migParseIsPunct(pP, '-') ){
      migParseNext(pP);
    }
    switch( pP->eTok ){
      case MIG_TK_NUMBER: case MIG_TK_STRING: case MIG_TK_BLOB:
      case MIG_TK_ID: case MIG_TK_QID:
        migParseNext(pP);
        break;
      default:
        migParseError(pP, "expected the DEFAULT value of column %s",
                      pCol->zName);
        break;
    }
  }
  if( pP->p->rc!=SQLITE_OK ) return;
  pCol->zDefault = migParseText(pP, iStart, pP->iPrevEnd);
  pCol->zDefaultCanon = migCanonicalExpr(pP->p, pP->pA, &pP->z[iStart],
                                         pP->iPrevEnd - iStart);
}

/*
** One column definition: name [type] [constraint]...  Appends a column
** to the scratch list and its PRIMARY KEY, UNIQUE, CHECK and REFERENCES
** constraints to the scratch constraints.  Stops at "," or ")".
*/
static void migParseColumn(MigParse *pP){
  MigColumn *aNew;
  int iCol;
  int iStart = pP->iTok;
  char *zName;
  char *zConsName = 0;        /* pending CONSTRAINT name */
  int iConsStart = -1;        /* and where it started */
  int iLastFk = -1;           /* the column's last REFERENCES */
  MigColumn *pCol;

  aNew = migParseGrow(pP, pP->aCol, &pP->nColAlloc, pP->nCol,
                      sizeof(MigColumn));
  if( aNew==0 ) return;
  pP->aCol = aNew;
  iCol = pP->nCol++;
  zName = migParseName(pP, "a column name");
  if( zName==0 ) return;
  if( pP->zObj==0 ) pP->zObj = zName;     /* a lone column definition */
  pCol = &pP->aCol[iCol];
  pCol->zName = zName;
  migParseType(pP, pCol);

  while( migParseOk(pP) ){
    int iCons = pP->iTok;
    MigCons *pCons = 0;
    if( migParseIsPunct(pP, ',') || migParseIsPunct(pP, ')')
     || migParseIsPunct(pP, ';') ){
      break;
    }
    if( migParseAcceptKw(pP, "CONSTRAINT") ){
      zConsName = migParseName(pP, "a constraint name");
      iConsStart = iCons;
      continue;
    }
    if( iConsStart>=0 ) iCons = iConsStart;

    if( migParseAcceptKw(pP, "PRIMARY") ){
      int bDesc = 0, eConf;
      migParseExpectKw(pP, "KEY");
      if( migParseAcceptKw(pP, "DESC") ){
        bDesc = 1;
      }else{
        migParseAcceptKw(pP, "ASC");
      }
      eConf = migParseConflict(pP);
      pCons = migParseNewCons(pP, MIG_CONS_PK, zConsName, iCons);
      if( pCons==0 ) return;
      pCons->eConf = eConf;
      pCons->aPart = migParseColumnPart(pP, zName, bDesc);
      pCons->nPart = 1;
      if( migParseAcceptKw(pP, "AUTOINCREMENT") ){
        pCons->bAutoinc = 1;
        pP->bAutoinc = 1;
      }
      pCol->iPk = 1;
    }else if( migParseIsKw(pP, "NOT") && !migParsePeekKw(pP, "DEFERRABLE") ){
      migParseNext(pP);
      migParseExpectKw(pP, "NULL");
      pCol->bNotNull = 1;
      pCol->eNotNullConf = migParseConflict(pP);
    }else if( migParseAcceptKw(pP, "NULL") ){
      migParseConflict(pP);
    }else if( migParseAcceptKw(pP, "UNIQUE") ){
      int eConf = migParseConflict(pP);
      pCons = migParseNewCons(pP, MIG_CONS_UNIQUE, zConsName, iCons);
      if( pCons==0 ) return;
      pCons->eConf = eConf;
      pCons->aPart = migParseColumnPart(pP, zName, 0);
      pCons->nPart = 1;
    }else if( migParseAcceptKw(pP, "CHECK") ){
      pCons = migParseCheck(pP, zConsName, iCons, zName);
      if( pCons==0 ) return;
    }else if( migParseAcceptKw(pP, "DEFAULT") ){
      migParseDefault(pP, pCol);
    }else if( migParseAcceptKw(pP, "COLLATE") ){
      pCol->zCollate = migParseName(pP, "a collation name");
    }else if( migParseAcceptKw(pP, "REFERENCES") ){
      pCons = migParseNewCons(pP, MIG_CONS_FK, zConsName, iCons);
      if( pCons==0 ) return;
      pCons->aPart = migParseColumnPart(pP, zName, 0);
      pCons->nPart = 1;
      iLastFk = pP->nCons-1;
      migParseFkClause(pP, iLastFk);
      pCons = &pP->aCons[iLastFk];
    }else if( migParseIsDefer(pP) ){
      /* A DEFERRABLE clause on its own applies to the last REFERENCES */
      int eDefer = migParseDefer(pP);
      if( iLastFk>=0 ) pP->aCons[iLastFk].eDefer = eDefer;
    }else if( migParseIsKw(pP, "GENERATED") || migParseIsKw(pP, "AS") ){
      MigSpan inner;
      if( migParseAcceptKw(pP, "GENERATED") ){
        migParseExpectKw(pP, "ALWAYS");
      }
      migParseExpectKw(pP, "AS");
      migParseSkipParens(pP, &inner, 0);
      if( pP->p->rc!=SQLITE_OK ) return;
      if( inner.n==0 ){
        migParseError(pP, "empty generated expression of column %s", zName);
        return;
      }
      pCol->zGen = migParseText(pP, inner.iStart, inner.iStart+inner.n);
      pCol->zGenCanon = migCanonicalExpr(pP->p, pP->pA,
                                         &pP->z[inner.iStart], inner.n);
      pCol->eGen = MIG_GEN_VIRTUAL;
      if( migParseAcceptKw(pP, "STORED") ){
        pCol->eGen = MIG_GEN_STORED;
      }else{
        migParseAcceptKw(pP, "VIRTUAL");
      }
    }else{
      migParseError(pP, "unexpected text in the definition of column %s",
                    zName);
      return;
    }
    if( pCons ) pCons->span.n = pP->iPrevEnd - pCons->span.iStart;
    zConsName = 0;
    iConsStart = -1;
  }
  if( pP->p->rc==SQLITE_OK ){
    pCol->def.iStart = iStart;
    pCol->def.n = pP->iPrevEnd - iStart;
  }
}

/*
** A table constraint: [CONSTRAINT name] PRIMARY KEY (...) | UNIQUE (...)
** | CHECK (...) | FOREIGN KEY (...) REFERENCES ...
*/
static void migParseTableCons(MigParse *pP){
  int iStart = pP->iTok;
  char *zName = 0;
  MigCons *pCons = 0;
  int iCons;
  if( migParseAcceptKw(pP, "CONSTRAINT") ){
    zName = migParseName(pP, "a constraint name");
    if( migParseIsPunct(pP, ',') || migParseIsPunct(pP, ')') ){
      return;                 /* a dangling name: SQLite ignores it */
    }
  }
  if( migParseAcceptKw(pP, "PRIMARY") || migParseIsKw(pP, "UNIQUE") ){
    int eType = MIG_CONS_PK;
    int bAutoinc = 0;
    int eConf;
    if( migParseAcceptKw(pP, "UNIQUE") ){
      eType = MIG_CONS_UNIQUE;
    }else{
      migParseExpectKw(pP, "KEY");
    }
    migParseExpectPunct(pP, '(');
    pP->nPart = 0;
    migParseKeyParts(pP, eType==MIG_CONS_PK ? &bAutoinc : 0);
    eConf = migParseConflict(pP);
    pCons = migParseNewCons(pP, eType, zName, iStart);
    if( pCons==0 ) return;
    pCons->eConf = eConf;
    pCons->bAutoinc = bAutoinc;
    if( bAutoinc ) pP->bAutoinc = 1;
    pCons->aPart = migParseTakeParts(pP, &pCons->nPart);
  }else if( migParseAcceptKw(pP, "CHECK") ){
    pCons = migParseCheck(pP, zName, iStart, 0);
  }else if( migParseAcceptKw(pP, "FOREIGN") ){
    int i;
    migParseExpectKw(pP, "KEY");
    migParseExpectPunct(pP, '(');
    pP->nStr = 0;
    migParseNameList(pP, "a column name");
    migParseExpectKw(pP, "REFERENCES");
    pP->nPart = 0;
    for(i=0; i<pP->nStr && pP->p->rc==SQLITE_OK; i++){
      MigKeyPart *pPart = migParseNewPart(pP);
      if( pPart ) pPart->zCol = pP->azStr[i];
    }
    pP->nStr = 0;
    pCons = migParseNewCons(pP, MIG_CONS_FK, zName, iStart);
    if( pCons==0 ) return;
    pCons->aPart = migParseTakeParts(pP, &pCons->nPart);
    iCons = pP->nCons-1;
    migParseFkClause(pP, iCons);
    pCons = &pP->aCons[iCons];
  }else{
    migParseError(pP, "expected PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY");
    return;
  }
  if( pP->p->rc==SQLITE_OK ){
    pCons->span.n = pP->iPrevEnd - iStart;
  }
}

/* Binary search in a sorted list of upper-case keywords. */
static int migIsReserved(const char *z, int n){
  static const char *const azKw[] = {
    "ALL", "AND", "AS", "BETWEEN", "CASE", "COLLATE", "DELETE", "DISTINCT",
    "ELSE", "ESCAPE", "EXCEPT", "EXISTS", "FROM", "GROUP", "HAVING", "IN",
    "INSERT", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN", "LIMIT", "NOT",
    "NOTNULL", "NULL", "ON", "OR", "ORDER", "SELECT", "SET", "THEN",
    "UNION", "UPDATE", "USING", "VALUES", "WHEN", "WHERE"
  };
  int lo = 0, hi = (int)(sizeof(azKw)/sizeof(azKw[0])) - 1;
  if( n>9 ) return 0;
  while( lo<=hi ){
    int mid = (lo+hi)/2;
    const char *zKw = azKw[mid];
    int i, c = 0;
    for(i=0; i<n && zKw[i]; i++){
      c = (int)migToUpper((unsigned char)z[i]) - (int)(unsigned char)zKw[i];
      if( c ) break;
    }
    if( c==0 ) c = (i<n) - (zKw[i]!=0);
    if( c==0 ) return 1;
    if( c<0 ) hi = mid-1; else lo = mid+1;
  }
  return 0;
}

/*
** The names a view or trigger body mentions, from the cursor to the end:
** every distinct identifier other than reserved words, and strings that
** follow FROM, JOIN, INTO or UPDATE (SQLite accepts 'tbl' there).  A
** superset of the tables and views it reads, found without parsing SQL.
*/
static void migParseRefs(MigParse *pP, MigObject *pObj){
  MigHash seen;
  int bPrevFrom = 0;
  memset(&seen, 0, sizeof(seen));
  pP->nStr = 0;
  while( migParseOk(pP) ){
    const char *z = &pP->z[pP->iTok];
    int e = pP->eTok;
    if( e==MIG_TK_QID || (e==MIG_TK_STRING && bPrevFrom)
     || (e==MIG_TK_ID && !migIsReserved(z, pP->nTok)) ){
      char *zName = migDequote(pP->p, pP->pA, z, pP->nTok);
      if( zName && zName[0] && migHashFind(&seen, zName)==0 ){
        migHashInsert(pP->p, &seen, zName, zName);
        migParsePushStr(pP, zName);
      }
    }
    bPrevFrom = migParseIsKw(pP, "FROM") || migParseIsKw(pP, "JOIN")
             || migParseIsKw(pP, "INTO") || migParseIsKw(pP, "UPDATE");
    migParseNext(pP);
  }
  migHashClear(&seen);
  pObj->azRef = migParseTakeStrs(pP, &pObj->nRef);
}

/* Column and constraint lists from scratch into the object; resolve the
** columns of a table PRIMARY KEY to set MigColumn.iPk. */
static void migParseFinishTable(MigParse *pP, MigObject *pObj){
  MigHash cols;         /* column name -> MigColumn, built on first use */
  int i, j;
  if( pP->p->rc!=SQLITE_OK ) return;
  if( pP->nCol>0 ){
    pObj->aCol = migArenaAlloc(pP->p, pP->pA, sizeof(MigColumn)*(i64)pP->nCol);
    if( pObj->aCol==0 ) return;
    memcpy(pObj->aCol, pP->aCol, sizeof(MigColumn)*(i64)pP->nCol);
    pObj->nCol = pP->nCol;
  }
  if( pP->nCons>0 ){
    pObj->aCons = migArenaAlloc(pP->p, pP->pA,
                                sizeof(MigCons)*(i64)pP->nCons);
    if( pObj->aCons==0 ) return;
    memcpy(pObj->aCons, pP->aCons, sizeof(MigCons)*(i64)pP->nCons);
    pObj->nCons = pP->nCons;
  }
  memset(&cols, 0, sizeof(cols));
  for(i=0; i<pObj->nCons; i++){
    MigCons *pCons = &pObj->aCons[i];
    if( pCons->eType==MIG_CONS_PK && !pCons->bColumn ){
      if( cols.nEntry==0 ){
        for(j=0; j<pObj->nCol; j++){
          migHashInsert(pP->p, &cols, pObj->aCol[j].zName, &pObj->aCol[j]);
        }
      }
      for(j=0; j<pCons->nPart; j++){
        MigColumn *pCol = migHashFind(&cols, pCons->aPart[j].zCol);
        if( pCol ) pCol->iPk = j+1;
      }
    }
  }
  migHashClear(&cols);
  pObj->bAutoinc = pP->bAutoinc;
}

/*
** CREATE TABLE: after the name.  "(" elements ")" [options].  Columns and
** table constraints may come in any order: ALTER TABLE ADD COLUMN puts
** the new column after the table constraints.  Table constraints need
** no comma between them.
*/
static void migParseTable(MigParse *pP, MigObject *pObj){
  if( migParseIsKw(pP, "AS") ){
    migParseError(pP, "CREATE TABLE ... AS SELECT is not supported"
                      " (SQLite stores such tables with a column list)");
    return;
  }
  migParseExpectPunct(pP, '(');
  while( pP->p->rc==SQLITE_OK ){
    if( !migParseOk(pP) ){
      migParseError(pP, "expected a column definition");
      break;
    }
    if( migParseIsTableConsStart(pP) ){
      migParseTableCons(pP);
      if( migParseAcceptPunct(pP, ',') ) continue;
      if( migParseIsTableConsStart(pP) ) continue;
    }else{
      int iFirstCons = pP->nCons, i;
      migParseColumn(pP);
      for(i=iFirstCons; i<pP->nCons; i++) pP->aCons[i].bColumn = 1;
      if( migParseAcceptPunct(pP, ',') ) continue;
    }
    migParseExpectPunct(pP, ')');
    break;
  }
  /* [WITHOUT ROWID | STRICT | RANDOM ROWID] [, ...]: RANDOM ROWID is
  ** libSQL's (rowids drawn at random), kept as a table option. */
  while( migParseOk(pP) && !migParseIsPunct(pP, ';') ){
    if( migParseAcceptKw(pP, "WITHOUT") ){
      migParseExpectKw(pP, "ROWID");
      pObj->bWithoutRowid = 1;
    }else if( migParseAcceptKw(pP, "RANDOM") ){
      migParseExpectKw(pP, "ROWID");
      pObj->bRandomRowid = 1;
    }else if( migParseAcceptKw(pP, "STRICT") ){
      pObj->bStrict = 1;
    }else{
      migParseError(pP, "expected WITHOUT ROWID or STRICT");
      break;
    }
    if( !migParseAcceptPunct(pP, ',') ) break;
    if( !migParseOk(pP) ) migParseError(pP, "expected WITHOUT ROWID or STRICT");
  }
  migParseFinishTable(pP, pObj);
}

/* CREATE VIRTUAL TABLE: after the name.  USING module [(args)] */
static void migParseVtab(MigParse *pP, MigObject *pObj){
  migParseExpectKw(pP, "USING");
  pObj->zModule = migParseName(pP, "a module name");
  if( migParseIsPunct(pP, '(') ){
    MigSpan inner, raw;
    migParseSkipParens(pP, &inner, &raw);
    if( pP->p->rc==SQLITE_OK ){
      pObj->zArgs = migArenaStrndup(pP->p, pP->pA, &pP->z[raw.iStart], raw.n);
    }
  }
}

/* CREATE [UNIQUE] INDEX: after the name.  ON table (terms) [WHERE expr] */
static void migParseIndex(MigParse *pP, MigObject *pObj){
  migParseExpectKw(pP, "ON");
  pObj->zTable = migParseQualifiedName(pP, "a table name");
  migParseExpectPunct(pP, '(');
  pP->nPart = 0;
  migParseKeyParts(pP, 0);
  pObj->aPart = migParseTakeParts(pP, &pObj->nPart);
  if( migParseAcceptKw(pP, "WHERE") ){
    int iStart = pP->iTok;
    while( migParseOk(pP) && !migParseIsPunct(pP, ';') ){
      migParseNext(pP);
    }
    if( pP->p->rc!=SQLITE_OK ) return;
    if( pP->iPrevEnd<=iStart ){
      migParseError(pP, "expected the WHERE expression");
      return;
    }
    pObj->zWhere = migParseText(pP, iStart, pP->iPrevEnd);
    pObj->zWhereCanon = migCanonicalExpr(pP->p, pP->pA, &pP->z[iStart],
                                         pP->iPrevEnd - iStart);
  }
}

/* CREATE VIEW: after the name.  [(columns)] AS select */
static void migParseView(MigParse *pP, MigObject *pObj){
  if( migParseIsPunct(pP, '(') ){
    MigSpan inner;
    migParseSkipParens(pP, &inner, 0);
  }
  migParseExpectKw(pP, "AS");
  if( migParseOk(pP) ){
    migParseRefs(pP, pObj);
  }else{
    migParseError(pP, "expected the SELECT of the view");
  }
}

/*
** CREATE TRIGGER: after the name.
**   [BEFORE|AFTER|INSTEAD OF] DELETE|INSERT|UPDATE [OF cols] ON table
**   [FOR EACH ROW] [WHEN expr] BEGIN ... END
*/
static void migParseTrigger(MigParse *pP, MigObject *pObj){
  const char *zWhen = "BEFORE";
  const char *zEvent = 0;
  if( migParseAcceptKw(pP, "BEFORE") ){
    zWhen = "BEFORE";
  }else if( migParseAcceptKw(pP, "AFTER") ){
    zWhen = "AFTER";
  }else if( migParseAcceptKw(pP, "INSTEAD") ){
    migParseExpectKw(pP, "OF");
    zWhen = "INSTEAD OF";
  }
  if( migParseAcceptKw(pP, "DELETE") ){
    zEvent = "DELETE";
  }else if( migParseAcceptKw(pP, "INSERT") ){
    zEvent = "INSERT";
  }else if( migParseAcceptKw(pP, "UPDATE") ){
    zEvent = "UPDATE";
    if( migParseAcceptKw(pP, "OF") ){
      zEvent = "UPDATE OF";
      pP->nStr = 0;
      while( migParseOk(pP) ){
        migParseName(pP, "a column name");
        if( !migParseAcceptPunct(pP, ',') ) break;
      }
    }
  }else{
    migParseError(pP, "expected DELETE, INSERT or UPDATE");
    return;
  }
  migParseExpectKw(pP, "ON");
  pObj->zTable = migParseQualifiedName(pP, "a table name");
  pObj->zWhen = migArenaStrndup(pP->p, pP->pA, zWhen, -1);
  pObj->zEvent = migArenaStrndup(pP->p, pP->pA, zEvent, -1);
  if( migParseAcceptKw(pP, "FOR") ){
    migParseExpectKw(pP, "EACH");
    migParseExpectKw(pP, "ROW");
  }
  if( !migParseIsKw(pP, "WHEN") && !migParseIsKw(pP, "BEGIN") ){
    migParseError(pP, "expected WHEN or BEGIN");
    return;
  }
  migParseRefs(pP, pObj);
}

/* [IF NOT EXISTS] [schema.]name: sets the object's name. */
static void migParseObjectName(MigParse *pP, MigObject *pObj,
                               const char *zWhat){
  if( migParseIsKw(pP, "IF") && migParsePeekKw(pP, "NOT") ){
    migParseNext(pP);
    migParseNext(pP);
    migParseExpectKw(pP, "EXISTS");
  }
  pObj->iName = pP->iTok;
  pObj->zName = migParseName(pP, zWhat);
  if( migParseAcceptPunct(pP, '.') ){
    pObj->iName = pP->iTok;
    pObj->zName = migParseName(pP, zWhat);
  }
  pObj->zTable = pObj->zName;
  pP->zObj = pObj->zName;
  pP->iAfterName = pP->iTok;
}

MigObject *migParseCreate(Mig *p, MigArena *pA, const char *zSql){
  MigParse sParse;
  MigParse *pP = &sParse;
  MigObject *pObj;
  if( p->rc!=SQLITE_OK ) return 0;
  if( zSql==0 ){
    migErrorSet(p, SQLITE_ERROR, "cannot parse the CREATE statement: NULL");
    return 0;
  }
  pObj = migArenaAlloc(p, pA, sizeof(MigObject));
  if( pObj==0 ) return 0;
  pObj->zSql = migArenaStrndup(p, pA, zSql, -1);
  if( pObj->zSql==0 ) return 0;
  migParseInit(pP, p, pA, pObj->zSql, "CREATE statement");

  migParseExpectKw(pP, "CREATE");
  if( !migParseAcceptKw(pP, "TEMP") ) migParseAcceptKw(pP, "TEMPORARY");
  if( migParseAcceptKw(pP, "TABLE") ){
    pObj->eType = MIG_OBJ_TABLE;
    migParseObjectName(pP, pObj, "a table name");
    migParseTable(pP, pObj);
  }else if( migParseAcceptKw(pP, "VIRTUAL") ){
    pObj->eType = MIG_OBJ_VTAB;
    migParseExpectKw(pP, "TABLE");
    migParseObjectName(pP, pObj, "a table name");
    migParseVtab(pP, pObj);
  }else if( migParseIsKw(pP, "UNIQUE") || migParseIsKw(pP, "INDEX") ){
    pObj->eType = MIG_OBJ_INDEX;
    pObj->bUnique = migParseAcceptKw(pP, "UNIQUE");
    migParseExpectKw(pP, "INDEX");
    migParseObjectName(pP, pObj, "an index name");
    migParseIndex(pP, pObj);
  }else if( migParseAcceptKw(pP, "VIEW") ){
    pObj->eType = MIG_OBJ_VIEW;
    migParseObjectName(pP, pObj, "a view name");
    migParseView(pP, pObj);
  }else if( migParseAcceptKw(pP, "TRIGGER") ){
    pObj->eType = MIG_OBJ_TRIGGER;
    migParseObjectName(pP, pObj, "a trigger name");
    migParseTrigger(pP, pObj);
  }else{
    migParseError(pP, "expected TABLE, VIRTUAL TABLE, INDEX, VIEW or TRIGGER");
  }
  migParseAcceptPunct(pP, ';');
  if( migParseOk(pP) ){
    migParseError(pP, "unexpected text after the statement");
  }
  /* Without the space and comments after the last token: SQLite stores
  ** them after WITHOUT ROWID or STRICT when no ";" ended the statement,
  ** and a "-- comment" there would swallow the ";" that the diff and the
  ** scripts append to the text.  The parse stopped just past that token
  ** (iPrevEnd), so cutting there costs no second pass over the text. */
  if( p->rc==SQLITE_OK ) pObj->zSql[pP->iPrevEnd] = 0;
  migParseFree(pP);
  /* Only views, triggers and virtual tables are compared by their text;
  ** tables and indexes are compared by their parsed parts, so the
  ** canonical text of those (most of a schema) is not worth building.
  ** The text starts after the name: what comes before it (TEMP, IF NOT
  ** EXISTS, a "main." prefix) and the name's spelling are no change. */
  if( pObj->eType==MIG_OBJ_VIEW || pObj->eType==MIG_OBJ_TRIGGER
   || pObj->eType==MIG_OBJ_VTAB
  ){
    pObj->zCanon = migCanonical(p, pA, &pObj->zSql[pP->iAfterName], -1);
  }
  return p->rc==SQLITE_OK ? pObj : 0;
}

/* The CREATE statement of pObj for schema zDb: the schema named before
** its name, the name and the rest of its text kept as written (so that
** SQLite stores the same text again).  SQLite stores the text of an
** index, view or trigger without a schema, and run as it is, the name
** lookup of its table could find a TEMP table of the same name first. */
char *migQualifiedCreate(Mig *p, MigObject *pObj, const char *zDb){
  static const char *const azKind[] = {
    "", "TABLE", "VIRTUAL TABLE", "INDEX", "VIEW", "TRIGGER"
  };
  int eType = pObj->eType>=MIG_OBJ_TABLE && pObj->eType<=MIG_OBJ_TRIGGER
            ? pObj->eType : 0;
  return migMprintf(p, "CREATE %s%s \"%w\".%s",
      pObj->bUnique ? "UNIQUE " : "", azKind[eType], zDb,
      &pObj->zSql[pObj->iName]);
}

/*************************************************************************
** Column order (rule 11): a CREATE TABLE with its columns reordered.
*/

/* One item of a CREATE TABLE's list (a column or a table constraint), as
** offsets into the statement:
**
**     ( <lead> <def> <pre> , <trail>\n <lead> <def> <pre> <close> )
**
** lead: the space and comments before the definition (after the trail
** of the item before); def: its first to its last significant token;
** pre: what is between it and its comma; trail: the comments after the
** comma on the same line.  The last item has no comma: its pre is what
** follows it on its own line, its close the rest before ")". */
typedef struct MigItem MigItem;
struct MigItem {
  int iLead, iDef, iDefEnd, iPreEnd, iTrail, iTrailEnd;
};

/* True if z[i..j) (space and comments only) holds a comment. */
static int migHasComment(const char *z, int i, int j){
  for(; i+1<j; i++){
    if( (z[i]=='-' && z[i+1]=='-') || (z[i]=='/' && z[i+1]=='*') ) return 1;
  }
  return 0;
}

/* The end of the comments that follow offset i on its line in zSql (at
** most to iMax): the first line end after the last comment found before
** a line end or a significant token; i itself when there is none. */
static int migSameLineEnd(const char *zSql, int i, int iMax){
  const unsigned char *z = (const unsigned char*)zSql;
  int iEnd = i, eType, n;
  while( i<iMax && (n = migGetToken(&z[i], &eType))>0 && eType==MIG_TK_SPACE ){
    if( z[i]=='-' || z[i]=='/' ){
      iEnd = i + n;               /* a comment: up to its end */
    }else{
      const char *zNl = memchr(&z[i], '\n', n);
      if( zNl ) break;            /* a line end: the line is over */
    }
    i += n;
  }
  return iEnd>iMax ? iMax : iEnd;
}

/* Append z[i..j) to pStr; after a text that ends in a "--" comment, a
** line end comes first unless the text appended begins with one. */
static void migAppendPart(sqlite3_str *pStr, const char *z, int i, int j,
                          int *pbNl){
  if( i>=j ) return;
  if( *pbNl && z[i]!='\n' && z[i]!='\r' ) sqlite3_str_append(pStr, "\n", 1);
  sqlite3_str_append(pStr, &z[i], j-i);
  {
    /* does it end inside a line comment? */
    int k = j;
    while( k>i && z[k-1]!='\n' ) k--;
    *pbNl = migHasComment(z, k, j) && z[j-1]!='\n';
    if( *pbNl ){
      /* only a "--" comment runs to the line end, not a closed block one */
      int m;
      for(m=k; m+1<j && !(z[m]=='-' && z[m+1]=='-'); m++){
        if( z[m]=='/' && z[m+1]=='*' ){
          const char *zEnd = strstr(&z[m+2], "*/");
          if( zEnd==0 || zEnd-z>=j ) break;
          m = (int)(zEnd - z) + 1;
        }
      }
      *pbNl = m+1<j && z[m]=='-' && z[m+1]=='-';
    }
  }
}

/*
** The CREATE TABLE statement of pTab (its zSql) with its column
** definitions in the order aOrder[0..nCol-1] (indexes into pTab->aCol).
** Each column's definition moves with its comments (those on the lines
** before it and after it on its line); the table constraints, the other
** comments and the text around the list stay where they are.  Returns
** NULL (no error) when the text cannot be taken apart so, or does not
** give back the same table with the columns in that order: the caller
** then keeps the text as it is.  sqlite3_free() the result.
*/
char *migCreateReorder(Mig *p, MigObject *pTab, const int *aOrder){
  const char *z = pTab->zSql;
  const unsigned char *zU = (const unsigned char*)z;
  MigItem *aItem = 0;
  int nItem = 0, nAlloc = pTab->nCol + pTab->nCons + 1;
  int i, n, eType, iOpen = -1, iClose = -1, nDepth = 0, bNl = 0, nSql;
  sqlite3_str *pStr = 0;
  char *zOut = 0;
  MigArena a;
  Mig m;
  if( p->rc!=SQLITE_OK || z==0 || pTab->nCol==0 ) return 0;
  nSql = (int)strlen(z);
  aItem = migMalloc(p, sizeof(MigItem)*(i64)nAlloc);
  if( aItem==0 ) return 0;

  /* The name, then "(": the list. */
  i = pTab->iName;
  n = migGetToken(&zU[i], &eType);
  i += n;
  while( (n = migGetToken(&zU[i], &eType))>0 && eType==MIG_TK_SPACE ) i += n;
  if( n!=1 || z[i]!='(' ) goto reorder_out;
  iOpen = i;
  i++;
  aItem[0].iLead = i;
  aItem[0].iDef = -1;
  while( iClose<0 && (n = migGetToken(&zU[i], &eType))>0 ){
    MigItem *pI = &aItem[nItem];
    if( eType!=MIG_TK_SPACE ){
      if( eType==MIG_TK_PUNCT && z[i]==',' && nDepth==0 ){
        if( pI->iDef<0 || nItem+1>=nAlloc ) goto reorder_out;
        pI->iPreEnd = i;
        pI->iTrail = i+1;
        pI->iTrailEnd = migSameLineEnd(z, i+1, nSql);
        nItem++;
        aItem[nItem].iLead = pI->iTrailEnd;
        aItem[nItem].iDef = -1;
        i = pI->iTrailEnd;
        continue;
      }
      if( eType==MIG_TK_PUNCT && z[i]==')' && nDepth==0 ){
        if( pI->iDef<0 ) goto reorder_out;
        iClose = i;
        pI->iPreEnd = migSameLineEnd(z, pI->iDefEnd, i);
        pI->iTrail = pI->iTrailEnd = pI->iPreEnd;
        nItem++;
        break;
      }
      if( eType==MIG_TK_PUNCT && z[i]=='(' ) nDepth++;
      if( eType==MIG_TK_PUNCT && z[i]==')' ) nDepth--;
      if( pI->iDef<0 ) pI->iDef = i;
      pI->iDefEnd = i + n;
    }
    i += n;
  }
  if( iClose<0 || nItem<pTab->nCol ) goto reorder_out;

  /* The first nCol items are the columns, in order. */
  memset(&a, 0, sizeof(a));
  migHandleInit(&m, p->db, 0, 0);
  for(i=0; i<pTab->nCol && m.rc==SQLITE_OK; i++){
    int iDef = aItem[i].iDef;
    char *zName;
    n = migGetToken(&zU[iDef], &eType);
    zName = migDequote(&m, &a, &z[iDef], n);
    if( zName && migStrICmp(zName, pTab->aCol[i].zName)!=0 ) break;
  }
  migArenaFree(&a);
  if( m.rc==SQLITE_NOMEM ) migErrorSet(p, SQLITE_NOMEM, 0);
  migReset(&m);
  if( i<pTab->nCol ) goto reorder_out;

  /* The new text. */
  pStr = sqlite3_str_new(p->db);
  sqlite3_str_append(pStr, z, iOpen+1);
  for(i=0; i<nItem; i++){
    MigItem *pSlot = &aItem[i];
    MigItem *pI = i<pTab->nCol ? &aItem[aOrder[i]] : pSlot;
    if( migHasComment(z, pI->iLead, pI->iDef) || pI==pSlot ){
      migAppendPart(pStr, z, pI->iLead, pI->iDef, &bNl);
    }else{
      /* the slot's own spacing, after its comments */
      int k = pSlot->iDef;
      while( k>pSlot->iLead && (z[k-1]==' ' || z[k-1]=='\t'
                             || z[k-1]=='\n' || z[k-1]=='\r') ) k--;
      if( migHasComment(z, pSlot->iLead, pSlot->iDef) ){
        while( k<pSlot->iDef && z[k]!='\n' ) k++;
      }else{
        k = pSlot->iLead;
      }
      migAppendPart(pStr, z, k, pSlot->iDef, &bNl);
    }
    migAppendPart(pStr, z, pI->iDef, pI->iDefEnd, &bNl);
    if( pI==pSlot ){
      migAppendPart(pStr, z, pI->iDefEnd, pI->iPreEnd, &bNl);
      if( i<nItem-1 ) migAppendPart(pStr, z, pI->iPreEnd, pI->iPreEnd+1, &bNl);
      migAppendPart(pStr, z, pI->iTrail, pI->iTrailEnd, &bNl);
    }else{
      if( i<nItem-1 ) sqlite3_str_append(pStr, ",", 1);
      if( migHasComment(z, pI->iDefEnd, pI->iPreEnd) ){
        migAppendPart(pStr, z, pI->iDefEnd, pI->iPreEnd, &bNl);
      }
      if( migHasComment(z, pI->iTrail, pI->iTrailEnd) ){
        migAppendPart(pStr, z, pI->iTrail, pI->iTrailEnd, &bNl);
      }
    }
  }
  /* what the last item leaves before ")", then the rest */
  migAppendPart(pStr, z, aItem[nItem-1].iTrailEnd, iClose, &bNl);
  migAppendPart(pStr, z, iClose, nSql, &bNl);
  zOut = migStrFinish(p, pStr);

  /* It must read back as the same table, columns in the new order. */
  if( zOut ){
    MigObject *pNew;
    memset(&a, 0, sizeof(a));
    migHandleInit(&m, p->db, 0, 0);
    pNew = migParseCreate(&m, &a, zOut);
    if( pNew==0 || pNew->nCol!=pTab->nCol || pNew->nCons!=pTab->nCons ){
      i = -1;
    }else{
      for(i=0; i<pTab->nCol; i++){
        if( migStrICmp(pNew->aCol[i].zName, pTab->aCol[aOrder[i]].zName) ){
          i = -1;
          break;
        }
      }
    }
    if( m.rc==SQLITE_NOMEM ) migErrorSet(p, SQLITE_NOMEM, 0);
    migReset(&m);
    migArenaFree(&a);
    if( i<0 ){
      sqlite3_free(zOut);
      zOut = 0;
    }
  }

 reorder_out:
  sqlite3_free(aItem);
  return zOut;
}

/* The extent of the statement that starts at z, without leading space and
** comments and without its ";": how error messages quote a statement.
** A CREATE TRIGGER ends at the ";" after its END (its body holds ";"):
** as in sqlite3_complete(), the END that follows a ";". */
const char *migStatementExtent(const char *z, int *pn){
  const unsigned char *zU = (const unsigned char*)z;
  int i = 0, iStart = -1, iEnd = 0, eType = 0;
  int nSig = 0;                 /* significant tokens so far */
  int bCreate = 0;              /* the first one is CREATE */
  int bTrigger = 0;             /* CREATE [TEMP] TRIGGER */
  int eLast = 0;                /* 1: the last token was ";", 2: "; END" */
  for(;;){
    int n = migGetToken(&zU[i], &eType);
    const char *zTok = (const char*)&zU[i];
    if( eType==MIG_TK_EOF || n<=0 ) break;
    if( eType==MIG_TK_PUNCT && n==1 && zU[i]==';' && iStart>=0 ){
      if( !bTrigger || eLast==2 ) break;
      eLast = 1;
    }else if( eType!=MIG_TK_SPACE ){
      int bId = eType==MIG_TK_ID;
      if( nSig==0 ){
        bCreate = bId && n==6 && sqlite3_strnicmp(zTok, "CREATE", 6)==0;
      }else if( bCreate && nSig<3 && bId && n==7
             && sqlite3_strnicmp(zTok, "TRIGGER", 7)==0 ){
        bTrigger = 1;
      }
      eLast = (eLast==1 && bId && n==3
               && sqlite3_strnicmp(zTok, "END", 3)==0) ? 2 : 0;
      nSig++;
    }
    if( eType!=MIG_TK_SPACE ){
      if( iStart<0 ) iStart = i;
      iEnd = i + n;
    }
    i += n;
  }
  if( iStart<0 ){
    *pn = 0;
    return z;
  }
  *pn = iEnd - iStart;
  return &z[iStart];
}
