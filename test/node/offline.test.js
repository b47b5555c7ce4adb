// offline.test.js: the offline SQL of mig_sql, run by the driver on a
// connection that has no libmig, as a replicated engine (libSQL/Turso,
// D1) would run it.  The revisions of sql/pets/ are written and applied
// with libmig on one database (the reference); mig_sql's scripts, the
// whole base-to-head one and one per revision, are run with db.exec() on
// fresh databases; the schema (sqlite_schema, every row of it but the
// root pages) and the bookkeeping (_libmig_applied: revisions and
// checksums) must equal the reference's, the rows written between the
// steps must survive, and libmig must then see the database at head.
//
// drivers: better-sqlite3 libsql
'use strict';

const path = require('path');
const T = require('./tester');

const dir = T.scratch('scripts');
const fresh = T.freshdb;

// What must be equal: the schema as stored and the applied revisions.
function schema(conn) {
  return T.execsql(`SELECT type, name, tbl_name, sql FROM sqlite_schema
    ORDER BY type, name`, {}, conn);
}
function applied(conn) {
  return T.execsql(`SELECT revision, checksum FROM _libmig_applied ORDER BY revision`, {}, conn);
}

//-------------------------------------------------------------------------
// 1. The reference: pets v1 to v4 with libmig.
//
const revs = [];
T.do_test('offline-1.1', () => {
  revs.push(...T.pets_revisions(dir));
  return [revs.length, T.one(`SELECT mig_current()`) === revs[3], T.one(`SELECT mig_diff('models')`)];
}, [4, true, '']);
const refSchema = schema(T.db);
const refApplied = applied(T.db);

//-------------------------------------------------------------------------
// 2. Base to head in one script, on a connection without libmig.
//
const all = T.one(`SELECT mig_sql('head', 'base')`);
T.do_test('offline-2.1', () => [all.includes('BEGIN;'), all.includes('COMMIT;'),
  /mig_[a-z]+\(/.test(all.replace(/^--.*$/mg, ''))], [true, true, false]);
const plain = new T.Database(fresh('all'));
T.do_test('offline-2.2', () => {
  plain.exec(all);
  return [T.equal(schema(plain), refSchema), T.equal(applied(plain), refApplied),
    T.one('PRAGMA integrity_check', {}, plain), plain.inTransaction];
}, [true, true, 'ok', false]);
// The script switches foreign keys off (before its BEGIN) and on again
// (after its COMMIT), as SQLite's 12-step procedure does.
T.do_test('offline-2.3', () => T.execsql('PRAGMA foreign_keys', {}, plain), [1]);
plain.close();

//-------------------------------------------------------------------------
// 3. One script per revision, with rows written between them: the
//    rebuild of pet (v2) and of user (v3) keep them.
//
const stepdb = new T.Database(fresh('steps'));
T.do_test('offline-3.1', () => {
  stepdb.exec(T.one(`SELECT mig_sql($to, 'base')`, { to: revs[0] }));
  stepdb.exec(`PRAGMA foreign_keys = ON;
    INSERT INTO user(id, name) VALUES (1, 'ann'), (2, 'bob');
    INSERT INTO pet(id, name) VALUES (1, 'rex'), (2, 'tom'), (3, 'kit');`);
  stepdb.exec(T.one(`SELECT mig_sql($to, $from)`, { to: revs[1], from: revs[0] }));
  stepdb.exec(`PRAGMA foreign_keys = ON; UPDATE pet SET owner_id = 1 + (id = 3);`);
  stepdb.exec(T.one(`SELECT mig_sql($to, $from)`, { to: revs[2], from: revs[1] }));
  stepdb.exec(T.one(`SELECT mig_sql($to, $from)`, { to: revs[3], from: revs[2] }));
  return [T.equal(schema(stepdb), refSchema), T.equal(applied(stepdb), refApplied)];
}, [true, true]);
T.do_test('offline-3.2', () => T.execsql(`
  PRAGMA foreign_keys = ON;
  SELECT pet.name, user.name FROM pet JOIN user ON user.id = pet.owner_id ORDER BY pet.id;
  PRAGMA integrity_check;
  PRAGMA foreign_key_check;
`, {}, stepdb), ['rex', 'ann', 'tom', 'ann', 'kit', 'bob', 'ok']);

// A script run twice fails at its guard (the database is not where it
// starts) before it changes anything, and leaves its transaction open for
// the caller to roll back (as sqlite3 -bail would).
T.do_test('offline-3.3', () => {
  const before = [schema(stepdb), T.execsql('SELECT * FROM pet ORDER BY id', {}, stepdb)];
  let msg = null;
  try {
    stepdb.exec(T.one(`SELECT mig_sql($to, $from)`, { to: revs[1], from: revs[0] }));
  } catch (e) {
    msg = e.message;
  }
  const open = stepdb.inTransaction;
  stepdb.exec('ROLLBACK');
  return [msg, open, T.equal([schema(stepdb), T.execsql('SELECT * FROM pet ORDER BY id', {}, stepdb)], before)];
}, [`CHECK constraint failed: the database is not at ${revs[0]}, where this script starts (it goes to ${revs[1]}): nothing was changed`, true, true]);
stepdb.close();

//-------------------------------------------------------------------------
// 4. libmig sees the offline-upgraded database at head, matching models.
//
T.do_test('offline-4.1', () => {
  return T.pets_at_head(path.join(T.tmpdir, `offline-${T.driver}-steps.db`), dir, revs[3]);
}, [3, 1, '', 'ok', 4]);

T.finish_test();
