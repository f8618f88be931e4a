"""Several machines on one PostgreSQL database: two web servers (gunicorn, each with an instance folder
of its own — no shared disk) and one scheduler process, configured as in production and reached as
nginx reaches them (X-Forwarded-Proto: https, X-Forwarded-For). What one machine did, the other sees:
documents, report files, sessions, the login throttle."""

from __future__ import annotations

import base64
import functools
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.attachments.models import Attachment
from caseapp.core.storage import DatabaseStore, read_all
from caseapp.extensions import db
from caseapp.reports.jobs import export_content
from caseapp.reports.models import ExportJob

from .. import factories
from ..conftest import build_app, is_postgres, reset_schema
from .processes import FLASK, GUNICORN, Browser, Process, csrf_token, environment, free_port, fresh_database, wait_for

pytestmark = pytest.mark.skipif(
    not is_postgres(),
    reason="several machines share one PostgreSQL database (TEST_DATABASE_URL unset); "
    "SQLite is the single-machine default",
)

SITE = "caseapp.example.vn"
WRONG = "khong-phai-mat-khau"
# Wrong password messages and throttled refusals look the same (auth.views): one message for both.
REFUSED = "Sai tên đăng nhập hoặc mật khẩu, hoặc đã thử quá nhiều lần."
START_SECONDS = 90  # a deadline for a process to answer, never an expectation of speed
SCHEDULER_SECONDS = 120


@dataclass
class Machines:
    url: str
    app: object  # the test's own app on the shared database (to read what the machines did)
    instances: dict[str, Path]
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # who → username
    case_id: int = 0
    env: dict = field(default_factory=dict)  # what every machine shares (and its own folder)

    def environment(self, name: str) -> dict:
        return environment(self.url, self.instances[name], **self.env)

    def start_web(self, name: str) -> None:
        self.ports[name] = free_port()
        self.processes[name] = Process(
            name,
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            {**self.environment(name), "CASEAPP_BIND": f"127.0.0.1:{self.ports[name]}", "CASEAPP_WORKERS": "1"},
            self.instances[name].parent,
        )

    def wait_until_answering(self, name: str) -> None:
        def healthy():
            return Browser(SITE).get(self.ports[name], "/healthz").status == 200

        wait_for(
            healthy, deadline_seconds=START_SECONDS, what=f"{name} to answer /healthz", processes=[self.processes[name]]
        )

    def start_scheduler(self) -> Process:
        """`flask scheduler run`: its first tick runs as it starts."""
        process = Process(
            "scheduler",
            [str(FLASK), "scheduler", "run"],
            self.environment("scheduler"),
            self.instances["scheduler"].parent,
        )
        self.processes["scheduler"] = process
        return process

    def report(self) -> str:
        return "\n".join(process.report() for process in self.processes.values())

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()

    def read(self, statement):
        with self.app.app_context():
            try:
                return db.session.execute(statement).all()
            finally:
                db.session.remove()

    def browser(self, client_ip: str) -> Browser:
        return Browser(SITE, client_ip=client_ip)


