"""Client registry pages: search, search-before-create, the client page, edit, family, consent withdrawal."""

import hashlib
import re
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import cases_of_client
from ..core import categories
from ..core.forms import add_service_error
from ..core.services import ServiceError
from ..core.text import fold
from ..core.timeutil import format_date, local_today
from ..core.transaction import refusal_flashed, saving
from ..core.urls import db_id, parse_id
from ..extensions import db
from ..intake.queries import intakes_of_client
from ..org import queries as org_queries
from ..register import queries as register_queries
from ..register import services as register_services
from ..security.policy import Perm
from ..security.scopes import client_scope, own_facility
from ..security.web import load_in_scope_or_404, requires
from . import queries, services
from .forms import ClientForm, FamilyMemberForm, WithdrawConsentForm
from .models import Client, Consent, FamilyMember
from .reads import audit_client_read, audit_clients_listed, audit_lookup
from .rights import queries as rights_queries

bp = Blueprint("clients", __name__, url_prefix="/clients")

STALE_CLIENT_EDIT = _l(
    "Someone else changed this client while you were editing (%(fields)s). "
    "Your changes are kept below; check them and save again."
)
DUPLICATE_CITIZEN_ID = _l("Another client already has this citizen ID.")

# History: which label shows a changed field, and which code list turns a stored code into words.
FIELD_LABELS = {
    "full_name": _l("Full name"),
    "alias": _l("Alias"),
    "other_names": _l("Other names"),
    "sex": _l("Sex"),
    "birth_date": _l("Date of birth"),
    "birth_year": _l("Year of birth"),
    "birth_precision": _l("Date of birth is known as"),
    "ethnicity": _l("Ethnicity"),
    "nationality": _l("Nationality"),
    "citizen_id": _l("Citizen ID"),
    "phone": _l("Phone"),
    "province_code": _l("Province / city"),
    "commune_code": _l("Commune / ward"),
    "street_address": _l("Street address"),
    "hometown": _l("Home town"),
    "disabilities": _l("Disabilities"),
    "is_sensitive": _l("Sensitive record"),
    "groups": _l("Beneficiary groups"),
    "membership_status": _l("Status"),
    "effective_from": _l("Takes effect on"),
    "relationship": _l("Relationship"),
    "lives_with_client": _l("Lives with the client"),
    "is_guardian": _l("Guardian"),
    "is_alleged_perpetrator": _l("Alleged perpetrator"),
    "note": _l("Note"),
}
CODE_LISTS = {
    "sex": categories.SEXES,
    "birth_precision": categories.BIRTH_PRECISION,
    "ethnicity": categories.ETHNIC_GROUPS,
    "relationship": categories.RELATIONSHIPS,
    "groups": categories.BENEFICIARY_GROUPS,
    "membership_status": categories.MEMBERSHIP_STATUSES,
}
CHANGE_KINDS = {
    "created": _l("Record created"),
    "updated": _l("Record changed"),
    "groups": _l("Beneficiary groups changed"),
    "membership_added": _l("Beneficiary group added"),
    "membership_changed": _l("Beneficiary group membership changed"),
    "family_added": _l("Family member added"),
    "family_updated": _l("Family member changed"),
    "family_removed": _l("Family member removed"),
    "merged": _l("Records merged"),
    "anonymised": _l("Record anonymised"),
}


# --- helpers -------------------------------------------------------------------------------------


def _client_form(client=None):
    """The form with the provinces, and the communes of the province chosen (posted, or stored; a new
    client's starts at the facility's own province, where most people served live).
    `client`: the stored record fills a GET form (its fields only: relationships load explicitly)."""
    if request.method == "POST":
        province = request.form.get("province_code")
    elif client is not None:
        province = client.province_code
    else:
        province = current_user.facility.province_code
    communes = org_queries.communes_of(province) if province else []
    data = {key: getattr(client, key) for key in services.CLIENT_FIELDS} if client is not None else None
    form = ClientForm(data=data, provinces=org_queries.provinces(), communes=communes)
    if client is None and request.method == "GET":
        form.province_code.data = province or ""
    return form


