"""Vietnamese typed with the legacy fonts comes out in Unicode NFC; Unicode text is left as it is."""

import unicodedata

import pytest

from caseapp.core.legacy_text import detect, to_unicode


@pytest.mark.parametrize(
    "typed, encoding, unicode",
    [
        ("NguyÔn ThÞ Hoa, x· Hßa B×nh", "tcvn3", "Nguyễn Thị Hoa, xã Hòa Bình"),
        ("Xin chµo tÊt c¶ mäi ng\xadêi", "tcvn3", "Xin chào tất cả mọi người"),
        ("Nguyeãn Thò Hoa, xaõ Hoøa Bình", "vni", "Nguyễn Thị Hoa, xã Hòa Bình"),
        ("Traàn Vaên Ñöùc", "vni", "Trần Văn Đức"),
        ("TRAÀN VAÊN ÑÖÙC", "vni", "TRẦN VĂN ĐỨC"),
    ],
)
def test_legacy_text_is_detected_and_converted(typed, encoding, unicode):
    assert detect([typed]) == encoding
    assert to_unicode(typed, encoding) == unicode


def test_a_unicode_file_is_left_alone_even_with_old_style_tone_marks():
    texts = ["Nguyễn Thị Hoa", "Hoà Bình", "Lê Văn Tám", "khoẻ mạnh", "Đỗ Thị Ánh"]
    assert detect(texts) is None
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert to_unicode(decomposed, None) == "Nguyễn"
