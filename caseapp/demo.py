"""Demo data: one province's set-up with one user per role per facility (never in production)."""

from datetime import date, timedelta

import sqlalchemy as sa

from .auth.models import TotpCredential, User
from .auth.services import hash_password
from .auth.two_factor.totp import encrypt_secret
from .cases.models import Case
from .clients.services import create_client
from .core.text import fold
from .core.timeutil import local_today, utcnow
from .extensions import db
from .intake.services import create_intake
from .org.models import Commune, Facility, FacilityType, Province
from .referrals.models import Provider
from .referrals.services import create_provider, sync_facility_provider
from .register.services import start_membership
from .reports import queries
from .reports.deadlines import ensure_default
from .reports.models import ReferenceValue, ReportSettings
from .reports.services import confirm_reference_value, entry_stamp, set_reference_value
from .security.policy import Capability, Role, capable
from .shelter.models import Bed, Room
from .shelter.services import AdmittedChild, admit_emergency
from .workforce import communication, training
from .workforce.models import Agency, CommunicationActivity, TrainingCourse, WorkforceMember

DEMO_PROVINCE_NAME = "Quảng Ninh"
DEMO_PASSWORD = "Demo@2026-caseapp"
# The demo accounts whose role must sign in with a second factor (admins, supervisors) share this one
# authenticator key, printed by `flask seed-demo` and given in README's demo logins: add it to an
# authenticator app, or print the current code with `flask demo-code`. Demo data only, like the rest.
DEMO_TOTP_SECRET = "CASEAPPDEMOTOTPSECRETFORTESTING2"

DEMO_FACILITIES = (
    {
        "code": "CTXHQN",
        "name": "Trung tâm Công tác xã hội tỉnh Quảng Ninh",
        "type": FacilityType.SOCIAL_WORK_CENTER.value,
        "prefix": "ctxh",
        "capacity": None,
        "confidential_address": False,
        "street_address": "Số 1 đường Trần Hưng Đạo",
    },
    {
        "code": "BTXHQN",
        "name": "Trung tâm Bảo trợ xã hội tỉnh Quảng Ninh",
        "type": FacilityType.SOCIAL_PROTECTION_CENTER.value,
        "prefix": "btxh",
        "capacity": 120,
        "confidential_address": False,
        "street_address": "Tổ 5, khu 3",
    },
    {
        "code": "NTLQN",
        "name": "Địa chỉ tin cậy - Nhà tạm lánh Quảng Ninh",
        "type": FacilityType.SHELTER.value,
        "prefix": "ntl",
        "capacity": 12,
        "confidential_address": True,
        "street_address": "Địa chỉ bảo mật",
    },
)

DEMO_ACCOUNTS = (
    (Role.ADMIN, "quantri", "Quản trị"),
    (Role.SUPERVISOR, "giamsat", "Giám sát"),
    (Role.SOCIAL_WORKER, "nhanvien", "Nhân viên CTXH"),
    (Role.SHELTER_STAFF, "tamlanh", "Nhân viên nhà tạm lánh"),
    (Role.REPORTER, "baocao", "Cán bộ báo cáo"),
)


class DemoRefused(RuntimeError):
    pass


def seed_demo(app):
    """Create what is missing; a second run changes nothing. Returns the list of (username, role, facility)."""
    if app.config.get("ENV_NAME") == "production":
        raise DemoRefused("Demo data is refused in production (FLASK_ENV=production).")
    province = db.session.scalar(sa.select(Province).where(Province.name == DEMO_PROVINCE_NAME))
    if province is None:
        raise DemoRefused("Load the administrative units first: flask load-units")
    commune = db.session.scalar(
        sa.select(Commune).where(Commune.province_code == province.code).order_by(Commune.code).limit(1)
    )
    logins = []
    password_hash = None
    for spec in DEMO_FACILITIES:
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == spec["code"]))
        if facility is None:
            facility = Facility(
                code=spec["code"],
                name=spec["name"],
                type=spec["type"],
                province_code=province.code,
                commune_code=commune.code,
                street_address=spec["street_address"],
                capacity=spec["capacity"],
                confidential_address=spec["confidential_address"],
            )
            db.session.add(facility)
            db.session.flush()
            sync_facility_provider(facility)
        ensure_default(facility)  # the reports it sends yearly (the migration gave them to facilities before it)
        for role, suffix, title in DEMO_ACCOUNTS:
            username = f"{spec['prefix']}.{suffix}"
            if db.session.scalar(sa.select(User.id).where(User.username == username)) is None:
                password_hash = password_hash or hash_password(DEMO_PASSWORD)
                db.session.add(
                    User(
                        username=username,
                        full_name=f"{title} ({spec['code']})",
                        role=role.value,
                        facility_id=facility.id,
                        password_hash=password_hash,
                    )
                )
            logins.append((username, role.value, spec["code"]))
    db.session.flush()
    _enrol_demo_second_factors(app.config["SECRET_KEY"], [username for username, _role, _code in logins])
    _seed_shelter_rooms()
    _seed_report_settings()
    _seed_outside_providers(province.code)
    _seed_demo_cases()
    _seed_reference_values(province.code)
    _seed_workforce(province.code)
    return logins


