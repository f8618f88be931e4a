"""The vocabularies stored in the case tables' status and kind columns.

Each is a StrEnum: a member equals its stored string, so the columns stay plain VARCHARs, rows read
back as str compare equal to the members, and templates may compare with the string itself.
"""

from enum import StrEnum


class CaseStatus(StrEnum):
    """The steps of case management (Thông tư 02/2020/TT-BLĐTBXH: step 0 intake, steps 1–5)."""

    INTAKE = "intake"
    ASSESSMENT = "assessment"
    PLANNING = "planning"
    IMPLEMENTATION = "implementation"
    REVIEW = "review"
    CLOSED = "closed"
    TRANSFERRED = "transferred"


# The steps a case is worked on in: the lists' "open" filter, the caseload, the deadline engine.
OPEN_STATUSES = (
    CaseStatus.INTAKE,
    CaseStatus.ASSESSMENT,
    CaseStatus.PLANNING,
    CaseStatus.IMPLEMENTATION,
    CaseStatus.REVIEW,
)
# A closed or transferred case is no longer worked on here: read-only until reopened.
ENDED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.TRANSFERRED})


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class ApprovalSubject(StrEnum):
    """What a supervisor approves."""

    ASSESSMENT = "assessment"
    PLAN = "plan"
    CLOSURE = "closure"


class FollowUpKind(StrEnum):
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    MEETING = "meeting"


class GrantKind(StrEnum):
    """Why a user may open a case beyond the default scope."""

    SHARED = "shared"  # shared by a supervisor
    BREAK_GLASS = "break_glass"  # emergency access with a reason, reviewed afterwards
