"""The workflow's part of the case page: the steps, the step form, the closure requests."""

from dataclasses import dataclass, field

from ...approvals import services as approvals
from ...core import categories as cat
from ...core.sql import prebuilt
from ...extensions import db
from ...security.rules import can_edit_case, can_steer_case
from ..statuses import ApprovalStatus, CaseStatus
from . import closure
from .forms import MoveForm
from .services import allowed_next

# The steps of TT 02/2020/TT-BLĐTBXH in their order (step 0 intake, steps 1–5), for the step list.
STEP_ORDER = ("intake", "assessment", "planning", "implementation", "review", "closed")


@dataclass
class WorkflowSection:
    """What templates/cases/_workflow.html shows (it runs no query)."""

    case: object
    steps: list
    can_steer: bool = False
    can_edit_details: bool = False
    move_form: object = None
    pending: object = None  # the closure request waiting for a decision
    returned: object = None  # the last closure request, returned with a comment
    can_decide: bool = False
    can_request_closure: bool = False
    can_reopen: bool = False
    history: list = field(default_factory=list)


def workflow_section(case, user):
    """The case page's workflow section for `user` (one query: the closure requests and decisions)."""
    history = db.session.scalars(*prebuilt(closure.closure_history, case_id=case.id)).unique().all()
    pending = next((a for a in history if a.status == ApprovalStatus.PENDING), None)
    returned = history[0] if history and history[0].status == ApprovalStatus.RETURNED else None
    steer = can_steer_case(user, case)
    is_open = case.is_open
    next_steps = allowed_next(case.status) if is_open else []
    move_form = None
    if steer and is_open and pending is None and next_steps:
        move_form = MoveForm(formdata=None, steps=next_steps)
    steps = [(code, cat.label(cat.CASE_STATUSES, code)) for code in STEP_ORDER]
    return WorkflowSection(
        case=case,
        steps=steps,
        can_steer=steer,
        can_edit_details=is_open and can_edit_case(user, case),
        move_form=move_form,
        pending=pending,
        returned=returned,
        history=history,
        can_decide=pending is not None and approvals.refusal_reason(pending, user, author_id=None) is None,
        can_request_closure=steer and is_open and pending is None,
        can_reopen=steer and case.status == CaseStatus.CLOSED,
    )