def _identity_key(form):
    """A fingerprint of what the duplicate check looked for: a create posted for other values than the
    ones whose candidates were shown goes through the check again."""
    data = form.identity_data()
    parts = (
        fold(data["full_name"] or data["alias"]),
        str(data["birth_year"] or ""),
        data["citizen_id"] or "",
        queries.digits(data["phone"]),
        data["commune_code"] or "",
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _visible_client_id(client_id):
    """The id if the current user may see that client, else None (a sealed duplicate in the facility
    is refused without a link)."""
    if client_id is None:
        return None
    return db.session.scalar(sa.select(Client.id).where(Client.id == client_id, client_scope(current_user)))


def _service_error(form, error):
    """Put a refusal on the form; a duplicate citizen ID returns the existing client's id when visible."""
    add_service_error(form, error)
    return _visible_client_id(getattr(error, "existing_client_id", None))


def _duplicate_citizen_id(form, error):
    """A unique-constraint race (two saves of the same CCCD in the facility at once): the same refusal as
    the check. Any other integrity error is a bug, not the user's: raised again. Only the user's own
    facility is looked in: the number held elsewhere is no clash (clients.identity)."""
    citizen_id = queries.digits(form.citizen_id.data)
    existing = (
        db.session.scalar(
            sa.select(Client.id).where(Client.citizen_id == citizen_id, own_facility(Client.facility_id, current_user))
        )
        if citizen_id
        else None
    )
    if existing is None:
        raise error
    form.citizen_id.errors = list(form.citizen_id.errors) + [str(DUPLICATE_CITIZEN_ID)]
    return _visible_client_id(existing)


def _group_codes(client_id):
    return set(db.session.scalars(register_queries.managed_group_codes(client_id, local_today())))


def _continue_url(client, purpose):
    if purpose == "intake":
        return url_for("intake.new", client_id=client.id)
    return url_for("clients.show", client_id=client.id)


def _show_value(field, value, names):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field in ("province_code", "commune_code"):
        return names.get(value, value)
    if field in ("birth_date", "effective_from"):
        return format_date(_parse_iso_date(value)) or value
    if field in CODE_LISTS:
        codes = value if isinstance(value, list) else [value]
        return "; ".join(categories.label(CODE_LISTS[field], code) for code in codes)
    return str(value)


def _parse_iso_date(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _history_rows(changes):
    """What the history table shows: who, when, what — with codes turned into words (one query for
    the place names of every row together)."""
    codes = {"province_code": set(), "commune_code": set()}
    for change in changes:
        for field, pair in (change.changes or {}).items():
            if field in codes and isinstance(pair, list):
                codes[field].update(v for v in pair if v)
    names = queries.place_names(codes["province_code"], codes["commune_code"])
    rows = []
    for change in changes:
        items = []
        for field, pair in (change.changes or {}).items():
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            old, new = pair
            items.append(
                {
                    "field": FIELD_LABELS.get(field, field),
                    "old": _show_value(field, old, names),
                    "new": _show_value(field, new, names),
                    "same": old == new,
                }
            )
        rows.append(
            {
                "at": change.changed_at,
                "by": change.changed_by.full_name if change.changed_by else "—",
                "kind": CHANGE_KINDS.get(change.kind, change.kind),
                "changes": items,
                "reason": change.reason,
            }
        )
    return rows


def _changed_fields_since(client_id, mark):
    fields = []
    for change in db.session.scalars(queries.changes_after(client_id, mark)):
        for field in change.changes or {}:
            label = str(FIELD_LABELS.get(field, field))
            if change.kind.startswith("family"):
                label = str(_l("Family members and guardians"))
            if label not in fields:
                fields.append(label)
    return ", ".join(fields) or "—"


# --- search --------------------------------------------------------------------------------------


@bp.get("/")
@requires(Perm.VIEW_CLIENTS)
def search():
    q = (request.args.get("q") or "").strip()[:100]
    after = request.args.get("after", type=db_id)
    page = queries.search_page(current_user, q, after=after)
    names = queries.place_names(commune_codes=[c.commune_code for c in page.rows])
    if queries.number_fields(q):
        audit_lookup(queries.number_fields(q), found=len(page.rows), by=current_user)
    audit_clients_listed([c.id for c in page.rows], by=current_user)
    return render_template("clients/search.html", q=q, page=page, names=names)


# --- search-before-create ------------------------------------------------------------------------


def _prefill_from_query(form, q):
    digits = queries.digits(q)
    if digits and len(digits) == 12 and len(digits) >= len(q.replace(" ", "")) - 1:
        form.citizen_id.data = digits
    elif digits and len(digits) >= 8 and len(digits) >= len(q.replace(" ", "")) - 3:
        form.phone.data = q
    elif q and not re.match(r"^[A-Za-z0-9]+-\d{4}-\d{1,6}$", q):
        form.full_name.data = q


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CLIENTS)
def new():
    """Search before create: the identifying fields first, then the ranked candidates with their
    reasons; the user picks one ("use this client") or confirms a new record. Never merges."""
    form = _client_form()
    step, candidates, duplicate_id = "identify", [], None
    if request.method == "GET":
        form.purpose.data = "intake" if request.args.get("next") == "intake" else ""
        _prefill_from_query(form, (request.args.get("q") or "").strip()[:100])
    else:
        action = request.form.get("action")
        valid = form.validate()
        if action == "create":
            step = "confirm"  # the full form was on the page: show it again, with what was typed
        if valid:
            key = _identity_key(form)
            data = form.identity_data()
            candidates = queries.duplicate_candidates(
                current_user,
                full_name=data["full_name"] or data["alias"],
                birth_year=data["birth_year"],
                citizen_id=data["citizen_id"],
                phone=data["phone"],
                commune_code=data["commune_code"],
            )
            if action == "create" and form.checked_key.data == key:
                # Not saving(form): a refusal here may name the duplicate client to link to, and a
                # citizen ID taken meanwhile surfaces as an IntegrityError at the flush.
                try:
                    client = services.create_client(form.client_data(), facility=current_user.facility, by=current_user)
                    register_services.set_groups(client, form.groups.data or [], by=current_user)
                    db.session.flush()  # a concurrent change (version check) shows here
                except ServiceError as error:
                    db.session.rollback()
                    duplicate_id = _service_error(form, error)
                except IntegrityError as error:
                    db.session.rollback()
                    duplicate_id = _duplicate_citizen_id(form, error)
                else:
                    _audit_duplicate_check(data, candidates)
                    flash(
                        _("Client %(name)s was created (code %(code)s).", name=client.display_name, code=client.code),
                        "success",
                    )
                    return redirect(_continue_url(client, form.purpose.data))
            else:
                if action == "create":
                    flash(_("The identifying fields changed: check the similar clients again."), "warning")
                form.checked_key.data = key
                step = "confirm"
    names = queries.place_names(commune_codes=[c.client.commune_code for c in candidates])
    if step == "confirm" and valid:  # after any rollback above: the audit rows stay
        _audit_duplicate_check(data, candidates)
        audit_clients_listed([c.client.id for c in candidates], by=current_user)
    return render_template(
        "clients/new.html",
        form=form,
        step=step,
        candidates=candidates,
        names=names,
        duplicate_id=duplicate_id,
        group_codes=set(form.groups.data or []),
    )


def _audit_duplicate_check(data, candidates):
    """The duplicate check looked a citizen ID or phone up: audited (the fields, never the number)."""
    fields = [field for field in ("citizen_id", "phone") if data.get(field)]
    if fields:
        audit_lookup(fields, found=len(candidates), by=current_user)


# --- the client page -----------------------------------------------------------------------------


def _load(client_id, perm):
    client = load_in_scope_or_404(Client, client_id, client_scope, perm)
    return client


@bp.get("/<id:client_id>")
@requires(Perm.VIEW_CLIENTS)
def show(client_id):
    client = _load(client_id, Perm.VIEW_CLIENTS)
    if client.merged_into_id:
        return redirect(url_for("clients.show", client_id=client.merged_into_id))

    memberships = db.session.scalars(register_queries.memberships_of(client.id)).all()
    versions = db.session.scalars(register_queries.versions_of([m.id for m in memberships])).all()
    today = local_today()
    family = db.session.scalars(queries.family_of(client.id)).all()
    consents = db.session.scalars(queries.consents_of(client.id)).all()
    cases = db.session.scalars(cases_of_client(current_user, client.id).options(joinedload(Case.assigned_worker))).all()
    intakes = db.session.scalars(intakes_of_client(current_user, client.id)).all()
    history = _history_rows(db.session.scalars(queries.client_history(queries.merged_ids(client.id))).unique().all())
    names = queries.place_names([client.province_code], [client.commune_code])
    people = _user_names({c.recorded_by_id for c in consents} | {c.withdrawn_by_id for c in consents})
    audit_client_read(client, by=current_user)  # reads of personal data are audited
    return render_template(
        "clients/show.html",
        client=client,
        memberships=register_services.timelines(memberships, versions, today=today),
        group_sources={c.code: c.source for c in categories.BENEFICIARY_GROUPS},
        today=today,
        family=family,
        consents=consents,
        cases=cases,
        intakes=intakes,
        history=history,
        names=names,
        people=people,
        withdraw_form=WithdrawConsentForm(),
        anonymisation=rights_queries.anonymisation_of(client.id),
    )


def _user_names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).tuples().all())


