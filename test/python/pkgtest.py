"""pkgtest.py: the Python side of test/pkg_python.test.

Run by the virtual environment's python, where the libmig wheel is
installed, in a scratch project directory (the working directory, which
is on sys.path):

    python pkgtest.py COMMAND [ARGS]

Each command prints lines of plain values that pkg_python.test compares
exactly; an unexpected exception ends it with a traceback and status 1.

    install               where libmig was imported from, its version
    load                  load(), the library path, loading disabled after
    noload                load() on a sqlite3 without enable_load_extension
    apsw                  load() and models() on an apsw connection
    errors                models() misuse: no libmig, not metadata
    compare MODULE ATTR   models() against create_all() on a scratch file:
                          sqlite_schema and pragmas, then a summary
    step MESSAGE          the seed workflow's step: models from
                          pets.models, autogenerate, upgrade, check
    rows                  add rows (v1 tables), print all rows
    show                  print all rows of user and pet
    downgrade TARGET      mig_downgrade(TARGET), then the rows
    isolation             mig_upgrade under Python's default
                          isolation_level, with and without a transaction
"""
import importlib
import os
import shutil
import sqlite3
import sys
import sysconfig

import libmig

DB = "app.db"


def connect(isolation_level=None):
    """app.db in autocommit mode with libmig loaded and the scripts in
    ./migrations."""
    con = sqlite3.connect(DB, isolation_level=isolation_level)
    libmig.load(con)
    con.execute("SELECT mig_config('script_location', 'migrations')")
    return con


def one(con, sql, *args):
    return con.execute(sql, args).fetchone()[0]


def loading_allowed(con):
    """Whether the SQL function load_extension() may run (SQLite refuses
    it with 'not authorized' unless loading is enabled)."""
    try:
        con.execute("SELECT load_extension('no-such-library')")
    except sqlite3.OperationalError as e:
        return "not authorized" not in str(e)
    return True


def cmd_install():
    site = sysconfig.get_paths()["platlib"]
    print("module", os.path.relpath(libmig.__file__, site))
    print("venv", sys.prefix != sys.base_prefix)
    print("version", libmig.__version__)


def cmd_load():
    path = libmig.loadable_path()
    site = sysconfig.get_paths()["platlib"]
    print("path", os.path.relpath(path, site))
    print("suffix", os.path.splitext(path)[1] == "")
    print("file", os.path.isfile(path + ".so") or
          os.path.isfile(path + ".dylib"))
    con = sqlite3.connect(":memory:")
    libmig.load(con)
    print("mig_version", one(con, "SELECT mig_version()"))
    print("loading after load", loading_allowed(con))
    # Also the path as the sqlite3 module takes it directly.
    con2 = sqlite3.connect(":memory:")
    con2.enable_load_extension(True)
    con2.load_extension(path)
    print("load_extension(path)", one(con2, "SELECT mig_version()"))
    # A failing load leaves loading disabled too.
    con3 = sqlite3.connect(":memory:")
    real = libmig.loadable_path
    libmig.loadable_path = lambda: "/nonexistent/libmig"
    try:
        libmig.load(con3)
        print("bad path: loaded")
    except sqlite3.OperationalError as e:
        print("bad path:", type(e).__name__)
    finally:
        libmig.loadable_path = real
    print("loading after failed load", loading_allowed(con3))


class NoLoadConnection(sqlite3.Connection):
    """A sqlite3 connection as a Python built without
    --enable-loadable-sqlite-extensions has it: no enable_load_extension
    nor load_extension."""

    def __getattribute__(self, name):
        if name in ("enable_load_extension", "load_extension"):
            raise AttributeError("'sqlite3.Connection' object has no "
                                 "attribute '%s'" % name)
        return super().__getattribute__(name)


NoLoadConnection.__module__ = "sqlite3"
NoLoadConnection.__qualname__ = "Connection"


def cmd_noload():
    con = sqlite3.connect(":memory:", factory=NoLoadConnection)
    print("hasattr", hasattr(con, "enable_load_extension"))
    try:
        libmig.load(con)
        print("loaded")
    except libmig.LoadError as e:
        print("LoadError", isinstance(e, RuntimeError))
        print(e)


