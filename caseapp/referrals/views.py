"""Pages of the service directory, referrals (chuyển gửi) and transfers (chuyển hồ sơ).
Thin: load + authorise → form → service → commit → redirect / render."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from ..audit.services import record
from ..cases.models import Case
from ..clients.models import Consent
from ..clients.reads import audit_cases_listed, audit_client_read
from ..core.timeutil import format_datetime, utcnow
from ..core.transaction import refusal_flashed, save, saving
from ..core.urls import db_id
from ..extensions import db
from ..org import queries as org_queries
from ..security.policy import Perm, has_perm
from ..security.rules import (
    adds_providers_approved,
    can_decide_provider,
    can_edit_case,
    can_manage_provider,
    sees_every_facility,
)
from ..security.web import deny, load_case, requires
from . import queries, services
from .forms import (
    AnswerForm,
    CancelTransferForm,
    CompleteForm,
    DirectoryFilterForm,
    ProviderDecisionForm,
    ProviderForm,
    ReferralForm,
    RevokeForm,
    TransferDecisionForm,
    TransferForm,
)
from .labels import EVENT_LABELS, referral_status_label, transfer_status_label
from .models import Provider, Referral, ReferralStatus

bp = Blueprint("referrals", __name__)

STALE_PROVIDER_DECISION = _l("Someone else decided on this organisation meanwhile. Check the list and try again.")
STALE_PROVIDER_EDIT = _l(
    "Someone else changed this entry while you were editing. Your changes are kept below; check them and save again."
)


@bp.app_template_global("referral_status_label")
def _referral_status_label(code):
    return referral_status_label(code)


@bp.app_template_global("transfer_status_label")
def _transfer_status_label(code):
    return transfer_status_label(code)


@bp.app_template_global("referral_event_label")
def _referral_event_label(kind):
    """The timeline label of an event this domain writes (None for other kinds)."""
    return EVENT_LABELS.get(kind)


STALE_REFERRAL = _l("Someone else changed this referral meanwhile. Check it and try again.")
STALE_CASE = _l("Someone else changed this case meanwhile. Check it and try again.")

# --- the service directory -------------------------------------------------------------------------


@bp.get("/providers")
@requires(Perm.VIEW_PROVIDERS)
def providers():
    provinces = org_queries.provinces()
    args = request.args.to_dict()
    if "province" not in args:  # first visit: the user's own province
        args["province"] = queries.user_province(current_user) or ""
    form = DirectoryFilterForm(data=None, formdata=_multidict(args), provinces=provinces)
    page = None
    if form.validate():
        province = form.province.data or None
        filters = queries.DirectoryFilters(
            province_code=province,
            kind=form.kind.data or None,
            service=form.service.data or None,
            q=form.q.data or None,
            include_inactive=bool(form.include_inactive.data) and has_perm(current_user, Perm.MANAGE_PROVIDERS),
        )
        page = queries.directory_page(filters, current_user, after=form.after.data)
    keep = {k: v for k, v in args.items() if k != "after"}
    return render_template(
        "referrals/providers.html",
        form=form,
        page=page,
        args=keep,
        first_page=not form.after.data,
        can_manage_provider=can_manage_provider,
        may_create=has_perm(current_user, Perm.MANAGE_PROVIDERS),
        may_propose=has_perm(current_user, Perm.PROPOSE_PROVIDERS),
    )


def _multidict(data):
    return MultiDict(data)


def _provider_form(obj=None, facility_entry=False, proposal=False):
    provinces = org_queries.provinces()
    if not sees_every_facility(current_user):  # a supervisor: their own province only
        own = queries.user_province(current_user)
        provinces = [p for p in provinces if p.code == own]
    province = request.form.get("province_code") or (obj.province_code if obj else queries.user_province(current_user))
    communes = org_queries.communes_of(province) if province else []
    form = ProviderForm(
        obj=obj, provinces=provinces, communes=communes, facility_entry=facility_entry, proposal=proposal
    )
    if obj is None and request.method == "GET":
        form.province_code.data = province
    return form


@bp.route("/providers/new", methods=["GET", "POST"])
@requires(Perm.PROPOSE_PROVIDERS)
def new_provider():
    """Add an outside organisation: a supervisor's enters the facility's directory, a social worker's
    waits for a supervisor's approval. The province list holds only what the user may choose."""
    approved = adds_providers_approved(current_user)
    form = _provider_form(proposal=not approved)
    if form.validate_on_submit():
        with saving(form) as saved:
            provider = services.create_provider(form.provider_data(), by=current_user)
        if saved:
            if approved:
                flash(_("%(name)s was added to the directory.", name=provider.name), "success")
                return redirect(url_for("referrals.providers", province=provider.province_code))
            flash(
                _("%(name)s was proposed. A supervisor approves it before it can be used.", name=provider.name),
                "success",
            )
            return redirect(url_for("referrals.proposals"))
    return render_template("referrals/provider_form.html", form=form, provider=None, proposal=not approved)


