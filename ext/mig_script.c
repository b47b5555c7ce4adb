/*
** mig_script.c: revision scripts on disk and the graph they form.
**
** The script location (mig_config('script_location'), "migrations" by
** default, relative to the process's working directory) holds one plain
** SQL file per revision, named so that `ls` lists them in creation order:
**
**     <YYYYMMDDHHMMSS>_<revision>_<slug>.sql
**
** where the slug is the message in lower case with every run of other
** characters than ASCII letters and digits turned into "_" (at most 40
** characters).  The file is:
**
**     -- revision: 1f0c2a9be4d7
**     -- down_revision: 77ab01c3d2e9[, <another parent>...]
**     -- message: add phone to users
**     -- created: 2026-11-21T23:57:06Z
**
**     -- upgrade
**     <SQL, run as written, statement by statement>
**
**     -- downgrade
**     <SQL>
**
** Header lines are "-- key: value"; unknown keys are ignored, and a base
** revision has an empty or no down_revision.  The section lines are a line
** that holds only "-- upgrade" (or "-- downgrade"), in either case.  Every
** ".sql" file of the directory is a script; a file that does not follow
** this format is an error that names it, never silently skipped.
**
** Section lines are recognized only where they could not be SQL: a
** line inside a string literal, a quoted name or a block comment that
** began on an earlier line (and ends further on) is part of that token,
** whatever it holds, so that a models text with a line "-- downgrade"
** in a string writes a script that reads back (a token that is never
** closed protects nothing: such a script reads as it always did).  The
** writer, for its part, indents by one space any line of the SQL it
** writes that would read as a section line, and reads every script back
** before it returns (see migScriptWrite).
**
** CHECKSUMS.  A script's checksum is the 64-bit FNV-1a hash of its text
** normalized as rule 6 wants: every line ending (CRLF, CR, LF) read as
** LF, spaces and tabs at the end of a line dropped unless the line ends
** inside a string literal or quoted name, and a missing final line end
** added; so an editor's line endings or a formatter that strips trailing
** blanks is no edit, and anything else is.  It is written "v2:" and 16
** lower-case hex digits.  Databases applied before this recorded the
** hash of the raw bytes (16 hex digits, no prefix): a recorded checksum
** is compared with the kind it is (migChecksumMatches).  FNV-1a only has
** to notice edits, not resist an attacker, and SQLite 3.40's library has
** no SHA built in.
**
** The graph: every script names its parents (down revisions).  Loading
** rejects duplicate ids, unknown parents and cycles, and orders the
** revisions base first (parents always before children; otherwise in
** file name order, which is creation order).
**
** READING AND LISTING.  Every read of the scripts (migScriptsOpen: what
** upgrades, downgrades, stamps, checks and authoring act on) opens and
** checksums every file, four system calls a file, and is kept by the
** connection with each file's size, times and inode (MigFileSig) and the
** directory's.  The listings, mig_current() and the migrations table,
** take it again (migScriptsList) while nothing changed; see there.
*/
#include "mig_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
#include <sys/types.h>
#include <sys/stat.h>

#define MIG_FNV_INIT  14695981039346656037ULL
#define MIG_FNV_PRIME 1099511628211ULL

/* 64-bit FNV-1a: h carried on over the n bytes of z. */
static sqlite3_uint64 migFnv(sqlite3_uint64 h, const unsigned char *z, i64 n){
  i64 i;
  for(i=0; i<n; i++){
    h ^= z[i];
    h *= MIG_FNV_PRIME;
  }
  return h;
}

/* h as 16 lower-case hex digits after zPrefix, in zOut. */
static void migHex64(char *zOut, const char *zPrefix, sqlite3_uint64 h){
  static const char aHex[] = "0123456789abcdef";
  int i, n = (int)strlen(zPrefix);
  memcpy(zOut, zPrefix, n);
  for(i=15; i>=0; i--){
    zOut[n+i] = aHex[h & 15];
    h >>= 4;
  }
  zOut[n+16] = 0;
}

/* True for a token that keeps its blanks: a string literal or a quoted
** name, closed or not. */
static int migTokenKeepsBlanks(const unsigned char *z, int eType){
  if( eType==MIG_TK_STRING || eType==MIG_TK_QID ) return 1;
  return eType==MIG_TK_ILLEGAL
      && (z[0]=='\'' || z[0]=='"' || z[0]=='`' || z[0]=='[');
}

/* A copy of the n-byte text z with every line ending (CRLF, CR, LF)
** made LF, NUL-terminated, its length in *pnOut (sqlite3_free() it).
** Unless zRawSum is NULL, the same pass puts there (17 bytes) the raw
** checksum of z, the 64-bit FNV-1a of its bytes as 16 hex digits (what
** databases applied before version 2 recorded): one pass for both. */
static char *migLfText(Mig *p, const char *z, i64 n, i64 *pnOut,
                       char *zRawSum){
  char *zLf;
  sqlite3_uint64 h = MIG_FNV_INIT;
  i64 i, nLf = 0;
  if( p->rc!=SQLITE_OK ) return 0;
  zLf = (char*)migMalloc(p, n+1);
  if( zLf==0 ) return 0;
  for(i=0; i<n; i++){
    h ^= (unsigned char)z[i];
    h *= MIG_FNV_PRIME;
    if( z[i]=='\r' ){
      zLf[nLf++] = '\n';
      if( i+1<n && z[i+1]=='\n' ){
        i++;
        h ^= '\n';
        h *= MIG_FNV_PRIME;
      }
    }else{
      zLf[nLf++] = z[i];
    }
  }
  zLf[nLf] = 0;
  *pnOut = nLf;
  if( zRawSum ) migHex64(zRawSum, "", h);
  return zLf;
}

/* True if the LF text z[0..n) has blanks at the end of a line or of the
** text: only then does the version-2 checksum differ from the hash of
** all its bytes. */
static int migHasLineEndBlanks(const unsigned char *z, i64 n){
  const unsigned char *zEnd = &z[n], *zNl = z;
  if( n>0 && (z[n-1]==' ' || z[n-1]=='\t') ) return 1;
  while( (zNl = memchr(zNl, '\n', (size_t)(zEnd-zNl)))!=0 ){
    if( zNl>z && (zNl[-1]==' ' || zNl[-1]=='\t') ) return 1;
    zNl++;
  }
  return 0;
}

