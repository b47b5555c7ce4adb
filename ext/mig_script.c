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
** The checksum of a script is the 64-bit FNV-1a hash of the whole file,
** as 16 lower-case hex digits: it only has to notice edits, not resist
** an attacker, and SQLite 3.40's library has no SHA built in.
**
** The graph: every script names its parents (down revisions).  Loading
** rejects duplicate ids, unknown parents and cycles, and orders the
** revisions base first (parents always before children; otherwise in
** file name order, which is creation order).
*/
#include "mig_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <dirent.h>
#include <sys/types.h>
#include <sys/stat.h>

/* The 64-bit FNV-1a hash of z[0..n-1] as 16 hex digits in zOut[17]. */
void migChecksum(const char *z, i64 n, char *zOut){
  sqlite3_uint64 h = 14695981039346656037ULL;
  i64 i;
  for(i=0; i<n; i++){
    h ^= (unsigned char)z[i];
    h *= 1099511628211ULL;
  }
  sqlite3_snprintf(17, zOut, "%016llx", h);
}

/* Path of file zName in directory zDir. */
static char *migPathJoin(Mig *p, const char *zDir, const char *zName){
  int n = (int)strlen(zDir);
  if( n>0 && zDir[n-1]=='/' ) return migMprintf(p, "%s%s", zDir, zName);
  return migMprintf(p, "%s/%s", zDir, zName);
}

/* Read a whole file into memory (sqlite3_free()), or set an error that
** names it. */
static char *migReadFile(Mig *p, const char *zPath, i64 *pn){
  FILE *f;
  char *z = 0;
  i64 n = 0, nAlloc = 0;
  if( p->rc!=SQLITE_OK ) return 0;
  f = fopen(zPath, "rb");
  if( f==0 ){
    migError(p, "cannot read the script %s: %s",
        zPath, strerror(errno));
    return 0;
  }
  for(;;){
    size_t got;
    if( n+4096+1 > nAlloc ){
      char *zNew;
      nAlloc = nAlloc ? nAlloc*2 : 8192;
      zNew = sqlite3_realloc64(z, nAlloc);
      if( zNew==0 ){
        migErrorSet(p, SQLITE_NOMEM, 0);
        break;
      }
      z = zNew;
    }
    got = fread(&z[n], 1, 4096, f);
    n += (i64)got;
    if( got<4096 ){
      if( ferror(f) ){
        migError(p, "cannot read the script %s: %s",
            zPath, strerror(errno));
      }
      break;
    }
  }
  fclose(f);
  if( p->rc!=SQLITE_OK ){
    sqlite3_free(z);
    return 0;
  }
  z[n] = 0;
  if( (i64)strlen(z)!=n ){
    migErrorSet(p, SQLITE_ERROR,
        "the script %s holds a NUL byte: it is not a text file", zPath);
    sqlite3_free(z);
    return 0;
  }
  *pn = n;
  return z;
}

/* True if the n-byte line z is a section line for zWord ("upgrade",
** "downgrade"): "--", optional spaces, the word, optional spaces. */
static int migIsSectionLine(const char *z, int n, const char *zWord){
  int i = 0, nWord = (int)strlen(zWord);
  if( n<2 || z[0]!='-' || z[1]!='-' ) return 0;
  i = 2;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  if( n-i<nWord || sqlite3_strnicmp(&z[i], zWord, nWord)!=0 ) return 0;
  i += nWord;
  while( i<n && (z[i]==' ' || z[i]=='\t' || z[i]=='\r') ) i++;
  return i==n;
}

