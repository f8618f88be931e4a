"""`make -C bench register`: the beneficiary register at national scale — the preview and the commit
of an imported register file, its re-import, and the count of people under management of a province.
Run from the repository root:

    .venv/bin/python bench/register_import.py 1000000 [PREVIEW_ROWS COMMIT_ROWS]

On a copy of the bench database of N clients (caseapp_bench_<N>_register, made from
caseapp_bench_<N> by CREATE DATABASE … TEMPLATE and migrated to the current code; dropped at the end
unless BENCH_KEEP=1). In this process, as the supervisor of the province's social protection centre:
a generated .xlsx register of PREVIEW_ROWS rows (default 10,000) read and previewed; one of
COMMIT_ROWS rows (default 100,000) previewed, committed as the scheduler does (500 rows a
transaction), and imported again (every row unchanged, nothing written); the people under management
of the province at the end of 2025 counted five times before the imports and five times after them.
The commit runs in a process of its own, as the scheduler's worker; peak memory (ru_maxrss) is given
for it and for the previewing process.
Writes bench/results/<date>-register.md; with --json, prints the figures as one JSON line instead
(`make bench` puts them in its table: bench/run.py)."""

import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the app, from the repository root
import run  # (the bench's database helpers, beside this file)

GROUPS = ("Người cao tuổi", "Người khuyết tật nặng", "Trẻ em mồ côi", "Người đơn thân nuôi con", "Người khuyết tật")
TYPES = ("Vận động", "Nghe, nói", "Nhìn", "Thần kinh, tâm thần", "Trí tuệ", "Khác")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc")
GIVEN = ("An", "Bình", "Cúc", "Dũng", "Hoa", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quỳnh", "Sơn", "Tâm", "Yến")


def register_file(rows, communes, seed):
    """A register as a centre keeps it: a title, the headers, one row per beneficiary."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH ĐỐI TƯỢNG BẢO TRỢ XÃ HỘI HƯỞNG TRỢ CẤP HẰNG THÁNG"])
    sheet.append([])
    sheet.append(["TT", "Họ và tên", "Năm sinh", "Giới tính", "Dân tộc", "Số CCCD", "Xã/phường", "Đối tượng",
                  "Số Quyết định", "Ngày hưởng", "Hệ số", "Dạng tật", "Mức độ khuyết tật"])  # fmt: skip
    for i in range(rows):
        group = rng.choice(GROUPS)
        disabled = "khuyết tật" in group
        sheet.append([
            i + 1,
            f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            rng.randint(1930, 2015),
            rng.choice(("Nam", "Nữ")),
            "Kinh",
            f"099{seed:03d}{i:06d}",
            rng.choice(communes),
            group,
            f"{rng.randint(1, 999)}/QĐ-UBND",
            date(2024, rng.randint(1, 12), 1),
            rng.choice((1, 1.5, 2, 2.5)),
            rng.choice(TYPES) if disabled else None,
            ("Nặng" if group == "Người khuyết tật nặng" else rng.choice(("Nặng", "Nhẹ"))) if disabled else None,
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def copy_database(n):
    source, name = f"caseapp_bench_{n}", f"caseapp_bench_{n}_register"
    admin = sa.create_engine(f"{run.PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    admin.dispose()
    url = f"{run.PG}/{name}"
    run.flask(["db", "upgrade"], url, capture=True)
    return name, url


def drop(name):
    admin = sa.create_engine(f"{run.PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def measure(url, preview_rows, commit_rows):
    os.environ.update(DATABASE_URL=url, FLASK_ENV="development", CASEAPP_INSTANCE_DIR=str(run.BENCH / ".instance"))
    from caseapp import create_app
    from caseapp.auth.models import User
    from caseapp.extensions import db
    from caseapp.org.models import Commune, Facility
    from caseapp.register.imports import services
    from caseapp.reports import queries
    from caseapp.reports.periods import Period

    app = create_app()
    results = {}
    with app.test_request_context("/"):
        app.preprocess_request()
        facility = db.session.scalar(
            sa.select(Facility).where(Facility.type == "social_protection_center").order_by(Facility.id).limit(1)
        )
        user = db.session.scalar(sa.select(User).where(User.facility_id == facility.id, User.role == "supervisor"))
        communes = db.session.scalars(
            sa.select(Commune.name).where(Commune.province_code == facility.province_code)
        ).all()

        def preview(data, name):
            started = time.monotonic()
            batch = services.stage(io.BytesIO(data), name, user=user)
            db.session.commit()
            return batch, time.monotonic() - started

        scope = queries.Scope("province", province_code=facility.province_code)
        year = Period("year", date(2025, 1, 1), date(2025, 12, 31))

        def managed():
            """The province's count at the end of 2025: the median of five, and how many people."""
            times = []
            for _ in range(5):
                started = time.monotonic()
                total = queries.managed_numbers(scope, year)["total"]
                times.append(time.monotonic() - started)
                db.session.rollback()
            return statistics.median(times), total

        results["managed_before"], results["managed_before_people"] = managed()  # the generated province
        small = register_file(preview_rows, communes, seed=1)
        batch, results["preview_small"] = preview(small, "nho.xlsx")
        results["preview_small_counts"] = dict(batch.counts)
        large = register_file(commit_rows, communes, seed=2)
        batch, results["preview_large"] = preview(large, "lon.xlsx")
        for row in db.session.scalars(
            sa.select(services.ImportRow).where(
                services.ImportRow.batch_id == batch.id, services.ImportRow.outcome.in_(["review", "choose"])
            )
        ):
            row.choice = "new" if row.outcome == "review" else str(row.options[0][0])  # fmt: skip
        batch.committed_by_id, batch.status = user.id, "queued"
        db.session.commit()
        started = time.monotonic()
        # As the scheduler's worker would: a process of its own, whose peak memory is the commit's.
        subprocess.run([sys.executable, __file__, "--commit-worker"], check=True, env=os.environ)
        results["commit_large"] = time.monotonic() - started
        results["worker_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        again, results["reimport_large"] = preview(large, "lon.xlsx")
        results["reimport_counts"] = dict(again.counts)
        results["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results["managed_province"], results["managed_people"] = managed()  # with the register imported
    return results


def commit_worker():
    """The queued batches written, as the scheduler's tick writes them (register.imports.jobs)."""
    from caseapp import create_app
    from caseapp.register.imports import jobs

    with create_app().app_context():
        jobs.run_import_jobs(datetime.now().astimezone())


def steps(n, preview_rows=10_000, commit_rows=100_000):
    """The measured steps on a copy of the bench database of n clients, dropped afterwards unless
    BENCH_KEEP=1. Also the rows of `make bench` (bench/run.py, through `--json`)."""
    name, url = copy_database(n)
    try:
        return measure(url, preview_rows, commit_rows)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            drop(name)


def main(argv):
    if "--commit-worker" in argv:
        return commit_worker()
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    preview_rows = int(argv[2]) if len(argv) > 2 else 10_000
    commit_rows = int(argv[3]) if len(argv) > 3 else 100_000
    r = steps(n, preview_rows, commit_rows)
    if as_json:
        print(json.dumps({**r, "preview_rows": preview_rows, "commit_rows": commit_rows}))
        return
    lines = [
        f"# The beneficiary register at {n:,} clients — {datetime.now():%Y-%m-%d %H:%M}",
        "",
        "| step | seconds | notes |",
        "|---|---:|---|",
        f"| preview of {preview_rows:,} rows (read, parse, decide) | {r['preview_small']:.1f} | {r['preview_small_counts']} |",
        f"| preview of {commit_rows:,} rows | {r['preview_large']:.1f} | |",
        f"| commit of {commit_rows:,} rows (scheduler, 500 a transaction) | {r['commit_large']:.1f} | |",
        f"| import of the same {commit_rows:,} rows again | {r['reimport_large']:.1f} | {r['reimport_counts']} |",
        f"| people under management of the province at 31/12/2025, as generated (median of 5) | "
        f"{r['managed_before']:.2f} | {r['managed_before_people']:,} people |",
        f"| the same count after the import of the {commit_rows:,} rows | {r['managed_province']:.2f} | "
        f"{r['managed_people']:,} people |",
        "",
        f"Peak memory of the committing worker (a process of its own): {r['worker_mb']:.0f} MB; of the "
        f"process that read and previewed the files: {r['peak_mb']:.0f} MB.",
    ]
    out = run.BENCH / "results" / f"{datetime.now():%Y-%m-%d}-register.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv)