/* The version-2 checksum of the LF text zLf[0..nLf) (see CHECKSUMS
** above) into zOut[MIG_CHECKSUM_SZ].  A text without blanks at line ends
** (a generated script) is hashed as it is, with no tokenizing: the same
** result, since no blank is left out. */
static void migChecksumLf(const unsigned char *zLf, i64 nLf, char *zOut){
  sqlite3_uint64 h = MIG_FNV_INIT;
  i64 i, j;
  i64 nBlank = 0;          /* blanks seen and not hashed yet */
  unsigned char cLast = '\n';
  if( !migHasLineEndBlanks(zLf, nLf) ){
    h = migFnv(h, zLf, nLf);
    if( nLf>0 ) cLast = zLf[nLf-1];
  }else{
    for(i=0; i<nLf; ){
      int eType;
      int nTok = migGetToken(&zLf[i], &eType);
      if( nTok<=0 ) break;
      if( migTokenKeepsBlanks(&zLf[i], eType) ){
        /* the blanks before it are not at a line end: hash them too */
        h = migFnv(h, &zLf[i-nBlank], nBlank+nTok);
        nBlank = 0;
        cLast = zLf[i+nTok-1];
      }else{
        for(j=i; j<i+nTok; j++){
          unsigned char c = zLf[j];
          if( c==' ' || c=='\t' ){
            /* held back until something other than a line end follows
            ** (blanks are contiguous in zLf: they end just before j) */
            nBlank++;
            continue;
          }
          if( c!='\n' && nBlank>0 ) h = migFnv(h, &zLf[j-nBlank], nBlank);
          nBlank = 0;
          h ^= c;
          h *= MIG_FNV_PRIME;
          cLast = c;
        }
      }
      i += nTok;
    }
  }
  if( cLast!='\n' ){
    h ^= '\n';
    h *= MIG_FNV_PRIME;
  }
  migHex64(zOut, MIG_CHECKSUM_V2, h);
}

/* True if zRecorded, a checksum recorded when pRev was applied, is the
** checksum of its script as it is now, in the kind it was recorded:
** version 2 ("v2:...") or the raw bytes of old databases. */
int migChecksumMatches(MigRev *pRev, const char *zRecorded){
  if( zRecorded==0 ) return 1;
  if( strncmp(zRecorded, MIG_CHECKSUM_V2, 3)==0 ){
    return strcmp(zRecorded, pRev->zChecksum)==0;
  }
  return strcmp(zRecorded, pRev->zChecksumRaw)==0;
}

/* Path of file zName in directory zDir (sqlite3_free() it). */
static char *migPathJoin(Mig *p, const char *zDir, const char *zName){
  size_t nDir = strlen(zDir), nName = strlen(zName);
  int bSlash = nDir>0 && zDir[nDir-1]=='/';
  char *z = migMalloc(p, (i64)(nDir + nName + 2));
  if( z ){
    memcpy(z, zDir, nDir);
    if( !bSlash ) z[nDir++] = '/';
    memcpy(&z[nDir], zName, nName+1);
  }
  return z;
}

/* A file changed less than this many nanoseconds before it was read may
** change again within the same tick of the file system's clock (coarse:
** milliseconds, or 2 s on FAT) without its time moving: it is "racy", as
** git calls it, and a listing reads it again rather than trust its
** signature. */
#define MIG_RACY_NS ((i64)3000000000)

/* The time now, in nanoseconds since the epoch, as file times are. */
static i64 migNowNs(void){
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (i64)t.tv_sec*1000000000 + t.tv_nsec;
}

/* The signature of a file from its stat. */
static void migFileSig(const struct stat *pSt, MigFileSig *pSig){
#if defined(__APPLE__)
  pSig->iMtime = (i64)pSt->st_mtimespec.tv_sec*1000000000
               + pSt->st_mtimespec.tv_nsec;
  pSig->iCtime = (i64)pSt->st_ctimespec.tv_sec*1000000000
               + pSt->st_ctimespec.tv_nsec;
#else
  pSig->iMtime = (i64)pSt->st_mtim.tv_sec*1000000000 + pSt->st_mtim.tv_nsec;
  pSig->iCtime = (i64)pSt->st_ctim.tv_sec*1000000000 + pSt->st_ctim.tv_nsec;
#endif
  pSig->iSize = (i64)pSt->st_size;
  pSig->iIno = (i64)pSt->st_ino;
}

/*
** Read file zName of the directory open as dfd (zPath names it in
** messages) whole into *pzBuf, a buffer of *pnAlloc bytes that grows as
** needed and is reused from file to file.  Returns its length, or -1
** with an error that names the file.  pSig receives what the file was.
** Four system calls a file: open, fstat, read, close (the size from fstat
** lets one read tell the end; a file that grew meanwhile is read on).
*/
static i64 migReadScript(Mig *p, int dfd, const char *zName,
                         const char *zPath, char **pzBuf, i64 *pnAlloc,
                         MigFileSig *pSig){
  struct stat st;
  i64 n = 0;
  int fd;
  if( p->rc!=SQLITE_OK ) return -1;
  fd = openat(dfd, zName, O_RDONLY);
  if( fd<0 || fstat(fd, &st)!=0 ){
    migError(p, "cannot read the script %s: %s", zPath, strerror(errno));
    if( fd>=0 ) close(fd);
    return -1;
  }
  migFileSig(&st, pSig);
  for(;;){
    ssize_t got;
    i64 nWant = (n<pSig->iSize ? pSig->iSize : n+4096) + 2;
    if( nWant > *pnAlloc ){
      char *zNew = sqlite3_realloc64(*pzBuf, nWant);
      if( zNew==0 ){
        migErrorSet(p, SQLITE_NOMEM, 0);
        break;
      }
      *pzBuf = zNew;
      *pnAlloc = nWant;
    }
    got = read(fd, &(*pzBuf)[n], (size_t)(*pnAlloc - n - 1));
    if( got<0 && errno==EINTR ) continue;
    if( got<0 ){
      migError(p, "cannot read the script %s: %s", zPath, strerror(errno));
      break;
    }
    n += got;
    if( got==0 || (n>=pSig->iSize && n < *pnAlloc-1) ) break;
  }
  close(fd);
  if( p->rc!=SQLITE_OK ) return -1;
  (*pzBuf)[n] = 0;
  if( (i64)strlen(*pzBuf)!=n ){
    migError(p, "the script %s holds a NUL byte: it is not a text file",
        zPath);
    return -1;
  }
  return n;
}

/* True if the n-byte line z is a section line for zWord ("upgrade",
** "downgrade"): "--", optional spaces, the word, optional spaces. */
static int migIsSectionLine(const char *z, int n, const char *zWord){
  int i = 0, nWord;
  if( n<2 || z[0]!='-' || z[1]!='-' ) return 0;
  i = 2;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  /* The first letter first: every header line is asked about both. */
  if( i>=n || (z[i]|0x20)!=zWord[0] ) return 0;
  nWord = (int)strlen(zWord);
  if( n-i<nWord || sqlite3_strnicmp(&z[i], zWord, nWord)!=0 ) return 0;
  i += nWord;
  while( i<n && (z[i]==' ' || z[i]=='\t' || z[i]=='\r') ) i++;
  return i==n;
}

/*
** Which lines of a text start inside a token: a cursor over the tokens
** of an SQL text, asked about line starts in increasing order.
*/
typedef struct MigLineScan MigLineScan;
struct MigLineScan {
  const unsigned char *z;   /* the text, NUL-terminated */
  i64 iTok;                 /* the current token is z[iTok..iEnd) */
  i64 iEnd;
  int eType;                /* its MIG_TK_* type */
};

/* Start the scan at offset iStart of z (a section starts a new text). */
static void migLineScanInit(MigLineScan *pL, const char *z, i64 iStart){
  pL->z = (const unsigned char*)z;
  pL->iTok = pL->iEnd = iStart;
  pL->eType = MIG_TK_SPACE;
}

