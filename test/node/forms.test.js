// forms.test.js: mig_sql's D1 and dqlite forms run by the driver on a
// connection without libmig, the way those engines run them: foreign keys
// on, and the whole file in one transaction that the engine opens (the
// forms hold no BEGIN or COMMIT).  On better-sqlite3 (SQLite 3.53) and
// libsql (the embedded libSQL engine, SQLite 3.45): the closest this
// machine has to a libSQL server or D1, which were not available.
//
// The pets revisions of sql/pets/, one script per revision with rows
// written between them: pet's rebuild (v2) and user's (v3, which pet's
// foreign key points to, with child rows) must keep every row, and end
// where mig_upgrade ends (libmig then sees the database at head, with
// nothing to diff against the models).
//
// drivers: better-sqlite3 libsql
'use strict';

const T = require('./tester');

const dir = T.scratch('scripts');
const fresh = T.freshdb;

// The reference: pets v1 to v4 with libmig.
const revs = [];
T.do_test('forms-1.1', () => {
  revs.push(...T.pets_revisions(dir));
  return [revs.length, T.one(`SELECT mig_current()`) === revs[3]];
}, [4, true]);
const applied = (conn) =>
  T.execsql(`SELECT revision, checksum FROM _libmig_applied ORDER BY revision`, {}, conn);
const refApplied = applied(T.db);
const refSchema = T.execsql(`SELECT type, name, sql FROM sqlite_schema ORDER BY type, name`);

// Run the script of form from `from` to `to` as D1 runs a file.
function runForm(conn, form, to, from) {
  const s = T.one(`SELECT mig_sql($to, $from, $o)`, { to, from, o: JSON.stringify({ form }) });
  conn.exec('PRAGMA foreign_keys = ON');
  conn.exec('BEGIN');
  try {
    conn.exec(s);
    conn.exec('COMMIT');
  } catch (e) {
    conn.exec('ROLLBACK');
    throw e;
  }
  return s;
}

let n = 1;
for (const form of ['d1', 'dqlite']) {
  n += 1;
  const file = fresh(form);
  const conn = new T.Database(file);
  const scripts = [];
  T.do_test(`forms-${n}.1`, () => {
    scripts.push(runForm(conn, form, revs[0], 'base'));
    conn.exec(`INSERT INTO user(id, name) VALUES (1, 'ann'), (2, 'bob');
      INSERT INTO pet(id, name) VALUES (1, 'rex'), (2, 'tom'), (3, 'kit');`);
    scripts.push(runForm(conn, form, revs[1], revs[0]));
    conn.exec(`UPDATE pet SET owner_id = 1 + (id = 3)`);
    scripts.push(runForm(conn, form, revs[2], revs[1]));
    scripts.push(runForm(conn, form, revs[3], revs[2]));
    return T.equal(applied(conn), refApplied);
  }, true);
  // No transaction control, no foreign_keys=OFF; the rebuild of user is
  // what needs the deferral (pet's rows point to it).
  T.do_test(`forms-${n}.2`, () => {
    const body = scripts.join('\n').replace(/^--.*$/mg, '');
    return [/\b(BEGIN|COMMIT)\b/i.test(body), /\bforeign_keys\s*=\s*OFF/i.test(body),
      /PRAGMA defer_foreign_keys=ON;/.test(scripts[2]),
      /DROP TABLE "main"\."user"/.test(scripts[2]),
      form === 'd1' ? true : scripts.every((s) => s.split('\n').filter((l) => !l.startsWith('--') && l !== '').length === 1)];
  }, [false, false, true, true, true]);
  T.do_test(`forms-${n}.3`, () => T.execsql(`
    SELECT pet.name, user.name FROM pet JOIN user ON user.id = pet.owner_id ORDER BY pet.id;
    PRAGMA integrity_check;
    PRAGMA foreign_key_check;
  `, {}, conn), ['rex', 'ann', 'tom', 'ann', 'kit', 'bob', 'ok']);
  // The D1 form stores the schema as written; the dqlite form's one line
  // stores line breaks as spaces and comments as block comments, which
  // libmig's diff does not see.
  if (form === 'd1') {
    T.do_test(`forms-${n}.4`, () => T.equal(
      T.execsql(`SELECT type, name, sql FROM sqlite_schema ORDER BY type, name`, {}, conn),
      refSchema), true);
  }
  conn.close();
  T.do_test(`forms-${n}.5`, () => T.pets_at_head(file, dir, revs[3]), [3, 1, '', 'ok', 4]);
  // Run a second time: the guard fails it before it changes anything.
  T.do_test(`forms-${n}.6`, () => {
    const again = new T.Database(file);
    let msg = null;
    try {
      runForm(again, form, revs[3], revs[2]);
    } catch (e) {
      msg = e.message;
    }
    const r = [msg, again.inTransaction, T.equal(applied(again), refApplied)];
    again.close();
    return r;
  }, [`CHECK constraint failed: the database is not at ${revs[2]}, where this script starts (it goes to ${revs[3]}): nothing was changed`, false, true]);
}

T.finish_test();
