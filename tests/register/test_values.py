"""A register's cells read as Vietnamese registers write them."""

from datetime import date
from decimal import Decimal

import pytest

from caseapp.register.imports import values


@pytest.mark.parametrize(
    "cell, expected",
    [
        (45658, (date(2025, 1, 1), None)),  # an Excel serial
        ("01/01/2025", (date(2025, 1, 1), None)),
        ("1/1/25", (date(2025, 1, 1), None)),
        ("15.03.1950", (date(1950, 3, 15), None)),
        ("2025-01-01", (date(2025, 1, 1), None)),
        ("Tháng 01/2025", (date(2025, 1, 1), None)),
        (date(2025, 1, 1), (date(2025, 1, 1), None)),
    ],
)
def test_dates_as_excel_keeps_them_or_as_people_type_them(cell, expected):
    assert values.day(cell) == expected


def test_a_year_alone_is_a_date_of_birth_only(app):
    assert values.day("1950", year_only=True) == (None, 1950)
    assert values.day(1950, year_only=True) == (None, 1950)
    with app.test_request_context("/"), pytest.raises(values.CellError):
        values.day("31/02/2025")


def test_sexes_ethnic_groups_and_numbers_by_their_usual_spellings(app):
    with app.test_request_context("/"):
        assert [values.sex(s) for s in ("Nam", "nữ", "NU", "", None)] == ["male", "female", "female", None, None]
        hmong = values.ethnicity("HMông")
        assert values.ethnicity("H'Mông") == values.ethnicity("Hmong") == values.ethnicity("Mông") == hmong
        assert values.ethnicity("Dân tộc Kinh") == "01"
        assert values.coefficient("1,5") == Decimal("1.5")
        assert values.amount("750.000") == values.amount(750000) == values.amount("750.000 đ") == 750000
        assert values.citizen_id(1150012345) == "001150012345"  # a number cell lost its leading zeros
        assert values.disability_type("Khuyết tật thần kinh, tâm thần") == "mental"
        assert values.disability_degree("Đặc biệt nặng") == "very_severe"
        assert values.group("Khoản 5 Điều 5") == "bt_elderly"
