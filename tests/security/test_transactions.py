"""One transaction per request (core.transaction): the request's end commits once on success, an
exception or an error page rolls back, a refused service re-renders its form with what the user typed,
deny() keeps nothing but its audit row, and no views module commits."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Blueprint, render_template_string, request
from sqlalchemy import event
from sqlalchemy.orm import Session
from wtforms import StringField

from caseapp.audit.models import AuditEvent
from caseapp.audit.services import record
from caseapp.core.forms import BaseForm
from caseapp.core.services import ServiceError
from caseapp.core.transaction import saving
from caseapp.extensions import db
from caseapp.security.policy import Perm
from caseapp.security.web import deny, requires

from .conftest import sign_in

ROOT = Path(__file__).resolve().parents[2] / "caseapp"


class NameForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField()


def _routes():
    bp = Blueprint("transaction_test", __name__)

    @bp.post("/test-only/write-then-fail")
    @requires(Perm.USE_APP)
    def write_then_fail():
        record("transaction_test_written", by=None)
        db.session.flush()
        raise RuntimeError("the view failed after the service wrote")

    @bp.post("/test-only/write")
    @requires(Perm.USE_APP)
    def write():
        record("transaction_test_written", by=None)
        return "saved"

    @bp.post("/test-only/refused")
    @requires(Perm.USE_APP)
    def refused():
        form = NameForm()
        with saving(form) as saved:
            record("transaction_test_written", by=None)  # the service wrote, then refused
            db.session.flush()
            raise ServiceError("Tên này đã có người dùng.", field="name")
        assert not saved
        return render_template_string(
            '<input name="name" value="{{ form.name.data }}">{% for e in form.name.errors %}<p>{{ e }}</p>{% endfor %}',
            form=form,
        ), 422

    @bp.post("/test-only/write-then-deny")
    @requires(Perm.USE_APP)
    def write_then_deny():
        record("transaction_test_written", by=None)
        db.session.flush()
        deny("transaction_test")

    @bp.post("/test-only/error-page-after-write")
    @requires(Perm.USE_APP)
    def error_page_after_write():
        record("transaction_test_written", by=None)
        return "refused", int(request.args.get("status", 422))

    return bp


def _count(session, action):
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action))


@pytest.fixture()
def signed_client(make_app, make_user):
    other = make_app(blueprints=[_routes()], PROPAGATE_EXCEPTIONS=False)
    client = other.test_client()
    user = make_user("social_worker")
    sign_in(client, user)
    client.user = user
    return client


@pytest.fixture()
def commits(session):
    """The commits of every session from here on (each request has a session of its own)."""
    done = []

    def listener(_session):
        done.append(1)

    event.listen(Session, "after_commit", listener)
    yield done
    event.remove(Session, "after_commit", listener)


def test_a_post_that_raises_after_the_service_wrote_rolls_back_everything(signed_client, session):
    response = signed_client.post("/test-only/write-then-fail")
    assert response.status_code == 500
    assert _count(session, "transaction_test_written") == 0


def test_a_successful_post_is_committed_once_by_the_request(signed_client, session, commits):
    response = signed_client.post("/test-only/write")
    assert response.status_code == 200
    assert len(commits) == 1
    assert _count(session, "transaction_test_written") == 1


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_an_error_page_keeps_nothing_the_request_wrote(signed_client, session, status):
    response = signed_client.post(f"/test-only/error-page-after-write?status={status}")
    assert response.status_code == status
    assert _count(session, "transaction_test_written") == 0


def test_a_refused_service_re_renders_the_form_with_the_typed_input_and_message(signed_client, session):
    response = signed_client.post("/test-only/refused", data={"name": "Nguyễn Văn Gõ"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Nguyễn Văn Gõ"' in page
    assert "Tên này đã có người dùng." in page
    assert _count(session, "transaction_test_written") == 0


def test_deny_keeps_its_audit_row_and_nothing_else(signed_client, session):
    response = signed_client.post("/test-only/write-then-deny")
    assert response.status_code == 403
    assert _count(session, "transaction_test_written") == 0
    session.expire_all()
    refusals = session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "permission_denied", AuditEvent.user_id == signed_client.user.id
        )
    ).all()
    assert [e.detail["need"] for e in refusals] == ["transaction_test"]


COMMIT = re.compile(r"\.commit\(\)")


def _views_modules():
    return sorted(
        p
        for p in ROOT.rglob("*.py")
        if p.name == "views.py" or p.name.endswith("_views.py") or "views" in p.parent.parts
    )


def test_no_views_module_commits():
    assert _views_modules(), "no views module found: update the scan"
    committing = [
        f"{path.relative_to(ROOT.parent)}:{number}"
        for path in _views_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COMMIT.search(line)
    ]
    assert committing == [], "the request's end commits (core.transaction); views only write"


def test_the_user_loader_and_the_roll_ups_do_not_commit():
    for relative in ("auth/sessions.py", "main/rollups.py", "reports/rollups.py", "security/web.py"):
        assert not COMMIT.search((ROOT / relative).read_text(encoding="utf-8")), relative
