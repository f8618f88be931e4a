"""The request's language and catalogue are resolved once per request (core.language) and still
follow every way the language changes: the session's choice, force_locale() for an e-mail in the
recipient's language, refresh() after the user changes it."""

from flask import render_template_string
from flask import session as http_session
from flask_babel import force_locale, gettext, lazy_gettext, refresh

from caseapp.core import categories
from caseapp.core.language import language, translations


def _page():
    return render_template_string("{{ _('Sign in') }}|{{ current_locale }}")


def test_python_and_templates_translate_in_the_requests_language(app, session):
    with app.test_request_context("/"):
        assert gettext("Sign in") == "Đăng nhập"
        assert str(lazy_gettext("Sign in")) == "Đăng nhập"
        assert _page() == "Đăng nhập|vi"
        assert language() == "vi"


def test_force_locale_switches_python_templates_and_labels_and_switches_back(app, session):
    with app.test_request_context("/"):
        assert gettext("Sign in") == "Đăng nhập"  # the Vietnamese catalogue is now kept for the request
        with force_locale("en"):
            assert gettext("Sign in") == "Sign in"
            assert _page() == "Sign in|en"
            assert categories.label(categories.URGENCY, "high") == "High"
        assert gettext("Sign in") == "Đăng nhập"
        assert _page() == "Đăng nhập|vi"
        assert categories.label(categories.URGENCY, "high") == "Cao"


def test_refresh_after_a_change_of_language_translates_in_the_new_one(app, session):
    with app.test_request_context("/"):
        assert gettext("Sign in") == "Đăng nhập"
        http_session["lang"] = "en"
        refresh()
        assert gettext("Sign in") == "Sign in"
        assert language() == "en"


def test_template_translation_escapes_its_values_and_keeps_percent_signs(app, session):
    with app.test_request_context("/"):
        http_session["lang"] = "en"
        page = render_template_string(
            "{{ _('name %(pct)d%% similar', pct=90) }}|{{ _('Case %(number)s', number=n) }}", n="<b>1</b>"
        )
        assert page == "name 90% similar|Case &lt;b&gt;1&lt;/b&gt;"


def test_outside_a_request_the_catalogue_is_empty_and_the_language_vietnamese():
    assert translations().ugettext("Sign in") == "Sign in"
    assert language() == "vi"


def test_a_render_inside_a_render_under_force_locale_keeps_each_its_own_language(app, session):
    def english_inset():
        with force_locale("en"):
            return render_template_string("{{ _('Sign in') }}")

    with app.test_request_context("/"):
        page = render_template_string("{{ _('Sign in') }}|{{ inset() }}|{{ _('Sign in') }}", inset=english_inset)
        assert page == "Đăng nhập|Sign in|Đăng nhập"
        assert gettext("Sign in") == "Đăng nhập"


def test_a_render_that_raised_leaves_no_language_behind_for_the_next_request(app, session):
    def fail():
        raise RuntimeError("template helper failed")

    with app.test_request_context("/"):
        try:
            render_template_string("{{ _('Sign in') }}{{ fail() }}", fail=fail)
        except RuntimeError:
            pass
    with app.test_request_context("/"):
        http_session["lang"] = "en"
        refresh()
        assert translations().ugettext("Sign in") == "Sign in"
        assert _page() == "Sign in|en"
