"""Shelter pages: emergency admission, bed board, check-in / check-out / extension, rooms and beds,
completing the intake record, and the referral list when the shelter is full."""

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..audit.services import record
from ..clients.reads import audit_client_read, audit_clients_listed
from ..core.forms import add_service_error
from ..core.timeutil import VN_TZ, local_today, to_local, utcnow
from ..core.transaction import refusal_flashed, save, saving
from ..core.urls import db_id
from ..extensions import db
from ..intake.models import Intake
from ..org import queries as org_queries
from ..org.labels import FACILITY_TYPE_LABELS
from ..org.models import Facility, FacilityType
from ..register.queries import managed_group_codes
from ..security.policy import Perm
from ..security.rules import same_facility, sees_every_facility
from ..security.web import load_case, load_in_scope_or_404, requires
from . import queries, services
from .forms import AddBedsForm, AdmissionForm, CheckInForm, CheckOutForm, CompleteIntakeForm, ExtendForm, RoomForm
from .models import Bed, Room, ShelterStay

bp = Blueprint("shelter", __name__, url_prefix="/shelter")

STALE_EDIT = _l(
    "Someone else changed this record while you were editing. Your changes are kept below; check them and save again."
)
SEALED = _l("Sealed record")


def _referral_url():
    """The intake form with 'refer out' chosen, when the intake screen exists."""
    if "intake.new" in current_app.view_functions:
        return url_for("intake.new", decision="refer_out")
    return None


def _referral_context(facility):
    return {"referral_url": _referral_url(), "referral_facilities": queries.referral_facilities(facility)}


def _load_stay(stay_id, perm=Perm.MANAGE_STAYS):
    return load_in_scope_or_404(ShelterStay, stay_id, queries.stay_scope, perm)


# --- emergency admission ------------------------------------------------------------------------


@bp.route("/admit", methods=["GET", "POST"])
@requires(Perm.ADMIT_EMERGENCY)
def admit():
    facility = current_user.facility
    form = AdmissionForm()
    full = False
    if request.method == "POST" and "add_child" in request.form:
        form.offer_child_rows(more=1)  # "another child": the same form again with one row more, nothing saved
    elif form.validate_on_submit():
        refusals = []
        with saving(form, show=lambda form, error: (add_service_error(form, error), refusals.append(error))) as saved:
            admission = services.admit_emergency(
                facility,
                alias=form.alias.data,
                sex=form.sex.data,
                approximate_age=form.approximate_age.data,
                arrived_at=form.arrived_at_utc,
                brought_by=form.brought_by.data,
                children=form.admitted_children,
                immediate_needs=form.immediate_needs.data or [],
                immediate_danger=form.immediate_danger.data == "yes",
                submission_key=form.submission_key.data,
                by=current_user,
            )
        full = any(getattr(error, "full", False) for error in refusals)
        if saved:
            if admission.created:
                flash(_("The admission was recorded. Complete the intake record within 24 hours."), "success")
            else:
                flash(_("This admission was already recorded; nothing was added twice."), "info")
            return redirect(url_for("cases.show", case_id=admission.case.id))
    capacity = queries.capacity_of(facility)
    occupied = queries.occupied_count(facility.id)
    full = full or occupied >= capacity
    context = _referral_context(facility) if full else {}
    return render_template(
        "shelter/admit.html",
        form=form,
        full=full,
        capacity=capacity,
        occupied=occupied,
        max_children=services.MAX_CHILDREN,
        **context,
    )


@bp.get("/referral")
@requires(Perm.VIEW_FACILITY_DIRECTORY)
def referral():
    """A printable list of the other shelters and centres of the province. It leaves the shelter
    (printed, handed over): confidential addresses are never on it (org.queries.printable_address)."""
    facility = current_user.facility
    return render_template(
        "shelter/referral.html",
        facility=facility,
        printable_address=org_queries.printable_address,
        type_labels=_type_labels(),
        printed_on=local_today(),
        **_referral_context(facility),
    )


def _named_on(board):
    """The clients whose names the board shows (a sealed stay shows a placeholder)."""
    entries = board.unassigned + [bed.occupant for room in board.rooms for bed in room.beds if bed.occupant]
    return sorted({entry.stay.client_id for entry in entries if entry.name_visible})


def _type_labels():
    return FACILITY_TYPE_LABELS


# --- the bed board ------------------------------------------------------------------------------


@bp.get("/board")
@requires(Perm.MANAGE_STAYS)
def board():
    facility = current_user.facility
    data = queries.bed_board(current_user, facility, sealed_label=str(SEALED))
    # the board shows who stays where: the people it names
    record("bed_board_viewed", by=current_user, entity=facility, detail={"client_ids": _named_on(data)})
    context = _referral_context(facility) if not data.free_beds else {}
    return render_template("shelter/board.html", board=data, facility=facility, **context)


