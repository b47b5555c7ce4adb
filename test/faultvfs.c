/*
** faultvfs.c: a test-only library that injects I/O errors and
** out-of-memory errors into SQLite, to prove that libmig never leaves a
** database half-migrated.  It is not part of libmig; the Makefile builds
** it as test/faultvfs.so and test/fault.test and test/oom.test use it.
**
** It is loaded in one or two ways:
**
**   1. As an SQLite extension (load_extension('test/faultvfs.so')): it
**      registers, once per process, a VFS named "faultvfs" that is not the
**      default, which wraps the default VFS; `sqlite3 db FILE -vfs
**      faultvfs` opens a database through it.  It also registers the SQL
**      functions below on the connection that loads it.  The library stays
**      loaded when that connection closes (SQLITE_OK_LOAD_PERMANENTLY),
**      because the VFS lives in it.
**
**   2. Additionally, with Tcl's `load test/faultvfs.so Faultvfs` BEFORE the
**      first SQLite connection of the process opens: that installs, with
**      sqlite3_config(SQLITE_CONFIG_MALLOC), an allocator that forwards to
**      SQLite's default one and can fail the Nth allocation.  This only
**      works before sqlite3_initialize(), which is why it is a separate
**      step (the Tcl sqlite3 package links the same libsqlite3 as this
**      library, so the configuration reaches the connections Tcl opens).
**      It also creates the Tcl command `faultvfs_release`, which disarms
**      without SQL (after a persistent OOM fault no SQL can run).
**
** SQL functions (counting starts when a fault is armed):
**
**   faultvfs_arm(N, KIND [, PERSIST])
**       KIND is 'ioerr' or 'full' (the Nth write, sync or truncate through
**       the faultvfs VFS fails with SQLITE_IOERR_WRITE/_FSYNC/_TRUNCATE or
**       SQLITE_FULL) or 'nomem' (the Nth allocation fails).  N=0 fails
**       nothing and only counts.  With PERSIST true every later operation
**       of that kind fails too (a disk that went away), else only the Nth.
**       Resets the counters.
**   faultvfs_count()   operations of the armed kind since it was armed
**   faultvfs_fired()   faults injected since it was armed
**   faultvfs_disarm()  stops injecting and counting; returns the count
**   faultvfs_autocommit()  sqlite3_get_autocommit() of the connection
**
** Nothing here is thread-safe: the tests use one thread.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#include <string.h>
#include <dlfcn.h>

#define FV_NONE   0
#define FV_IOERR  1
#define FV_FULL   2
#define FV_NOMEM  3

/* The state of the one armed fault, shared by the VFS and the allocator. */
static struct {
  int eKind;                  /* FV_xxx armed, or FV_NONE */
  int bArmed;                 /* faults are injected */
  int bPersist;               /* fail every operation after the Nth too */
  sqlite3_int64 iTarget;      /* fail the operation with this number */
  sqlite3_int64 nCount;       /* operations of eKind since faultvfs_arm */
  sqlite3_int64 nFired;       /* faults injected since faultvfs_arm */
  int bMallocInstalled;       /* the counting allocator is in place */
  sqlite3_mem_methods orig;   /* SQLite's own allocator */
  sqlite3_vfs *pRoot;         /* the wrapped VFS */
} fv;

/* Count one operation of kind e; true if it must fail. */
static int fvTick(int e){
  if( fv.eKind!=e || !fv.bArmed ) return 0;
  fv.nCount++;
  if( fv.iTarget<=0 ) return 0;
  if( fv.nCount==fv.iTarget || (fv.bPersist && fv.nCount>fv.iTarget) ){
    fv.nFired++;
    return 1;
  }
  return 0;
}

/* One I/O that may fail: the error it fails with, or SQLITE_OK. */
static int fvIoFault(int ioerr){
  if( fv.eKind==FV_FULL ) return fvTick(FV_FULL) ? SQLITE_FULL : SQLITE_OK;
  return fvTick(FV_IOERR) ? ioerr : SQLITE_OK;
}

/*------------------------------------------------------------------------
** The allocator: SQLite's default one, with a failure point.
*/
static void *fvMalloc(int n){
  if( fvTick(FV_NOMEM) ) return 0;
  return fv.orig.xMalloc(n);
}
static void fvFree(void *p){ fv.orig.xFree(p); }
static void *fvRealloc(void *p, int n){
  if( fvTick(FV_NOMEM) ) return 0;
  return fv.orig.xRealloc(p, n);
}
static int fvSize(void *p){ return fv.orig.xSize(p); }
static int fvRoundup(int n){ return fv.orig.xRoundup(n); }
static int fvMemInit(void *pData){ return fv.orig.xInit(pData); }
static void fvMemShutdown(void *pData){ fv.orig.xShutdown(pData); }