def demo_second_factor(user_id, secret_key, at):
    """The demo authenticator of an account, confirmed (a row of totp_credentials)."""
    sealed = encrypt_secret(DEMO_TOTP_SECRET, user_id=user_id, secret_key=secret_key)
    return {"user_id": user_id, "secret_encrypted": sealed, "created_at": at, "confirmed_at": at, "last_step": None}


def _enrol_demo_second_factors(secret_key, usernames):
    """Every demo account whose role needs a second factor gets the demo authenticator, unless it has one."""
    users = db.session.scalars(sa.select(User).where(User.username.in_(usernames)).order_by(User.id)).all()
    for user in users:
        if capable(user, Capability.NEEDS_SECOND_FACTOR) and db.session.get(TotpCredential, user.id) is None:
            db.session.add(TotpCredential(**demo_second_factor(user.id, secret_key, utcnow())))
    db.session.flush()


# How the demo centre heads and signs its reports (Nghị định 30/2020/NĐ-CP, Phụ lục I); names invented.
DEMO_REPORT_SETTINGS = {
    "CTXHQN": {
        "parent_body": "Sở Y tế tỉnh Quảng Ninh",
        "abbreviation": "TTCTXH",
        "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Phạm Thị Minh",
        "recipients": "Sở Y tế tỉnh Quảng Ninh\nỦy ban nhân dân tỉnh Quảng Ninh",
    },
}


def _seed_report_settings():
    for code, values in DEMO_REPORT_SETTINGS.items():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == code))
        if facility is not None and queries.report_settings(facility.id) is None:
            db.session.add(ReportSettings(facility_id=facility.id, **values))
    db.session.flush()


# The demo shelter's rooms: 3 rooms of 4 beds (its capacity is 12).
DEMO_SHELTER_ROOMS = (("P1", 4), ("P2", 4), ("P3", 4))


def _seed_shelter_rooms():
    shelter = db.session.scalar(
        sa.select(Facility).where(Facility.type == FacilityType.SHELTER.value, Facility.code == "NTLQN")
    )
    if shelter is None:
        return
    for name, beds in DEMO_SHELTER_ROOMS:
        room = db.session.scalar(sa.select(Room).where(Room.facility_id == shelter.id, Room.name == name))
        if room is None:
            room = Room(facility_id=shelter.id, name=name, is_active=True)
            db.session.add(room)
            db.session.flush()
            db.session.add_all(
                Bed(facility_id=shelter.id, room_id=room.id, label=str(n), is_active=True) for n in range(1, beds + 1)
            )
    db.session.flush()


# A few people at the demo centre and one night admission at the demo shelter, so that every list
# and the case page have something to show. Names and numbers are invented.
DEMO_CLIENTS = (
    {
        "full_name": "Nguyễn Thị Hoa",
        "sex": "female",
        "birth_year": 1991,
        "birth_precision": "year",
        "phone": "0912 345 678",
        "intake": {
            "channel": "hotline_dv",
            "problems": ["domestic_violence"],
            "case_type": "center",
            "danger_now": "no",
            "injured": "yes",
        },
    },
    {
        "full_name": "Trần Văn Đức",
        "sex": "male",
        "birth_year": 2014,
        "birth_precision": "year",
        "intake": {
            "channel": "hotline_111",
            "problems": ["child_abuse", "school_dropout"],
            "case_type": "child_protection",
            "child_involved": "yes",
            "danger_now": "no",
            "consent_given_by": "guardian",
            "consent_giver_name": "Trần Thị Lan",
            "child_assent": True,
        },
    },
    {
        "full_name": "Lê Thị Mai",
        "sex": "female",
        "birth_year": 1948,
        "birth_precision": "year",
        "intake": {"channel": "commune", "problems": ["lonely_elderly", "poverty"], "case_type": "center"},
        # the monthly allowance of an older person (Nghị định 20/2021/NĐ-CP, Điều 5–6: 500.000 đồng × 1,5)
        "membership": (
            "bt_elderly",
            {
                "effective_from": date(2025, 9, 1),
                "decision_number": "45/QĐ-UBND",
                "decision_date": date(2025, 8, 15),
                "decision_issuer": "UBND phường Hồng Gai",
                "allowance_coefficient": "1,5",
                "allowance_amount": 750_000,
                "care_mode": "community",
            },
        ),
    },
)


