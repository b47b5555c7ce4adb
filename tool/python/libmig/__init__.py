"""libmig: Alembic-style autogenerate and batch migrations inside SQLite.

The package bundles the compiled SQLite extension and three functions:

    loadable_path()           the bundled library's path, without suffix
    load(conn)                load it into a sqlite3 (or pysqlite3, apsw)
                              connection
    models(conn, metadata, schema='models')
                              make the models schema from SQLAlchemy or
                              SQLModel metadata, through mig_models()

and ddl(metadata), the SQL that models() hands to mig_models(): exactly
the statements SQLAlchemy's metadata.create_all() runs on SQLite.

    import sqlite3, libmig
    con = sqlite3.connect('app.db', isolation_level=None)
    libmig.load(con)
    libmig.models(con, SQLModel.metadata)
    con.execute("SELECT mig_autogenerate('models', 'initial')")

Everything else is SQL: see the README of libmig.
"""
import os

__version__ = "0.1.0"
__all__ = ["loadable_path", "load", "models", "ddl", "LoadError"]

_HERE = os.path.dirname(os.path.abspath(__file__))


class LoadError(RuntimeError):
    """The connection's SQLite module cannot load extensions."""


def loadable_path():
    """The path of the bundled library, without its suffix (.so, .dylib,
    .dll), as sqlite3.Connection.load_extension and the sqlite3 shell's
    .load take it: SQLite adds the platform's suffix and derives the entry
    point sqlite3_mig_init from the name."""
    return os.path.normpath(os.path.join(_HERE, "libmig"))


def load(conn):
    """Load libmig into conn: enable extension loading, load, disable it
    again (also when loading fails).

    conn is a sqlite3.Connection (or pysqlite3's), or an apsw.Connection.
    A Python whose sqlite3 module was built without extension loading
    (pyenv and python.org builds often are) raises LoadError naming the
    ways out.
    """
    path = loadable_path()
    if hasattr(conn, "enable_load_extension"):
        conn.enable_load_extension(True)
        try:
            conn.load_extension(path)
        finally:
            conn.enable_load_extension(False)
    elif hasattr(conn, "enableloadextension"):
        conn.enableloadextension(True)
        try:
            conn.loadextension(path, "sqlite3_mig_init")
        finally:
            conn.enableloadextension(False)
    else:
        kind = type(conn)
        raise LoadError(
            "libmig.load: %s.%s has no enable_load_extension(): this "
            "Python's sqlite3 module was built without extension loading "
            "(pyenv and python.org builds often are).  Use a Python whose "
            "sqlite3 can load extensions (Debian or Ubuntu's "
            "/usr/bin/python3; pyenv with PYTHON_CONFIGURE_OPTS="
            "--enable-loadable-sqlite-extensions), or connect with the "
            "pysqlite3 or apsw package instead of sqlite3."
            % (kind.__module__, kind.__qualname__))


def _metadata_of(obj):
    """The MetaData of obj: a MetaData itself, or anything that carries
    one as .metadata (a declarative base, SQLModel, a registry)."""
    from sqlalchemy import MetaData
    if isinstance(obj, MetaData):
        return obj
    md = getattr(obj, "metadata", None)
    if isinstance(md, MetaData):
        return md
    raise TypeError(
        "libmig: expected an SQLAlchemy MetaData or a declarative base "
        "(something with a .metadata), got %s.%s"
        % (type(obj).__module__, type(obj).__qualname__))


def ddl(metadata):
    """The SQL text that metadata.create_all() runs on SQLite, as one
    script of statements ending in ';'.

    metadata is a MetaData, or a declarative base / SQLModel (its
    .metadata).  The statements are what create_all() itself emits,
    captured from a mock engine of SQLAlchemy's SQLite dialect: tables in
    create_all's dependency order, their indexes, naming conventions,
    constraints, and any DDL attached to the metadata's or tables'
    before_create/after_create events.  Works with SQLAlchemy 1.4 and 2.x
    (create_mock_engine and compile(dialect=) are common to both).
    """
    from sqlalchemy import create_mock_engine

    md = _metadata_of(metadata)
    statements = []

    def executor(element, *multiparams, **params):
        sql = str(element.compile(dialect=engine.dialect)).strip()
        while sql.endswith(";"):
            sql = sql[:-1].rstrip()
        if sql:
            statements.append(sql + ";\n")

    engine = create_mock_engine("sqlite://", executor)
    md.create_all(engine, checkfirst=False)
    return "".join(statements)


def models(conn, metadata, schema="models"):
    """Make the schema `schema` of conn from SQLAlchemy/SQLModel metadata:
    SELECT mig_models(schema, ddl(metadata)).  Returns what mig_models
    returns, the number of objects created.  libmig must be loaded into
    conn (load(conn)); the schema is replaced if it exists."""
    sql = ddl(metadata)
    try:
        cur = conn.execute("SELECT mig_models(?, ?)", (schema, sql))
    except Exception as e:
        if "no such function: mig_models" in str(e):
            raise type(e)("%s (load libmig first: libmig.load(conn))"
                          % e) from e
        raise
    for row in cur:
        return row[0]
