"""The supervisors' page for merging two records of the same person: both side by side, what the
merge will fill and move, a reason and a confirmation. /clients/merge?keep=<id>&other=<id>"""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Optional

from ..audit.services import record
from ..cases.models import Case
from ..core import categories
from ..core.forms import BaseForm, max_length, required
from ..core.services import ServiceError
from ..core.timeutil import format_date, local_today
from ..core.transaction import saving
from ..core.urls import parse_id
from ..extensions import db
from ..intake.models import Intake
from ..org.models import Commune, Province
from ..register.queries import managed_group_codes
from ..security.policy import Perm
from ..security.scopes import client_scope
from ..security.web import requires
from ..shelter.models import ShelterStay
from .merge import REASON_MAX_LENGTH, check_mergeable, merge_clients, merge_preview
from .models import Client, Consent, FamilyMember
from .views import bp

# The rows of the side-by-side comparison: (field, label).
COMPARED = (
    ("code", _l("Client code")),
    ("full_name", _l("Full name")),
    ("alias", _l("Alias")),
    ("other_names", _l("Other names")),
    ("sex", _l("Sex")),
    ("birth", _l("Date of birth")),
    ("ethnicity", _l("Ethnicity")),
    ("nationality", _l("Nationality")),
    ("citizen_id", _l("Citizen ID")),
    ("phone", _l("Phone")),
    ("province_code", _l("Province / city")),
    ("commune_code", _l("Commune / ward")),
    ("street_address", _l("Street address")),
    ("hometown", _l("Home town")),
    ("disabilities", _l("Disabilities")),
    ("is_sensitive", _l("Sensitive record")),
    ("groups", _l("Beneficiary groups")),
    ("created_at", _l("Registered on")),
)
ATTACHED = (
    ("cases", _l("Cases")),
    ("intakes", _l("Intakes")),
    ("consents", _l("Consents")),
    ("family_members", _l("Family members and guardians")),
    ("shelter_stays", _l("Shelter stays")),
)


class MergePickForm(BaseForm):
    """Without both records in the URL: ask for them (client code or number)."""

    class Meta:
        csrf = False  # a GET form

    keep = StringField(_l("Record to keep (client code)"), validators=[Optional(), max_length(64)])
    other = StringField(_l("Record to merge into it (client code)"), validators=[Optional(), max_length(64)])


class MergeForm(BaseForm):
    reason = TextAreaField(_l("Reason for the merge"), validators=[required(), max_length(REASON_MAX_LENGTH)])
    confirm = BooleanField(_l("I have checked that both records are the same person"), validators=[required()])


def _find(value):
    """A client of the user's client scope by id or by code; None when absent or out of scope."""
    value = (value or "").strip()
    if not value:
        return None
    stmt = sa.select(Client).where(client_scope(current_user))
    client_id = parse_id(value)  # an id the database can hold; anything else is looked up as a code
    stmt = stmt.where(Client.id == client_id) if client_id is not None else stmt.where(Client.code == value.upper())
    return db.session.scalar(stmt)


def _place_names(clients):
    provinces = {c.province_code for c in clients if c.province_code}
    communes = {c.commune_code for c in clients if c.commune_code}
    names = {}
    if provinces:
        names.update(
            db.session.execute(sa.select(Province.code, Province.name).where(Province.code.in_(provinces)))
            .tuples()
            .all()
        )
    if communes:
        names.update(
            db.session.execute(sa.select(Commune.code, Commune.name).where(Commune.code.in_(communes))).tuples().all()
        )
    return names


def _birth(client):
    if client.birth_date:
        return format_date(client.birth_date)
    if client.birth_year:
        return f"{client.birth_year} ({categories.label(categories.BIRTH_PRECISION, client.birth_precision)})"
    return None


def _value(client, name, names, groups):
    if name == "birth":
        return _birth(client)
    if name == "groups":
        return "; ".join(categories.label(categories.BENEFICIARY_GROUPS, g) for g in sorted(groups.get(client.id, ())))
    value = getattr(client, name)
    if name == "sex":
        return categories.label(categories.SEXES, value)
    if name == "ethnicity":
        return categories.label(categories.ETHNIC_GROUPS, value) if value else None
    if name in ("province_code", "commune_code"):
        return names.get(value, value) if value else None
    if name == "is_sensitive":
        return _l("Yes") if value else _l("No")
    if name == "created_at":
        return format_date(value)
    return value


