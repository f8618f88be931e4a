"""Configuration: the secret key never lives in code, and SQLite connections are set up for a
multi-user office (WAL, busy timeout, foreign keys enforced)."""

import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

import config
from caseapp.extensions import db

from .conftest import build_app

ROOT = Path(__file__).resolve().parent.parent


def test_secret_key_from_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-0123456789")
    assert config.load_or_create_secret_key(tmp_path / "instance") == "from-the-environment-0123456789"
    assert not (tmp_path / "instance" / "secret_key").exists()
    assert config.TestConfig().SECRET_KEY == "from-the-environment-0123456789"


def test_secret_key_is_generated_once_into_instance_with_mode_0600(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = config.load_or_create_secret_key(instance)
    key_file = instance / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first
    assert len(first) >= 64  # 32 random bytes, hex
    assert config.load_or_create_secret_key(instance) == first  # stable across calls (and restarts)
    assert config.load_or_create_secret_key(instance) == first


def test_generated_secret_keys_differ_between_installations(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert config.load_or_create_secret_key(tmp_path / "a") != config.load_or_create_secret_key(tmp_path / "b")


def test_app_uses_the_instance_secret_key_when_environment_has_none(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = config.INSTANCE_DIR / "secret_key"
    app = build_app("sqlite://")
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert build_app("sqlite://").config["SECRET_KEY"] == app.config["SECRET_KEY"]


CONSTANT_SECRET = re.compile(r"""SECRET_KEY["']?\]?\s*[:=]\s*[rbuf]?["']""")


def test_no_constant_secret_key_in_code():
    sources = [ROOT / "config.py", ROOT / "wsgi.py", *sorted((ROOT / "caseapp").rglob("*.py"))]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if path.exists()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CONSTANT_SECRET.search(line)
    ]
    assert not offenders, "constant SECRET_KEY in code:\n" + "\n".join(offenders)


def test_the_secret_key_pattern_would_catch_a_constant():
    assert CONSTANT_SECRET.search('    SECRET_KEY = "dev"')
    assert CONSTANT_SECRET.search("app.config['SECRET_KEY'] = 'x'")
    assert CONSTANT_SECRET.search('SECRET_KEY="x"')
    assert not CONSTANT_SECRET.search("        self.SECRET_KEY = load_or_create_secret_key()")


@pytest.fixture()
def sqlite_file_app(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'pragmas.db'}")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_file_app):
    with sqlite_file_app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() > 0


def test_sqlite_refuses_a_row_that_breaks_a_foreign_key(sqlite_file_app):
    with sqlite_file_app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
            conn.execute(
                sa.text(
                    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id))"
                )
            )
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO child (id, parent_id) VALUES (1, 42)"))


def test_an_empty_secret_key_file_is_refused_not_used(monkeypatch, tmp_path):
    """A truncated key file must stop the start-up, not run the app with an empty key."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="secret_key is empty"):
        config.load_or_create_secret_key(tmp_path)


def test_generating_the_secret_key_leaves_no_temporary_file(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config.load_or_create_secret_key(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_workers_starting_together_all_get_the_same_complete_key(monkeypatch, tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    monkeypatch.delenv("SECRET_KEY", raising=False)
    for attempt in range(20):
        instance = tmp_path / f"instance{attempt}"
        start = Barrier(8)

        def worker(_, start=start, instance=instance):
            start.wait()
            return config.load_or_create_secret_key(instance)

        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(worker, range(8)))
        assert len(keys) == 1 and len(keys.pop()) == 64