def cmd_apsw():
    import apsw
    con = apsw.Connection(":memory:")
    libmig.load(con)
    print("mig_version", list(con.execute("SELECT mig_version()"))[0][0])
    try:
        con.execute("SELECT load_extension('no-such-library')")
        print("loading after load", True)
    except apsw.Error as e:
        print("loading after load", "not authorized" not in str(e))
    from pets.models import metadata
    print("models", libmig.models(con, metadata))
    print("tables", [r[0] for r in con.execute(
        "SELECT name FROM models.sqlite_master WHERE type = 'table' "
        "ORDER BY name")])


def cmd_errors():
    from pets.models import metadata
    con = sqlite3.connect(":memory:")
    try:
        libmig.models(con, metadata)
    except sqlite3.OperationalError as e:
        print("OperationalError", e)
    libmig.load(con)
    for bad in (None, "pets.models:metadata", sqlite3):
        try:
            libmig.models(con, bad)
        except TypeError as e:
            print("TypeError", e)
    # Replaced, not added to: models() twice.
    print("models", libmig.models(con, metadata))
    print("models again", libmig.models(con, metadata))
    print("schema", libmig.models(con, metadata, schema="wanted"))
    try:
        libmig.models(con, metadata, schema="main")
    except sqlite3.OperationalError as e:
        print("OperationalError", e)


def dump(con, schema):
    """The schema as SQLite sees it: sqlite_schema, and per table the
    pragmas table_xinfo, index_list, index_xinfo of each index and
    foreign_key_list."""
    out = {"sqlite_schema": con.execute(
        "SELECT type, name, tbl_name, sql FROM \"%s\".sqlite_master "
        "ORDER BY rowid" % schema).fetchall()}
    tables = [r[0] for r in con.execute(
        "SELECT name FROM \"%s\".sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%%' ORDER BY name" % schema)]
    for t in tables:
        out[t, "table_xinfo"] = con.execute(
            "SELECT * FROM pragma_table_xinfo(?, ?)", (t, schema)).fetchall()
        idx = con.execute("SELECT * FROM pragma_index_list(?, ?) "
                          "ORDER BY name", (t, schema)).fetchall()
        out[t, "index_list"] = idx
        for row in idx:
            out[t, row[1], "index_xinfo"] = con.execute(
                "SELECT * FROM pragma_index_xinfo(?, ?)",
                (row[1], schema)).fetchall()
        out[t, "foreign_key_list"] = con.execute(
            "SELECT * FROM pragma_foreign_key_list(?, ?)",
            (t, schema)).fetchall()
    return tables, out


def summary(con, schema, tables):
    """One line per table: columns (name type, NN for not null, pkN),
    indexes (name u/-, origin, partial: key columns) and foreign keys
    (from->table.to on_update/on_delete); "-" for none."""
    for t in tables:
        cols = ["%s %s%s%s" % (r[1], r[2], " NN" if r[3] else "",
                               " pk%d" % r[5] if r[5] else "")
                for r in con.execute(
                    "SELECT * FROM pragma_table_xinfo(?, ?)", (t, schema))]
        idx = []
        for r in con.execute("SELECT * FROM pragma_index_list(?, ?) "
                             "ORDER BY name", (t, schema)):
            keys = [c[2] if c[2] is not None else "<expr>" for c in
                    con.execute("SELECT * FROM pragma_index_xinfo(?, ?) "
                                "WHERE key", (r[1], schema))]
            idx.append("%s %s %s%s(%s)" % (r[1], "u" if r[2] else "-", r[3],
                                           " partial" if r[4] else "",
                                           ",".join(keys)))
        fks = ["%s->%s.%s %s/%s" % (r[3], r[2], r[4], r[5], r[6])
               for r in con.execute(
                   "SELECT * FROM pragma_foreign_key_list(?, ?) "
                   "ORDER BY id, seq", (t, schema))]
        print("%s: %s | %s | %s" % (t, ", ".join(cols),
                                   "; ".join(idx) or "-",
                                   ", ".join(fks) or "-"))