# Organisations outside caseapp the demo centre refers to (names of the kind, no real contacts).
DEMO_OUTSIDE_PROVIDERS = (
    {
        "name": "Trung tâm Trợ giúp pháp lý Nhà nước tỉnh (dữ liệu demo)",
        "kind": "legal_aid",
        "services": ["legal_aid"],
        "opening_hours": "Thứ Hai – Thứ Sáu, 7:30–11:30 và 13:30–17:00",
    },
    {
        "name": "Hội Liên hiệp Phụ nữ tỉnh (dữ liệu demo)",
        "kind": "women_union",
        "services": ["counselling", "shelter"],
        "opening_hours": "Thứ Hai – Thứ Sáu, giờ hành chính",
    },
)


def _seed_outside_providers(province_code):
    centre = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
    supervisor = db.session.scalar(sa.select(User).where(User.username == "ctxh.giamsat"))
    if centre is None or supervisor is None:
        return
    if db.session.scalar(sa.select(Provider.id).where(Provider.owner_facility_id == centre.id).limit(1)):
        return
    for spec in DEMO_OUTSIDE_PROVIDERS:
        create_provider({**spec, "province_code": province_code, "is_active": True}, by=supervisor)


def _seed_demo_cases():

    centre = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
    shelter = db.session.scalar(sa.select(Facility).where(Facility.code == "NTLQN"))
    if centre is None or db.session.scalar(sa.select(Case.id).where(Case.facility_id == centre.id).limit(1)):
        return
    worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
    now = utcnow()
    for n, spec in enumerate(DEMO_CLIENTS):
        spec = dict(spec)
        intake = spec.pop("intake")
        membership = spec.pop("membership", None)
        client = create_client({**spec, "province_code": centre.province_code}, facility=centre, by=worker)
        if membership:
            start_membership(client, membership[0], membership[1], by=worker)
        data = {
            "received_at": now - timedelta(days=3 - n),
            "decision": "open_case",
            "assigned_worker_id": worker.id,
            "consent_services": True,
            "consent_given_by": "client",
            **intake,
        }
        create_intake(client, data, facility=centre, by=worker)
    staff = db.session.scalar(sa.select(User).where(User.username == "ntl.tamlanh"))
    if shelter is not None and staff is not None:
        admit_emergency(
            shelter,
            sex="female",
            approximate_age=27,
            arrived_at=now - timedelta(hours=5),
            brought_by="police",
            immediate_danger=True,
            by=staff,
            alias="Chị H.",
            children=[AdmittedChild(age=4, sex="male")],
            immediate_needs=["medical", "shelter"],
        )
    db.session.flush()


# Reference numbers of the demo province (QĐ 112/QĐ-TTg indicators), entered by the centre's reporter and
# confirmed by its supervisor, so that the indicators have denominators and the province its own targets
# (for 2025 and 2030: the years between take the straight path). The numbers are invented. Indicators 1
# and 2 are counted from the demo workforce register and its training course, so none is entered.
DEMO_SOURCE = "Số liệu minh họa (dữ liệu demo)"
DEMO_PLAN = "Kế hoạch minh họa của UBND tỉnh (dữ liệu demo)"
DEMO_REFERENCE = (  # (key, year — None: this year, value, source)
    ("ind5_children_in_area", None, 1450, DEMO_SOURCE),
    ("target_5", 2025, 85, DEMO_PLAN),
    ("target_5", 2030, 92, DEMO_PLAN),
)


