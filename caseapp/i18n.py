"""Translation catalogues.

Source strings are English; the Vietnamese catalogue is kept in `translations/vi/*.po`, one file per
domain so parallel work does not collide. They are merged and compiled into
`caseapp/translations/vi/LC_MESSAGES/messages.mo` (generated, not committed) by
`python -m caseapp.i18n` (`make install`, `make run` and `make test` run it), with a stamp of the
sources' digest; `create_app` compiles them itself when they are missing or older than the sources. `missing_translations()` is what the test
uses to fail on any string of the code or templates that the vi catalogue lacks.
"""
import hashlib
import os
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from wtforms.i18n import messages_path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "translations"
COMPILED_DIR = ROOT / "caseapp" / "translations"
STAMP = COMPILED_DIR / "sources.sha256"
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


def source_digest():
    """SHA-256 of every source catalogue: what a compiled catalogue was made from."""
    digest = hashlib.sha256()
    for po in sorted(SOURCE_DIR.glob("*/*.po")):
        digest.update(f"{po.parent.name}/{po.name}\0".encode())
        digest.update(po.read_bytes())
    return digest.hexdigest()


def _write_atomically(target, write):
    """Write to a temporary file beside `target`, then rename it into place: workers starting together
    may compile at once, and none reads a half-written catalogue."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compile_catalogues():
    """Compile each locale's sources into COMPILED_DIR; the stamp with the sources' digest goes last."""
    digest = source_digest()
    written = []
    for locale in LOCALES:
        if not (SOURCE_DIR / locale).is_dir():
            continue
        target = COMPILED_DIR / locale / "LC_MESSAGES" / "messages.mo"
        catalogue = merged_catalogue(locale)
        _write_atomically(target, lambda fh, catalogue=catalogue: write_mo(fh, catalogue))
        written.append(target)
    _write_atomically(STAMP, lambda fh: fh.write(digest.encode()))
    return written


def catalogue_state():
    """"ok"; "missing" (never compiled); or "stale" (the sources changed since, e.g. after an upgrade)."""
    if not (COMPILED_DIR / "vi" / "LC_MESSAGES" / "messages.mo").is_file():
        return "missing"
    try:
        stamp = STAMP.read_text().strip()
    except OSError:
        return "stale"
    return "ok" if stamp == source_digest() else "stale"


class CatalogueUnavailable(RuntimeError):
    pass


def ensure_compiled():
    """The Vietnamese catalogue, compiled now if it is missing or older than its sources: the app never
    shows English to a user because a compile step was skipped. Raises CatalogueUnavailable when it
    cannot be compiled (no sources, a folder it may not write)."""
    state = catalogue_state()
    if state == "ok":
        return
    if not (SOURCE_DIR / "vi").is_dir():
        raise CatalogueUnavailable(
            f"Thiếu bản dịch tiếng Việt ({SOURCE_DIR / 'vi'}): cài đặt không đầy đủ. "
            "The Vietnamese catalogue sources are missing.")
    try:
        compile_catalogues()
    except OSError as error:
        raise CatalogueUnavailable(
            f"Bản dịch tiếng Việt chưa được biên dịch ({state}) và không thể biên dịch vào {COMPILED_DIR}: "
            f"{error}. Chạy `make install` (hoặc `.venv/bin/python -m caseapp.i18n`) với quyền ghi thư mục đó. "
            "The Vietnamese catalogue is not compiled and cannot be compiled here.") from error


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


if __name__ == "__main__":  # `python -m caseapp.i18n`: compile without building the app
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(ROOT)}")