def showing_output(test):
    """On failure, the machines' output goes with the test's report."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except BaseException:
            print(kwargs["machines"].report())
            raise

    return run


@pytest.fixture(scope="module")
def machines(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("machines")
    url = fresh_database("machines")
    app = build_app(url)
    reset_schema(app)
    cluster = Machines(url=url, app=app, instances={})
    # The machines' SECRET_KEY, here too: it encrypts the supervisor's authenticator key the servers read.
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    with app.app_context():
        facility = factories.make_facility(code="NHIEUMAY", name="Trung tâm Công tác xã hội nhiều máy")
        worker = factories.make_user(
            role="social_worker", facility=facility, username="nhanvien.nhieumay", full_name="Phạm Thị Nhiều Máy"
        )
        supervisor = factories.make_user(role="supervisor", facility=facility, username="giamsat.nhieumay")
        for who in ("throttled", "fresh"):
            cluster.people[who] = factories.make_user(facility=facility, username=f"{who}.nhieumay").username
        cluster.case_id = factories.make_case(facility, worker=worker, by=worker).id
        cluster.people.update(worker=worker.username, worker_name=worker.full_name, supervisor=supervisor.username)
        db.session.commit()
        db.session.remove()
    for name in ("web_a", "web_b", "scheduler"):  # no shared disk: a folder of each machine's own
        (tmp / name / "instance").mkdir(parents=True)
        cluster.instances[name] = tmp / name / "instance"
    cluster.env = {
        "FLASK_ENV": "production",
        "SECRET_KEY": app.config["SECRET_KEY"],
        # The files' key, the same on every machine: a file sealed on one opens on the others.
        "ATTACHMENT_KEYS": "k2026:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "TRUSTED_PROXIES": 1,
        "BASE_URL": f"https://{SITE}",
    }
    app.config["ATTACHMENT_KEYS"] = cluster.env["ATTACHMENT_KEYS"]  # the test reads what they stored
    app.config["ATTACHMENT_KEY_ID"] = None
    try:
        cluster.start_web("web_a")
        cluster.start_web("web_b")
        cluster.wait_until_answering("web_a")
        cluster.wait_until_answering("web_b")
        yield cluster
    finally:
        cluster.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def signed_in(machines: Machines, server: str, who: str, client_ip: str) -> Browser:
    browser = machines.browser(client_ip)
    response = browser.sign_in(machines.ports[server], machines.people[who], factories.PASSWORD, factories.TOTP_SECRET)
    assert response.status == 302 and response.location == "/", (response.status, response.text[:2000])
    return browser


def stored_files_on_disk(machines: Machines) -> list[str]:
    return sorted(
        path.relative_to(folder).as_posix()
        for folder in machines.instances.values()
        for path in folder.rglob("*")
        if path.is_file() and path.name != "secret_key"
    )


# --- sessions ------------------------------------------------------------------------------------------------


@showing_output
def test_a_session_signed_in_on_one_server_is_valid_on_the_other(machines):
    browser = signed_in(machines, "web_a", "worker", client_ip="198.51.100.1")
    assert "secure" in browser.cookie_attributes["__Host-caseapp_session"].lower()  # production: https only

    on_b = browser.get(machines.ports["web_b"], "/")

    assert on_b.status == 200, (on_b.status, on_b.location)
    assert machines.people["worker_name"] in on_b.text
    stranger = machines.browser("198.51.100.2").get(machines.ports["web_b"], "/")
    assert stranger.status == 302 and stranger.location.startswith("/login")


# --- documents -----------------------------------------------------------------------------------------------


@showing_output
def test_a_document_uploaded_through_one_server_downloads_through_the_other(machines):
    # More than two of the store's 1 MiB chunks, so the download is put together from several rows.
    content = b"%PDF-1.4\n" + secrets.token_bytes(2 * 1024 * 1024 + 4321) + b"\n%%EOF\n"
    case = machines.case_id
    on_a = signed_in(machines, "web_a", "worker", client_ip="198.51.100.11")
    form = on_a.get(machines.ports["web_a"], f"/cases/{case}/attachments/new")
    assert form.status == 200, form.status

    uploaded = on_a.post_multipart(
        machines.ports["web_a"],
        f"/cases/{case}/attachments/new",
        {"csrf_token": csrf_token(form.text), "description": "Biên bản gửi qua máy A"},
        {"file": ("bien-ban-may-a.pdf", content, "application/pdf")},
    )

    assert uploaded.status == 302, (uploaded.status, uploaded.text[:2000])
    [(attachment_id,)] = machines.read(
        sa.select(Attachment.id).where(Attachment.case_id == case, Attachment.filename == "bien-ban-may-a.pdf")
    )
    on_b = signed_in(machines, "web_b", "worker", client_ip="198.51.100.12")
    download = on_b.get(machines.ports["web_b"], f"/cases/{case}/attachments/{attachment_id}")
    assert download.status == 200, download.status
    assert download.body == content
    assert stored_files_on_disk(machines) == []  # it travelled through the database, not a shared folder


# --- report files --------------------------------------------------------------------------------------------


@showing_output
def test_a_report_file_queued_on_one_server_is_made_by_the_scheduler_and_downloads_through_the_other(machines):
    on_b = signed_in(machines, "web_b", "supervisor", client_ip="198.51.100.21")
    page = on_b.get(machines.ports["web_b"], "/reports/jobs")
    assert page.status == 200, page.status
    queued = on_b.post_form(
        machines.ports["web_b"],
        "/reports/jobs",
        {"csrf_token": csrf_token(page.text), "fmt": "csv", "kind": "quarter", "year": "2025", "number": "1"},
    )
    assert queued.status == 302 and queued.location == "/reports/jobs", (queued.status, queued.location)
    [(job_id, status)] = machines.read(sa.select(ExportJob.id, ExportJob.status))
    assert status == "queued"

    scheduler = machines.start_scheduler()

    def made():
        [(state, key)] = machines.read(sa.select(ExportJob.status, ExportJob.file_path).where(ExportJob.id == job_id))
        assert state in ("queued", "running", "done"), f"the job ended {state}"
        return key if state == "done" else None

    key = wait_for(
        made, deadline_seconds=SCHEDULER_SECONDS, what="the scheduler to make the report file", processes=[scheduler]
    )
    on_a = signed_in(machines, "web_a", "supervisor", client_ip="198.51.100.22")
    listing = on_a.get(machines.ports["web_a"], "/reports/jobs")
    assert f"/reports/jobs/{job_id}/download" in listing.text
    download = on_a.get(machines.ports["web_a"], f"/reports/jobs/{job_id}/download")
    assert download.status == 200, download.status
    with machines.app.app_context():
        [job] = db.session.scalars(sa.select(ExportJob).where(ExportJob.file_path == key)).all()
        assert download.body == export_content(job)
        assert download.body != read_all(DatabaseStore("exports"), key)  # stored sealed
        db.session.remove()
    assert "Quý 1/2025" in download.body.decode("utf-8-sig")
    assert stored_files_on_disk(machines) == []


# --- the login throttle --------------------------------------------------------------------------------------


def attempt(machines: Machines, server: str, username: str, password: str, client_ip: str):
    browser = machines.browser(client_ip)
    response = browser.sign_in(machines.ports[server], username, password)
    return response, browser


@showing_output
def test_the_login_throttle_counts_the_attempts_made_on_both_servers(machines):
    throttled, fresh = machines.people["throttled"], machines.people["fresh"]
    for server, client_ip, times in (("web_a", "198.51.100.31", 3), ("web_b", "198.51.100.32", 2)):
        for _ in range(times):
            response, _browser = attempt(machines, server, throttled, WRONG, client_ip)
            assert response.status == 200 and REFUSED in response.text, response.status

    for server, client_ip in (("web_a", "198.51.100.33"), ("web_b", "198.51.100.34")):
        response, browser = attempt(machines, server, throttled, factories.PASSWORD, client_ip)
        assert response.status == 200 and REFUSED in response.text, (server, response.status, response.location)
        assert browser.get(machines.ports[server], "/").status == 302  # not signed in
    # The same right password opens a fresh account on either server: the refusal above is the throttle's.
    for server, client_ip in (("web_a", "198.51.100.35"), ("web_b", "198.51.100.36")):
        response, browser = attempt(machines, server, fresh, factories.PASSWORD, client_ip)
        assert response.status == 302 and response.location == "/", (server, response.status)
        assert browser.get(machines.ports[server], "/").status == 200

    actions = [
        action
        for (action,) in machines.read(
            sa.select(AuditEvent.action)
            .where(AuditEvent.detail["username"].as_string() == throttled)
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["login_failed"] * 5 + ["login_throttled"] * 2
