"""Session cookie flags, security headers on every page, and no inline script anywhere (the CSP
has script-src 'self' without 'unsafe-inline', so inline code would be both a hole and broken)."""

from html.parser import HTMLParser

import pytest
from flask import url_for

from caseapp.security.policy import ROLE_PERMS, Role

from ..factories import PASSWORD
from .conftest import sign_in
from .matrix import ROLES, TARGETS, guarded_rules, url_values

COOKIE = "caseapp_session"
PRODUCTION_COOKIE = "__Host-caseapp_session"
HSTS = "max-age=31536000; includeSubDomains"


def session_cookie_header(response, name=COOKIE):
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    return [part.strip() for part in header.split(";")]


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    flags = session_cookie_header(response)
    assert "HttpOnly" in flags
    assert "SameSite=Lax" in flags
    assert "Secure" not in flags  # the test config serves plain http
    assert "Strict-Transport-Security" not in response.headers  # so does it send no HSTS


def test_session_cookie_is_secure_when_configured(make_app, make_user):
    secure_app = make_app(SESSION_COOKIE_SECURE=True)
    user = make_user()
    response = secure_app.test_client().post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    flags = session_cookie_header(response)
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(flags)
    assert "Strict-Transport-Security" not in response.headers  # production's (ProductionConfig)


def test_production_config_makes_the_session_cookie_secure():
    import config

    production = config.ProductionConfig()
    assert production.SESSION_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.SESSION_COOKIE_SAMESITE == "Lax"


def production_app(app, **overrides):
    """An app with the production configuration, on the test database (inside the test's transaction)."""
    from caseapp import create_app
    from config import ProductionConfig

    return create_app(
        ProductionConfig(),
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=False,
        SERVER_NAME=None,
        **overrides,
    )


def test_production_sends_hsts_and_a_host_prefixed_secure_session_cookie(app, session, make_user):
    production = production_app(app)
    user = make_user()
    browser = production.test_client()
    response = browser.post(
        "/login", data={"username": user.username, "password": PASSWORD}, base_url="https://caseapp.example.vn"
    )
    assert response.status_code == 302
    assert response.headers.getlist("Strict-Transport-Security") == [HSTS]  # once
    flags = session_cookie_header(response, PRODUCTION_COOKIE)
    # RFC 6265bis §4.1.3.2: a __Host- cookie is kept only when Secure, with Path=/ and no Domain.
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= set(flags)
    assert not any(flag.lower().startswith("domain=") for flag in flags)
    assert not any(h.startswith(COOKIE + "=") for h in response.headers.getlist("Set-Cookie"))
    assert browser.get("/", base_url="https://caseapp.example.vn").status_code == 200  # the cookie signs in
    assert_security_headers(browser.get("/login", base_url="https://caseapp.example.vn"))


def test_production_names_the_remember_cookie_the_same_way_and_keeps_a_plain_name_without_secure():
    import config

    production = config.ProductionConfig()
    assert (production.REMEMBER_COOKIE_NAME, production.REMEMBER_COOKIE_PATH) == ("__Host-remember_token", "/")
    assert production.REMEMBER_COOKIE_SECURE is True and production.REMEMBER_COOKIE_DOMAIN is None
    assert (production.SESSION_COOKIE_PATH, production.SESSION_COOKIE_DOMAIN) == ("/", None)
    # SESSION_COOKIE_SECURE=false (which `flask doctor` refuses): no browser would keep a __Host- cookie.
    insecure = type("Insecure", (config.ProductionConfig,), {"SESSION_COOKIE_SECURE": False})()
    assert insecure.SESSION_COOKIE_NAME == COOKIE
    assert config.TestConfig().STRICT_TRANSPORT_SECURITY is None
    assert config.DevelopmentConfig().STRICT_TRANSPORT_SECURITY is None


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"  # no <base> may redirect relative URLs (ASVS 5.0 3.4.3)
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert "no-store" in response.headers["Cache-Control"]


def _pages(app, world):
    """Every GET page each role may open (from the access matrix), plus the public login page."""
    pages = []
    with app.test_request_context():
        for rule, method, perm in guarded_rules():
            if method != "GET" or (rule.arguments and rule.endpoint not in TARGETS):
                continue
            path = url_for(rule.endpoint, **url_values(rule.endpoint, world))
            role = next((r for r in ROLES if perm in ROLE_PERMS[Role(r)]), None)
            if role:
                pages.append((world.users[role], path))
    return pages


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline <script>, on…= handlers, javascript: URLs,
    <style> blocks and style= attributes."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not attrs.get("src"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_code(html):
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder


def test_pages_carry_security_headers_and_no_inline_code(app, client, world):
    checked = []
    login_page = client.get("/login")
    assert_security_headers(login_page)
    finder = inline_code(login_page.get_data(as_text=True))
    assert finder.found == [] and finder.scripts == 2  # app.js and session.js, from static/, nothing else
    for user, path in _pages(app, world):
        browser = app.test_client()
        sign_in(browser, user)
        response = browser.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)
        if response.mimetype == "text/html":
            assert inline_code(response.get_data(as_text=True)).found == [], path
            checked.append(path)
    assert "/" in checked and "/admin/users" in checked and "/audit/" in checked


@pytest.mark.parametrize("path,status", [("/no-such-page", 404), ("/admin/users", 403), ("/logout", 405)])
def test_error_pages_carry_security_headers_and_no_inline_code(client, make_user, path, status):
    sign_in(client, make_user("reporter"))
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)
    assert inline_code(response.get_data(as_text=True)).found == []


def test_inline_code_finder_finds_inline_code():
    """The scanner itself must not be blind."""
    html = (
        '<script>alert(1)</script><script src="/static/js/app.js"></script>'
        '<a href="javascript:void(0)" onclick="x()">a</a><p style="color:red">b</p><style>p{}</style>'
    )
    assert sorted(inline_code(html).found) == sorted(
        ["<script> without src", "<a onclick=…>", "<a href=javascript:…>", "<p style=…>", "<style> block"]
    )


def test_static_files_are_cacheable(client):
    with client.get("/static/js/app.js") as response:  # closes the file the response streams
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
