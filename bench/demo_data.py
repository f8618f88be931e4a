"""Synthetic national-scale data for the bench: `flask demo-data --clients N [--seed S]`.

Realistic Vietnamese data for load tests and demos — never in production:
- names drawn with realistic frequencies (Nguyễn ≈ 38 %, Trần, Lê, Phạm …), NFC, with the folded
  search column built by clients.services._search_name (the one fold(), core.text);
- facilities of every type (org.models.FacilityType) in each of the 34 provinces, with their users (one
  shared precomputed password hash);
- clients, intakes, consents, beneficiary groups, cases at every step of TT 02/2020/TT-BLĐTBXH with
  their timeline (status changes, notes), assessments, plans with goals and activities, approvals,
  referrals, follow-ups, shelter stays and notifications, spread over five years before a fixed base
  date; case numbers in the real format (cases.services.format_case_number) with the facility's
  counter (code_sequences) left at the last number, so the app continues the numbering.

Rows are written in bulk — PostgreSQL COPY through psycopg, SQLite Core insert() of lists in batches
— never one ORM object at a time. Everything comes from random.Random(seed) and the fixed base date:
the same seed on an empty database gives the same rows.

One function per table family (`_client_rows`, `_case_rows`, …) fills the chunk's row lists; a new
table is one more entry in TABLES and one more function."""

import json
import random
import time
from bisect import bisect
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from caseapp.auth.services import hash_password
from caseapp.cases.services import format_case_number
from caseapp.clients.services import _search_name  # the registry's own search column (one fold())
from caseapp.core.sequences import CodeSequence
from caseapp.core.text import nfc
from caseapp.demo import DEMO_PASSWORD, demo_second_factor
from caseapp.extensions import db
from caseapp.org.models import Commune, Facility, Province
from caseapp.referrals.models import Provider
from caseapp.referrals.services import ensure_facility_providers, search_text
from caseapp.reminders.services import DEFAULT_OFFSETS, item_key, parse_offsets
from caseapp.security.policy import Capability, capable

# Fixed base date: data ends here and spans the five years before it (no utcnow-dependent randomness).
BASE_AT = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)  # 01/12/2026 00:00 Asia/Ho_Chi_Minh
SPAN = timedelta(days=5 * 365)
CHUNK = 10_000  # clients generated and written per transaction
SQLITE_BATCH = 5_000  # rows per Core insert() on SQLite
VN = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh has no DST: a fixed offset is exact and fast


class DemoDataRefused(RuntimeError):
    pass


