"""The access matrix: every non-public endpoint, every role, anonymous — derived from the app itself.

For each endpoint (from app.url_map) and each method it accepts:
- anonymous → 302 to /login?next=<the path>;
- each role whose ROLE_PERMS lack the endpoint's `required_perm` → 403, and the refusal is audited;
- each role that has it → the page opens (GET), and a record out of reach answers 404: a record of
  another facility for roles limited to their own facility, an id that matches nothing for all.

Endpoints without URL parameters need nothing. An endpoint with URL parameters needs a row in
TARGETS (tests/security/matrix.py) saying how to reach a real record;
test_every_endpoint_with_url_parameters_has_a_row fails until it has one.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for

from caseapp.audit.models import AuditEvent
from caseapp.security.policy import ROLE_PERMS, Capability, Role, capable, roles_with

from .conftest import sign_in
from .matrix import ROLES, ROUTES_APP, TARGETS, guarded_rules, url_values


def _cases():
    anonymous, denied, allowed, out_of_reach = [], [], [], []
    for rule, method, perm in guarded_rules():
        target = TARGETS.get(rule.endpoint)
        if rule.arguments and target is None:
            continue  # reported by test_every_endpoint_with_url_parameters_has_a_row
        name = f"{method} {rule.endpoint}"
        anonymous.append(pytest.param(rule.endpoint, method, id=name))
        for role in ROLES:
            if perm not in ROLE_PERMS[Role(role)]:
                denied.append(pytest.param(rule.endpoint, method, role, id=f"{name} as {role}"))
                continue
            if method == "GET":
                allowed.append(pytest.param(rule.endpoint, role, id=f"{name} as {role}"))
            if target and target.missing:
                out_of_reach.append(
                    pytest.param(rule.endpoint, method, role, "missing", id=f"{name} as {role}, no such record")
                )
            if target and target.other and not capable(role, Capability.SEES_EVERY_FACILITY):
                out_of_reach.append(
                    pytest.param(rule.endpoint, method, role, "other", id=f"{name} as {role}, other facility")
                )
    return anonymous, denied, allowed, out_of_reach


ANONYMOUS, DENIED, ALLOWED, OUT_OF_REACH = _cases()


def _url(app, endpoint, values):
    with app.test_request_context():
        return url_for(endpoint, **values)


def _signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def test_every_endpoint_with_url_parameters_has_a_row():
    lacking = sorted(
        {rule.endpoint for rule, _method, _perm in guarded_rules() if rule.arguments and rule.endpoint not in TARGETS}
    )
    assert lacking == [], "add a row to TARGETS in tests/security/matrix.py"


def test_matrix_covers_each_kind_of_case():
    assert ANONYMOUS and DENIED and ALLOWED and OUT_OF_REACH


@pytest.mark.parametrize("endpoint,method", ANONYMOUS)
def test_anonymous_is_sent_to_login_with_next(app, client, world, endpoint, method):
    path = _url(app, endpoint, url_values(endpoint, world))
    response = client.open(path, method=method)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    # After signing in, the page itself — never a URL that answers POST only (405 after the sign-in).
    answers_get = app.url_map.bind("localhost").test(urlsplit(path).path, method="GET")
    assert parse_qs(location.query).get("next") == ([path] if answers_get else None)


@pytest.mark.parametrize("endpoint,method,role", DENIED)
def test_role_without_permission_is_refused_and_audited(app, session, world, endpoint, method, role):
    user = world.users[role]
    path = _url(app, endpoint, url_values(endpoint, world))
    response = _signed_in(app, user).open(path, method=method)
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.get_data(as_text=True)
    refusals = session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "permission_denied", AuditEvent.user_id == user.id)
    ).all()
    assert [e.detail["endpoint"] for e in refusals] == [endpoint]


@pytest.mark.parametrize("endpoint,role", ALLOWED)
def test_role_with_permission_opens_the_page(app, world, endpoint, role):
    path = _url(app, endpoint, url_values(endpoint, world))
    response = _signed_in(app, world.users[role]).get(path)
    assert response.status_code == 200, path


@pytest.mark.parametrize("endpoint,method,role,which", OUT_OF_REACH)
def test_record_out_of_reach_answers_404_not_403(app, world, endpoint, method, role, which):
    path = _url(app, endpoint, url_values(endpoint, world, which))
    response = _signed_in(app, world.users[role]).open(path, method=method)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", sorted(e for e, t in TARGETS.items() if t.other))
def test_all_facility_roles_open_records_of_other_facilities(app, world, endpoint):
    for role in roles_with(Capability.SEES_EVERY_FACILITY):
        perm = ROUTES_APP.view_functions[endpoint].required_perm
        if perm not in ROLE_PERMS[Role(role)] or "GET" not in _methods(endpoint):
            continue
        path = _url(app, endpoint, url_values(endpoint, world, "other"))
        assert _signed_in(app, world.users[role]).get(path).status_code == 200, (role, path)


def _methods(endpoint):
    return {m for rule in ROUTES_APP.url_map.iter_rules() if rule.endpoint == endpoint for m in rule.methods}


def test_refused_post_changes_nothing(app, session, world):
    """A supervisor may not reset a password: the refusal comes before any write."""
    target = world.users["social_worker"]
    before = target.password_hash
    response = _signed_in(app, world.users["supervisor"]).post(
        f"/admin/users/{target.id}/reset-password", data={"password": "Mot-mat-khau-moi-2026"}
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(type(target), target.id).password_hash == before
