"""Text normalisation: NFC at input; one fold() for every search column and search query."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value):
    """Normalise user input to NFC and collapse runs of whitespace."""
    if value is None:
        return None
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value):
    """Lower-case, strip Vietnamese tones and diacritics, đ → d: 'Nguyễn Văn Đức' → 'nguyen van duc'."""
    if not value:
        return ""
    value = nfc(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
