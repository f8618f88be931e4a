"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for a frozen report and its
re-opening: a report frozen for the acting user's facility; for "other", one of a facility in another
province (a reporter reads the frozen reports of their own province's facilities, so another
facility of the same province would be in reach)."""

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
    code = db.session.scalar(
        sa.select(Province.code).where(Province.code != world.facility.province_code).order_by(Province.code).limit(1)
    )
    facility = factories.make_facility(province_code=code, name="Trung tâm tỉnh khác")
    supervisor = factories.make_user(role="supervisor", facility=facility)
    return _frozen(facility, supervisor)


def targets(Target, no_record):
    report = Target(
        own=lambda w: {"snapshot_id": _frozen(w.facility, w.users["supervisor"]).id},
        other=lambda w: {"snapshot_id": _other_province_report(w).id},
        missing=lambda w: {"snapshot_id": no_record},
    )
    return {"reports.show_period": report, "reports.reopen": report, **job_targets(Target, no_record)}


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
