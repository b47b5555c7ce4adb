// inplace.test.js: mig_rebuild without a copy, on the SQLite that the npm
// package bundles (better-sqlite3 12: SQLite 3.53, where a change made of
// NOT NULL and CHECKs runs as SQLite's own ALTER TABLE ... ALTER COLUMN
// SET/DROP NOT NULL, ADD CONSTRAINT and DROP CONSTRAINT; libsql: an older
// SQLite, where the same changes are an edit of sqlite_schema in place).
// The names match test/inplace.test where the case is the same.
//
// Whether rows were copied is read from the database: the table's
// rootpage (a copy makes a new table), mig_rebuild's result (rows
// copied) and the stored SQL (SQLite's statements edit the old text; an
// edit in place writes create_sql as a copy would, the name
// double-quoted).
//
// drivers: better-sqlite3 libsql
'use strict';

const fs = require('fs');
const T = require('./tester');

const V = T.sqliteVersionNumber();
const NATIVE = V >= 3053000;

// DEFENSIVE mode refuses writable_schema (better-sqlite3 opens every
// connection so; db.unsafeMode(true) turns it off): then there is no edit
// in place, only SQLite's own statements or the copy.
function defensive() {
  T.db.exec('PRAGMA writable_schema=ON');
  const on = T.one('PRAGMA writable_schema') === 0;
  T.db.exec('PRAGMA writable_schema=OFF');
  return on;
}
function setDefensive(on) {
  try {
    T.db.unsafeMode(!on);
  } catch (e) {
    // libsql has the method, but it is not implemented there.
  }
  return defensive() === on;
}
const SWITCHES = (function () {
  const was = defensive();
  const r = setDefensive(!was);
  setDefensive(was);
  return r;
})();

const rootpage = (t) => T.one('SELECT rootpage FROM sqlite_schema WHERE name=$t', { t });
const stored = (t) => T.one('SELECT sql FROM sqlite_schema WHERE name=$t', { t });
const rows = (t) => T.execsql(`SELECT rowid, * FROM ${T.qid(t)} ORDER BY rowid`);

// A table of 200 rows with two indexes; another connection that has read
// the schema before the change.
T.do_execsql_test('inplace-1.0', `
  CREATE TABLE par(id INTEGER PRIMARY KEY, code TEXT);
  INSERT INTO par VALUES (1, 'one'), (2, 'two');
  CREATE TABLE t(a INT, b VARCHAR(50) NOT NULL, c INT CONSTRAINT c_pos CHECK (c >= 0),
    d TEXT, p INT);
  CREATE INDEX t_a ON t(a);
  CREATE INDEX t_bc ON t(b, c);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<200)
  INSERT INTO t SELECT i, 'b' || i, i % 7, CASE WHEN i % 10 THEN 'd' || i END, 1 + i % 2 FROM n;
  DELETE FROM t WHERE a IN (5, 17);
  SELECT count(*) FROM t;
`, [198]);
const other = T.open();
T.one('SELECT count(*) FROM t', {}, other);

// One change without a copy: result 0, same rootpage, same rows and
// rowids, integrity ok, the diff against models holding TO is '', and
// the stored text tells which way it went.
function nocopy(name, to, how) {
  const root = rootpage('t');
  const before = rows('t');
  const create = `CREATE TABLE t(${to})`;
  T.do_test(`${name}.1`, () => [T.one('SELECT mig_rebuild(\'t\', $create)', { create }),
    rootpage('t') === root], [0, true]);
  T.do_test(`${name}.2`, () => [T.equal(rows('t'), before), T.one('PRAGMA integrity_check')],
    [true, 'ok']);
  T.do_test(`${name}.3`, () => {
    const sql = stored('t');
    return how === 'native' && NATIVE
      ? sql !== `CREATE TABLE "t"(${to})` && sql.startsWith('CREATE TABLE t(')
      : sql === `CREATE TABLE "t"(${to})`;
  }, true);
  T.do_execsql_test(`${name}.4`, `
    SELECT mig_models('models', $m);
    SELECT mig_diff('models');
  `, [4, ''], { m: `CREATE TABLE par(id INTEGER PRIMARY KEY, code TEXT); ${create};
    CREATE INDEX t_a ON t(a); CREATE INDEX t_bc ON t(b, c);` });
}

// Statements on CONN in a savepoint that is rolled back: [0, rows] or
// [1, message].
function tryOn(conn, sql) {
  conn.exec('SAVEPOINT try');
  const r = T.catchsql(sql, {}, conn);
  conn.exec('ROLLBACK TO try; RELEASE try');
  return r;
}

//-------------------------------------------------------------------------
// 1. NOT NULL and CHECK: SQLite's own statements on 3.53 (in DEFENSIVE
//    mode too, as better-sqlite3 opens connections), edited in place on
//    older SQLite.
//
nocopy('inplace-1.1', 'a INT, b VARCHAR(50), c INT CONSTRAINT c_pos CHECK (c >= 0), d TEXT, p INT',
  'native');
