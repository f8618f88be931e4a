"""Pages of sealed cases, break the glass, sharing and the supervisors' access log.
Thin: load + authorise → form → service → commit → redirect / render."""

from flask import abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...audit.services import record
from ...auth.models import User
from ...core.timeutil import format_datetime, utcnow
from ...core.transaction import refusal_flashed, saving
from ...core.urls import db_id, safe_next
from ...extensions import db
from ...security.policy import Perm, has_perm
from ...security.rules import can_break_glass
from ...security.web import requires
from ..forms import NoteForm
from ..page import load_case as _load_case
from ..page import render_case as _render_case
from ..views import bp
from . import services as access
from .forms import BreakGlassForm, GrantActionForm, ShareForm
from .section import _hours, restricted_or_404

GRANT_KIND_LABELS = {
    "shared": _l("Shared by a supervisor"),
    "break_glass": _l("Emergency access (break the glass)"),
}
GRANT_STATUS_LABELS = {
    "active": _l("In force"),
    "expired": _l("Expired"),
    "revoked": _l("Access revoked"),
}


@bp.app_template_global("access_grant_label")
def _access_grant_label(kind):
    return GRANT_KIND_LABELS.get(kind, kind)


@bp.app_template_global("access_grant_status")
def _access_grant_status(grant, now=None):
    """(code, label) of a grant's state: active, expired or revoked (no query)."""
    code = access.grant_status(grant, now)
    return code, GRANT_STATUS_LABELS[code]


@bp.app_template_global("access_count_label")
def _access_count_label(n):
    """The unreviewed count as shown: "99+" past the bounded count's cap."""
    return f"{access.COUNT_CAP - 1}+" if n >= access.COUNT_CAP else str(n)


@bp.app_context_processor
def _unreviewed_access_count():
    """The menu's count of break-the-glass accesses waiting for a supervisor's review."""
    if (
        not has_request_context()
        or request.endpoint in (None, "static")
        or not has_perm(current_user, Perm.REVIEW_CASELOAD)
    ):
        return {}
    return {"unreviewed_access_count": access.unreviewed_count(current_user)}


# --- break the glass -----------------------------------------------------------------------------


@bp.post("/<id:case_id>/break-glass")
@requires(Perm.BREAK_GLASS)
def break_glass(case_id):
    case = access.facility_case(current_user, case_id)
    if not can_break_glass(current_user, case):
        abort(404)
    if access.in_case_scope(current_user, case.id):
        return redirect(url_for("cases.show", case_id=case.id))  # nothing to break: the case is theirs
    form = BreakGlassForm()
    if form.validate():
        with saving(form) as saved:
            grant = access.break_glass(case, reason=form.reason.data, by=current_user, hours=_hours())
        if saved:
            flash(
                _l(
                    "Access recorded until %(until)s. The supervisors of the facility see your reason.",
                    until=format_datetime(grant.expires_at),
                ),
                "warning",
            )
            return redirect(url_for("cases.show", case_id=case.id))
    return restricted_or_404(case_id, form=form, status=422)


# --- sharing -------------------------------------------------------------------------------------


@bp.post("/<id:case_id>/access/share")
@requires(Perm.REVIEW_CASELOAD)
def share(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES)  # the facility's own case: sharing changes who sees it
    form = ShareForm(users=db.session.scalars(access.shareable_users(case)).all())
    if form.validate():
        with_user = db.session.get(User, form.user_id.data)
        with saving(form) as saved:
            access.share_case(case, with_user=with_user, reason=form.reason.data, by=current_user)
        if saved:
            flash(_l("The case is shared with %(name)s until you revoke it.", name=with_user.full_name), "success")
            return redirect(url_for("cases.show", case_id=case.id, section="access", _anchor="access"))
        case = _load_case(case_id, Perm.EDIT_CASES)
    return _render_case(case, NoteForm(formdata=None), status=422, access_share_form=form)


# --- a supervisor's actions on a grant -----------------------------------------------------------


def _grant_or_404(grant_id):
    row = access.grant_of_facility(current_user, grant_id)
    if row is None:
        abort(404)
    return row


def _back(form, case_id):
    return safe_next(form.next.data) or url_for("cases.show", case_id=case_id, section="access", _anchor="access")


@bp.post("/access/<id:grant_id>/revoke")
@requires(Perm.REVIEW_CASELOAD)
def revoke_access(grant_id):
    grant, case = _grant_or_404(grant_id)
    form = GrantActionForm()
    back = _back(form, case.id)
    with refusal_flashed() as saved:
        access.revoke_grant(grant, case, by=current_user)
    if saved:
        flash(_l("The access was revoked."), "success")
    return redirect(back)


@bp.post("/access/<id:grant_id>/review")
@requires(Perm.REVIEW_CASELOAD)
def review_access(grant_id):
    grant, case = _grant_or_404(grant_id)
    form = GrantActionForm()
    back = safe_next(form.next.data) or url_for("cases.access_log")
    with refusal_flashed() as saved:
        access.mark_reviewed(grant, case, by=current_user)
    if saved:
        flash(_l("Marked as reviewed."), "success")
    return redirect(back)


# --- the access log ------------------------------------------------------------------------------


@bp.get("/access-log")
@requires(Perm.REVIEW_CASELOAD)
def access_log():
    show_all = request.args.get("show") == "all"
    after = request.args.get("after", type=db_id)
    page = access.access_log(current_user, unreviewed_only=not show_all, after=after)
    if page.rows:  # the reasons may tell about the person: a read of personal data
        record("case_access_log_viewed", by=current_user, detail={"grant_ids": [g.id for g, _c in page.rows][:50]})
    return render_template(
        "cases/access_log.html",
        page=page,
        show_all=show_all,
        first_page=after is None,
        unreviewed=access.unreviewed_count(current_user),
        now=utcnow(),
        here=request.full_path.rstrip("?"),
    )
