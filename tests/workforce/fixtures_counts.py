"""A hand-counted workforce register for the report counts (workforce.counts), made directly with the
models. The period is the first quarter of 2026: D, the day the register is read on, is 31/03/2026.

The facility keeps (communes c1, c2, c3 of its province):
- A1 school (c1): m1, m2 in post — staffed
- A2 hospital (c2): m3, m10 in post — staffed
- A3 commune People's Committee (c1): collaborators m4 (full-time), m5 (part-time), m6 (part-time,
  working in c2), m11 (full-time, left on 31/01/2026) — staffed
- A4 prison (c3): m7, left on 15/03/2026 — not staffed on D
- A5 justice body (c2): nobody
- A6 Women's Union (c3, not a kind of indicator 1): m8 in post; m9 from 10/04/2026 (after D)
- A7 school (c1), inactive: nobody — not counted
Indicator 1: 5 agencies (A1–A5), 3 staffed. Indicator 2: 8 people in post (m1–m6, m8, m10), 3
trained since 2021 (m1 twice, m3, m10); m4 trained in 2019 only, m5 enrolled but absent, m6's course
ends after D, m7 (trained twice in the quarter) left before D.
The other facility keeps B1 school (c3) with n1 in post, and B2 commune (c3) with collaborator n2
(full-time) and n3 (full-time, working in c1).
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.org.models import Commune
from caseapp.reports.periods import make_period
from caseapp.workforce.models import (
    Agency,
    CommunicationActivity,
    TrainingCourse,
    TrainingParticipant,
    WorkforceMember,
)

Q1 = make_period("quarter", 2026, 1)
D = date(2026, 3, 31)
PEOPLE_NAMES = (
    "Nguyễn Thị Một",
    "Trần Văn Hai",
    "Lê Thị Ba",
    "Phạm Thị Bốn",
    "Hoàng Văn Năm",
    "Vũ Thị Sáu",
    "Đặng Văn Bảy",
    "Bùi Thị Tám",
    "Đỗ Văn Chín",
    "Ngô Thị Mười",
    "Dương Văn Mười Một",
)


@dataclass
class Register:
    communes: list
    agencies: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    courses: dict = field(default_factory=dict)


def communes_of(province_code, n=3):
    return db.session.scalars(
        sa.select(Commune).where(Commune.province_code == province_code).order_by(Commune.code).limit(n)
    ).all()


def agency(owner, name, kind, commune, *, active=True):
    row = Agency(
        owner_facility_id=owner.id,
        province_code=owner.province_code,
        commune_code=commune.code if commune else None,
        kind=kind,
        name=name,
        search_name=name.lower(),
        active=active,
    )
    db.session.add(row)
    db.session.flush()
    return row


def member(at, name, kind, *, qualification="none", sex=None, since=date(2024, 1, 1), until=None, commune=None):
    row = WorkforceMember(
        agency_id=at.id,
        full_name=name,
        search_name=name.lower(),
        kind=kind,
        qualification=qualification,
        sex=sex,
        from_date=since,
        to_date=until,
        commune_code=commune.code if commune else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def course(facility, title, kind, start, end, *, hours=None, commune=None):
    row = TrainingCourse(
        facility_id=facility.id,
        title=title,
        kind=kind,
        level="province",
        start_date=start,
        end_date=end,
        organiser="Sở Y tế",
        hours=hours,
        commune_code=commune.code if commune else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def attend(at_course, person, *, attended=True, certificate=None):
    db.session.add(
        TrainingParticipant(
            course_id=at_course.id, member_id=person.id, attended=attended, certificate_number=certificate
        )
    )
    db.session.flush()


def activity(facility, kind, topic, held_on, *, commune=None, participants=None, copies=None):
    db.session.add(
        CommunicationActivity(
            facility_id=facility.id,
            kind=kind,
            title=f"Hoạt động {topic}",
            held_on=held_on,
            topic=topic,
            commune_code=commune.code if commune else None,
            participants=participants,
            copies=copies,
        )
    )
    db.session.flush()


def build(facility, other_facility):
    """The register described above; returns it (agencies, members, courses by their names there)."""
    c1, c2, c3 = communes_of(facility.province_code)
    reg = Register([c1, c2, c3])
    a = reg.agencies
    a["A1"] = agency(facility, "Trường THCS Lê Lợi", "school", c1)
    a["A2"] = agency(facility, "Bệnh viện đa khoa huyện", "hospital", c2)
    a["A3"] = agency(facility, "Ủy ban nhân dân xã Một", "commune", c1)
    a["A4"] = agency(facility, "Trại giam Số Bốn", "prison", c3)
    a["A5"] = agency(facility, "Tòa án nhân dân khu vực", "justice", c2)
    a["A6"] = agency(facility, "Hội Liên hiệp Phụ nữ", "mass_organisation", c3)
    a["A7"] = agency(facility, "Trường đã giải thể", "school", c1, active=False)
    a["B1"] = agency(other_facility, "Trường Tiểu học Bên Kia", "school", c3)
    a["B2"] = agency(other_facility, "Ủy ban nhân dân xã Ba", "commune", c3)

    n = dict(zip([f"m{i}" for i in range(1, 12)], PEOPLE_NAMES, strict=True))
    m = reg.members
    m["m1"] = member(a["A1"], n["m1"], "civil_servant", qualification="university", sex="female")
    m["m2"] = member(a["A1"], n["m2"], "employee", sex="male")
    m["m3"] = member(a["A2"], n["m3"], "civil_servant", qualification="college", sex="female")
    m["m4"] = member(a["A3"], n["m4"], "collaborator_full_time", qualification="short_course", sex="female")
    m["m5"] = member(a["A3"], n["m5"], "collaborator_part_time", qualification="short_course", sex="male")
    m["m6"] = member(a["A3"], n["m6"], "collaborator_part_time", sex="female", commune=c2)
    m["m7"] = member(a["A4"], n["m7"], "employee", sex="male", until=date(2026, 3, 15))
    m["m8"] = member(a["A6"], n["m8"], "employee", qualification="intermediate", sex="female")
    m["m9"] = member(a["A6"], n["m9"], "employee", sex="male", since=date(2026, 4, 10))
    m["m10"] = member(a["A2"], n["m10"], "civil_servant", qualification="postgraduate")
    m["m11"] = member(a["A3"], n["m11"], "collaborator_full_time", sex="male", until=date(2026, 1, 31))
    m["n1"] = member(a["B1"], "Người Bên Kia Một", "civil_servant", sex="female")
    m["n2"] = member(a["B2"], "Người Bên Kia Hai", "collaborator_full_time", sex="female")
    m["n3"] = member(a["B2"], "Người Bên Kia Ba", "collaborator_full_time", sex="male", commune=c1)

    k = reg.courses
    k["K1"] = course(facility, "Đào tạo CTXH 2022", "training", date(2022, 6, 1), date(2022, 6, 30), hours=120)
    k["K2"] = course(facility, "Tập huấn quý I", "workshop", date(2026, 2, 18), date(2026, 2, 20), hours=16, commune=c1)
    k["K3"] = course(facility, "Bồi dưỡng 2019", "refresher", date(2019, 11, 1), date(2019, 11, 30), hours=40)
    k["K4"] = course(facility, "Đào tạo lại", "retraining", date(2026, 3, 20), date(2026, 5, 10), hours=60)
    k["K5"] = course(other_facility, "Đào tạo của cơ sở khác", "training", date(2026, 1, 5), date(2026, 1, 9), hours=40)
    attend(k["K1"], m["m1"])
    attend(k["K1"], m["m10"])
    attend(k["K2"], m["m1"], certificate="CC-01")
    attend(k["K2"], m["m3"])
    attend(k["K2"], m["m5"], attended=False)
    attend(k["K2"], m["m7"])
    attend(k["K3"], m["m4"])
    attend(k["K4"], m["m6"])
    attend(k["K5"], m["m7"], certificate="CC-05")

    activity(facility, "event", "social_work_day", date(2026, 3, 25), commune=c1, participants=120)
    activity(facility, "product", "social_work_services", date(2026, 2, 1), copies=500)
    activity(facility, "event", "social_work_day", date(2026, 3, 26), commune=c2, participants=80)
    activity(facility, "event", "domestic_violence", date(2025, 12, 20), participants=30)
    activity(other_facility, "event", "child_protection_month", date(2026, 3, 1), participants=45)
    return reg


# Hand counts of the facility's register on D (Q1 2026).
FACILITY = {
    "indicator_1": {"total": 5, "staffed": 3},
    "indicator_2": {"total": 8, "trained": 3},
    "full_time": 1,  # m4 (m11 left)
    "part_time": 2,  # m5, m6
    "covered": 2,  # c1 (m4, m5), c2 (m6)
    "training": {
        "workshop": {"courses": 1, "hours": 16, "attendances": 3, "people": 3, "certificates": 1},  # K2: m1, m3, m7
        "training": {"courses": 0, "hours": 0, "attendances": 1, "people": 1, "certificates": 1},  # K5 (other's): m7
    },
    "trained_people": 3,  # m1, m3, m7 (m7 at two courses: once)
    "communication": {
        "event|social_work_day": {"activities": 2, "participants": 200, "copies": 0},
        "product|social_work_services": {"activities": 1, "participants": 0, "copies": 500},
    },
}
