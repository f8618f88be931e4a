"""Report files made outside the request: queued, made by the scheduler's tick with
progress, the user notified, downloadable for 7 days, then deleted."""

import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from caseapp.core.timeutil import utcnow
from caseapp.notifications.models import Notification
from caseapp.reports import jobs
from caseapp.reports.models import ExportJob

from .. import factories
from .conftest import EXPECTED, q1_args


def _queue(client, fmt="xlsx", **extra):
    return client.post("/reports/jobs", data={"fmt": fmt, **q1_args(**extra)})


def test_a_queued_file_is_made_by_the_tick_and_the_user_is_notified(data, signed_in, session):
    client = signed_in(data.reporter)
    assert _queue(client).status_code == 302
    job = session.scalar(sa.select(ExportJob))
    assert (job.status, job.progress, job.user_id) == ("queued", 0, data.reporter.id)
    assert jobs.run_export_jobs() == 1
    session.expire_all()
    job = session.get(ExportJob, job.id)
    assert (job.status, job.progress) == ("done", 100)
    assert job.expires_at - job.finished_at > timedelta(days=6)
    note = session.scalar(
        sa.select(Notification).where(
            Notification.user_id == data.reporter.id, Notification.kind == "report_export_ready"
        )
    )
    assert note is not None and note.params["period"] == "Quý 1/2026"
    listing = client.get("/reports/jobs").get_data(as_text=True)
    assert "Sẵn sàng" in listing
    response = client.get(f"/reports/jobs/{job.id}/download")
    assert response.status_code == 200
    summary = load_workbook(io.BytesIO(response.data))["Tổng hợp"]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True)}
    assert values["Số đối tượng được phục vụ (tiếp nhận hoặc hỗ trợ)"] == EXPECTED["headline"]["served"]


def test_a_second_tick_makes_nothing_again(data, signed_in, session):
    _queue(signed_in(data.supervisor), fmt="csv")
    assert jobs.run_export_jobs() == 1
    assert jobs.run_export_jobs() == 0
    assert (
        session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.kind == "report_export_ready")) == 1
    )


def test_files_expire_after_seven_days(data, signed_in, session):
    client = signed_in(data.supervisor)
    _queue(client, fmt="csv")
    jobs.run_export_jobs()
    job = session.scalar(sa.select(ExportJob))
    key = job.file_path
    assert jobs.export_files().exists(key)
    jobs.run_export_jobs(utcnow() + timedelta(days=8))
    session.expire_all()
    job = session.get(ExportJob, job.id)
    assert job.status == "expired" and not jobs.export_files().exists(key)
    assert client.get(f"/reports/jobs/{job.id}/download").status_code == 404


def test_supervisor_cannot_download_a_report_file_of_other_facility(data, signed_in, session):
    _queue(signed_in(data.supervisor), fmt="csv")
    jobs.run_export_jobs()
    job = session.scalar(sa.select(ExportJob))
    outsider = factories.make_user(role="supervisor", facility=data.other_facility)
    assert signed_in(outsider).get(f"/reports/jobs/{job.id}/download").status_code == 404


def test_an_invalid_period_is_refused_when_queued(data, signed_in, session):
    response = signed_in(data.supervisor).post(
        "/reports/jobs", data={"fmt": "xlsx", "kind": "quarter", "year": "2026", "number": "9"}
    )
    assert response.status_code == 302
    assert session.scalar(sa.select(sa.func.count(ExportJob.id))) == 0
