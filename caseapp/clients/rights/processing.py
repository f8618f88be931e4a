"""The register of processing activities: what personal data caseapp processes, why, on what legal basis,
about whom, who receives it, how long it is kept and how it is protected — the content of the processing
record a controller keeps (Nghị định 13/2023/NĐ-CP, Điều 24; Luật Bảo vệ dữ liệu cá nhân 2025).

Kept here, as data next to the code that does the processing, so that a change of what caseapp collects
or shares is made in the same change as its entry here. The admins' page (views.processing_register)
shows it translated, with the retention periods configured (retention.retention_years).
"""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ND13 = "Nghị định 13/2023/NĐ-CP"


@dataclass(frozen=True)
class Activity:
    name: LazyString
    purpose: LazyString
    legal_basis: tuple[str | LazyString, ...]  # the law, as cited (Vietnamese names of the texts)
    subjects: tuple[LazyString, ...]  # categories of people
    data: tuple[LazyString, ...]  # categories of personal data
    sensitive: tuple[LazyString, ...]  # of those, sensitive personal data (Nghị định 13/2023/NĐ-CP, Điều 2)
    recipients: tuple[LazyString, ...]
    retention: LazyString


CLIENT_IDENTITY = _l("Identity: full name, other names, sex, date of birth, nationality, citizen ID, code")
CONTACT = _l("Contact and residence: phone, address, commune and province, home town")
FAMILY = _l("Family members and guardians: names, relationship, phone, whether guardian or alleged perpetrator")
CASE_RECORD = _l("The case: intake, screening, needs assessment, plan, notes, follow-ups, closure, documents attached")
HEALTH = _l("Health, disabilities and the needs assessment's physical and mental state")
ETHNICITY = _l("Ethnicity")
VICTIM = _l("Being a victim of violence, abuse, sexual abuse or trafficking; safety and risk answers")
LOCATION = _l("Where the person is sheltered")
OFFENDER = _l("That a family member is an alleged perpetrator")
CHILDREN = _l("Data of children (under 16)")
KEPT_AFTER_CLOSURE = _l(
    "Kept for the period set for the kind of case after the last case closed, then anonymised (see below)."
)

ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        name=_l("Intake and case management"),
        purpose=_l(
            "Receive people in need, assess their needs, plan, give and follow the support and protection they "
            "need, and close the case."
        ),
        legal_basis=(
            "Thông tư 02/2020/TT-BLĐTBXH",
            "Luật Trẻ em 2016; Nghị định 56/2017/NĐ-CP",
            "Luật Phòng, chống bạo lực gia đình 2022",
            f"{ND13}, Điều 11 (sự đồng ý), Điều 17 (không cần sự đồng ý: khẩn cấp, bảo vệ tính mạng, sức khỏe)",
            f"{ND13}, Điều 20 (dữ liệu của trẻ em)",
        ),
        subjects=(
            _l("Clients: adults and children served"),
            _l("Family members, guardians and alleged perpetrators"),
            _l("People who report or refer a case"),
        ),
        data=(CLIENT_IDENTITY, CONTACT, FAMILY, CASE_RECORD),
        sensitive=(HEALTH, ETHNICITY, VICTIM, OFFENDER, CHILDREN),
        recipients=(
            _l("The facility's staff who work the case (role and facility based access)"),
            _l("Service providers named in the person's consent, through referrals (only what the consent allows)"),
            _l("Another facility the case is transferred to"),
        ),
        retention=KEPT_AFTER_CLOSURE,
    ),
    Activity(
        name=_l("Emergency protection and shelter stays"),
        purpose=_l("Keep victims of violence and children at risk safe: admission, beds, stays, check-out."),
        legal_basis=(
            "Luật Phòng, chống bạo lực gia đình 2022",
            "Nghị định 20/2021/NĐ-CP",
            f"{ND13}, Điều 17",
        ),
        subjects=(_l("Clients admitted and the children who accompany them"),),
        data=(CLIENT_IDENTITY, _l("Stay: dates, bed, who brought the person, immediate needs and danger")),
        sensitive=(LOCATION, VICTIM, CHILDREN),
        recipients=(_l("The shelter's staff; the shelter's address is never printed nor shown to others"),),
        retention=KEPT_AFTER_CLOSURE,
    ),
    Activity(
        name=_l("Beneficiary register"),
        purpose=_l("Keep the groups a person belongs to and the allowances decided for them, with their dates."),
        legal_basis=("Nghị định 20/2021/NĐ-CP (sửa đổi bởi Nghị định 76/2024/NĐ-CP)", "Luật Trẻ em 2016, Điều 10"),
        subjects=(_l("Beneficiaries of social assistance"),),
        data=(CLIENT_IDENTITY, CONTACT, _l("Groups, decisions, allowances, disability type and degree")),
        sensitive=(HEALTH, CHILDREN),
        recipients=(_l("The facility's supervisors and staff"),),
        retention=_l("Kept while the person is under management, then as for the cases."),
    ),
    Activity(
        name=_l("Statistics and reports"),
        purpose=_l("Count the people served for the unit's reports and the programme's indicators."),
        legal_basis=("Quyết định 112/QĐ-TTg", f"{ND13}, Điều 3 (tối thiểu hóa)"),
        subjects=(_l("Clients, counted only"),),
        data=(_l("Counts by sex, age group, ethnicity, commune, group, service — never a name or a list of people"),),
        sensitive=(),
        recipients=(_l("The body the reports go to (Department of Health), as numbers only"),),
        retention=_l("Frozen reports keep their numbers; they hold no personal data."),
    ),
    Activity(
        name=_l("Requests of the people about their data"),
        purpose=_l("Record and answer a person's written request to see, correct or erase their data."),
        legal_basis=(f"{ND13}, Điều 9, Điều 14, Điều 15, Điều 16", "Luật Bảo vệ dữ liệu cá nhân 2025"),
        subjects=(_l("Clients and their representatives (parents, guardians, authorised people)"),),
        data=(_l("The request: who asked, their relation, the date, the reference, the outcome"),),
        sensitive=(),
        recipients=(_l("The person or their representative (the copy of their data)"),),
        retention=_l("Kept with the client's record; the representative's name is removed at anonymisation."),
    ),
    Activity(
        name=_l("Staff accounts and the audit trail"),
        purpose=_l("Sign staff in, give each the access of their role, and record who read or changed what."),
        legal_basis=(ND13, "OWASP ASVS 5.0, V16 (ghi nhật ký)"),
        subjects=(_l("Staff of the facilities"),),
        data=(_l("Name, username, role, facility, e-mail; sign-in times and addresses; the actions taken"),),
        sensitive=(),
        recipients=(_l("Administrators and supervisors (the audit log)"),),
        retention=_l("The audit trail is append-only and holds no client's data."),
    ),
)

SECURITY_MEASURES: tuple[LazyString, ...] = (
    _l("Sign-in required on every page; passwords hashed (Argon2id); sign-in attempts throttled; idle sessions end."),
    _l("Access by role and facility; another facility's records answer as if they did not exist."),
    _l(
        "Sealed records open only to supervisors and the assigned staff; emergency access needs a reason and is reviewed."
    ),
    _l("Every read and change of a person's data is recorded in an append-only audit trail, without the data itself."),
    _l("Referrals share only what the consent allows; notifications and e-mails never carry a client's name."),
    _l("A shelter's confidential address is never printed or shown outside the shelter."),
    _l("Statistics hide small counts; reports hold numbers only."),
    _l("Records are anonymised when their retention period runs out; anonymisation is irreversible."),
)