/* True if a token that began before offset iLine (a line start; calls
** come in increasing order) goes on past it and protects what it holds:
** a closed string literal, quoted name, blob or block comment.  A token
** never closed protects nothing, so that broken SQL reads as before.
** *piStart (if not NULL) receives where that token begins. */
static int migLineScanInside(MigLineScan *pL, i64 iLine, i64 *piStart){
  const unsigned char *zTok;
  i64 i;
  int n;
  /* Before tokenizing: when every quoted token and comment before the
  ** line closes on its own line (no block comment, no quote left open at
  ** a line end), no token goes on past a line end, so the line starts a
  ** token.  Anything else is tokenized. */
  for(i=pL->iEnd; i<iLine; i++){
    unsigned char c = pL->z[i];
    if( c=='-' && pL->z[i+1]=='-' ){
      while( i<iLine && pL->z[i]!='\n' ) i++;
    }else if( c=='\'' || c=='"' || c=='`' || c=='[' ){
      unsigned char cEnd = c=='[' ? ']' : c;
      for(i++; i<iLine && pL->z[i]!=cEnd && pL->z[i]!='\n'; i++){}
      if( i>=iLine || pL->z[i]=='\n' ) break;
    }else if( c=='/' ){
      break;
    }
  }
  if( pL->iEnd<=iLine && i>=iLine ){
    pL->iTok = pL->iEnd = iLine;
    pL->eType = MIG_TK_SPACE;
    return 0;
  }
  while( pL->iEnd<=iLine ){
    n = migGetToken(&pL->z[pL->iEnd], &pL->eType);
    if( n<=0 ) return 0;
    pL->iTok = pL->iEnd;
    pL->iEnd += n;
  }
  if( pL->iTok>=iLine ) return 0;
  if( piStart ) *piStart = pL->iTok;
  zTok = &pL->z[pL->iTok];
  n = (int)(pL->iEnd - pL->iTok);
  switch( pL->eType ){
    case MIG_TK_STRING: case MIG_TK_QID: case MIG_TK_BLOB:
      return 1;
    case MIG_TK_SPACE:
      return n>=4 && zTok[0]=='/' && zTok[1]=='*'
          && zTok[n-2]=='*' && zTok[n-1]=='/';
  }
  return 0;
}

/* True for characters allowed in a revision id. */
static int migIsRevIdChar(char c){
  return (c>='0' && c<='9') || (c>='a' && c<='z') || (c>='A' && c<='Z')
      || c=='_';
}

/* Copy the trimmed value z[0..n-1] into the arena. */
static char *migTrimDup(Mig *p, MigArena *pA, const char *z, int n){
  while( n>0 && (z[0]==' ' || z[0]=='\t') ){ z++; n--; }
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\r') ) n--;
  return migArenaStrndup(p, pA, z, n);
}

/* Check that zId is a usable revision id; zWhat names the header key. */
static void migCheckId(Mig *p, const char *zFile, const char *zWhat,
                       const char *zId){
  int i;
  if( p->rc!=SQLITE_OK ) return;
  for(i=0; zId[i]; i++){
    if( !migIsRevIdChar(zId[i]) ) break;
  }
  if( i==0 || zId[i] ){
    migError(p, "%s: bad %s '%s': a revision id is made of"
        " letters, digits and '_'", zFile, zWhat, zId);
  }
}

/* Split the down_revision value zVal (ids separated by commas or spaces)
** into pRev->azDown. */
static void migParseDown(Mig *p, MigArena *pA, MigRev *pRev, const char *zVal){
  int i, n = 0, nMax = 1;
  for(i=0; zVal[i]; i++) if( zVal[i]==',' || zVal[i]==' ' ) nMax++;
  pRev->azDown = migArenaAlloc(p, pA, sizeof(char*)*nMax);
  if( pRev->azDown==0 ) return;
  i = 0;
  while( p->rc==SQLITE_OK && zVal[i] ){
    int j;
    while( zVal[i]==',' || zVal[i]==' ' || zVal[i]=='\t' ) i++;
    for(j=i; zVal[j] && zVal[j]!=',' && zVal[j]!=' ' && zVal[j]!='\t'; j++);
    if( j>i ){
      char *zId = migArenaStrndup(p, pA, &zVal[i], j-i);
      migCheckId(p, pRev->zFile, "down_revision", zId ? zId : "");
      pRev->azDown[n++] = zId;
    }
    i = j;
  }
  pRev->nDown = n;
}

