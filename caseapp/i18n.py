"""The Vietnamese catalogue.

Source strings are English. One catalogue holds every Vietnamese translation:
`translations/vi/LC_MESSAGES/messages.po`, made from the template `translations/messages.pot`.
- `make messages` (`python -m caseapp.i18n messages`) extracts the strings of the code and templates
  (mapping in babel.cfg, keywords below) and WTForms' own messages into the template, then updates the
  catalogue from it (new strings untranslated, removed ones dropped): translate the new ones.
- `python -m caseapp.i18n` (`make install`, `make run` and `make test` run it) compiles the catalogue into
  `caseapp/translations/vi/LC_MESSAGES/messages.mo` (generated, not committed), with a stamp of the
  sources' digest; `create_app` compiles it itself when it is missing or older than the sources.
One English word with two Vietnamese meanings gets a context (`pgettext("plan activity", "Planned")`).
`missing_translations()` is what the tests and `flask doctor` use to find a string the catalogue lacks.
"""

import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from wtforms.i18n import messages_path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "translations"
COMPILED_DIR = ROOT / "caseapp" / "translations"
STAMP = COMPILED_DIR / "sources.sha256"
MAPPING = ROOT / "babel.cfg"
LOCALES = ("vi",)
DOMAIN = "messages"
# Babel's own keywords (gettext, ngettext, pgettext …), Flask-Babel's lazy ones, and the English label
# of a code list entry: Category(code, english_label, …).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "Category": (2,),
}


def po_path(locale="vi", source_dir=None):
    return (source_dir or SOURCE_DIR) / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_path():
    return SOURCE_DIR / f"{DOMAIN}.pot"


