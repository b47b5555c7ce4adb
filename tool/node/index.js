// libmig for Node: finds the compiled extension that this package bundles
// and loads it into a better-sqlite3 connection (or any connection object
// with the same loadExtension(path) method, such as libsql's).
//
// The library sits at lib/<platform>-<arch>/libmig.so (.dylib on macOS),
// where `make npm` put the build of the machine that packed it.
'use strict';

const fs = require('fs');
const path = require('path');

const EXT = process.platform === 'darwin' ? 'dylib' : 'so';

// The absolute path of the bundled libmig for this platform, for
// db.loadExtension() or the sqlite3 shell's .load.
function getLoadablePath() {
  const target = `${process.platform}-${process.arch}`;
  const file = path.join(__dirname, 'lib', target, `libmig.${EXT}`);
  if (!fs.existsSync(file)) {
    let have = [];
    try {
      have = fs.readdirSync(path.join(__dirname, 'lib'));
    } catch (e) {
      // no lib directory at all
    }
    throw new Error(`libmig: this package has no build for ${target} `
      + `(it has: ${have.join(', ') || 'none'}); build libmig from source `
      + '(make, then make npm) on this platform');
  }
  return file;
}

// Loads libmig into DB, an open better-sqlite3 Database; returns DB.
function load(db) {
  if (!db || typeof db.loadExtension !== 'function') {
    throw new TypeError('libmig.load(db): db must be an open database '
      + 'connection with a loadExtension() method (better-sqlite3, libsql)');
  }
  db.loadExtension(getLoadablePath());
  return db;
}

module.exports = { load, getLoadablePath };
