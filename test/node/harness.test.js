// harness.test.js: the harness itself (tester.js), so that the other
// files can be trusted: how SQL text is cut into statements, how
// parameters are bound, how values and errors come back and compare, and
// that the snapshot and schema-shape helpers see differences.
//
// drivers: better-sqlite3 libsql
'use strict';

const T = require('./tester');

const split = (sql) => T.splitSql(sql).map((s) => [s.sql, s.params]);

T.do_test('harness-1.1', () => split(`SELECT 1; SELECT 'a;b' ; -- c;
  SELECT "x;" /* ; */`), [
  ['SELECT 1', []], [`SELECT 'a;b'`, []], ['-- c;\n  SELECT "x;" /* ; */', []]]);
T.do_test('harness-1.2', () => split(`CREATE TABLE t(x);
  CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN
    INSERT INTO t VALUES(1); SELECT 'end;';
  END;
  CREATE TRIGGER "trg select" AFTER INSERT ON t BEGIN SELECT 2; END; SELECT 3`).map((s) => s[0]), [
  'CREATE TABLE t(x)',
  "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN\n    INSERT INTO t VALUES(1); SELECT 'end;';\n  END",
  'CREATE TRIGGER "trg select" AFTER INSERT ON t BEGIN SELECT 2; END',
  'SELECT 3']);
T.do_test('harness-1.3', () => split(`SELECT $a, :b, @c, $a, '$d', "$e"; ;; SELECT 'it''s'`), [
  ['SELECT $a, :b, @c, $a, \'$d\', "$e"', ['a', 'b', 'c']], [`SELECT 'it''s'`, []]]);
T.do_test('harness-1.4', () => split('  -- nothing\n;  '), []);

// Rows of every statement, flat; types kept; parameters by name.
T.do_execsql_test('harness-2.1', `
  CREATE TABLE t(a, b);
  INSERT INTO t VALUES(1, 'x'), (2.5, NULL);
  SELECT a, b FROM t ORDER BY a;
  SELECT $p || '!', typeof($q), typeof($r);
`, [1, 'x', 2.5, null, 'hi!', 'integer', 'real'], { p: 'hi', q: 7n, r: 7 });
T.do_catchsql_test('harness-2.2', `SELECT 1; SELECT nosuch()`, [1, 'no such function: nosuch']);
T.do_catchsql_test('harness-2.3', `SELECT 1, 'a'`, [0, [1, 'a']]);
T.do_test('harness-2.4', () => [T.equal([1], ['1']), T.equal([null], [undefined]),
  T.equal([1.5, 'a'], [1.5, 'a'])], [false, false, true]);
T.do_test('harness-2.5', () => T.catchsql('SELECT $nope'), [1, 'no value for parameter nope']);
// The statements before an error have run, as in Tcl's db eval.
T.do_execsql_test('harness-2.6', `
  SELECT count(*) FROM t;
`, [2]);
T.do_catchsql_test('harness-2.7', `INSERT INTO t VALUES(3, 3); SELECT x FROM t`, [1, 'no such column: x']);
T.do_execsql_test('harness-2.8', 'SELECT count(*) FROM t', [3]);

// The schema and data checks see what they must: a NOT NULL, an index's
// column order, a changed row, a changed rowid.
T.reset_db();
T.do_test('harness-3.1', () => {
  T.execsql(`CREATE TABLE t(a INT, b TEXT); CREATE INDEX t_ab ON t(a, b);
    SELECT mig_models('m', 'CREATE TABLE t(a INT NOT NULL, b TEXT); CREATE INDEX t_ab ON t(a, b)');
    SELECT mig_models('n', 'CREATE TABLE t(a INT, b TEXT); CREATE INDEX t_ab ON t(b, a)');
    SELECT mig_models('o', 'CREATE TABLE t(a INT, b TEXT); CREATE INDEX t_ab ON t(a, b)');`);
  return ['m', 'n', 'o'].map((x) => T.equal(T.schema_shape('main'), T.schema_shape(x)));
}, [false, false, true]);
T.do_test('harness-3.2', () => {
  T.execsql(`INSERT INTO t VALUES(1, 'x'), (2, 'y')`);
  const a = T.snapshot();
  T.execsql(`UPDATE t SET b = 'z' WHERE a = 2`);
  const b = T.snapshot();
  T.execsql(`UPDATE t SET b = 'y' WHERE a = 2`);
  const c = T.snapshot();
  T.execsql(`UPDATE t SET rowid = 10 WHERE a = 2`);
  return [T.equal(a, b), T.equal(a, c), T.equal(a, T.snapshot())];
}, [false, true, false]);
T.do_test('harness-3.3', () => T.sqliteVersionNumber() > 3031000, true);

T.finish_test();