/* Parse the text of script zFile into a new MigRev.  Its checksums are
** of the text as it is; the rest is read with every line ending made
** LF, so that a checkout with other line endings runs the same SQL (the
** same string literals) as the checksum says it is. */
static MigRev *migScriptParse(
  Mig *p, MigArena *pA, const char *zFile, const char *zRaw, i64 nRaw
){
  MigRev *pRev = migArenaAlloc(p, pA, sizeof(MigRev));
  i64 nText = nRaw;
  char zRawSum[17];
  char *zCopy = 0;              /* the LF copy, when the text has a CR */
  const char *zText = zRaw;
  int eState = 0;               /* 0 header, 1 upgrade, 2 downgrade */
  i64 iUp = 0, iUpEnd = 0, iDown = 0;
  i64 i = 0;
  int iLine = 0;
  const char *zDownVal = 0;
  MigLineScan scan;
  i64 iHidden = -1;             /* a section line inside a token, or -1 */
  i64 iHiddenTok = 0;           /* where that token begins */
  if( pRev==0 ) return 0;
  if( memchr(zRaw, '\r', (size_t)nRaw) ){
    zText = zCopy = migLfText(p, zRaw, nRaw, &nText, zRawSum);
    if( zCopy==0 ) return 0;
    migChecksumLf((const unsigned char*)zText, nText, pRev->zChecksum);
  }else{
    sqlite3_uint64 h = migFnv(MIG_FNV_INIT, (const unsigned char*)zRaw, nRaw);
    migHex64(zRawSum, "", h);
    if( migHasLineEndBlanks((const unsigned char*)zRaw, nRaw) ){
      migChecksumLf((const unsigned char*)zText, nText, pRev->zChecksum);
    }else{
      /* No CR, no blank at a line end (a generated script): the raw
      ** bytes are the version-2 text, one hash serves both checksums. */
      if( nRaw>0 && zRaw[nRaw-1]!='\n' ){
        h = migFnv(h, (const unsigned char*)"\n", 1);
      }
      migHex64(pRev->zChecksum, MIG_CHECKSUM_V2, h);
    }
  }
  pRev->zFile = migArenaStrndup(p, pA, zFile, -1);
  memcpy(pRev->zChecksumRaw, zRawSum, sizeof(zRawSum));
  migLineScanInit(&scan, zText, 0);
  while( p->rc==SQLITE_OK && i<nText ){
    const char *zNl = memchr(&zText[i], '\n', (size_t)(nText-i));
    i64 iEnd = zNl ? (i64)(zNl-zText) : nText, iNext, iTok = 0;
    int n, bUp, bDown;
    iNext = iEnd<nText ? iEnd+1 : iEnd;
    n = (int)(iEnd - i);
    iLine++;
    bUp = zText[i]=='-' && migIsSectionLine(&zText[i], n, "upgrade");
    bDown = !bUp && zText[i]=='-'
         && migIsSectionLine(&zText[i], n, "downgrade");
    if( (bUp || bDown) && migLineScanInside(&scan, i, &iTok) ){
      /* Inside a string literal, quoted name or comment: SQL. */
      if( iHidden<0 ){
        iHidden = i;
        iHiddenTok = iTok;
      }
      bUp = bDown = 0;
    }
    if( bUp ){
      if( eState!=0 ){
        migError(p, "%s: line %d: a second '-- upgrade' line"
            " (a script has one upgrade and one downgrade section)",
            zFile, iLine);
      }
      eState = 1;
      iUp = iNext;
      pRev->iUpLine = iLine+1;
      migLineScanInit(&scan, zText, iNext);
    }else if( bDown ){
      if( eState!=1 ){
        migError(p, "%s: line %d: '-- downgrade' %s", zFile,
            iLine, eState==0 ? "comes before the '-- upgrade' line"
                             : "appears twice");
      }
      eState = 2;
      iUpEnd = i;
      iDown = iNext;
      migLineScanInit(&scan, zText, iNext);
      pRev->iDownLine = iLine+1;
    }else if( eState==0 ){
      const char *z = &zText[i];
      int k = 0;
      while( k<n && (z[k]==' ' || z[k]=='\t' || z[k]=='\r') ) k++;
      if( k==n ){
        /* blank line */
      }else if( n>=2 && z[0]=='-' && z[1]=='-' ){
        int c, kStart = 2;
        while( kStart<n && z[kStart]==' ' ) kStart++;
        for(c=kStart; c<n && z[c]!=':'; c++);
        if( c<n ){
          int nKey = c - kStart;
          while( nKey>0 && (z[kStart+nKey-1]==' ' || z[kStart+nKey-1]=='\t') ){
            nKey--;
          }
          char *zVal = migTrimDup(p, pA, &z[c+1], n-c-1);
          if( nKey==8 && sqlite3_strnicmp(&z[kStart], "revision", 8)==0 ){
            pRev->zRev = zVal;
            if( zVal ) migCheckId(p, zFile, "revision", zVal);
          }else if( nKey==13
                 && sqlite3_strnicmp(&z[kStart], "down_revision", 13)==0 ){
            zDownVal = zVal;
          }else if( nKey==7 && sqlite3_strnicmp(&z[kStart], "message", 7)==0 ){
            pRev->zMessage = zVal;
          }else if( nKey==7 && sqlite3_strnicmp(&z[kStart], "created", 7)==0 ){
            pRev->zCreated = zVal;
          }
        }
      }else{
        migError(p, "%s: line %d: SQL before the '-- upgrade'"
            " line (the header holds only '-- key: value' lines)",
            zFile, iLine);
      }
    }
    i = iNext;
  }
  if( p->rc==SQLITE_OK && eState<2 && iHidden>=0 ){
    migError(p, "%s: line %d: this section line is inside a string literal,"
        " quoted name or comment that starts on line %d, so it is SQL, not"
        " a section line: close what is open before it", zFile,
        migLineOf(zText, 1, iHidden), migLineOf(zText, 1, iHiddenTok));
  }
  if( p->rc==SQLITE_OK && eState==0 ){
    migError(p, "%s: no '-- upgrade' line: a script needs an"
        " '-- upgrade' and a '-- downgrade' section", zFile);
  }
  if( p->rc==SQLITE_OK && eState==1 ){
    migError(p, "%s: no '-- downgrade' line: a script needs an"
        " '-- upgrade' and a '-- downgrade' section", zFile);
  }
  if( p->rc==SQLITE_OK && pRev->zRev==0 ){
    migError(p, "%s: no '-- revision: <id>' line in the"
        " header", zFile);
  }
  if( p->rc==SQLITE_OK ){
    pRev->zUpgrade = migArenaStrndup(p, pA, &zText[iUp], (int)(iUpEnd-iUp));
    pRev->zDowngrade = migArenaStrndup(p, pA, &zText[iDown],
                                       (int)(nText-iDown));
    if( pRev->zMessage==0 ) pRev->zMessage = migArenaStrndup(p, pA, "", 0);
    if( pRev->zCreated==0 ) pRev->zCreated = migArenaStrndup(p, pA, "", 0);
    migParseDown(p, pA, pRev, zDownVal ? zDownVal : "");
  }
  sqlite3_free(zCopy);
  return p->rc==SQLITE_OK ? pRev : 0;
}

static int migCmpName(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/* Depth-first: emit pRev after its parents.  Detects cycles. */
static void migTopoVisit(Mig *p, MigScripts *pS, MigRev *pRev, int *pn){
  int i;
  if( p->rc!=SQLITE_OK || pRev->iMark==2 ) return;
  if( pRev->iMark==1 ){
    migError(p, "the revisions in %s form a cycle: %s (%s)"
        " is its own ancestor; fix the down_revision lines",
        pS->zDir, pRev->zRev, pRev->zFile);
    return;
  }
  pRev->iMark = 1;
  for(i=0; i<pRev->nDown; i++) migTopoVisit(p, pS, pRev->apDown[i], pn);
  pRev->iMark = 2;
  if( p->rc==SQLITE_OK ){
    pRev->iOrder = *pn;
    pS->apRev[(*pn)++] = pRev;
  }
}

/* Link parents and children, order base first, find the heads. */
static void migScriptsGraph(Mig *p, MigScripts *pS, MigRev **apFile){
  MigArena *pA = &pS->arena;
  int i, j, n = 0;
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    MigRev *pRev = apFile[i];
    MigRev *pOld = migHashFind(&pS->revs, pRev->zRev);
    if( pOld ){
      migError(p, "revision %s is in two scripts: %s and %s;"
          " give one of them another id", pRev->zRev, pOld->zFile,
          pRev->zFile);
    }
    migHashInsert(p, &pS->revs, pRev->zRev, pRev);
  }
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    MigRev *pRev = apFile[i];
    pRev->apDown = migArenaAlloc(p, pA, sizeof(MigRev*)*(pRev->nDown+1));
    for(j=0; p->rc==SQLITE_OK && j<pRev->nDown; j++){
      MigRev *pParent = migHashFind(&pS->revs, pRev->azDown[j]);
      if( pParent==0 ){
        migError(p, "%s: down_revision %s: no script in %s"
            " has that revision", pRev->zFile, pRev->azDown[j], pS->zDir);
      }else{
        pRev->apDown[j] = pParent;
        pParent->nChild++;
      }
    }
  }
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    MigRev *pRev = apFile[i];
    pRev->apChild = migArenaAlloc(p, pA, sizeof(MigRev*)*(pRev->nChild+1));
    pRev->nChild = 0;
  }
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    MigRev *pRev = apFile[i];
    for(j=0; j<pRev->nDown; j++){
      MigRev *pParent = pRev->apDown[j];
      pParent->apChild[pParent->nChild++] = pRev;
    }
  }
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    migTopoVisit(p, pS, apFile[i], &n);
  }
  if( p->rc==SQLITE_OK ){
    pS->apHead = migArenaAlloc(p, pA, sizeof(MigRev*)*(pS->nRev+1));
  }
  for(i=0; p->rc==SQLITE_OK && i<pS->nRev; i++){
    pS->apRev[i]->iMark = 0;
    if( pS->apRev[i]->nChild==0 ) pS->apHead[pS->nHead++] = pS->apRev[i];
  }
}

