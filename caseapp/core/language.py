"""The request's language and message catalogue, looked up once per request, through Flask-Babel's
public API (get_locale, Domain, force_locale).

Flask-Babel resolves the catalogue on every call: each gettext() looks the locale up and turns it into
a string to find the catalogue in its cache (≈ 15 µs a call, 28 µs for a template's `_()`); a 25-row
case list translates about 300 strings (bench/: a third of the list's time at 1 M clients). Here the
catalogue is kept on the request's `g`, with the Locale object it was found for: force_locale() and
refresh() give get_locale() a new object, so an e-mail written in the recipient's language inside a
request, or a language changed mid-request, still translates right. Outside an application context:
no catalogue (English), as Flask-Babel does.

Even that check costs ≈ 2.7 µs a string (two lookups through Flask's `g` proxy), about 1 ms on a list
or report page. A template is rendered in one language, so while one renders (Flask's
before_render_template … template_rendered signals) its catalogue is read from a context variable
instead (≈ 0.1 µs); renders nest (an e-mail rendered under force_locale inside a page), and the end of
the request or application context clears what a render that raised left behind."""

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from flask import Flask, before_render_template, g, has_app_context, template_rendered
from flask_babel import Domain, force_locale, get_locale
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

# Where `python -m caseapp.i18n` compiles the catalogue (the app's BABEL_TRANSLATION_DIRECTORIES by default).
CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "translations"
_CACHED = "caseapp_catalogue"  # g.caseapp_catalogue = (Locale, translations)
# The catalogues of the templates being rendered, innermost last (empty outside a render).
_RENDERING: ContextVar[tuple[Any, ...]] = ContextVar("caseapp_rendering_catalogues", default=())


class CatalogueDomain(Domain):  # type: ignore[misc]  # Flask-Babel has no type information
    """The app's message domain: Flask-Babel's gettext(), pgettext(), lazy_gettext() … read the
    catalogue through translations() instead of resolving the locale on every call."""

    def get_translations(self) -> Any:
        return translations()


_domain = CatalogueDomain()


def translations() -> Any:
    """The catalogue of the current language (Flask-Babel's own lookup, once per request and locale)."""
    rendering = _RENDERING.get()
    if rendering:
        return rendering[-1]
    return _request_translations()


def _request_translations() -> Any:
    locale = get_locale()  # None outside an application context
    if locale is None:
        return NullTranslations()
    cached = g.get(_CACHED)
    if cached is None or cached[0] is not locale:
        cached = (locale, Domain.get_translations(_domain))
        setattr(g, _CACHED, cached)
    return cached[1]


def catalogue_for(locale: str) -> Any:
    """The catalogue of a given language (a document written in Vietnamese whatever the UI's language)."""
    if has_app_context():
        if locale == language():
            return translations()
        with force_locale(locale):
            return Domain.get_translations(_domain)
    return _compiled_catalogue(locale)


@lru_cache(maxsize=4)
def _compiled_catalogue(locale: str) -> Any:
    return Translations.load(str(CATALOGUE_DIR), [locale])


def language() -> str:
    """The current language code ('vi' or 'en'); 'vi' outside an application context."""
    locale = get_locale()  # None outside an application context
    if locale is None:
        return "vi"
    named = g.get("caseapp_language")
    if named is None or named[0] is not locale:  # a forced or refreshed locale is a new object
        named = (locale, str(locale))
        g.caseapp_language = named
    return str(named[1])


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """The templates' `_()`: as Jinja's newstyle gettext (the translation is markup, the variables
    are escaped in autoescaped templates), without its two context calls and the empty `%` (≈ 6 µs)."""
    return _format(eval_ctx, translations().ugettext(string), variables)


@pass_eval_context
def template_pgettext(eval_ctx: EvalContext, context: str, string: str, **variables: Any) -> str:
    """The templates' `pgettext("context", "Word")`: one English word with two Vietnamese meanings."""
    return _format(eval_ctx, translations().upgettext(context, string), variables)


@pass_eval_context
def template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _format(eval_ctx, translations().ungettext(singular, plural, num), variables)


def _format(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if eval_ctx.autoescape:
        text = Markup(text)
    # `text % {}` only turns "%%" into "%": without variables and without "%" it is text itself.
    return text % variables if variables or "%" in text else text


def _use_catalogue_domain() -> None:
    _domain.as_default()


def _render_started(_app: Flask, **_extra: Any) -> None:
    _RENDERING.set((*_RENDERING.get(), _request_translations()))


def _render_finished(_app: Flask, **_extra: Any) -> None:
    _RENDERING.set(_RENDERING.get()[:-1])


def _forget_renders(_error: BaseException | None = None) -> None:
    _RENDERING.set(())


def install(app: Flask, babel: Any) -> None:
    """Every request's gettext calls (Python and templates) read the catalogue through translations().
    Registered before the other request hooks, so their messages are cached too."""
    app.before_request(_use_catalogue_domain)
    before_render_template.connect(_render_started, app)
    template_rendered.connect(_render_finished, app)
    app.teardown_request(_forget_renders)
    app.teardown_appcontext(_forget_renders)
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext, pgettext=template_pgettext
    )
