"""The live server's cookies reach Chromium without Expires/Max-Age (conftest.without_cookie_expiry):
the server is on the tests' fixed clock, Chromium on the machine's."""

from werkzeug.test import Client
from werkzeug.wrappers import Response

from .conftest import without_cookie_expiry


def test_cookies_lose_their_expiry_but_a_deletion_is_kept_whole():
    def app(environ, start_response):
        response = Response("ok")
        response.set_cookie(
            "session", "abc", max_age=12 * 3600, expires=1_800_000_000, httponly=True, samesite="Lax", path="/"
        )
        response.delete_cookie("remember_token", path="/")
        response.headers["X-Other"] = "Expires=kept"
        return response(environ, start_response)

    headers = Client(without_cookie_expiry(app)).get("/").headers
    session, deletion = headers.getlist("Set-Cookie")
    assert session == "session=abc; HttpOnly; Path=/; SameSite=Lax"
    assert deletion.startswith("remember_token=;") and "Max-Age=0" in deletion and "Expires=" in deletion
    assert headers["X-Other"] == "Expires=kept"
