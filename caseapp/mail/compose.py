"""What an e-mail says: subject and bodies (text and HTML) rendered from templates/email/ in the
recipient's language, with absolute links.

Only case numbers, the kind of item, due times and links go into a mail (NĐ 13/2023/NĐ-CP, data
minimisation): the notification's sentence (notifications.texts, whose params are case
numbers and dates only) and, for the digest, DueItem.case_number / title / due_at — never
DueItem.client_label or DueItem.detail (a flag's note, a follow-up's purpose, a provider's name).

Templates are rendered straight from the Jinja environment, without the request's context
processors: a mail is the same whether it is written in a request or in the scheduler."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core.timeutil import format_date
from ..notifications import texts

SUBJECT_PREFIX = "[caseapp] "
SUBJECT_MAX = 255


@dataclass
class Mail:
    subject: str
    body_text: str
    body_html: str


def base_url():
    """The app's address for links in e-mails: BASE_URL, else SERVER_NAME; '' when neither is set
    (links are then paths only, and the admin's mail page says so)."""
    config = current_app.config
    if config.get("BASE_URL"):
        return config["BASE_URL"].rstrip("/")
    if config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}{root}"
    return ""


def absolute_url(endpoint, **values):
    """An absolute link to a page, built without a request (the scheduler has none)."""
    base = base_url()
    parts = urlsplit(base) if base else None
    adapter = current_app.url_map.bind(
        parts.netloc if parts else "localhost",
        script_name=(parts.path or "/") if parts else "/",
        url_scheme=parts.scheme if parts else "http",
    )
    path = adapter.build(endpoint, values)
    return f"{parts.scheme}://{parts.netloc}{path}" if parts else path


def _render(name, **context):
    return current_app.jinja_env.get_template(name).render(**context)


def _subject(text):
    subject = SUBJECT_PREFIX + " ".join(text.split())
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"


def notification_mail(notification, user):
    """The e-mail of one notification, in the user's language."""
    with force_locale(user.locale or "vi"):
        sentence = texts.render(notification)
        number = (notification.params or {}).get("number")
        if notification.case_id:
            link = absolute_url("cases.show", case_id=notification.case_id)
        else:
            link = absolute_url("notifications.inbox")
        context = {
            "sentence": sentence,
            "number": number,
            "link": link,
            "created_at": notification.created_at,
            "preferences_link": absolute_url("mail.preferences"),
        }
        return Mail(
            subject=_subject(sentence),
            body_text=_render("email/notification.txt", **context),
            body_html=_render("email/notification.html", **context),
        )


@dataclass
class DigestLine:
    """One due item as the digest shows it: no client label, no detail."""

    case_number: str
    title: str
    due_at: object
    link: str


def _digest_line(item):
    return DigestLine(
        case_number=item.case_number,
        title=str(item.title),
        due_at=item.due_at,
        link=absolute_url(item.endpoint, **item.endpoint_args) + f"#{item.anchor}",
    )


def digest_mail(user, day, overdue, today):
    """The daily digest: the user's overdue items and those due today (local `day`)."""
    with force_locale(user.locale or "vi"):
        context = {
            "day": day,
            "overdue": [_digest_line(i) for i in overdue],
            "today": [_digest_line(i) for i in today],
            "tasks_link": absolute_url("cases.tasks"),
            "preferences_link": absolute_url("mail.preferences"),
        }
        subject = _(
            "Your tasks for %(date)s: %(overdue)d overdue, %(today)d due today",
            date=format_date(day),
            overdue=len(overdue),
            today=len(today),
        )
        return Mail(
            subject=_subject(subject),
            body_text=_render("email/digest.txt", **context),
            body_html=_render("email/digest.html", **context),
        )
