"""Text normalisation: NFC at input; one fold() for every search column and search query; numbers as
Vietnamese documents write them."""

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import overload

from babel.numbers import format_decimal

_SPACES = re.compile(r"\s+")


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
