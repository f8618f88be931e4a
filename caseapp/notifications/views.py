"""The notification inbox: the user's notifications, newest first, each linking to its case; mark
one or all read. The header's unread count is computed at most once per request (g)."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..security.policy import Perm
from ..security.web import requires
from . import queries, services, texts
from .forms import InboxPageForm

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PER_PAGE = 30


@bp.app_context_processor
def _unread_helper():
    def unread_notifications():
        """The signed-in user's unread count for the header (one bounded indexed read per request)."""
        if "unread_notifications" not in g:
            count = None
            if current_user.is_authenticated:
                try:
                    count = queries.unread_count(current_user)
                except SQLAlchemyError:  # an error page after a failed transaction: no badge
                    count = None
            g.unread_notifications = count
        return g.unread_notifications

    return {"unread_notifications": unread_notifications, "unread_cap": queries.UNREAD_CAP}


@bp.get("/")
@requires(Perm.USE_APP)
def inbox():
    args = InboxPageForm(request.args)
    after = args.after.data if args.validate() else None
    page = queries.inbox_page(current_user, after=after, per_page=PER_PAGE)
    items = [(n, texts.render(n)) for n in page.rows]
    return render_template("notifications/inbox.html", page=page, items=items, first_page=after is None)


@bp.post("/<id:notification_id>/read")
@requires(Perm.USE_APP)
def mark_read(notification_id):
    notification = db.session.scalar(queries.own_notification(current_user, notification_id))
    if notification is None:
        abort(404)  # another user's notification does not exist for this one
    services.mark_read(notification, by=current_user)
    if request.form.get("open") and notification.case_id:
        return redirect(url_for("cases.show", case_id=notification.case_id))
    return redirect(url_for("notifications.inbox"))


@bp.post("/read-all")
@requires(Perm.USE_APP)
def mark_all_read():
    services.mark_all_read(by=current_user)
    flash(_l("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.inbox"))
