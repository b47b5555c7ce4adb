// package.test.js: the Node package as a user gets it.  The tarball that
// `make npm` packs (dist/libmig-<version>.tgz) and better-sqlite3 12 are
// installed with npm into a scratch project (better-sqlite3 from the
// cache's build, which npm finds already in place and does not compile
// again); there, in a node process that sees only that project's
// node_modules, the README's Node snippet runs as written, and so does
// the pets workflow (every model version up, then down to base) through
// require('libmig').load(db).
//
// drivers: better-sqlite3
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const T = require('./tester');

const version = /#define MIG_VERSION "([^"]+)"/.exec(
  T.readfile('ext/mig_int.h'))[1];
const tgz = path.resolve(process.env.MIG_NPM_TGZ
  || path.join(T.repodir, 'dist', `libmig-${version}.tgz`));
const target = `${process.platform}-${process.arch}`;
const ext = process.platform === 'darwin' ? 'dylib' : 'so';
const cache = process.env.MIG_NODE_BETTER_SQLITE3;

function run(cmd, args, cwd, env) {
  const r = spawnSync(cmd, args, {
    cwd, encoding: 'utf8', env: env || process.env, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout, err: r.stderr };
}

// The environment of a user's shell: no NODE_PATH into the cache.
const userenv = { ...process.env };
delete userenv.NODE_PATH;
delete userenv.MIG_LIB;

// The first ```js block of the Node part of a markdown file.
function snippet(file, heading) {
  let text = T.readfile(file);
  if (heading) {
    const at = text.indexOf(heading);
    if (at < 0) return `no heading "${heading}" in ${file}`;
    text = text.slice(at);
  }
  const m = /```js\n([\s\S]*?)```/.exec(text);
  return m ? m[1] : `no js block in ${file}`;
}

//-------------------------------------------------------------------------
// 1. The tarball: what it holds; the library is the one `make` built.
//
T.do_test('package-1.1', () => fs.existsSync(tgz) || `missing ${tgz}: run make npm`, true);
T.do_test('package-1.2', () => run('tar', ['tzf', tgz]).out.trim().split('\n').sort(), [
  'package/README.md', 'package/index.d.ts', 'package/index.js',
  `package/lib/${target}/libmig.${ext}`, 'package/package.json']);
T.do_test('package-1.3', () => {
  const pkg = JSON.parse(run('tar', ['xzOf', tgz, 'package/package.json']).out);
  return [pkg.name, pkg.version, pkg.main];
}, ['libmig', version, 'index.js']);
T.do_test('package-1.4', () => {
  const r = spawnSync('tar', ['xzOf', tgz, `package/lib/${target}/libmig.${ext}`],
    { maxBuffer: 64 * 1024 * 1024 });
  return Buffer.compare(r.stdout, fs.readFileSync(path.join(T.repodir, `libmig.${ext}`)));
}, 0);

//-------------------------------------------------------------------------
// 2. npm install into a scratch project.
//
const proj = T.scratch('project');
T.do_test('package-2.1', () => {
  if (!cache) return 'MIG_NODE_BETTER_SQLITE3 is not set (run through test/node/run.sh)';
  // The cache's npm project: its package.json names better-sqlite3, its
  // node_modules hold the build (and npm's record of the tree).
  const bsVersion = JSON.parse(fs.readFileSync(
    path.join(cache, 'better-sqlite3', 'package.json'), 'utf8')).version;
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({
    name: 'libmig-scratch', private: true,
    dependencies: { 'better-sqlite3': bsVersion },
  }, null, 2));
  fs.cpSync(cache, path.join(proj, 'node_modules'), { recursive: true });
  return bsVersion.split('.')[0];
}, '12');

const addon = path.join(proj, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
let addonTime = null;
try { addonTime = fs.statSync(addon).mtimeMs; } catch (e) { /* checked below */ }
T.do_test('package-2.2', () => {
  const r = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline',
    '--loglevel=error', tgz], proj, userenv);
  return r.status === 0 || `npm install failed (${r.status}):\n${r.out}${r.err}`;
}, true);
// better-sqlite3 was not compiled again; libmig is a dependency now.
T.do_test('package-2.3', () => {
  const deps = JSON.parse(fs.readFileSync(path.join(proj, 'package.json'), 'utf8')).dependencies;
  return [fs.statSync(addon).mtimeMs === addonTime, Object.keys(deps).sort(),
    fs.existsSync(path.join(proj, 'node_modules', 'libmig', 'lib', target, `libmig.${ext}`))];
}, [true, ['better-sqlite3', 'libmig'], true]);

