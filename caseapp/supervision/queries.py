"""Reads of supervision: each takes the acting user and returns a select() inside their scope."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..auth.models import User
from ..cases.caseload.models import CaseFlag
from ..cases.models import Case
from ..core.timeutil import utcnow
from ..security.policy import Capability
from ..security.scopes import case_scope, colleagues_with, own_facility, supervision_session_scope
from .models import CaseConference, ConferenceDecision, ConferenceParticipant, SupervisionAction, SupervisionSession

RECENT_CONFERENCE_DAYS = 30  # the caseload review lists the conferences of the last 30 days
RECENT_CONFERENCE_LIMIT = 20


def sessions(user):
    """The sessions the user may open (newest first by id: the list's keyset), with their people."""
    return (
        sa.select(SupervisionSession)
        .where(supervision_session_scope(user))
        .options(
            joinedload(SupervisionSession.supervisor).lazyload(User.facility), selectinload(SupervisionSession.workers)
        )
    )


def session_page(user, session_id):
    """One session with what its page shows: people, cases discussed, actions and their flags."""
    return (
        sa.select(SupervisionSession)
        .where(SupervisionSession.id == session_id, supervision_session_scope(user))
        .options(
            joinedload(SupervisionSession.supervisor).lazyload(User.facility),
            selectinload(SupervisionSession.workers).lazyload(User.facility),
            selectinload(SupervisionSession.cases),
            selectinload(SupervisionSession.actions)
            .joinedload(SupervisionAction.flag)
            .options(joinedload(CaseFlag.to_user).lazyload(User.facility), lazyload(CaseFlag.raised_by)),
        )
    )


def session_workers(user):
    """Who takes part in a session and owns its actions: the facility's active case workers."""
    return (
        sa.select(User)
        .where(colleagues_with(Capability.HOLDS_CASELOAD, user.facility_id))
        .options(lazyload(User.facility))
        .order_by(User.full_name, User.id)
    )


def conference_staff(user):
    """Who of the facility may sit in a case conference: its active staff who work cases."""
    return (
        sa.select(User)
        .where(colleagues_with(Capability.TAKES_CASE_TASKS, user.facility_id))
        .options(lazyload(User.facility))
        .order_by(User.full_name, User.id)
    )


def cases_by_number(user, numbers):
    """The cases of the user's facility and case scope with these numbers."""
    return sa.select(Case).where(Case.number.in_(numbers), own_facility(Case.facility_id, user), case_scope(user))


def conferences_of_case(case_id):
    """The conferences of a case already loaded in the user's scope (security.web.load_case)."""
    return (
        sa.select(CaseConference)
        .where(CaseConference.case_id == case_id)
        .options(joinedload(CaseConference.chaired_by).lazyload(User.facility), selectinload(CaseConference.decisions))
        .order_by(CaseConference.held_at.desc(), CaseConference.id.desc())
    )


def conference_page(case_id, conference_id):
    """One conference of a case already loaded in the user's scope, with everything its page and its
    minute print."""
    return (
        sa.select(CaseConference)
        .where(CaseConference.id == conference_id, CaseConference.case_id == case_id)
        .options(
            joinedload(CaseConference.chaired_by).lazyload(User.facility),
            selectinload(CaseConference.participants).joinedload(ConferenceParticipant.user).lazyload(User.facility),
            selectinload(CaseConference.decisions)
            .joinedload(ConferenceDecision.flag)
            .options(joinedload(CaseFlag.to_user).lazyload(User.facility), lazyload(CaseFlag.raised_by)),
        )
    )


def recent_conferences(user):
    """The caseload review: the facility's conferences of the last RECENT_CONFERENCE_DAYS days on the
    cases the user may open, newest first, with the case number."""
    since = utcnow() - timedelta(days=RECENT_CONFERENCE_DAYS)
    return (
        sa.select(CaseConference, Case.number)
        .join(Case, Case.id == CaseConference.case_id)
        .where(own_facility(CaseConference.facility_id, user), case_scope(user), CaseConference.held_at >= since)
        .options(joinedload(CaseConference.chaired_by).lazyload(User.facility), selectinload(CaseConference.decisions))
        .order_by(CaseConference.held_at.desc(), CaseConference.id.desc())
        .limit(RECENT_CONFERENCE_LIMIT)
    )
