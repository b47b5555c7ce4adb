// run.js: runs libmig's Node test files (test/node/*.test.js).
//
//     node test/node/run.js                 every file, for each driver it names
//     node test/node/run.js seeds rebuild   files whose name contains a word
//
// A file names the npm packages it runs on in a line near its top,
//     // drivers: better-sqlite3 libsql
// (default: better-sqlite3), and runs once per driver, in a node process
// of its own with MIG_NODE_DRIVER set, so that a crash is counted as a
// failure (naming the test it was running) and the run goes on.
// MIG_NODE_DRIVERS="better-sqlite3" limits the drivers.  NODE_PATH must
// reach the packages (test/node/run.sh sets it from the cache).
//
// Prints each test's PASS/FAIL line, one summary line per file, the known
// failures (XFAIL: tests of known bugs, marked with T.known_failure), the
// names of the failed tests, and ends with "N passed, N failed"
// (", N skipped" when some were); exits 1 if anything failed.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const testdir = __dirname;
const words = process.argv.slice(2);
const allowed = (process.env.MIG_NODE_DRIVERS || '').split(/\s+/).filter(Boolean);
const limit = Number(process.env.MIG_TEST_TIMEOUT || 1200) * 1000;

let files = fs.readdirSync(testdir).filter((f) => f.endsWith('.test.js')).sort();
if (words.length) {
  files = files.filter((f) => words.some((w) => f.toLowerCase().includes(w.toLowerCase())));
}
if (!files.length) {
  console.log(`no test files match: ${words.join(' ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

let npass = 0;
let nfail = 0;
let nskip = 0;
let nxfail = 0;
const xfails = [];
const failures = [];

for (const f of files) {
  const text = fs.readFileSync(path.join(testdir, f), 'utf8');
  const m = /^\/\/ drivers:(.*)$/m.exec(text);
  let drivers = m ? m[1].trim().split(/\s+/) : ['better-sqlite3'];
  if (allowed.length) drivers = drivers.filter((d) => allowed.includes(d));
  for (const driver of drivers) {
    const label = `${f} (${driver})`;
    const r = spawnSync(process.execPath, [path.join(testdir, f)], {
      env: { ...process.env, MIG_NODE_DRIVER: driver, MIGTEST_RUNNER: '1' },
      encoding: 'utf8',
      timeout: limit,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = `${r.stdout || ''}${r.stderr || ''}`.split('\n');
    let current = null;
    let res = null;
    for (const line of lines) {
      if (line.startsWith('MIGTEST-START ')) { current = line.slice(14); continue; }
      if (line.startsWith('XFAIL ')) xfails.push(`${label}: ${line.slice(6)}`);
      if (line.startsWith('MIGTEST-RESULT ')) { res = line.split(' '); continue; }
      if (/^\d+ passed, \d+ failed/.test(line)) continue;
      if (line !== '') console.log(`  ${line}`);
    }
    let p = 0;
    let fl = 0;
    let s = 0;
    let x = 0;
    if (res) {
      p = Number(res[1]);
      fl = Number(res[2]);
      s = Number(res[3]);
      x = Number(res[4]);
      for (const name of res.slice(5)) if (name) failures.push(`${label}: ${name}`);
    }
    let how = '';
    if (r.error && r.error.code === 'ETIMEDOUT') how = `killed after ${limit / 1000} s`;
    else if (r.signal) how = `killed by ${r.signal}`;
    else if (!res) how = `exited with status ${r.status} before its end`;
    else if (r.status !== (fl ? 1 : 0)) how = `exited with status ${r.status}`;
    if (how) {
      fl++;
      failures.push(`${label}: ${how}${current ? ` (while running ${current})` : ''}`);
    }
    npass += p;
    nfail += fl;
    nskip += s;
    nxfail += x;
    console.log(`${label}: ${p} passed ${fl} failed${s ? ` ${s} skipped` : ''}`
      + `${x ? ` ${x} known failures` : ''}${how ? ` (${how})` : ''}`);
  }
}

if (xfails.length) {
  console.log(`known failures (${nxfail}, not counted as failed; see the XFAIL lines above):`);
  for (const x of xfails) console.log(`  ${x}`);
}

if (failures.length) {
  console.log('failed:');
  for (const x of failures) console.log(`  ${x}`);
}
console.log(`${npass} passed, ${nfail} failed${nskip ? `, ${nskip} skipped` : ''}`);
process.exit(nfail ? 1 : 0);