def _provider_in_scope(provider_id):
    """A directory entry the user reads; another facility's own organisation is not found (404)."""
    provider = db.session.scalar(queries.provider_in_scope(current_user, provider_id))
    if provider is None:
        abort(404)
    return provider


def _render_proposals(forms=None, status=200):
    rows = db.session.scalars(queries.proposals(current_user).limit(queries.PROPOSALS_LIMIT)).all()
    forms = forms or {}
    decisions = {
        p.id: forms.get(p.id) or ProviderDecisionForm(formdata=None, prefix=_decision_prefix(p.id))
        for p in rows
        if can_decide_provider(current_user, p)
    }
    for provider_id, form in forms.items():
        if provider_id not in decisions:  # decided meanwhile: no longer listed, its refusal told here
            for message in form.form_errors:
                flash(message, "error")
    names = queries.user_names({p.proposed_by_id for p in rows})
    return render_template("referrals/proposals.html", providers=rows, decisions=decisions, names=names), status


def _decision_prefix(provider_id):
    """One decision form per proposal on the page: field names (and ids) of their own."""
    return f"p{provider_id}"


@bp.get("/providers/proposals")
@requires(Perm.PROPOSE_PROVIDERS)
def proposals():
    """Supervisors: the organisations the facility's social workers proposed. Workers: their own."""
    return _render_proposals()


@bp.post("/providers/<id:provider_id>/decide")
@requires(Perm.MANAGE_PROVIDERS)
def decide_provider(provider_id):
    provider = _provider_in_scope(provider_id)
    if not can_decide_provider(current_user, provider):
        deny(Perm.MANAGE_PROVIDERS.value)
    form = ProviderDecisionForm(prefix=_decision_prefix(provider.id))
    if form.validate():
        approve = form.decision.data == "approve"
        with saving(form, stale_message=STALE_PROVIDER_DECISION) as saved:
            services.decide_provider(provider, approve=approve, reason=form.reason.data, by=current_user)
        if saved:
            if approve:
                flash(_("%(name)s is in the directory.", name=provider.name), "success")
            else:
                flash(_("%(name)s was rejected.", name=provider.name), "success")
            return redirect(url_for("referrals.proposals"))
    return _render_proposals({provider_id: form}, status=422)


@bp.route("/providers/<id:provider_id>/edit", methods=["GET", "POST"])
@requires(Perm.MANAGE_PROVIDERS)
def edit_provider(provider_id):
    provider = _provider_in_scope(provider_id)
    if not can_manage_provider(current_user, provider):
        deny(Perm.MANAGE_PROVIDERS.value)  # the entry is in the directory anyone reads: 403, not 404
    form = _provider_form(provider, facility_entry=provider.is_facility)
    if request.method == "GET":
        form.version.data = provider.version
    if form.validate_on_submit():
        if str(provider.version) != (form.version.data or ""):
            form.form_errors.append(str(STALE_PROVIDER_EDIT))
            form.version.data = provider.version
        else:
            if save(
                form,
                lambda: services.update_provider(provider, form.provider_data(), by=current_user),
                stale_message=STALE_PROVIDER_EDIT,
            ):
                flash(_("The changes were saved."), "success")
                return redirect(url_for("referrals.providers", province=provider.province_code))
    return render_template("referrals/provider_form.html", form=form, provider=provider)


# --- referrals on a case ---------------------------------------------------------------------------


def _case_to_change(case_id):
    """A case the user may change (security.web.load_case), with its client."""
    return load_case(current_user, case_id, Perm.EDIT_CASES, options=(joinedload(Case.client),))