# --- names ---------------------------------------------------------------------------------------
# Surnames with their share of the population (%), after the commonly cited frequencies (Nguyễn 38,4;
# Trần 12,1; Lê 9,5; Phạm 7,0; Hoàng/Huỳnh 5,1; Phan 4,5; Vũ/Võ 3,9; Đặng 2,1; Bùi 2,0; Đỗ 1,4;
# Hồ 1,3; Ngô 1,3; Dương 1,0; Lý 0,5); the rest shared by less common family names.
SURNAMES = (
    ("Nguyễn", 38.4),
    ("Trần", 12.1),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 3.0),
    ("Huỳnh", 2.1),
    ("Phan", 4.5),
    ("Vũ", 2.0),
    ("Võ", 1.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Trương", 0.9),
    ("Đinh", 0.8),
    ("Mai", 0.6),
    ("Lâm", 0.5),
    ("Trịnh", 0.5),
    ("Đào", 0.5),
    ("Cao", 0.4),
    ("Lưu", 0.3),
    ("Hà", 0.4),
    ("Lương", 0.3),
    ("Tạ", 0.2),
    ("Thái", 0.2),
    ("Chu", 0.2),
    ("Tô", 0.2),
    ("La", 0.1),
    ("Quách", 0.1),
    ("Kiều", 0.1),
    ("Triệu", 0.1),
    ("Vương", 0.1),
    ("Âu", 0.05),
    ("Ông", 0.05),
)
MIDDLE_FEMALE = (
    ("Thị", 55),
    ("Ngọc", 8),
    ("Thu", 6),
    ("Thanh", 6),
    ("Minh", 4),
    ("Kim", 4),
    ("Bảo", 3),
    ("Mỹ", 3),
    ("Phương", 3),
    ("Hồng", 3),
    ("Khánh", 2),
    ("Diệu", 1),
    ("Tuyết", 1),
    ("Hoài", 1),
)
MIDDLE_MALE = (
    ("Văn", 50),
    ("Hữu", 7),
    ("Đức", 7),
    ("Minh", 7),
    ("Quang", 5),
    ("Công", 4),
    ("Thanh", 4),
    ("Anh", 3),
    ("Xuân", 3),
    ("Gia", 3),
    ("Quốc", 3),
    ("Trọng", 2),
    ("Đình", 2),
)
GIVEN_FEMALE = (
    ("Anh", 6),
    ("Linh", 6),
    ("Hương", 5),
    ("Lan", 5),
    ("Hoa", 5),
    ("Mai", 5),
    ("Ngọc", 4),
    ("Trang", 5),
    ("Thảo", 5),
    ("Hằng", 4),
    ("Huyền", 4),
    ("Phương", 4),
    ("Nhung", 3),
    ("Hà", 4),
    ("Yến", 3),
    ("Vy", 3),
    ("Nhi", 3),
    ("My", 3),
    ("Hạnh", 3),
    ("Thủy", 3),
    ("Loan", 2),
    ("Hiền", 3),
    ("Dung", 3),
    ("Oanh", 2),
    ("Tuyết", 2),
    ("Vân", 2),
    ("Quỳnh", 2),
    ("Giang", 2),
    ("Châu", 1),
    ("Trâm", 1),
    ("Diệp", 0.3),
    ("Khuê", 0.1),
    ("Sương", 0.2),
    ("Ánh", 0.5),
    ("Duyên", 1),
)
GIVEN_MALE = (
    ("Minh", 6),
    ("Hùng", 5),
    ("Dũng", 5),
    ("Tuấn", 5),
    ("Nam", 5),
    ("Hải", 4),
    ("Long", 4),
    ("Sơn", 4),
    ("Thắng", 3),
    ("Đức", 4),
    ("Huy", 4),
    ("Khang", 2),
    ("Phúc", 3),
    ("Quân", 3),
    ("Bảo", 3),
    ("Trung", 3),
    ("Hiếu", 3),
    ("Thành", 3),
    ("Tâm", 2),
    ("Tùng", 2),
    ("Cường", 3),
    ("Khoa", 2),
    ("Phong", 2),
    ("Vinh", 2),
    ("Lộc", 2),
    ("Kiên", 2),
    ("Đạt", 3),
    ("Hoàng", 2),
    ("Nghĩa", 2),
    ("Tài", 2),
    ("Toàn", 2),
    ("Thịnh", 1),
    ("Quý", 1),
    ("Khải", 0.3),
    ("Ửng", 0.05),
    ("Lực", 0.5),
)
# Ethnicity: Kinh ≈ 85 %, then the largest groups (codes of core.categories.ETHNIC_GROUPS).
ETHNICITIES = (
    ("01", 85),
    ("02", 2),
    ("03", 2),
    ("06", 1.5),
    ("05", 1.3),
    ("07", 1.2),
    ("08", 1.3),
    ("09", 0.9),
    ("04", 0.8),
    ("10", 0.5),
    ("12", 0.4),
    ("unknown", 3),
)
PHONE_PREFIXES = (
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "070",
    "076",
    "077",
    "078",
    "079",
    "081",
    "082",
    "083",
    "084",
    "085",
    "086",
    "088",
    "089",
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
)
STREETS = (
    "Trần Hưng Đạo",
    "Lê Lợi",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Hùng Vương",
    "Nguyễn Huệ",
    "Phan Chu Trinh",
    "Điện Biên Phủ",
    "Bà Triệu",
    "Lê Duẩn",
)
NOTES = (
    "Đã gọi điện cho đối tượng, tình hình ổn định hơn so với tuần trước.",
    "Thăm gia đình: người mẹ hợp tác, cam kết đưa cháu đi học đều.",
    "Đối tượng chia sẻ còn lo lắng về chỗ ở; hẹn tư vấn lại vào tuần sau.",
    "Đã liên hệ UBND xã để hoàn thiện hồ sơ trợ cấp xã hội hằng tháng.",
    "Phối hợp với trạm y tế xã khám sức khỏe định kỳ cho đối tượng.",
    "Buổi tham vấn tâm lý thứ hai: đối tượng ngủ tốt hơn, ít lo âu hơn.",
    "Người gây bạo lực đã được công an xã nhắc nhở; đối tượng cảm thấy an toàn hơn.",
    "Đã hỗ trợ làm lại giấy khai sinh và thẻ bảo hiểm y tế.",
    "Gia đình đồng ý tham gia buổi họp lập kế hoạch vào thứ Sáu.",
    "Cháu đã đi học lại; giáo viên chủ nhiệm sẽ thông báo nếu cháu nghỉ học.",
    "Đối tượng được giới thiệu học nghề may tại trung tâm dạy nghề huyện cũ.",
    "Không liên lạc được qua điện thoại; sẽ đến thăm nhà trong tuần.",
)
GOALS = (
    "Bảo đảm an toàn cho đối tượng và con",
    "Ổn định sức khỏe thể chất",
    "Giảm lo âu, ổn định tâm lý",
    "Đi học lại đều đặn",
    "Có việc làm ổn định",
    "Có nơi ở an toàn",
    "Cải thiện quan hệ gia đình",
    "Hoàn thiện giấy tờ tùy thân",
    "Được hưởng trợ cấp xã hội hằng tháng",
)
GOAL_DOMAINS = (
    "safety",
    "physical_health",
    "mental_health",
    "education",
    "livelihood",
    "housing",
    "relationships",
    "legal",
    "legal",
)
ACTIVITY_SERVICES = (
    "counselling",
    "medical",
    "legal_aid",
    "education",
    "vocational",
    "shelter",
    "food_items",
    "social_policy",
    "rehabilitation",
    "reintegration",
    "civil_documents",
)
# Open cases by the case's age (days): older cases are mostly closed; recent ones are at every step.
STEPS = ("intake", "assessment", "planning", "implementation", "review", "closed")
STATUS_BY_AGE = (
    (30, (("intake", 25), ("assessment", 30), ("planning", 20), ("implementation", 20), ("closed", 5))),
    (180, (("assessment", 8), ("planning", 10), ("implementation", 35), ("review", 20), ("closed", 27))),
    (365, (("implementation", 15), ("review", 25), ("closed", 60))),
    (None, (("review", 5), ("closed", 95))),
)
CLOSURE_REASONS = (
    ("goals_met", 55),
    ("referred", 10),
    ("refused", 8),
    ("moved_lost", 12),
    ("died", 2),
    ("stay_ended", 5),
    ("other", 8),
)
# Facility types, per province: (type, code prefix, name, how many, share of the clients,
# capacity). At least 5 safe houses per province (national direction of October 2025).
FACILITY_PLAN = (
    ("social_work_center", "CTXH", "Trung tâm Công tác xã hội {p}", 1, 36, None),
    ("social_protection_center", "BTXH", "Trung tâm Bảo trợ xã hội tổng hợp {p}", 1, 14, 150),
    ("shelter", "NTL", "Địa chỉ tin cậy - Nhà tạm lánh {p} số {n}", 5, 4, 12),
    ("private_assistance", "NCL", "Cơ sở trợ giúp xã hội ngoài công lập Hướng Dương {p}", 1, 5, 60),
    ("drug_rehab", "CNMT", "Cơ sở cai nghiện ma túy {p}", 1, 4, 200),
    ("hospital", "BV", "Tổ Công tác xã hội - Bệnh viện Đa khoa {p}", 1, 8, None),
    ("school", "TH", "Trường Trung học cơ sở Nguyễn Du ({p})", 1, 4, None),
    ("commune_committee", "UBX", "UBND {c} (cộng tác viên CTXH)", 1, 7, None),
    ("other", "HPN", "Hội Liên hiệp Phụ nữ {p}", 1, 2, None),
)
CASE_TYPE_BY_FACILITY = {
    "shelter": "emergency_shelter",
    "school": "child_protection",
    "commune_committee": "child_protection",
}
OUTSIDE_PROVIDERS = (
    ("hospital", "Bệnh viện Đa khoa {p}", ["medical", "rehabilitation"]),
    ("police", "Công an {p}", ["legal_aid"]),
    ("legal_aid", "Trung tâm Trợ giúp pháp lý nhà nước {p}", ["legal_aid", "civil_documents"]),
    ("women_union", "Hội Liên hiệp Phụ nữ {p}", ["counselling", "vocational", "shelter"]),
    ("ngo", "Tổ chức Hy vọng {p}", ["counselling", "education", "food_items"]),
)
ROLE_USERNAME = {"admin": "qt", "supervisor": "gs", "social_worker": "nv", "shelter_staff": "tl", "reporter": "bc"}


