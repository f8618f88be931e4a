"""The case status machine: the steps of TT 02/2020/TT-BLĐTBXH (step 0 intake, steps 1–5), the
allowed transitions in one table, and the one service that moves a case between them."""

from flask_babel import gettext as _

from ...audit.services import record
from ...core.services import ServiceError
from ...core.timeutil import utcnow
from ..services import add_event
from ..statuses import CaseStatus

# from-status → statuses it may move to. Closing goes through the closure approval
# (CLOSURE_ONLY_VIA_APPROVAL); "transferred" through an accepted transfer.
_ENDS = {CaseStatus.CLOSED, CaseStatus.TRANSFERRED}
TRANSITIONS: dict[CaseStatus, set[CaseStatus]] = {
    CaseStatus.INTAKE: {CaseStatus.ASSESSMENT, *_ENDS},
    CaseStatus.ASSESSMENT: {CaseStatus.PLANNING, *_ENDS},
    CaseStatus.PLANNING: {CaseStatus.IMPLEMENTATION, CaseStatus.ASSESSMENT, *_ENDS},
    CaseStatus.IMPLEMENTATION: {CaseStatus.REVIEW, *_ENDS},
    CaseStatus.REVIEW: {CaseStatus.IMPLEMENTATION, CaseStatus.PLANNING, CaseStatus.ASSESSMENT, *_ENDS},
    CaseStatus.CLOSED: {CaseStatus.REVIEW},  # reopening, with a reason
    CaseStatus.TRANSFERRED: set(),
}
GUARDED = {CaseStatus.CLOSED: "closure_approval", CaseStatus.TRANSFERRED: "transfer_accepted"}
REOPEN_TO = CaseStatus.REVIEW


def allowed_next(status):
    return sorted(TRANSITIONS.get(status, set()) - set(GUARDED))


def change_status(case, to_status, *, by, reason=None, via=None, at=None):
    """Move the case to `to_status` if the table allows it; record who, when and why."""
    from_status = case.status
    if to_status == from_status:
        return case
    if to_status not in TRANSITIONS.get(from_status, set()):
        raise ServiceError(_("A case cannot move from this step to the chosen one."), field="to_status")
    if to_status in GUARDED and via != GUARDED[to_status]:
        raise ServiceError(_("Closing or transferring a case needs the supervisor's approval."), field="to_status")
    if from_status == CaseStatus.CLOSED and not (reason and reason.strip()):
        raise ServiceError(_("Give the reason for reopening the case."), field="reason")
    at = at or utcnow()
    case.status = to_status
    case.updated_at = at
    if to_status == CaseStatus.CLOSED:
        case.closed_at = at
    elif from_status == CaseStatus.CLOSED:
        case.closed_at = None
    kind = "reopened" if from_status == CaseStatus.CLOSED else "status"
    add_event(case, kind, by=by, text=reason, from_status=from_status, to_status=to_status, at=at)
    record("case_status_changed", by=by, entity=case, detail={"from": from_status, "to": to_status, "via": via})
    return case


def reopen(case, *, reason, by):
    if case.status != CaseStatus.CLOSED:
        raise ServiceError(_("Only a closed case can be reopened."))
    return change_status(case, REOPEN_TO, by=by, reason=reason)