def _referral_form(case, formdata=None):
    include = request.values.get("provider_id", type=db_id)
    providers = db.session.scalars(queries.referral_providers(current_user, case, include_id=include)).all()
    consents = db.session.scalars(queries.share_consents(case.client_id)).all()
    kwargs = {} if formdata is None else {"formdata": formdata}
    form = ReferralForm(
        providers=providers, consents=consents, may_override=has_perm(current_user, Perm.OVERRIDE_CONSENT), **kwargs
    )
    return form, consents


@bp.route("/cases/<id:case_id>/referrals/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def new_referral(case_id):
    case = _case_to_change(case_id)
    if (
        request.method == "POST"
        and request.form.get("consent_mode") == "override"
        and not has_perm(current_user, Perm.OVERRIDE_CONSENT)
    ):
        deny(Perm.OVERRIDE_CONSENT.value)  # only a supervisor refers without consent
    form, consents = _referral_form(case)
    if request.method == "GET":
        form.provider_id.data = request.args.get("provider_id", type=db_id)
        form.consent_mode.data = "existing" if consents else "record"
        form.consent_given_by.data = "guardian" if case.client.is_child else "client"
    status = 200
    if form.validate_on_submit():
        provider = db.session.get(Provider, form.provider_id.data)
        consent = (
            next((c for c in consents if c.id == form.consent_id.data), None)
            if form.consent_mode.data == "existing"
            else None
        )
        with saving(form) as saved:
            referral = services.create_referral(
                case,
                provider=provider,
                service_type=form.service_type.data,
                reason=form.reason.data,
                shared_info=form.shared_info.data,
                is_urgent=form.is_urgent.data,
                by=current_user,
                consent=consent,
                **form.consent_arguments(),
            )
        if saved:
            flash(
                _("The referral was sent. The answer is due by %(due)s.", due=format_datetime(referral.answer_due_at)),
                "success",
            )
            return redirect(url_for("referrals.show", referral_id=referral.id))
        case = _case_to_change(case_id)  # reloaded with its client: the rollback expired it
    if request.method == "POST":
        status = 422
    audit_client_read(case.client, by=current_user, case=case)  # the form names the client
    return render_template(
        "referrals/new.html", form=form, case=case, client=case.client, has_consents=bool(consents)
    ), status


def _render_referral(referral, forms=None, status=200):
    forms = forms or {}
    moves = services.allowed_moves(referral, "sender") if can_edit_case(current_user, referral.case) else []
    answer_moves = [m for m in moves if m in ("accepted", "declined")]
    outside = not referral.provider.is_facility
    context = {
        "answer_form": forms.get("answer")
        or (AnswerForm(formdata=None, moves=answer_moves, outside=outside) if answer_moves else None),
        "complete_form": forms.get("complete") or (CompleteForm(formdata=None) if "completed" in moves else None),
        "revoke_form": forms.get("revoke") or (RevokeForm(formdata=None) if "revoked" in moves else None),
    }
    consent = None
    if referral.consent_id:
        consent = db.session.get(Consent, referral.consent_id)
    names = queries.user_names({referral.created_by_id, referral.consent_override_by_id})
    return render_template(
        "referrals/show.html",
        referral=referral,
        case=referral.case,
        consent=consent,
        names=names,
        now=utcnow(),
        side="sender",
        action_url=url_for("referrals.change_status", referral_id=referral.id),
        **context,
    ), status


def _referral_in_scope(referral_id):
    referral = db.session.scalar(queries.referral_for_page(current_user, referral_id))
    if referral is None:
        abort(404)
    return referral


@bp.get("/referrals/<id:referral_id>")
@requires(Perm.VIEW_CASES)
def show(referral_id):
    referral = _referral_in_scope(referral_id)
    response = _render_referral(referral)
    # what was shared is personal data; the page names the case's client
    record("referral_viewed", by=current_user, entity=referral, detail={"case_id": referral.case_id})
    return response


def _status_forms(moves, outside=False):
    """The form of the posted action, bound to the request."""
    to_status = request.form.get("to_status")
    if to_status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, "answer"):
        form = AnswerForm(
            moves=[m for m in moves if m in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)], outside=outside
        )
        return "answer", form, (form.decision.data if form.validate() else None)
    if to_status == ReferralStatus.COMPLETED:
        form = CompleteForm()
        return "complete", form, (ReferralStatus.COMPLETED if form.validate() else None)
    if to_status == ReferralStatus.REVOKED:
        form = RevokeForm()
        return "revoke", form, (ReferralStatus.REVOKED if form.validate() else None)
    abort(400)


