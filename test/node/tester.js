// tester.js: the small test harness of libmig's Node tests, in the spirit
// of test/tester.tcl.
//
// Every test file test/node/NAME.test.js starts with
//
//     const T = require('./tester');
//
// and ends with `T.finish_test()`.  Requiring this file opens the
// connection T.db on test/tmp/node/<file>-<driver>.db (a fresh file) with
// libmig loaded into it.  The driver is the npm package named by
// $MIG_NODE_DRIVER: better-sqlite3 (the default) or libsql, whose API is
// the same; test/node/run.js runs each file once per driver it names in a
// "// drivers: ..." line near its top.
//
// Functions (SQL may hold several statements, run in order as Tcl's
// `db eval` runs them; values come back as one flat array of all rows):
//   T.reset_db()                          close, delete, reopen, load libmig
//   T.do_execsql_test(name, sql, exp [, params])
//                                         execsql(sql) deep-equals exp
//   T.do_catchsql_test(name, sql, exp [, params])
//                                         exp is [0, [values]] or
//                                         [1, 'exact error message']
//   T.do_test(name, fn, exp)              fn() deep-equals exp
//   T.execsql(sql [, params [, conn]]) / T.catchsql(...)
//   T.open(file) / T.load_libmig(conn)    another connection
//   T.skip(name, why)                     a test that cannot run here
//   T.known_failure(name, why)            the next test NAME is a known
//                                         bug: its failure is reported as
//                                         XFAIL and does not fail the run;
//                                         if it passes, that is a FAIL
//                                         (remove the mark)
//   T.finish_test()                       report, exit 1 on failures
// and helpers for the data-protection checks: T.snapshot(),
// T.do_unchanged_error_test(name, sql, message), T.index_shape(table),
// T.schema_shape(schema), T.sqliteVersionNumber(), T.qid(), T.qstr().
//
// params binds $name, :name and @name parameters by name (without the
// sigil): {NEWDEF: 'CREATE TABLE ...'}.  Values are compared exactly,
// types included: an INTEGER or REAL is a JS number (5.0 reads as 5),
// TEXT a string, NULL null, a BLOB a Buffer.
//
// Each test prints "PASS <name>" or "FAIL <name>" with the expected and
// the actual value; the file ends with "N passed, N failed" and, for the
// runner, "MIGTEST-RESULT <passed> <failed> <skipped> <known failures>
// <failed names>".
// Test names are unique per file (a duplicate is a failure).
//
// The library is $MIG_LIB (default libmig.so at the top of the
// repository); T.miglib, T.testdir, T.repodir and T.tmpdir are absolute.
// Packages are found through NODE_PATH (run.js sets it to the cache that
// test/node/install.sh fills).
'use strict';

const fs = require('fs');
const path = require('path');
const util = require('util');

const T = module.exports;

T.testdir = __dirname;
T.repodir = path.resolve(__dirname, '..', '..');
T.tmpdir = path.join(T.repodir, 'test', 'tmp', 'node');
T.driver = process.env.MIG_NODE_DRIVER || 'better-sqlite3';
T.miglib = path.resolve(process.env.MIG_LIB ||
  path.join(T.repodir, process.platform === 'darwin' ? 'libmig.dylib' : 'libmig.so'));
T.file = path.basename(require.main ? require.main.filename : 'repl', '.test.js');
T.dbfile = path.join(T.tmpdir, `${T.file}-${T.driver}.db`);

const counts = { pass: 0, fail: 0, skip: 0, xfail: 0 };
const failed = [];
const seen = new Set();
const known = new Map();

let Database;
try {
  Database = require(T.driver);
} catch (e) {
  console.log(`cannot load the npm package ${T.driver}: ${e.message}`);
  console.log('(run test/node/install.sh, or `make test-node`)');
  process.exit(1);
}
T.Database = Database;

// The version of the driver package (its package.json, found on NODE_PATH
// or beside the module: libsql's "exports" hides it from require).
T.driverVersion = (function () {
  const dirs = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  for (const d of dirs.concat(module.paths)) {
    const f = path.join(d, T.driver, 'package.json');
    if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f, 'utf8')).version;
  }
  return 'unknown';
}());

//-------------------------------------------------------------------------
// Splitting SQL text into statements, as sqlite3_prepare's tail would.
// Neither driver runs several statements and returns rows (better-sqlite3
// refuses a second statement, libsql silently ignores it), so the text is
// cut at each ';' that ends a statement: outside strings, quoted names and
// comments, and, in CREATE TRIGGER, only after the END of its body.  The
// parameters each statement uses are collected so that only those are
// bound.

