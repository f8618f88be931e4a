"""Translation catalogues.

Source strings are English; the Vietnamese catalogue is kept in `translations/vi/*.po`, one file per
domain so parallel work does not collide. They are merged and compiled into
`caseapp/translations/vi/LC_MESSAGES/messages.mo` (generated, not committed) by
`flask i18n-compile` — `make run` and `make test` do it. `missing_translations()` is what the test
uses to fail on any string of the code or templates that the vi catalogue lacks.
"""
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "translations"
COMPILED_DIR = ROOT / "caseapp" / "translations"
LOCALES = ("vi", "en")
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
METHOD_MAP = [("caseapp/**.py", "python"), ("templates/**.html", "jinja2")]
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}


def merged_catalogue(locale):
    """All `translations/<locale>/*.po` files as one catalogue (the first translation of a msgid wins)."""
    merged = Catalog(locale=locale, domain="messages")
    for po in sorted((SOURCE_DIR / locale).glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=locale)
        for message in part:
            if not message.id or message.fuzzy:
                continue
            existing = merged.get(message.id)
            if existing is None or not existing.string:
                merged[message.id] = message
    return merged


def compile_catalogues():
    written = []
    for locale in LOCALES:
        if not (SOURCE_DIR / locale).is_dir():
            continue
        target = COMPILED_DIR / locale / "LC_MESSAGES" / "messages.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as fh:
            write_mo(fh, merged_catalogue(locale))
        written.append(target)
    return written


def _wanted_directory(dirpath):
    """Babel's default skips folders starting with '_' — that would miss templates/_macros."""
    name = Path(dirpath).name
    return not name.startswith(".") and name not in ("__pycache__", "node_modules", "instance", "test-artifacts")


def extracted_messages():
    """msgid → first place it occurs, for every translatable string in code and templates,
    plus the built-in messages of WTForms (shown through our catalogue, see core.forms)."""
    found = {}
    options = {"**.html": JINJA_OPTIONS}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHOD_MAP, options_map=options, keywords=KEYWORDS, directory_filter=_wanted_directory):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    for msgid in wtforms_messages():
        found.setdefault(msgid, "wtforms")
    return found


def wtforms_messages():
    from wtforms.i18n import messages_path

    with open(Path(messages_path()) / "wtforms.pot", "rb") as fh:
        return [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id]


def missing_translations(locale="vi"):
    catalogue = merged_catalogue(locale)
    missing = {}
    for msgid, where in extracted_messages().items():
        message = catalogue.get(msgid)
        translated = message is not None and (
            all(message.string) if isinstance(message.string, (tuple, list)) else bool(message.string))
        if not translated:
            missing[msgid] = where
    return missing
