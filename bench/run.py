"""`make bench`: caseapp on PostgreSQL at N clients, measured. Run from the repository root:

    .venv/bin/python bench/run.py 10000 [1000000 …]

For each size: a database caseapp_bench_<N> on 127.0.0.1 (re-created; BENCH_REUSE=1 keeps one that is
already filled), migrations, administrative units, `flask demo-data --clients N --seed BENCH_SEED`,
then gunicorn on 127.0.0.1:BENCH_PORT and one headless locust run per scenario (BENCH_USERS users,
BENCH_DURATION each). Prints the table and writes it to bench/results/<date>.md."""

import json
import math
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
USERS = int(os.environ.get("BENCH_USERS", "20"))
DURATION = int(os.environ.get("BENCH_DURATION", "30"))  # seconds measured per scenario
WARMUP = int(os.environ.get("BENCH_WARMUP", "20"))  # sign-ins, then the scenario unmeasured (warm workers)
SEED = int(os.environ.get("BENCH_SEED", "1"))
# 2 × cores + 1 processes of one thread each (gunicorn's advice): on two cores, threads of one process
# contend for the GIL — a trial at 1 M clients gave case page p95 376 ms with 4 × 4, 150 ms with 5 × 1.
WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
THREADS = os.environ.get("BENCH_GUNICORN_THREADS", "1")
PDF_GOALS = int(os.environ.get("BENCH_PDF_GOALS", "13"))  # goals + activities added to the PDF's plan
# BENCH_SCENARIOS="dashboard tasks": only these (and the floor), e.g. to measure a fix again;
# BENCH_RESULTS: the results file's name in bench/results/ (default: the date).
ONLY = set(os.environ.get("BENCH_SCENARIOS", "").split())


def selected(name):
    return not ONLY or name == "floor" or name in ONLY


REPORT_YEAR = 2025  # the last full year of the generated data (it ends on 01/12/2026)
REMINDERS = 100_000
OPEN = ("intake", "assessment", "planning", "implementation", "review")

# (name, what it measures) in the table's order. A scenario whose feature is not in the app yet
# prints "not built yet" in its row.
SCENARIOS = (
    ("floor", "GET /status: one indexed query (the last reminder sweep) and a small template — the floor"),
    ("case_list_mine_first", "GET /cases/mine as a social worker with many cases"),
    ("case_list_mine_deep", "GET /cases/mine?after=… 90 % down the worker's list (keyset cursor)"),
    ("case_list_facility_first", "GET /cases/facility as the supervisor of a busy facility"),
    ("case_list_facility_deep", "GET /cases/facility?after=… 90 % down the facility's list"),
    ("search_common_toned", "GET /clients/?q= the facility's most frequent full name, with tones"),
    ("search_common_plain", "the same name without tones (folded search)"),
    ("search_rare_toned", "GET /clients/?q= a name borne by one client, with tones"),
    ("search_rare_plain", "the same rare name without tones"),
    ("case_page", "GET /cases/<id>: a random case of the supervisor's facility"),
    ("tasks", "GET /cases/tasks as a social worker (the deadline engine's due items)"),
    ("dashboard", "GET / as a supervisor (home page)"),
    ("save_note", "POST /cases/<id>/notes on one of the worker's open cases (302 expected)"),
    ("emergency_admission", "POST /shelter/admit: night admission at a shelter (302 expected)"),
    ("report_province_year", "statistics report for a province-year"),
    ("reminder_sweep", "`flask reminders tick` with 100,000 due reminders"),
    ("case_pdf", "GET /cases/<id>/documents/plan.pdf: a lengthened plan (about 10 pages, BENCH_PDF_GOALS)"),
    ("register_preview", "register import: preview of a 10,000-row .xlsx file (read, decide each row, duplicates)"),
    ("register_commit", "register import: commit of a 100,000-row file by the scheduler (500 rows a transaction)"),
    ("register_reimport", "register import: the same 100,000 rows again (every row unchanged, nothing written)"),
    ("register_managed", "people under management of a province at 31/12/2025 (median of 5), as generated"),
    ("register_managed_imported", "the same count after the 100,000 rows were imported into that province"),
)
# Measured in one process by bench/register_import.py, on a copy of the database (see README).
REGISTER = {
    "register_preview": ("preview_small", "preview_rows"),
    "register_commit": ("commit_large", "commit_rows"),
    "register_reimport": ("reimport_large", "commit_rows"),
    "register_managed": ("managed_before", None),
    "register_managed_imported": ("managed_province", None),
}


