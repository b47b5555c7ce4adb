// libsql.test.js: what is particular to libSQL (the npm package libsql,
// better-sqlite3's API over libSQL's engine, what Turso users embed).
// The seeds, rebuild, offline and load files run on it too; this one
// covers the Node package's load() there and libSQL's own schema
// features: vector indexes (F32_BLOB columns, libsql_vector_idx, which
// keep their data in "<index>_shadow" tables and libsql_vector_meta_shadow)
// and RANDOM ROWID tables.
//
// drivers: libsql
'use strict';

const path = require('path');
const T = require('./tester');

//-------------------------------------------------------------------------
// 1. require('libmig').load(db) (the package as `make npm` stages it).
//
T.do_test('libsql-1.1', () => {
  const libmig = require(path.join(T.repodir, 'build', 'npm'));
  const db = libmig.load(new T.Database(':memory:'));
  const r = T.execsql(`SELECT mig_version(); SELECT count(*) FROM migrations`, {}, db);
  db.close();
  return [r.length, r[1], path.basename(libmig.getLoadablePath())];
}, [2, 0, process.platform === 'darwin' ? 'libmig.dylib' : 'libmig.so']);
// libsql's prepare() runs the first statement of a text and ignores the
// rest without an error (better-sqlite3 refuses): run mig_sql's scripts
// with db.exec().
T.do_test('libsql-1.2', () => {
  T.db.prepare(`CREATE TABLE one(x); CREATE TABLE two(x)`).run();
  return T.execsql(`SELECT name FROM sqlite_schema ORDER BY name`);
}, ['one']);

//-------------------------------------------------------------------------
// 2. Vector indexes.  The index keeps its data in shadow tables that it
//    creates and drops itself, as an FTS5 table does ("<index>_shadow"
//    and libsql_vector_meta_shadow): libmig leaves them out of the model,
//    so the diff creates and drops the index alone.  The upgrade that adds
//    the index, mig_test, a rebuild of the table (the index finds the old
//    rows after it), a native ADD COLUMN.
//
T.reset_db();
const DOC = 'CREATE TABLE doc(id INTEGER PRIMARY KEY, body TEXT, emb F32_BLOB(3))';
const VEC = `${DOC};\nCREATE INDEX doc_emb ON doc(libsql_vector_idx(emb));`;
let docs = null;
T.do_test('libsql-2.0', () => {
  T.execsql(`SELECT mig_config('script_location', $dir)`, { dir: T.scratch('vec') });
  T.execsql(`SELECT mig_models('models', $m)`, { m: DOC });
  docs = T.one(`SELECT mig_autogenerate('models', 'docs')`);
  return T.execsql(`
    SELECT mig_upgrade('head') = $docs;
    INSERT INTO doc(body, emb) VALUES ('x', vector('[1,0,0]')), ('y', vector('[0,1,0]')),
                                      ('z', vector('[0,0,1]'));
    SELECT mig_models('models', $m);
  `, { docs, m: VEC });
}, [1, 2]);
T.do_execsql_test('libsql-2.1', `SELECT mig_diff('models')`,
  ['CREATE INDEX doc_emb ON doc(libsql_vector_idx(emb));\n']);
T.do_execsql_test('libsql-2.2', `
  SELECT mig_autogenerate('models', 'vector index') IS NOT NULL;
  SELECT mig_upgrade('head') IS NOT NULL;
  SELECT id FROM vector_top_k('doc_emb', vector('[0,1,0]'), 1);
  SELECT mig_diff('models');
`, [1, 1, 2, '']);
T.do_test('libsql-2.3', () => /^ok: 1 head/.test(T.one(`SELECT mig_test('models')`)), true);
T.do_execsql_test('libsql-2.4', `
  SELECT mig_models('models', $m);
  SELECT mig_diff('models');
`, [1, 'DROP INDEX "doc_emb";\n'], { m: DOC });
// A change that copies the rows (a DEFAULT) is a rebuild; the index
// finds the old rows after it.  A new column is a native ADD COLUMN.
T.do_execsql_test('libsql-2.5', `
  SELECT mig_rebuild('doc', 'CREATE TABLE doc(id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT '''', emb F32_BLOB(3) NOT NULL)');
  SELECT id FROM vector_top_k('doc_emb', vector('[0,0,1]'), 1);
  SELECT body FROM doc ORDER BY id;
  PRAGMA integrity_check;
`, [3, 3, 'x', 'y', 'z', 'ok']);
T.do_execsql_test('libsql-2.6', `
  SELECT mig_models('models', $m);
  SELECT mig_diff('models');
`, [2, 'ALTER TABLE "doc" ADD COLUMN lang TEXT;\n'], {
  m: VEC.replace('body TEXT, emb F32_BLOB(3)', "body TEXT NOT NULL DEFAULT '', emb F32_BLOB(3) NOT NULL, lang TEXT"),
});

//-------------------------------------------------------------------------
// 3. RANDOM ROWID tables (libSQL's own syntax): a table option that
//    libmig keeps, like WITHOUT ROWID; a rebuild keeps it.
//
T.reset_db();
T.do_execsql_test('libsql-3.0', `
  CREATE TABLE ev(kind TEXT) RANDOM ROWID;
  CREATE TABLE t(a INTEGER PRIMARY KEY);
  SELECT mig_models('models', 'CREATE TABLE ev(kind TEXT) RANDOM ROWID; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)');
`, [2]);
T.do_catchsql_test('libsql-3.1', `SELECT mig_diff('models')`,
  [0, ['ALTER TABLE "t" ADD COLUMN b TEXT;\n']]);
T.do_catchsql_test('libsql-3.2', `
  SELECT mig_rebuild('ev', 'CREATE TABLE ev(kind TEXT NOT NULL) RANDOM ROWID');
  SELECT sql FROM sqlite_schema WHERE name = 'ev';
`, [0, [0, 'CREATE TABLE "ev"(kind TEXT NOT NULL) RANDOM ROWID']]);

T.finish_test();
