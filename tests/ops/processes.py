"""Helpers of the operations tests: the real commands (`flask …`, gunicorn) as separate processes on
an environment of their own, the databases they work on, and a small HTTP client (standard library
only) that speaks to a server as nginx would.

Shared by the tests of tests/ops/ (kept here rather than in a conftest.py)."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyotp
import sqlalchemy as sa
import time_machine

from ..conftest import database_url

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
FLASK = BIN / "flask"
GUNICORN = BIN / "gunicorn"

# Settings of the test process that must not leak into an installation started by a test: it gets
# exactly the configuration the test gives it.
_NOT_INHERITED = {
    "FLASK_ENV",
    "FLASK_APP",
    "FLASK_DEBUG",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "SECRET_KEY",
    "FILE_STORE",
    "ATTACHMENT_DIR",
    "EXPORT_DIR",
    "TRUSTED_PROXIES",
    "BASE_URL",
    "SERVER_NAME",
    "SESSION_COOKIE_SECURE",
    "SCHEDULER_EXPECTED",
    "MAIL_SERVER",
    "PGPASSWORD",
}


def environment(url: str, instance_dir: Path, **settings) -> dict:
    """The environment of an installation: its database, its instance folder, and `settings`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _NOT_INHERITED and not name.startswith("CASEAPP_")
    }
    env.update(DATABASE_URL=url, CASEAPP_INSTANCE_DIR=str(instance_dir), FLASK_ENV="development", PYTHONUNBUFFERED="1")
    env.update({name: str(value) for name, value in settings.items()})
    return env


