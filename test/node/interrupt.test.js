// interrupt.test.js: sqlite3_interrupt() during mig_upgrade on the SQLite
// that the npm packages bundle (DESIGN.md rule 7, issue 11 item 1).
//
// better-sqlite3 builds SQLite without progress handlers, so libmig never
// uses its private connection there: it always works on the caller's
// connection with the trap (ext/mig_txn.c, method B), and the injector of
// test/interrupt.test (a progress handler) cannot run either.  Here the
// interrupt comes from test/interruptext.so (test/interruptext.c), an
// extension that calls sqlite3_interrupt() on the connection from SQL:
// the revision script itself calls it, between two of its statements or
// inside the row copy of a rebuild (in a mapping), so that every later
// statement libmig starts fails with "interrupted", ROLLBACK included, as
// after Ctrl-C.  On libsql the first attempt runs on the private
// connection, which lacks the extension's functions ("no such function"),
// and the call runs again on the caller's connection: method B there too.
//
// Each point runs on a fresh copy of a database at r1 (an AUTOINCREMENT
// parent with 3,000 rows, a CASCADE child with 6,000, an index, a view, a
// trigger) whose revision r2 rebuilds both tables by a copy, in three
// ways: autocommit then a write; BEGIN, a write, the call, a write,
// COMMIT; the same with ROLLBACK.  After each, the call failed with
// "interrupted" in its message, foreign_keys is on as before, no
// transaction is left open in autocommit mode (the write after the call
// is committed), and the database, reopened, is at r1 with exactly its
// schema and rows (r1 is also what COMMIT leaves: SQLite rolled back the
// whole transaction, the application's writes included, and said so).
//
// drivers: better-sqlite3 libsql
'use strict';

const fs = require('fs');
const path = require('path');
const T = require('./tester');

const ext = path.join(T.repodir, 'test',
  `interruptext.${process.platform === 'darwin' ? 'dylib' : 'so'}`);
if (!fs.existsSync(ext)) {
  console.log(`interrupt.test.js needs ${ext}: build it with \`make test/interruptext.so\``);
  process.exit(1);
}

const tpl = path.join(T.tmpdir, `${T.file}-${T.driver}-tpl.db`);
const base = T.scratch('scripts');

// The template: r1 applied, rows in it.
T.reset_db();
T.execsql(`SELECT mig_config('script_location', $dir)`, { dir: base });
const r1 = T.one(`SELECT mig_revision('r1', $up, $down)`, {
  up: `
    CREATE TABLE parent(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
    CREATE INDEX parent_name ON parent(name);
    CREATE TABLE child(id INTEGER PRIMARY KEY,
      pid INTEGER REFERENCES parent(id) ON DELETE CASCADE, v TEXT);
    CREATE VIEW family AS SELECT p.name, c.v FROM child c JOIN parent p ON p.id=c.pid;
    CREATE TABLE audit(what TEXT);
    CREATE TRIGGER parent_gone AFTER DELETE ON parent BEGIN
      INSERT INTO audit VALUES('gone ' || old.name);
    END;
    CREATE TABLE side(x);`,
  down: 'DROP TABLE side; DROP TRIGGER parent_gone; DROP TABLE audit; DROP VIEW family; DROP TABLE child; DROP TABLE parent;',
});
T.execsql(`
  SELECT mig_upgrade('head');
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3100)
  INSERT INTO parent(name) SELECT 'p' || i FROM n;
  DELETE FROM parent WHERE id>3000;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<6000)
  INSERT INTO child(pid, v) SELECT i % 3000 + 1, 'v' || i FROM n;
`);
T.db.close();
fs.copyFileSync(T.dbfile, tpl);
const r1file = fs.readdirSync(base)[0];

// The state compared: everything but the table "side".
function state(conn) {
  const s = T.snapshot(conn);
  delete s.side;
  s.schema = T.execsql(`SELECT type, name, tbl_name, sql FROM main.sqlite_schema
    WHERE name<>'side' ORDER BY type, name`, {}, conn);
  return s;
}
let conn = new T.Database(tpl);
const old = state(conn);
conn.close();