/* The Tcl command "faultvfs_release": stops injecting faults without
** any SQLite call.  After a persistent out-of-memory fault even
** "SELECT faultvfs_disarm()" cannot be prepared; this can always run. */
static int fvReleaseCmd(void *cd, void *interp, int objc, void *const *objv){
  (void)cd; (void)interp; (void)objc; (void)objv;
  fv.bArmed = 0;
  return 0;
}

/* Tcl's `load test/faultvfs.so Faultvfs` calls this.  No Tcl header is
** needed: the one Tcl function used, Tcl_CreateObjCommand, is looked up in
** the running tclsh, and without it there is just no faultvfs_release.
** Returns TCL_OK (0), or TCL_ERROR (1) when SQLite was already
** initialized, which Tcl reports as a failed load. */
int Faultvfs_Init(void *interp){
  typedef int (*CmdProc)(void*, void*, int, void *const*);
  typedef void *(*CreateCmd)(void*, const char*, CmdProc, void*, void(*)(void*));
  CreateCmd xCreate;
  sqlite3_mem_methods m;
  if( fv.bMallocInstalled ) return 0;
  *(void**)&xCreate = dlsym(RTLD_DEFAULT, "Tcl_CreateObjCommand");
  if( xCreate ) xCreate(interp, "faultvfs_release", fvReleaseCmd, 0, 0);
  if( sqlite3_config(SQLITE_CONFIG_GETMALLOC, &fv.orig)!=SQLITE_OK ) return 1;
  m = fv.orig;
  m.xMalloc = fvMalloc;
  m.xFree = fvFree;
  m.xRealloc = fvRealloc;
  m.xSize = fvSize;
  m.xRoundup = fvRoundup;
  m.xInit = fvMemInit;
  m.xShutdown = fvMemShutdown;
  if( sqlite3_config(SQLITE_CONFIG_MALLOC, &m)!=SQLITE_OK ) return 1;
  fv.bMallocInstalled = 1;
  return 0;
}

/*------------------------------------------------------------------------
** The VFS shim.  A FvFile is followed in memory by the real file.
*/
typedef struct FvFile FvFile;
struct FvFile {
  sqlite3_file base;
  sqlite3_file *pReal;
};
#define FV_REAL(f) (((FvFile*)(f))->pReal)

