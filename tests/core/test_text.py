"""One fold() for every search column and query: case, tones and đ never stop a match."""

import unicodedata

import pytest

from caseapp.core.text import fold, nfc


def nfd(value):
    return unicodedata.normalize("NFD", value)


def test_fold_matches_a_name_typed_without_tones():
    assert fold("Nguyễn Văn Đức") == fold("nguyen van duc") == "nguyen van duc"


@pytest.mark.parametrize("written", ["Đặng", "đặng", "ĐẶNG", "Dang", "dang"])
def test_fold_turns_d_with_stroke_into_d_whatever_the_case(written):
    assert fold(written) == "dang"


def test_fold_ignores_case():
    assert fold("TRẦN THỊ HOA") == fold("trần thị hoa") == fold("Trần Thị Hoa")


@pytest.mark.parametrize("name", ["Nguyễn Văn Đức", "Phạm Thị Ngọc Ánh", "Hồ Ưng Ờ", "Lưu Quỳnh Hương"])
def test_fold_of_decomposed_input_equals_fold_of_composed_input(name):
    assert nfd(name) != name  # the NFD form really is different text
    assert fold(nfd(name)) == fold(name)


def test_fold_removes_every_vietnamese_tone_and_vowel_mark():
    assert fold("àáảãạ ăằắẳẵặ âầấẩẫậ èéẻẽẹ êềếểễệ ìíỉĩị òóỏõọ ôồốổỗộ ơờớởỡợ ùúủũụ ưừứửữự ỳýỷỹỵ") == (
        "aaaaa aaaaaa aaaaaa eeeee eeeeee iiiii ooooo oooooo oooooo uuuuu uuuuuu yyyyy"
    )


def test_fold_collapses_whitespace():
    assert fold("  Nguyễn \t Văn\n\nĐức  ") == "nguyen van duc"


def test_fold_of_nothing_is_empty():
    assert fold(None) == ""
    assert fold("") == ""


def test_nfc_composes_decomposed_input_and_collapses_whitespace():
    value = nfc("  " + nfd("Lê   Thị\tHồng") + " ")
    assert value == "Lê Thị Hồng"
    assert unicodedata.is_normalized("NFC", value)


def test_nfc_keeps_case_and_tones():
    assert nfc("Nguyễn Văn Đức") == "Nguyễn Văn Đức"


def test_nfc_of_none_is_none():
    assert nfc(None) is None