# --- edit ----------------------------------------------------------------------------------------


@bp.route("/<id:client_id>/edit", methods=["GET", "POST"])
@requires(Perm.EDIT_CLIENTS)
def edit(client_id):
    client = _load(client_id, Perm.EDIT_CLIENTS)
    if client.merged_into_id:
        return redirect(url_for("clients.show", client_id=client.merged_into_id))
    if refused := _anonymised_refusal(client):
        return refused
    form = _client_form(client if request.method == "GET" else None)
    duplicate_id = None
    if request.method == "GET":
        form.fill_from(client, _group_codes(client.id))
        form.version.data = client.version
        form.history_mark.data = queries.last_change_id(client.id)
    elif form.validate():
        mark = parse_id(form.history_mark.data) or 0
        if str(client.version) != (form.version.data or ""):
            _stale(form, client, mark)
        else:
            # Not saving(form): as on creation, the refusal may name a duplicate client, and a stale
            # version or a citizen ID taken meanwhile each has its own answer.
            try:
                services.update_client(
                    client, form.client_data(), by=current_user, reason=form.change_reason.data, ask_reason=True
                )
                register_services.set_groups(client, form.groups.data or [], by=current_user)
                db.session.flush()  # a concurrent change (version check) shows here
            except ServiceError as error:
                db.session.rollback()
                duplicate_id = _service_error(form, error)
            except StaleDataError:
                db.session.rollback()
                _stale(form, client, mark)
            except IntegrityError as error:
                db.session.rollback()
                duplicate_id = _duplicate_citizen_id(form, error)
            else:
                flash(_("The changes were saved."), "success")
                return redirect(url_for("clients.show", client_id=client.id))
    audit_client_read(client, by=current_user)  # the form shows the whole record
    return render_template(
        "clients/edit.html",
        form=form,
        client=client,
        duplicate_id=duplicate_id,
        group_codes=set(form.groups.data or []),
    )


