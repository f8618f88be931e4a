"""`flask doctor`: on a ready production installation every check is OK and it exits 0; each broken
item is named on a "[LỖI]" line (the others stay OK) and the command exits non-zero."""

import base64
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from caseapp import create_app
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.ops.doctor import CHECKS
from caseapp.reminders.models import SchedulerSweep
from config import ProductionConfig

from .. import factories
from ..conftest import app_on_own_database, dispose, is_postgres
from ..mail.conftest import free_port, smtp_server  # noqa: F401  (a local SMTP server: the fixture)
from .conftest import change_translation, private_catalogue, run

# The doctor compares this machine's clock with the database server's, which the fixed clock cannot move.
pytestmark = pytest.mark.real_clock

SECRET_KEY = "9f1c2e7a4b8d6f03a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5"
ATTACHMENT_KEYS = "k2026:" + base64.b64encode(bytes(range(32))).decode()
BASE_URL = "https://caseapp.example.vn"
EXAMPLE_ENV = Path(__file__).resolve().parents[2] / "deploy" / "caseapp.env.example"

DATABASE, CATALOGUE, KEY, HTTPS, SMTP = (
    "Cơ sở dữ liệu",
    "Bản dịch tiếng Việt",
    "SECRET_KEY",
    "HTTPS (cookie, BASE_URL)",
    "Thư điện tử (SMTP)",
)
STORAGE, SCHEDULER, CLOCK = "Lưu trữ tệp", "Bộ lập lịch", "Đồng hồ và múi giờ"
FILE_KEYS = "Khóa mã hóa tệp (ATTACHMENT_KEYS)"


@pytest.fixture(scope="module", autouse=True)
def extract_once():
    """The code's translatable strings do not change during the run: extract them once, not on each of
    the doctor's runs (3 s each)."""
    from caseapp import i18n

    extracted = i18n.extracted_messages()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(i18n, "extracted_messages", lambda: extracted)
        yield


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """An installation as deployed: production settings (Secure cookies by default), SECRET_KEY and
    ATTACHMENT_KEYS from the environment, https BASE_URL, a migrated database, file folders of its own."""
    files = tmp_path_factory.mktemp("doctor-files")

    def build(url):
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SECRET_KEY", SECRET_KEY)
            env.setenv("ATTACHMENT_KEYS", ATTACHMENT_KEYS)
            return create_app(
                ProductionConfig(),
                SQLALCHEMY_DATABASE_URI=url,
                BASE_URL=BASE_URL,
                MAIL_SERVER=None,
                ATTACHMENT_DIR=str(files / "attachments"),
                EXPORT_DIR=str(files / "exports"),
            )

    app = app_on_own_database("doctor", build=build)
    assert app.config["IS_PRODUCTION"]
    yield app
    dispose(app)


