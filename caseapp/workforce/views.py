"""Pages of the workforce register: the people doing social work (list with filters, a person's page,
added, changed, post ended) and the agencies the facility keeps the records of (list, added, changed,
deactivated). For those who keep the register (Perm.MANAGE_WORKFORCE); an agency or a person of another
facility answers 404. Thin: load and authorise → form → service → redirect; a refused input re-renders
the form with what was typed (422)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..audit.labels import kind_label
from ..audit.services import record
from ..core import categories as core_categories
from ..core.forms import seen_version
from ..core.timeutil import local_today
from ..core.transaction import refusal_flashed, saving
from ..core.urls import parse_id
from ..extensions import db
from ..org import queries as org_queries
from ..org.models import Facility
from ..security.policy import Perm
from ..security.web import requires
from . import categories, queries, services
from .forms import AgencyFilterForm, AgencyForm, EndForm, MemberFilterForm, MemberForm

bp = Blueprint("workforce", __name__, url_prefix="/workforce")

_LISTS = {
    "AGENCY_KINDS": categories.AGENCY_KINDS,
    "MEMBER_KINDS": categories.MEMBER_KINDS,
    "QUALIFICATIONS": categories.QUALIFICATIONS,
    "PROFESSIONAL_TITLES": categories.PROFESSIONAL_TITLES,
    "TRAINING_KINDS": categories.TRAINING_KINDS,
    "TRAINING_LEVELS": categories.TRAINING_LEVELS,
    "COMMUNICATION_KINDS": categories.COMMUNICATION_KINDS,
    "COMMUNICATION_TOPICS": categories.COMMUNICATION_TOPICS,
}


@bp.app_template_global("workforce_label")
def workforce_label(list_name, code):
    """The label of a code of a workforce code list (workforce.categories) in the current language."""
    return core_categories.label(_LISTS[list_name], code)


def _facility():
    return db.session.get(Facility, current_user.facility_id)


def _own_communes():
    return org_queries.communes_of(_facility().province_code)


# --- people -------------------------------------------------------------------------------------------------


@bp.get("/")
@requires(Perm.MANAGE_WORKFORCE)
def members():
    args = request.args.to_dict()
    if "on" not in args:  # first visit: who is in post today
        args["on"] = local_today().isoformat()
    agencies = queries.agency_choices(current_user, inactive=True)
    form = MemberFilterForm(formdata=MultiDict(args), agencies=agencies, communes=_own_communes())
    page = None
    if form.validate():
        filters = queries.MemberFilters(
            agency_id=parse_id(form.agency.data),
            commune_code=form.commune.data or None,
            kind=form.kind.data or None,
            qualification=form.qualification.data or None,
            on=form.on.data,
            q=form.q.data or None,
        )
        page = queries.members_page(current_user, filters, after=form.after.data)
    keep = {k: v for k, v in args.items() if k != "after"}
    return render_template("workforce/members.html", form=form, page=page, args=keep, first_page=not form.after.data)


def _load_member(member_id):
    member = db.session.scalar(queries.member_in_scope(current_user, member_id))
    if member is None:
        abort(404)  # another facility's, or no such person
    return member


def _audit_read(member, purpose=None):
    """The page shows a person's identity (citizen ID, phone): the read is audited, as other personal
    data is (Nghị định 13/2023/NĐ-CP)."""
    detail = {"agency_id": member.agency_id} | ({"for": purpose} if purpose else {})
    record(
        "workforce_member_viewed",
        by=current_user,
        entity=member,
        facility_id=member.agency.owner_facility_id,
        detail=detail,
    )


@bp.get("/people/<id:member_id>")
@requires(Perm.MANAGE_WORKFORCE)
def member(member_id):
    person = _load_member(member_id)
    _audit_read(person)
    history = [(event, kind_label(event.action), name) for event, name in queries.member_history(person.id)]
    return render_template(
        "workforce/member.html",
        member=person,
        history=history,
        trainings=db.session.scalars(queries.training_history(person.id)).all(),
        today=local_today(),
    )


def _member_form(member=None):
    facility = _facility()
    agencies = queries.agency_choices(current_user, keep_id=member.agency_id if member else None)
    own = None if queries.has_own_agency(facility.id) else facility
    province = member.agency.province_code if member else facility.province_code
    owner_facility_id = member.agency.owner_facility_id if member else facility.id
    users = queries.linkable_users(owner_facility_id, member_id=member.id if member else None)
    form = MemberForm(
        obj=member if request.method == "GET" else None,
        agencies=agencies,
        own_facility=own,
        communes=org_queries.communes_of(province),
        users=users,
    )
    if member is not None and request.method == "GET":
        form.agency_id.data = str(member.agency_id)
        form.user_id.data = str(member.user_id or "")
        form.version.data = str(member.version)
    return form


@bp.route("/people/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def new_member():
    form = _member_form()
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            person = services.create_member(form.values(), by=current_user)
        if saved:
            flash(_l("%(name)s was added to the register.", name=person.full_name), "success")
            return redirect(url_for("workforce.member", member_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template("workforce/member_form.html", form=form, member=None), status


@bp.route("/people/<id:member_id>/edit", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def edit_member(member_id):
    person = _load_member(member_id)
    form = _member_form(person)
    if request.method == "GET":
        _audit_read(person, "edit")
        return render_template("workforce/member_form.html", form=form, member=person)
    if form.validate():
        with saving(form, stale_message=services.STALE_MEMBER) as saved:
            services.update_member(person, form.values(), by=current_user, seen_version=seen_version(form))
        if saved:
            flash(_l("The record of %(name)s was saved.", name=person.full_name), "success")
            return redirect(url_for("workforce.member", member_id=person.id))
    return render_template("workforce/member_form.html", form=form, member=person), 422


@bp.route("/people/<id:member_id>/end", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def end_member(member_id):
    person = _load_member(member_id)
    form = EndForm()
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            services.end_member(person, form.to_date.data, by=current_user)
        if saved:
            flash(_l("The post of %(name)s was ended.", name=person.full_name), "success")
            return redirect(url_for("workforce.member", member_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template("workforce/member_end.html", form=form, member=person), status


# --- agencies ----------------------------------------------------------------------------------------------


@bp.get("/agencies")
@requires(Perm.MANAGE_WORKFORCE)
def agencies():
    form = AgencyFilterForm(formdata=request.args)
    page = None
    if form.validate():
        page = queries.agencies_page(current_user, kind=form.kind.data or None, after=form.after.data)
    keep = {k: v for k, v in request.args.items() if k != "after"}
    return render_template("workforce/agencies.html", form=form, page=page, args=keep, first_page=not form.after.data)


def _load_agency(agency_id):
    agency = db.session.scalar(queries.agency_in_scope(current_user, agency_id))
    if agency is None:
        abort(404)
    return agency


@bp.route("/agencies/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def new_agency():
    form = AgencyForm(communes=_own_communes())
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            agency = services.create_agency(form.values(), by=current_user)
        if saved:
            flash(_l("%(name)s was added.", name=agency.name), "success")
            return redirect(url_for("workforce.agencies"))
    status = 422 if request.method == "POST" else 200
    return render_template("workforce/agency_form.html", form=form, agency=None), status


@bp.route("/agencies/<id:agency_id>", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def edit_agency(agency_id):
    agency = _load_agency(agency_id)
    form = AgencyForm(
        obj=agency if request.method == "GET" else None, communes=org_queries.communes_of(agency.province_code)
    )
    if request.method == "GET":
        form.version.data = str(agency.version)
        return render_template("workforce/agency_form.html", form=form, agency=agency)
    if form.validate():
        with saving(form, stale_message=services.STALE_AGENCY) as saved:
            services.update_agency(agency, form.values(), by=current_user, seen_version=seen_version(form))
        if saved:
            flash(_l("%(name)s was saved.", name=agency.name), "success")
            return redirect(url_for("workforce.agencies"))
    return render_template("workforce/agency_form.html", form=form, agency=agency), 422


def _switch(agency_id, active):
    agency = _load_agency(agency_id)
    with refusal_flashed(stale_message=services.STALE_AGENCY) as saved:
        services.set_agency_active(agency, active, by=current_user)
    if saved:
        flash(_l("The agency is active again.") if active else _l("The agency was deactivated."), "success")
    return redirect(url_for("workforce.edit_agency", agency_id=agency.id))


@bp.post("/agencies/<id:agency_id>/deactivate")
@requires(Perm.MANAGE_WORKFORCE)
def deactivate_agency(agency_id):
    return _switch(agency_id, False)


@bp.post("/agencies/<id:agency_id>/reactivate")
@requires(Perm.MANAGE_WORKFORCE)
def reactivate_agency(agency_id):
    return _switch(agency_id, True)