/* True for characters allowed in a revision id. */
static int migIsIdChar(char c){
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
    if( !migIsIdChar(zId[i]) ) break;
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

/* Parse the text of script zFile into a new MigRev. */
static MigRev *migScriptParse(
  Mig *p, MigArena *pA, const char *zFile, const char *zText, i64 nText
){
  MigRev *pRev = migArenaAlloc(p, pA, sizeof(MigRev));
  int eState = 0;               /* 0 header, 1 upgrade, 2 downgrade */
  i64 iUp = 0, iUpEnd = 0, iDown = 0;
  i64 i = 0;
  int iLine = 0;
  const char *zDownVal = 0;
  if( pRev==0 ) return 0;
  pRev->zFile = migArenaStrndup(p, pA, zFile, -1);
  migChecksum(zText, nText, pRev->zChecksum);
  while( p->rc==SQLITE_OK && i<nText ){
    i64 iEnd = i, iNext;
    int n;
    while( iEnd<nText && zText[iEnd]!='\n' ) iEnd++;
    iNext = iEnd<nText ? iEnd+1 : iEnd;
    n = (int)(iEnd - i);
    iLine++;
    if( migIsSectionLine(&zText[i], n, "upgrade") ){
      if( eState!=0 ){
        migError(p, "%s: line %d: a second '-- upgrade' line"
            " (a script has one upgrade and one downgrade section)",
            zFile, iLine);
      }
      eState = 1;
      iUp = iNext;
    }else if( migIsSectionLine(&zText[i], n, "downgrade") ){
      if( eState!=1 ){
        migError(p, "%s: line %d: '-- downgrade' %s", zFile,
            iLine, eState==0 ? "comes before the '-- upgrade' line"
                             : "appears twice");
      }
      eState = 2;
      iUpEnd = i;
      iDown = iNext;
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

/*
** Read every script of directory zDir.  A directory that does not exist
** holds no scripts (it is created by the first write).
*/
MigScripts *migScriptsLoad(Mig *p, const char *zDir){
  MigScripts *pS;
  DIR *pDir = 0;
  struct dirent *pEnt;
  char **azName = 0;
  int nName = 0, nAlloc = 0;
  MigRev **apFile = 0;
  int i;
  if( p->rc!=SQLITE_OK ) return 0;
  pS = migMalloc(p, sizeof(MigScripts));
  if( pS==0 ) return 0;
  pS->zDir = migArenaStrndup(p, &pS->arena, zDir, -1);
  pDir = opendir(zDir);
  if( pDir==0 && errno!=ENOENT ){
    migError(p, "cannot read the script location %s: %s"
        " (set it with mig_config('script_location', 'dir'))",
        zDir, strerror(errno));
  }
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
    azName[nName] = migArenaStrndup(p, &pS->arena, pEnt->d_name, n);
    if( azName[nName] ) nName++;
  }
  if( pDir ) closedir(pDir);
  if( nName>1 ) qsort(azName, nName, sizeof(char*), migCmpName);
  apFile = migMalloc(p, sizeof(MigRev*)*(nName+1));
  pS->apRev = migArenaAlloc(p, &pS->arena, sizeof(MigRev*)*(nName+1));
  for(i=0; p->rc==SQLITE_OK && i<nName; i++){
    char *zPath = migPathJoin(p, zDir, azName[i]);
    i64 nText = 0;
    char *zText = zPath ? migReadFile(p, zPath, &nText) : 0;
    if( zText ) apFile[i] = migScriptParse(p, &pS->arena, zPath, zText, nText);
    sqlite3_free(zText);
    sqlite3_free(zPath);
  }
  if( p->rc==SQLITE_OK ) pS->nRev = nName;
  migScriptsGraph(p, pS, apFile);
  sqlite3_free(apFile);
  sqlite3_free(azName);
  if( p->rc!=SQLITE_OK ){
    migScriptsFree(pS);
    pS = 0;
  }
  return pS;
}

/* The scripts of the connection's script location, read now. */
MigScripts *migScriptsOpen(Mig *p){
  return migScriptsLoad(p, p->pConfig->zScriptLocation);
}

void migScriptsFree(MigScripts *pS){
  if( pS ){
    migHashClear(&pS->revs);
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

/*
** Write a new revision script with parents apDown[0..nDown-1] and
** return its id.  The directory is created if need be.
*/
char *migScriptWrite(Mig *p, const char *zDir, const char *zMessage,
    int nDown, MigRev **apDown, const char *zUp, const char *zDown){
  unsigned char aRand[6];
  char zRev[13];
  char zStamp[16], zCreated[24];
  char zSlug[41];
  char *zMsg = 0, *zPath = 0, *zText = 0, *zRet = 0;
  sqlite3_str *pStr = 0;
  FILE *f = 0;
  int i, nSlug = 0;
  if( p->rc!=SQLITE_OK ) return 0;

  sqlite3_randomness(sizeof(aRand), aRand);
  for(i=0; i<6; i++) sqlite3_snprintf(3, &zRev[i*2], "%02x", aRand[i]);
  migUtcNow(zCreated, zStamp);
  {
    sqlite3_int64 iMax = migMaxStamp(zDir);
    if( iMax>=strtoll(zStamp, 0, 10) ){
      sqlite3_snprintf(sizeof(zStamp), zStamp, "%014lld", iMax+1);
    }
  }

  /* The message on one line, and its slug. */
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

  pStr = sqlite3_str_new(p->db);
  sqlite3_str_appendf(pStr, "-- revision: %s\n-- down_revision:", zRev);
  for(i=0; i<nDown; i++){
    sqlite3_str_appendf(pStr, "%s %s", i ? "," : "", apDown[i]->zRev);
  }
  sqlite3_str_appendf(pStr, "\n-- message: %s\n-- created: %s\n\n-- upgrade\n",
      zMsg, zCreated);
  if( zUp && zUp[0] ){
    int n = (int)strlen(zUp);
    sqlite3_str_appendf(pStr, "%s%s", zUp, zUp[n-1]=='\n' ? "" : "\n");
  }
  sqlite3_str_appendall(pStr, "\n-- downgrade\n");
  if( zDown && zDown[0] ){
    int n = (int)strlen(zDown);
    sqlite3_str_appendf(pStr, "%s%s", zDown, zDown[n-1]=='\n' ? "" : "\n");
  }
  zText = sqlite3_str_finish(pStr);
  if( zText==0 ){
    migErrorSet(p, SQLITE_NOMEM, 0);
    goto write_out;
  }

  migMakeDir(p, zDir);
  if( p->rc!=SQLITE_OK ) goto write_out;
  if( nSlug>0 ){
    char *zName = migMprintf(p, "%s_%s_%s.sql", zStamp, zRev, zSlug);
    if( zName ) zPath = migPathJoin(p, zDir, zName);
    sqlite3_free(zName);
  }else{
    char *zName = migMprintf(p, "%s_%s.sql", zStamp, zRev);
    if( zName ) zPath = migPathJoin(p, zDir, zName);
    sqlite3_free(zName);
  }
  if( zPath==0 ) goto write_out;
  f = fopen(zPath, "wbx");
  if( f==0 ){
    migError(p, "cannot write the script %s: %s",
        zPath, strerror(errno));
    goto write_out;
  }
  {
    size_t n = strlen(zText);
    int bFail = fwrite(zText, 1, n, f)!=n;
    if( fclose(f)!=0 ) bFail = 1;
    if( bFail ){
      migError(p, "cannot write the script %s: %s",
          zPath, strerror(errno));
      remove(zPath);
      goto write_out;
    }
  }
  zRet = migMprintf(p, "%s", zRev);

 write_out:
  sqlite3_free(zMsg);
  sqlite3_free(zPath);
  sqlite3_free(zText);
  return zRet;
}