@pytest.fixture()
def ready(production, smtp_server, monkeypatch):  # noqa: F811  (smtp_server: the mail tests' fixture, imported above)
    """Everything in order: the keys in the environment, mail through a running SMTP server, and the
    scheduler swept just now (`flask reminders tick`)."""
    monkeypatch.setenv("SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("ATTACHMENT_KEYS", ATTACHMENT_KEYS)
    monkeypatch.setitem(production.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(production.config, "MAIL_PORT", smtp_server.port)
    tick = run(production, "reminders", "tick")
    assert tick.exit_code == 0, tick.output
    return production


def doctor(app):
    """Run `flask doctor`; returns (exit code, {check name: "[ OK ]" or "[LỖI]"}, output)."""
    result = run(app, "doctor")
    marks = {}
    for line in result.output.splitlines():
        for mark in ("[ OK ]", "[LỖI]"):
            if line.startswith(mark + " "):
                name = line[len(mark) + 1 :].split(": ", 1)[0]
                marks[name] = mark
    assert list(marks) == [name for name, _check in CHECKS], result.output
    return result.exit_code, marks, result.output


def failing(marks):
    return [name for name, mark in marks.items() if mark == "[LỖI]"]


def test_a_ready_installation_passes_every_check(ready):
    code, marks, output = doctor(ready)
    assert failing(marks) == [], output
    assert code == 0
    assert "Bản cài đặt sẵn sàng." in output


def test_a_missing_catalogue_is_named(ready, tmp_path, monkeypatch):
    private_catalogue(tmp_path, monkeypatch, compiled=False)
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [CATALOGUE]
    assert "chưa được biên dịch" in output


def test_a_catalogue_older_than_its_sources_is_named(ready, tmp_path, monkeypatch):
    sources, _compiled = private_catalogue(tmp_path, monkeypatch)
    assert doctor(ready)[0] == 0
    change_translation(sources, "Sign in", "Đăng nhập vào hệ thống")
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [CATALOGUE]
    assert "cũ hơn bản nguồn" in output


def placeholder_key():
    [line] = [line for line in EXAMPLE_ENV.read_text().splitlines() if line.startswith("SECRET_KEY=")]
    return line.removeprefix("SECRET_KEY=")


@pytest.mark.parametrize(
    "key, message",
    [
        ("a" * 31, "SECRET_KEY quá ngắn (31 ký tự"),
        (None, "SECRET_KEY chưa được đặt trong môi trường"),
        (placeholder_key(), "SECRET_KEY vẫn là giá trị mẫu"),
    ],
    ids=["too-short", "unset", "example-placeholder"],
)
def test_a_bad_secret_key_is_named(ready, monkeypatch, key, message):
    if key is None:
        monkeypatch.delenv("SECRET_KEY")
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [KEY]
    assert message in output


def test_attachment_keys_not_set_in_the_environment_are_named(ready, monkeypatch):
    """Without ATTACHMENT_KEYS the app generates a key into its instance folder, as for SECRET_KEY: in
    production that key would be lost with the machine and unknown to the others."""
    monkeypatch.delenv("ATTACHMENT_KEYS")
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [FILE_KEYS]
    assert "ATTACHMENT_KEYS chưa được đặt trong môi trường" in output


@pytest.mark.parametrize(
    "keys, current, message",
    [
        ("k2026:" + base64.b64encode(bytes(16)).decode(), None, "phải là 32 byte"),
        (ATTACHMENT_KEYS, "k2027", "ATTACHMENT_KEY_ID «k2027» không có trong ATTACHMENT_KEYS"),
        ("k2026:change-me-to-32-random-bytes-in-base64", None, "giá trị mẫu"),
    ],
    ids=["16-bytes", "unknown-current-id", "example-placeholder"],
)
def test_bad_attachment_keys_are_named(ready, monkeypatch, keys, current, message):
    monkeypatch.setitem(ready.config, "ATTACHMENT_KEYS", keys)
    monkeypatch.setitem(ready.config, "ATTACHMENT_KEY_ID", current)
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [FILE_KEYS]
    assert message in output


def test_a_document_the_keys_cannot_open_is_named(ready, monkeypatch):
    """The newest sealed document is opened: keys that decode but are not the ones it was sealed with
    (a key lost or mistyped) fail here, not on a user's download."""
    from caseapp.cases.attachments.services import add_attachment

    with ready.app_context():
        facility = factories.make_facility(code="BSKHOA")
        worker = factories.make_user(role="social_worker", facility=facility, username="nhanvien.bskhoa")
        case = factories.make_case(facility, worker=worker, status="implementation")
        attachment = add_attachment(case, data=b"%PDF-1.7\nbien ban\n%%EOF\n", filename="bb.pdf", by=worker)
        db.session.commit()
        attachment_id = attachment.id
        db.session.remove()
    assert doctor(ready)[0] == 0
    other_key = "k2026:" + base64.b64encode(bytes(range(1, 33))).decode()
    monkeypatch.setitem(ready.config, "ATTACHMENT_KEYS", other_key)
    monkeypatch.setenv("ATTACHMENT_KEYS", other_key)

    code, marks, output = doctor(ready)

    assert code != 0
    assert failing(marks) == [FILE_KEYS]
    assert f"giấy tờ số {attachment_id} (khóa «k2026») không giải mã được" in output


def test_an_unreachable_smtp_server_is_named(ready, monkeypatch):
    monkeypatch.setitem(ready.config, "MAIL_PORT", free_port())  # nothing listens there
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [SMTP]
    assert f"không kết nối được 127.0.0.1:{ready.config['MAIL_PORT']}" in output


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("BASE_URL", "http://caseapp.example.vn", "BASE_URL phải là địa chỉ https://"),
        ("BASE_URL", None, "BASE_URL phải là địa chỉ https://"),
        ("SESSION_COOKIE_SECURE", False, "cookie đăng nhập không có cờ Secure"),
    ],
    ids=["http-base-url", "no-base-url", "cookie-not-secure"],
)
def test_plain_http_in_production_is_named(ready, monkeypatch, setting, value, message):
    monkeypatch.setitem(ready.config, setting, value)
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [HTTPS]
    assert message in output


@pytest.mark.parametrize("last_sweep", [timedelta(minutes=6), None], ids=["6-minutes-ago", "never"])
def test_a_scheduler_without_a_recent_sweep_is_named(ready, last_sweep):
    with ready.app_context():
        db.session.execute(sa.delete(SchedulerSweep))
        if last_sweep is not None:
            moment = utcnow() - last_sweep
            db.session.add(SchedulerSweep(started_at=moment, finished_at=moment, swept_for=moment))
        db.session.commit()
        db.session.remove()
    code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [SCHEDULER]
    assert "bộ lập lịch không chạy" in output


def test_a_database_behind_the_migrations_is_named(ready):
    from flask_migrate import downgrade, upgrade

    with ready.app_context():
        downgrade(revision="-1")
        db.session.remove()
    try:
        code, marks, output = doctor(ready)
    finally:
        with ready.app_context():
            upgrade()
            db.session.remove()
    assert code != 0
    assert "Chạy `flask db upgrade`" in output
    # What needs the database is not checked on one that is not ready; everything else still is.
    assert failing(marks) == [DATABASE, STORAGE, SCHEDULER, CLOCK]
    assert output.count("bỏ qua: cơ sở dữ liệu chưa sẵn sàng") == 3


@pytest.mark.skipif(not is_postgres(), reason="the database's clock is PostgreSQL's now(); SQLite has none of its own")
def test_a_clock_that_differs_from_the_database_servers_is_named(ready):
    with time_machine.travel(utcnow() + timedelta(minutes=10), tick=True):
        tick = run(ready, "reminders", "tick")  # the scheduler swept just now, on this clock
        assert tick.exit_code == 0, tick.output
        code, marks, output = doctor(ready)
    assert code != 0
    assert failing(marks) == [CLOCK]
    assert "lệch" in output