class _Weighted:
    """Draw from (value, weight) pairs with one random() and a bisect."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng):
        return self.values[bisect(self.cum, rng.random() * self.total)]


# --- bulk writing --------------------------------------------------------------------------------


class BulkWriter:
    """Writes lists of row tuples: COPY on PostgreSQL, Core insert() in batches on SQLite."""

    def __init__(self, session):
        self.session = session
        self.pg = session.get_bind().dialect.name == "postgresql"
        self.counts = {}

    def write(self, table_name, columns, rows):
        if not rows:
            return
        self.counts[table_name] = self.counts.get(table_name, 0) + len(rows)
        table = db.metadata.tables[table_name]
        connection = self.session.connection()
        if self.pg:
            json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, sa.JSON)]
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
        else:
            for start in range(0, len(rows), SQLITE_BATCH):
                connection.execute(
                    sa.insert(table),
                    [dict(zip(columns, row, strict=True)) for row in rows[start : start + SQLITE_BATCH]],
                )


# Each table the generator writes: its columns in the order of the row tuples.
TABLES = {
    "clients": (
        "id",
        "facility_id",
        "code",
        "full_name",
        "sex",
        "birth_date",
        "birth_year",
        "birth_precision",
        "ethnicity",
        "nationality",
        "citizen_id",
        "phone",
        "phone_digits",
        "province_code",
        "commune_code",
        "street_address",
        "is_sensitive",
        "search_name",
        "created_at",
        "created_by_id",
        "version",
    ),
    "client_changes": ("id", "client_id", "changed_at", "changed_by_id", "kind", "changes"),
    "group_memberships": ("id", "client_id", "group_code", "created_at", "created_by_id"),
    "membership_versions": (
        "id",
        "membership_id",
        "effective_from",
        "status",
        "decision_number",
        "decision_date",
        "decision_issuer",
        "allowance_coefficient",
        "allowance_amount",
        "care_mode",
        "disability_type",
        "disability_degree",
        "recorded_at",
        "recorded_by_id",
    ),
    "intakes": (
        "id",
        "facility_id",
        "client_id",
        "received_at",
        "channel",
        "problems",
        "screening",
        "urgency",
        "decision",
        "referred_to",
        "is_emergency_admission",
        "created_at",
        "created_by_id",
    ),
    "consents": (
        "id",
        "client_id",
        "intake_id",
        "purpose",
        "recipient",
        "given_by",
        "giver_name",
        "given_at",
        "recorded_by_id",
    ),
    "cases": (
        "id",
        "number",
        "facility_id",
        "client_id",
        "intake_id",
        "case_type",
        "care_kind",
        "status",
        "urgency",
        "risk_level",
        "assigned_worker_id",
        "is_sensitive",
        "intake_incomplete",
        "primary_group",
        "opened_at",
        "closed_at",
        "closure_reason",
        "closure_summary",
        "last_contact_at",
        "created_by_id",
        "updated_at",
        "version",
    ),
    "case_events": ("id", "case_id", "occurred_at", "actor_id", "kind", "from_status", "to_status", "text"),
    "assessments": (
        "id",
        "case_id",
        "facility_id",
        "version_no",
        "assessed_at",
        "domains",
        "risk_level",
        "risk_reasons",
        "safety",
        "status",
        "created_by_id",
        "created_at",
        "version",
    ),
    "care_plans": (
        "id",
        "case_id",
        "facility_id",
        "assessment_id",
        "version_no",
        "status",
        "review_due_on",
        "client_participation",
        "guardian_participated",
        "created_by_id",
        "created_at",
        "approved_at",
        "approved_by_id",
        "version",
    ),
    "plan_goals": ("id", "plan_id", "position", "need_domain", "description", "target_on", "achieved"),
    "plan_activities": (
        "id",
        "plan_id",
        "goal_id",
        "position",
        "service_type",
        "description",
        "responsible_user_id",
        "start_on",
        "due_on",
        "status",
    ),
    "approvals": (
        "id",
        "case_id",
        "facility_id",
        "subject_type",
        "subject_id",
        "status",
        "requested_by_id",
        "requested_at",
        "decided_by_id",
        "decided_at",
    ),
    "referrals": (
        "id",
        "case_id",
        "facility_id",
        "provider_id",
        "service_type",
        "reason",
        "shared_info",
        "is_urgent",
        "consent_id",
        "status",
        "sent_at",
        "answer_due_at",
        "answered_at",
        "completed_at",
        "outcome",
        "outcome_date",
        "created_by_id",
        "version",
    ),
    "follow_ups": (
        "id",
        "case_id",
        "facility_id",
        "kind",
        "purpose",
        "due_at",
        "assigned_to_id",
        "done_at",
        "outcome",
        "created_by_id",
        "created_at",
    ),
    "shelter_stays": (
        "id",
        "facility_id",
        "client_id",
        "case_id",
        "bed_id",
        "admitted_at",
        "planned_end_at",
        "brought_by",
        "immediate_needs",
        "immediate_danger",
        "checked_out_at",
        "checkout_destination",
        "created_by_id",
        "created_at",
        "version",
    ),
    "notifications": ("id", "user_id", "kind", "case_id", "text_key", "params", "unique_key", "created_at", "read_at"),
    "reminders": (
        "id",
        "case_id",
        "facility_id",
        "item_kind",
        "item_key",
        "slot",
        "user_id",
        "due_at",
        "remind_at",
        "status",
        "late",
        "created_at",
        "sent_at",
    ),
}


class _Ids:
    """Primary keys handed out here (so rows can refer to each other without a round trip), after the
    largest id already in each table."""

    def __init__(self, session, names):
        self.next = {
            name: (session.scalar(sa.select(sa.func.max(db.metadata.tables[name].c.id))) or 0) + 1 for name in names
        }

    def __call__(self, name):
        value = self.next[name]
        self.next[name] = value + 1
        return value


def _reset_pg_sequences(session, names):
    """COPY with explicit ids does not move the id sequences: set each to the table's largest id."""
    for name in names:
        session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT max(id) FROM {name}), 1), "
                f"(SELECT max(id) FROM {name}) IS NOT NULL)"
            )
        )


