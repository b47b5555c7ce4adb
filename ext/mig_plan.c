/* placeholder */
#include "mig_int.h"
void migPlanCount(Mig *p, MigPlan *pPlan, int bDowngrade){ (void)p; (void)pPlan; (void)bDowngrade; }
int migPlanRegister(sqlite3 *db, MigConfig *pConfig){ (void)db; (void)pConfig; return SQLITE_OK; }
void migAffinityFunc(sqlite3_context *c, int n, sqlite3_value **a){ (void)c; (void)n; (void)a; }
