"""Code lists of the workforce register, training and communication activities, with their sources
(see core.categories: the English label is the catalogue's msgid, the stored value the code)."""

from ..core.categories import Category

_QD112 = "Quyết định 112/QĐ-TTg (22/01/2021), chỉ tiêu 1"
_ND110 = "Nghị định 110/2024/NĐ-CP về công tác xã hội"
_TT = "Thông tư 26/2022/TT-BLĐTBXH (chức danh nghề nghiệp công tác xã hội)"

# Agencies and facilities where people do social work. `family` "ind1": counted by indicator 1 of
# QĐ 112/QĐ-TTg (social assistance and drug-rehabilitation facilities, prisons, justice bodies,
# schools, hospitals, communes); the others keep their staff in the register but not in that share.
AGENCY_KINDS = (
    Category("social_assistance", "Social assistance or social-work facility", _QD112, "ind1"),
    Category("drug_rehab", "Drug rehabilitation facility", _QD112, "ind1"),
    Category("prison", "Prison or detention facility", _QD112, "ind1"),
    Category("justice", "Justice body (court, procuracy, judgment enforcement)", _QD112, "ind1"),
    Category("school", "School", _QD112, "ind1"),
    Category("hospital", "Hospital or health centre", _QD112, "ind1"),
    Category("commune", "Commune People's Committee", _QD112, "ind1"),
    Category("mass_organisation", "Mass organisation (Women's Union, Youth Union, Red Cross…)", _ND110),
    Category("other", "Other agency or organisation", _ND110),
)
INDICATOR_1_AGENCY_KINDS = frozenset(c.code for c in AGENCY_KINDS if c.family == "ind1")

# What kind of post a person holds (Nghị định 110/2024/NĐ-CP: công chức, viên chức, người lao động;
# cộng tác viên công tác xã hội cấp xã, chuyên trách or kiêm nhiệm).
MEMBER_KINDS = (
    Category("civil_servant", "Civil servant or public employee", _ND110, "staff"),
    Category("employee", "Employee", _ND110, "staff"),
    Category("collaborator_full_time", "Social-work collaborator, full-time", _ND110, "collaborator"),
    Category("collaborator_part_time", "Social-work collaborator, part-time", _ND110, "collaborator"),
)
COLLABORATOR_KINDS = frozenset(c.code for c in MEMBER_KINDS if c.family == "collaborator")

# The highest qualification in social work (Luật Giáo dục nghề nghiệp 2014; Luật Giáo dục đại học).
QUALIFICATIONS = (
    Category("none", "None in social work"),
    Category("short_course", "Short course certificate"),
    Category("intermediate", "Intermediate (trung cấp)"),
    Category("college", "College (cao đẳng)"),
    Category("university", "University (đại học)"),
    Category("postgraduate", "Postgraduate (thạc sĩ, tiến sĩ)"),
)

# Professional titles of social work (Thông tư 26/2022/TT-BLĐTBXH, Điều 2).
PROFESSIONAL_TITLES = (
    Category("senior_social_worker", "Senior social worker (công tác xã hội viên chính)", _TT),
    Category("social_worker", "Social worker (công tác xã hội viên)", _TT),
    Category("assistant_social_worker", "Assistant social worker (nhân viên công tác xã hội)", _TT),
)

# Đào tạo, đào tạo lại, bồi dưỡng, tập huấn: each counts as "trained or retrained" for indicator 2 of
# QĐ 112/QĐ-TTg when the person attended.
TRAINING_KINDS = (
    Category("training", "Training (đào tạo)"),
    Category("retraining", "Retraining (đào tạo lại)"),
    Category("refresher", "Refresher course (bồi dưỡng)"),
    Category("workshop", "Workshop (tập huấn)"),
)

# Who organised a course, by level.
TRAINING_LEVELS = (
    Category("central", "Central level"),
    Category("province", "Province level"),
    Category("commune", "Commune level"),
    Category("facility", "Facility level"),
)

COMMUNICATION_KINDS = (
    Category("event", "Event (meeting, talk, campaign)"),
    Category("product", "Product (leaflet, poster, broadcast, video, post)"),
)

# Themes the provincial plans report on (Quyết định 112/QĐ-TTg: 25/3, Ngày Công tác xã hội Việt Nam;
# Tháng hành động vì trẻ em, tháng 6; Tháng hành động vì bình đẳng giới và phòng, chống bạo lực trên cơ
# sở giới, 15/11–15/12).
COMMUNICATION_TOPICS = (
    Category("social_work_day", "Vietnam Social Work Day (25 March)"),
    Category("child_protection_month", "Action Month for Children (June)"),
    Category("gender_equality_month", "Action Month for Gender Equality and against gender-based violence"),
    Category("domestic_violence", "Preventing domestic violence"),
    Category("social_work_services", "Social-work services and how to reach them"),
    Category("other", "Other topic"),
)
