"""Code lists of the domain, kept as data with their legal source.

Each entry: code (stored), Vietnamese label (official wording), English label, source. Labels are
shown by `label(LIST, code)` in the current UI language; the stored value is always the code, so a
list can be amended (e.g. Nghị định 76/2024 amending NĐ 20/2021) without touching old records.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from .language import language as _locale


@dataclass(frozen=True)
class Category:
    code: str
    vi: str
    en: str
    source: str = ""
    family: str = ""

    def label(self, locale: str = "vi") -> str:
        return self.en if locale == "en" else self.vi


def label(categories: Iterable[Category], code: str | None) -> str:
    for category in categories:
        if category.code == code:
            return category.label(_locale())
    return code or ""


def choices(categories: Iterable[Category], *, blank: str | None = None) -> list[tuple[str, str]]:
    locale = _locale()
    options = [(c.code, c.label(locale)) for c in categories]
    return ([("", blank)] if blank is not None else []) + options


def codes(categories: Iterable[Category]) -> list[str]:
    return [c.code for c in categories]


# --- beneficiary groups -------------------------------------------------------------------------
_ND20 = "Nghị định 20/2021/NĐ-CP, Điều 5 (sửa đổi bởi Nghị định 76/2024/NĐ-CP)"
_ND20_EMERGENCY = "Nghị định 20/2021/NĐ-CP (trợ giúp khẩn cấp; tiếp nhận vào cơ sở trợ giúp xã hội)"
_LTE = "Luật Trẻ em 2016, Điều 10"
_QD112 = "Quyết định 112/QĐ-TTg (nhóm chỉ tiêu 5)"
_PLANS = "Kế hoạch triển khai của tỉnh"

BENEFICIARY_GROUPS = (
    Category("bt_child_no_support", "Trẻ em dưới 16 tuổi không có nguồn nuôi dưỡng", "Child under 16 without means of support", _ND20, "monthly"),
    Category("bt_student_16_22", "Người 16–22 tuổi đang học không có nguồn nuôi dưỡng", "Person 16–22 in education without means of support", _ND20, "monthly"),
    Category("bt_child_hiv_poor", "Trẻ em nhiễm HIV/AIDS thuộc hộ nghèo", "Child with HIV/AIDS in a poor household", _ND20, "monthly"),
    Category("bt_single_parent_poor", "Người thuộc hộ nghèo không có chồng/vợ đang nuôi con", "Single parent in a poor household", _ND20, "monthly"),
    Category("bt_elderly", "Người cao tuổi thuộc diện hưởng trợ cấp", "Older person entitled to allowance", _ND20, "monthly"),
    Category("bt_disability", "Trẻ em khuyết tật, người khuyết tật nặng / đặc biệt nặng", "Child or person with severe / very severe disability", _ND20, "monthly"),
    Category("bt_child_under3_poor_ethnic", "Trẻ em dưới 3 tuổi thuộc hộ nghèo/cận nghèo vùng DTTS và miền núi ĐBKK", "Child under 3 in a poor household in an ethnic-minority or mountain area", _ND20, "monthly"),
    Category("bt_hiv_poor", "Người nhiễm HIV/AIDS thuộc hộ nghèo", "Person with HIV/AIDS in a poor household", _ND20, "monthly"),
    Category("em_domestic_violence", "Nạn nhân bạo lực gia đình", "Victim of domestic violence", _ND20_EMERGENCY, "emergency"),
    Category("em_sexual_abuse", "Nạn nhân bị xâm hại tình dục", "Victim of sexual abuse", _ND20_EMERGENCY, "emergency"),
    Category("em_trafficking", "Nạn nhân bị mua bán", "Victim of trafficking", _ND20_EMERGENCY, "emergency"),
    Category("em_forced_labour", "Nạn nhân bị cưỡng bức lao động", "Victim of forced labour", _ND20_EMERGENCY, "emergency"),
    Category("em_street_begging", "Trẻ em, người lang thang xin ăn", "Child or person living on the street, begging", _ND20_EMERGENCY, "emergency"),
    Category("em_disaster", "Người gặp khó khăn do thiên tai, hỏa hoạn, dịch bệnh", "Person in hardship from disaster, fire or epidemic", _ND20_EMERGENCY, "emergency"),
    Category("em_abandoned_child", "Trẻ em bị bỏ rơi chưa xác định cha mẹ", "Abandoned child, parents unknown", _ND20_EMERGENCY, "emergency"),
    Category("cs_orphan", "Trẻ em mồ côi cả cha và mẹ", "Child orphaned of both parents", _LTE, "child_special"),
    Category("cs_abandoned", "Trẻ em bị bỏ rơi", "Abandoned child", _LTE, "child_special"),
    Category("cs_no_carer", "Trẻ em không nơi nương tựa", "Child without anyone to rely on", _LTE, "child_special"),
    Category("cs_disability", "Trẻ em khuyết tật", "Child with disability", _LTE, "child_special"),
    Category("cs_hiv", "Trẻ em nhiễm HIV/AIDS", "Child with HIV/AIDS", _LTE, "child_special"),
    Category("cs_law_violation", "Trẻ em vi phạm pháp luật", "Child in conflict with the law", _LTE, "child_special"),
    Category("cs_drugs", "Trẻ em nghiện ma túy", "Child with drug addiction", _LTE, "child_special"),
    Category("cs_dropout_work", "Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập THCS", "Child out of school to earn a living", _LTE, "child_special"),
    Category("cs_violence", "Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực", "Child seriously harmed by violence", _LTE, "child_special"),
    Category("cs_exploited", "Trẻ em bị bóc lột", "Exploited child", _LTE, "child_special"),
    Category("cs_sexual_abuse", "Trẻ em bị xâm hại tình dục", "Sexually abused child", _LTE, "child_special"),
    Category("cs_trafficked", "Trẻ em bị mua bán", "Trafficked child", _LTE, "child_special"),
    Category("cs_serious_illness_poor", "Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo, cận nghèo", "Child with serious or long-term illness in a poor household", _LTE, "child_special"),
    Category("cs_migrant_refugee", "Trẻ em di cư, lánh nạn, tị nạn chưa xác định cha mẹ hoặc không có người chăm sóc", "Migrant or refugee child without parents or carer", _LTE, "child_special"),
    Category("ind_orphan_no_carer", "Trẻ em mồ côi không nơi nương tựa", "Orphan without anyone to rely on", _QD112, "indicator"),
    Category("ind_abandoned", "Trẻ em bị bỏ rơi (chỉ tiêu QĐ 112)", "Abandoned child (QĐ 112 indicator)", _QD112, "indicator"),
    Category("ind_hiv", "Trẻ em nhiễm HIV/AIDS (chỉ tiêu QĐ 112)", "Child with HIV/AIDS (QĐ 112 indicator)", _QD112, "indicator"),
    Category("ind_agent_orange", "Trẻ em là nạn nhân chất độc hóa học", "Child victim of toxic chemicals (Agent Orange)", _QD112, "indicator"),
    Category("ind_severe_disability", "Trẻ em khuyết tật nặng", "Child with severe disability", _QD112, "indicator"),
    Category("ind_disaster", "Trẻ em bị ảnh hưởng bởi thiên tai, dịch bệnh", "Child affected by disaster or epidemic", _QD112, "indicator"),
    Category("ot_lonely_elderly", "Người cao tuổi cô đơn", "Lonely older person", _PLANS, "other"),
    Category("ot_mental", "Người rối nhiễu tâm trí / tâm thần", "Person with mental disorder", _PLANS, "other"),
    Category("ot_drug_user", "Người nghiện ma túy", "Person with drug addiction", _PLANS, "other"),
    Category("ot_ex_prisoner", "Phạm nhân hoàn lương", "Former prisoner", _PLANS, "other"),
    Category("ot_poor_household", "Hộ nghèo", "Poor household", _PLANS, "other"),
    Category("ot_other_hardship", "Đối tượng khó khăn khác", "Other person in hardship", _PLANS, "other"),
)
BENEFICIARY_FAMILIES = (
    ("monthly", "Đối tượng bảo trợ xã hội hưởng trợ cấp hằng tháng", "Monthly social allowance"),
    ("emergency", "Đối tượng cần bảo vệ khẩn cấp", "In need of emergency protection"),
    ("child_special", "Trẻ em có hoàn cảnh đặc biệt", "Children in special circumstances"),
    ("indicator", "Nhóm trẻ em theo chỉ tiêu QĐ 112", "QĐ 112 indicator group"),
    ("other", "Nhóm khác", "Other groups"),
)

# --- presenting problems and intake channels -----------------------------------------------------
PROBLEMS = (
    Category("domestic_violence", "Bạo lực gia đình", "Domestic violence"),
    Category("child_abuse", "Xâm hại / bạo lực trẻ em", "Child abuse / violence against children"),
    Category("sexual_abuse", "Xâm hại tình dục", "Sexual abuse"),
    Category("neglect", "Bị bỏ rơi / sao nhãng chăm sóc", "Abandonment / neglect"),
    Category("street", "Lang thang", "Living on the street"),
    Category("trafficking", "Mua bán người", "Human trafficking"),
    Category("disability", "Khuyết tật", "Disability"),
    Category("mental_health", "Sức khỏe tâm thần", "Mental health"),
    Category("lonely_elderly", "Người cao tuổi cô đơn", "Lonely older person"),
    Category("drugs", "Nghiện ma túy", "Drug addiction"),
    Category("hiv", "HIV/AIDS", "HIV/AIDS"),
    Category("poverty", "Nghèo đói", "Poverty"),
    Category("family_conflict", "Ly hôn / mâu thuẫn gia đình", "Divorce / family conflict"),
    Category("school_dropout", "Bỏ học", "School dropout"),
    Category("disaster", "Thiên tai, dịch bệnh", "Disaster, epidemic"),
    Category("other", "Khác", "Other"),
)

CHANNELS = (
    Category("walk_in", "Trực tiếp đến trung tâm", "Came to the centre in person"),
    Category("hotline_111", "Tổng đài 111 (Tổng đài quốc gia bảo vệ trẻ em)", "Hotline 111 (national child-protection hotline)"),
    Category("hotline_dv", "Tổng đài quốc gia về phòng, chống bạo lực gia đình", "National domestic-violence hotline"),
    Category("phone_other", "Điện thoại / đường dây nóng khác", "Other phone / hotline"),
    Category("village_head", "Trưởng thôn / tổ trưởng tổ dân phố", "Village or neighbourhood head"),
    Category("police", "Công an chuyển đến", "Referred by the police"),
    Category("commune", "UBND xã / cộng tác viên CTXH", "Commune People's Committee / social-work collaborator"),
    Category("health", "Bệnh viện / cơ sở y tế", "Hospital / health facility"),
    Category("school", "Trường học", "School"),
    Category("mass_org", "Tổ chức đoàn thể (Hội LHPN, Đoàn TN …)", "Mass organisation (Women's Union, Youth Union …)"),
    Category("outreach", "Tự phát hiện (outreach)", "Found through outreach"),
    Category("other_facility", "Cơ sở khác chuyển gửi", "Referred by another facility"),
    Category("other", "Khác", "Other"),
)

URGENCY = (
    Category("emergency", "Khẩn cấp", "Emergency"),
    Category("high", "Cao", "High"),
    Category("medium", "Trung bình", "Medium"),
    Category("low", "Thấp", "Low"),
)
URGENCY_RANK = {"emergency": 0, "high": 1, "medium": 2, "low": 3}

# First screening at intake (TT 02/2020/TT-BLĐTBXH, step 0: urgency and safety), answered yes / no /
# unknown; intake.services.suggest_urgency turns the answers into a suggested urgency.
SCREENING_QUESTIONS = (
    Category("danger_now", "Người này có đang gặp nguy hiểm ngay lúc này không?", "Is the person in danger right now?"),
    Category("injured", "Có thương tích cần chăm sóc y tế không?", "Injuries that need medical care?"),
    Category("child_involved", "Có trẻ em liên quan (là nạn nhân hoặc chứng kiến) không?",
             "Is a child involved (as victim or witness)?", "NĐ 56/2017/NĐ-CP, Điều 26"),
    Category("perpetrator_access", "Người bị cho là gây hại có thể tiếp cận người này không?",
             "Can the alleged perpetrator reach the person?"),
    Category("safe_place", "Tối nay người này có nơi ở an toàn không?", "Does the person have a safe place to stay tonight?"),
)
SCREENING_ANSWERS = (
    Category("yes", "Có", "Yes"),
    Category("no", "Không", "No"),
    Category("unknown", "Chưa rõ", "Not known"),
)

INTAKE_DECISIONS = (
    Category("open_case", "Mở hồ sơ quản lý trường hợp", "Open a case"),
    Category("advice_only", "Chỉ tư vấn (tính là lượt tư vấn)", "Advice only (counted as counselling)"),
    Category("refer_out", "Chuyển gửi nơi khác", "Refer out"),
)

# Kinds of care need — TT 02/2020/TT-BLĐTBXH, Điều 6.1
CARE_KINDS = (
    Category("emergency", "Khẩn cấp", "Emergency", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("long_term", "Lâu dài", "Long-term", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("continuous", "Liên tục", "Continuous", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("rotating", "Luân phiên", "Rotating / respite", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
    Category("day_care", "Bán trú", "Day care", "TT 02/2020/TT-BLĐTBXH, Điều 6.1"),
)

CASE_TYPES = (
    Category("center", "Trường hợp tại trung tâm", "Centre case", "TT 02/2020/TT-BLĐTBXH"),
    Category("emergency_shelter", "Tiếp nhận khẩn cấp (nhà tạm lánh)", "Emergency shelter case", "Luật PCBLGĐ 2022; NĐ 20/2021"),
    Category("child_protection", "Bảo vệ trẻ em", "Child protection", "Luật Trẻ em 2016; NĐ 56/2017/NĐ-CP, Chương III"),
)

# Case status follows the steps of TT 02/2020/TT-BLĐTBXH (step 0 intake, steps 1–5).
CASE_STATUSES = (
    Category("intake", "Tiếp nhận", "Intake", "TT 02/2020/TT-BLĐTBXH"),
    Category("assessment", "Đánh giá nhu cầu", "Needs assessment", "TT 02/2020/TT-BLĐTBXH, bước 1"),
    Category("planning", "Lập kế hoạch", "Planning", "TT 02/2020/TT-BLĐTBXH, bước 2"),
    Category("implementation", "Thực hiện kế hoạch", "Implementation", "TT 02/2020/TT-BLĐTBXH, bước 3"),
    Category("review", "Theo dõi, rà soát", "Monitoring and review", "TT 02/2020/TT-BLĐTBXH, bước 4"),
    Category("closed", "Kết thúc", "Closed", "TT 02/2020/TT-BLĐTBXH, bước 5"),
    Category("transferred", "Chuyển gửi / chuyển cơ sở", "Transferred", "TT 02/2020/TT-BLĐTBXH"),
)

SEXES = (
    Category("female", "Nữ", "Female"),
    Category("male", "Nam", "Male"),
    Category("other", "Khác", "Other"),
    Category("unknown", "Chưa rõ", "Unknown"),
)

BIRTH_PRECISION = (
    Category("exact", "Ngày sinh chính xác", "Exact date"),
    Category("year", "Chỉ biết năm sinh", "Year only"),
    Category("estimated", "Tuổi ước tính", "Estimated age"),
)

RELATIONSHIPS = (
    Category("mother", "Mẹ", "Mother"), Category("father", "Cha", "Father"),
    Category("spouse", "Vợ / chồng", "Spouse"), Category("partner", "Bạn đời / người yêu", "Partner"),
    Category("child", "Con", "Child"), Category("sibling", "Anh chị em", "Sibling"),
    Category("grandparent", "Ông bà", "Grandparent"), Category("relative", "Họ hàng", "Relative"),
    Category("guardian", "Người giám hộ", "Guardian"), Category("other", "Khác", "Other"),
)

CONSENT_PURPOSES = (
    Category("services", "Nhận dịch vụ trợ giúp", "Receiving services", "Nghị định 13/2023/NĐ-CP"),
    Category("share_provider", "Chia sẻ thông tin với nơi cung cấp dịch vụ (ghi rõ)", "Sharing information with a named provider", "Nghị định 13/2023/NĐ-CP"),
    Category("reports", "Sử dụng trong báo cáo thống kê", "Use in statistical reports", "Nghị định 13/2023/NĐ-CP"),
)

IMMEDIATE_NEEDS = (
    Category("medical", "Y tế", "Medical"),
    Category("shelter", "Ăn ở", "Food and lodging"),
    Category("clothing", "Quần áo", "Clothing"),
    Category("psychological", "Tâm lý", "Psychological"),
    Category("legal", "Pháp lý", "Legal"),
)

CHECKOUT_DESTINATIONS = (
    Category("home", "Về gia đình", "Returned home"),
    Category("relatives", "Về nhà người thân", "To relatives"),
    Category("other_facility", "Chuyển cơ sở khác", "To another facility"),
    Category("independent", "Sống độc lập", "Living independently"),
    Category("hospital", "Bệnh viện", "Hospital"),
    Category("unknown", "Không rõ / tự rời đi", "Unknown / left"),
    Category("other", "Khác", "Other"),
)

# The 54 ethnic groups recognised in Vietnam (Tổng cục Thống kê, Danh mục các dân tộc Việt Nam), + foreign/unknown.
ETHNIC_GROUPS = tuple(Category(f"{i:02d}", name, name, "Quyết định 121-TCTK/PPCĐ (1979)") for i, name in enumerate((
    "Kinh", "Tày", "Thái", "Hoa", "Khơ-me", "Mường", "Nùng", "HMông", "Dao", "Gia-rai", "Ngái", "Ê-đê",
    "Ba-na", "Xơ-Đăng", "Sán Chay", "Cơ-ho", "Chăm", "Sán Dìu", "Hrê", "Mnông", "Ra-glai", "Xtiêng",
    "Bru-Vân Kiều", "Thổ", "Giáy", "Cơ-tu", "Gié-Triêng", "Mạ", "Khơ-mú", "Co", "Tà-ôi", "Chơ-ro",
    "Kháng", "Xinh-mun", "Hà Nhì", "Chu-ru", "Lào", "La Chí", "La Ha", "Phù Lá", "La Hủ", "Lự",
    "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Co Lao", "Cống", "Bố Y", "Si La", "Pu Péo", "Brâu", "Ơ-đu",
    "Rơ-măm"), start=1)) + (
    Category("foreign", "Người nước ngoài", "Foreigner"),
    Category("unknown", "Chưa rõ", "Unknown"),
)

# --- case workflow (TT 02/2020/TT-BLĐTBXH) --------------------------------------------------------
_TT02 = "TT 02/2020/TT-BLĐTBXH"
NEED_DOMAINS = (
    Category("safety", "An toàn", "Safety", _TT02),
    Category("physical_health", "Sức khỏe thể chất", "Physical health", _TT02),
    Category("mental_health", "Sức khỏe tâm thần / tâm lý", "Mental / psychological health", _TT02),
    Category("education", "Giáo dục", "Education", _TT02),
    Category("livelihood", "Sinh kế, việc làm", "Livelihood, employment", _TT02),
    Category("housing", "Nơi ở", "Housing", _TT02),
    Category("relationships", "Quan hệ gia đình, xã hội", "Family and social relationships", _TT02),
    Category("legal", "Pháp lý, giấy tờ", "Legal, documents", _TT02),
    Category("other", "Nhu cầu khác", "Other needs", _TT02),
)
NEED_LEVELS = (
    Category("high", "Cao", "High"), Category("medium", "Trung bình", "Medium"),
    Category("low", "Thấp", "Low"), Category("none", "Không có nhu cầu", "No need"),
)
RISK_LEVELS = (
    Category("high", "Cao", "High", _TT02), Category("medium", "Trung bình", "Medium", _TT02),
    Category("low", "Thấp", "Low", _TT02),
)
# Risk and safety questions for violence and child-protection cases (NĐ 56/2017/NĐ-CP, Điều 26–27,
# Mẫu số 02 initial and Mẫu số 03 specific risk assessment; Luật PCBLGĐ 2022).
SAFETY_QUESTIONS = (
    Category("serious_harm", "Đối tượng đang bị hoặc có nguy cơ bị tổn hại nghiêm trọng?", "Is the person suffering, or at risk of, serious harm?", "NĐ 56/2017/NĐ-CP, Điều 26"),
    Category("perpetrator_access", "Người gây hại còn tiếp cận được đối tượng?", "Does the alleged perpetrator still have access to the person?", "NĐ 56/2017/NĐ-CP, Điều 27"),
    Category("weapons_threats", "Có đe dọa giết, dùng hung khí hoặc bạo lực leo thang?", "Threats to kill, weapons, or escalating violence?", "Luật PCBLGĐ 2022"),
    Category("injuries", "Có thương tích cần chăm sóc y tế?", "Injuries needing medical care?", "NĐ 56/2017/NĐ-CP, Mẫu số 02"),
    Category("sexual_abuse", "Có dấu hiệu xâm hại tình dục?", "Signs of sexual abuse?", "NĐ 56/2017/NĐ-CP, Mẫu số 02"),
    Category("safe_carer", "Có người chăm sóc an toàn thay thế?", "Is a safe alternative carer available?", "NĐ 56/2017/NĐ-CP, Điều 31–32"),
    Category("separation_needed", "Cần tách đối tượng khỏi người gây hại (trong 12 giờ)?", "Is separation from the harmful person needed (within 12 hours)?", "NĐ 56/2017/NĐ-CP, Điều 26.3"),
)
SERVICE_TYPES = (
    Category("counselling", "Tư vấn, tham vấn tâm lý", "Counselling, psychological support"),
    Category("medical", "Chăm sóc y tế, khám chữa bệnh", "Medical care"),
    Category("legal_aid", "Trợ giúp pháp lý", "Legal aid"),
    Category("education", "Hỗ trợ giáo dục, học tập", "Education support"),
    Category("vocational", "Dạy nghề, sinh kế, việc làm", "Vocational training, livelihood, employment"),
    Category("shelter", "Chỗ ở tạm thời, tạm lánh", "Temporary shelter"),
    Category("food_items", "Hỗ trợ lương thực, vật dụng thiết yếu", "Food and essential items"),
    Category("social_policy", "Kết nối chính sách trợ giúp xã hội (trợ cấp, bảo hiểm y tế)", "Linking to social assistance (allowance, health insurance)"),
    Category("rehabilitation", "Phục hồi chức năng", "Rehabilitation"),
    Category("alternative_care", "Chăm sóc thay thế (gia đình nhận nuôi, cơ sở)", "Alternative care (foster family, facility)"),
    Category("reintegration", "Đoàn tụ, hòa nhập gia đình và cộng đồng", "Family reunification and community reintegration"),
    Category("addiction_treatment", "Điều trị, cai nghiện", "Addiction treatment"),
    Category("civil_documents", "Hỗ trợ giấy tờ tùy thân, hộ tịch", "Identity and civil-status documents"),
    Category("other", "Khác", "Other"),
)
CLOSURE_REASONS = (
    Category("goals_met", "Đạt mục tiêu kế hoạch", "Plan goals met", _TT02),
    Category("referred", "Chuyển gửi / chuyển cơ sở khác", "Referred / transferred to another facility", _TT02),
    Category("refused", "Đối tượng từ chối dịch vụ", "The person refused services", _TT02),
    Category("moved_lost", "Chuyển nơi ở / mất liên lạc", "Moved / lost contact", _TT02),
    Category("died", "Đối tượng tử vong", "The person died", _TT02),
    Category("stay_ended", "Hết thời gian lưu trú (nhà tạm lánh)", "End of shelter stay", _TT02),
    Category("other", "Khác", "Other", _TT02),
)
PROVIDER_KINDS = (
    Category("facility", "Cơ sở trong hệ thống", "Facility in the system"),
    Category("hospital", "Bệnh viện / cơ sở y tế", "Hospital / health facility"),
    Category("police", "Công an", "Police"),
    Category("legal_aid", "Trợ giúp pháp lý", "Legal aid"),
    Category("women_union", "Hội Liên hiệp Phụ nữ", "Women's Union"),
    Category("school", "Trường học", "School"),
    Category("commune", "UBND xã / phường", "Commune People's Committee"),
    Category("ngo", "Tổ chức xã hội, phi chính phủ", "NGO / social organisation"),
    Category("other", "Khác", "Other"),
)
FOLLOW_UP_KINDS = (
    Category("home_visit", "Thăm gia đình", "Home visit"),
    Category("phone", "Gọi điện thoại", "Phone call"),
    Category("meeting", "Gặp tại trung tâm", "Meeting at the centre"),
)
