#!/usr/bin/python3
"""smoke.py: libmig from Python's own sqlite3 module.

    /usr/bin/python3 tool/smoke.py LIBRARY WORKDIR

Loads the extension (the Python must allow it: Debian's /usr/bin/python3
does; a pyenv or python.org build often lacks enable_load_extension),
builds the pets models of sql/pets/, autogenerates and applies two
revisions in WORKDIR (created if missing, left for inspection), checks
that the rows survive the rebuild, that mig_check says 'ok', and that a
downgrade works.  Prints one line per step and "smoke: ok" at the end;
exits 1 with the reason on the first failure.
"""
import os
import sqlite3
import sys


def main(argv):
    if len(argv) != 3:
        print("usage: smoke.py LIBRARY WORKDIR", file=sys.stderr)
        return 1
    lib, work = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, "app.db")
    for suffix in ("", "-journal", "-wal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)

    def models(version):
        with open(os.path.join(repo, "sql", "pets", version)) as f:
            return f.read()

    # isolation_level=None: autocommit, so that each mig_upgrade() is a
    # transaction of its own, as in the sqlite3 shell.
    con = sqlite3.connect(db, isolation_level=None)
    if not hasattr(con, "enable_load_extension"):
        print("smoke: this Python cannot load SQLite extensions",
              file=sys.stderr)
        return 1
    con.enable_load_extension(True)
    # The SQL function names the entry point, so that any file name works
    # (libmig-asan.so); con.load_extension(lib) would guess it from it.
    con.execute("SELECT load_extension(?, 'sqlite3_mig_init')", (lib,))
    con.enable_load_extension(False)

    def one(sql, *args):
        return con.execute(sql, args).fetchone()[0]

    one("SELECT mig_config('script_location', ?)",
        os.path.join(work, "migrations"))
    print("loaded libmig", one("SELECT mig_version()"))
    print("sqlite", one("SELECT sqlite_version()"))

    one("SELECT mig_models('models', ?)", models("v1.sql"))
    r1 = one("SELECT mig_autogenerate('models', 'initial')")
    print("autogenerate v1:", r1 is not None)
    assert one("SELECT mig_upgrade('head')") == r1
    con.execute("INSERT INTO user VALUES (1, 'ann')")
    con.execute("INSERT INTO pet VALUES (1, 'rex'), (2, 'tom')")

    one("SELECT mig_models('models', ?)", models("v2.sql"))
    r2 = one("SELECT mig_autogenerate('models', 'pet owner')")
    print("autogenerate v2:", r2 is not None)
    assert one("SELECT mig_upgrade('head')") == r2
    rows = con.execute("SELECT id, name, owner_id FROM pet").fetchall()
    assert rows == [(1, "rex", None), (2, "tom", None)], rows
    print("rows after the rebuild:", rows)
    assert one("SELECT mig_check('models')") == "ok"
    print("mig_check: ok")
    applied = con.execute(
        "SELECT count(*) FROM migrations WHERE is_applied").fetchone()[0]
    assert applied == 2, applied
    assert one("SELECT mig_downgrade('-1')") == r1
    assert one("SELECT count(*) FROM pet") == 2
    print("downgrade -1: ok")
    con.close()
    print("smoke: ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (AssertionError, sqlite3.Error) as e:
        print("smoke: FAILED:", repr(e), file=sys.stderr)
        sys.exit(1)
