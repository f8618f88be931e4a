"""The access-matrix table: how to reach a real record behind each endpoint with URL parameters.

A later feature that adds an endpoint with URL parameters (/cases/<id> …) adds a row to TARGETS;
test_access_matrix.py derives every case (anonymous, each role, other facility, no such record)
from app.url_map, ROLE_PERMS and this table, and fails while an endpoint has no row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import config
from caseapp import create_app
from caseapp.security.policy import Role
from caseapp.security.web import PUBLIC_ENDPOINTS

from .. import factories

NO_RECORD = 2_000_000_000  # an id no test row has
ROLES = [role.value for role in Role]


@dataclass
class World:
    """Two facilities with one user of every role in each. A row needing more records (a case,
    a client …) creates them in its own `own`/`other` function from `world.facility`."""

    facility: object
    other_facility: object
    users: dict = field(default_factory=dict)  # role → user of `facility`
    other_users: dict = field(default_factory=dict)  # role → user of `other_facility`

    @classmethod
    def build(cls, facility, other_facility):
        world = cls(facility=facility, other_facility=other_facility)
        for role in ROLES:
            world.users[role] = factories.make_user(role=role, facility=facility)
            world.other_users[role] = factories.make_user(role=role, facility=other_facility)
        return world


def _case(facility, worker):
    return factories.make_case(facility, worker=worker)


def _session_of(user):
    """The id of a live sign-in session of `user`."""
    import sqlalchemy as sa

    from caseapp.auth.models import UserSession
    from caseapp.auth.services import session_token_hash, start_session
    from caseapp.extensions import db

    token = start_session(user)
    db.session.flush()
    return db.session.scalar(sa.select(UserSession.id).where(UserSession.token_hash == session_token_hash(token)))


def _stay(facility, worker):
    """An open shelter stay (no bed) of an emergency case assigned to `worker`."""
    from datetime import timedelta

    from caseapp.cases.services import open_case
    from caseapp.clients.models import Client
    from caseapp.core.timeutil import utcnow
    from caseapp.extensions import db
    from caseapp.shelter.models import ShelterStay

    person = Client(
        facility_id=facility.id,
        code=f"TAM-{facility.code}-2026-{next(factories._seq):05d}",
        alias="Người tạm lánh",
        search_name="nguoi tam lanh",
    )
    db.session.add(person)
    db.session.flush()
    case = open_case(
        facility=facility,
        client=person,
        case_type="emergency_shelter",
        urgency="high",
        by=worker,
        assigned_worker_id=worker.id,
    )
    stay = ShelterStay(
        facility_id=facility.id,
        client_id=person.id,
        case_id=case.id,
        admitted_at=utcnow(),
        planned_end_at=utcnow() + timedelta(days=30),
    )
    db.session.add(stay)
    db.session.flush()
    return stay


def _stay_target():
    return Target(
        own=lambda w: {"stay_id": _stay(w.facility, w.users["shelter_staff"]).id},
        other=lambda w: {"stay_id": _stay(w.other_facility, w.other_users["shelter_staff"]).id},
        missing=lambda w: {"stay_id": NO_RECORD},
    )


def _client_records(facility):
    """A client of the facility (not sealed: every case-working role may open it), with one family
    member and one consent."""
    from caseapp.clients.models import Consent, FamilyMember
    from caseapp.clients.services import create_client
    from caseapp.extensions import db

    client = create_client({"full_name": "Nguyễn Văn Khách"}, facility=facility, by=None)
    member = FamilyMember(client_id=client.id, full_name="Nguyễn Thị Mẹ", relationship="mother")
    consent = Consent(client_id=client.id, purpose="reports", given_by="client")
    db.session.add_all([member, consent])
    db.session.flush()
    membership = factories.make_membership(client, "bt_elderly")
    return {"client_id": client.id, "member_id": member.id, "consent_id": consent.id, "membership_id": membership.id}


def _client_target(*keys):
    keys = ("client_id",) + keys
    return Target(
        own=lambda w: {k: v for k, v in _client_records(w.facility).items() if k in keys},
        other=lambda w: {k: v for k, v in _client_records(w.other_facility).items() if k in keys},
        missing=lambda w: {k: NO_RECORD for k in keys},
    )


@dataclass(frozen=True)
class Target:
    """How to reach records of an endpoint with URL parameters: each returns url_for() values."""

    own: Callable[[World], dict]  # a record of the acting user's facility
    other: Callable[[World], dict] | None = None  # a record of another facility
    missing: Callable[[World], dict] | None = None  # values that match no record


TARGETS = {
    "auth.edit_user": Target(
        own=lambda w: {"user_id": w.users["social_worker"].id},
        other=lambda w: {"user_id": w.other_users["social_worker"].id},
        missing=lambda w: {"user_id": NO_RECORD},
    ),
    "auth.reset_password": Target(
        own=lambda w: {"user_id": w.users["social_worker"].id},
        other=lambda w: {"user_id": w.other_users["social_worker"].id},
        missing=lambda w: {"user_id": NO_RECORD},
    ),
    "auth.reset_two_factor": Target(  # a supervisor: the role always has a second factor to reset
        own=lambda w: {"user_id": w.users["supervisor"].id},
        other=lambda w: {"user_id": w.other_users["supervisor"].id},
        missing=lambda w: {"user_id": NO_RECORD},
    ),
    "auth.end_user_sessions": Target(
        own=lambda w: {"user_id": w.users["social_worker"].id},
        other=lambda w: {"user_id": w.other_users["social_worker"].id},
        missing=lambda w: {"user_id": NO_RECORD},
    ),
    "auth.end_session": Target(  # a session of someone else, whatever the facility, answers 404
        own=lambda w: {"session_id": _session_of(w.users["social_worker"])},
        other=lambda w: {"session_id": _session_of(w.other_users["social_worker"])},
        missing=lambda w: {"session_id": NO_RECORD},
    ),
    "auth.facility_two_factor": Target(
        own=lambda w: {"facility_id": w.facility.id},
        other=lambda w: {"facility_id": w.other_facility.id},
        missing=lambda w: {"facility_id": NO_RECORD},
    ),
    "org.edit_facility": Target(
        own=lambda w: {"facility_id": w.facility.id},
        other=lambda w: {"facility_id": w.other_facility.id},
        missing=lambda w: {"facility_id": NO_RECORD},
    ),
    "org.communes": Target(own=lambda w: {"province_code": w.facility.province_code}),
    # cases: a case assigned to the facility's social worker (so each case-working role may open it)
    "cases.show": Target(
        own=lambda w: {"case_id": _case(w.facility, w.users["social_worker"]).id},
        other=lambda w: {"case_id": _case(w.other_facility, w.other_users["social_worker"]).id},
        missing=lambda w: {"case_id": NO_RECORD},
    ),
    "cases.add_note": Target(
        own=lambda w: {"case_id": _case(w.facility, w.users["social_worker"]).id},
        other=lambda w: {"case_id": _case(w.other_facility, w.other_users["social_worker"]).id},
        missing=lambda w: {"case_id": NO_RECORD},
    ),
    # shelter: stays of the facility (any other facility's stay → 404); completing an emergency intake
    "shelter.check_in": _stay_target(),
    "shelter.check_out": _stay_target(),
    "shelter.extend_stay": _stay_target(),
    "shelter.complete_intake": Target(  # the case of a stay, assigned to the social worker: every case role sees it
        own=lambda w: {"case_id": _stay(w.facility, w.users["social_worker"]).case_id},
        other=lambda w: {"case_id": _stay(w.other_facility, w.other_users["social_worker"]).case_id},
        missing=lambda w: {"case_id": NO_RECORD},
    ),
    # clients: the client page and its edit pages (family members, consents) — another facility's → 404
    "clients.show": _client_target(),
    "clients.edit": _client_target(),
    "clients.add_family": _client_target(),
    "clients.edit_family": _client_target("member_id"),
    "clients.remove_family": _client_target("member_id"),
    "clients.withdraw_consent": _client_target("consent_id"),
    "register.add_membership": _client_target(),
    "register.show_membership": _client_target("membership_id"),
    "register.change_membership": _client_target("membership_id"),
    # the intake of a known client (?client_id=…; without it the page sends to search-before-create)
    "intake.new": _client_target(),
}

# The routes are read from an app built at collection time (listing them needs no database).
ROUTES_APP = create_app(config.TestConfig())


def guarded_rules():
    """(rule, method, required permission) of every non-public endpoint, for GET and POST."""
    for rule in sorted(ROUTES_APP.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        perm = ROUTES_APP.view_functions[rule.endpoint].required_perm
        for method in sorted({"GET", "POST"} & rule.methods):
            yield rule, method, perm


def url_values(endpoint, world, which="own"):
    target = TARGETS.get(endpoint)
    return getattr(target, which)(world) if target else {}


# --- referrals: directory, referrals, transfers (tests/referrals/helpers.py makes the records) --------


def _referral_targets():
    from ..referrals import helpers as r

    def case(w, other=False):
        return r.open_client_case(
            w.other_facility if other else w.facility, (w.other_users if other else w.users)["social_worker"]
        )

    def referral(w, other=False):
        c = case(w, other)
        return r.make_referral(c, r.make_provider(c_facility(w, other).province_code), c_worker(w, other))

    def c_facility(w, other):
        return w.other_facility if other else w.facility

    def c_worker(w, other):
        return (w.other_users if other else w.users)["social_worker"]

    def to_facility(w, receiver_is_other):
        """A referral to the directory entry of a facility, sent by the other one."""
        sender_other = not receiver_is_other
        return r.make_referral(
            case(w, sender_other), r.facility_provider(c_facility(w, receiver_is_other)), c_worker(w, sender_other)
        )

    def transfer(w, receiver_is_other):
        sender_other = not receiver_is_other
        return r.make_transfer(case(w, sender_other), c_facility(w, receiver_is_other), c_worker(w, sender_other))

    case_target = Target(
        own=lambda w: {"case_id": case(w).id},
        other=lambda w: {"case_id": case(w, True).id},
        missing=lambda w: {"case_id": NO_RECORD},
    )
    referral_target = Target(
        own=lambda w: {"referral_id": referral(w).id},
        other=lambda w: {"referral_id": referral(w, True).id},
        missing=lambda w: {"referral_id": NO_RECORD},
    )
    return {
        # the shared directory is read by every facility: another province's entry is refused (403), not
        # hidden; an outside organisation another facility added for itself is not found (404)
        "referrals.edit_provider": Target(
            own=lambda w: {"provider_id": r.make_provider(w.facility.province_code).id},
            other=lambda w: {"provider_id": r.outside_provider(w.other_facility).id},
            missing=lambda w: {"provider_id": NO_RECORD},
        ),
        "referrals.decide_provider": Target(
            own=lambda w: {"provider_id": r.proposed_provider(w.facility, w.users["social_worker"]).id},
            other=lambda w: {"provider_id": r.proposed_provider(w.other_facility, w.other_users["social_worker"]).id},
            missing=lambda w: {"provider_id": NO_RECORD},
        ),
        "referrals.new_referral": case_target,
        "referrals.transfer": case_target,
        "referrals.show": referral_target,
        "referrals.change_status": referral_target,
        "referrals.incoming_referral": Target(
            own=lambda w: {"referral_id": to_facility(w, False).id},
            other=lambda w: {"referral_id": to_facility(w, True).id},
            missing=lambda w: {"referral_id": NO_RECORD},
        ),
        "referrals.decide_transfer": Target(
            own=lambda w: {"transfer_id": transfer(w, False).id},
            other=lambda w: {"transfer_id": transfer(w, True).id},
            missing=lambda w: {"transfer_id": NO_RECORD},
        ),
        "referrals.cancel_transfer": Target(
            own=lambda w: {"transfer_id": transfer(w, True).id},
            other=lambda w: {"transfer_id": transfer(w, False).id},
            missing=lambda w: {"transfer_id": NO_RECORD},
        ),
    }


TARGETS.update(_referral_targets())


def _plans_targets():
    """Assessment, plan and approval pages (rows in tests/plans/matrix_targets.py)."""
    from ..plans.matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_plans_targets())


def _workflow_targets():
    """The case's workflow pages: steps, closure, reopening, details (tests/cases/workflow_matrix_targets.py)."""
    from ..cases.workflow_matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_workflow_targets())