def cmd_compare(modname, attr):
    from sqlalchemy import create_engine
    obj = getattr(importlib.import_module(modname), attr)
    md = getattr(obj, "metadata", obj)
    ref = os.path.abspath("%s-create_all.db" % modname)
    if os.path.exists(ref):
        os.remove(ref)
    engine = create_engine("sqlite:///" + ref)
    md.create_all(engine)
    engine.dispose()

    con = sqlite3.connect(":memory:", isolation_level=None)
    libmig.load(con)
    print("objects", libmig.models(con, obj))
    con.execute("ATTACH ? AS ref", (ref,))
    mtables, mine = dump(con, "models")
    rtables, theirs = dump(con, "ref")
    print("sqlite_schema equal", mine["sqlite_schema"] ==
          theirs["sqlite_schema"])
    print("pragmas equal", mine == theirs)
    print("pragma rows", sum(len(v) for v in mine.values()))
    if mine != theirs:
        for k in sorted(set(mine) | set(theirs), key=str):
            if mine.get(k) != theirs.get(k):
                print("differs", k, mine.get(k), theirs.get(k))
    print("types", " ".join(r[0] for r in mine["sqlite_schema"]))
    summary(con, "models", mtables)


def tables(con):
    return [r[0] for r in con.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def cmd_step(message):
    # The models as the user has them now: import pets.models afresh.
    from pets.models import metadata
    con = connect()
    before = one(con, "SELECT mig_current()")
    print("objects", libmig.models(con, metadata))
    rev = one(con, "SELECT mig_autogenerate('models', ?)", message)
    print("revision", rev is not None and len(rev) == 12)
    print("parent is current", rev is not None and one(
        con, "SELECT down_revision IS ? FROM migrations WHERE revision = ?",
        before, rev) == 1)
    now = one(con, "SELECT mig_upgrade('head')")
    print("upgraded to it", now == rev)
    print("diff", repr(one(con, "SELECT mig_diff('models')")))
    print("check", one(con, "SELECT mig_check('models')"))
    print("again", one(con, "SELECT mig_autogenerate('models', 'again')"))
    print("tables", " ".join(tables(con)))
    print("applied", one(con, "SELECT count(*) FROM migrations "
                              "WHERE is_applied"))
    summary(con, "main", [t for t in tables(con) if t != "_libmig_applied"])
    con.close()


def cmd_rows():
    con = connect()
    con.execute("INSERT INTO user (id, name) VALUES (1, 'ann'), (2, 'bob')")
    con.execute("INSERT INTO pet (id, name) VALUES (1, 'rex'), (2, 'tom')")
    print_rows(con)


def cmd_show():
    print_rows(connect())


def print_rows(con):
    for t in ("user", "pet"):
        print(t, con.execute('SELECT * FROM "%s" ORDER BY id' % t).fetchall())


def cmd_downgrade(target):
    con = connect()
    print("now", one(con, "SELECT mig_downgrade(?)", target) ==
          one(con, "SELECT revision FROM migrations WHERE is_current"))
    print("applied", one(con, "SELECT count(*) FROM migrations "
                              "WHERE is_applied"))
    print("tables", " ".join(tables(con)))
    print_rows(con)
    summary(con, "main", ["pet", "user"])


def cmd_isolation():
    """mig_upgrade under Python's default isolation_level ('' before
    3.12's autocommit attribute): the module opens a transaction before
    an INSERT, UPDATE or DELETE and keeps it until commit(); a SELECT
    does not open one."""
    from pets.models import metadata
    for case in ("select only", "after insert", "after insert, commit"):
        for f in os.listdir("."):
            if f.startswith(DB):
                os.remove(f)
        shutil.rmtree("migrations", ignore_errors=True)
        con = connect(isolation_level="")
        # A TEMP table: an INSERT to open the transaction, and nothing
        # in main for the revision to drop.
        con.execute("CREATE TEMP TABLE note(x)")
        libmig.models(con, metadata)
        one(con, "SELECT mig_autogenerate('models', 'initial')")
        if case != "select only":
            con.execute("INSERT INTO note VALUES (1)")
        before = con.in_transaction
        one(con, "SELECT mig_upgrade('head')")
        after = con.in_transaction
        if case.endswith("commit"):
            con.commit()
        con.close()
        con = sqlite3.connect(DB)
        print("%s: in transaction %s/%s, tables after close: %s"
              % (case, before, after, " ".join(tables(con)) or "-"))
        con.close()


def main(argv):
    sys.path.insert(0, os.getcwd())
    cmd, args = argv[1], argv[2:]
    globals()["cmd_" + cmd](*args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