/* The ".sql" files of directory pDir (not hidden), sorted by name: an
** array (sqlite3_malloc) of names in pA.  *pn is their number. */
static char **migListScripts(Mig *p, DIR *pDir, MigArena *pA, int *pn){
  char **azName = 0;
  int nName = 0, nAlloc = 0;
  struct dirent *pEnt;
  while( pDir && p->rc==SQLITE_OK && (pEnt = readdir(pDir))!=0 ){
    int n = (int)strlen(pEnt->d_name);
    if( pEnt->d_name[0]=='.' || n<5 || strcmp(&pEnt->d_name[n-4], ".sql") ){
      continue;
    }
    if( nName>=nAlloc ){
      char **azNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      azNew = sqlite3_realloc64(azName, sizeof(char*)*nAlloc);
      if( azNew==0 ){
        migErrorSet(p, SQLITE_NOMEM, 0);
        break;
      }
      azName = azNew;
    }
    azName[nName] = migArenaStrndup(p, pA, pEnt->d_name, n);
    if( azName[nName] ) nName++;
  }
  if( nName>1 ) qsort(azName, nName, sizeof(char*), migCmpName);
  *pn = nName;
  return azName;
}

/* Open directory zDir, or set an error unless it does not exist (a
** location that does not exist holds no scripts: the first write
** creates it). */
static DIR *migOpenDir(Mig *p, const char *zDir){
  DIR *pDir;
  if( p->rc!=SQLITE_OK ) return 0;
  pDir = opendir(zDir);
  if( pDir==0 && errno!=ENOENT ){
    migError(p, "cannot read the script location %s: %s"
        " (set it with mig_config('script_location', 'dir'))",
        zDir, strerror(errno));
  }
  return pDir;
}

/* Read every script of directory zDir now, checksums and all. */
static MigScripts *migScriptsLoad(Mig *p, const char *zDir){
  MigScripts *pS;
  DIR *pDir;
  MigRev **apFile = 0;
  char *zBuf = 0;
  i64 nBuf = 0;
  int i, nName = 0;
  if( p->rc!=SQLITE_OK ) return 0;
  pS = migMalloc(p, sizeof(MigScripts));
  if( pS==0 ) return 0;
  pS->nRef = 1;
  pS->iReadTime = migNowNs();
  pS->zDir = migArenaStrndup(p, &pS->arena, zDir, -1);
  pDir = migOpenDir(p, zDir);
  if( pDir ){
    struct stat st;
    if( fstat(dirfd(pDir), &st)==0 ) migFileSig(&st, &pS->dirSig);
  }
  pS->azName = migListScripts(p, pDir, &pS->arena, &nName);
  apFile = migMalloc(p, sizeof(MigRev*)*(nName+1));
  pS->apRev = migArenaAlloc(p, &pS->arena, sizeof(MigRev*)*(nName+1));
  pS->aSig = migArenaAlloc(p, &pS->arena, sizeof(MigFileSig)*(nName+1));
  for(i=0; p->rc==SQLITE_OK && i<nName; i++){
    char *zPath = migPathJoin(p, zDir, pS->azName[i]);
    i64 nText = zPath ? migReadScript(p, dirfd(pDir), pS->azName[i], zPath,
                                      &zBuf, &nBuf, &pS->aSig[i]) : -1;
    if( nText>=0 ){
      apFile[i] = migScriptParse(p, &pS->arena, zPath, zBuf, nText);
    }
    sqlite3_free(zPath);
  }
  if( pDir ) closedir(pDir);
  if( p->rc==SQLITE_OK ) pS->nRev = pS->nFile = nName;
  for(i=0; p->rc==SQLITE_OK && i<nName; i++){
    migHashInsert(p, &pS->files, pS->azName[i], &pS->aSig[i]);
  }
  migScriptsGraph(p, pS, apFile);
  sqlite3_free(apFile);
  sqlite3_free(zBuf);
  if( p->rc!=SQLITE_OK ){
    migScriptsFree(pS);
    pS = 0;
  }
  return pS;
}

/* Make pS the connection's cached scripts (the cache takes a
** reference; the one it held goes). */
static void migScriptsCache(MigConfig *pC, MigScripts *pS){
  if( pS ) pS->nRef++;
  migScriptsFree(pC->pScripts);
  pC->pScripts = pS;
}

/* The scripts of the connection's script location, read now (and kept
** for the listings). */
MigScripts *migScriptsOpen(Mig *p){
  MigScripts *pS = migScriptsLoad(p, p->pConfig->zScriptLocation);
  if( pS ) migScriptsCache(p->pConfig, pS);
  return pS;
}

/* True if file signature pNow is pWas, and was not racy then. */
static int migFileSigSame(MigScripts *pS, const MigFileSig *pNow,
                      const MigFileSig *pWas){
  return memcmp(pNow, pWas, sizeof(*pNow))==0
      && pWas->iMtime < pS->iReadTime - MIG_RACY_NS
      && pWas->iCtime < pS->iReadTime - MIG_RACY_NS;
}

/* True if every script of pS is as it was when pS read it: the same
** names in the directory, each with the same size, times and inode, and
** none of them racy.  When the directory itself is as it was, its names
** are too (adding, removing or renaming a file changes its times), and
** one fstatat a file is all (bNames: not even that, see migScriptsList);
** else one readdir more, no sort.  Any doubt (an error on the way) is a
** no. */
static int migScriptsUnchanged(MigScripts *pS, int bNames){
  DIR *pDir;
  struct dirent *pEnt;
  struct stat st;
  MigFileSig sig;
  int i, nSeen = 0, bSame = 1;
  errno = 0;
  pDir = opendir(pS->zDir);
  if( pDir==0 ) return errno==ENOENT && pS->nFile==0;
  if( fstat(dirfd(pDir), &st)==0 ){
    migFileSig(&st, &sig);
    if( migFileSigSame(pS, &sig, &pS->dirSig) ){
      for(i=0; bSame && !bNames && i<pS->nFile; i++){
        bSame = fstatat(dirfd(pDir), pS->azName[i], &st, 0)==0;
        if( bSame ){
          migFileSig(&st, &sig);
          bSame = migFileSigSame(pS, &sig, &pS->aSig[i]);
        }
      }
      closedir(pDir);
      return bSame;
    }
  }
  while( bSame && (pEnt = readdir(pDir))!=0 ){
    const char *zName = pEnt->d_name;
    int n = (int)strlen(zName);
    MigFileSig *pSig;
    if( zName[0]=='.' || n<5 || strcmp(&zName[n-4], ".sql") ) continue;
    pSig = (MigFileSig*)migHashFind(&pS->files, zName);
    bSame = pSig!=0 && strcmp(pS->azName[pSig - pS->aSig], zName)==0
         && fstatat(dirfd(pDir), zName, &st, 0)==0;
    if( bSame ){
      migFileSig(&st, &sig);
      bSame = migFileSigSame(pS, &sig, pSig);
    }
    nSeen++;
  }
  closedir(pDir);
  return bSame && nSeen==pS->nFile;
}

