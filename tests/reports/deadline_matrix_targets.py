"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the report deadlines: a deadline of
the acting user's facility; for "other", one of the other facility (the same province: a deadline is a
facility's own, whoever reads the province's reports)."""

from caseapp.extensions import db
from caseapp.reports.models import ReportDeadline


def _deadline(facility):
    deadline = ReportDeadline(
        facility_id=facility.id,
        title="Báo cáo thống kê 6 tháng",
        report_kind="statistics",
        recipient="Sở Y tế",
        due_month=6,
        due_day=20,
        active=True,
    )
    db.session.add(deadline)
    db.session.flush()
    return deadline


def targets(Target, no_record):
    deadline = Target(
        own=lambda w: {"deadline_id": _deadline(w.facility).id},
        other=lambda w: {"deadline_id": _deadline(w.other_facility).id},
        missing=lambda w: {"deadline_id": no_record},
    )
    endpoints = ("edit_deadline", "stop_deadline", "restart_deadline", "mark_deadline_sent")
    return {f"reports.{endpoint}": deadline for endpoint in endpoints}
