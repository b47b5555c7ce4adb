// seeds.test.js: the seeds' workflows through a Node binding, on the
// SQLite that the npm package bundles (better-sqlite3 12: 3.53; libsql:
// libSQL's fork).  For each model version of sql/pets/ and sql/blog/:
// mig_models, mig_autogenerate, mig_upgrade, then mig_diff is '' and
// mig_check 'ok', and the live schema equals the models schema by
// pragmas (columns, keys, indexes), which does not take libmig's word for
// it.  Rows written along the way survive every step.  Then each
// revision is reverted with mig_downgrade('-1'), and each time the schema
// equals the previous model version again; base, head again, mig_test.
//
// Both drivers open connections with foreign_keys ON (SQLite's default
// is OFF): libmig must switch them off around a rebuild and back on.
//
// drivers: better-sqlite3 libsql
'use strict';

const T = require('./tester');

const REV = /^[0-9a-f]{12}$/;

// One model version: models, autogenerate, upgrade, the checks.  Returns
// the new revision id.  NOBJ is what mig_models returns.
function step(prefix, file, nobj, message) {
  T.do_execsql_test(`${prefix}.1`, `SELECT mig_models('models', $m)`, [nobj],
    { m: T.readfile(file) });
  let rev = null;
  T.do_test(`${prefix}.2`, () => {
    rev = T.one(`SELECT mig_autogenerate('models', $msg)`, { msg: message });
    return REV.test(rev);
  }, true);
  T.do_test(`${prefix}.3`, () => T.one(`SELECT mig_upgrade('head')`) === rev, true);
  T.do_execsql_test(`${prefix}.4`, `
    SELECT mig_diff('models');
    SELECT mig_check('models');
    SELECT mig_current() = $rev;
    PRAGMA integrity_check;
    PRAGMA foreign_keys;
  `, ['', 'ok', 1, 'ok', 1], { rev });
  T.do_test(`${prefix}.5`, () => T.equal(T.schema_shape('main'), T.schema_shape('models')) || [T.schema_shape('main'), T.schema_shape('models')], true);
  return rev;
}

// After a downgrade to the revision made from FILE: back at REV, and the
// schema is that model version again.
function back(prefix, rev, file, nobj) {
  T.do_test(`${prefix}.1`, () => T.one(`SELECT mig_downgrade('-1')`) === rev, true);
  T.do_execsql_test(`${prefix}.2`, `
    SELECT mig_models('models', $m);
    SELECT mig_diff('models');
    PRAGMA integrity_check;
    PRAGMA foreign_keys;
  `, [nobj, '', 'ok', 1], { m: T.readfile(file) });
  T.do_test(`${prefix}.3`, () => T.equal(T.schema_shape('main'), T.schema_shape('models')) || [T.schema_shape('main'), T.schema_shape('models')], true);
}

//-------------------------------------------------------------------------
// 1. sql/pets: user and pet, then an owner foreign key (a rebuild of pet
//    on SQLite before 3.53's in-place edits), a UNIQUE name, an index.
//
T.do_execsql_test('seeds-1.0', `
  PRAGMA foreign_keys;
  SELECT mig_config('script_location', $dir);
`, [1, `${T.scratch('pets')}`], { dir: T.scratch('pets') });

const pets = [];
pets.push(step('seeds-1.1', 'sql/pets/v1.sql', 2, 'initial'));
T.do_execsql_test('seeds-1.1.6', `
  INSERT INTO user(id, name) VALUES (1, 'ann'), (2, 'bob');
  INSERT INTO pet(id, name) VALUES (1, 'rex'), (2, 'tom'), (3, 'kit');
  SELECT count(*) FROM pet;
`, [3]);

// The diff of v2 is a change to pet that keeps its rows.
T.do_test('seeds-1.2.0', () => {
  T.execsql(`SELECT mig_models('models', $m)`, { m: T.readfile('sql/pets/v2.sql') });
  const diff = T.one(`SELECT mig_diff('models')`);
  return [diff.includes('"pet"') || diff.includes("'pet'"), diff.includes('DROP TABLE')];
}, [true, false]);
pets.push(step('seeds-1.2', 'sql/pets/v2.sql', 2, 'pet owner'));
T.do_execsql_test('seeds-1.2.6', `
  UPDATE pet SET owner_id = 1 WHERE id IN (1, 2);
  UPDATE pet SET owner_id = 2 WHERE id = 3;
  SELECT pet.id, pet.name, user.name FROM pet JOIN user ON user.id = pet.owner_id
   ORDER BY pet.id;
`, [1, 'rex', 'ann', 2, 'tom', 'ann', 3, 'kit', 'bob']);
// The new foreign key is enforced (the connection has foreign_keys ON).
T.do_catchsql_test('seeds-1.2.7', `
  INSERT INTO pet(id, name, owner_id) VALUES (4, 'orphan', 99);
`, [1, 'FOREIGN KEY constraint failed']);

pets.push(step('seeds-1.3', 'sql/pets/v3.sql', 2, 'unique user names'));
T.do_catchsql_test('seeds-1.3.6', `
  INSERT INTO user(id, name) VALUES (3, 'ann');
`, [1, 'UNIQUE constraint failed: user.name']);

pets.push(step('seeds-1.4', 'sql/pets/v4.sql', 3, 'index pets by owner'));
T.do_execsql_test('seeds-1.4.6', `
  SELECT name FROM pet INDEXED BY ix_pet_owner_id WHERE owner_id = 1 ORDER BY name;
  SELECT count(*) FROM migrations WHERE is_applied;
`, ['rex', 'tom', 4]);