# --- set-up: facilities, users, rooms and beds, providers ------------------------------------------


def _setup(session, rng, writer, password_hash, scale):
    """Facilities of each type in every province, their users, shelter rooms and beds, providers.
    Returns the facility descriptions the client generator draws from."""
    provinces = session.execute(sa.select(Province.code, Province.name).order_by(Province.code)).all()
    if not provinces:
        raise DemoDataRefused("Load the administrative units first: flask load-units")
    communes = {}
    for code, name, province_code in session.execute(
        sa.select(Commune.code, Commune.name, Commune.province_code).order_by(Commune.code)
    ):
        communes.setdefault(province_code, []).append((code, name))
    existing = set(session.scalars(sa.select(Facility.code)))
    ids = _Ids(session, ("facilities", "users", "rooms", "beds", "providers"))
    facility_rows, user_rows, room_rows, bed_rows, second_factor_rows = [], [], [], [], []
    facilities = []
    total_share = sum(share * count for *_, count, share, _ in FACILITY_PLAN) * len(provinces)
    created = datetime(BASE_AT.year - 5, 1, 2, 1, 0, tzinfo=timezone.utc)
    for province_code, province_name in provinces:
        short = province_name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        for ftype, prefix, name, count, share, capacity in FACILITY_PLAN:
            for n in range(1, count + 1):
                code = f"{prefix}{province_code}" + (chr(64 + n) if count > 1 else "")
                if code in existing:
                    raise DemoDataRefused(f"Facility {code} already exists: generate into an empty database.")
                commune_code, commune_name = rng.choice(communes[province_code])
                fid = ids("facilities")
                facility_rows.append(
                    {
                        "id": fid,
                        "code": code,
                        "name": name.format(p=short, n=n, c=commune_name),
                        "type": ftype,
                        "province_code": province_code,
                        "commune_code": commune_code,
                        "street_address": "Địa chỉ bảo mật"
                        if ftype == "shelter"
                        else f"Số {rng.randint(1, 300)} đường {rng.choice(STREETS)}",
                        "phone": None,
                        "capacity": capacity,
                        "confidential_address": ftype == "shelter",
                        "max_stay_days": 30,
                        "requires_assessment_approval": False,
                        "is_active": True,
                        "created_at": created,
                        "version": 1,
                    }
                )
                expected = max(scale * share / total_share, 1)
                workers = max(2, round(expected * 0.3 / 60))  # ≈ 60 open cases per worker
                staff = {
                    "admin": 1 if ftype == "social_work_center" else 0,
                    "supervisor": 1 + workers // 12,
                    "social_worker": 0 if ftype == "shelter" else workers,
                    "shelter_staff": 3 if ftype == "shelter" else 0,
                    "reporter": 1 if ftype == "social_work_center" else 0,
                }
                users = {}
                for role, how_many in staff.items():
                    for k in range(1, how_many + 1):
                        uid = ids("users")
                        sex = "female" if rng.random() < 0.7 else "male"
                        user_rows.append(
                            {
                                "id": uid,
                                "username": f"{code.lower()}.{ROLE_USERNAME[role]}{k:02d}",
                                "full_name": _person_name(rng, sex, 1985),
                                "email": None,
                                "phone": None,
                                "password_hash": password_hash,
                                "role": role,
                                "facility_id": fid,
                                "active": True,
                                "locale": "vi",
                                "must_change_password": False,
                                "created_at": created,
                                "password_changed_at": None,
                                "version": 1,
                            }
                        )
                        users.setdefault(role, []).append(uid)
                        if capable(role, Capability.NEEDS_SECOND_FACTOR):  # the demo authenticator, as seed-demo
                            second_factor_rows.append(
                                demo_second_factor(uid, current_app.config["SECRET_KEY"], created)
                            )
                beds = []
                if ftype == "shelter":
                    for r in range(1, 4):
                        room_id = ids("rooms")
                        room_rows.append({"id": room_id, "facility_id": fid, "name": f"P{r}", "is_active": True})
                        for b in range(1, 5):
                            bed_id = ids("beds")
                            bed_rows.append(
                                {
                                    "id": bed_id,
                                    "facility_id": fid,
                                    "room_id": room_id,
                                    "label": str(b),
                                    "is_active": True,
                                }
                            )
                            beds.append(bed_id)
                facilities.append(
                    SimpleNamespace(
                        id=fid,
                        code=code,
                        type=ftype,
                        province_code=province_code,
                        share=share,
                        communes=communes[province_code],
                        workers=users.get("social_worker") or users["shelter_staff"],
                        supervisors=users["supervisor"],
                        beds=beds,
                        free_beds=list(beds),
                        providers=[],
                    )
                )
    connection = session.connection()
    for table, rows in (
        ("facilities", facility_rows),
        ("users", user_rows),
        ("totp_credentials", second_factor_rows),
        ("rooms", room_rows),
        ("beds", bed_rows),
    ):
        for start in range(0, len(rows), SQLITE_BATCH):
            connection.execute(sa.insert(db.metadata.tables[table]), rows[start : start + SQLITE_BATCH])
        writer.counts[table] = len(rows)
    if writer.pg:
        _reset_pg_sequences(session, ("facilities", "users", "rooms", "beds"))
    ensure_facility_providers()  # the system's facilities in the service directory (one per facility)

    by_province = {}
    for provider_id, _facility_id, province_code in session.execute(
        sa.select(Provider.id, Provider.facility_id, Provider.province_code).order_by(Provider.id)
    ):
        by_province.setdefault(province_code, []).append(provider_id)
    provider_rows = []
    pid = (session.scalar(sa.select(sa.func.max(Provider.id))) or 0) + 1
    for province_code, province_name in provinces:
        short = province_name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        for kind, name, services in OUTSIDE_PROVIDERS:
            row = {
                "id": pid,
                "name": name.format(p=short),
                "kind": kind,
                "facility_id": None,
                "province_code": province_code,
                "commune_code": None,
                "address": None,
                "phone": f"0{rng.randint(200, 299)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                "email": None,
                "contact_person": None,
                "services": services,
                "capacity_note": None,
                "is_active": True,
                "created_at": created,
                "version": 1,
            }
            row["search_text"] = search_text(SimpleNamespace(**row))
            provider_rows.append(row)
            by_province.setdefault(province_code, []).append(pid)
            pid += 1
    connection.execute(sa.insert(Provider.__table__), provider_rows)
    writer.counts["providers"] = len(provider_rows) + len(facilities)
    if writer.pg:
        _reset_pg_sequences(session, ("providers",))
    for facility in facilities:
        facility.providers = by_province[facility.province_code]
    return facilities


