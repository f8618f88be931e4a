"""Code lists of the domain, kept as data with their legal source.

Each entry: code (stored), English label, source. The English label is the catalogue's msgid: its
Vietnamese translation (the official wording) is in translations/vi/LC_MESSAGES/messages.po, where
`make messages` puts it as the second argument of Category(...). Labels are shown by
`label(LIST, code)` in the current UI language; the stored value is always the code, so a list can be
amended (e.g. Nghị định 76/2024 amending NĐ 20/2021) without touching old records.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from .language import catalogue_for, translations
from .text import vn_sort_key


@dataclass(frozen=True)
class Category:
    code: str
    en: str
    source: str = ""
    family: str = ""

    def label(self, locale: str = "vi") -> str:
        return str(catalogue_for(locale).ugettext(self.en))

    @property
    def vi(self) -> str:
        """The official Vietnamese wording (documents are written in Vietnamese whatever the UI's language)."""
        return self.label("vi")


# catalogue → {id(list): (list, {code: label})}: each list translated once per catalogue, not once per
# row of the reports and case lists that show its labels. The list is kept in the entry, so its id
# cannot be reused by another list while the entry lives.
_LABELS: WeakKeyDictionary[Any, dict[int, tuple[Sequence[Category], dict[str, str]]]] = WeakKeyDictionary()


def labels(categories: Sequence[Category]) -> dict[str, str]:
    """code → label of one list in the current language."""
    catalogue = translations()
    per_list = _LABELS.setdefault(catalogue, {})
    entry = per_list.get(id(categories))
    if entry is None or entry[0] is not categories:
        entry = (categories, {c.code: catalogue.ugettext(c.en) for c in categories})
        per_list[id(categories)] = entry
    return entry[1]


def label(categories: Sequence[Category], code: str | None) -> str:
    return labels(categories).get(code or "", code or "")


def choices(categories: Sequence[Category], *, blank: str | None = None) -> list[tuple[str, str]]:
    names = labels(categories)
    options = [(c.code, names[c.code]) for c in categories]
    return ([("", blank)] if blank is not None else []) + options


def sorted_choices(categories: Sequence[Category], *, blank: str | None = None, last: int = 0) -> list[tuple[str, str]]:
    """choices() in Vietnamese alphabetical order of their labels (text.vn_sort_key); the `last` few
    (e.g. "foreigner", "unknown") stay at the end in their order."""
    options = choices(categories)
    head, tail = (options[:-last], options[-last:]) if last else (options, [])
    return ([("", blank)] if blank is not None else []) + sorted(head, key=lambda o: vn_sort_key(o[1])) + tail


def codes(categories: Iterable[Category]) -> list[str]:
    return [c.code for c in categories]


# --- beneficiary groups -------------------------------------------------------------------------
_ND20 = "Nghị định 20/2021/NĐ-CP, Điều 5 (sửa đổi bởi Nghị định 76/2024/NĐ-CP)"
_ND20_EMERGENCY = "Nghị định 20/2021/NĐ-CP (trợ giúp khẩn cấp; tiếp nhận vào cơ sở trợ giúp xã hội)"
_LTE = "Luật Trẻ em 2016, Điều 10"
_QD112 = "Quyết định 112/QĐ-TTg (nhóm chỉ tiêu 5)"
_PLANS = "Kế hoạch triển khai của tỉnh"
_NKT = "Luật Người khuyết tật 2010, Điều 2–3"

BENEFICIARY_GROUPS = (
    Category("bt_child_no_support", "Child under 16 without means of support", _ND20, "monthly"),
    Category("bt_student_16_22", "Person 16–22 in education without means of support", _ND20, "monthly"),
    Category("bt_child_hiv_poor", "Child with HIV/AIDS in a poor household", _ND20, "monthly"),
    Category("bt_single_parent_poor", "Single parent in a poor household", _ND20, "monthly"),
    Category("bt_elderly", "Older person entitled to allowance", _ND20, "monthly"),
    Category("bt_disability", "Child or person with severe / very severe disability", _ND20, "monthly"),
    Category(
        "bt_child_under3_poor_ethnic",
        "Child under 3 in a poor household in an ethnic-minority or mountain area",
        _ND20,
        "monthly",
    ),
    Category("bt_hiv_poor", "Person with HIV/AIDS in a poor household", _ND20, "monthly"),
    Category("em_domestic_violence", "Victim of domestic violence", _ND20_EMERGENCY, "emergency"),
    Category("em_sexual_abuse", "Victim of sexual abuse", _ND20_EMERGENCY, "emergency"),
    Category("em_trafficking", "Victim of trafficking", _ND20_EMERGENCY, "emergency"),
    Category("em_forced_labour", "Victim of forced labour", _ND20_EMERGENCY, "emergency"),
    Category("em_street_begging", "Child or person living on the street, begging", _ND20_EMERGENCY, "emergency"),
    Category("em_disaster", "Person in hardship from disaster, fire or epidemic", _ND20_EMERGENCY, "emergency"),
    Category("em_abandoned_child", "Abandoned child, parents unknown", _ND20_EMERGENCY, "emergency"),
    Category("cs_orphan", "Child orphaned of both parents", _LTE, "child_special"),
    Category("cs_abandoned", "Abandoned child", _LTE, "child_special"),
    Category("cs_no_carer", "Child without anyone to rely on", _LTE, "child_special"),
    Category("cs_disability", "Child with disability", _LTE, "child_special"),
    Category("cs_hiv", "Child with HIV/AIDS", _LTE, "child_special"),
    Category("cs_law_violation", "Child in conflict with the law", _LTE, "child_special"),
    Category("cs_drugs", "Child with drug addiction", _LTE, "child_special"),
    Category("cs_dropout_work", "Child out of school to earn a living", _LTE, "child_special"),
    Category("cs_violence", "Child seriously harmed by violence", _LTE, "child_special"),
    Category("cs_exploited", "Exploited child", _LTE, "child_special"),
    Category("cs_sexual_abuse", "Sexually abused child", _LTE, "child_special"),
    Category("cs_trafficked", "Trafficked child", _LTE, "child_special"),
    Category(
        "cs_serious_illness_poor", "Child with serious or long-term illness in a poor household", _LTE, "child_special"
    ),
    Category("cs_migrant_refugee", "Migrant or refugee child without parents or carer", _LTE, "child_special"),
    Category("ind_orphan_no_carer", "Orphan without anyone to rely on", _QD112, "indicator"),
    Category("ind_abandoned", "Abandoned child (QĐ 112 indicator)", _QD112, "indicator"),
    Category("ind_hiv", "Child with HIV/AIDS (QĐ 112 indicator)", _QD112, "indicator"),
    Category("ind_agent_orange", "Child victim of toxic chemicals (Agent Orange)", _QD112, "indicator"),
    Category("ind_severe_disability", "Child with severe disability", _QD112, "indicator"),
    Category("ind_disaster", "Child affected by disaster or epidemic", _QD112, "indicator"),
    Category("ot_disability", "Person with disability", _NKT, "other"),
    Category("ot_lonely_elderly", "Lonely older person", _PLANS, "other"),
    Category("ot_mental", "Person with mental disorder", _PLANS, "other"),
    Category("ot_drug_user", "Person with drug addiction", _PLANS, "other"),
    Category("ot_ex_prisoner", "Former prisoner", _PLANS, "other"),
    Category("ot_poor_household", "Poor household", _PLANS, "other"),
    Category("ot_other_hardship", "Other person in hardship", _PLANS, "other"),
)
BENEFICIARY_FAMILIES = (
    Category("monthly", "Monthly social allowance"),
    Category("emergency", "In need of emergency protection"),
    Category("child_special", "Children in special circumstances"),
    Category("indicator", "QĐ 112 indicator group"),
    Category("other", "Other groups"),
)

# The families the register counts people in, each a total of distinct persons: a child in two codes
# of Luật Trẻ em 2016, Điều 10 counts once in its family. A group may be in two families (an older
# person on the monthly allowance is in both); a group in none of the first seven is in "others".
REGISTER_FAMILIES = (
    Category("elderly", "Older people"),
    Category("disability", "People with disabilities"),
    Category("child_special", "Children in special circumstances"),
    Category("hiv", "People with HIV/AIDS"),
    Category("drugs", "People with drug addiction"),
    Category("monthly", "Monthly social allowance"),
    Category("emergency", "In need of emergency protection"),
    Category("others", "Other groups"),
)
_THEMATIC_FAMILIES = {
    "elderly": ("bt_elderly", "ot_lonely_elderly"),
    "disability": ("bt_disability", "cs_disability", "ind_severe_disability", "ot_disability"),
    "hiv": ("bt_child_hiv_poor", "bt_hiv_poor", "cs_hiv", "ind_hiv"),
    "drugs": ("cs_drugs", "ot_drug_user"),
}


def register_family_groups() -> dict[str, tuple[str, ...]]:
    """family code → the group codes counted in it."""
    by_source = {
        family: tuple(c.code for c in BENEFICIARY_GROUPS if c.family == family)
        for family in ("child_special", "monthly", "emergency")
    }
    families = {**_THEMATIC_FAMILIES, **by_source}
    placed = {code for codes in families.values() for code in codes}
    families["others"] = tuple(c.code for c in BENEFICIARY_GROUPS if c.code not in placed)
    return {f.code: families[f.code] for f in REGISTER_FAMILIES}


# Groups held only with a disability's type and degree (Luật Người khuyết tật 2010, Điều 3); the
# monthly allowance and the QĐ 112 indicator are for severe and very severe disability only
# (Nghị định 20/2021/NĐ-CP, Điều 5, khoản 6).
DISABILITY_GROUPS = frozenset(_THEMATIC_FAMILIES["disability"])
SEVERE_DISABILITY_GROUPS = frozenset({"bt_disability", "ind_severe_disability"})

DISABILITY_TYPES = (
    Category("mobility", "Mobility disability", "Luật Người khuyết tật 2010, Điều 3"),
    Category("hearing_speech", "Hearing and speech disability", "Luật Người khuyết tật 2010, Điều 3"),
    Category("vision", "Visual disability", "Luật Người khuyết tật 2010, Điều 3"),
    Category("mental", "Neurological and mental disability", "Luật Người khuyết tật 2010, Điều 3"),
    Category("intellectual", "Intellectual disability", "Luật Người khuyết tật 2010, Điều 3"),
    Category("other", "Other disability", "Luật Người khuyết tật 2010, Điều 3"),
)
DISABILITY_DEGREES = (
    Category("very_severe", "Very severe", "Luật Người khuyết tật 2010, Điều 3"),
    Category("severe", "Severe", "Luật Người khuyết tật 2010, Điều 3"),
    Category("mild", "Mild", "Luật Người khuyết tật 2010, Điều 3"),
)
MEMBERSHIP_STATUSES = (
    Category("receiving", "Receiving"),
    Category("suspended", "Suspended"),
    Category("ended", "Ended"),
)
CARE_MODES = (
    Category("institution", "Residential care at a social assistance facility"),
    Category("community", "Care in the community"),
)

# --- presenting problems and intake channels -----------------------------------------------------
PROBLEMS = (
    Category("domestic_violence", "Domestic violence"),
    Category("child_abuse", "Child abuse / violence against children"),
    Category("sexual_abuse", "Sexual abuse"),
    Category("neglect", "Abandonment / neglect"),
    Category("street", "Living on the street"),
    Category("trafficking", "Human trafficking"),
    Category("disability", "Disability"),
    Category("mental_health", "Mental health"),
    Category("lonely_elderly", "Lonely older person"),
    Category("drugs", "Drug addiction"),
    Category("hiv", "HIV/AIDS"),
    Category("poverty", "Poverty"),
    Category("family_conflict", "Divorce / family conflict"),
    Category("school_dropout", "School dropout"),
    Category("disaster", "Disaster, epidemic"),
    Category("other", "Other"),
)

CHANNELS = (
    Category("walk_in", "Came to the centre in person"),
    Category("hotline_111", "Hotline 111 (national child-protection hotline)"),
    Category("hotline_dv", "National domestic-violence hotline"),
    Category("phone_other", "Other phone / hotline"),
    Category("village_head", "Village or neighbourhood head"),
    Category("police", "Referred by the police"),
    Category("commune", "Commune People's Committee / social-work collaborator"),
    Category("health", "Hospital / health facility"),
    Category("school", "School"),
    Category("mass_org", "Mass organisation (Women's Union, Youth Union …)"),
    Category("outreach", "Found through outreach"),
    Category("other_facility", "Referred by another facility"),
    Category("other", "Other"),
)

URGENCY = (
    Category("emergency", "Emergency"),
    Category("high", "High"),
    Category("medium", "Medium"),
    Category("low", "Low"),
)
URGENCY_RANK = {"emergency": 0, "high": 1, "medium": 2, "low": 3}

# First screening at intake (TT 02/2020/TT-BLĐTBXH, step 0: urgency and safety), answered yes / no /
# unknown; intake.services.suggest_urgency turns the answers into a suggested urgency.
SCREENING_QUESTIONS = (
    Category("danger_now", "Is the person in danger right now?"),
    Category("injured", "Injuries that need medical care?"),
    Category("child_involved", "Is a child involved (as victim or witness)?", "NĐ 56/2017/NĐ-CP, Điều 26"),
    Category("perpetrator_access", "Can the alleged perpetrator reach the person?"),
    Category("safe_place", "Does the person have a safe place to stay tonight?"),
)
SCREENING_ANSWERS = (
    Category("yes", "Yes"),
    Category("no", "No"),
    Category("unknown", "Not known"),
)

INTAKE_DECISIONS = (
    Category("open_case", "Open a case"),
    Category("advice_only", "Advice only (counted as counselling)"),
    Category("refer_out", "Refer out"),
)

# Kinds of care need — TT 02/2020/TT-BLĐTBXH, Điều 6.1
CARE_KINDS = (
    Category("emergency", "Emergency", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("long_term", "Long-term", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("continuous", "Continuous", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("rotating", "Rotating / respite", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("day_care", "Day care", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
)

CASE_TYPES = (
    Category("center", "Centre case", "TT 02/2020/TT-BLĐTBXH"),
    Category("emergency_shelter", "Emergency shelter case", "Luật PCBLGĐ 2022; NĐ 20/2021"),
    Category("child_protection", "Child protection", "Luật Trẻ em 2016; NĐ 56/2017/NĐ-CP, Chương III"),
)

# Case status follows the steps of TT 02/2020/TT-BLĐTBXH (step 0 intake, steps 1–5).
CASE_STATUSES = (
    Category("intake", "Intake", "TT 02/2020/TT-BLĐTBXH"),
    Category("assessment", "Needs assessment", "TT 02/2020/TT-BLĐTBXH, bước 1"),
    Category("planning", "Planning", "TT 02/2020/TT-BLĐTBXH, bước 2"),
    Category("implementation", "Implementation", "TT 02/2020/TT-BLĐTBXH, bước 3"),
    Category("review", "Monitoring and review", "TT 02/2020/TT-BLĐTBXH, bước 4"),
    Category("closed", "Closed", "TT 02/2020/TT-BLĐTBXH, bước 5"),
    Category("transferred", "Transferred", "TT 02/2020/TT-BLĐTBXH"),
)

SEXES = (
    Category("female", "Female"),
    Category("male", "Male"),
    Category("other", "Other"),
    Category("unknown", "Unknown"),
)

BIRTH_PRECISION = (
    Category("exact", "Exact date"),
    Category("year", "Year only"),
    Category("estimated", "Estimated age"),
)

RELATIONSHIPS = (
    Category("mother", "Mother"),
    Category("father", "Father"),
    Category("spouse", "Spouse"),
    Category("partner", "Partner"),
    Category("child", "Child"),
    Category("sibling", "Sibling"),
    Category("grandparent", "Grandparent"),
    Category("relative", "Relative"),
    Category("guardian", "Guardian"),
    Category("other", "Other"),
)

CONSENT_PURPOSES = (
    Category("services", "Receiving services", "Nghị định 13/2023/NĐ-CP"),
    Category("share_provider", "Sharing information with a named provider", "Nghị định 13/2023/NĐ-CP"),
    Category("reports", "Use in statistical reports", "Nghị định 13/2023/NĐ-CP"),
)

IMMEDIATE_NEEDS = (
    Category("medical", "Medical"),
    Category("shelter", "Food and lodging"),
    Category("clothing", "Clothing"),
    Category("psychological", "Psychological"),
    Category("legal", "Legal"),
)

CHECKOUT_DESTINATIONS = (
    Category("home", "Returned home"),
    Category("relatives", "To relatives"),
    Category("other_facility", "To another facility"),
    Category("independent", "Living independently"),
    Category("hospital", "Hospital"),
    Category("unknown", "Unknown / left"),
    Category("other", "Other"),
)

# The safety check when a person leaves a shelter: is the place she goes to safe for her?
CHECKOUT_SAFETY = (
    Category("safe", "Safe: no known danger there"),
    Category("at_risk", "At risk: the danger may be there"),
    Category("unknown", "Not known"),
)

# The 54 ethnic groups recognised in Vietnam (Tổng cục Thống kê, Danh mục các dân tộc Việt Nam), + foreign/unknown.
# Their names are the same in both languages: not in the catalogue, so shown as written.
ETHNIC_GROUPS = tuple(
    Category(f"{i:02d}", name, "Quyết định 121-TCTK/PPCĐ (1979)")
    for i, name in enumerate(
        (
            "Kinh",
            "Tày",
            "Thái",
            "Hoa",
            "Khơ-me",
            "Mường",
            "Nùng",
            "HMông",
            "Dao",
            "Gia-rai",
            "Ngái",
            "Ê-đê",
            "Ba-na",
            "Xơ-Đăng",
            "Sán Chay",
            "Cơ-ho",
            "Chăm",
            "Sán Dìu",
            "Hrê",
            "Mnông",
            "Ra-glai",
            "Xtiêng",
            "Bru-Vân Kiều",
            "Thổ",
            "Giáy",
            "Cơ-tu",
            "Gié-Triêng",
            "Mạ",
            "Khơ-mú",
            "Co",
            "Tà-ôi",
            "Chơ-ro",
            "Kháng",
            "Xinh-mun",
            "Hà Nhì",
            "Chu-ru",
            "Lào",
            "La Chí",
            "La Ha",
            "Phù Lá",
            "La Hủ",
            "Lự",
            "Lô Lô",
            "Chứt",
            "Mảng",
            "Pà Thẻn",
            "Co Lao",
            "Cống",
            "Bố Y",
            "Si La",
            "Pu Péo",
            "Brâu",
            "Ơ-đu",
            "Rơ-măm",
        ),
        start=1,
    )
) + (
    Category("foreign", "Foreigner"),
    Category("unknown", "Unknown"),
)

# --- case workflow (TT 02/2020/TT-BLĐTBXH) --------------------------------------------------------
_TT02 = "TT 02/2020/TT-BLĐTBXH"
NEED_DOMAINS = (
    Category("safety", "Safety", _TT02),
    Category("physical_health", "Physical health", _TT02),
    Category("mental_health", "Mental / psychological health", _TT02),
    Category("education", "Education", _TT02),
    Category("livelihood", "Livelihood, employment", _TT02),
    Category("housing", "Housing", _TT02),
    Category("relationships", "Family and social relationships", _TT02),
    Category("legal", "Legal, documents", _TT02),
    Category("other", "Other needs", _TT02),
)
NEED_LEVELS = (
    Category("high", "High"),
    Category("medium", "Medium"),
    Category("low", "Low"),
    Category("none", "No need"),
)
RISK_LEVELS = (
    Category("high", "High", _TT02),
    Category("medium", "Medium", _TT02),
    Category("low", "Low", _TT02),
)
# Risk and safety questions for violence and child-protection cases (NĐ 56/2017/NĐ-CP, Điều 26–27,
# Mẫu số 02 initial and Mẫu số 03 specific risk assessment; Luật PCBLGĐ 2022).
SAFETY_QUESTIONS = (
    Category("serious_harm", "Is the person suffering, or at risk of, serious harm?", "NĐ 56/2017/NĐ-CP, Điều 26"),
    Category(
        "perpetrator_access",
        "Does the alleged perpetrator still have access to the person?",
        "NĐ 56/2017/NĐ-CP, Điều 27",
    ),
    Category("weapons_threats", "Threats to kill, weapons, or escalating violence?", "Luật PCBLGĐ 2022"),
    Category("injuries", "Injuries needing medical care?", "NĐ 56/2017/NĐ-CP, Mẫu số 02"),
    Category("sexual_abuse", "Signs of sexual abuse?", "NĐ 56/2017/NĐ-CP, Mẫu số 02"),
    Category("safe_carer", "Is a safe alternative carer available?", "NĐ 56/2017/NĐ-CP, Điều 31–32"),
    Category(
        "separation_needed",
        "Is separation from the harmful person needed (within 12 hours)?",
        "NĐ 56/2017/NĐ-CP, Điều 26.3",
    ),
)
SERVICE_TYPES = (
    Category("counselling", "Counselling, psychological support"),
    Category("medical", "Medical care"),
    Category("legal_aid", "Legal aid"),
    Category("education", "Education support"),
    Category("vocational", "Vocational training, livelihood, employment"),
    Category("shelter", "Temporary shelter"),
    Category("food_items", "Food and essential items"),
    Category("social_policy", "Linking to social assistance (allowance, health insurance)"),
    Category("rehabilitation", "Rehabilitation"),
    Category("alternative_care", "Alternative care (foster family, facility)"),
    Category("reintegration", "Family reunification and community reintegration"),
    Category("addiction_treatment", "Addiction treatment"),
    Category("civil_documents", "Identity and civil-status documents"),
    Category("other", "Other"),
)
CLOSURE_REASONS = (
    Category("goals_met", "Plan goals met", _TT02),
    Category("referred", "Referred / transferred to another facility", _TT02),
    Category("refused", "The person refused services", _TT02),
    Category("moved_lost", "Moved / lost contact", _TT02),
    Category("died", "The person died", _TT02),
    Category("stay_ended", "End of shelter stay", _TT02),
    Category("other", "Other", _TT02),
)
PROVIDER_KINDS = (
    Category("facility", "Facility in the system"),
    Category("hospital", "Hospital / health facility"),
    Category("police", "Police"),
    Category("legal_aid", "Legal aid"),
    Category("women_union", "Women's Union"),
    Category("school", "School"),
    Category("commune", "Commune People's Committee"),
    Category("ngo", "NGO / social organisation"),
    Category("other", "Other"),
)
FOLLOW_UP_KINDS = (
    Category("home_visit", "Home visit"),
    Category("phone", "Phone call"),
    Category("meeting", "Meeting at the centre"),
)
