"""The few public endpoints: the health check and the language switch."""
import pytest


def test_healthz_is_public_and_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "database": "ok"}
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
