"""The reference numbers waiting for a supervisor: a number a reporter enters is in force only once a
supervisor of the province confirms it, never the person who entered it (four eyes). Listed with the
number in force beside the one entered, its source and who entered it; another province's numbers
answer 404."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.transaction import refusal_flashed
from ..security.policy import Perm
from ..security.rules import reference_confirmation_refusal
from ..security.web import requires
from . import indicators, queries, services
from .forms import COMMUNE_PLACE, GROUP_PLACE
from .views import _reference_places, bp


def _place_value(row):
    """The reference page's ?place= of a number's place ("" the province, "group-<id>", "commune-<code>")."""
    if row.commune_group_id is not None:
        return f"{GROUP_PLACE}{row.commune_group_id}"
    if row.commune_code is not None:
        return f"{COMMUNE_PLACE}{row.commune_code}"
    return ""


@bp.get("/reference/pending")
@requires(Perm.CONFIRM_REFERENCE_DATA)
def pending_reference():
    places = dict(_reference_places())
    rows = queries.pending_reference_values(current_user.facility.province_code)
    entries = [
        {
            "row": row,
            "place": _place_value(row),
            "place_label": places.get(_place_value(row), ""),
            "label": indicators.REFERENCE_KEYS.get(row.key, row.key),
            "stamp": services.entry_stamp(row),
            "own": reference_confirmation_refusal(current_user, row) == "own_entry",
        }
        for row in rows
    ]
    return render_template("reports/reference_pending.html", entries=entries)


@bp.post("/reference/<id:value_id>/confirm")
@requires(Perm.CONFIRM_REFERENCE_DATA)
def confirm_reference(value_id):
    row = queries.reference_value_in_reach(value_id, current_user)
    if row is None:
        abort(404)
    with refusal_flashed() as saved:
        services.confirm_reference_value(row, by=current_user, seen=request.form.get("stamp", ""))
    if saved:
        flash(_("The number is confirmed: the reports use it from now on."), "success")
    return redirect(url_for("reports.pending_reference"))
