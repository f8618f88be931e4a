"""The request's language and message catalogue, looked up once per request.

Flask-Babel resolves both on every call: its gettext() and get_locale() each look up the request's
context several times and turn the Locale into a string (≈ 15 µs a call, 28 µs for a template's
`_()`); a 25-row case list translates about 300 strings (bench/: a third of the list's time at
1 M clients). Here they are kept on Flask-Babel's own per-request namespace (`g._flask_babel`), in
`babel_translations`, the attribute its force_locale() and refresh() reset — so an e-mail written
in the recipient's language inside a request, or a language changed mid-request, still translates
right. Outside an application context: the default language, as Flask-Babel does."""
from typing import Any

from babel.support import NullTranslations
from flask import Flask, g
from flask_babel import Domain, get_locale
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

_NAMESPACE = "_flask_babel"   # flask_babel._get_current_context() keeps its per-request values here


def translations() -> Any:
    """The catalogue of the current language (Flask-Babel's, resolved once per request)."""
    try:
        cached = getattr(g.get(_NAMESPACE), "babel_translations", None)
    except RuntimeError:   # outside an application context
        return NullTranslations()
    if cached is None:
        cached = Domain.get_translations(_domain)        # Flask-Babel's own lookup, once
        g.get(_NAMESPACE).babel_translations = cached   # (which created the namespace)
    return cached


def language() -> str:
    """The current language code ('vi' or 'en'); 'vi' outside a request."""
    try:
        namespace = g.get(_NAMESPACE)
    except RuntimeError:   # outside an application context
        return "vi"
    locale = getattr(namespace, "babel_locale", None) or get_locale()
    if locale is None:
        return "vi"
    namespace = g.get(_NAMESPACE)
    named = getattr(namespace, "caseapp_language", None)
    if named is None or named[0] is not locale:    # a forced or refreshed locale is a new object
        named = (locale, str(locale))
        namespace.caseapp_language = named
    return named[1]


class CatalogueDomain(Domain):  # type: ignore[misc]  # Flask-Babel has no type information
    """The app's message domain: Flask-Babel's gettext(), lazy_gettext() … read the catalogue
    through translations() instead of resolving the locale on every call."""

    def get_translations(self) -> Any:
        return translations()


_domain = CatalogueDomain()


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """The templates' `_()`: as Jinja's newstyle gettext (the translation is markup, the variables
    are escaped in autoescaped templates), without its two context calls and the empty `%` (≈ 6 µs)."""
    text = translations().ugettext(string)
    return _format(eval_ctx, text, variables)


@pass_eval_context
def template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _format(eval_ctx, translations().ungettext(singular, plural, num), variables)


def _format(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if eval_ctx.autoescape:
        text = Markup(text)
    # `text % {}` only turns "%%" into "%": without variables and without "%" it is text itself.
    return text % variables if variables or "%" in text else text


def install(app: Flask, babel: Any) -> None:
    """Use the cached catalogue for Python's gettext calls and for the templates' `_()`."""
    babel.domain_instance = _domain   # flask_babel.get_domain() returns it for every request
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)
