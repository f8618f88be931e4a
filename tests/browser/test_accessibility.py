"""WCAG 2.1 AA on the main pages of each role: axe-core (vendored from npm, tests/browser/vendor/) runs in
Chromium on each page, signed in as the demo user of that role, and finds no serious or critical violation —
at 360 px for the roles whose day is on a phone (social workers, shelter staff), at 1280 px for all.

axe is evaluated through the DevTools protocol (page.evaluate), not added as a <script>: the pages'
Content-Security-Policy (script-src 'self') rightly refuses inline scripts, and the test must not weaken it.
"""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.extensions import db

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# (demo user, endpoints of the pages that user spends the day on, the widths they use)
BOTH, DESKTOP = ("desktop", "phone"), ("desktop",)
PAGES = [
    ("ctxh.nhanvien", ["main.home", "cases.tasks", "cases.mine", "clients.search", "intake.new", "case"], BOTH),
    ("ntl.tamlanh", ["main.home", "shelter.board", "shelter.admit"], BOTH),
    (
        "ctxh.giamsat",
        ["main.home", "cases.caseload", "cases.facility", "plans.approvals", "audit.events", "case"],
        DESKTOP,
    ),
    ("ctxh.baocao", ["main.home", "reports.statistics"], DESKTOP),
    ("ctxh.quantri", ["main.home", "auth.users"], DESKTOP),
]
CASES = [
    pytest.param(username, endpoints, width, id=f"{username}-{width}")
    for username, endpoints, widths in PAGES
    for width in widths
]


def _paths(app, username, endpoints):
    with app.app_context(), app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        paths = []
        for endpoint in endpoints:
            if endpoint == "case":  # a case of the user's facility (the demo's first)
                case_id = db.session.scalar(
                    sa.select(Case.id).where(Case.facility_id == user.facility_id).order_by(Case.id).limit(1)
                )
                paths.append(url_for("cases.show", case_id=case_id))
            else:
                paths.append(url_for(endpoint))
        db.session.remove()
        return paths


def _violations(page):
    page.evaluate(AXE_SOURCE + ";0")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{n['target'][0]}: {n['failureSummary']}" for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("username,endpoints,width", CASES)
def test_main_pages_of_each_role_have_no_serious_accessibility_violation(
    request, live_server, login_as, username, endpoints, width
):
    page = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    login_as(page, username)
    found = {}
    for path in _paths(live_server.app, username, endpoints):
        response = page.goto(path)
        assert response.status == 200, path
        violations = _violations(page)
        if violations:
            found[path] = violations
    assert not found, "\n".join(f"{path}: {v}" for path, violations in found.items() for v in violations)