/*
** The scripts for a listing: the ones the connection read last while
** each file is as it was then (see MigFileSig), else read now.  A
** listing may show a script edited within the same nanosecond at the
** same size; an upgrade, a downgrade, a stamp or a check never does:
** they read every script (migScriptsOpen).
**
** With bNames, only the directory is checked (one system call, not one
** a file: about 2 microseconds each on a VM, 11 ms for 5,000 scripts):
** enough for mig_current(), whose answer depends only on which scripts
** exist and on the down_revision lines of applied ones, and an applied
** script edited in place is an edit that every upgrade or downgrade
** through it reports.
*/
MigScripts *migScriptsList(Mig *p, int bNames){
  MigScripts *pS = p->pConfig->pScripts;
  if( p->rc!=SQLITE_OK ) return 0;
  if( pS && strcmp(pS->zDir, p->pConfig->zScriptLocation)==0
   && migScriptsUnchanged(pS, bNames)
  ){
    pS->nRef++;
    return pS;
  }
  return migScriptsOpen(p);
}

/* The parents of pRev as the applied table records them (down_revision):
** "a,b", "" for none (sqlite3_free). */
char *migRevDownList(Mig *p, const MigRev *pRev){
  sqlite3_str *pStr;
  int i;
  if( p->rc!=SQLITE_OK ) return 0;
  pStr = sqlite3_str_new(p->db);
  for(i=0; i<pRev->nDown; i++){
    sqlite3_str_appendf(pStr, "%s%s", i ? "," : "", pRev->azDown[i]);
  }
  return migStrFinish(p, pStr);
}

/* The revision id that script file name zName gives by libmig's naming,
** "<digits>_<id>[_<slug>].sql", copied into zId (nId bytes); 0 when the
** name is not of that form. */
static int migNameId(const char *zName, char *zId, int nId){
  int n = (int)strlen(zName) - 4, i = 0, j;
  while( i<n && zName[i]>='0' && zName[i]<='9' ) i++;
  if( i==0 || i>=n || zName[i]!='_' ) return 0;
  for(j=++i; j<n && zName[j]!='_'; j++);
  if( j==i || j-i>=nId ) return 0;
  memcpy(zId, &zName[i], j-i);
  zId[j-i] = 0;
  return 1;
}

/*
** True when the file names of directory zDir name each of the nId
** revisions azId exactly once by libmig's naming (migNameId), every
** script there is a plain file, and the script of azId[iCur] reads as
** that revision with the parents zDown ("a,b"; "" for none).  This lets
** mig_current() answer from the applied table on a connection that has
** not read the scripts: one readdir and one script instead of every
** file.  Anything else, an error included, is a 0 and no error (but out
** of memory): the caller then reads every script, and reports there
** what is wrong.
*/
int migScriptsConfirm(Mig *p, const char *zDir, int nId, char **azId,
                      int iCur, const char *zDown){
  MigHash ids;
  Mig m;
  MigArena a;
  MigFileSig sig;
  MigRev *pRev = 0;
  DIR *pDir;
  struct dirent *pEnt;
  unsigned char *aSeen;
  char *zName = 0, *zPath = 0, *zText = 0, *zGot = 0;
  char zId[64];
  i64 nAlloc = 0, nText;
  int i, nSeen = 0, bOk = 1;
  if( p->rc!=SQLITE_OK ) return 0;
  memset(&ids, 0, sizeof(ids));
  memset(&a, 0, sizeof(a));
  migHandleInit(&m, p->db, 0, 0);
  aSeen = migMalloc(&m, nId+1);
  for(i=0; m.rc==SQLITE_OK && i<nId; i++){
    migHashInsert(&m, &ids, azId[i], &aSeen[i]);
  }
  pDir = m.rc==SQLITE_OK ? opendir(zDir) : 0;
  if( pDir==0 ) bOk = 0;
  while( bOk && (pEnt = readdir(pDir))!=0 ){
    int n = (int)strlen(pEnt->d_name);
    unsigned char *pSeen;
    if( pEnt->d_name[0]=='.' || n<5 || strcmp(&pEnt->d_name[n-4], ".sql") ){
      continue;
    }
#ifdef DT_REG
    bOk = pEnt->d_type==DT_REG;   /* DT_UNKNOWN too: let the full read say */
#endif
    if( !bOk || !migNameId(pEnt->d_name, zId, (int)sizeof(zId)) ) continue;
    pSeen = (unsigned char*)migHashFind(&ids, zId);
    if( pSeen==0 ) continue;
    bOk = *pSeen==0;
    *pSeen = 1;
    nSeen++;
    if( pSeen==&aSeen[iCur] ) zName = migArenaStrndup(&m, &a, pEnt->d_name, n);
  }
  if( pDir ) closedir(pDir);
  if( bOk && nSeen==nId && zName ){
    zPath = migPathJoin(&m, zDir, zName);
    nText = zPath ? migReadScript(&m, AT_FDCWD, zPath, zPath, &zText, &nAlloc,
                                  &sig) : -1;
    pRev = nText>=0 ? migScriptParse(&m, &a, zPath, zText, nText) : 0;
    zGot = pRev ? migRevDownList(&m, pRev) : 0;
    bOk = zGot && strcmp(pRev->zRev, azId[iCur])==0 && strcmp(zGot, zDown)==0;
  }else{
    bOk = 0;
  }
  migErrorDrop(p, &m);
  migHashClear(&ids);
  migArenaFree(&a);
  sqlite3_free(aSeen);
  sqlite3_free(zPath);
  sqlite3_free(zText);
  sqlite3_free(zGot);
  return bOk && p->rc==SQLITE_OK;
}

/* Drop a reference to pS: freed with the last one.  NULL is a no-op. */
void migScriptsFree(MigScripts *pS){
  if( pS && --pS->nRef<=0 ){
    migHashClear(&pS->revs);
    migHashClear(&pS->files);
    sqlite3_free(pS->azName);
    migArenaFree(&pS->arena);
    sqlite3_free(pS);
  }
}

/* The revision whose id is zId or starts with zId (which must be unique). */
MigRev *migScriptsFind(Mig *p, MigScripts *pS, const char *zId){
  MigRev *pFound;
  int i, nMatch = 0, n;
  if( p->rc!=SQLITE_OK ) return 0;
  pFound = migHashFind(&pS->revs, zId);
  if( pFound ) return pFound;
  n = (int)strlen(zId);
  for(i=0; n>0 && i<pS->nRev; i++){
    if( sqlite3_strnicmp(pS->apRev[i]->zRev, zId, n)==0 ){
      if( nMatch==0 ) pFound = pS->apRev[i];
      nMatch++;
    }
  }
  if( nMatch==1 ) return pFound;
  if( nMatch==0 ){
    migError(p, "no revision '%s' in %s (a target is head, heads, base, "
        "+N, -N, a revision id or a unique prefix of one)", zId, pS->zDir);
  }else{
    sqlite3_str *pStr = sqlite3_str_new(p->db);
    int k = 0;
    for(i=0; i<pS->nRev; i++){
      if( sqlite3_strnicmp(pS->apRev[i]->zRev, zId, n)==0 ){
        sqlite3_str_appendf(pStr, "%s%s", k++ ? ", " : "", pS->apRev[i]->zRev);
      }
    }
    {
      char *zList = sqlite3_str_finish(pStr);
      if( zList==0 ){
        migErrorSet(p, SQLITE_NOMEM, 0);
      }else{
        migError(p, "revision prefix '%s' is ambiguous: %s; give more "
            "digits", zId, zList);
      }
      sqlite3_free(zList);
    }
  }
  return 0;
}