def log(message):
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(n):
    return f"{PG}/caseapp_bench_{n}"


def flask(args, url, env_name="development", capture=False):
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": url,
        "FLASK_ENV": env_name,
        "CASEAPP_INSTANCE_DIR": str(BENCH / ".instance"),
    }
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.run(
        [str(VENV_BIN / "flask"), *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )


def prepare_database(n):
    """Create (or reuse) caseapp_bench_<n>, migrate, load units, generate. Returns generation seconds."""
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    name = f"caseapp_bench_{n}"
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists and os.environ.get("BENCH_REUSE") == "1":
                log(f"reusing {name} (BENCH_REUSE=1)")
                return None
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        sys.exit(f"bench: PostgreSQL at {PG} is not reachable: {error}")
    finally:
        admin.dispose()
    url = database_url(n)
    flask(["db", "upgrade"], url, capture=True)
    flask(["load-units"], url)
    log(f"generating {n:,} clients (seed {SEED}) …")
    started = time.monotonic()
    flask(["demo-data", "--clients", str(n), "--seed", str(SEED)], url)
    return time.monotonic() - started


def make_plan(n):
    """Accounts and URLs for the scenarios, read from the generated data."""
    engine = sa.create_engine(database_url(n))
    open_list = ", ".join(f"'{s}'" for s in OPEN)
    with engine.begin() as conn:

        def q(sql, **p):
            return conn.execute(sa.text(sql), p).all()

        facilities = q(
            "SELECT c.facility_id, count(*) FROM cases c JOIN facilities f ON f.id = c.facility_id "
            "WHERE f.type <> 'shelter' GROUP BY c.facility_id ORDER BY 2 DESC, 1 LIMIT :k",
            k=USERS,
        )
        supervisors = []
        for facility_id, count in facilities:
            username = conn.scalar(
                sa.text(
                    "SELECT username FROM users WHERE facility_id = :f AND role = 'supervisor' ORDER BY id LIMIT 1"
                ),
                {"f": facility_id},
            )
            deep = conn.scalar(
                sa.text("SELECT id FROM cases WHERE facility_id = :f ORDER BY id DESC OFFSET :o LIMIT 1"),
                {"f": facility_id, "o": int(count * 0.9)},
            )
            cases = [
                r[0]
                for r in q(
                    "SELECT id FROM cases WHERE facility_id = :f ORDER BY id DESC LIMIT 200 OFFSET :o",
                    f=facility_id,
                    o=count // 3,
                )
            ]
            common = q(
                "SELECT full_name FROM clients WHERE facility_id = :f GROUP BY full_name "
                "ORDER BY count(*) DESC, full_name LIMIT 1",
                f=facility_id,
            )[0][0]
            rare = q(
                "SELECT full_name FROM clients WHERE facility_id = :f GROUP BY full_name HAVING count(*) = 1 "
                "ORDER BY (full_name LIKE '% Khuê' OR full_name LIKE '% Ửng' OR full_name LIKE '% Khải') DESC, "
                "full_name LIMIT 1",
                f=facility_id,
            )
            rare = rare[0][0] if rare else common
            supervisors.append(
                {
                    "username": username,
                    "facility_deep": deep,
                    "case_id": cases,
                    "common_toned": quote(common),
                    "common_plain": quote(fold(common)),
                    "rare_toned": quote(rare),
                    "rare_plain": quote(fold(rare)),
                    "names": f"{common} / {rare}",
                }
            )
        workers = []
        for worker_id, username, total in q(
            "SELECT c.assigned_worker_id, u.username, count(*) FROM cases c JOIN users u ON u.id = c.assigned_worker_id "
            "WHERE u.role = 'social_worker' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT :k",
            k=USERS,
        ):
            deep = conn.scalar(
                sa.text("SELECT id FROM cases WHERE assigned_worker_id = :w ORDER BY id DESC OFFSET :o LIMIT 1"),
                {"w": worker_id, "o": int(total * 0.9)},
            )
            open_cases = [
                r[0]
                for r in q(
                    f"SELECT id FROM cases WHERE assigned_worker_id = :w AND status IN ({open_list}) "
                    "ORDER BY id DESC LIMIT 50",
                    w=worker_id,
                )
            ]
            workers.append({"username": username, "mine_deep": deep, "case_id": open_cases, "cases": total})
        # Province-year statistics: the reporters of the provinces with the most cases.
        reporters = [
            {"username": r[0]}
            for r in q(
                "SELECT u.username FROM users u JOIN facilities f ON f.id = u.facility_id WHERE u.role = 'reporter' "
                "ORDER BY (SELECT count(*) FROM cases c JOIN facilities cf ON cf.id = c.facility_id "
                "WHERE cf.province_code = f.province_code) DESC, u.id LIMIT :k",
                k=USERS,
            )
        ]
        # The case PDF: per supervisor, a case of the facility whose approved plan the bench makes long
        # (PDF_GOALS goals and as many activities) so that its PDF has about ten pages.
        for supervisor, (facility_id, _count) in zip(supervisors, facilities, strict=True):
            plan = q(
                "SELECT p.id, p.case_id FROM care_plans p JOIN cases c ON c.id = p.case_id "
                "WHERE p.facility_id = :f AND p.status = 'approved' AND c.status <> 'closed' "
                "ORDER BY p.id DESC LIMIT 1",
                f=facility_id,
            )
            if not plan:
                continue
            plan_id, supervisor["pdf_case"] = plan[0]
            conn.execute(
                sa.text(
                    "INSERT INTO plan_goals (plan_id, position, need_domain, description, target_on, achieved) "
                    "SELECT :p, 100 + g, 'safety', 'Mục tiêu ' || g || ': ' || repeat('bảo đảm an toàn, ổn định cuộc sống, ', 6), "
                    "DATE '2027-03-01', false FROM generate_series(1, :n) g "
                    "WHERE NOT EXISTS (SELECT 1 FROM plan_goals WHERE plan_id = :p AND position > 100)"
                ),
                {"p": plan_id, "n": PDF_GOALS},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO plan_activities (plan_id, goal_id, position, service_type, description, start_on, due_on, "
                    "status) SELECT :p, NULL, 100 + g, 'counselling', 'Hoạt động ' || g || ': ' || "
                    "repeat('tư vấn, tham vấn tâm lý định kỳ cho đối tượng và gia đình, ', 4), DATE '2026-12-01', "
                    "DATE '2027-02-01', 'planned' FROM generate_series(1, :n) g "
                    "WHERE NOT EXISTS (SELECT 1 FROM plan_activities WHERE plan_id = :p AND position > 100)"
                ),
                {"p": plan_id, "n": PDF_GOALS},
            )
        shelters = q(
            "SELECT u.username, f.id FROM users u JOIN facilities f ON f.id = u.facility_id "
            "WHERE f.type = 'shelter' AND u.role = 'shelter_staff' AND u.username LIKE '%.tl01' "
            "ORDER BY f.id LIMIT :k",
            k=USERS,
        )
        # The admission is measured, not the refusal of a full shelter: the bench's shelters take everyone.
        conn.execute(
            sa.text("UPDATE facilities SET capacity = 1000000 WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": [s[1] for s in shelters]},
        )
    engine.dispose()
    scenarios = {
        "floor": {"url": "/status"},
        "case_list_mine_first": {"account": "worker", "url": "/cases/mine"},
        "case_list_mine_deep": {"account": "worker", "url": "/cases/mine?after={mine_deep}"},
        "case_list_facility_first": {"account": "supervisor", "url": "/cases/facility"},
        "case_list_facility_deep": {"account": "supervisor", "url": "/cases/facility?after={facility_deep}"},
        "search_common_toned": {"account": "supervisor", "url": "/clients/?q={common_toned}"},
        "search_common_plain": {"account": "supervisor", "url": "/clients/?q={common_plain}"},
        "search_rare_toned": {"account": "supervisor", "url": "/clients/?q={rare_toned}"},
        "search_rare_plain": {"account": "supervisor", "url": "/clients/?q={rare_plain}"},
        "case_page": {"account": "supervisor", "url": "/cases/{case_id}"},
        "tasks": {"account": "worker", "url": "/cases/tasks"},
        "dashboard": {"account": "supervisor", "url": "/"},
        "save_note": {
            "account": "worker",
            "method": "POST",
            "url": "/cases/{case_id}/notes",
            "form": "note",
            "csrf_from": "/cases/{case_id}",
            "expect": [302, 303],
        },
        "report_province_year": {
            "account": "reporter",
            "url": f"/reports/?kind=year&year={REPORT_YEAR}&scope=province",
        },
        "case_pdf": {"account": "supervisor_pdf", "url": "/cases/{pdf_case}/documents/plan.pdf"},
        "emergency_admission": {
            "account": "shelter",
            "method": "POST",
            "url": "/shelter/admit",
            "form": "admission",
            "csrf_from": "/shelter/admit",
            "expect": [302, 303],
        },
    }
    from caseapp.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    return {
        "password": DEMO_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "scenarios": scenarios,
        "accounts": {
            "supervisor": supervisors,
            "worker": workers,
            "reporter": reporters,
            "supervisor_pdf": [s for s in supervisors if s.get("pdf_case")],
            "shelter": [{"username": s[0]} for s in shelters],
        },
    }


def fold(value):
    from caseapp.core.text import fold as app_fold

    return app_fold(value)


def instance_secret_key():
    """The SECRET_KEY `flask demo-data` used (generated once into the bench's instance folder)."""
    path = BENCH / ".instance" / "secret_key"
    return path.read_text().strip() if path.exists() else secrets.token_hex(32)


class Gunicorn:
    def __init__(self, n):
        self.url = database_url(n)

    def __enter__(self):
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "FLASK_ENV": "production",
            "SESSION_COOKIE_SECURE": "0",
            # the key the data was generated with (flask() below: the same instance folder): the second
            # factor's secrets are encrypted with it, and a new key left every supervisor unable to sign in
            "SECRET_KEY": instance_secret_key(),
            "CASEAPP_INSTANCE_DIR": str(BENCH / ".instance"),
            "TRUSTED_PROXIES": "1",  # the simulated users' X-Forwarded-For (locustfile.BenchUser)
        }
        env.pop("TEST_DATABASE_URL", None)
        self.log = open(BENCH / ".instance" / "gunicorn.log", "a")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                WORKERS,
                "--threads",
                THREADS,
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "20",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        # /status, not /healthz: the health check answers 503 once the last sweep (the bench's own
        # reminder_sweep of an earlier run, with BENCH_REUSE=1) is more than 5 minutes old.
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/status", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        sys.exit("bench: gunicorn did not answer /status; see bench/.instance/gunicorn.log")

    def __exit__(self, *_exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # requests still running past the graceful timeout
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def run_locust(scenario, plan_path):
    with tempfile.NamedTemporaryFile(prefix=f"bench-{scenario}-", suffix=".json", delete=False) as out:
        out_path = out.name
    env = {**os.environ, "BENCH_PLAN": str(plan_path), "BENCH_SCENARIO": scenario, "BENCH_OUT": out_path}
    result = subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{DURATION + WARMUP}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=BENCH,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not Path(out_path).read_text():
        print(result.stderr[-3000:], file=sys.stderr)
    written = json.loads(Path(out_path).read_text() or '{"samples": []}')
    os.unlink(out_path)
    return written


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))  # nearest rank
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(written):
    samples = written["samples"]
    times = sorted(t for t, _ in samples)
    failures = [failure for _, failure in samples if failure]
    return {
        "n": len(samples),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": len(failures),
        "first_error": failures[0] if failures else None,
        "pdf_pages": pdf_pages(written.get("pdf")),
    }


