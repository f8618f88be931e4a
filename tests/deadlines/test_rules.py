"""The rules table (deadlines.rules): working days skip weekends and Vietnamese public holidays (Tết
included, from the `holidays` package), the review every 30 / 14 days, the 12-hour and 4-hour clock
rules. Times are given and asserted in Vietnam time; the engine works in UTC."""

from datetime import date, datetime, timezone

import holidays

from caseapp.core.timeutil import VN_TZ
from caseapp.deadlines.rules import RULES, add_working_days, due_at, is_working_day, rule_for


def vn(*args):
    return datetime(*args, tzinfo=VN_TZ).astimezone(timezone.utc)


def local(moment):
    return moment.astimezone(VN_TZ).replace(tzinfo=None)


def test_the_holidays_package_gives_tet_2027_from_4_to_10_february():
    """The dates the engine relies on (holidays for VN, 2027): Tết Nguyên đán is Sat 6 Feb 2027, the
    official days off run from Thu 4 to Wed 10 February; Giỗ Tổ Hùng Vương Fri 16 April."""
    vn_2027 = holidays.country_holidays("VN", years=2027)
    tet = sorted(d for d, name in vn_2027.items() if "Lunar New Year" in name)
    assert tet == [date(2027, 2, d) for d in range(4, 11)]
    assert date(2027, 4, 16) in vn_2027 and date(2027, 9, 2) in vn_2027
    assert not is_working_day(date(2027, 2, 8)) and is_working_day(date(2027, 2, 11))


def test_working_days_skip_the_weekend():
    # Friday 4 Dec 2026, 10:00 → 1 working day later is Monday 7 Dec at the same local time.
    assert local(add_working_days(vn(2026, 12, 4, 10, 0), 1)) == datetime(2026, 12, 7, 10, 0)
    # Thursday + 3 working days: Fri, Mon, Tue.
    assert local(add_working_days(vn(2026, 12, 3, 8, 30), 3)) == datetime(2026, 12, 8, 8, 30)
    # Counting from a Saturday starts on Monday.
    assert local(add_working_days(vn(2026, 12, 5, 9, 0), 1)) == datetime(2026, 12, 7, 9, 0)


def test_working_days_skip_tet_2027():
    # Wed 3 Feb 2027: Tết off 4–10 Feb, so the 3-working-day assessment is due Mon 15 Feb.
    assert local(due_at("assessment", vn(2027, 2, 3, 9, 0))) == datetime(2027, 2, 15, 9, 0)
    # The urgent variant (1 working day) from the eve of Tết: Thu 11 Feb.
    assert local(due_at("assessment", vn(2027, 2, 3, 16, 0), variant="urgent")) == datetime(2027, 2, 11, 16, 0)
    # A child-protection plan (5 working days, NĐ 56/2017) reported Tue 2 Feb: 3 Feb, 11, 12, 15, 16 Feb.
    assert local(due_at("plan", vn(2027, 2, 2, 14, 0), variant="child_protection")) == datetime(2027, 2, 16, 14, 0)
    # The 7-working-day plan after an assessment of Mon 1 Feb: 2, 3, 11, 12, 15, 16, 17 Feb.
    assert local(due_at("plan", vn(2027, 2, 1, 10, 0))) == datetime(2027, 2, 17, 10, 0)


def test_working_days_keep_the_local_time_across_midnight_utc():
    # 06:00 in Vietnam is 23:00 UTC the day before: the count is on Vietnamese calendar days.
    start = vn(2026, 12, 7, 6, 0)
    assert start.day == 6
    assert local(add_working_days(start, 1)) == datetime(2026, 12, 8, 6, 0)


def test_plan_review_every_30_days_and_14_at_high_risk():
    start = vn(2026, 12, 2, 9, 0)
    assert local(due_at("plan_review", start)) == datetime(2027, 1, 1, 9, 0)  # calendar days, holidays count
    assert local(due_at("plan_review", start, variant="urgent")) == datetime(2026, 12, 16, 9, 0)


def test_clock_rules_of_12_and_4_hours_ignore_weekends_and_holidays():
    # NĐ 56/2017, khoản 3 Điều 26: protective measures within 12 hours of the report — on Tết too.
    assert local(due_at("safety_check", vn(2027, 2, 5, 22, 0))) == datetime(2027, 2, 6, 10, 0)
    assert rule_for("safety_check").source == "Nghị định 56/2017/NĐ-CP, khoản 3 Điều 26"
    # An urgent referral is answered within 4 hours, even on a Saturday evening.
    assert local(due_at("referral_answer", vn(2026, 12, 5, 21, 30), variant="urgent")) == datetime(2026, 12, 6, 1, 30)
    # The ordinary referral answer: 2 working days.
    assert local(due_at("referral_answer", vn(2026, 12, 4, 15, 0))) == datetime(2026, 12, 8, 15, 0)


def test_every_rule_cites_the_law_or_says_it_is_a_default():
    """What the pages show as "Căn cứ: …": a legal text, or — where no law sets the duration — that it is
    the system's default duration, never anything a user cannot look up."""
    laws = ("Nghị định ", "Thông tư ", "Luật ", "Quyết định ")
    for key, rule in RULES.items():
        assert rule.source.startswith(laws) or "mặc định" in rule.source or "cơ sở" in rule.source, key
    assert rule_for("intake_completion").source == "Thời hạn mặc định của hệ thống"
    assert rule_for("referral_answer", "urgent").source == "Thời hạn mặc định của hệ thống"
    assert rule_for("plan_review").source == ("Thông tư 02/2020/TT-BLĐTBXH, bước 4; thời hạn: mặc định của hệ thống")
    # An unknown variant falls back to the default rule.
    assert rule_for("assessment", "no_such_variant") is RULES[("assessment", "default")]