def run_flask(*args, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    """`flask ARGS` from the repository root (where it finds wsgi.py)."""
    return subprocess.run(
        [str(FLASK), *map(str, args)], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )


def said(done: subprocess.CompletedProcess) -> str:
    """What a command printed, for assertion messages."""
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


# --- databases ---------------------------------------------------------------------------------------------


def fresh_database(suffix: str) -> str:
    """A new empty database: a PostgreSQL sibling of TEST_DATABASE_URL, or a SQLite file not yet made."""
    url = database_url(suffix)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    return url


def _engine(url: str):
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def table_names(url: str) -> list[str]:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return sorted(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def table_counts(url: str) -> dict[str, int]:
    """Every table's `SELECT count(*)`, read here (not by the tool under test)."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            return {
                table: connection.execute(sa.text(f"SELECT count(*) FROM {quote(table)}")).scalar_one()
                for table in sorted(sa.inspect(connection).get_table_names())
            }
    finally:
        engine.dispose()


def table_contents(url: str) -> dict[str, str]:
    """Every table's rows, as a digest of their sorted Python values: equal when two databases hold the
    same rows, whatever their physical order."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            contents = {}
            for table in sorted(sa.inspect(connection).get_table_names()):
                rows = sorted(repr(tuple(row)) for row in connection.execute(sa.text(f"SELECT * FROM {quote(table)}")))
                contents[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            return contents
    finally:
        engine.dispose()


# --- long-running processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A process started in a session of its own (its group is stopped whole: gunicorn's workers too),
    its output kept in a file to show when something fails."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path, cwd: Path = REPO):
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL if it is still there after a grace period."""
        if self.running():
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(timeout=15)
        self._log.close()

    def report(self) -> str:
        return f"=== {self.name} (pid {self.popen.pid}, exit {self.popen.poll()}) — {self.log_path}\n{self.output()}"


def wait_for(check, *, deadline_seconds: float, what: str, processes=()):
    """Poll `check()` until it returns something true; fail with the processes' output when a process has
    ended or the deadline passes. The deadline only bounds the wait: nothing asserts how long it took."""
    give_up = time.monotonic() + deadline_seconds
    last_error = None
    while True:
        for process in processes:
            if not process.running():
                raise AssertionError(f"{process.name} ended while waiting for {what}\n{process.report()}")
        try:
            result = check()
        except (OSError, http.client.HTTPException) as error:
            result, last_error = None, error
        if result:
            return result
        if time.monotonic() > give_up:
            reports = "\n".join(process.report() for process in processes)
            raise AssertionError(f"gave up waiting for {what} (last error: {last_error!r})\n{reports}")
        time.sleep(0.25)


# --- HTTP as nginx passes it on ------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str | None:
        """The redirect's path (a Location may be absolute or relative)."""
        location = self.header("Location")
        if location is None:
            return None
        parts = urlsplit(location)
        return parts.path + (f"?{parts.query}" if parts.query else "")


CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>")
VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")


def csrf_token(page: str) -> str:
    """The hidden `csrf_token` input of the first form of a page."""
    found = CSRF_INPUT.search(page)
    assert found, "the page has no csrf_token field"
    return VALUE.search(found.group(0)).group(1)


def _machines_now() -> float:
    """The real time, which the servers (other processes) read, also inside a test on the fixed clock."""
    escape = time_machine.escape_hatch
    return escape.time.time() if escape.is_travelling() else time.time()


@dataclass
class Browser:
    """One user's browser behind nginx: requests carry the site's Host, X-Forwarded-Proto: https and the
    client's address in X-Forwarded-For; cookies are kept here by name (the standard library's cookie jar
    would not send a Secure cookie back over the plain http between nginx and gunicorn). Like a browser
    on the site's pages it sends the page it is on as Referer (over https the CSRF check requires a
    same-origin one)."""

    host: str
    client_ip: str = "203.0.113.7"
    cookies: dict[str, str] = field(default_factory=dict)
    cookie_attributes: dict[str, str] = field(default_factory=dict)
    page: str | None = None

    def request(
        self, port: int, method: str, path: str, *, body: bytes | None = None, content_type: str | None = None
    ) -> Response:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_ip,
            "Accept-Language": "vi",
        }
        if self.page:
            headers["Referer"] = f"https://{self.host}{self.page}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.getheaders(), answer.read())
        finally:
            connection.close()
        for key, value in response.headers:
            if key.lower() == "set-cookie":
                self._keep(value)
        if method == "GET" and response.status == 200:
            self.page = path
        return response

    def _keep(self, set_cookie: str) -> None:
        pair, _, attributes = set_cookie.partition(";")
        name, _, value = pair.strip().partition("=")
        lowered = attributes.lower()
        if not value or "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value
            self.cookie_attributes[name] = attributes

    def get(self, port: int, path: str) -> Response:
        return self.request(port, "GET", path)

    def post_form(self, port: int, path: str, fields: dict) -> Response:
        return self.request(
            port, "POST", path, body=urlencode(fields).encode(), content_type="application/x-www-form-urlencoded"
        )

    def post_multipart(self, port: int, path: str, fields: dict, files: dict[str, tuple[str, bytes, str]]) -> Response:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, mimetype) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {mimetype}\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            port, "POST", path, body=b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
        )

    def sign_in(self, port: int, username: str, password: str, totp_secret: str | None = None) -> Response:
        """The login form as a person fills it in: its page first (the CSRF token), then the POST — and,
        when the server asks for it and `totp_secret` is given, the second step with its code."""
        page = self.get(port, "/login")
        assert page.status == 200, (page.status, page.text[:500])
        response = self.post_form(
            port, "/login", {"csrf_token": csrf_token(page.text), "username": username, "password": password}
        )
        if totp_secret and response.status == 302 and response.location == "/login/code":
            response = self.enter_code(port, totp_secret)
        return response

    def enter_code(self, port: int, totp_secret: str) -> Response:
        """The second step of a sign-in, with the code an authenticator shows now on the machines' clock
        (the servers run on the real clock, not the tests' fixed one). A code is accepted once per
        account, and a test may sign the same account in twice within 30 s: the codes of the window are
        tried in turn, the way a person waits for the next one."""
        now = int(_machines_now()) // 30
        for step in (now - 1, now, now + 1):
            page = self.get(port, "/login/code")  # its own CSRF token: the session was cleared after the password
            response = self.post_form(
                port,
                "/login/code",
                {"csrf_token": csrf_token(page.text), "code": pyotp.TOTP(totp_secret).at(step * 30)},
            )
            if response.status == 302:
                break
        return response

    def set_up_second_factor(self, port: int) -> str:
        """The set-up a user who must use a second factor is sent to: start it, read the key the page
        shows as text, confirm with its code. Returns the key."""
        page = self.get(port, "/account/two-factor")
        started = self.post_form(port, "/account/two-factor/start", {"csrf_token": csrf_token(page.text)})
        assert started.status == 302, (started.status, started.text[:500])
        page = self.get(port, "/account/two-factor")
        secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
        code = pyotp.TOTP(secret).at(_machines_now())
        confirmed = self.post_form(
            port, "/account/two-factor/confirm", {"csrf_token": csrf_token(page.text), "code": code}
        )
        assert confirmed.status == 200 and "recovery-codes" in confirmed.text, (confirmed.status, confirmed.text[:500])
        return secret


__all__ = [
    "REPO",
    "FLASK",
    "GUNICORN",
    "environment",
    "run_flask",
    "said",
    "fresh_database",
    "table_names",
    "table_counts",
    "table_contents",
    "free_port",
    "Process",
    "wait_for",
    "Response",
    "Browser",
    "csrf_token",
]