// Tokens: [kind, text] with kind one of 'space', 'word', 'semi', 'param',
// 'other' (strings, quoted names and punctuation).
function tokenize(sql) {
  const out = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    let j = i + 1;
    let kind = 'other';
    if (/\s/.test(c)) {
      while (j < n && /\s/.test(sql[j])) j++;
      kind = 'space';
    } else if (c === '-' && sql[i + 1] === '-') {
      while (j < n && sql[j] !== '\n') j++;
      kind = 'space';
    } else if (c === '/' && sql[i + 1] === '*') {
      const e = sql.indexOf('*/', i + 2);
      j = e < 0 ? n : e + 2;
      kind = 'space';
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      for (;;) {
        while (j < n && sql[j] !== close) j++;
        if (j < n && close !== ']' && sql[j + 1] === close) { j += 2; continue; }
        j = Math.min(j + 1, n);
        break;
      }
    } else if (c === ';') {
      kind = 'semi';
    } else if ((c === '$' || c === ':' || c === '@') && /[A-Za-z_]/.test(sql[i + 1] || '')) {
      while (j < n && /[A-Za-z0-9_]/.test(sql[j])) j++;
      kind = 'param';
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j])) j++;
      kind = 'word';
    }
    out.push([kind, sql.slice(i, j)]);
    i = j;
  }
  return out;
}

// [{sql, params: [names]}] for each statement of the text.
function splitSql(sql) {
  const stmts = [];
  let cur = '';
  let words = [];       // the statement's words so far, upper case
  let params = [];
  let lastWord = '';    // the last word before the current token
  for (const [kind, text] of tokenize(sql)) {
    cur += text;
    if (kind === 'word') {
      words.push(text.toUpperCase());
      lastWord = text.toUpperCase();
    } else if (kind === 'param') {
      if (!params.includes(text.slice(1))) params.push(text.slice(1));
      lastWord = '';
    } else if (kind === 'other') {
      lastWord = '';
    } else if (kind === 'semi') {
      const w = words[0] === 'CREATE' && /^TEMP(ORARY)?$/.test(words[1] || '')
        ? words[2] : words[1];
      const trigger = words[0] === 'CREATE' && w === 'TRIGGER';
      if (!trigger || lastWord === 'END') {
        if (words.length) stmts.push({ sql: cur.slice(0, -1).trim(), params });
        cur = '';
        words = [];
        params = [];
      }
      lastWord = '';
    }
  }
  if (words.length) stmts.push({ sql: cur.trim(), params });
  return stmts;
}
T.splitSql = splitSql;

//-------------------------------------------------------------------------
// Connections.

// Load libmig into CONN: the one thing every test needs, so a failure
// ends the file.
T.load_libmig = function (conn) {
  try {
    conn.loadExtension(T.miglib);
  } catch (e) {
    console.log(`cannot load libmig from ${T.miglib}: ${e.message}`);
    console.log('(build it with `make`, or point MIG_LIB at the library)');
    process.exit(1);
  }
};

// A new connection to FILE (default: this file's database), libmig loaded.
T.open = function (file) {
  const conn = new Database(file || T.dbfile);
  T.load_libmig(conn);
  return conn;
};

T.reset_db = function () {
  if (T.db) T.db.close();
  fs.mkdirSync(T.tmpdir, { recursive: true });
  for (const suffix of ['', '-journal', '-wal', '-shm']) {
    fs.rmSync(T.dbfile + suffix, { force: true });
  }
  T.db = T.open(T.dbfile);
  return T.db;
};

// Run SQL (one or more statements) on CONN; all rows of all statements
// as one flat array of values.
T.execsql = function (sql, params, conn) {
  conn = conn || T.db;
  const out = [];
  for (const s of splitSql(sql)) {
    const stmt = conn.prepare(s.sql);
    const bind = [];
    if (s.params.length) {
      const obj = {};
      for (const p of s.params) {
        if (!params || !(p in params)) throw new Error(`no value for parameter ${p}`);
        obj[p] = params[p];
      }
      bind.push(obj);
    }
    if (stmt.reader) {
      for (const row of stmt.raw(true).all(...bind)) out.push(...row);
    } else {
      stmt.run(...bind);
    }
  }
  return out;
};

// [0, values] or [1, message].
T.catchsql = function (sql, params, conn) {
  try {
    return [0, T.execsql(sql, params, conn)];
  } catch (e) {
    return [1, e.message];
  }
};

// The first value of the first row, or null.
T.one = function (sql, params, conn) {
  const v = T.execsql(sql, params, conn);
  return v.length ? v[0] : null;
};

//-------------------------------------------------------------------------
// Tests.

function show(v) {
  return util.inspect(v, { depth: null, breakLength: Infinity, maxArrayLength: null, maxStringLength: null });
}