def _anonymised_refusal(client):
    """An anonymised record is not edited: back to its page, saying why (the services refuse too)."""
    try:
        services.refuse_if_anonymised(client.id)
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("clients.show", client_id=client.id))
    return None


def _stale(form, client, mark):
    """Refuse a save based on an old version: say which fields changed meanwhile, keep what was typed,
    and arm the form with the current version so a second save (after checking) goes through."""
    db.session.refresh(client)
    form.form_errors.append(str(STALE_CLIENT_EDIT) % {"fields": _changed_fields_since(client.id, mark)})
    form.version.data = client.version
    form.history_mark.data = queries.last_change_id(client.id)


# --- family members and guardians ----------------------------------------------------------------


def _load_member(client, member_id):
    member = db.session.get(FamilyMember, member_id)
    if member is None or member.client_id != client.id:
        abort(404)
    return member


@bp.route("/<id:client_id>/family/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CLIENTS)
def add_family(client_id):
    client = _load(client_id, Perm.EDIT_CLIENTS)
    if refused := _anonymised_refusal(client):
        return refused
    form = FamilyMemberForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.add_family_member(client, form.data, by=current_user)
        if saved:
            flash(_("The family member was added."), "success")
            return redirect(url_for("clients.show", client_id=client.id, _anchor="family"))
    audit_client_read(client, by=current_user)
    return render_template("clients/family_form.html", form=form, client=client, member=None)


@bp.route("/<id:client_id>/family/<id:member_id>", methods=["GET", "POST"])
@requires(Perm.EDIT_CLIENTS)
def edit_family(client_id, member_id):
    client = _load(client_id, Perm.EDIT_CLIENTS)
    member = _load_member(client, member_id)
    form = FamilyMemberForm(obj=member)
    if form.validate_on_submit():
        with saving(form) as saved:
            services.update_family_member(member, form.data, by=current_user)
        if saved:
            flash(_("The changes were saved."), "success")
            return redirect(url_for("clients.show", client_id=client.id, _anchor="family"))
    audit_client_read(client, by=current_user)
    return render_template("clients/family_form.html", form=form, client=client, member=member)


@bp.post("/<id:client_id>/family/<id:member_id>/remove")
@requires(Perm.EDIT_CLIENTS)
def remove_family(client_id, member_id):
    client = _load(client_id, Perm.EDIT_CLIENTS)
    member = _load_member(client, member_id)
    services.remove_family_member(member, by=current_user)
    flash(_("The family member was removed."), "success")
    return redirect(url_for("clients.show", client_id=client.id, _anchor="family"))


# --- consent -------------------------------------------------------------------------------------


@bp.post("/<id:client_id>/consents/<id:consent_id>/withdraw")
@requires(Perm.EDIT_CLIENTS)
def withdraw_consent(client_id, consent_id):
    client = _load(client_id, Perm.EDIT_CLIENTS)
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.client_id != client.id:
        abort(404)
    form = WithdrawConsentForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the withdrawal."), "error")
    else:
        with refusal_flashed() as saved:
            services.withdraw_consent(consent, reason=form.reason.data, by=current_user)
        if saved:
            flash(_("The consent was withdrawn."), "success")
    return redirect(url_for("clients.show", client_id=client.id, _anchor="consents"))
