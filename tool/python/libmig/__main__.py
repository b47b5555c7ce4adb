"""python3 -m libmig: the package's command line, for tools in other
languages (tool/mig).

    python3 -m libmig ddl package.module:attribute
        prints the SQL that metadata.create_all() runs on SQLite for the
        MetaData or declarative base `attribute` of `package.module`
        (a dotted attribute path works too: app.models:Base.metadata).
        The current directory is searched first, as for `python3 -m`.
    python3 -m libmig path
        prints libmig.loadable_path(), for the sqlite3 shell's .load.

Exit status 1 with a message on stderr when the module cannot be
imported, has no such attribute, or the attribute is not metadata; an
exception raised by the module's own code prints its traceback.
"""
import importlib
import os
import sys
import traceback

import libmig

USAGE = ("usage: python3 -m libmig ddl package.module:attribute\n"
         "       python3 -m libmig path")


class _Fail(Exception):
    pass


def _resolve(spec):
    """The object named by 'package.module:attr.attr'."""
    modname, sep, attrpath = spec.partition(":")
    if not sep or not modname or not attrpath:
        raise _Fail("expected package.module:attribute, got %r" % spec)
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        obj = importlib.import_module(modname)
    except ModuleNotFoundError as e:
        # The module itself (or its package) is missing: one line.  A
        # module it imports is missing: the module's own error, in full.
        if e.name and (modname == e.name or modname.startswith(e.name + ".")):
            raise _Fail("cannot import %s: %s" % (modname, e))
        raise
    where = modname
    for part in attrpath.split("."):
        if not hasattr(obj, part):
            raise _Fail("%s has no attribute %s" % (where, part))
        obj = getattr(obj, part)
        where += "." + part
    return obj


def main(argv):
    if len(argv) == 2 and argv[1] == "path":
        print(libmig.loadable_path())
        return 0
    if len(argv) != 3 or argv[1] != "ddl":
        print(USAGE, file=sys.stderr)
        return 2
    spec = argv[2]
    try:
        obj = _resolve(spec)
        sql = libmig.ddl(obj)
    except _Fail as e:
        print("libmig: %s" % e, file=sys.stderr)
        return 1
    except TypeError as e:
        if str(e).startswith("libmig:"):
            print("%s (in %s)" % (e, spec), file=sys.stderr)
            return 1
        raise
    except ImportError as e:
        if e.name == "sqlalchemy":
            print("libmig: %s: SQLAlchemy is not installed in %s"
                  % (spec, sys.executable), file=sys.stderr)
            return 1
        raise
    sys.stdout.write(sql)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