T.do_test('inplace-1.1.5', () => [tryOn(T.db, "INSERT INTO t(a) VALUES (1000)"),
  tryOn(other, "INSERT INTO t(a) VALUES (1000)")], [[0, []], [0, []]]);
// The named CHECK dropped (DROP CONSTRAINT).
nocopy('inplace-1.3', 'a INT, b VARCHAR(50), c INT, d TEXT, p INT', 'native');
T.do_test('inplace-1.3.5', () => tryOn(other, "INSERT INTO t(b, c) VALUES ('x', -5)"), [0, []]);
// NOT NULL added, that the rows hold (ALTER COLUMN ... SET NOT NULL).
nocopy('inplace-2.1', 'a INT NOT NULL, b VARCHAR(50), c INT, d TEXT, p INT', 'native');
T.do_test('inplace-2.1.5', () => [tryOn(T.db, "INSERT INTO t(b) VALUES ('x')"),
  tryOn(other, "INSERT INTO t(b) VALUES ('x')")],
[[1, 'NOT NULL constraint failed: t.a'], [1, 'NOT NULL constraint failed: t.a']]);
// A named CHECK added (ADD CONSTRAINT).
nocopy('inplace-2.3', 'a INT NOT NULL, b VARCHAR(50), c INT, d TEXT, p INT, CONSTRAINT a_pos CHECK (a > 0)',
  'native');
T.do_test('inplace-2.3.5', () => tryOn(other, "INSERT INTO t(a) VALUES (-1)"),
  [1, 'CHECK constraint failed: a_pos']);
// From here on, not in DEFENSIVE mode.
T.do_test('inplace-2.5', () => setDefensive(false), true);
// A CHECK that is NULL on the rows where c is 0: a CHECK accepts them,
// SQLite 3.53's ADD CONSTRAINT does not.  libmig then edits in place.
nocopy('inplace-2.6', 'a INT NOT NULL, b VARCHAR(50), c INT, d TEXT, p INT, CONSTRAINT a_pos CHECK (a > 0), CHECK (nullif(c, 0) > 0)',
  'inplace');
T.do_test('inplace-2.6.5', () => tryOn(other, "INSERT INTO t(a, c) VALUES (1, -1)"),
  [1, 'CHECK constraint failed: nullif(c, 0) > 0']);

//-------------------------------------------------------------------------
// 2. What SQLite's statements cannot do, in place: a type within its
//    affinity, a COLLATE no index reads, a FOREIGN KEY added (after
//    foreign_key_check).
//
nocopy('inplace-2.10', 'a INT NOT NULL, b VARCHAR(200), c INTEGER, d TEXT COLLATE NOCASE, p INT REFERENCES par(id)',
  'inplace');
T.do_test('inplace-2.10.5', () => [
  tryOn(other, "SELECT count(*) FROM t WHERE d = 'D11'"),
  tryOn(other, "INSERT INTO t(a, p) VALUES (1, 99)"),
], [[0, [1]], [1, 'FOREIGN KEY constraint failed']]);

//-------------------------------------------------------------------------
// 3. Validation failures: the message of a copy, the database as it was.
//
T.do_unchanged_error_test('inplace-3.1', `
  SELECT mig_rebuild('t', 'CREATE TABLE t(a INT NOT NULL, b VARCHAR(200), c INTEGER,
    d TEXT COLLATE NOCASE NOT NULL, p INT REFERENCES par(id))')
`, 'mig_rebuild: 20 rows of "t" have NULL in "d", which the new definition makes NOT NULL');
T.do_unchanged_error_test('inplace-3.2', `
  SELECT mig_rebuild('t', 'CREATE TABLE t(a INT NOT NULL CHECK (a < 150), b VARCHAR(200),
    c INTEGER, d TEXT COLLATE NOCASE, p INT REFERENCES par(id))')
`, 'mig_rebuild: 51 rows of "t" fail the new definition\'s CHECK (a < 150)');
// Only NOT NULL: SQLite's SET NOT NULL refuses, libmig counts the rows.
T.do_unchanged_error_test('inplace-3.3', `
  SELECT mig_rebuild('t', 'CREATE TABLE t(a INT NOT NULL, b VARCHAR(200), c INTEGER,
    d TEXT COLLATE NOCASE NOT NULL, p INT REFERENCES par(id))')
`, 'mig_rebuild: 20 rows of "t" have NULL in "d", which the new definition makes NOT NULL');
T.do_test('inplace-3.4', () => {
  T.execsql(`SELECT mig_config('rebuild', 'always')`);
  const r = T.catchsql(`SELECT mig_rebuild('t', 'CREATE TABLE t(a INT NOT NULL, b VARCHAR(200),
    c INTEGER, d TEXT COLLATE NOCASE NOT NULL, p INT REFERENCES par(id))')`);
  T.execsql(`SELECT mig_config('rebuild', 'auto')`);
  return r;
}, [1, 'mig_rebuild: 20 rows of "t" have NULL in "d", which the new definition makes NOT NULL']);