def _apply_move(referral, form, to_status, side):
    services.change_referral_status(
        referral,
        to_status,
        by=current_user,
        side=side,
        note=getattr(getattr(form, "note", None), "data", None),
        outcome=getattr(getattr(form, "outcome", None), "data", None),
        outcome_date=getattr(getattr(form, "outcome_date", None), "data", None),
        reason=getattr(getattr(form, "reason", None), "data", None),
        received_on=getattr(getattr(form, "received_on", None), "data", None),
    )


MOVE_MESSAGES = {
    "accepted": _l("The provider's acceptance was recorded."),
    "declined": _l("The provider's refusal was recorded."),
    "completed": _l("The outcome of the referral was recorded."),
    "revoked": _l("The referral was revoked."),
}


@bp.post("/referrals/<id:referral_id>/status")
@requires(Perm.EDIT_CASES)
def change_status(referral_id):
    referral = _referral_in_scope(referral_id)
    if not can_edit_case(current_user, referral.case):
        deny(Perm.EDIT_CASES.value)  # the case was transferred out: its history is read-only here
    moves = services.allowed_moves(referral, "sender")
    name, form, to_status = _status_forms(moves, outside=not referral.provider.is_facility)
    if to_status:
        with saving(form, stale_message=STALE_REFERRAL) as saved:
            _apply_move(referral, form, to_status, "sender")
        if saved:
            flash(MOVE_MESSAGES[to_status], "success")
            return redirect(url_for("referrals.show", referral_id=referral.id))
    referral = _referral_in_scope(referral_id)
    return _render_referral(referral, {name: form}, status=422)


@bp.get("/referrals/overdue")
@requires(Perm.VIEW_CASES)
def overdue():
    now = utcnow()
    rows = db.session.scalars(queries.overdue_referrals(current_user, now).limit(queries.OVERDUE_LIMIT + 1)).all()
    audit_cases_listed([r.case_id for r in rows[: queries.OVERDUE_LIMIT]], by=current_user)  # each names its client
    return render_template(
        "referrals/overdue.html",
        referrals=rows[: queries.OVERDUE_LIMIT],
        more=len(rows) > queries.OVERDUE_LIMIT,
        now=now,
    )


# --- the receiving facility ------------------------------------------------------------------------


@bp.get("/referrals/incoming")
@requires(Perm.DECIDE_TRANSFER)
def incoming_referrals():
    rows = db.session.scalars(queries.open_incoming_referrals(current_user).limit(queries.OVERDUE_LIMIT)).all()
    return render_template("referrals/incoming.html", referrals=rows, now=utcnow())


def _render_incoming(referral, forms=None, status=200):
    forms = forms or {}
    moves = services.allowed_moves(referral, "receiver")
    answer_moves = [m for m in moves if m in ("accepted", "declined")]
    return render_template(
        "referrals/show.html",
        referral=referral,
        case=None,
        consent=None,
        names={},
        now=utcnow(),
        side="receiver",
        action_url=url_for("referrals.incoming_referral", referral_id=referral.id),
        answer_form=forms.get("answer") or (AnswerForm(formdata=None, moves=answer_moves) if answer_moves else None),
        complete_form=forms.get("complete") or (CompleteForm(formdata=None) if "completed" in moves else None),
        revoke_form=None,
    ), status


