"""Text normalisation: NFC at input; one fold() for every search column and search query; numbers as
Vietnamese documents write them."""

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar, overload

from babel.numbers import format_decimal

_SPACES = re.compile(r"\s+")
T = TypeVar("T")


@overload
def nfc(value: str) -> str: ...
@overload
def nfc(value: None) -> None: ...
@overload
def nfc(value: str | None) -> str | None: ...
def nfc(value: str | None) -> str | None:
    """Normalise user input to NFC and collapse runs of whitespace."""
    if value is None:
        return None
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def nfc_text(value: str | None) -> str:
    """Normalise a text of several lines to NFC with Unix line ends, keeping its line breaks."""
    return unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def fold(value: str | None) -> str:
    """Lower-case, strip Vietnamese tones and diacritics, đ → d: 'Nguyễn Văn Đức' → 'nguyen van duc'."""
    if not value:
        return ""
    return _fold(value)


# Names and place names repeat: a register of 100,000 rows folds a few thousand distinct words.
@lru_cache(maxsize=65536)
def _fold(value: str) -> str:
    value = nfc(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def vn_percent(value: float | Decimal | None) -> str:
    """A percentage as Vietnamese documents write it, one decimal: "30,1 %", "100,0 %". Empty for None."""
    if value is None or value == "":
        return ""
    return f"{format_decimal(value, format='#,##0.0', locale='vi')} %"


def vn_number(value: float | Decimal | str | None) -> str:
    """A number as Vietnamese documents write it: thousands by a dot, decimals by a comma ("5.526",
    "1,5"), whatever the interface's language. Empty for None."""
    if value is None or value == "":
        return ""
    return str(format_decimal(value, locale="vi"))


# --- Vietnamese alphabetical order ---------------------------------------------------------------
# The letters in the order of the Vietnamese alphabet (Đ right after D, Ă and Â after A, Ơ after Ô …),
# with the Latin letters it lacks where the Latin alphabet has them. Tones sort after the letters, in the
# dictionary's order: none, huyền, hỏi, ngã, sắc, nặng. A database's collation puts "Đ…" after "Z" and
# "Ă"/"Â" anywhere: every choice list is sorted with this key in Python (lists of a few hundred rows).
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET, start=1)}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # ă, â/ê/ô, ơ/ư: part of the letter, not a tone


SortKey = tuple[tuple[int, ...], tuple[int, ...], str]


def vn_sort_key(value: str | None) -> SortKey:
    """A key that sorts text in Vietnamese alphabetical order: letters first (a ă â b c d đ e ê …), then
    tones, then upper/lower case. Spaces and punctuation before digits, digits before letters."""
    text = nfc(value or "")
    letters: list[int] = []
    tones: list[int] = []  # one a word (a syllable has one tone, wherever it is written: "hoà", "hòa")
    word_tone = 0
    for char in text.lower():
        base, tone = _letter_and_tone(char)
        letters.append(_rank(base))
        if base.isalnum():
            word_tone = max(word_tone, tone)
        else:
            tones.append(word_tone)
            word_tone = 0
    tones.append(word_tone)
    return tuple(letters), tuple(tones), text


def _letter_and_tone(char: str) -> tuple[str, int]:
    """'ệ' → ('ê', 5): the letter with its own marks, and the tone's rank (0: none)."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = next((_TONE_RANK[m] for m in decomposed[1:] if m in _TONE_RANK), 0)
    letter = unicodedata.normalize("NFC", decomposed[0] + "".join(m for m in decomposed[1:] if m in _LETTER_MARKS))
    return letter, tone


def _rank(letter: str) -> int:
    if letter in _LETTER_RANK:
        return 1000 + _LETTER_RANK[letter]
    if letter.isdigit():
        return 500 + int(letter) if letter.isascii() else 600
    if letter.isspace() or not letter.isalnum():
        return 1  # a space or punctuation ends a word: "Gia Lai" before "Giang"
    return 2000 + ord(letter)  # a letter of another alphabet: after the Vietnamese ones


def person_sort_key(full_name: str | None) -> tuple[SortKey, SortKey]:
    """Vietnamese order of people's names: by the given name (the last word), then the family and middle
    names, as lists of staff and pupils are ordered."""
    words = nfc(full_name or "").split()
    return vn_sort_key(" ".join(words[-1:])), vn_sort_key(" ".join(words[:-1]))


def people_sorted(people: Iterable[T]) -> list[T]:
    """People (anything with a full_name: users of a choice list) in Vietnamese order of their names."""
    return sorted(people, key=lambda person: person_sort_key(getattr(person, "full_name", None)))


# The kinds of unit a place's official name starts with (Luật Tổ chức chính quyền địa phương 2025: tỉnh,
# thành phố; xã, phường, đặc khu — and the older thị trấn, quận, huyện, thị xã of earlier addresses).
_UNIT_KINDS = re.compile(r"^(thành phố|tỉnh|đặc khu|phường|xã|thị trấn|thị xã|quận|huyện)\s+", re.IGNORECASE)


def place_sort_key(name: str | None) -> tuple[SortKey, SortKey]:
    """Vietnamese order of places by their own name: "Thành phố Đà Nẵng" among the D…, "Phường Bến Thành"
    among the B…; the kind of unit breaks a tie."""
    text = nfc(name or "")
    return vn_sort_key(_UNIT_KINDS.sub("", text)), vn_sort_key(text)
