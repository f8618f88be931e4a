"""The case page's assessment-and-plan section: caseapp.plans.queries.case_section(case, user) reads
what templates/plans/_case_section.html shows in four queries, and the partial runs none."""

from contextlib import contextmanager

import sqlalchemy as sa
from flask import render_template
from sqlalchemy import event

from caseapp.approvals.models import Approval
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.queries import case_section

from .conftest import approved_assessment, plan_data


@contextmanager
def _counting():
    """The statements the database runs in the block (savepoint bookkeeping left out)."""
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _render(app, section):
    with app.test_request_context():
        return render_template("plans/_case_section.html", plans_section=section)


def test_the_section_reads_in_four_queries_and_renders_without_any(app, people, case):
    approved_assessment(case, people.worker, risk="high")
    approved_assessment(case, people.worker, risk="medium")
    first = services.create_plan(case, plan_data(), by=people.worker, submit=True)
    approval = db.session.scalar(sa.select(Approval).where(Approval.subject_id == first.id))
    from caseapp.approvals.services import decide

    decide(approval, approve=True, comment=None, by=people.supervisor)
    services.create_plan(case, plan_data(), by=people.worker, submit=True)
    db.session.flush()
    db.session.expire_all()
    assert case.status  # the case page has its case loaded already

    with _counting() as statements:
        section = case_section(case, people.supervisor)
    assert len(statements) == 4  # assessments, plans, approvals, the goals of the plan in force
    with _counting() as statements:
        page = _render(app, section)
    assert statements == []
    assert "Phiên bản 2" in page and "Nguy cơ: Trung bình" in page
    assert "Chờ phê duyệt" in page and "Rà soát tiếp theo" in page
    assert "Chưa ghi nhận kết quả." in page  # the goal of the plan in force, with its outcome form
    assert "Đang chờ bạn quyết định" in page  # the supervisor did not write or request it
    assert [a.subject_type for a in section.decidable] == ["plan"]
    assert section.current_plan.id == first.id and section.open_plan.version_no == 2


def test_the_section_offers_the_next_step(app, people, case):
    page = _render(app, case_section(case, people.worker))
    assert "Chưa có đánh giá nhu cầu." in page and f"/cases/{case.id}/assessments/new" in page
    approved_assessment(case, people.worker)
    page = _render(app, case_section(case, people.worker))
    assert f"/cases/{case.id}/plans/new" in page and "Lập kế hoạch trợ giúp" in page
    assert "Đang chờ bạn quyết định" not in page
    # a reporter gets no buttons (and never reaches the case page anyway)
    page = _render(app, case_section(case, people.reporter))
    assert "/assessments/new" not in page


def test_a_returned_plan_shows_the_supervisors_comment(app, people, case):
    from caseapp.approvals.services import decide

    approved_assessment(case, people.worker)
    plan = services.create_plan(case, plan_data(), by=people.worker, submit=True)
    decide(
        db.session.scalar(sa.select(Approval).where(Approval.subject_id == plan.id)),
        approve=False,
        comment="Thiếu kế hoạch an toàn",
        by=people.supervisor,
    )
    page = _render(app, case_section(case, people.worker))
    assert "Thiếu kế hoạch an toàn" in page and f"/plans/{plan.id}/edit" in page
