"""Reads of intakes and of the people an intake may assign a case to."""
import sqlalchemy as sa

from ..auth.models import User
from ..cases.models import Case
from ..security import Role, case_scope
from .models import Intake

ASSIGNABLE_ROLES = (Role.SOCIAL_WORKER.value, Role.SUPERVISOR.value)


def assignable_workers(facility_id):
    """Active social workers and supervisors of the facility: who may be assigned a new case."""
    return (sa.select(User).where(User.facility_id == facility_id, User.active.is_(True),
                                  User.role.in_(ASSIGNABLE_ROLES))
            .order_by(User.full_name, User.id))


def intakes_of_client(user, client_id):
    """The client's intakes at the user's facility, newest first — except those that opened a case the
    user may not see (a sealed case's intake tells what the case is about)."""
    case_of_intake = sa.select(Case.id).where(Case.intake_id == Intake.id)
    return (sa.select(Intake)
            .where(Intake.client_id == client_id, Intake.facility_id == user.facility_id,
                   sa.or_(~sa.exists(case_of_intake), sa.exists(case_of_intake.where(case_scope(user)))))
            .order_by(Intake.received_at.desc(), Intake.id.desc()))