def pdf_pages(path):
    """Pages of the PDF the case_pdf scenario saved (poppler's pdfinfo; None where it is missing)."""
    if not path:
        return None
    try:
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    finally:
        Path(path).unlink(missing_ok=True)
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else None


def features(url):
    """Which of the measured features (reports, case PDFs, the reminder sweep) are in the app: its
    endpoints and CLI commands."""
    routes = flask(["routes"], url, capture=True).stdout
    endpoints = {line.split()[0] for line in routes.splitlines()[2:] if line.strip()}
    reminders = (
        subprocess.run(
            [str(VENV_BIN / "flask"), "reminders", "--help"],
            cwd=ROOT,
            capture_output=True,
            env={**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": url},
        ).returncode
        == 0
    )
    return {
        "report_province_year": "reports.statistics" in endpoints,
        "case_pdf": "documents.case_document" in endpoints,
        "reminder_sweep": reminders,
    }


def reminder_sweep(n):
    """100,000 due reminders (pending, remind_at in the past) on the open cases, then one timed
    `flask reminders tick`. Returns the row of the table."""
    engine = sa.create_engine(database_url(n))
    open_list = ", ".join(f"'{s}'" for s in OPEN)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                # The total in a CTE of its own: an equality on c.rn alone lets PostgreSQL hash-join (with the
                # total as a column of c it nested-looped: 100 k × 144 k open cases at 1 M clients, 7 minutes).
                f"WITH open_cases AS (SELECT id, facility_id, assigned_worker_id, row_number() OVER (ORDER BY id) AS rn "
                f"FROM cases WHERE status IN ({open_list}) AND assigned_worker_id IS NOT NULL), "
                "total AS (SELECT count(*) AS n FROM open_cases) "
                "INSERT INTO reminders (case_id, facility_id, item_kind, item_key, slot, user_id, due_at, remind_at, "
                "status, late, created_at) "
                "SELECT c.id, c.facility_id, 'follow_up', 'follow_up:' || c.id || ':' || 'bench' || g, '0', c.assigned_worker_id, "
                "now() - make_interval(secs => g), now() - make_interval(secs => g), 'pending', false, now() "
                "FROM generate_series(1, :n) g CROSS JOIN total t JOIN open_cases c ON c.rn = ((g - 1) % t.n) + 1"
            ),
            {"n": REMINDERS},
        )
        due = conn.scalar(sa.text("SELECT count(*) FROM reminders WHERE status = 'pending' AND remind_at <= now()"))
    engine.dispose()
    log(f"{n:,} clients: reminder_sweep ({due:,} due reminders)")
    started = time.monotonic()
    result = flask(["reminders", "tick"], database_url(n), capture=True)
    seconds = time.monotonic() - started
    line = (result.stdout.strip().splitlines() or [""])[-1]
    sent = int(re.search(r"sent=(\d+)", line).group(1)) if re.search(r"sent=(\d+)", line) else 0
    errors = int(re.search(r"errors=(\d+)", line).group(1)) if re.search(r"errors=(\d+)", line) else 0
    return {"n": due, "total_ms": seconds * 1000, "sent": sent, "errors": errors, "output": line}