# --- people ---------------------------------------------------------------------------------------
_SURNAME = _Weighted(SURNAMES)
_MIDDLE = {"female": _Weighted(MIDDLE_FEMALE), "male": _Weighted(MIDDLE_MALE)}
_GIVEN = {"female": _Weighted(GIVEN_FEMALE), "male": _Weighted(GIVEN_MALE)}
_ETHNICITY = _Weighted(ETHNICITIES)
_STATUS = [(limit, _Weighted(pairs)) for limit, pairs in STATUS_BY_AGE]
_CLOSURE = _Weighted(CLOSURE_REASONS)


def _person_name(rng, sex, birth_year):
    """Họ + tên đệm + tên, NFC. Younger people less often carry Văn / Thị; some have two middle names."""
    middle = _MIDDLE[sex](rng)
    if birth_year >= 2005 and middle in ("Văn", "Thị") and rng.random() < 0.5:
        middle = _MIDDLE[sex](rng)
    if rng.random() < 0.08:
        middle = f"{middle} {_MIDDLE[sex](rng)}" if middle not in ("Văn", "Thị") else middle
    return nfc(f"{_SURNAME(rng)} {middle} {_GIVEN[sex](rng)}")


def _local_year(at):
    return at.astimezone(VN).year


class Generator:
    """One run: the rng, the counters (case numbers, client codes, citizen IDs) and the id allocator."""

    def __init__(self, session, *, seed, facilities, writer):
        self.session, self.rng, self.writer = session, random.Random(seed), writer
        self.facilities = facilities
        self.pick_facility = _Weighted([(f, f.share) for f in facilities])
        self.format_case_number = format_case_number
        self.search_name = _search_name
        self.ids = _Ids(session, TABLES)
        self.sequences = {}  # (facility_id, kind, year) -> last value
        self.citizen_serial = {}
        self.rows = {}
        self.reminder_slots, self.reminder_key = parse_offsets(DEFAULT_OFFSETS), item_key

    # One function per table family; each appends tuples in TABLES order to self.rows[table].
    def add(self, table, *values):
        self.rows[table].append(values)

    def next_sequence(self, facility_id, kind, year):
        key = (facility_id, kind, year)
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return self.sequences[key]

    def run(self, clients, echo=None):
        started = time.monotonic()
        for start in range(0, clients, CHUNK):
            self.rows = {name: [] for name in TABLES}
            for i in range(start, min(start + CHUNK, clients)):
                # Opening times grow with i (ids grow with the opening order, as in the app), denser
                # in recent years (more cases as the programme grows).
                fraction = ((i + self.rng.random()) / clients) ** 0.85
                self._client(BASE_AT - SPAN + SPAN * fraction)
            for name, columns in TABLES.items():
                self.writer.write(name, columns, self.rows[name])
            self.session.commit()
            if echo:
                echo(f"  {min(start + CHUNK, clients):>9,} clients  {time.monotonic() - started:7.1f} s")
        self._finish()

    def _finish(self):
        rows = [
            {"facility_id": f, "kind": kind, "year": year, "last_value": value}
            for (f, kind, year), value in sorted(self.sequences.items())
        ]
        for start in range(0, len(rows), SQLITE_BATCH):
            self.session.execute(sa.insert(CodeSequence.__table__), rows[start : start + SQLITE_BATCH])
        if self.writer.pg:
            _reset_pg_sequences(self.session, list(TABLES) + ["code_sequences"])
        self.session.commit()
        if self.writer.pg:
            # VACUUM, not only ANALYZE: it sets the visibility map, without which the index-only scans
            # (statistics, dashboards) read the heap anyway until autovacuum passes — as it would have
            # on a database filled over five years. VACUUM cannot run inside a transaction.
            with self.session.get_bind().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for name in TABLES:
                    conn.execute(sa.text(f"VACUUM ANALYZE {name}"))

    # --- a person and the episode of service -----------------------------------------------------
    def _client(self, at):
        rng = self.rng
        facility = self.pick_facility(rng)
        worker = rng.choice(facility.workers)
        age = self._age(facility)
        sex = "female" if rng.random() < (0.8 if facility.type == "shelter" else 0.55) else "male"
        birth_year = _local_year(at) - age
        precision = "exact" if rng.random() < 0.7 else "year"
        birth_date = date(birth_year, rng.randint(1, 12), rng.randint(1, 28)) if precision == "exact" else None
        if birth_date and birth_date > at.astimezone(VN).date():
            birth_year -= 1
            birth_date = birth_date.replace(year=birth_year)
        full_name = _person_name(rng, sex, birth_year)
        client_id = self.ids("clients")
        year = _local_year(at)
        code = f"TAM-{facility.code}-{year}-{self.next_sequence(facility.id, 'client', year):05d}"
        commune_code, _ = rng.choice(facility.communes)
        citizen_id = None
        if age >= 14 and rng.random() < 0.6:
            prefix = (
                f"{int(facility.province_code):03d}{(0 if sex == 'male' else 1) + (2 if birth_year >= 2000 else 0)}"
                f"{birth_year % 100:02d}"
            )
            serial = self.citizen_serial[prefix] = self.citizen_serial.get(prefix, rng.randint(0, 5000)) + 1
            citizen_id = f"{prefix}{serial:06d}"
        phone = (
            f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}" if age >= 15 and rng.random() < 0.75 else None
        )
        sensitive = facility.type == "shelter" and rng.random() < 0.3
        search = self.search_name(SimpleNamespace(full_name=full_name, alias=None, other_names=None, code=code))
        self.add(
            "clients",
            client_id,
            facility.id,
            code,
            full_name,
            sex,
            birth_date,
            birth_year,
            precision,
            _ETHNICITY(rng),
            "Việt Nam",
            citizen_id,
            phone and f"{phone[:4]} {phone[4:7]} {phone[7:]}",
            phone,
            facility.province_code,
            commune_code,
            f"Số {rng.randint(1, 400)}, thôn {rng.randint(1, 12)}" if rng.random() < 0.6 else None,
            sensitive,
            search,
            at,
            worker,
            1,
        )
        self.add(
            "client_changes",
            self.ids("client_changes"),
            client_id,
            at,
            worker,
            "created",
            {"full_name": [None, full_name], "sex": [None, sex], "birth_year": [None, birth_year]},
        )
        for group in self._groups(age, facility):
            self._membership(client_id, group, facility, worker, at)
        self._intake_and_case(facility, worker, client_id, full_name, age, at, sensitive)

    def _age(self, facility):
        rng = self.rng
        if facility.type in ("school",):
            return rng.randint(6, 15)
        if facility.type == "commune_committee":
            return rng.randint(0, 15)
        if facility.type == "drug_rehab":
            return rng.randint(18, 55)
        roll = rng.random()
        if roll < 0.35:
            return rng.randint(0, 15)
        if roll < 0.42:
            return rng.randint(16, 17)
        if roll < 0.82:
            return rng.randint(18, 59)
        return rng.randint(60, 95)

    def _membership(self, client_id, group, facility, worker, at):
        """A membership receiving from the registration day; the monthly allowance (Nghị định 20/2021/NĐ-CP,
        Điều 5–6: base 500,000 đồng × coefficient) under a decision of the commune; a disability's
        type and degree (Luật Người khuyết tật 2010, Điều 3)."""
        rng = self.rng
        membership_id = self.ids("group_memberships")
        self.add("group_memberships", membership_id, client_id, group, at, worker)
        day = at.astimezone(VN).date()
        decision = (None, None, None, None, None)
        if group.startswith("bt_"):
            coefficient = rng.choice((1.0, 1.5, 2.0, 2.5))
            number = f"{rng.randint(1, 999)}/QĐ-UBND"
            decision = (number, day, "UBND xã", coefficient, int(500_000 * coefficient))
        disability = (None, None)
        if group in ("bt_disability", "cs_disability"):
            degrees = ("very_severe", "severe") if group == "bt_disability" else ("very_severe", "severe", "mild")
            types = ("mobility", "hearing_speech", "vision", "mental", "intellectual", "other")
            disability = (rng.choices(types, weights=(35, 12, 12, 15, 18, 8))[0], rng.choice(degrees))
        care = "institution" if facility.type in ("social_protection_center", "private_assistance") else "community"
        self.add(
            "membership_versions",
            self.ids("membership_versions"),
            membership_id,
            day,
            "receiving",
            *decision,
            care,
            *disability,
            at,
            worker,
        )

    def _groups(self, age, facility):
        rng = self.rng
        # codes of core.categories.BENEFICIARY_GROUPS (NĐ 20/2021/NĐ-CP; Luật Trẻ em 2016, Điều 10)
        if facility.type == "shelter":
            return ["em_domestic_violence"] if rng.random() < 0.8 else []
        if age < 16:
            return rng.sample(
                ["bt_child_no_support", "cs_abandoned", "cs_disability", "cs_violence", "ind_orphan_no_carer"],
                rng.randint(0, 2),
            )
        if age >= 60:
            return ["bt_elderly", "ot_lonely_elderly"][: rng.randint(0, 2)]
        return ["bt_disability"] if rng.random() < 0.15 else (["ot_poor_household"] if rng.random() < 0.2 else [])

    def _intake_and_case(self, facility, worker, client_id, full_name, age, at, sensitive):
        rng = self.rng
        shelter = facility.type == "shelter"
        roll = rng.random()
        decision = "open_case" if shelter or roll < 0.8 else ("advice_only" if roll < 0.93 else "refer_out")
        if shelter:
            channel, problems = (
                rng.choice(("hotline_dv", "police", "commune", "village_head", "mass_org")),
                ["domestic_violence"],
            )
        elif age < 16:
            channel, problems = (
                rng.choice(("hotline_111", "school", "commune", "village_head", "police")),
                rng.sample(["child_abuse", "neglect", "school_dropout", "poverty", "street"], rng.randint(1, 2)),
            )
        elif age >= 60:
            channel, problems = rng.choice(("commune", "walk_in", "village_head")), ["lonely_elderly", "poverty"]
        else:
            channel, problems = (
                rng.choice(("walk_in", "phone_other", "health", "commune", "mass_org")),
                rng.sample(
                    ["domestic_violence", "mental_health", "disability", "poverty", "family_conflict", "drugs", "hiv"],
                    rng.randint(1, 2),
                ),
            )
        urgency = "emergency" if shelter and rng.random() < 0.6 else rng.choice(("high", "medium", "medium", "low"))
        answers = {
            "danger_now": "yes" if urgency == "emergency" else "no",
            "injured": rng.choice(("yes", "no", "no")),
            "child_involved": "yes" if age < 16 else "no",
            "perpetrator_access": "unknown",
            "safe_place": "no" if shelter else "yes",
            "suggested_urgency": urgency,
        }
        intake_id = self.ids("intakes")
        self.add(
            "intakes",
            intake_id,
            facility.id,
            client_id,
            at,
            channel,
            problems,
            answers,
            urgency,
            decision,
            "Bệnh viện Đa khoa tỉnh" if decision == "refer_out" else None,
            shelter,
            at,
            worker,
        )
        if decision != "open_case":
            return
        giver = "guardian" if age < 16 else "client"
        consent_id = self.ids("consents")
        self.add(
            "consents",
            consent_id,
            client_id,
            intake_id,
            "services",
            None,
            giver,
            "Người giám hộ" if giver == "guardian" else full_name,
            at,
            worker,
        )
        self._case(facility, worker, client_id, intake_id, consent_id, urgency, at, sensitive, giver, full_name)

    def _case(self, facility, worker, client_id, intake_id, consent_id, urgency, opened, sensitive, giver, name):
        rng = self.rng
        age_days = (BASE_AT - opened).days
        status = next(pick for limit, pick in _STATUS if limit is None or age_days < limit)(rng)
        case_id = self.ids("cases")
        year = _local_year(opened)
        number = self.format_case_number(facility.code, year, self.next_sequence(facility.id, "case", year))
        supervisor = rng.choice(facility.supervisors)
        reached = STEPS[: STEPS.index(status) + 1]
        if status == "closed" and rng.random() < 0.4:
            reached = ("intake", "assessment", "planning", "implementation", "closed")
        # When each step was reached: intake → assessment 1–3 days, → plan 2–7, → implementation 3–10,
        # → review 30–60, → closed 20–200 (never after the base date).
        delays = {
            "assessment": (1, 3),
            "planning": (2, 7),
            "implementation": (3, 10),
            "review": (30, 60),
            "closed": (20, 200),
        }
        times = {"intake": opened}
        t = opened
        for step in reached[1:]:
            low, high = delays[step]
            t = min(t + timedelta(days=rng.uniform(low, high)), t + (BASE_AT - t) * rng.uniform(0.3, 0.9))
            times[step] = t
        risk = rng.choice(("high", "medium", "medium", "low")) if "assessment" in reached[1:] else None
        events = [(opened, "opened", None, "intake", None)]
        previous = "intake"
        for step in reached[1:]:
            events.append((times[step], "status", previous, step, None))
            previous = step
        last_at = times[reached[-1]]
        for _ in range(rng.randint(0 if status == "intake" else 1, 4)):
            events.append((opened + (last_at - opened) * rng.random(), "note", None, None, rng.choice(NOTES)))
        events.sort(key=lambda e: e[0])
        for at, kind, from_status, to_status, text in events:
            self.add("case_events", self.ids("case_events"), case_id, at, worker, kind, from_status, to_status, text)
        closed_at = times.get("closed")
        reason = _CLOSURE(rng) if closed_at else None
        if reason == "stay_ended" and facility.type != "shelter":
            reason = "goals_met"
        notes_at = [e[0] for e in events if e[1] == "note"]
        last_contact = max(notes_at) if notes_at else None
        case_type = CASE_TYPE_BY_FACILITY.get(facility.type, "center")
        care_kind = (
            "emergency"
            if facility.type == "shelter"
            else rng.choice(("long_term", "continuous", "continuous", "rotating", "day_care"))
        )
        self.add(
            "cases",
            case_id,
            number,
            facility.id,
            client_id,
            intake_id,
            case_type,
            care_kind,
            status,
            urgency,
            risk,
            worker,
            sensitive,
            False,
            None,
            opened,
            closed_at,
            reason,
            "Đã đạt các mục tiêu chính của kế hoạch trợ giúp." if closed_at else None,
            last_contact,
            worker,
            last_at,
            1,
        )
        if status != "intake":
            self._notification(worker, case_id, number, opened)
        if "assessment" in times:
            self._assessment_and_plan(facility, case_id, worker, supervisor, times, risk, reached)
        if "implementation" in times:
            self._referral(facility, case_id, client_id, worker, times, giver, name, closed_at)
            self._follow_ups(facility, case_id, worker, times, closed_at)
        if facility.type == "shelter":
            self._stay(facility, case_id, client_id, worker, opened, closed_at)
        if closed_at:
            self.add(
                "approvals",
                self.ids("approvals"),
                case_id,
                facility.id,
                "closure",
                case_id,
                "approved",
                worker,
                closed_at - timedelta(days=1),
                supervisor,
                closed_at,
            )

    def _assessment_and_plan(self, facility, case_id, worker, supervisor, times, risk, reached):
        rng = self.rng
        assessed = times["assessment"] + timedelta(hours=rng.randint(2, 48))
        domains = {
            d: {
                "situation": "Cần hỗ trợ",
                "need_level": rng.choice(("high", "medium", "low")),
                "strengths": "Gia đình quan tâm",
                "client_view": "",
            }
            for d in rng.sample(GOAL_DOMAINS[:8], rng.randint(2, 4))
        }
        assessment_id = self.ids("assessments")
        planned = "planning" in times
        self.add(
            "assessments",
            assessment_id,
            case_id,
            facility.id,
            1,
            assessed,
            domains,
            risk,
            "Nguy cơ bị bạo lực tái diễn" if risk == "high" else None,
            {},
            "approved" if planned else "draft",
            worker,
            assessed,
            1,
        )
        if not planned:
            return
        made = times["planning"] + timedelta(hours=rng.randint(2, 72))
        approved = "implementation" in times
        plan_id = self.ids("care_plans")
        review_at = times.get("implementation", made) + timedelta(days=14 if risk == "high" else 30)
        review_on = review_at.astimezone(VN).date()  # Vietnam's calendar day, as the app's dates are
        self.add(
            "care_plans",
            plan_id,
            case_id,
            facility.id,
            assessment_id,
            1,
            "approved" if approved else "draft",
            review_on,
            "Đối tượng cùng tham gia xây dựng kế hoạch.",
            rng.random() < 0.3,
            worker,
            made,
            times["implementation"] if approved else None,
            supervisor if approved else None,
            1,
        )
        if approved:
            self.add(
                "approvals",
                self.ids("approvals"),
                case_id,
                facility.id,
                "plan",
                plan_id,
                "approved",
                worker,
                made,
                supervisor,
                times["implementation"],
            )
        start = made.astimezone(VN).date()
        for position, g in enumerate(rng.sample(range(len(GOALS)), rng.randint(1, 3))):
            goal_id = self.ids("plan_goals")
            self.add(
                "plan_goals",
                goal_id,
                plan_id,
                position,
                GOAL_DOMAINS[g],
                GOALS[g],
                start + timedelta(days=rng.randint(30, 180)),
                "closed" in times and rng.random() < 0.8,
            )
            service = rng.choice(ACTIVITY_SERVICES)
            self.add(
                "plan_activities",
                self.ids("plan_activities"),
                plan_id,
                goal_id,
                position,
                service,
                "Thực hiện theo kế hoạch đã thống nhất với đối tượng",
                worker,
                start,
                start + timedelta(days=rng.randint(14, 90)),
                "done" if "closed" in times else rng.choice(("planned", "in_progress")),
            )

    def _referral(self, facility, case_id, client_id, worker, times, giver, name, closed_at):
        rng = self.rng
        if rng.random() > 0.25:
            return
        sent = times["implementation"] + timedelta(hours=rng.randint(1, 200))
        if sent >= BASE_AT:
            return
        provider_id = rng.choice(facility.providers)
        consent_id = self.ids("consents")
        self.add(
            "consents",
            consent_id,
            client_id,
            None,
            "share_provider",
            "Nơi cung cấp dịch vụ",
            giver,
            "Người giám hộ" if giver == "guardian" else name,
            sent,
            worker,
        )
        answered = sent + timedelta(hours=rng.randint(2, 60))
        if answered >= BASE_AT:
            status, answered, completed = "sent", None, None
        elif closed_at:
            status, completed = "completed", min(answered + timedelta(days=rng.randint(3, 30)), closed_at)
        else:
            status, completed = rng.choice(("accepted", "accepted", "declined")), None
        self.add(
            "referrals",
            self.ids("referrals"),
            case_id,
            facility.id,
            provider_id,
            rng.choice(ACTIVITY_SERVICES),
            "Đối tượng cần dịch vụ chuyên sâu",
            "Họ tên, năm sinh, nhu cầu cần hỗ trợ",
            rng.random() < 0.15,
            consent_id,
            status,
            sent,
            sent + timedelta(days=2),
            answered,
            completed,
            "Đã nhận dịch vụ" if completed else None,
            completed.astimezone(VN).date() if completed else None,
            worker,
            1,
        )

    def _follow_ups(self, facility, case_id, worker, times, closed_at):
        rng = self.rng
        if closed_at:
            # Follow-up after closure, 30 and 90 days (deadlines.rules).
            for days in (30, 90):
                due = closed_at + timedelta(days=days)
                done = due + timedelta(days=rng.randint(-3, 5)) if due < BASE_AT - timedelta(days=5) else None
                follow_up_id = self.ids("follow_ups")
                self.add(
                    "follow_ups",
                    follow_up_id,
                    case_id,
                    facility.id,
                    rng.choice(("phone", "home_visit")),
                    f"Theo dõi sau kết thúc ({days} ngày)",
                    due,
                    worker,
                    done,
                    "Đối tượng ổn định" if done else None,
                    worker,
                    closed_at,
                )
                if done is None:
                    self._reminders(facility, case_id, follow_up_id, due, worker, closed_at)
            return
        last = times.get("review", times["implementation"])
        due = last + timedelta(days=rng.randint(-10, 30))  # some overdue, most upcoming
        follow_up_id = self.ids("follow_ups")
        self.add(
            "follow_ups",
            follow_up_id,
            case_id,
            facility.id,
            rng.choice(("home_visit", "phone", "meeting")),
            "Thăm hỏi định kỳ",
            due,
            worker,
            None,
            None,
            worker,
            last,
        )
        self._reminders(facility, case_id, follow_up_id, due, worker, last)

    def _reminders(self, facility, case_id, follow_up_id, due, worker, created):
        """The reminders of an open follow-up: one row per configured offset, keyed as
        reminders.services keys them; those past the base date were sent."""
        key = self.reminder_key(SimpleNamespace(key=("follow_up", case_id, follow_up_id)))
        for slot, offset in self.reminder_slots:
            remind_at = due + offset
            sent = remind_at < BASE_AT
            self.add(
                "reminders",
                self.ids("reminders"),
                case_id,
                facility.id,
                "follow_up",
                key,
                slot,
                worker,
                due,
                remind_at,
                "sent" if sent else "pending",
                False,
                created,
                remind_at if sent else None,
            )

    def _stay(self, facility, case_id, client_id, worker, admitted, closed_at):
        rng = self.rng
        planned_end = admitted + timedelta(days=30)  # default length of stay (Facility.max_stay_days)
        checked_out, bed_id = closed_at, None
        if checked_out is None:
            if (BASE_AT - admitted).days <= 45 and facility.free_beds:
                bed_id = facility.free_beds.pop(0)  # still there: occupancy never above the beds
            else:  # left the shelter, the case goes on
                checked_out = admitted + (BASE_AT - admitted) * rng.uniform(0.2, 0.9)
        self.add(
            "shelter_stays",
            self.ids("shelter_stays"),
            facility.id,
            client_id,
            case_id,
            bed_id,
            admitted,
            planned_end,
            rng.choice(("police", "commune", "hotline_dv", "village_head")),
            rng.sample(["medical", "shelter", "psychological", "legal"], rng.randint(1, 3)),
            rng.random() < 0.5,
            checked_out,
            rng.choice(("home", "relatives", "independent")) if checked_out else None,
            worker,
            admitted,
            1,
        )
        if checked_out is None:
            return
        self.add("case_events", self.ids("case_events"), case_id, checked_out, worker, "checked_out", None, None, None)

    def _notification(self, worker, case_id, number, at):
        read = at + timedelta(hours=self.rng.randint(1, 48))
        self.add(
            "notifications",
            self.ids("notifications"),
            worker,
            "case_assigned",
            case_id,
            "case_assigned",
            {"number": number},
            f"demo_case_assigned:{case_id}",
            at,
            read if read < BASE_AT else None,
        )


def generate(app, *, clients, seed=1, echo=None):
    """Fill the database with `clients` people and everything around them. Refused in production and
    on a database without the administrative units. Commits as it goes (one transaction per chunk)."""
    if app.config.get("ENV_NAME") == "production":
        raise DemoDataRefused("Demo data is refused in production (FLASK_ENV=production).")
    if clients < 1:
        raise DemoDataRefused("Give a number of clients of at least 1.")
    session = db.session
    rng = random.Random(seed)
    writer = BulkWriter(session)
    started = time.monotonic()
    facilities = _setup(session, rng, writer, hash_password(DEMO_PASSWORD), clients)
    session.commit()
    if echo:
        echo(f"  {len(facilities)} facilities, {writer.counts['users']} users ({time.monotonic() - started:.1f} s)")
    Generator(session, seed=seed + 1, facilities=facilities, writer=writer).run(clients, echo=echo)
    return writer.counts, time.monotonic() - started
