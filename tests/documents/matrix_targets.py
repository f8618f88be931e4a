"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the case documents
(caseapp/documents/views.py): the intake form of a case assigned to the facility's social worker
(every case-working role sees it), one of another facility, or no such case."""

from .helpers import intake_case


def _case(world, which):
    facility, users = (world.facility, world.users) if which == "own" else (world.other_facility, world.other_users)
    return intake_case(facility, users["social_worker"])


def targets(Target, no_record):
    return {
        "documents.case_document": Target(
            own=lambda w: {"case_id": _case(w, "own").id, "kind": "intake"},
            other=lambda w: {"case_id": _case(w, "other").id, "kind": "intake"},
            missing=lambda w: {"case_id": no_record, "kind": "intake"},
        ),
    }
