"""bench_alembic.py: the Alembic column of `make bench` (tool/bench.tcl).

    python3 bench_alembic.py rebuild WORK.db
        batch_alter_table on table t of WORK.db, the same change as the
        libmig revision (score INTEGER -> REAL); prints the microseconds
        it took and this process's peak RSS in kB.
    python3 bench_alembic.py diff MAIN.db MODELS.db RUNS
        reflect MODELS.db and compare_metadata() it against MAIN.db, the
        job of mig_diff; prints the median microseconds of RUNS runs.

Timings cover the operation only, not the imports.
"""
import resource
import statistics
import sys
import time

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations


def rebuild(work):
    engine = sa.create_engine("sqlite:///" + work)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(conn))
        with op.batch_alter_table("t") as batch:
            batch.alter_column("score", type_=sa.REAL(),
                               existing_type=sa.INTEGER())
    us = (time.perf_counter() - t0) * 1e6
    engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("%d %d" % (us, rss))


def diff(main, models, runs):
    times = []
    for _ in range(runs):
        models_engine = sa.create_engine("sqlite:///" + models)
        main_engine = sa.create_engine("sqlite:///" + main)
        t0 = time.perf_counter()
        md = sa.MetaData()
        md.reflect(bind=models_engine)
        with main_engine.connect() as conn:
            changes = compare_metadata(MigrationContext.configure(conn), md)
        times.append((time.perf_counter() - t0) * 1e6)
        if not changes:
            sys.exit("bench_alembic: compare_metadata found no change")
        models_engine.dispose()
        main_engine.dispose()
    print("%d" % statistics.median(times))


if __name__ == "__main__":
    if sys.argv[1] == "rebuild":
        rebuild(sys.argv[2])
    elif sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("usage: bench_alembic.py rebuild WORK.db | diff MAIN MODELS RUNS")