static int fvClose(sqlite3_file *f){
  return FV_REAL(f)->pMethods->xClose(FV_REAL(f));
}
static int fvRead(sqlite3_file *f, void *z, int n, sqlite3_int64 off){
  return FV_REAL(f)->pMethods->xRead(FV_REAL(f), z, n, off);
}
static int fvWrite(sqlite3_file *f, const void *z, int n, sqlite3_int64 off){
  int rc = fvIoFault(SQLITE_IOERR_WRITE);
  if( rc ) return rc;
  return FV_REAL(f)->pMethods->xWrite(FV_REAL(f), z, n, off);
}
static int fvTruncate(sqlite3_file *f, sqlite3_int64 size){
  int rc = fvIoFault(SQLITE_IOERR_TRUNCATE);
  if( rc ) return rc;
  return FV_REAL(f)->pMethods->xTruncate(FV_REAL(f), size);
}
static int fvSync(sqlite3_file *f, int flags){
  int rc = fvIoFault(SQLITE_IOERR_FSYNC);
  if( rc ) return rc;
  return FV_REAL(f)->pMethods->xSync(FV_REAL(f), flags);
}
static int fvFileSize(sqlite3_file *f, sqlite3_int64 *pSize){
  return FV_REAL(f)->pMethods->xFileSize(FV_REAL(f), pSize);
}
static int fvLock(sqlite3_file *f, int e){
  return FV_REAL(f)->pMethods->xLock(FV_REAL(f), e);
}
static int fvUnlock(sqlite3_file *f, int e){
  return FV_REAL(f)->pMethods->xUnlock(FV_REAL(f), e);
}
static int fvCheckReservedLock(sqlite3_file *f, int *pOut){
  return FV_REAL(f)->pMethods->xCheckReservedLock(FV_REAL(f), pOut);
}
static int fvFileControl(sqlite3_file *f, int op, void *pArg){
  return FV_REAL(f)->pMethods->xFileControl(FV_REAL(f), op, pArg);
}
static int fvSectorSize(sqlite3_file *f){
  return FV_REAL(f)->pMethods->xSectorSize(FV_REAL(f));
}
static int fvDeviceCharacteristics(sqlite3_file *f){
  return FV_REAL(f)->pMethods->xDeviceCharacteristics(FV_REAL(f));
}
static int fvShmMap(sqlite3_file *f, int i, int sz, int b, void volatile **pp){
  if( FV_REAL(f)->pMethods->iVersion<2 ) return SQLITE_IOERR_SHMMAP;
  return FV_REAL(f)->pMethods->xShmMap(FV_REAL(f), i, sz, b, pp);
}
static int fvShmLock(sqlite3_file *f, int ofst, int n, int flags){
  if( FV_REAL(f)->pMethods->iVersion<2 ) return SQLITE_IOERR_SHMLOCK;
  return FV_REAL(f)->pMethods->xShmLock(FV_REAL(f), ofst, n, flags);
}
static void fvShmBarrier(sqlite3_file *f){
  if( FV_REAL(f)->pMethods->iVersion<2 ) return;
  FV_REAL(f)->pMethods->xShmBarrier(FV_REAL(f));
}
static int fvShmUnmap(sqlite3_file *f, int bDelete){
  if( FV_REAL(f)->pMethods->iVersion<2 ) return SQLITE_OK;
  return FV_REAL(f)->pMethods->xShmUnmap(FV_REAL(f), bDelete);
}
static int fvFetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp){
  if( FV_REAL(f)->pMethods->iVersion<3 ){ *pp = 0; return SQLITE_OK; }
  return FV_REAL(f)->pMethods->xFetch(FV_REAL(f), off, n, pp);
}
static int fvUnfetch(sqlite3_file *f, sqlite3_int64 off, void *p){
  if( FV_REAL(f)->pMethods->iVersion<3 ) return SQLITE_OK;
  return FV_REAL(f)->pMethods->xUnfetch(FV_REAL(f), off, p);
}

static const sqlite3_io_methods fvIoMethods = {
  3,
  fvClose, fvRead, fvWrite, fvTruncate, fvSync, fvFileSize,
  fvLock, fvUnlock, fvCheckReservedLock, fvFileControl,
  fvSectorSize, fvDeviceCharacteristics,
  fvShmMap, fvShmLock, fvShmBarrier, fvShmUnmap,
  fvFetch, fvUnfetch
};

static int fvOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *f,
                  int flags, int *pOutFlags){
  FvFile *p = (FvFile*)f;
  int rc;
  (void)pVfs;
  p->pReal = (sqlite3_file*)&p[1];
  rc = fv.pRoot->xOpen(fv.pRoot, zName, p->pReal, flags, pOutFlags);
  /* SQLite calls xClose only when pMethods is set: mirror the real file. */
  p->base.pMethods = p->pReal->pMethods ? &fvIoMethods : 0;
  return rc;
}
static int fvDelete(sqlite3_vfs *pVfs, const char *z, int syncDir){
  (void)pVfs;
  return fv.pRoot->xDelete(fv.pRoot, z, syncDir);
}
static int fvAccess(sqlite3_vfs *pVfs, const char *z, int flags, int *pOut){
  (void)pVfs;
  return fv.pRoot->xAccess(fv.pRoot, z, flags, pOut);
}
static int fvFullPathname(sqlite3_vfs *pVfs, const char *z, int n, char *zOut){
  (void)pVfs;
  return fv.pRoot->xFullPathname(fv.pRoot, z, n, zOut);
}
static void *fvDlOpen(sqlite3_vfs *pVfs, const char *z){
  (void)pVfs;
  return fv.pRoot->xDlOpen(fv.pRoot, z);
}
static void fvDlError(sqlite3_vfs *pVfs, int n, char *z){
  (void)pVfs;
  fv.pRoot->xDlError(fv.pRoot, n, z);
}
static void (*fvDlSym(sqlite3_vfs *pVfs, void *h, const char *z))(void){
  (void)pVfs;
  return fv.pRoot->xDlSym(fv.pRoot, h, z);
}
static void fvDlClose(sqlite3_vfs *pVfs, void *h){
  (void)pVfs;
  fv.pRoot->xDlClose(fv.pRoot, h);
}
static int fvRandomness(sqlite3_vfs *pVfs, int n, char *z){
  (void)pVfs;
  return fv.pRoot->xRandomness(fv.pRoot, n, z);
}
static int fvSleep(sqlite3_vfs *pVfs, int us){
  (void)pVfs;
  return fv.pRoot->xSleep(fv.pRoot, us);
}
static int fvCurrentTime(sqlite3_vfs *pVfs, double *pOut){
  (void)pVfs;
  return fv.pRoot->xCurrentTime(fv.pRoot, pOut);
}
static int fvGetLastError(sqlite3_vfs *pVfs, int n, char *z){
  (void)pVfs;
  return fv.pRoot->xGetLastError ? fv.pRoot->xGetLastError(fv.pRoot, n, z) : 0;
}
static int fvCurrentTimeInt64(sqlite3_vfs *pVfs, sqlite3_int64 *pOut){
  (void)pVfs;
  return fv.pRoot->xCurrentTimeInt64(fv.pRoot, pOut);
}