@bp.route("/referrals/incoming/<id:referral_id>", methods=["GET", "POST"])
@requires(Perm.DECIDE_TRANSFER)
def incoming_referral(referral_id):
    referral = db.session.scalar(queries.incoming_referrals(current_user).where(Referral.id == referral_id))
    if referral is None:
        abort(404)
    if request.method == "GET":
        response = _render_incoming(referral)
        record(
            "referral_viewed",
            by=current_user,
            entity=referral,
            facility_id=current_user.facility_id,
            detail={"case_id": referral.case_id},  # what was shared is about that case's client
        )
        return response
    moves = services.allowed_moves(referral, "receiver")
    name, form, to_status = _status_forms(moves)
    if to_status:
        with saving(form, stale_message=STALE_REFERRAL) as saved:
            _apply_move(referral, form, to_status, "receiver")
        if saved:
            flash(MOVE_MESSAGES[to_status], "success")
            return redirect(url_for("referrals.incoming_referrals"))
    referral = db.session.scalar(queries.incoming_referrals(current_user).where(Referral.id == referral_id))
    return _render_incoming(referral, {name: form}, status=422)


# --- transfers -------------------------------------------------------------------------------------


@bp.route("/cases/<id:case_id>/transfer", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def transfer(case_id):
    case = _case_to_change(case_id)
    facilities = db.session.scalars(queries.transfer_targets(case)).all()
    form = TransferForm(facilities=facilities)
    pending = services.pending_transfer_of(case.id)
    status = 200
    if form.validate_on_submit():
        to_facility = next((f for f in facilities if f.id == form.to_facility_id.data), None)
        try:
            with saving(form) as saved:
                services.request_transfer(case, to_facility=to_facility, reason=form.reason.data, by=current_user)
        except (StaleDataError, sa.exc.IntegrityError):  # a second request of the same transfer meanwhile
            db.session.rollback()
            form.form_errors.append(_("A transfer of this case is already awaiting an answer."))
        else:
            if saved:
                flash(_("The transfer request was sent. The receiving facility's supervisor decides."), "success")
                return redirect(url_for("cases.show", case_id=case.id, section="referrals"))
            case = _case_to_change(case_id)  # reloaded with its client: the rollback expired it
    if request.method == "POST":
        status = 422
    audit_client_read(case.client, by=current_user, case=case)  # the form names the client
    return render_template("referrals/transfer.html", form=form, case=case, pending=pending), status


@bp.get("/transfers/incoming")
@requires(Perm.DECIDE_TRANSFER)
def incoming_transfers():
    rows = db.session.scalars(queries.incoming_transfers(current_user)).all()
    if rows:  # the reasons may tell about the person: a read of personal data
        record("transfer_requests_viewed", by=current_user, detail={"transfer_ids": [t.id for t in rows][:50]})
    names = queries.user_names({t.requested_by_id for t in rows})
    return render_template(
        "referrals/incoming_transfers.html", transfers=rows, names=names, form=TransferDecisionForm(formdata=None)
    )


@bp.post("/transfers/<id:transfer_id>/decide")
@requires(Perm.DECIDE_TRANSFER)
def decide_transfer(transfer_id):
    transfer = db.session.scalar(queries.transfer_to_decide(current_user, transfer_id))
    if transfer is None:
        abort(404)
    form = TransferDecisionForm()
    if form.validate():
        accept = form.decision.data == "accept"
        with refusal_flashed(stale_message=STALE_CASE) as saved:
            services.decide_transfer(transfer, accept=accept, note=form.note.data, by=current_user)
        if saved:
            if accept:
                flash(_("The case is now at your facility. Assign a worker to it."), "success")
                return redirect(url_for("cases.show", case_id=transfer.case_id, section="referrals"))
            flash(_("The transfer was declined. The sending facility sees your decision."), "success")
            return redirect(url_for("referrals.incoming_transfers"))
    else:
        flash(_("Choose accept or decline; a refusal needs its reason."), "error")
    return redirect(url_for("referrals.incoming_transfers"))


@bp.post("/transfers/<id:transfer_id>/cancel")
@requires(Perm.EDIT_CASES)
def cancel_transfer(transfer_id):
    transfer = db.session.scalar(queries.transfer_of_sender(current_user, transfer_id))
    if transfer is None:
        abort(404)
    if not can_edit_case(current_user, transfer.case):
        deny(Perm.EDIT_CASES.value)
    form = CancelTransferForm()
    if form.validate():
        with refusal_flashed() as saved:
            services.cancel_transfer(transfer, by=current_user)
        if saved:
            flash(_("The transfer request was cancelled."), "success")
    return redirect(url_for("cases.show", case_id=transfer.case_id, section="referrals"))