function start(name) {
  if (seen.has(name)) {
    console.log(`FAIL ${name}: duplicate test name in this file`);
    counts.fail++;
    failed.push(name);
  }
  seen.add(name);
  if (process.env.MIGTEST_RUNNER) console.log(`MIGTEST-START ${name}`);
}

function result(name, ok, expected, got) {
  if (known.has(name)) {
    if (ok) {
      counts.fail++;
      failed.push(name);
      console.log(`FAIL ${name}: passes, but is marked as a known failure `
        + `(${known.get(name)}): remove the mark`);
    } else {
      counts.xfail++;
      console.log(`XFAIL ${name}: known failure: ${known.get(name)}`);
      console.log(`!   expected: ${show(expected)}`);
      console.log(`!   got:      ${show(got)}`);
    }
    return;
  }
  if (ok) {
    counts.pass++;
    console.log(`PASS ${name}`);
  } else {
    counts.fail++;
    failed.push(name);
    console.log(`FAIL ${name}`);
    console.log(`!   expected: ${show(expected)}`);
    console.log(`!   got:      ${show(got)}`);
  }
}

T.equal = function (a, b) {
  return util.isDeepStrictEqual(a, b);
};

T.do_execsql_test = function (name, sql, expected, params) {
  start(name);
  let got;
  try {
    got = T.execsql(sql, params);
  } catch (e) {
    return result(name, false, expected, `error: ${e.message}`);
  }
  result(name, T.equal(got, expected), expected, got);
};

T.do_catchsql_test = function (name, sql, expected, params) {
  start(name);
  if (!Array.isArray(expected) || expected.length !== 2 || ![0, 1].includes(expected[0])) {
    return result(name, false, '[0, [values]] or [1, message]', `malformed expected: ${show(expected)}`);
  }
  const got = T.catchsql(sql, params);
  result(name, T.equal(got, expected), expected, got);
};

T.do_test = function (name, fn, expected) {
  start(name);
  let got;
  try {
    got = fn();
  } catch (e) {
    return result(name, false, expected, `error: ${e.message}`);
  }
  result(name, T.equal(got, expected), expected, got);
};

// A test that cannot run here, and why (counted, never silent).
T.skip = function (name, why) {
  start(name);
  counts.skip++;
  console.log(`SKIP ${name}: ${why}`);
};

// Marks the test NAME (run next) as a known bug, and says which.
T.known_failure = function (name, why) {
  known.set(name, why);
};

T.finish_test = function () {
  try { if (T.db) T.db.close(); } catch (e) { /* already closed */ }
  const skipped = counts.skip ? `, ${counts.skip} skipped` : '';
  if (counts.xfail) console.log(`${counts.xfail} known failures (XFAIL)`);
  console.log(`${counts.pass} passed, ${counts.fail} failed${skipped}`);
  console.log(`MIGTEST-RESULT ${counts.pass} ${counts.fail} ${counts.skip} ${counts.xfail} ${failed.join(' ')}`);
  process.exit(counts.fail ? 1 : 0);
};

//-------------------------------------------------------------------------
// Helpers that several files use.

// A scratch directory test/tmp/node/<file>-<driver>-<what>, emptied.
T.scratch = function (what) {
  const dir = path.join(T.tmpdir, `${T.file}-${T.driver}-${what}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

// A database file test/tmp/node/<file>-<driver>-<name>.db that does not
// exist yet (an earlier run's, with its journal and WAL, removed).
T.freshdb = function (name) {
  const f = path.join(T.tmpdir, `${T.file}-${T.driver}-${name}.db`);
  for (const s of ['', '-journal', '-wal', '-shm']) fs.rmSync(f + s, { force: true });
  return f;
};

// The pets revisions v1 to v4 of sql/pets/, autogenerated into script
// directory dir and applied on T.db with libmig; their ids, in order.
T.pets_revisions = function (dir) {
  const revs = [];
  T.execsql(`SELECT mig_config('script_location', $dir)`, { dir });
  for (const v of [1, 2, 3, 4]) {
    T.execsql(`SELECT mig_models('models', $m)`, { m: T.readfile(`sql/pets/v${v}.sql`) });
    revs.push(T.one(`SELECT mig_autogenerate('models', $msg)`, { msg: `pets v${v}` }));
    T.execsql(`SELECT mig_upgrade('head')`);
  }
  return revs;
};

// What libmig sees in database file f after the pets revisions of
// script directory dir: [tables of the models, at head?, the diff to
// pets v4, mig_check, revisions applied].
T.pets_at_head = function (f, dir, head) {
  const conn = T.open(f);
  const r = T.execsql(`
    SELECT mig_config('script_location', $dir);
    SELECT mig_models('models', $m);
    SELECT mig_current() = $head;
    SELECT mig_diff('models');
    SELECT mig_check('models');
    SELECT count(*) FROM migrations WHERE is_applied;
  `, { dir, m: T.readfile('sql/pets/v4.sql'), head }, conn);
  conn.close();
  return r.slice(1);
};

// The text of a file of the repository (sql/pets/v1.sql ...).
T.readfile = function (rel) {
  return fs.readFileSync(path.join(T.repodir, rel), 'utf8');
};

// NAME quoted as an SQL identifier, and S as an SQL string literal.
T.qid = (name) => `"${String(name).replace(/"/g, '""')}"`;
T.qstr = (s) => `'${String(s).replace(/'/g, "''")}'`;