// Down again, one revision at a time; the rows stay.
back('seeds-1.5', pets[2], 'sql/pets/v3.sql', 2);
back('seeds-1.6', pets[1], 'sql/pets/v2.sql', 2);
back('seeds-1.7', pets[0], 'sql/pets/v1.sql', 2);
T.do_execsql_test('seeds-1.7.4', `
  SELECT id, name FROM pet ORDER BY id;
  SELECT id, name FROM user ORDER BY id;
`, [1, 'rex', 2, 'tom', 3, 'kit', 1, 'ann', 2, 'bob']);
T.do_execsql_test('seeds-1.8', `
  SELECT mig_downgrade('base');
  SELECT name FROM sqlite_schema WHERE name NOT LIKE '%\\_libmig\\_%' ESCAPE '\\';
  SELECT mig_upgrade('head') = $head;
  SELECT mig_models('models', $m);
  SELECT mig_diff('models');
  SELECT mig_test('models') LIKE 'ok: 1 head (' || $head || '), 4 revisions: %';
`, [null, 1, 3, '', 1], { head: pets[3], m: T.readfile('sql/pets/v4.sql') });

//-------------------------------------------------------------------------
// 2. sql/blog: users and posts, a phone column, an index, and the guide's
//    nullable gotcha in three steps (add nullable, fill, constrain), as
//    sql/blog/walkthrough.sql does it.
//
T.reset_db();
T.do_execsql_test('seeds-2.0', `SELECT mig_config('script_location', $dir)`,
  [T.scratch('blog')], { dir: T.scratch('blog') });
const blog = [];
blog.push(step('seeds-2.1', 'sql/blog/v1.sql', 2, 'users and posts'));
T.do_execsql_test('seeds-2.1.6', `
  INSERT INTO users(id, username, email) VALUES (1, 'ann', 'ann@example.com'),
                                                (2, 'bob', 'bob@example.com');
  INSERT INTO posts(user_id, title, body) VALUES (1, 'hello', 'first post');
  SELECT count(*) FROM users;
`, [2]);

// v2 is one plain ADD COLUMN, and nothing else.
T.do_test('seeds-2.2.0', () => {
  T.execsql(`SELECT mig_models('models', $m)`, { m: T.readfile('sql/blog/v2.sql') });
  return T.one(`SELECT mig_diff('models')`);
}, 'ALTER TABLE "users" ADD COLUMN phone VARCHAR(20);\n');
blog.push(step('seeds-2.2', 'sql/blog/v2.sql', 2, 'add phone to users'));
blog.push(step('seeds-2.3', 'sql/blog/v3.sql', 3, 'index posts by user'));

// v4 unedited would fail: status NOT NULL without a default, rows there.
T.do_test('seeds-2.4.0', () => {
  T.execsql(`SELECT mig_models('models', $m)`, { m: T.readfile('sql/blog/v4.sql') });
  return /TODO/.test(T.one(`SELECT mig_diff('models')`));
}, true);
T.do_test('seeds-2.4.1', () => {
  const a = T.one(`SELECT mig_revision('add users.status, nullable',
    'ALTER TABLE users ADD COLUMN status VARCHAR(20);',
    'ALTER TABLE users DROP COLUMN status;')`);
  const b = T.one(`SELECT mig_revision('fill users.status',
    'UPDATE users SET status = ''active'' WHERE status IS NULL;', '')`);
  blog.push(a, b);
  return [REV.test(a), REV.test(b), T.one(`SELECT mig_upgrade('head')`) === b];
}, [true, true, true]);
blog.push(step('seeds-2.5', 'sql/blog/v4.sql', 3, 'users.status not null'));
T.do_execsql_test('seeds-2.5.6', `
  SELECT id, username, phone, status FROM users ORDER BY id;
  SELECT id, user_id, title FROM posts;
`, [1, 'ann', null, 'active', 2, 'bob', null, 'active', 1, 1, 'hello']);
T.do_catchsql_test('seeds-2.5.7', `
  INSERT INTO users(id, username, email) VALUES (3, 'cy', 'cy@example.com');
`, [1, 'NOT NULL constraint failed: users.status']);

// Down: the NOT NULL goes, the fill does nothing down, the column goes.
T.do_test('seeds-2.6', () => [
  T.one(`SELECT mig_downgrade('-1')`) === blog[4],
  T.one(`SELECT mig_downgrade('-1')`) === blog[3],
  T.one(`SELECT mig_downgrade('-1')`) === blog[2],
], [true, true, true]);
T.do_execsql_test('seeds-2.6.1', `
  SELECT mig_models('models', $m);
  SELECT mig_diff('models');
  SELECT id, username FROM users ORDER BY id;
  PRAGMA integrity_check;
`, [3, '', 1, 'ann', 2, 'bob', 'ok'], { m: T.readfile('sql/blog/v3.sql') });
back('seeds-2.7', blog[1], 'sql/blog/v2.sql', 2);
back('seeds-2.8', blog[0], 'sql/blog/v1.sql', 2);
T.do_execsql_test('seeds-2.9', `
  SELECT id, user_id, title, body FROM posts;
  SELECT mig_upgrade('head') = $head;
  SELECT mig_models('models', $m);
  SELECT mig_diff('models');
  SELECT mig_check('models');
  SELECT count(*) FROM users WHERE status = 'active';
`, [1, 1, 'hello', 'first post', 1, 3, '', 'ok', 2], { head: blog[5], m: T.readfile('sql/blog/v4.sql') });

T.finish_test();