def run_size(n):
    generated = prepare_database(n)
    if generated is not None:
        log(f"generated {n:,} clients in {generated:.0f} s")
    built = features(database_url(n))
    plan = make_plan(n)
    (BENCH / ".instance").mkdir(exist_ok=True)
    plan_path = BENCH / ".instance" / f"plan-{n}.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    rows = {}
    with Gunicorn(n):
        for name, _what in SCENARIOS:
            if not selected(name):
                continue
            if name in REGISTER:
                continue  # measured below, outside the server
            if (
                name == "reminder_sweep"
                or not built.get(name, True)
                or not plan["accounts"].get(plan["scenarios"].get(name, {}).get("account"), [None])
            ):
                rows[name] = None
                continue
            log(f"{n:,} clients: {name} ({USERS} users, {DURATION} s)")
            rows[name] = summarise(run_locust(name, plan_path))
    try:
        if selected("reminder_sweep"):
            rows["reminder_sweep"] = reminder_sweep(n) if built["reminder_sweep"] else None
    except (sa.exc.SQLAlchemyError, subprocess.CalledProcessError) as error:  # the table still gets printed
        log(f"reminder sweep failed: {error}")
        rows["reminder_sweep"] = {
            "n": 0,
            "samples": [],
            "p50": None,
            "p95": None,
            "p99": None,
            "errors": 1,
            "first_error": str(error)[:300],
        }
    if any(selected(name) for name in REGISTER):
        rows.update(register_rows(n))
    return {
        "n": n,
        "generated_seconds": generated,
        "rows": rows,
        "names": plan["accounts"]["supervisor"][0]["names"] if plan["accounts"]["supervisor"] else "",
    }