/* The heads as "a, b" ("" when there are none). */
static char *migScriptsHeadList(Mig *p, MigScripts *pS){
  sqlite3_str *pStr;
  char *z;
  int i;
  if( p->rc!=SQLITE_OK ) return 0;
  pStr = sqlite3_str_new(p->db);
  for(i=0; i<pS->nHead; i++){
    sqlite3_str_appendf(pStr, "%s%s", i ? ", " : "", pS->apHead[i]->zRev);
  }
  sqlite3_str_appendall(pStr, "");
  z = sqlite3_str_finish(pStr);
  if( z==0 ) z = migMprintf(p, "%s", "");
  return z;
}

/* Fail when there are several heads, with zAdvice on what to do. */
void migRequireOneHead(Mig *p, MigScripts *pS, const char *zAdvice){
  if( p->rc==SQLITE_OK && pS->nHead>1 ){
    char *zList = migScriptsHeadList(p, pS);
    if( zList ){
      migError(p, "there are several heads (%s): %s", zList, zAdvice);
    }
    sqlite3_free(zList);
  }
}

/* Create directory zDir and its missing parents. */
static void migMakeDir(Mig *p, const char *zDir){
  char *z = migStrndup(p, zDir, -1);
  int i, n;
  if( z==0 ) return;
  n = (int)strlen(z);
  for(i=1; i<=n && p->rc==SQLITE_OK; i++){
    if( i==n || z[i]=='/' ){
      char c = z[i];
      z[i] = 0;
      if( mkdir(z, 0777)!=0 && errno!=EEXIST ){
        migError(p, "cannot create the script location %s:"
            " %s", zDir, strerror(errno));
      }
      z[i] = c;
    }
  }
  sqlite3_free(z);
}

/* The largest <YYYYMMDDHHMMSS> prefix of a script name in zDir, as a
** number, or 0.  A new script gets a larger one even when written in
** the same second, so that file names keep sorting in creation order. */
static sqlite3_int64 migMaxStamp(const char *zDir){
  sqlite3_int64 iMax = 0;
  DIR *pDir = opendir(zDir);
  struct dirent *pEnt;
  while( pDir && (pEnt = readdir(pDir))!=0 ){
    sqlite3_int64 v = 0;
    int i;
    for(i=0; i<14 && pEnt->d_name[i]>='0' && pEnt->d_name[i]<='9'; i++){
      v = v*10 + (pEnt->d_name[i]-'0');
    }
    if( i==14 && pEnt->d_name[14]=='_' && v>iMax ) iMax = v;
  }
  if( pDir ) closedir(pDir);
  return iMax;
}

/* The text of a section as the writer puts it in a script: zIn with LF
** line ends, one at its end (none when it is empty), and every line that the
** reader would take for a section line (outside string literals, quoted
** names and comments) indented by one space, so that it stays SQL (a
** comment) and the script reads back as written.  sqlite3_free() it. */
static char *migSectionText(Mig *p, const char *zIn){
  sqlite3_str *pStr;
  MigLineScan scan;
  i64 i = 0, n = 0;
  char *zSql = migLfText(p, zIn, (i64)strlen(zIn), &n, 0);
  if( zSql==0 ) return 0;
  pStr = sqlite3_str_new(p->db);
  migLineScanInit(&scan, zSql, 0);
  while( i<n ){
    i64 iEnd = i;
    while( iEnd<n && zSql[iEnd]!='\n' ) iEnd++;
    if( (migIsSectionLine(&zSql[i], (int)(iEnd-i), "upgrade")
      || migIsSectionLine(&zSql[i], (int)(iEnd-i), "downgrade"))
     && !migLineScanInside(&scan, i, 0)
    ){
      sqlite3_str_append(pStr, " ", 1);
    }
    sqlite3_str_append(pStr, &zSql[i], (int)(iEnd-i));
    sqlite3_str_append(pStr, "\n", 1);
    i = iEnd<n ? iEnd+1 : iEnd;
  }
  sqlite3_str_appendall(pStr, "");
  sqlite3_free(zSql);
  return migStrFinish(p, pStr);
}

/* Write the n bytes z to zPath, a file that must not exist yet, and
** flush them to disk.  On failure no file remains and the error names
** the file. */
static void migWriteNew(Mig *p, const char *zPath, const char *z, i64 n){
  int fd;
  i64 i = 0;
  int bFail = 0;
  if( p->rc!=SQLITE_OK ) return;
  fd = open(zPath, O_WRONLY|O_CREAT|O_EXCL, 0666);
  if( fd<0 ){
    migError(p, "cannot write the script %s: %s", zPath, strerror(errno));
    return;
  }
  while( i<n && !bFail ){
    ssize_t got = write(fd, &z[i], (size_t)(n-i));
    if( got<0 && errno==EINTR ) continue;
    if( got<=0 ){
      bFail = 1;
    }else{
      i += got;
    }
  }
  if( !bFail && fsync(fd)!=0 ) bFail = 1;
  if( bFail ){
    migError(p, "cannot write the script %s: %s", zPath, strerror(errno));
  }
  if( close(fd)!=0 && !bFail ){
    bFail = 1;
    migError(p, "cannot write the script %s: %s", zPath, strerror(errno));
  }
  if( bFail ) unlink(zPath);
}

/* Make a rename in directory zDir durable (best effort: the file is in
** place either way). */
static void migSyncDir(const char *zDir){
  int fd = open(zDir, O_RDONLY);
  if( fd>=0 ){
    (void)fsync(fd);
    close(fd);
  }
}

/* True if a and b (either may be NULL) hold the same text. */
static int migSameText(const char *a, const char *b){
  return strcmp(a ? a : "", b ? b : "")==0;
}

/* Read the script zPath back and check that it is what was written:
** pWant's id, parents, message and created, and the upgrade and
** downgrade sections zUp and zDown exactly. */
static void migScriptVerify(Mig *p, const char *zPath, MigRev *pWant,
                            const char *zUp, const char *zDown){
  MigArena a;
  MigFileSig sig;
  char *zText = 0;
  i64 nAlloc = 0;
  i64 nText = migReadScript(p, AT_FDCWD, zPath, zPath, &zText, &nAlloc, &sig);
  MigRev *pGot = 0;
  Mig m;
  int i, bSame;
  if( nText<0 ){
    sqlite3_free(zText);
    return;
  }
  memset(&a, 0, sizeof(a));
  migHandleInit(&m, p->db, 0, 0);
  pGot = migScriptParse(&m, &a, zPath, zText, nText);
  bSame = pGot!=0
       && migSameText(pGot->zRev, pWant->zRev)
       && pGot->nDown==pWant->nDown
       && migSameText(pGot->zMessage, pWant->zMessage)
       && migSameText(pGot->zCreated, pWant->zCreated)
       && migSameText(pGot->zUpgrade, zUp)
       && migSameText(pGot->zDowngrade, zDown);
  for(i=0; bSame && i<pWant->nDown; i++){
    bSame = migSameText(pGot->azDown[i], pWant->azDown[i]);
  }
  if( m.rc==SQLITE_NOMEM ){
    migErrorSet(p, SQLITE_NOMEM, 0);
  }else if( !bSame ){
    migError(p, "cannot write the script: it would not read back as"
        " written (%s); nothing was written",
        m.zErr ? m.zErr : "its sections or header differ");
  }
  migReset(&m);
  migArenaFree(&a);
  sqlite3_free(zText);
}