def read_catalogue(locale="vi"):
    """The catalogue of `locale` as Babel reads it (each (msgctxt, msgid) once)."""
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def source_digest():
    """SHA-256 of every source catalogue: what a compiled catalogue was made from."""
    digest = hashlib.sha256()
    for po in sorted(SOURCE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        digest.update(f"{po.parent.parent.name}/{po.name}\0".encode())
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
    """Compile each locale's catalogue into COMPILED_DIR (fuzzy entries left out, as `pybabel compile`
    does); the stamp with the sources' digest goes last."""
    digest = source_digest()
    written = []
    for locale in LOCALES:
        if not po_path(locale).is_file():
            continue
        target = COMPILED_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        catalogue = read_catalogue(locale)
        _write_atomically(target, lambda fh, catalogue=catalogue: write_mo(fh, catalogue))
        written.append(target)
    _write_atomically(STAMP, lambda fh: fh.write(digest.encode()))
    return written


def catalogue_state():
    """ "ok"; "missing" (never compiled); or "stale" (the sources changed since, e.g. after an upgrade)."""
    if not (COMPILED_DIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
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
    if not po_path("vi").is_file():
        raise CatalogueUnavailable(
            f"Thiếu bản dịch tiếng Việt ({po_path('vi')}): cài đặt không đầy đủ. "
            "The Vietnamese catalogue sources are missing."
        )
    try:
        compile_catalogues()
    except OSError as error:
        raise CatalogueUnavailable(
            f"Bản dịch tiếng Việt chưa được biên dịch ({state}) và không thể biên dịch vào {COMPILED_DIR}: "
            f"{error}. Chạy `make install` (hoặc `.venv/bin/python -m caseapp.i18n`) với quyền ghi thư mục đó. "
            "The Vietnamese catalogue is not compiled and cannot be compiled here."
        ) from error


# --- extraction ------------------------------------------------------------------------------------


def _wanted_directory(dirpath):
    """Babel's default skips folders starting with '_' — that would miss templates/_macros."""
    name = Path(dirpath).name
    return not name.startswith(".") and name not in ("__pycache__", "node_modules", "instance", "test-artifacts")


def _mapping():
    with MAPPING.open() as fh:
        return parse_mapping_cfg(fh, filename=str(MAPPING))


def _extracted():
    """(msgctxt, msgid or (singular, plural), "file:line") of every translatable string of code and templates."""
    method_map, options_map = _mapping()
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map=options_map, keywords=KEYWORDS, directory_filter=_wanted_directory
    ):
        yield context, message, f"{filename}:{lineno}"


def extracted_messages():
    """(msgctxt, msgid) → first place it occurs, for every translatable string in code and templates,
    plus the built-in messages of WTForms (shown through our catalogue, see core.forms). msgctxt is
    None for a string without context."""
    found = {}
    for context, message, where in _extracted():
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault((context, msgid), where)
    for msgid in wtforms_messages():
        found.setdefault((None, msgid), "wtforms")
    return found


def _wtforms_template():
    with open(Path(messages_path()) / "wtforms.pot", "rb") as fh:
        return [m for m in read_po(fh) if m.id]


def wtforms_messages():
    return [m.id if isinstance(m.id, str) else m.id[0] for m in _wtforms_template()]


def _is_translated(message):
    if message is None or message.fuzzy:
        return False
    return all(message.string) if isinstance(message.string, (tuple, list)) else bool(message.string)


def describe(context, msgid):
    return msgid if context is None else f"{msgid} (msgctxt {context!r})"


def missing_translations(locale="vi"):
    """The strings of code and templates the catalogue does not translate: description → where used."""
    catalogue = read_catalogue(locale)
    return {
        describe(context, msgid): where
        for (context, msgid), where in extracted_messages().items()
        if not _is_translated(catalogue.get(msgid, context=context))
    }


def extract_template():
    """The message template: every string of the code and templates, and WTForms' messages."""
    template = Catalog(domain=DOMAIN, project="caseapp", charset="utf-8")
    for context, message, where in _extracted():
        filename, _, lineno = where.rpartition(":")
        template.add(message, locations=[(filename, int(lineno))], context=context)
    for message in _wtforms_template():
        if template.get(message.id) is None:
            template.add(message.id, locations=[("wtforms/locale/wtforms.pot", 0)], flags=message.flags)
    return template


def _write_po(path, catalogue, fh=None, omit_header=False):
    """Sorted and without source locations: an edit elsewhere in the code does not rewrite the file."""

    def write(fh):
        write_po(
            fh, catalogue, no_location=True, sort_output=True, ignore_obsolete=True, width=100, omit_header=omit_header
        )

    if fh is not None:
        return write(fh)
    _write_atomically(path, write)


def _entries_text(catalogue):
    buffer = io.BytesIO()
    _write_po(None, catalogue, fh=buffer, omit_header=True)
    return buffer.getvalue()


def update_messages():
    """`make messages`: the template from the sources, then each catalogue updated from it (as
    `pybabel extract` + `pybabel update --no-fuzzy-matching --ignore-obsolete`)."""
    template = extract_template()
    _write_po(template_path(), template)
    updated = []
    for locale in LOCALES:
        catalogue = read_catalogue(locale)
        before = _entries_text(catalogue)
        catalogue.update(template, no_fuzzy_matching=True)
        if _entries_text(catalogue) == before:
            continue  # nothing new: the file (and its dates) stays as it is
        catalogue.fuzzy = False  # the header: the catalogue is in use, not a draft
        _write_po(po_path(locale), catalogue)
        updated.append(po_path(locale))
    return updated


def main(argv):
    if argv[1:] == ["messages"]:
        for path in update_messages():
            print(f"updated {path.relative_to(ROOT)}")
        untranslated = missing_translations()
        for description, where in untranslated.items():
            print(f"untranslated: {where}: {description!r}")
        return 0
    if argv[1:]:
        print("usage: python -m caseapp.i18n [messages]", file=sys.stderr)
        return 2
    for path in compile_catalogues():  # without the app: production installs compile this way
        print(f"compiled {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