def register_rows(n):
    """The register's steps (bench/register_import.py, in its own process: its peak memory is the
    import's), as rows timed as a whole."""
    log(f"{n:,} clients: the register's import and count (bench/register_import.py)")
    try:
        out = subprocess.run(
            [sys.executable, str(BENCH / "register_import.py"), str(n), "--json"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.CalledProcessError, ValueError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        return {name: {"what": "failed", "total_ms": 0, "errors": 1, "first_error": detail[-300:]} for name in REGISTER}
    rows = {}
    for name, (seconds, count) in REGISTER.items():
        what = f"{figures[count]:,} rows" if count else "1 province"
        rows[name] = {"what": what, "total_ms": figures[seconds] * 1000, "errors": 0}
    rows["register_preview"]["note"] = f"outcomes {figures['preview_small_counts']}"
    rows["register_reimport"]["note"] = f"outcomes {figures['reimport_counts']}"
    rows["register_managed"]["note"] = f"{figures['managed_before_people']:,} people counted"
    rows["register_managed_imported"]["note"] = f"{figures['managed_people']:,} people counted"
    rows["register_commit"]["note"] = (
        f"peak memory of the committing worker {figures['worker_mb']:.0f} MB, "
        f"of the previewing process {figures['peak_mb']:.0f} MB"
    )
    return rows


def fmt(value):
    return "—" if value is None else f"{value:.0f}"


def table(results):
    lines = [
        "| size | scenario | requests | p50 ms | p95 ms | p99 ms | errors | p95 ÷ floor |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        floor = (result["rows"].get("floor") or {}).get("p95") or None
        for name, _what in SCENARIOS:
            if not selected(name):
                continue
            row = result["rows"].get(name)
            if row is None:
                lines.append(f"| {result['n']:,} | {name} | not built yet | | | | | |")
                continue
            if "total_ms" in row:  # the reminder sweep and the register: one run each, timed as a whole
                what = row.get("what") or f"{row['n']:,} due → {row['sent']:,} sent"
                lines.append(
                    f"| {result['n']:,} | {name} | {what} | total {row['total_ms']:,.0f} | | | {row['errors']} | |"
                )
                continue
            ratio = f"{row['p95'] / floor:.1f}" if floor and row["p95"] is not None else "—"
            lines.append(
                f"| {result['n']:,} | {name} | {row['n']} | {fmt(row['p50'])} | {fmt(row['p95'])} | "
                f"{fmt(row['p99'])} | {row['errors']} | {ratio} |"
            )
    return "\n".join(lines)


def machine():
    with sa.create_engine(f"{PG}/postgres").connect() as conn:
        version = conn.scalar(sa.text("SHOW server_version"))
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {version}; "
        f"gunicorn {WORKERS} workers × {THREADS} threads (gthread); locust {USERS} users, {DURATION} s measured per scenario "
        f"after a {WARMUP} s warm-up (sign-ins, then the scenario unmeasured), "
        f"wait {os.environ.get('BENCH_WAIT', '0.5-1.0')} s between requests; all on the same machine"
    )


def notes(results):
    """Per size: the case PDF's page count and the first error of each scenario that had errors."""
    lines = []
    for result in results:
        for name, row in result["rows"].items():
            if not row:
                continue
            if row.get("pdf_pages"):
                lines.append(f"- {result['n']:,}: `{name}` — the PDF has {row['pdf_pages']} pages.")
            if row.get("first_error"):
                lines.append(f"- {result['n']:,}: `{name}` — first error: {row['first_error']}")
            if row.get("output"):
                lines.append(f"- {result['n']:,}: `{name}` — `flask reminders tick`: {row['output']}")
            if row.get("note"):
                lines.append(f"- {result['n']:,}: `{name}` — {row['note']}.")
    return lines


def main(argv):
    sizes = [int(x) for x in (argv or os.environ.get("BENCH_SIZES", "10000").split())]
    sys.path.insert(0, str(ROOT))
    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()
    results = [run_size(n) for n in sizes]
    load_after = os.getloadavg()
    text = table(results)
    generation = "; ".join(
        f"{r['n']:,} clients generated in {r['generated_seconds']:.0f} s"
        if r["generated_seconds"]
        else f"{r['n']:,} clients: database reused"
        for r in results
    )
    report = "\n".join(
        [
            f"# caseapp benchmark — {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"Machine: {machine()}.",
            "",
            f"Generation (`flask demo-data --seed {SEED}`): {generation}.",
            "",
            "Times in milliseconds, measured by locust per request (client side, loopback). The floor is "
            "GET /status (one indexed query, a small template) on the same gunicorn in the same run.",
            "",
            text,
            "",
            "Scenarios:",
            "",
            *[f"- `{name}`: {what}" for name, what in SCENARIOS if selected(name)],
            "",
            f"Search names used (supervisor 1, common / rare): {results[0]['names'] if results else ''}.",
            "",
            *notes(results),
            "",
            f"Load average (1 min) at the start {load_before[0]:.1f}, at the end {load_after[0]:.1f}: other programs on "
            "the machine (e.g. other test runs) share its CPUs with gunicorn, PostgreSQL and locust.",
            "",
        ]
    )
    print(text)
    out = BENCH / "results" / (os.environ.get("BENCH_RESULTS") or f"{started:%Y-%m-%d}.md")
    out.parent.mkdir(exist_ok=True)
    out.write_text(report, encoding="utf-8")
    readme = BENCH / "README.md"
    start, end = "<!-- results -->", "<!-- /results -->"
    current = readme.read_text(encoding="utf-8")
    if start in current and end in current and not ONLY:  # the README shows the latest full results
        head, rest = current.split(start, 1)
        readme.write_text(
            f"{head}{start}\n{report.split(chr(10), 1)[1].strip()}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8"
        )
    log(f"written {out.relative_to(ROOT)} and bench/README.md")


if __name__ == "__main__":
    main(sys.argv[1:])