def _followup_targets():
    """Follow-ups, contact notes and attachments of a case (tests/cases/followup_matrix_targets.py)."""
    from ..cases.followup_matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_followup_targets())


def _caseload_targets():
    """The caseload review: reassigning, flags, notifications (tests/cases/caseload_matrix_targets.py)."""
    from ..cases.caseload_matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_caseload_targets())


def _access_targets():
    """Break the glass, sharing, and revoking / reviewing an access (tests/security/access_matrix_targets.py)."""
    from .access_matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_access_targets())


def _documents_targets():
    """The case documents as PDF (tests/documents/matrix_targets.py)."""
    from ..documents.matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_documents_targets())


def _reports_targets():
    """A frozen report and its re-opening (tests/reports/matrix_targets.py)."""
    from ..reports.matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_reports_targets())


def _report_deadline_targets():
    """The report deadlines: edit, stop, restart, mark sent (tests/reports/deadline_matrix_targets.py)."""
    from ..reports.deadline_matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_report_deadline_targets())


def _register_import_targets():
    """The register import's pages (rows in tests/register/matrix_targets.py)."""
    from ..register.matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_register_import_targets())


def _client_rights_targets():
    """The data subject's requests, export and anonymisation (tests/clients/rights_matrix_targets.py)."""
    from ..clients.rights_matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_client_rights_targets())


def _client_identity_targets():
    """The requests about a citizen ID registered at two facilities (tests/clients/identity_matrix_targets.py)."""
    from ..clients.identity_matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_client_identity_targets())


def _supervision_targets():
    """Supervision sessions, their actions, and case conferences (tests/supervision/matrix_targets.py)."""
    from ..supervision.matrix_targets import targets

    return targets(Target, NO_RECORD)


TARGETS.update(_supervision_targets())


def _workforce_targets():
    """The workforce register: agencies and people (tests/workforce/matrix_targets.py), training courses
    and communication activities (tests/workforce/training_matrix_targets.py)."""
    from ..workforce.matrix_targets import targets
    from ..workforce.training_matrix_targets import targets as training_targets

    return {**targets(Target, NO_RECORD), **training_targets(Target, NO_RECORD)}


TARGETS.update(_workforce_targets())
