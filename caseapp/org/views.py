"""Administrators' facility pages, and the commune list behind the province → commune picker."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..core.transaction import saving
from ..extensions import db
from ..referrals.services import sync_facility_provider  # the directory lists every facility
from ..security.policy import Perm
from ..security.web import load_or_404, requires
from . import queries, services
from .forms import FACILITY_TYPE_LABELS, FacilityForm
from .models import Facility

bp = Blueprint("org", __name__, url_prefix="/admin/facilities")

STALE_FACILITY_EDIT = _l(
    "Someone else changed this facility while you were editing. Your changes are kept below; check them and save again."
)


def _form(obj=None):
    province = request.form.get("province_code") or (obj.province_code if obj else None)
    communes = queries.communes_of(province) if province else []
    return FacilityForm(obj=obj, provinces=queries.provinces(), communes=communes)


@bp.app_template_global("facility_address")
def facility_address_for_current_user(facility):
    """Templates: {{ facility_address(f) or _("Confidential address") }} — None when confidential to the viewer."""
    return queries.facility_address(facility, current_user)


@bp.get("/")
@requires(Perm.MANAGE_FACILITIES)
def facilities():
    rows = db.session.scalars(
        queries.visible_facilities(current_user)
        .order_by(Facility.code)
        .options(joinedload(Facility.commune), joinedload(Facility.province))
    ).all()
    return render_template("admin/facilities.html", facilities=rows, type_labels=FACILITY_TYPE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_FACILITIES)
def create_facility():
    form = _form()
    if form.validate_on_submit():
        with saving(form) as saved:
            facility = services.create_facility(form.data, by=current_user)
            sync_facility_provider(facility)
        if saved:
            flash(_("Facility %(code)s was created.", code=facility.code), "success")
            return redirect(url_for("org.facilities"))
    return render_template("admin/facility_form.html", form=form, facility=None)


@bp.route("/<id:facility_id>", methods=["GET", "POST"])
@requires(Perm.MANAGE_FACILITIES)
def edit_facility(facility_id):
    facility = load_or_404(Facility, facility_id, Perm.MANAGE_FACILITIES)
    # An admin of another facility never reads a confidential address; the form shows
    # "confidential address" instead, and saving keeps the stored address and the confidential flag.
    address_hidden = not facility.address_visible_to(current_user)
    form = _form(facility)
    if request.method == "GET":
        form.version.data = facility.version
    if address_hidden:  # whatever was posted for the hidden fields: the stored values
        form.province_code.data, form.commune_code.data = facility.province_code, facility.commune_code or ""
        form.street_address.data, form.confidential_address.data = facility.street_address, True
    if form.validate_on_submit():
        data = dict(form.data)
        if address_hidden:
            data.update(
                province_code=facility.province_code,
                commune_code=facility.commune_code,
                street_address=facility.street_address,
                confidential_address=True,
            )
        if str(facility.version) != (form.version.data or ""):
            form.form_errors.append(str(STALE_FACILITY_EDIT))
            form.version.data = facility.version
        else:
            with saving(form, stale_message=STALE_FACILITY_EDIT) as saved:
                services.update_facility(facility, data, by=current_user)
                sync_facility_provider(facility)
            if saved:
                flash(_("The changes were saved."), "success")
                return redirect(url_for("org.facilities"))
    if address_hidden:
        form.street_address.data = None  # never into the page, not even in a hidden value
    return render_template("admin/facility_form.html", form=form, facility=facility, address_hidden=address_hidden)


@bp.get("/communes/<province_code>")
@requires(Perm.USE_APP)
def communes(province_code):
    """JSON list for the province → commune picker (public administrative data, no personal data)."""
    rows = queries.communes_of(province_code)
    return jsonify([{"code": c.code, "name": c.name} for c in rows])