//-------------------------------------------------------------------------
// 4. DEFENSIVE mode: no edit in place.  A type widened copies; NOT NULL
//    dropped is SQLite's own statement on 3.53, a copy before.
//
if (SWITCHES) {
  T.do_test('inplace-5.1', () => {
    setDefensive(true);
    T.execsql(`CREATE TABLE df(a INT, b VARCHAR(5) NOT NULL); INSERT INTO df VALUES (1, 'x')`);
    const root = rootpage('df');
    const n = T.one(`SELECT mig_rebuild('df', 'CREATE TABLE df(a INT, b VARCHAR(9) NOT NULL)')`);
    return [defensive(), n, rootpage('df') !== root, T.execsql('SELECT * FROM df')];
  }, [true, 1, true, [1, 'x']]);
  T.do_test('inplace-5.2', () => {
    const root = rootpage('df');
    const n = T.one(`SELECT mig_rebuild('df', 'CREATE TABLE df(a INT, b VARCHAR(9))')`);
    const r = [n, rootpage('df') === root, T.one('PRAGMA integrity_check')];
    setDefensive(false);
    return r;
  }, NATIVE ? [0, true, 'ok'] : [1, false, 'ok']);
} else {
  T.skip('inplace-5.1', `${T.driver} cannot switch DEFENSIVE mode (unsafeMode)`);
}

//-------------------------------------------------------------------------
// 4. What must copy copies: the DEFAULT trap, a COLLATE on an indexed
//    column, a type across affinities.
//
T.do_test('inplace-4.1', () => {
  T.execsql(`CREATE TABLE k(id INTEGER PRIMARY KEY, name TEXT);
    INSERT INTO k(name) VALUES ('ann'), ('bob');
    ALTER TABLE k ADD COLUMN s TEXT DEFAULT 'old';
    INSERT INTO k(name, s) VALUES ('cy', 'mine')`);
  const root = rootpage('k');
  const n = T.one(`SELECT mig_rebuild('k', 'CREATE TABLE k(id INTEGER PRIMARY KEY, name TEXT, s TEXT DEFAULT ''new'')')`);
  return [n, rootpage('k') !== root, T.execsql('SELECT s FROM k ORDER BY id')];
}, [3, true, ['old', 'old', 'mine']]);
T.do_test('inplace-4.4', () => {
  T.execsql(`CREATE TABLE w(id INTEGER PRIMARY KEY, word TEXT);
    CREATE INDEX w_word ON w(word);
    INSERT INTO w(word) VALUES ('abc'), ('ABC'), ('b')`);
  const root = rootpage('w');
  const n = T.one(`SELECT mig_rebuild('w', 'CREATE TABLE w(id INTEGER PRIMARY KEY, word TEXT COLLATE NOCASE)')`);
  return [n, rootpage('w') !== root, ...T.execsql(`PRAGMA integrity_check;
    SELECT count(*) FROM w INDEXED BY w_word WHERE word = 'Abc';
    SELECT count(*) FROM w NOT INDEXED WHERE word = 'Abc'`)];
}, [3, true, 'ok', 2, 2]);
T.do_execsql_test('inplace-4.20', `
  CREATE TABLE ti(id INTEGER PRIMARY KEY, v TEXT);
  INSERT INTO ti(v) VALUES ('007'), ('x');
  SELECT mig_rebuild('ti', 'CREATE TABLE ti(id INTEGER PRIMARY KEY, v INTEGER)');
  SELECT v, typeof(v) FROM ti ORDER BY id;
`, [2, 7, 'integer', 'x', 'text']);

other.close();

//-------------------------------------------------------------------------
// 5. Through a script: mig_autogenerate writes "-- in place" above the
//    mig_rebuild, mig_upgrade copies no row, mig_sql's offline SQL copies.
//
T.do_test('inplace-7.1', () => {
  T.reset_db();
  setDefensive(false);
  T.execsql(`SELECT mig_config('script_location', $d)`, { d: T.scratch('migrations') });
  T.execsql(`SELECT mig_models('models', 'CREATE TABLE u(id INTEGER PRIMARY KEY, email VARCHAR(50) NOT NULL)');
    SELECT mig_autogenerate('models', 'init'); SELECT mig_upgrade('head');
    INSERT INTO u(email) VALUES ('a@x'), ('b@x');
    SELECT mig_models('models', 'CREATE TABLE u(id INTEGER PRIMARY KEY, email VARCHAR(120))');
    SELECT mig_autogenerate('models', 'wider email')`);
  const text = fs.readFileSync(T.one('SELECT file FROM migrations WHERE is_head'), 'utf8');
  return text.match(/^-- (in place|rebuild \(copies rows\))$/mg);
}, ['-- in place', '-- in place']);
T.do_test('inplace-7.2', () => {
  const root = rootpage('u');
  const offline = T.one(`SELECT mig_sql('head')`);
  T.execsql(`SELECT mig_upgrade('head')`);
  return [rootpage('u') === root, T.execsql('SELECT * FROM u'), T.one(`SELECT mig_diff('models')`),
    /INSERT OR ABORT INTO "main"."_libmig_new_u"/.test(offline)];
}, [true, [1, 'a@x', 2, 'b@x'], '', true]);

T.finish_test();
