"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for a frozen report and its
re-opening: a report frozen for the acting user's facility; for "other", one of a facility in another
province (a reporter reads the frozen reports of their own province's facilities, so another
facility of the same province would be in reach). Likewise a group of communes: one of the user's
province, or of another province."""

import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.org.models import Province
from caseapp.reports import services
from caseapp.reports.periods import make_period

from .. import factories

PERIOD = make_period("quarter", 2026, 1)


def _frozen(facility, supervisor):
    """The facility's frozen report of PERIOD (one per facility and period: made once per world)."""
    from caseapp.reports import queries

    return queries.frozen_snapshot(facility.id, PERIOD) or services.freeze_report(facility, PERIOD, by=supervisor)


def _other_province_report(world):
    code = _other_province(world)
    facility = factories.make_facility(province_code=code, name="Trung tâm tỉnh khác")
    supervisor = factories.make_user(role="supervisor", facility=facility)
    return _frozen(facility, supervisor)


def targets(Target, no_record):
    report = Target(
        own=lambda w: {"snapshot_id": _frozen(w.facility, w.users["supervisor"]).id},
        other=lambda w: {"snapshot_id": _other_province_report(w).id},
        missing=lambda w: {"snapshot_id": no_record},
    )
    return {
        "reports.show_period": report,
        "reports.reopen": report,
        **job_targets(Target, no_record),
        **group_targets(Target, no_record),
        **reference_targets(Target, no_record),
        **yearly_targets(Target, no_record),
    }


def _yearly_draft(facility, supervisor):
    from caseapp.reports import yearly

    return yearly.create_draft({"year": 2026, "scope": "facility", "title": "Báo cáo năm 2026"}, by=supervisor)


def yearly_targets(Target, no_record):
    """A draft yearly report of the acting user's facility; for "other", one of the other facility."""
    draft = Target(
        own=lambda w: {"report_id": _yearly_draft(w.facility, w.users["supervisor"]).id},
        other=lambda w: {"report_id": _yearly_draft(w.other_facility, w.other_users["supervisor"]).id},
        missing=lambda w: {"report_id": no_record},
    )
    endpoints = ("show_yearly_report", "edit_yearly_report", "issue_yearly_report", "yearly_report_pdf")
    return {f"reports.{endpoint}": draft for endpoint in (*endpoints, "yearly_report_docx")}


def _pending_reference(province_code):
    """A reference number of the province entered by one of its reporters, waiting for confirmation."""
    facility = factories.make_facility(province_code=province_code)
    reporter = factories.make_user(role="reporter", facility=facility)
    return services.set_reference_value(province_code, 2026, "ind2_staff_total", 12, "Báo cáo năm", by=reporter)


def reference_targets(Target, no_record):
    """A reference number waiting in the acting user's province; for "other", one of another province
    (the two facilities of the world share a province, and reference numbers belong to a province)."""
    pending = Target(
        own=lambda w: {"value_id": _pending_reference(w.facility.province_code).id},
        other=lambda w: {"value_id": _pending_reference(_other_province(w)).id},
        missing=lambda w: {"value_id": no_record},
    )
    return {"reports.confirm_reference": pending}


def _other_province(world):
    return db.session.scalar(
        sa.select(Province.code).where(Province.code != world.facility.province_code).order_by(Province.code).limit(1)
    )


def _group(province_code, name):
    """A group of two communes of the province (the reporters' of that province manage it)."""
    from caseapp.org.models import Commune
    from caseapp.reports.models import CommuneGroup

    communes = db.session.scalars(
        sa.select(Commune).where(Commune.province_code == province_code).order_by(Commune.code).limit(2)
    ).all()
    group = CommuneGroup(province_code=province_code, name=name, communes=list(communes))
    db.session.add(group)
    db.session.flush()
    return group


def group_targets(Target, no_record):
    """A commune group of the acting user's province; for "other", one of another province (the two
    facilities of the world share a province, and a group belongs to a province)."""
    group = Target(
        own=lambda w: {"group_id": _group(w.facility.province_code, "Huyện cũ của tỉnh").id},
        other=lambda w: {"group_id": _group(_other_province(w), "Huyện cũ tỉnh khác").id},
        missing=lambda w: {"group_id": no_record},
    )
    return {"reports.edit_commune_group": group, "reports.delete_commune_group": group}


def _done_job(facility, supervisor):
    """A report file made by the background job for the facility's supervisor."""
    from caseapp.reports import jobs
    from caseapp.reports.models import ExportJob

    job = services.enqueue_export("csv", {**PERIOD.as_args()}, by=supervisor)
    jobs.run_export_jobs()
    return db.session.get(ExportJob, job.id)


def job_targets(Target, no_record):
    job = Target(
        own=lambda w: {"job_id": _done_job(w.facility, w.users["supervisor"]).id},
        other=lambda w: {"job_id": _done_job(w.other_facility, w.other_users["supervisor"]).id},
        missing=lambda w: {"job_id": no_record},
    )
    return {"reports.download_export": job}
