"""The request boundary: characters no form or query string of the app may carry (OWASP ASVS 5.0 V1.2,
V2.2.1), dealt with once for every page, before any view reads the request. create_app installs both.

- NUL (U+0000) in the path, in a query or form field's name or value, or in an uploaded file's name:
  the request is refused (400, the Vietnamese error page). Nobody types it — it is the mark of a probe
  (null-byte injection) —, PostgreSQL's text cannot hold it, and cutting it out silently would change
  what was asked (a user name at the sign-in page).
- The other control characters (U+0001–U+001F but tab, line feed and carriage return, and U+007F) and
  the noncharacters U+FFFE and U+FFFF are removed from query and form values (CleanRequest): they come
  in with text pasted from other documents (a form feed, a Word line break), nobody sees them, and the
  Word, PDF and spreadsheet exports cannot hold them (XML 1.0 §2.2 "Char"). Refusing them would cost a
  social worker the long note they pasted; the one-line fields also turn tabs and line breaks into a
  space (core.forms).
"""

import re
from collections.abc import Iterable

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.utils import cached_property

NUL = "\x00"
_INVISIBLE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def without_invisible_characters(text: str) -> str:
    """The text without the control characters CleanRequest removes (tab and line breaks stay)."""
    return _INVISIBLE.sub("", text)


def _cleaned(values: MultiDict[str, str]) -> MultiDict[str, str]:
    if not any(_INVISIBLE.search(key) or _INVISIBLE.search(value) for key, value in values.items(multi=True)):
        return values
    return ImmutableMultiDict(
        (without_invisible_characters(key), without_invisible_characters(value))
        for key, value in values.items(multi=True)
    )


class CleanRequest(Request):
    """The app's request: query and form values without invisible control characters (NUL stays, for
    refuse_nul to refuse)."""

    @cached_property
    def args(self) -> MultiDict[str, str]:
        return _cleaned(Request.args.fget(self))  # type: ignore[attr-defined]  # werkzeug's cached_property

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _cleaned(self.__dict__["form"])


class NulRefused(BadRequest):
    """400: the request carries NUL (the error page says which characters are refused)."""

    refused_characters = True


def _texts() -> Iterable[str]:
    yield request.path
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            yield key
            yield value
    for key, upload in request.files.items(multi=True):
        yield key
        yield upload.filename or ""


def refuse_nul() -> None:
    """before_request: a request carrying NUL anywhere a view could read it is refused (400)."""
    if any(NUL in text for text in _texts()):
        raise NulRefused()