@bp.post("/stays/<id:stay_id>/check-in")
@requires(Perm.MANAGE_STAYS)
def check_in(stay_id):
    stay = _load_stay(stay_id)
    beds = db.session.scalars(
        sa.select(Bed).where(queries.bed_scope(current_user)).options(sa.orm.joinedload(Bed.room))
    ).all()
    form = CheckInForm(beds=beds)
    if not form.validate_on_submit():
        flash(_("Choose a bed."), "error")
        return redirect(url_for("shelter.board"))
    bed = next(b for b in beds if b.id == form.bed_id.data)
    with refusal_flashed(stale_message=STALE_EDIT) as saved:
        services.check_in(stay, bed, by=current_user)
    if saved:
        flash(_("The bed was assigned."), "success")
    return redirect(url_for("shelter.board") + f"#stay-{stay_id}")


@bp.route("/stays/<id:stay_id>/check-out", methods=["GET", "POST"])
@requires(Perm.MANAGE_STAYS)
def check_out(stay_id):
    stay = _load_stay(stay_id)
    db.session.refresh(stay, ["client", "bed"])
    children = queries.children_stays(stay)
    visible = queries.visible_client_ids(current_user, [stay.client_id] + [c.client_id for c in children])
    name = stay.client.display_name if stay.client_id in visible else SEALED
    bed_label = stay.bed.label if stay.bed else None  # read now: a refused save rolls back and expires
    form = CheckOutForm(children=children, visible=visible, sealed_label=str(SEALED))
    if request.method == "GET":
        form.version.data = stay.version
    if stay.is_open and form.validate_on_submit():
        if str(stay.version) != (form.version.data or ""):
            form.form_errors.append(str(STALE_EDIT))
            form.version.data = stay.version
        else:
            chosen = set(form.children.data or [])
            at = form.checked_out_at.data.replace(tzinfo=VN_TZ)
            if save(
                form,
                lambda: services.check_out(
                    stay,
                    destination=form.destination.data,
                    reason=form.reason.data,
                    safety=form.safety_check,
                    follow_up=form.follow_up_plan,
                    at=at,
                    children=[c for c in children if c.id in chosen],
                    by=current_user,
                ),
                stale_message=STALE_EDIT,
            ):
                flash(_("The check-out was recorded."), "success")
                return redirect(url_for("shelter.board"))
    audit_clients_listed(sorted(visible), by=current_user)  # the person and the children the form names
    default_due = services.follow_up_due_after_checkout(utcnow(), "safe")
    return render_template(
        "shelter/check_out.html", form=form, stay=stay, name=name, bed_label=bed_label, default_due=default_due
    )


@bp.route("/stays/<id:stay_id>/extend", methods=["GET", "POST"])
@requires(Perm.EXTEND_STAY)
def extend_stay(stay_id):
    stay = _load_stay(stay_id, Perm.EXTEND_STAY)
    db.session.refresh(stay, ["client"])
    visible = queries.visible_client_ids(current_user, [stay.client_id])
    name = stay.client.display_name if stay.client_id in visible else SEALED
    form = ExtendForm()
    if stay.is_open and form.validate_on_submit():
        old_local = to_local(stay.planned_end_at)
        new_end = datetime.combine(form.new_end.data, old_local.time(), VN_TZ)
        with saving(form, stale_message=STALE_EDIT) as saved:
            services.extend_stay(stay, new_end=new_end, reason=form.reason.data, by=current_user)
        if saved:
            flash(_("The stay was extended."), "success")
            return redirect(url_for("shelter.board"))
    if stay.client_id in visible:
        audit_client_read(stay.client, by=current_user)  # the form names the person
    return render_template("shelter/extend.html", form=form, stay=stay, name=name)


# --- rooms and beds -----------------------------------------------------------------------------


def _settings_facility():
    """Supervisors configure their own shelter; admins choose the facility (?facility_id=)."""
    if sees_every_facility(current_user):
        wanted = request.values.get("facility_id", type=db_id)
        if wanted:
            facility = db.session.get(Facility, wanted)
            if facility is None:
                abort(404)
            return facility
    return current_user.facility


def _room_refused(action):
    def show(form, error):
        add_service_error(form, error)
        if action not in ("add_room", "add_beds"):  # a button of the room list: no form of its own
            flash(str(error), "error")

    return show


