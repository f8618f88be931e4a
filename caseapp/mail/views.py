"""The user's e-mail settings page and the administrators' mail page (outbox queue and failures)."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.transaction import save
from ..security.policy import Perm
from ..security.web import requires
from . import compose, queries, services, smtp
from .forms import PreferencesForm, RequeueForm
from .models import MailStatus

bp = Blueprint("mail", __name__)

STALE_ACCOUNT = _l("Your account was changed meanwhile (by an administrator). Check the settings below and save again.")


def _preferences_page(form, status=200):
    return render_template(
        "mail/preferences.html", form=form, mail_configured=smtp.is_configured(current_app.config)
    ), status


@bp.route("/account/email", methods=["GET", "POST"])
@requires(Perm.USE_APP)
def preferences():
    pref = services.preference_for(current_user.id)
    form = PreferencesForm(
        data={"email": current_user.email, "notify_by_email": pref.notify_by_email, "daily_digest": pref.daily_digest}
    )
    if not form.is_submitted():
        return _preferences_page(form)
    if form.validate():
        if save(
            form,
            lambda: services.update_preferences(
                current_user,
                email=form.email.data,
                notify_by_email=form.notify_by_email.data,
                daily_digest=form.daily_digest.data,
                by=current_user,
            ),
            stale_message=STALE_ACCOUNT,
        ):
            flash(_("Your e-mail settings were saved."), "success")
            return redirect(url_for("mail.preferences"))
    return _preferences_page(form, 422)


@bp.get("/admin/mail")
@requires(Perm.MANAGE_USERS)
def outbox():
    counts = {
        status: queries.status_count(status) for status in (MailStatus.QUEUED, MailStatus.SENDING, MailStatus.FAILED)
    }
    return render_template(
        "mail/outbox.html",
        counts=counts,
        cap=queries.COUNT_CAP,
        waiting=queries.waiting(),
        failed=queries.failed(),
        mail_configured=smtp.is_configured(current_app.config),
        base_url=compose.base_url(),
        requeue_form=RequeueForm(),
    )


@bp.post("/admin/mail/requeue")
@requires(Perm.MANAGE_USERS)
def requeue():
    form = RequeueForm()
    if form.validate_on_submit():
        count = services.requeue_failed(by=current_user)
        flash(_("%(count)d e-mail(s) will be sent again on the next scheduler run.", count=count), "success")
    return redirect(url_for("mail.outbox"))
