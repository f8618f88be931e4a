"""README "Production", run as written, on PostgreSQL: from a fresh copy of the repository and a new empty
database, with FLASK_ENV=production, every block marked `<!-- production-test: run -->` runs in bash
exactly as printed and every block marked `background` is started and left running (gunicorn, the
scheduler). The environment plays /etc/caseapp/env. Then, over HTTP as nginx passes it on: the login
page is Vietnamese, the administrator `flask setup` made signs in and creates a reporter, who signs in,
changes the temporary password and downloads the facility's statistics as a PDF in Vietnamese."""

import base64
import io
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from ..conftest import is_postgres
from .processes import REPO, Browser, Process, csrf_token, environment, free_port, fresh_database, wait_for

pytestmark = pytest.mark.skipif(
    not is_postgres(), reason='README "Production" is PostgreSQL: runs with TEST_DATABASE_URL'
)

MARKED_BLOCK = re.compile(r"<!-- production-test: (run|background) -->\s*\n```[a-z]*\n(.*?)\n```", re.DOTALL)
ADMIN_PASSWORD = "Ha-Long-bay-2026-quan-tri"
REPORTER_PASSWORD = "Bao-cao-tam-thoi-2026"
REPORTER_NEW_PASSWORD = "Bao-cao-Quang-Ninh-2027"
HOST = "caseapp.example.vn"


def production_blocks():
    readme = (REPO / "README.md").read_text()
    start = readme.index("## Production")
    section = readme[start : readme.index("\n## ", start + 1)]
    return MARKED_BLOCK.findall(section)


def fresh_copy(target: Path) -> Path:
    """The repository as a clone has it (tracked files, plus new files not ignored): no .venv, no
    compiled catalogue, no instance folder."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_the_readme_blocks_cover_install_setup_services_and_check():
    blocks = production_blocks()
    kinds = [kind for kind, _ in blocks]
    commands = " ".join(text for _, text in blocks)
    assert kinds == ["run", "run", "background", "background", "run"]
    for step in (
        "make install",
        "flask setup",
        "gunicorn -c deploy/gunicorn.conf.py wsgi:app",
        "flask scheduler run",
        "flask doctor",
    ):
        assert step in commands


@pytest.fixture()
def installation(tmp_path):
    """A new empty PostgreSQL database and the environment /etc/caseapp/env would give."""
    url = fresh_database("readme")
    checkout = fresh_copy(tmp_path / "caseapp")
    port = free_port()
    env = environment(
        url,
        checkout / "instance",
        FLASK_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        ATTACHMENT_KEYS="k2026:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        ATTACHMENT_KEY_ID="k2026",
        BASE_URL=f"https://{HOST}",
        TRUSTED_PROXIES=1,
        CASEAPP_BIND=f"127.0.0.1:{port}",
        CASEAPP_WORKERS=2,
        SCHEDULER_EXPECTED="true",
        CASEAPP_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    processes = []
    yield checkout, env, port, processes, url
    for process in processes:
        process.stop()


def healthy(port):
    answer = Browser(host=HOST).get(port, "/healthz")
    return answer.status == 200 and '"status":"ok"' in answer.text.replace(" ", "")


def test_a_newcomer_following_the_readme_gets_a_vietnamese_caseapp(installation, tmp_path):
    checkout, env, port, processes, url = installation
    for number, (kind, commands) in enumerate(production_blocks(), start=1):
        if kind == "background":
            processes.append(Process(f"block{number}", ["bash", "-c", f"exec {commands}"], env, tmp_path, cwd=checkout))
            continue
        if processes:  # the services are up and the scheduler has swept before the next step checks them
            wait_for(
                lambda: healthy(port), deadline_seconds=120, what="gunicorn and a first sweep", processes=processes
            )
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", commands],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, (
            f"README block {number}:\n{commands}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    assert "Bản cài đặt sẵn sàng." in done.stdout  # the last block is `flask doctor`

    admin = Browser(host=HOST)
    login = admin.get(port, "/login")
    assert login.status == 200 and '<html lang="vi"' in login.text and "Đăng nhập" in login.text
    signed_in = admin.sign_in(port, "quantri", ADMIN_PASSWORD)
    assert signed_in.status == 302 and signed_in.location == "/account/two-factor"  # an admin: a second factor first
    admin.set_up_second_factor(port)

    [facility_id] = _facility_ids(url)
    form = admin.get(port, "/admin/users/new")
    created = admin.post_form(
        port,
        "/admin/users/new",
        {
            "csrf_token": csrf_token(form.text),
            "username": "baocao",
            "full_name": "Trần Văn Báo Cáo",
            "role": "reporter",
            "facility_id": facility_id,
            "email": "",
            "phone": "",
            "password": REPORTER_PASSWORD,
        },
    )
    assert created.status == 302, created.text[:2000]

    reporter = Browser(host=HOST, client_ip="203.0.113.8")
    signed_in = reporter.sign_in(port, "baocao", REPORTER_PASSWORD)
    assert signed_in.status == 302
    page = reporter.get(port, "/account/password")
    changed = reporter.post_form(
        port,
        "/account/password",
        {
            "csrf_token": csrf_token(page.text),
            "current_password": REPORTER_PASSWORD,
            "new_password": REPORTER_NEW_PASSWORD,
            "confirm_password": REPORTER_NEW_PASSWORD,
        },
    )
    assert changed.status == 302, changed.text[:2000]

    pdf = reporter.get(port, "/reports/export.pdf?kind=year&year=2026")
    assert pdf.status == 200 and pdf.header("Content-Type") == "application/pdf", pdf.text[:2000]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "BÁO CÁO" in text and "Đối tượng và hồ sơ" in text  # the catalogue's words, not English
    assert "Clients and cases" not in text
    assert "Trung tâm Công tác xã hội tỉnh Quảng Ninh" in text


def _facility_ids(url):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT id FROM facilities")).scalars().all()
    finally:
        engine.dispose()
