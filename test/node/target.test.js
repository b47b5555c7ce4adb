// target.test.js: mig_config('target', schema) in Node (issue 16): an
// attached tenant file is upgraded, rebuilt and downgraded while main is
// untouched.  better-sqlite3 12 is built without progress handlers, so
// this is where the target's scripts run on libmig's own connection
// without the poll that carries the caller's interrupt (test/target.test
// has the rest).
//
// drivers: better-sqlite3 libsql
'use strict';

const fs = require('fs');
const path = require('path');
const T = require('./tester');

const dir = T.scratch('scripts');
const tenant = path.join(T.tmpdir, `target-${T.driver}-t1.db`);
for (const s of ['', '-journal', '-wal', '-shm']) fs.rmSync(tenant + s, { force: true });

T.do_execsql_test('target-1.1', `
  CREATE TABLE main.pet(id INTEGER PRIMARY KEY, name TEXT);
  INSERT INTO main.pet VALUES(7, 'main');
  ATTACH $tenant AS t1;
  SELECT mig_config('script_location', $dir);
  SELECT mig_config('target', 't1');
  SELECT mig_models('models', 'CREATE TABLE pet(id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
`, [dir, 't1', 1], { tenant, dir });
const r1 = T.one(`SELECT mig_autogenerate('models', 'pets')`);
T.do_execsql_test('target-1.2', `
  SELECT mig_upgrade('head') = $r1;
  INSERT INTO t1.pet VALUES(1, 'rex'), (2, 'tom');
  SELECT mig_models('models', 'CREATE TABLE pet(id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (length(name) > 2), age INT)');
`, [1, 1], { r1 });
const r2 = T.one(`SELECT mig_autogenerate('models', 'age')`);
T.do_execsql_test('target-1.3', `
  SELECT mig_upgrade('head') = $r2;
  SELECT * FROM t1.pet ORDER BY id;
  SELECT sql FROM t1.sqlite_master WHERE name = 'pet';
  SELECT mig_diff('models');
  SELECT * FROM main.pet;
  SELECT count(*) FROM main.sqlite_master;
`, [1, 1, 'rex', null, 2, 'tom', null,
  'CREATE TABLE "pet"(id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (length(name) > 2), age INT)',
  '', 7, 'main', 1], { r2 });
T.do_execsql_test('target-1.4', `
  SELECT mig_downgrade('-1') = $r1;
  SELECT name FROM pragma_table_info('pet', 't1');
  SELECT revision FROM t1._libmig_applied;
`, [1, 'id', 'name', r1], { r1 });
T.do_catchsql_test('target-1.5', `SELECT mig_config('target', 'temp')`,
  [1, 'mig_config: target "temp" is refused: the temp schema belongs to the connection, not to a database to migrate']);

T.finish_test();
