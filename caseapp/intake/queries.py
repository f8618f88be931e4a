"""Reads of intakes and of the people an intake may assign a case to."""

import sqlalchemy as sa

from ..auth.models import User
from ..cases.models import Case
from ..security.policy import Capability
from ..security.scopes import case_scope, colleagues_with, own_facility
from .models import Intake


def assignable_workers(facility_id):
    """Active social workers and supervisors of the facility: who may be assigned a new case."""
    return (
        sa.select(User)
        .where(colleagues_with(Capability.ASSIGNED_AT_INTAKE, facility_id))
        .order_by(User.full_name, User.id)
    )


def intakes_of_client(user, client_id):
    """The client's intakes at the user's facility, newest first — except those that opened a case the
    user may not see (a sealed case's intake tells what the case is about)."""
    case_of_intake = sa.select(Case.id).where(Case.intake_id == Intake.id)
    return (
        sa.select(Intake)
        .where(
            Intake.client_id == client_id,
            own_facility(Intake.facility_id, user),
            sa.or_(~sa.exists(case_of_intake), sa.exists(case_of_intake.where(case_scope(user)))),
        )
        .order_by(Intake.received_at.desc(), Intake.id.desc())
    )
