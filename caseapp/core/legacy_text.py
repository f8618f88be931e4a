"""Vietnamese typed in the legacy 8-bit encodings, converted to Unicode NFC.

Registers kept in Excel since the 1990s were often typed with the ".VnTime" fonts (TCVN3, the "ABC"
keyboard tables, TCVN 5712:1993 VN3) or the "VNI-Times" fonts (VNI-Windows): Excel stored each byte
as the Windows-1252 character, which shows as "Xin chµo" or "Xin chaøo" in a Unicode font. The
TCVN3 table below is TCVN 5712:1993 as glibc's iconv decodes it (TCVN5712-1), restricted to the
positions of the VN3 fonts; capitals typed with the ".VnTimeH" fonts are stored as the lowercase
bytes and come out lowercase. VNI-Windows writes a letter and then its marks as separate characters.
"""

import re
import unicodedata
from collections.abc import Iterable

_TCVN3_SOURCE = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_UNICODE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3 = str.maketrans(dict(zip(_TCVN3_SOURCE, _TCVN3_UNICODE, strict=True)))

# VNI-Windows: tone marks after the vowel (sắc, huyền, hỏi, ngã, nặng), and the vowel marks of
# â/ê/ô (circumflex) and ă (breve), each with its tones; a few letters are one character.
_VNI_TONES = ("ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX_TONES = ("á", "à", "å", "ã", "ä")
_VNI_BREVE_TONES = ("é", "è", "ú", "ü", "ë")
_TONED = {  # base → its five toned forms (sắc, huyền, hỏi, ngã, nặng)
    "a": "áàảãạ",
    "e": "éèẻẽẹ",
    "o": "óòỏõọ",
    "u": "úùủũụ",
    "y": "ýỳỷỹỵ",
    "â": "ấầẩẫậ",
    "ê": "ếềểễệ",
    "ô": "ốồổỗộ",
    "ă": "ắằẳẵặ",
    "ơ": "ớờởỡợ",
    "ư": "ứừửữự",
}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(source: str, target: str) -> None:
        table[source] = target
        table[source.upper()] = target.upper()

    for base in "aeouy":
        for mark, toned in zip(_VNI_TONES, _TONED[base], strict=True):
            add(base + mark, toned)
    for base, hatted in (("a", "â"), ("e", "ê"), ("o", "ô")):
        add(base + "â", hatted)
        for mark, toned in zip(_VNI_CIRCUMFLEX_TONES, _TONED[hatted], strict=True):
            add(base + mark, toned)
    add("aê", "ă")
    for mark, toned in zip(_VNI_BREVE_TONES, _TONED["ă"], strict=True):
        add("a" + mark, toned)
    for single, letter in (("ô", "ơ"), ("ö", "ư")):
        add(single, letter)
        for mark, toned in zip(_VNI_TONES, _TONED[letter], strict=True):
            add(single + mark, toned)
    for source, target in (("í", "í"), ("ì", "ì"), ("æ", "ỉ"), ("ó", "ĩ"), ("ò", "ị"), ("î", "ỵ"), ("ñ", "đ")):
        add(source, target)
    return table


_VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))

# Characters a Unicode Vietnamese text never holds but a legacy one does, and Vietnamese letters
# outside Latin-1 that only a Unicode text holds.
_LEGACY_ONLY = frozenset(c for c in _TCVN3_SOURCE + "".join(_VNI) if ord(c) > 127) - frozenset(
    "àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ"
)
# A VNI letter followed by its mark; a Unicode text has no such pair (a mark never follows a vowel).
_VNI_MARKS = re.compile("[aeouyAEOUYôöÔÖ][ùøûõïÙØÛÕÏ]|[aeoAEO][âÂáàåãäÁÀÅÃÄ]|[aA][êÊéèúüëÉÈÚÜË]")


def detect(texts: Iterable[str]) -> str | None:
    """The legacy encoding of one file's text, "tcvn3" or "vni", or None for Unicode: legacy characters decide that it is
    not Unicode, and VNI's letter-then-mark pairs which of the two it is."""
    legacy = vni = unicode_letters = 0
    for text in texts:
        for char in text:
            if char in _LEGACY_ONLY:
                legacy += 1
            elif "\u1ea0" <= char <= "\u1ef9" or char in "ăđơưĂĐƠƯ":
                unicode_letters += 1
        vni += len(_VNI_MARKS.findall(text))
    if unicode_letters >= legacy + vni or legacy + vni == 0:
        return None
    return "vni" if vni >= legacy else "tcvn3"


def to_unicode(text: str, encoding: str | None) -> str:
    """The text in Unicode NFC, from the encoding detect() found (None: only NFC)."""
    if encoding == "tcvn3":
        text = text.translate(_TCVN3)
    elif encoding == "vni":
        text = _VNI_PATTERN.sub(lambda match: _VNI[match.group(0)], text)
    return unicodedata.normalize("NFC", text)