def _seed_reference_values(province_code):
    reporter = db.session.scalar(sa.select(User).where(User.username == "ctxh.baocao"))
    supervisor = db.session.scalar(sa.select(User).where(User.username == "ctxh.giamsat"))
    entered = sa.select(ReferenceValue.id).where(ReferenceValue.province_code == province_code).limit(1)
    if reporter is None or supervisor is None or db.session.scalar(entered) is not None:
        return
    for key, year, value, source in DEMO_REFERENCE:
        row = set_reference_value(province_code, year or local_today().year, key, value, source, by=reporter)
        confirm_reference_value(row, by=supervisor, seen=entry_stamp(row))
    db.session.flush()


# The demo centre's workforce register: its own staff (the demo social worker among them, linked to the
# account), commune collaborators (full-time and part-time, engaged by the commune chair), a school and a
# hospital with social-work staff; one course this year with four attendees and two communication
# activities. Names and numbers are invented.
DEMO_AGENCIES = (  # (key, kind, name, commune name — None: the centre's commune)
    ("hong_gai", "commune", "Ủy ban nhân dân phường Hồng Gai", "Phường Hồng Gai"),
    ("tien_yen", "commune", "Ủy ban nhân dân xã Tiên Yên", "Xã Tiên Yên"),
    ("ba_che", "commune", "Ủy ban nhân dân xã Ba Chẽ", "Xã Ba Chẽ"),
    ("school", "school", "Trường Trung học cơ sở Bãi Cháy (dữ liệu demo)", "Phường Bãi Cháy"),
    ("hospital", "hospital", "Bệnh viện Đa khoa khu vực (dữ liệu demo)", "Phường Hồng Gai"),
)
# (agency key — "centre": the demo centre; full name — None: the demo worker's; kind; position; sex;
# qualification; professional title; appointment decision; first day in post)
# fmt: off
DEMO_MEMBERS = (
    ("centre", None, "civil_servant", "Nhân viên công tác xã hội", "female", "university", "social_worker", None,
     date(2022, 3, 1)),
    ("centre", "Phạm Thị Minh", "civil_servant", "Phó Giám đốc", "female", "postgraduate", "senior_social_worker",
     None, date(2019, 8, 1)),
    ("centre", "Đỗ Văn Hùng", "employee", "Nhân viên hỗ trợ", "male", "college", None, None, date(2023, 6, 1)),
    ("hong_gai", "Nguyễn Thị Thu Hà", "collaborator_full_time", None, "female", "intermediate", None, "15/QĐ-UBND",
     date(2025, 7, 15)),
    ("hong_gai", "Vũ Văn Thắng", "collaborator_part_time", "Công chức văn hóa - xã hội", "male", "short_course", None,
     "16/QĐ-UBND", date(2025, 7, 15)),
    ("tien_yen", "Hoàng Thị Lan", "collaborator_full_time", None, "female", "college", None, "08/QĐ-UBND",
     date(2025, 8, 1)),
    ("ba_che", "Lý Văn Sáng", "collaborator_part_time", "Phó Chủ tịch Hội Liên hiệp Phụ nữ xã", "male", "none", None,
     "21/QĐ-UBND", date(2025, 9, 1)),
    ("school", "Trần Thị Hương", "civil_servant", "Giáo viên phụ trách tư vấn học đường", "female", "short_course",
     None, None, date(2021, 9, 1)),
    ("hospital", "Bùi Minh Tuấn", "civil_servant", "Nhân viên Phòng Công tác xã hội", "male", "university",
     "assistant_social_worker", None, date(2020, 5, 1)),
)
# fmt: on
DEMO_ATTENDEES = ("Nguyễn Thị Thu Hà", "Vũ Văn Thắng", "Hoàng Thị Lan", "Lý Văn Sáng")


def _seed_workforce(province_code):
    centre = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
    supervisor = db.session.scalar(sa.select(User).where(User.username == "ctxh.giamsat"))
    worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
    if centre is None or supervisor is None or worker is None:
        return
    has_register = sa.select(Agency.id).where(Agency.owner_facility_id == centre.id, Agency.facility_id.is_(None))
    if db.session.scalar(has_register.limit(1)) is None:
        _seed_workforce_register(centre, province_code, worker)
    if not _has_row(TrainingCourse.facility_id == centre.id):
        _seed_training_course(centre, supervisor)
    if not _has_row(CommunicationActivity.facility_id == centre.id):
        _seed_communication(centre, supervisor)
    db.session.flush()