/*
** Write a new revision script with parents apDown[0..nDown-1] and
** return its id.  The directory is created if need be.
**
** The script appears whole or not at all: it is written under a hidden
** temporary name in the same directory (".<name>.tmp", which the reader
** skips), flushed to disk, read back and checked to be the revision
** meant (header and both sections, byte for byte), and only then renamed
** to its name.  On any failure the temporary file is removed and the
** call fails.  A process killed before the rename leaves at most the
** hidden temporary file, never a script.
*/
char *migScriptWrite(Mig *p, const char *zDir, const char *zMessage,
    int nDown, MigRev **apDown, const char *zUp, const char *zDown){
  unsigned char aRand[6];
  char zRev[13];
  char zStamp[16], zCreated[24];
  char zSlug[41];
  char *zMsg = 0, *zPath = 0, *zTmp = 0, *zName = 0, *zText = 0, *zRet = 0;
  char *zUpText = 0, *zUpSection = 0, *zDownText = 0;
  sqlite3_str *pStr = 0;
  MigRev want;
  struct stat st;
  int i, nSlug = 0;
  if( p->rc!=SQLITE_OK ) return 0;

  /* The id starts with a letter (a-f) so that no tool reads it as a
  ** number: all digits ("012345678901"), or digits around one "e"
  ** ("6e1234567890", a float that Tcl printed as "Inf"), would be. */
  sqlite3_randomness(sizeof(aRand), aRand);
  aRand[0] = (unsigned char)(((10 + (aRand[0]>>4)%6)<<4) | (aRand[0]&0x0f));
  for(i=0; i<6; i++) sqlite3_snprintf(3, &zRev[i*2], "%02x", aRand[i]);
  migUtcNow(zCreated, zStamp);
  {
    sqlite3_int64 iMax = migMaxStamp(zDir);
    if( iMax>=strtoll(zStamp, 0, 10) ){
      sqlite3_snprintf(sizeof(zStamp), zStamp, "%014lld", iMax+1);
    }
  }

  /* The message on one line, trimmed as the reader trims it, and its
  ** slug. */
  zMsg = migStrndup(p, zMessage ? zMessage : "", -1);
  if( zMsg==0 ) goto write_out;
  for(i=0; zMsg[i]; i++){
    char c = zMsg[i];
    if( c=='\n' || c=='\r' || c=='\t' ) zMsg[i] = ' ';
    if( (c>='a' && c<='z') || (c>='0' && c<='9') ){
      if( nSlug<40 ) zSlug[nSlug++] = c;
    }else if( c>='A' && c<='Z' ){
      if( nSlug<40 ) zSlug[nSlug++] = c - 'A' + 'a';
    }else if( nSlug>0 && zSlug[nSlug-1]!='_' && nSlug<40 ){
      zSlug[nSlug++] = '_';
    }
  }
  while( nSlug>0 && zSlug[nSlug-1]=='_' ) nSlug--;
  zSlug[nSlug] = 0;
  {
    int n = (int)strlen(zMsg), k = 0;
    while( n>0 && zMsg[n-1]==' ' ) n--;
    while( k<n && zMsg[k]==' ' ) k++;
    memmove(zMsg, &zMsg[k], n-k);
    zMsg[n-k] = 0;
  }

  /* The text.  The reader gives back each section up to the next
  ** section line: the upgrade's blank line before "-- downgrade" is
  ** part of it. */
  zUpText = migSectionText(p, zUp ? zUp : "");
  zDownText = migSectionText(p, zDown ? zDown : "");
  zUpSection = migMprintf(p, "%s\n", zUpText ? zUpText : "");
  if( p->rc!=SQLITE_OK ) goto write_out;
  pStr = sqlite3_str_new(p->db);
  sqlite3_str_appendf(pStr, "-- revision: %s\n-- down_revision:", zRev);
  for(i=0; i<nDown; i++){
    sqlite3_str_appendf(pStr, "%s %s", i ? "," : "", apDown[i]->zRev);
  }
  sqlite3_str_appendf(pStr, "\n-- message:%s%s\n-- created: %s\n\n"
      "-- upgrade\n%s-- downgrade\n%s", zMsg[0] ? " " : "", zMsg, zCreated,
      zUpSection, zDownText);
  zText = migStrFinish(p, pStr);
  if( zText==0 ) goto write_out;

  /* The names: <stamp>_<rev>[_<slug>].sql and its hidden temporary. */
  migMakeDir(p, zDir);
  zName = nSlug>0 ? migMprintf(p, "%s_%s_%s.sql", zStamp, zRev, zSlug)
                  : migMprintf(p, "%s_%s.sql", zStamp, zRev);
  if( zName ){
    char *zTmpName = migMprintf(p, ".%s.tmp", zName);
    zPath = migPathJoin(p, zDir, zName);
    if( zTmpName ) zTmp = migPathJoin(p, zDir, zTmpName);
    sqlite3_free(zTmpName);
  }
  if( p->rc!=SQLITE_OK ) goto write_out;
  if( stat(zPath, &st)==0 ){
    migError(p, "cannot write the script %s: a file of that name exists",
        zPath);
    goto write_out;
  }

  /* Write, flush, read back, rename. */
  migWriteNew(p, zTmp, zText, (i64)strlen(zText));
  if( p->rc!=SQLITE_OK ) goto write_out;
  memset(&want, 0, sizeof(want));
  want.zRev = zRev;
  want.zMessage = zMsg;
  want.zCreated = zCreated;
  want.nDown = nDown;
  want.azDown = migMalloc(p, sizeof(char*)*(nDown+1));
  for(i=0; want.azDown && i<nDown; i++) want.azDown[i] = apDown[i]->zRev;
  migScriptVerify(p, zTmp, &want, zUpSection, zDownText);
  sqlite3_free(want.azDown);
  if( p->rc==SQLITE_OK && rename(zTmp, zPath)!=0 ){
    migError(p, "cannot write the script %s: %s", zPath, strerror(errno));
  }
  if( p->rc!=SQLITE_OK ){
    unlink(zTmp);
    goto write_out;
  }
  migSyncDir(zDir);
  zRet = migMprintf(p, "%s", zRev);

 write_out:
  sqlite3_free(zMsg);
  sqlite3_free(zName);
  sqlite3_free(zPath);
  sqlite3_free(zTmp);
  sqlite3_free(zText);
  sqlite3_free(zUpText);
  sqlite3_free(zUpSection);
  sqlite3_free(zDownText);
  return zRet;
}