//-------------------------------------------------------------------------
// 3. The README's snippet, as written, in the project (with sql/pets).
//
fs.cpSync(path.join(T.repodir, 'sql'), path.join(proj, 'sql'), { recursive: true });
const code = snippet('README.md', '## The Node package');
T.do_test('package-3.1', () => code === snippet('tool/node/README.md'), true);
T.do_test('package-3.2', () => {
  fs.writeFileSync(path.join(proj, 'tour.js'), code);
  const r = run('node', ['tour.js'], proj, userenv);
  return r.status !== 0 ? `status ${r.status}: ${r.out}${r.err}`
    : r.out.replace(/[0-9a-f]{12}/g, 'REV');
}, 'wrote REV now at REV\nok\n');
T.do_test('package-3.3', () => fs.readdirSync(path.join(proj, 'migrations')).length, 1);

//-------------------------------------------------------------------------
// 4. The pets workflow through require('libmig').load(db): every model
//    version up (diff '' after each), the rows kept, then each revision
//    down (the schema is the previous version again), then base.
//
const pets = `
'use strict';
const fs = require('fs');
const Database = require('better-sqlite3');
const libmig = require('libmig');
const db = libmig.load(new Database('pets.db'));
const one = (sql, ...a) => db.prepare(sql).pluck().get(...a);
const out = [];
one("SELECT mig_config('script_location', 'pets-migrations')");
const revs = [];
for (const v of [1, 2, 3, 4]) {
  one("SELECT mig_models('models', ?)", fs.readFileSync('sql/pets/v' + v + '.sql', 'utf8'));
  const rev = one("SELECT mig_autogenerate('models', ?)", 'pets v' + v);
  revs.push(rev);
  out.push(['up', v, one("SELECT mig_upgrade('head')") === rev,
            one("SELECT mig_diff('models')"), one("SELECT mig_check('models')")]);
  if (v === 1) {
    db.exec("INSERT INTO user(id, name) VALUES (1, 'ann'), (2, 'bob');"
          + "INSERT INTO pet(id, name) VALUES (1, 'rex'), (2, 'tom'), (3, 'kit')");
  }
  if (v === 2) db.exec('UPDATE pet SET owner_id = 1 + (id = 3)');
}
out.push(['rows', db.prepare('SELECT pet.name, user.name FROM pet JOIN user ON user.id = owner_id ORDER BY pet.id').raw().all()]);
for (const v of [3, 2, 1]) {
  const rev = one("SELECT mig_downgrade('-1')");
  one("SELECT mig_models('models', ?)", fs.readFileSync('sql/pets/v' + v + '.sql', 'utf8'));
  out.push(['down', v, rev === revs[v - 1], one("SELECT mig_diff('models')"),
            one('SELECT count(*) FROM pet')]);
}
out.push(['base', one("SELECT mig_downgrade('base')"),
          one("SELECT count(*) FROM sqlite_schema WHERE name IN ('user', 'pet')"),
          one('PRAGMA foreign_keys'), one('PRAGMA integrity_check')]);
out.push(['path', libmig.getLoadablePath() === require.resolve('libmig/lib/${target}/libmig.${ext}')]);
let err;
try { libmig.load({}); } catch (e) { err = e.constructor.name + ': ' + e.message; }
out.push(['bad', err]);
console.log(JSON.stringify(out));
`;
T.do_test('package-4.1', () => {
  fs.writeFileSync(path.join(proj, 'pets.js'), pets);
  const r = run('node', ['pets.js'], proj, userenv);
  return r.status !== 0 ? `status ${r.status}: ${r.out}${r.err}` : JSON.parse(r.out);
}, [
  ['up', 1, true, '', 'ok'],
  ['up', 2, true, '', 'ok'],
  ['up', 3, true, '', 'ok'],
  ['up', 4, true, '', 'ok'],
  ['rows', [['rex', 'ann'], ['tom', 'ann'], ['kit', 'bob']]],
  ['down', 3, true, '', 3],
  ['down', 2, true, '', 3],
  ['down', 1, true, '', 3],
  ['base', null, 0, 1, 'ok'],
  ['path', true],
  ['bad', 'TypeError: libmig.load(db): db must be an open database connection with a loadExtension() method (better-sqlite3, libsql)'],
]);

T.finish_test();
