"""Default deny: every endpoint is public on purpose or declares the permission it needs.

The walk over app.url_map is generic, so an endpoint added by a later feature without
@requires(Perm.X) (and not listed in PUBLIC_ENDPOINTS) fails this test.
"""

from flask import Blueprint

from caseapp.security.policy import Perm
from caseapp.security.web import PUBLIC_ENDPOINTS, requires

from .conftest import sign_in


def undeclared_endpoints(app):
    """Endpoints that are neither public nor carry a `required_perm` on their view function."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions.get(rule.endpoint)
        if not isinstance(getattr(view, "required_perm", None), Perm):
            found.append(f"{rule.endpoint} ({rule.rule})")
    return sorted(found)


def test_every_endpoint_is_public_or_declares_a_permission(app):
    assert undeclared_endpoints(app) == []


def test_public_endpoints_all_exist(app):
    """A stale name in PUBLIC_ENDPOINTS would silently make a future endpoint of that name public."""
    assert PUBLIC_ENDPOINTS <= set(app.view_functions)


def test_public_endpoints_are_only_login_health_language_and_static():
    # auth.second_factor: the code after a correct password, asked before any session exists
    assert PUBLIC_ENDPOINTS == {
        "static",
        "auth.login",
        "auth.second_factor",
        "main.healthz",
        "main.status",
        "main.set_language",
    }


def _extra_routes():
    extra = Blueprint("extra_for_test", __name__)

    @extra.get("/test-only/undeclared")
    def undeclared():
        return "secret"

    @extra.get("/test-only/declared")
    @requires(Perm.USE_APP)
    def declared():
        return "fine"

    return extra


def test_endpoint_walk_reports_an_endpoint_without_permission(make_app):
    other = make_app(blueprints=[_extra_routes()])
    assert undeclared_endpoints(other) == ["extra_for_test.undeclared (/test-only/undeclared)"]


def test_endpoint_without_declared_permission_is_refused_even_to_admin(make_app, make_user):
    other = make_app(blueprints=[_extra_routes()])
    client = other.test_client()
    sign_in(client, make_user("admin"))
    assert client.get("/test-only/declared").status_code == 200
    response = client.get("/test-only/undeclared")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_endpoint_without_declared_permission_redirects_anonymous_to_login(make_app):
    other = make_app(blueprints=[_extra_routes()])
    response = other.test_client().get("/test-only/undeclared")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