// The running SQLite's version as a number (3053002 for 3.53.2), to gate
// tests on what a version brought.
T.sqliteVersionNumber = function (conn) {
  const [a, b, c] = T.one('SELECT sqlite_version()', {}, conn).split('.').map(Number);
  return a * 1000000 + b * 1000 + (c || 0);
};

// Everything that must not change when a call fails: sqlite_schema as
// stored (rootpages included) and every table's rows with their rowids
// (WITHOUT ROWID tables by primary key), sqlite_sequence among them.
T.snapshot = function (conn) {
  const out = { schema: T.execsql('SELECT * FROM main.sqlite_schema', {}, conn) };
  for (const t of T.execsql(`SELECT name FROM main.sqlite_schema WHERE type='table'
      AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`, {}, conn)) {
    const wr = T.one(`SELECT wr FROM pragma_table_list WHERE name=$t AND schema='main'`, { t }, conn);
    out[t] = wr === 1
      ? T.execsql(`SELECT * FROM main.${T.qid(t)} ORDER BY 1`, {}, conn)
      : T.execsql(`SELECT rowid, * FROM main.${T.qid(t)} ORDER BY rowid`, {}, conn);
  }
  return out;
};

// A failing call (test NAME): the exact error MESSAGE, and (test
// NAME.unchanged) the database exactly as before, foreign_keys as before,
// integrity_check ok.
T.do_unchanged_error_test = function (name, sql, message, params) {
  const before = T.snapshot();
  const fk = T.one('PRAGMA foreign_keys');
  T.do_catchsql_test(name, sql, [1, message], params);
  T.do_test(`${name}.unchanged`, () => T.equal(T.snapshot(), before)
    && T.one('PRAGMA foreign_keys') === fk
    && T.one('PRAGMA integrity_check') === 'ok', true);
};

// Index names, flags and key columns of table T, for before/after checks.
T.index_shape = function (t, conn) {
  const out = [];
  const list = T.execsql(`SELECT name, "unique", origin, partial
    FROM pragma_index_list($t) ORDER BY name`, { t }, conn);
  for (let i = 0; i < list.length; i += 4) {
    out.push(list.slice(i, i + 4), T.execsql(`SELECT seqno, cid, name, desc, coll, key
      FROM pragma_index_xinfo($n)`, { n: list[i] }, conn));
  }
  return out;
};

// The schema SCHEMA as pragmas see it, to compare two schemas without
// taking libmig's word for it: per table (libmig's own and sqlite_% left
// out), its columns, foreign keys and indexes with their key columns.
// Automatic indexes are named by their origin only (their names differ
// between a rebuilt table and a fresh one).
T.schema_shape = function (schema, conn) {
  const out = {};
  const tables = T.execsql(`SELECT name FROM ${T.qid(schema)}.sqlite_schema
    WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
      AND name NOT LIKE '\\_libmig%' ESCAPE '\\' ORDER BY name`, {}, conn);
  const s = T.qstr(schema);
  for (const t of tables) {
    const idx = [];
    const list = T.execsql(`SELECT name, "unique", origin, partial
      FROM pragma_index_list(${T.qstr(t)}, ${s}) ORDER BY name`, {}, conn);
    for (let i = 0; i < list.length; i += 4) {
      const [name, unique, origin, partial] = list.slice(i, i + 4);
      idx.push([origin === 'c' ? name : origin, unique, partial,
        T.execsql(`SELECT name, desc, coll, key FROM
          pragma_index_xinfo(${T.qstr(name)}, ${s}) WHERE key`, {}, conn)]);
    }
    idx.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    out[t] = {
      columns: T.execsql(`SELECT cid, name, type, "notnull", dflt_value, pk, hidden
        FROM pragma_table_xinfo(${T.qstr(t)}, ${s})`, {}, conn),
      foreign_keys: T.execsql(`SELECT id, seq, "table", "from", "to", on_update,
        on_delete FROM pragma_foreign_key_list(${T.qstr(t)}, ${s})`, {}, conn),
      indexes: idx,
    };
  }
  return out;
};

process.chdir(T.repodir);
T.reset_db();