static sqlite3_vfs fvVfs = {
  2, 0, 0, 0, "faultvfs", 0,
  fvOpen, fvDelete, fvAccess, fvFullPathname,
  fvDlOpen, fvDlError, fvDlSym, fvDlClose,
  fvRandomness, fvSleep, fvCurrentTime, fvGetLastError,
  fvCurrentTimeInt64,
  0, 0, 0
};

/*------------------------------------------------------------------------
** SQL functions.
*/
static void fvArmFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zKind = (const char*)sqlite3_value_text(argv[1]);
  int e = FV_NONE;
  if( zKind && sqlite3_stricmp(zKind, "ioerr")==0 ) e = FV_IOERR;
  else if( zKind && sqlite3_stricmp(zKind, "full")==0 ) e = FV_FULL;
  else if( zKind && sqlite3_stricmp(zKind, "nomem")==0 ) e = FV_NOMEM;
  if( e==FV_NONE ){
    sqlite3_result_error(ctx,
        "faultvfs_arm: KIND must be 'ioerr', 'full' or 'nomem'", -1);
    return;
  }
  if( e==FV_NOMEM && !fv.bMallocInstalled ){
    sqlite3_result_error(ctx, "faultvfs_arm: the failing allocator is not "
        "installed: run Tcl's `load test/faultvfs.so Faultvfs` before the "
        "first connection opens", -1);
    return;
  }
  fv.eKind = e;
  fv.iTarget = sqlite3_value_int64(argv[0]);
  fv.bPersist = argc>2 ? sqlite3_value_int(argv[2]) : 0;
  fv.nCount = 0;
  fv.nFired = 0;
  fv.bArmed = 1;
}
static void fvCountFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_int64(ctx, fv.nCount);
}
static void fvFiredFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_int64(ctx, fv.nFired);
}
static void fvAutocommitFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_int(ctx, sqlite3_get_autocommit(sqlite3_context_db_handle(ctx)));
}
static void fvDisarmFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  fv.bArmed = 0;
  sqlite3_result_int64(ctx, fv.nCount);
}

/* The SQLite entry point: the VFS once per process, the functions on db. */
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_faultvfs_init(sqlite3 *db, char **pzErrMsg,
                          const sqlite3_api_routines *pApi){
  int rc = SQLITE_OK;
  static const struct {
    const char *zName; int nArg;
    void (*xFunc)(sqlite3_context*,int,sqlite3_value**);
  } aFunc[] = {
    { "faultvfs_arm",    2, fvArmFunc },
    { "faultvfs_arm",    3, fvArmFunc },
    { "faultvfs_count",  0, fvCountFunc },
    { "faultvfs_fired",  0, fvFiredFunc },
    { "faultvfs_disarm", 0, fvDisarmFunc },
    { "faultvfs_autocommit", 0, fvAutocommitFunc },
  };
  unsigned int i;
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  if( sqlite3_vfs_find("faultvfs")==0 ){
    fv.pRoot = sqlite3_vfs_find(0);
    if( fv.pRoot==0 ) return SQLITE_ERROR;
    fvVfs.szOsFile = (int)sizeof(FvFile) + fv.pRoot->szOsFile;
    fvVfs.mxPathname = fv.pRoot->mxPathname;
    rc = sqlite3_vfs_register(&fvVfs, 0);
  }
  for(i=0; rc==SQLITE_OK && i<sizeof(aFunc)/sizeof(aFunc[0]); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        SQLITE_UTF8|SQLITE_DIRECTONLY, 0, aFunc[i].xFunc, 0, 0);
  }
  return rc==SQLITE_OK ? SQLITE_OK_LOAD_PERMANENTLY : rc;
}
