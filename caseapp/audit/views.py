"""The audit log page: filter by user, action, record and date (admins: all; supervisors: their facility)."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..auth.models import User
from ..auth.queries import visible_users
from ..core.pagination import keyset_page
from ..extensions import db
from ..security.policy import Perm
from ..security.web import requires
from . import labels, queries
from .forms import AuditFilterForm
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@requires(Perm.VIEW_AUDIT)
def events():
    users = db.session.scalars(visible_users(current_user).order_by(User.username)).all()
    actions = db.session.scalars(queries.known_actions()).all()
    form = AuditFilterForm(request.args, users=users, actions=actions)
    page = None
    if form.validate():
        stmt = queries.filtered_events(
            current_user,
            user_id=form.user_id.data,
            action=form.action.data or None,
            case_id=form.case_id.data,
            entity_type=form.entity_type.data or None,
            entity_id=form.entity_id.data or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        ).options(db.joinedload(AuditEvent.user))
        page = keyset_page(db.session, stmt, key_column=AuditEvent.id, after=form.after.data, per_page=100)
    args = {k: v for k, v in request.args.items() if k != "after"}
    return render_template(
        "audit/events.html",
        form=form,
        page=page,
        args=args,
        kind_label=labels.kind_label,
        record_label=labels.record_label,
        describe=labels.describe,
    )
