"""Text normalisation: NFC at input; one fold() for every search column and search query."""

import re
import unicodedata
from typing import overload

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


def fold(value: str | None) -> str:
    """Lower-case, strip Vietnamese tones and diacritics, đ → d: 'Nguyễn Văn Đức' → 'nguyen van duc'."""
    if not value:
        return ""
    value = nfc(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
