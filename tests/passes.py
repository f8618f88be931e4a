"""`make test`: the whole suite on SQLite and, when TEST_DATABASE_URL names a PostgreSQL database, again
on it — both passes at once, as each is one pytest process (and PostgreSQL's server) and the machines
it runs on have two CPUs or more. SQLite's output is shown as it comes, PostgreSQL's in one piece when
its pass ends. The exit status is non-zero when either pass failed; Ctrl+C stops both.

Usage: python tests/passes.py [pytest arguments …]  (default: tests)"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def pytest_command(basetemp: str, args: list[str]) -> list[str]:
    # each pass its own temporary directory: two pytest sessions never clean up each other's
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={basetemp}", *args]


def in_order(args: list[str], *, browser_first: bool) -> list[str]:
    """The whole suite (`tests`) as its parts, the browser tests first or last: each pass drives a
    Chromium and a live server in them, and two at once on two CPUs made pages miss their timeouts.
    SQLite's pass takes them first and PostgreSQL's last, so they rarely overlap."""
    if args != ["tests"]:
        return args
    here = Path(__file__).resolve().parent
    parts = sorted(
        path.name
        for path in here.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.name.startswith("test_") and path.suffix == ".py")
    )
    browser = [f"tests/{name}" for name in parts if name == "browser"]
    rest = [f"tests/{name}" for name in parts if name != "browser"]
    return browser + rest if browser_first else rest + browser


def main(args: list[str]) -> int:
    args = args or ["tests"]
    scratch = Path(tempfile.mkdtemp(prefix="caseapp-passes-"))
    postgres_url = os.environ.get("TEST_DATABASE_URL")
    postgres = log = None
    if postgres_url:
        log = (scratch / "postgresql.log").open("w+")
        print(f"== PostgreSQL ({postgres_url}): running alongside SQLite; its output follows when it ends", flush=True)
        postgres_args = in_order(args, browser_first=False)
        postgres = subprocess.Popen(
            pytest_command(str(scratch / "pg"), postgres_args), stdout=log, stderr=subprocess.STDOUT
        )
    else:
        print("(TEST_DATABASE_URL not set: PostgreSQL run skipped)", flush=True)
    sqlite_env = {name: value for name, value in os.environ.items() if name != "TEST_DATABASE_URL"}
    try:
        print("== SQLite", flush=True)
        sqlite_args = in_order(args, browser_first=bool(postgres))
        sqlite_status = subprocess.call(pytest_command(str(scratch / "sqlite"), sqlite_args), env=sqlite_env)
        postgres_status = postgres.wait() if postgres else 0
    except KeyboardInterrupt:
        if postgres:
            postgres.terminate()
        raise
    if postgres and log:
        log.seek(0)
        print(f"== PostgreSQL: {postgres_url}", flush=True)
        sys.stdout.write(log.read())
    for name, status in (("SQLite", sqlite_status), ("PostgreSQL", postgres_status if postgres else None)):
        if status:
            print(f"make test: the {name} pass FAILED (exit status {status})", file=sys.stderr)
    return 1 if sqlite_status or postgres_status else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
