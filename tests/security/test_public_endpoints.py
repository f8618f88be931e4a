"""The few public endpoints: the health check, the status page and the language switch."""

import pytest


def test_healthz_is_public_and_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "database": "ok", "catalogue": "ok"}
    assert "no-store" in response.headers["Cache-Control"]


def test_healthz_needs_no_session(client):
    client.get("/healthz")
    assert client.get_cookie("caseapp_session") is None


def test_language_switch_is_public_and_remembered_in_the_session(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "vi"})
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_an_unknown_language(client):
    client.post("/language", data={"lang": "xx"})
    with client.session_transaction() as flask_session:
        assert "lang" not in flask_session


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/language", data={"lang": "vi", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_status_page_is_public_small_and_in_vietnamese(client):
    response = client.get("/status")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "caseapp đang hoạt động" in page and "Chưa có lần quét nhắc việc nào." in page
    assert "<nav" not in page and "/cases" not in page  # no menu, nothing about cases
    assert client.get_cookie("caseapp_session") is None


def test_status_page_tells_when_the_reminders_last_ran(client, session):
    from datetime import datetime, timezone

    from caseapp.reminders.models import SchedulerSweep

    session.add(
        SchedulerSweep(
            started_at=datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc),
            swept_for=datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc),
            host="h",
        )
    )
    session.flush()
    page = client.get("/status").get_data(as_text=True)
    assert "Lần quét nhắc việc gần nhất: 01/03/2026 08:30" in page  # Vietnam time


def test_status_page_says_so_when_the_database_does_not_answer(app, client, monkeypatch):
    from caseapp.reminders import queries

    def unreachable():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(queries, "latest_sweep_at", unreachable)
    response = client.get("/status")
    assert response.status_code == 503
    assert "Cơ sở dữ liệu không trả lời" in response.get_data(as_text=True)
