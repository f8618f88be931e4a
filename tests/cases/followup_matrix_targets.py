"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for follow-ups, contact notes and
attachments: records of a case of the facility assigned to its social worker (every case-working role
of the facility can open it), of a case of another facility, and ids that match nothing."""

from datetime import timedelta

from caseapp.cases.attachments import services as attachments
from caseapp.cases.followups import services as followups
from caseapp.core.timeutil import utcnow

from .. import factories

PDF = b"%PDF-1.4\n%%EOF\n"


def _case(w, which):
    facility, worker = (
        (w.facility, w.users["social_worker"]) if which == "own" else (w.other_facility, w.other_users["social_worker"])
    )
    return factories.make_case(facility, worker=worker, status="implementation"), worker


def targets(Target, NO_RECORD):
    """{endpoint: Target}; the matrix passes its own Target class and missing-record id."""

    def case(which):
        return lambda w: {"case_id": _case(w, which)[0].id}

    def follow_up(which):
        def values(w):
            c, worker = _case(w, which)
            f = followups.schedule_follow_up(c, kind="phone", due_at=utcnow() + timedelta(days=1), by=worker)
            return {"case_id": c.id, "follow_up_id": f.id}

        return values

    def attachment(which):
        def values(w):
            c, worker = _case(w, which)
            a = attachments.add_attachment(c, data=PDF, filename="ma-tran.pdf", by=worker)
            return {"case_id": c.id, "attachment_id": a.id}

        return values

    def missing_follow_up(w):
        return {"case_id": _case(w, "own")[0].id, "follow_up_id": NO_RECORD}

    def missing_attachment(w):
        return {"case_id": _case(w, "own")[0].id, "attachment_id": NO_RECORD}

    case_row = Target(own=case("own"), other=case("other"), missing=lambda w: {"case_id": NO_RECORD})
    follow_up_row = Target(own=follow_up("own"), other=follow_up("other"), missing=missing_follow_up)
    return {
        "cases.new_follow_up": case_row,
        "cases.add_contact": case_row,
        "cases.upload_attachment": case_row,
        "cases.reschedule_follow_up": follow_up_row,
        "cases.follow_up_outcome": follow_up_row,
        "cases.cancel_follow_up": follow_up_row,
        "cases.download_attachment": Target(
            own=attachment("own"), other=attachment("other"), missing=missing_attachment
        ),
    }