def _comparison(keep, other):
    """The compared fields (label, kept value, other value, filled?) and the records attached to each."""
    ids = (keep.id, other.id)
    names = _place_names((keep, other))
    groups = {client_id: set(db.session.scalars(managed_group_codes(client_id, local_today()))) for client_id in ids}
    filled = merge_preview(keep, other)
    birth_filled = any(f in filled for f in ("birth_date", "birth_year", "birth_precision"))
    rows = [
        {
            "label": label,
            "keep": _value(keep, name, names, groups),
            "other": _value(other, name, names, groups),
            "filled": name in filled or (name == "birth" and birth_filled),
        }
        for name, label in COMPARED
    ]
    rows = [
        row for row in rows if row["keep"] not in (None, "") or row["other"] not in (None, "")
    ]  # both empty: no row
    attached = {}
    for table, model in (
        ("cases", Case),
        ("intakes", Intake),
        ("consents", Consent),
        ("family_members", FamilyMember),
        ("shelter_stays", ShelterStay),
    ):
        counts = dict(
            db.session.execute(
                sa.select(model.client_id, sa.func.count()).where(model.client_id.in_(ids)).group_by(model.client_id)
            )
            .tuples()
            .all()
        )
        attached[table] = (counts.get(keep.id, 0), counts.get(other.id, 0))
    case_numbers = {}
    for client_id, number in db.session.execute(
        sa.select(Case.client_id, Case.number).where(Case.client_id.in_(ids)).order_by(Case.id)
    ):
        case_numbers.setdefault(client_id, []).append(number)
    details = {"cases": (", ".join(case_numbers.get(keep.id, ())), ", ".join(case_numbers.get(other.id, ())))}
    return rows, [
        {
            "label": label,
            "keep": attached[table][0],
            "other": attached[table][1],
            "keep_detail": details.get(table, ("", ""))[0],
            "other_detail": details.get(table, ("", ""))[1],
        }
        for table, label in ATTACHED
        if any(attached[table])
    ]


def _client_url(client_id):
    if "clients.show" in current_app.view_functions:
        return url_for("clients.show", client_id=client_id)
    return None


@bp.route("/merge", methods=["GET", "POST"])
@requires(Perm.MERGE_CLIENTS)
def merge():
    keep_arg, other_arg = request.args.get("keep"), request.args.get("other")
    if not keep_arg or not other_arg:
        pick = MergePickForm(request.args)
        return render_template("clients/merge.html", pick=pick, keep=None, other=None), 200
    keep, other = _find(keep_arg), _find(other_arg)
    if keep is None or other is None:
        flash(_l("No client with that code or number was found among the records you can see."), "error")
        return render_template("clients/merge.html", pick=MergePickForm(request.args), keep=None, other=None), 404
    form = MergeForm()
    refusal = None
    try:
        check_mergeable(keep, other)
    except ServiceError as error:
        refusal = str(error)
    if request.method == "POST" and refusal is None and form.validate():
        try:
            with saving(form, passes=(StaleDataError, IntegrityError)) as saved:
                merge_clients(keep, other, by=current_user, reason=form.reason.data)
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            flash(_l("One of these records changed while you were merging. Check them again."), "error")
            return redirect(url_for("clients.merge", keep=keep_arg, other=other_arg))
        if saved:
            flash(_l("The records were merged. The other record's history stays readable here."), "success")
            return redirect(_client_url(keep.id) or url_for("clients.merge"))
    rows, attached = _comparison(keep, other)
    response = render_template(
        "clients/merge.html",
        pick=None,
        keep=keep,
        other=other,
        form=form,
        rows=rows,
        attached=attached,
        refusal=refusal,
        keep_url=_client_url(keep.id),
        other_url=_client_url(other.id),
    )
    if request.method == "GET":
        record("clients_merge_viewed", by=current_user, entity=keep, detail={"other_client_id": other.id})
    return response, (422 if request.method == "POST" else 200)