def _has_row(condition):
    return db.session.scalar(sa.select(sa.literal(1)).where(condition).limit(1)) is not None


def _agency(centre, province_code, kind, name, commune_code, facility_id=None):
    agency = Agency(
        owner_facility_id=centre.id,
        facility_id=facility_id,
        province_code=province_code,
        commune_code=commune_code,
        kind=kind,
        name=name,
        search_name=fold(name),
    )
    db.session.add(agency)
    return agency


def _seed_workforce_register(centre, province_code, worker):
    communes = {
        c.name: c.code for c in db.session.scalars(sa.select(Commune).where(Commune.province_code == province_code))
    }
    own = db.session.scalar(sa.select(Agency).where(Agency.facility_id == centre.id))
    agencies = {
        "centre": own
        or _agency(centre, province_code, "social_assistance", centre.name, centre.commune_code, centre.id)
    }
    for key, kind, name, commune in DEMO_AGENCIES:
        agencies[key] = _agency(centre, province_code, kind, name, communes.get(commune))
    db.session.flush()
    for key, full_name, kind, position, sex, qualification, title, appointment, from_date in DEMO_MEMBERS:
        agency, name = agencies[key], full_name or worker.full_name
        db.session.add(
            WorkforceMember(
                agency_id=agency.id,
                full_name=name,
                search_name=fold(name),
                sex=sex,
                kind=kind,
                position=position,
                qualification=qualification,
                professional_title=title,
                appointment_number=appointment,
                appointment_date=from_date - timedelta(days=5) if appointment else None,
                commune_code=agency.commune_code,
                from_date=from_date,
                user_id=worker.id if full_name is None else None,  # the demo social worker's own account
            )
        )
    db.session.flush()


def _seed_training_course(centre, supervisor):
    today = local_today()
    start = max(date(today.year, 1, 2), min(date(today.year, 4, 15), today - timedelta(days=3)))
    course = training.create_course(
        training.CourseInput(
            title=f"Tập huấn nghiệp vụ công tác xã hội cho cộng tác viên cấp xã năm {today.year}",
            kind="workshop",
            level="province",
            start_date=start,
            end_date=start + timedelta(days=2),
            organiser=centre.name,
            hours=24,
            topics="Quy trình quản lý trường hợp\nKỹ năng tham vấn, hỗ trợ tâm lý\nPhòng, chống xâm hại trẻ em",
            commune_code=centre.commune_code,
        ),
        by=supervisor,
    )
    members = db.session.scalars(
        sa.select(WorkforceMember)
        .join(Agency, Agency.id == WorkforceMember.agency_id)
        .where(Agency.owner_facility_id == centre.id, WorkforceMember.full_name.in_(DEMO_ATTENDEES))
    ).all()
    participants = training.add_participants(course, [m.id for m in members], by=supervisor)
    if course.end_date <= today:
        for n, participant in enumerate(participants, start=1):
            training.update_participant(
                course,
                participant,
                attended=True,
                certificate_number=f"{n:03d}/CN-TTCTXH",
                certificate_date=course.end_date,
                by=supervisor,
            )


def _latest(month, day):
    """The latest date with this day and month that is not after today."""
    today = local_today()
    this_year = date(today.year, month, day)
    return this_year if this_year <= today else this_year.replace(year=today.year - 1)


def _seed_communication(centre, supervisor):
    activities = (
        communication.ActivityInput(
            kind="event",
            title="Mít tinh hưởng ứng Ngày Công tác xã hội Việt Nam 25/3",
            held_on=_latest(3, 25),
            commune_code=centre.commune_code,
            audience="Cán bộ, cộng tác viên công tác xã hội và người dân",
            participants=180,
            copies=None,
            topic="social_work_day",
            notes=None,
        ),
        communication.ActivityInput(
            kind="product",
            title="Tờ rơi Tháng hành động vì trẻ em: phòng, chống xâm hại trẻ em",
            held_on=_latest(6, 1),
            commune_code=None,
            audience="Phụ huynh và học sinh",
            participants=None,
            copies=2000,
            topic="child_protection_month",
            notes="Phát tại các trường học và nhà văn hóa khu phố",
        ),
    )
    for data in activities:
        communication.create_activity(data, by=supervisor)
