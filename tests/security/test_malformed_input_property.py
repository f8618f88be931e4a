"""No input gives a 500 (OWASP ASVS 5.0 V1.2, V2.2.1): every endpoint of the url_map, GET and POST, is
sent malformed values — in its URL parameters, its query string and its form fields — by a role allowed to
use it (anonymous for the public ones), with a real record behind its URL where the access matrix knows
one, and answers below 500.

The values come from Hypothesis, derandomized: the same examples every run, in the same order, so a
failure is reproducible and no run depends on luck. The field names are those of every form of the app,
so a POST reaches the form code of its view and not just its "required field" message.
"""

import re
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.security.policy import ROLE_PERMS, Role
from caseapp.security.web import PUBLIC_ENDPOINTS

from .conftest import sign_in
from .matrix import ROLES, ROUTES_APP, TARGETS, url_values

# Values that broke views before, or that break a naive int(), date.fromisoformat() or a database column.
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "99999999999999999999",
    str(2**31),
    str(2**63),
    "9" * 400,
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "31/12/2026",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "\ufffe",
    "١٢",
    "²",
    "' OR 1=1 --",
    '"><script>alert(1)</script>',
    "../../etc/passwd",
    "%00",
    "%",
    "Nguyễn Thị Hoa",
    "🙂" * 50,
    "x" * 20_000,
]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))
QUERY_KEYS = [
    "after",
    "before",
    "q",
    "page",
    "id",
    "snapshot",
    "period",
    "year",
    "quarter",
    "from",
    "to",
    "next",
    "sort",
]


def _form_field_names():
    names: set[str] = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names.update(
            name for name in dir(form) if not name.startswith("_") and hasattr(getattr(form, name), "field_class")
        )
    return sorted(names)


FIELD_NAMES = _form_field_names()
_PARAMETER = re.compile(r"<(?:[^<>]*:)?(\w+)>")


def _rules():
    for rule in sorted(ROUTES_APP.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint == "static":
            continue
        for method in sorted({"GET", "POST"} & rule.methods):
            yield pytest.param(rule, method, id=f"{method} {rule.rule}")


def _roles_allowed(rule):
    if rule.endpoint in PUBLIC_ENDPOINTS:
        return [None]
    perm = ROUTES_APP.view_functions[rule.endpoint].required_perm
    return [role for role in ROLES if perm in ROLE_PERMS[Role(role)]] or [None]


def _path(rule, values):
    return _PARAMETER.sub(lambda m: quote(str(values[m.group(1)]), safe=""), rule.rule)


_NAME = re.compile(r'name="([^"]+)"')
_LINK_KEY = re.compile(r"[?&](?:amp;)?([A-Za-z_]\w*)=")


def _names_on_page(client, path):
    """The names of the fields and link parameters of the page at `path` (what its views read), or ()."""
    response = client.get(path)
    if response.status_code != 200 or response.mimetype != "text/html":
        return ()
    page = response.get_data(as_text=True)
    return sorted(set(_NAME.findall(page)) | set(_LINK_KEY.findall(page)) - {"csrf_token"})


def _some_of(names):
    """A few of `names`, each with a malformed value (at least one when there are names)."""
    return st.dictionaries(st.sampled_from(names), VALUES, min_size=1, max_size=8) if names else st.just({})


@st.composite
def _requests(draw, rule, real_values, names):
    """(role, path, query, form): malformed values in the query and the form, and in a URL parameter
    when the access matrix knows no record behind it (or, now and then, when it does)."""
    role = draw(st.sampled_from(_roles_allowed(rule)))
    values = dict(real_values)
    for name in sorted(rule.arguments):
        if name not in real_values or draw(st.integers(0, 3)) == 0:
            values[name] = draw(VALUES)
    query = draw(_some_of(sorted(set(QUERY_KEYS) | set(names))))
    form = draw(_some_of(list(names) or FIELD_NAMES))
    return role, _path(rule, values), query, form


# Ids a URL's digits-only converter lets through but no database column holds (INTEGER, BIGINT).
OVERFLOWING_IDS = [str(2**31), str(2**63), "9" * 19]
# The classes of value that gave 500s before, each sent in every field of an endpoint at once.
DANGEROUS = ["\x00", "99999999999999999999", "0001-01-01", "9999-12-31", "-1", "x" * 5_000]


def _clients(app, world):
    """The test client of a role (None: anonymous), signed in on first use."""
    clients: dict = {}

    def client_of(role):
        if role not in clients:
            clients[role] = app.test_client()
            if role is not None:
                sign_in(clients[role], world.users[role])
        return clients[role]

    return client_of


def _status(client, method, path, query=None, form=None):
    """The status of the request; the response is closed (a streamed download would outlive it)."""
    if method == "GET":
        response = client.get(path, query_string={**(query or {}), **(form or {})})
    else:
        response = client.post(path, query_string=query or {}, data=form or {})
    with response:
        return response.status_code


@pytest.mark.parametrize("rule,method", list(_rules()))
def test_malformed_values_never_answer_5xx(app, world, rule, method):
    client_of = _clients(app, world)
    role = _roles_allowed(rule)[0]
    real_values = url_values(rule.endpoint, world) if rule.endpoint in TARGETS else {}
    reachable = set(rule.arguments) <= set(real_values)
    names = _names_on_page(client_of(role), _path(rule, real_values)) if reachable else ()

    for name in sorted(rule.arguments):
        for ident in OVERFLOWING_IDS:
            path = _path(rule, {**{arg: ident for arg in rule.arguments}, **real_values, name: ident})
            assert _status(client_of(role), method, path) < 500, path

    for value in DANGEROUS:
        path = _path(rule, {**{arg: value for arg in rule.arguments}, **real_values})
        query = {name: value for name in sorted(set(QUERY_KEYS) | set(names))}
        form = {name: value for name in names}
        assert _status(client_of(role), method, path, query, form) < 500, (path, value[:20])

    @settings(
        max_examples=4,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(_requests(rule, real_values, names))
    def probe(request):
        role, path, query, form = request
        assert _status(client_of(role), method, path, query, form) < 500, (role, path, query, form)

    probe()