// The statements of r2; the interrupt goes after statement k (0: before
// the first), or, with k<0, into the copy of parent at row -k.
const r2parts = [
  `SELECT mig_rebuild('parent', 'CREATE TABLE parent(id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL, born INT)'%MAP%);`,
  'CREATE INDEX parent_born ON parent(born);',
  `SELECT mig_rebuild('child', 'CREATE TABLE child(id INTEGER PRIMARY KEY,
    pid INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE, v TEXT, UNIQUE(pid, v))');`,
  `INSERT INTO audit VALUES('migrated');`,
  'CREATE TABLE tag(id INTEGER PRIMARY KEY, child_id INTEGER REFERENCES child(id), tag TEXT);',
];
function r2script(k) {
  const parts = r2parts.slice();
  let map = '';
  if (k < 0) {
    map = `, '{"name": "CASE WHEN mig_test_interrupt_at(id, ${-k}) THEN name END"}'`;
  } else {
    parts.splice(k, 0, 'SELECT mig_test_interrupt();');
  }
  parts[parts.indexOf(r2parts[0])] = r2parts[0].replace('%MAP%', map);
  return parts.join('\n');
}

// One run: a fresh copy at r1 with r2 written for point K, the call in
// MODE; returns what broke ('' when nothing did).
function run(mode, k) {
  const file = path.join(T.tmpdir, `${T.file}-${T.driver}-run.db`);
  for (const s of ['', '-journal', '-wal', '-shm']) fs.rmSync(file + s, { force: true });
  fs.copyFileSync(tpl, file);
  const dir = T.scratch('run');
  fs.copyFileSync(path.join(base, r1file), path.join(dir, r1file));
  const db = T.open(file);
  db.loadExtension(ext);
  const bad = [];
  T.execsql(`SELECT mig_config('script_location', $dir)`, { dir }, db);
  T.one(`SELECT mig_revision('r2', $up, '')`, { up: r2script(k) }, db);
  const fk = T.one('PRAGMA foreign_keys', {}, db);
  const txn = mode !== 'auto';
  if (txn) T.execsql(`BEGIN; INSERT INTO side VALUES('before')`, {}, db);
  let err = null;
  let res;
  try {
    res = T.one(`SELECT mig_upgrade('head')`, {}, db);
  } catch (e) {
    err = e.message;
  }
  if (err === null) bad.push(`returned ${res}`);
  else if (!/interrupted/.test(err)) bad.push(`error: ${err}`);
  if (T.one('PRAGMA foreign_keys', {}, db) !== fk) bad.push('foreign_keys changed');
  if (!txn && db.inTransaction) bad.push('a transaction was left open');
  try {
    T.execsql(`INSERT INTO side VALUES('after')`, {}, db);
  } catch (e) {
    bad.push(`the write after the call failed: ${e.message}`);
  }
  if (mode === 'commit') {
    try { T.execsql('COMMIT', {}, db); } catch (e) { /* nothing to commit */ }
  } else if (mode === 'rollback') {
    try { T.execsql('ROLLBACK', {}, db); } catch (e) { /* nothing to roll back */ }
  }
  db.close();
  const chk = new T.Database(file);
  if (T.one('PRAGMA integrity_check', {}, chk) !== 'ok') bad.push('integrity_check');
  if (!T.equal(state(chk), old)) bad.push('not the old revision as it was');
  if (mode === 'auto' && T.one(`SELECT count(*) FROM side WHERE x='after'`, {}, chk) !== 1) {
    bad.push('the write after the call was lost');
  }
  chk.close();
  return bad.length ? `${mode} k=${k}: ${bad.join('; ')}` : '';
}

// Every boundary between the statements of r2 (also before the first and
// after the last, where only the bookkeeping and the commit are left),
// and three rows of the copy of parent (the first, the middle, the last).
const points = [-1, -1500, -3000];
for (let k = 0; k <= r2parts.length; k++) points.push(k);
let n = 0;
for (const mode of ['auto', 'commit', 'rollback']) {
  const bad = [];
  for (const k of points) {
    const b = run(mode, k);
    if (b) bad.push(b);
  }
  n += points.length;
  T.do_test(`interrupt-1.${mode}`, () => bad, []);
}
T.do_test('interrupt-1.points', () => n, 27);

T.finish_test();
