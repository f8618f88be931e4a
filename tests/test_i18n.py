"""Vietnamese first: every string has a Vietnamese translation, vi is the default, English is one
click away, WTForms' own messages are Vietnamese, and times show in Vietnam's time zone as
dd/mm/yyyy, 24 h, while the database holds timezone-aware UTC."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import IntegerField

from caseapp import i18n
from caseapp.auth.models import LoginAttempt
from caseapp.core.forms import BaseForm, required
from caseapp.core.timeutil import VN_TZ, UTCDateTime, format_date, format_datetime, to_local

from .conftest import is_postgres

VN = timezone(timedelta(hours=7))


# --- catalogue ---------------------------------------------------------------------------------


def test_every_string_of_code_and_templates_has_a_vietnamese_translation():
    missing = i18n.missing_translations("vi")
    listing = "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda m: m[1]))
    assert not missing, (
        f"{len(missing)} string(s) lack a Vietnamese translation (run `make messages`, then "
        f"translate them in translations/vi/LC_MESSAGES/messages.po):\n{listing}"
    )


def test_missing_translations_reports_an_untranslated_string_with_its_location(monkeypatch):
    monkeypatch.setattr(
        i18n,
        "extracted_messages",
        lambda: {
            (None, "Sign in"): "templates/auth/login.html:3",
            (None, "A sentence nobody has translated yet"): "caseapp/example.py:7",
            ("plan activity", "Planned"): "caseapp/plans/compare.py:32",
            ("a context nobody translated", "Planned"): "caseapp/example.py:9",
        },
    )
    assert i18n.missing_translations("vi") == {
        "A sentence nobody has translated yet": "caseapp/example.py:7",
        "Planned (msgctxt 'a context nobody translated')": "caseapp/example.py:9",
    }


def test_extraction_finds_strings_of_python_code_templates_code_lists_and_wtforms():
    found = i18n.extracted_messages()
    assert found[None, "Sign in"].startswith("templates/auth/login.html:")
    assert found[None, "This username is already taken."].startswith("caseapp/auth/services.py:")
    assert found[None, "Not a valid integer value."] == "wtforms"
    assert found[None, "Victim of trafficking"].startswith("caseapp/core/categories.py:")  # Category(code, label)
    assert found["plan activity", "Planned"].startswith("caseapp/plans/compare.py:")  # lazy_pgettext
    assert found["provider directory", "Contact"].startswith("templates/referrals/providers.html:")  # pgettext


def test_translations_keep_their_placeholders():
    problems = [f"{message.id!r}: {[str(e) for e in errors]}" for message, errors in i18n.read_catalogue("vi").check()]
    assert not problems, "translations whose placeholders do not match:\n" + "\n".join(problems)


def _entries(po):
    """(msgctxt, msgid) of each entry of a .po file as written (Babel's reader would merge duplicates)."""
    entries, context, msgid, field = [], None, None, None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            field, _, value = line.partition(" ")
            value = value[1:-1]
            if field == "msgctxt":
                context = value
            elif field == "msgid":
                msgid = value
        elif line.startswith('"') and field in ("msgctxt", "msgid"):
            if field == "msgctxt":
                context += line[1:-1]
            else:
                msgid += line[1:-1]
        elif not line.strip() and msgid is not None:
            entries.append((context, msgid))
            context, msgid, field = None, None, None
    return [entry for entry in entries if entry[1]]


def test_one_catalogue_with_one_translation_for_each_string():
    catalogues = sorted(p.relative_to(i18n.SOURCE_DIR).as_posix() for p in i18n.SOURCE_DIR.rglob("*.po"))
    assert catalogues == ["vi/LC_MESSAGES/messages.po"]
    entries = _entries(i18n.po_path("vi"))
    assert len(entries) > 1000
    twice = sorted({entry for entry in entries if entries.count(entry) > 1})
    assert not twice, f"strings translated twice (give one a context, pgettext): {twice}"


def test_a_word_with_two_meanings_has_a_context_for_each_and_no_bare_entry():
    catalogue = i18n.read_catalogue("vi")
    meanings = {}
    for message in catalogue:
        if message.context:
            meanings.setdefault(message.id, {})[message.context] = message.string
    assert meanings["Planned"] == {"plan activity": "Đã lên kế hoạch", "follow-up": "Đã lên lịch"}
    assert meanings["Contact"] == {"provider directory": "Liên hệ", "follow-up": "Liên lạc"}
    for msgid, by_context in meanings.items():
        assert catalogue.get(msgid) is None, f"{msgid!r} has contexts and a bare entry too: which one is meant?"
        assert len(set(by_context.values())) == len(by_context) > 1, (msgid, by_context)


def test_code_list_labels_come_from_the_catalogue(app):
    from caseapp.core import categories

    with app.test_request_context():
        assert categories.label(categories.CHANNELS, "police") == "Công an chuyển đến"
        assert categories.choices(categories.URGENCY)[0] == ("emergency", "Khẩn cấp")
        assert categories.label(categories.ETHNIC_GROUPS, "01") == "Kinh"  # a name, the same in both languages
        assert categories.label(categories.CHANNELS, "no_such_code") == "no_such_code"
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert categories.label(categories.CHANNELS, "police") == "Referred by the police"
        assert categories.CHANNELS[0].vi == "Trực tiếp đến trung tâm"  # documents: Vietnamese whatever the UI's


# --- locale switch -----------------------------------------------------------------------------


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Sign in" not in page


def test_language_switch_to_english_and_back(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page
    assert "Case management for social work centres and shelters" in page
    assert "Đăng nhập" not in page

    client.post("/language", data={"lang": "vi", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Sign in" not in page


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "fr"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page


def test_signed_in_user_keeps_the_chosen_language_on_the_account(client, make_user, login, session):
    user = make_user()
    login(user)
    client.post("/language", data={"lang": "en"})
    session.refresh(user)
    assert user.locale == "en"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


# --- WTForms' built-in messages ----------------------------------------------------------------


class _AgeForm(BaseForm):
    age = IntegerField("Age")
    name = IntegerField("Name", validators=[required()])


def _errors(app, lang=None):
    with app.test_request_context("/", method="POST", data={"age": "mười", "name": ""}):
        if lang:
            from flask import session

            session["lang"] = lang
        form = _AgeForm()
        assert not form.validate()
        return form.errors


def test_wtforms_builtin_messages_are_vietnamese(app, session):
    errors = _errors(app)
    assert errors["age"] == ["Phải là số nguyên."]
    assert errors["name"] == ["Trường này là bắt buộc."]


def test_wtforms_builtin_messages_follow_the_chosen_language(app, session):
    errors = _errors(app, lang="en")
    assert errors["age"] == ["Not a valid integer value."]


def test_every_form_of_the_app_is_built_on_the_translated_base_form(app):
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    app_forms = [form for form in subclasses(FlaskForm) if form.__module__.startswith("caseapp.")]
    assert app_forms, "no forms found: are the blueprints imported?"
    untranslated = [f"{f.__module__}.{f.__name__}" for f in app_forms if not issubclass(f, BaseForm)]
    assert not untranslated, f"forms not built on core.forms.BaseForm (English WTForms messages): {untranslated}"


# --- dates and times ---------------------------------------------------------------------------


def test_datetime_shows_in_vietnam_time_as_dd_mm_yyyy_24h():
    evening_utc = datetime(2026, 1, 31, 18, 30, tzinfo=timezone.utc)
    assert format_datetime(evening_utc) == "01/02/2026 01:30"
    assert format_date(evening_utc) == "01/02/2026"  # the date is Vietnam's, not UTC's
    assert format_datetime(datetime(2026, 3, 5, 7, 5, tzinfo=timezone.utc)) == "05/03/2026 14:05"


def test_naive_datetime_from_the_database_is_read_as_utc():
    assert format_datetime(datetime(2026, 1, 31, 18, 30)) == "01/02/2026 01:30"


def test_plain_date_is_dd_mm_yyyy():
    assert format_date(date(2026, 1, 9)) == "09/01/2026"


def test_nothing_formats_as_empty():
    assert format_date(None) == ""
    assert format_datetime(None) == ""


def test_to_local_is_asia_ho_chi_minh():
    local = to_local(datetime(2026, 6, 30, 17, 0, tzinfo=timezone.utc))
    assert local.tzinfo == VN_TZ
    assert (local.year, local.month, local.day, local.hour) == (2026, 7, 1, 0)


def test_templates_format_dates_through_the_same_filters(app):
    moment = datetime(2026, 1, 31, 18, 30, tzinfo=timezone.utc)
    with app.test_request_context():
        assert render_template_string("{{ t|datetime }} {{ t|date }}", t=moment) == "01/02/2026 01:30 01/02/2026"


# --- UTCDateTime ---------------------------------------------------------------------------------


def test_utc_datetime_refuses_a_naive_datetime(session):
    session.add(LoginAttempt(username="naive", ip="127.0.0.1", attempted_at=datetime(2026, 1, 31, 18, 30)))
    with pytest.raises(sa.exc.StatementError) as raised:
        session.flush()
    assert isinstance(raised.value.orig, ValueError)
    assert "naive" in str(raised.value.orig)


def test_utc_datetime_refuses_a_naive_datetime_in_a_query(session):
    with pytest.raises(sa.exc.StatementError):
        session.scalars(sa.select(LoginAttempt).where(LoginAttempt.attempted_at > datetime(2026, 1, 1))).all()


def test_utc_datetime_stores_utc_and_returns_aware_utc(session):
    in_hanoi = datetime(2026, 2, 1, 1, 30, tzinfo=VN)
    session.add(LoginAttempt(username="aware", ip="127.0.0.1", attempted_at=in_hanoi))
    session.flush()
    session.expire_all()

    value = session.scalar(sa.select(LoginAttempt.attempted_at).where(LoginAttempt.username == "aware"))
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)
    assert value == datetime(2026, 1, 31, 18, 30, tzinfo=timezone.utc)
    assert (value.day, value.hour, value.minute) == (31, 18, 30)

    # Stored as UTC in the database itself (what reports and other tools read).
    if is_postgres():
        stored = session.scalar(
            sa.text(
                "SELECT to_char(attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
                "FROM login_attempts WHERE username = 'aware'"
            )
        )
    else:
        stored = session.scalar(sa.text("SELECT attempted_at FROM login_attempts WHERE username = 'aware'"))[:16]
    assert stored == "2026-01-31 18:30"

    # Comparisons work across time zones: the same instant written in Vietnam time finds the row.
    found = session.scalar(sa.select(LoginAttempt.username).where(LoginAttempt.attempted_at == in_hanoi))
    assert found == "aware"


def test_utc_datetime_default_is_aware_utc(session):
    attempt = LoginAttempt(username="default", ip="127.0.0.1", attempted_at=datetime.now(timezone.utc))
    session.add(attempt)
    session.flush()
    session.expire_all()
    assert session.get(LoginAttempt, attempt.id).attempted_at.utcoffset() == timedelta(0)


def test_utc_datetime_column_is_timezone_aware_in_the_schema():
    assert isinstance(LoginAttempt.__table__.c.attempted_at.type, UTCDateTime)
    assert LoginAttempt.__table__.c.attempted_at.type.impl.timezone is True
