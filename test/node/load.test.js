// load.test.js: libmig in the SQLite that each npm package bundles.
// Prints sqlite_version(), and checks what the drivers bring that the
// Tcl suite (Debian's SQLite 3.40.1) does not have: a newer or forked
// SQLite, foreign keys and recursive triggers ON by default, double-quoted
// strings off.
//
// drivers: better-sqlite3 libsql
'use strict';

const T = require('./tester');

// The SQLite each pinned package (test/node/install.sh) bundles.
const bundled = { 'better-sqlite3': '3.53.2', libsql: '3.45.1' };

const v = T.one('SELECT sqlite_version()');
console.log(`${T.driver} ${T.driverVersion}: sqlite_version() = ${v}`);

T.do_test('load-1.1', () => v, bundled[T.driver]);
// Both open connections with foreign keys ON (SQLite's default is OFF).
T.do_execsql_test('load-1.2', 'PRAGMA foreign_keys', [1]);
// Both are built without double-quoted strings (SQLITE_DQS=0): a models
// file that writes DEFAULT "x" for a string fails to load there.
T.do_catchsql_test('load-1.3', `SELECT "no such column"`, [1, {
  'better-sqlite3': 'no such column: "no such column" - should this be a string literal in single-quotes?',
  libsql: 'no such column: no such column',
}[T.driver]]);
T.do_execsql_test('load-1.4', `SELECT mig_version()`,
  [/#define MIG_VERSION "([^"]+)"/.exec(T.readfile('ext/mig_int.h'))[1]]);

// Loading again is harmless; a second connection has its own libmig.
T.do_test('load-1.5', () => {
  T.load_libmig(T.db);
  const db2 = T.open();
  const r = T.execsql(`SELECT mig_config('rebuild', 'always'); SELECT count(*) FROM migrations`, {}, db2);
  db2.close();
  return r.concat(T.execsql(`SELECT mig_config('rebuild')`));
}, ['always', 0, 'auto']);

// Functions that change the schema cannot be called from a view or a
// trigger (SQLITE_DIRECTONLY), also under these SQLite versions.
T.do_catchsql_test('load-1.6', `
  CREATE VIEW sneaky AS SELECT mig_upgrade('head');
  SELECT * FROM sneaky;
`, [1, 'unsafe use of mig_upgrade()']);
T.do_catchsql_test('load-1.7', `
  CREATE TABLE t(x);
  CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
    SELECT mig_rebuild('t', 'CREATE TABLE t(x, y)');
  END;
  INSERT INTO t VALUES(1);
`, [1, 'unsafe use of mig_rebuild()']);

T.finish_test();
