"""Fixtures of the assessment, plan and approval tests: the transaction-bound session of the
security tests (a request's commits are savepoints of the test's transaction), a facility staffed
with every role, cases opened through the real services, and the form data the pages post."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from caseapp.cases.services import open_case
from caseapp.clients.services import create_client
from caseapp.core import categories as cat
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.register.services import set_groups

from .. import factories
from ..security.conftest import make_app, session, sign_in  # noqa: F401  (re-exported fixtures)


@dataclass
class People:
    facility: object
    other_facility: object
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture()
def people(session, facility, other_facility):
    """supervisor, supervisor2, worker, colleague, shelter, admin, reporter — all of `facility` —
    and outsider (a supervisor of `other_facility`)."""
    p = People(facility=facility, other_facility=other_facility)
    for name, role, full_name in (
        ("supervisor", "supervisor", "Trần Thị Giám Sát"),
        ("supervisor2", "supervisor", "Đặng Văn Phó Giám Đốc"),
        ("worker", "social_worker", "Lê Văn Nhân Viên"),
        ("colleague", "social_worker", "Phạm Thị Đồng Nghiệp"),
        ("shelter", "shelter_staff", "Hoàng Văn Tạm Lánh"),
        ("admin", "admin", "Quản Trị"),
        ("reporter", "reporter", "Báo Cáo"),
    ):
        p.users[name] = factories.make_user(role=role, facility=facility, full_name=full_name)
    p.users["outsider"] = factories.make_user(role="supervisor", facility=other_facility, full_name="Người Ngoài")
    return p


def new_case(facility, worker, *, case_type="center", groups=(), by=None, name="Nguyễn Thị Lan"):
    """A client and a case opened through clients.services and cases.services (status intake)."""
    by = by or worker
    client = create_client({"full_name": name, "sex": "female"}, facility=facility, by=by)
    if groups:
        set_groups(client, list(groups), by=by)
    return open_case(
        facility=facility, client=client, case_type=case_type, urgency="medium", by=by, assigned_worker_id=worker.id
    )


@pytest.fixture()
def case(people):
    return new_case(people.facility, people.worker)


@pytest.fixture()
def signed_in(app, people):
    """``signed_in(user)``: a test client signed in as that user."""

    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make


# --- data the services take ---------------------------------------------------------------------------


def assessment_data(risk="medium", reasons="Nguy cơ bị bạo lực tái diễn", levels=None, safety=None):
    levels = levels if levels is not None else {"safety": "high", "mental_health": "medium"}
    domains = {
        d.code: {
            "situation": f"Tình hình {d.vi.lower()}" if d.code in levels else "",
            "need_level": levels.get(d.code, "none"),
            "strengths": "",
            "client_view": "",
        }
        for d in cat.NEED_DOMAINS
    }
    return {"domains": domains, "risk_level": risk, "risk_reasons": reasons, "client_view": "", "safety": safety or {}}


ALL_NO = {q.code: "no" for q in cat.SAFETY_QUESTIONS}


def approved_assessment(case, by, **kwargs):
    """An assessment saved complete at a facility that does not require approval (→ approved)."""
    return services.create_assessment(case, assessment_data(**kwargs), by=by, submit=True)


def plan_data(
    goals=(("safety", "Đảm bảo an toàn cho chị Lan"),),
    activities=None,
    participation="Chị Lan tham gia lập kế hoạch",
    review=None,
    safety_plan=None,
    responsible=None,
):
    activities = (
        activities
        if activities is not None
        else [
            {
                "goal": 1,
                "service_type": "counselling",
                "description": "Tham vấn tâm lý hằng tuần",
                "responsible_user_id": getattr(responsible, "id", None),
                "responsible_org": None if responsible else "Hội LHPN xã",
                "start_on": local_today(),
                "due_on": local_today() + timedelta(days=30),
                "status": "planned",
            }
        ]
    )
    return {
        "goals": [{"need_domain": d, "description": text, "target_on": None} for d, text in goals],
        "activities": activities,
        "review_due_on": review or local_today() + timedelta(days=30),
        "client_participation": participation,
        "guardian_participated": False,
        "safety_plan": safety_plan or {},
    }


FULL_SAFETY_PLAN = {
    "warning_signs": "Chồng uống rượu",
    "safe_places": "Nhà mẹ đẻ",
    "contacts": "Công an xã 0123",
    "steps": "Gọi 111, đến nhà mẹ đẻ",
}


# --- data the pages post ----------------------------------------------------------------------------------


def assessment_form(
    risk="medium", reasons="Nguy cơ bị bạo lực tái diễn", levels=None, safety=None, action="submit", **extra
):
    levels = levels if levels is not None else {"safety": "high", "mental_health": "medium"}
    data = {"risk_level": risk, "risk_reasons": reasons, "client_view": "Chị muốn ở lại với con", "action": action}
    for d in cat.NEED_DOMAINS:
        data[f"d_{d.code}__need_level"] = levels.get(d.code, "none")
        data[f"d_{d.code}__situation"] = f"Tình hình {d.vi.lower()}" if d.code in levels else ""
        data[f"d_{d.code}__strengths"] = ""
        data[f"d_{d.code}__client_view"] = ""
    for code, answer in (safety or {}).items():
        data[f"q_{code}"] = answer
    data.update(extra)
    return data


def plan_form(
    goals=(("safety", "Đảm bảo an toàn cho chị Lan"),),
    activities=None,
    participation="Chị Lan tham gia",
    review=None,
    safety_plan=None,
    action="draft",
    **extra,
):
    data = {
        "client_participation": participation,
        "action": action,
        "review_due_on": (review or local_today() + timedelta(days=30)).isoformat(),
    }
    for i, (domain, text) in enumerate(goals):
        data[f"goals-{i}-need_domain"] = domain
        data[f"goals-{i}-description"] = text
    activities = (
        activities
        if activities is not None
        else [
            {
                "goal": "1",
                "service_type": "counselling",
                "description": "Tham vấn tâm lý",
                "responsible_org": "Hội LHPN xã",
            }
        ]
    )
    for i, activity in enumerate(activities):
        for key, value in activity.items():
            data[f"activities-{i}-{key}"] = value
        data.setdefault(f"activities-{i}-status", "planned")
    for key, value in (safety_plan or {}).items():
        data[f"safety_{key}"] = value
    data.update(extra)
    return data


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)
