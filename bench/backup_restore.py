"""`make -C bench backup-restore`: how long `flask backup` and `flask restore` take on the bench database of
N clients (default 1,000,000), and how large the backup is. Run from the repository root:

    .venv/bin/python bench/backup_restore.py 1000000

The database caseapp_bench_<N> is made as `make bench` makes it (BENCH_REUSE=1 keeps an existing one);
the restore goes into a new database caseapp_bench_<N>_restored, dropped at the end. Writes
bench/results/<date>-backup-restore.md."""

import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # (the bench's database helpers, beside this file)


def timed(args, url):
    started = time.monotonic()
    done = run.flask(args, url, capture=True)
    return time.monotonic() - started, done.stdout.strip().splitlines()[-1]


def recreate(name):
    admin = sa.create_engine(f"{run.PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop(name):
    admin = sa.create_engine(f"{run.PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_size(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        size = conn.scalar(sa.text("SELECT pg_database_size(current_database())"))
        clients = conn.scalar(sa.text("SELECT count(*) FROM clients"))
    engine.dispose()
    return size, clients


def machine():
    import platform

    with sa.create_engine(f"{run.PG}/postgres").connect() as conn:
        version = conn.scalar(sa.text("SHOW server_version"))
    return f"{platform.node()}: {os.cpu_count()} CPUs, PostgreSQL {version} on the same machine"


def main(argv):
    n = int(argv[0]) if argv else 1_000_000
    generation = run.prepare_database(n)
    source = run.database_url(n)
    size, clients = database_size(source)
    restored_name = f"caseapp_bench_{n}_restored"
    recreate(restored_name)
    restored = f"{run.PG}/{restored_name}"
    with tempfile.TemporaryDirectory(dir=run.BENCH, prefix=".backup-") as folder:
        archive = Path(folder) / "bench.tar"
        run.log(f"backup of {clients:,} clients ({size / 2**30:.2f} GiB) …")
        backup_seconds, _said = timed(["backup", str(archive)], source)
        archive_bytes = archive.stat().st_size
        run.log(f"restore into {restored_name} …")
        restore_seconds, said = timed(["restore", str(archive)], restored)
    drop(restored_name)
    lines = [
        f"# Backup and restore at {clients:,} clients — {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine()}.",
        f"Database `caseapp_bench_{n}` (`flask demo-data --seed {run.SEED}`"
        + (f", generated in {generation:.0f} s" if generation else ", reused")
        + f"): {size / 2**30:.2f} GiB.",
        "",
        "| step | time | size |",
        "|---|---:|---:|",
        f"| `flask backup` (pg_dump custom format + per-table counts and checksums, one snapshot) "
        f"| {backup_seconds:.0f} s | {archive_bytes / 2**20:,.0f} MiB |",
        f"| `flask restore` into an empty database (pg_restore, then every table counted and checksummed again) "
        f"| {restore_seconds:.0f} s | |",
        "",
        f"The restore said: {said}",
        "",
    ]
    out = run.BENCH / "results" / f"{datetime.now():%Y-%m-%d}-backup-restore.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    run.log(f"written {out.relative_to(run.ROOT)}")


if __name__ == "__main__":
    os.chdir(run.ROOT)
    main(sys.argv[1:])
