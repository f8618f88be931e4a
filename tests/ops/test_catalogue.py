"""The Vietnamese catalogue: create_app compiles a missing or stale one (the app never shows English
because a compile step was skipped), refuses to start with a clear message when it cannot, and
/healthz reports a catalogue that is not up to date. Each test works on a catalogue of its own
(tests/ops/conftest.py: private_catalogue): the one the rest of the suite reads is never touched."""

import pytest

from caseapp import i18n
from caseapp.extensions import db

from ..conftest import build_app
from .conftest import change_translation, private_catalogue


@pytest.fixture()
def start(app, monkeypatch):
    """create_app on the test database, reading its translations from `compiled` (where caseapp.i18n
    compiles them) with nothing loaded before: Flask-Babel keeps what it loaded for the whole process."""
    from caseapp.core import language

    monkeypatch.setattr(language._domain, "cache", {})
    started = []

    def build(compiled):
        started.append(build_app(app.config["SQLALCHEMY_DATABASE_URI"], BABEL_TRANSLATION_DIRECTORIES=str(compiled)))
        return started[-1]

    yield build
    for built in started:
        with built.app_context():
            db.engine.dispose()


def login_page(app):
    response = app.test_client().get("/login")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_create_app_compiles_a_missing_catalogue(start, tmp_path, monkeypatch):
    _sources, compiled = private_catalogue(tmp_path, monkeypatch, compiled=False)
    assert i18n.catalogue_state() == "missing"
    built = start(compiled)
    assert i18n.catalogue_state() == "ok"
    assert (compiled / "vi" / "LC_MESSAGES" / "messages.mo").is_file()
    page = login_page(built)
    assert "Đăng nhập" in page and "Sign in" not in page


def test_create_app_compiles_a_catalogue_older_than_its_sources(start, tmp_path, monkeypatch):
    sources, compiled = private_catalogue(tmp_path, monkeypatch)
    change_translation(sources, "Sign in", "Vào hệ thống")
    assert i18n.catalogue_state() == "stale"
    built = start(compiled)
    assert i18n.catalogue_state() == "ok"
    assert i18n.STAMP.read_text() == i18n.source_digest()
    assert "Vào hệ thống" in login_page(built)


def test_create_app_refuses_to_start_without_the_catalogue_sources(start, tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "SOURCE_DIR", tmp_path / "translations")
    monkeypatch.setattr(i18n, "COMPILED_DIR", tmp_path / "compiled")
    monkeypatch.setattr(i18n, "STAMP", tmp_path / "compiled" / "sources.sha256")
    (tmp_path / "translations").mkdir()
    with pytest.raises(i18n.CatalogueUnavailable, match="Thiếu bản dịch tiếng Việt .*: cài đặt không đầy đủ"):
        start(tmp_path / "compiled")


def test_create_app_refuses_to_start_when_it_cannot_write_the_catalogue(start, tmp_path, monkeypatch):
    private_catalogue(tmp_path, monkeypatch, compiled=False)
    (tmp_path / "not-a-folder").write_text("")  # the tests run as root: a read-only folder would not stop it
    monkeypatch.setattr(i18n, "COMPILED_DIR", tmp_path / "not-a-folder" / "translations")
    monkeypatch.setattr(i18n, "STAMP", tmp_path / "not-a-folder" / "translations" / "sources.sha256")
    with pytest.raises(
        i18n.CatalogueUnavailable, match="Bản dịch tiếng Việt chưa được biên dịch \\(missing\\) và không thể biên dịch"
    ):
        start(tmp_path / "not-a-folder" / "translations")


@pytest.mark.parametrize("state, status", [("ok", 200), ("missing", 503), ("stale", 503)])
def test_healthz_reports_the_catalogue_state(client, tmp_path, monkeypatch, state, status):
    sources, _compiled = private_catalogue(tmp_path, monkeypatch, compiled=state != "missing")
    if state == "stale":
        change_translation(sources, "Sign in", "Vào hệ thống")
    response = client.get("/healthz")
    assert response.status_code == status
    assert response.get_json()["catalogue"] == state