@bp.route("/rooms", methods=["GET", "POST"])
@requires(Perm.CONFIGURE_SHELTER)
def rooms():
    facility = _settings_facility()
    room_form = RoomForm()
    beds_form = AddBedsForm()
    action = request.form.get("action")
    if request.method == "POST":
        with saving(room_form if action == "add_room" else beds_form, show=_room_refused(action)) as saved:
            done = _room_action(action, facility, room_form, beds_form)
        if saved:
            if done:
                flash(done, "success")
                return redirect(url_for("shelter.rooms", **_facility_arg(facility)))
    room_list = queries.rooms_with_beds(facility.id)
    occupied = {
        s.bed_id
        for s in db.session.scalars(
            sa.select(ShelterStay).where(
                ShelterStay.facility_id == facility.id,
                ShelterStay.checked_out_at.is_(None),
                ShelterStay.bed_id.is_not(None),
            )
        )
    }
    choices = []
    if sees_every_facility(current_user):
        choices = db.session.scalars(
            sa.select(Facility).order_by(
                sa.case((Facility.type == FacilityType.SHELTER.value, 0), else_=1), Facility.name
            )
        ).all()
    return render_template(
        "shelter/rooms.html",
        facility=facility,
        rooms=room_list,
        occupied=occupied,
        room_form=room_form,
        beds_form=beds_form,
        facility_choices=choices,
        capacity=queries.capacity_of(facility),
        facility_arg=_facility_arg(facility),
    )


def _facility_arg(facility):
    return {"facility_id": facility.id} if not same_facility(current_user, facility) else {}


def _room_action(action, facility, room_form, beds_form):
    if action == "add_room":
        if not room_form.validate_on_submit():
            return None
        room = services.add_room(facility, name=room_form.name.data, beds=room_form.beds.data, by=current_user)
        return _("Room %(name)s was added.", name=room.name)
    if action == "add_beds":
        room = _facility_room(facility, request.form.get("room_id", type=db_id))
        if not beds_form.validate_on_submit():
            return None
        services.add_beds(room, count=beds_form.count.data, by=current_user)
        return _("The beds were added.")
    if action in ("deactivate_bed", "activate_bed"):
        bed = db.session.scalar(
            sa.select(Bed).where(Bed.id == request.form.get("bed_id", type=db_id), Bed.facility_id == facility.id)
        )
        if bed is None:
            abort(404)
        services.set_bed_active(bed, action == "activate_bed", by=current_user)
        return _("The bed is back in use.") if action == "activate_bed" else _("The bed was taken out of use.")
    abort(400)


def _facility_room(facility, room_id):
    room = db.session.scalar(sa.select(Room).where(Room.id == room_id, Room.facility_id == facility.id))
    if room is None:
        abort(404)
    return room


# --- completing the intake record ------------------------------------------------------------------


def _version(case):
    return f"{case.version}-{case.client.version}"


@bp.route("/cases/<id:case_id>/complete-intake", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def complete_intake(case_id):
    case = load_case(current_user, case_id, Perm.EDIT_CASES, editable=True)
    db.session.refresh(case, ["client"])
    client = case.client
    intake = db.session.get(Intake, case.intake_id) if case.intake_id else None
    province = (
        request.form.get("province_code")
        if request.method == "POST"
        else client.province_code or current_user.facility.province_code
    )
    provinces = org_queries.provinces()
    communes = org_queries.communes_of(province) if province else []
    if request.method == "POST":
        form = CompleteIntakeForm(provinces=provinces, communes=communes)
    else:
        form = CompleteIntakeForm(provinces=provinces, communes=communes, data=_initial(client, intake))
        form.province_code.data = province or ""  # none recorded yet: the facility's own province
        form.version.data = _version(case)
    if form.validate_on_submit():
        if _version(case) != (form.version.data or ""):
            form.form_errors.append(str(STALE_EDIT))
            form.version.data = _version(case)
        else:
            with saving(form, stale_message=STALE_EDIT) as saved:
                services.complete_intake(
                    case,
                    client_data=form.client_data(),
                    groups=form.groups.data or [],
                    intake_data=form.intake_data(),
                    by=current_user,
                )
            if saved:
                flash(_("The intake record is complete."), "success")
                return redirect(url_for("cases.show", case_id=case.id))
    audit_client_read(client, by=current_user, case=case)  # the form shows the whole record
    return render_template("shelter/complete_intake.html", form=form, case=case, client=client)


def _initial(client, intake):
    groups = db.session.scalars(managed_group_codes(client.id, local_today())).all()
    estimated = (local_today().year - client.birth_year) if client.birth_year else None
    data = {
        key: getattr(client, key)
        for key in (
            "full_name",
            "alias",
            "sex",
            "birth_date",
            "birth_year",
            "ethnicity",
            "citizen_id",
            "phone",
            "province_code",
            "commune_code",
            "street_address",
            "hometown",
            "is_sensitive",
        )
    }
    data.update(birth_precision=client.birth_precision or "estimated", estimated_age=estimated, groups=groups)
    if intake is not None:
        data.update(
            channel=intake.channel,
            referrer_name=intake.referrer_name,
            referrer_org=intake.referrer_org,
            referrer_contact=intake.referrer_contact,
            problems=intake.problems or [],
            problem_note=intake.problem_note,
            note=intake.note,
        )
    return data
