"""The pages of the data subject's rights, on the clients blueprint:

  /clients/<id>/data-requests                      the person's requests; record a new one (supervisors)
  /clients/<id>/data-requests/<request>            one request: export (JSON, PDF), close
  /clients/<id>/anonymise                          what anonymisation removes; confirm with a reason
  /clients/anonymisation-due                       "Hồ sơ đến hạn ẩn danh hóa": the facility's due records
  /clients/processing-register                     the register of processing activities (admins)

Every client is loaded in security.scopes.data_subject_scope: a supervisor of the client's own facility
(sealed clients included); another facility's client answers 404, another role 403. Reads of a person's
data are audited; the export is audited with the request it answers."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...core import categories
from ...core.downloads import bytes_response
from ...core.pagination import keyset_page
from ...core.timeutil import local_today
from ...core.transaction import refusal_flashed, saving
from ...core.urls import db_id
from ...extensions import db
from ...plans import labels as plan_labels
from ...referrals import labels as referral_labels
from ...security.policy import Perm
from ...security.scopes import data_subject_scope
from ...security.web import load_in_scope_or_404, requires
from ..models import Client
from ..queries import merged_ids, place_names
from ..reads import audit_client_read, audit_clients_listed
from ..views import FIELD_LABELS, bp
from . import anonymise as anonymising
from . import export as exporting
from . import queries, services
from .forms import AnonymiseForm, CloseRequestForm, DataRequestForm
from .models import REPRESENTATIVE_RELATIONS, REQUEST_KINDS, REQUEST_OUTCOMES
from .processing import ACTIVITIES, SECURITY_MEASURES
from .retention import due_for, retention_years

LISTS = {"kinds": REQUEST_KINDS, "relations": REPRESENTATIVE_RELATIONS, "outcomes": REQUEST_OUTCOMES}
# The case timeline's kinds, as the PDF names them (the case page's own table is a page of the cases domain).
EVENT_LABELS = {
    "opened": _l("Case opened"),
    "status": _l("Status changed"),
    "note": _l("Note"),
    "admitted": _l("Admitted to the shelter"),
    "checked_out": _l("Left the shelter"),
    "reopened": _l("Case reopened"),
    "closure_evaluation": _l("Closing evaluation"),
    **plan_labels.EVENT_LABELS,
    **referral_labels.EVENT_LABELS,
}
DUE_PER_PAGE = 50


def _load(client_id: int) -> Client:
    return load_in_scope_or_404(Client, client_id, data_subject_scope, Perm.HANDLE_DATA_REQUESTS)


def _load_request(client: Client, request_id: int):
    data_request = queries.request_of(merged_ids(client.id), request_id)
    if data_request is None:
        abort(404)
    return data_request


def _close_form(data_request) -> CloseRequestForm:
    form = CloseRequestForm()
    allowed = services.CLOSING_OUTCOMES[data_request.kind]
    form.outcome.choices = [c for c in form.outcome.choices if not c[0] or c[0] in allowed]
    return form


# --- the person's requests ---------------------------------------------------------------------------


@bp.route("/<id:client_id>/data-requests", methods=["GET", "POST"])
@requires(Perm.HANDLE_DATA_REQUESTS)
def data_requests(client_id):
    client = _load(client_id)
    if client.merged_into_id:
        return redirect(url_for("clients.data_requests", client_id=client.merged_into_id))
    form = DataRequestForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            with saving(form) as saved:
                data_request = services.record_request(
                    client,
                    kind=form.kind.data,
                    requester=form.requester.data,
                    received_on=form.received_on.data,
                    reference=form.reference.data,
                    representative_name=form.representative_name.data,
                    representative_relation=form.representative_relation.data,
                    details=form.details.data,
                    by=current_user,
                )
            if saved:
                flash(_("The request was recorded."), "success")
                return redirect(url_for("clients.data_request", client_id=client.id, request_id=data_request.id))
        status = 422
    elif not form.received_on.data:
        form.received_on.data = local_today()
    rows = db.session.scalars(queries.requests_of(merged_ids(client.id))).all()
    audit_client_read(client, by=current_user)
    return render_template(
        "clients/rights/requests.html",
        client=client,
        form=form,
        requests=rows,
        lists=LISTS,
        anonymisation=queries.anonymisation_of(client.id),
    ), status


@bp.get("/<id:client_id>/data-requests/<id:request_id>")
@requires(Perm.HANDLE_DATA_REQUESTS)
def data_request(client_id, request_id):
    client = _load(client_id)
    data_request = _load_request(client, request_id)
    audit_client_read(client, by=current_user)
    return _request_page(client, data_request, _close_form(data_request))


def _request_page(client, data_request, close_form, status=200):
    return render_template(
        "clients/rights/request.html",
        client=client,
        data_request=data_request,
        close_form=close_form,
        lists=LISTS,
        perpetrator_asks=exporting.representative_is_alleged_perpetrator(data_request),
        anonymisation=queries.anonymisation_of(client.id),
    ), status


@bp.post("/<id:client_id>/data-requests/<id:request_id>/close")
@requires(Perm.HANDLE_DATA_REQUESTS)
def close_data_request(client_id, request_id):
    client = _load(client_id)
    data_request = _load_request(client, request_id)
    form = _close_form(data_request)
    if form.validate():
        with saving(form) as saved:
            services.close_request(data_request, outcome=form.outcome.data, note=form.note.data, by=current_user)
        if saved:
            flash(_("The request was closed."), "success")
            return redirect(url_for("clients.data_request", client_id=client.id, request_id=data_request.id))
        data_request = _load_request(client, request_id)  # a refusal rolled back: read it again, with who recorded it
    return _request_page(client, data_request, form, status=422)


@bp.post("/<id:client_id>/data-requests/<id:request_id>/export.<any(json, pdf):file_format>")
@requires(Perm.HANDLE_DATA_REQUESTS)
def export_client_data(client_id, request_id, file_format):
    """The person's data for their request, as a JSON or a PDF file (a POST: it marks the request answered)."""
    client = _load(client_id)
    data_request = _load_request(client, request_id)
    back = redirect(url_for("clients.data_request", client_id=client.id, request_id=data_request.id))
    if exporting.representative_is_alleged_perpetrator(data_request):
        flash(_("The representative is recorded as an alleged perpetrator: the data is not given to them."), "error")
        return back
    with refusal_flashed() as saved:
        services.record_export(data_request, client, file_format=file_format, by=current_user)
    if not saved:
        return back
    export = exporting.build_export(client, data_request, by=current_user)
    if file_format == "json":
        return bytes_response(export.as_json(), filename=f"{export.filename_stem}.json", mimetype="application/json")
    pdf = exporting.render_export_pdf(
        export, by=current_user, lists=LISTS, event_labels=EVENT_LABELS, field_labels=FIELD_LABELS
    )
    return bytes_response(pdf, filename=f"{export.filename_stem}.pdf", mimetype="application/pdf")


# --- anonymisation -----------------------------------------------------------------------------------


@bp.route("/<id:client_id>/anonymise", methods=["GET", "POST"])
@requires(Perm.HANDLE_DATA_REQUESTS)
def anonymise(client_id):
    client = _load(client_id)
    form = AnonymiseForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            with saving(form) as saved:
                anonymising.anonymise_client(client, reason=form.reason.data, by=current_user)
            if saved:
                flash(_("The record was anonymised."), "success")
                return redirect(url_for("clients.show", client_id=client.id))
        status = 422
    audit_client_read(client, by=current_user)
    return render_template(
        "clients/rights/anonymise.html",
        client=client,
        form=form,
        refusal=anonymising.anonymisation_refusal(client),
        erasure=queries.open_erasure_request(client.id),
        anonymisation=queries.anonymisation_of(client.id),
    ), status


@bp.get("/anonymisation-due")
@requires(Perm.HANDLE_DATA_REQUESTS)
def anonymisation_due():
    """Hồ sơ đến hạn ẩn danh hóa: the facility's clients whose retention period has run out."""
    after = request.args.get("after", type=db_id)
    page = keyset_page(
        db.session, due_for(current_user, local_today()), key_column=Client.id, after=after, per_page=DUE_PER_PAGE
    )
    ids = [c.id for c in page.rows]
    audit_clients_listed(ids, by=current_user)
    return render_template(
        "clients/rights/due.html",
        page=page,
        notices=queries.notices_of(ids),
        last_closed=queries.last_closed(ids),
        names=place_names(commune_codes=[c.commune_code for c in page.rows]),
        periods=retention_years(),
    )


# --- the register of processing activities ------------------------------------------------------------


@bp.get("/processing-register")
@requires(Perm.VIEW_PROCESSING_REGISTER)
def processing_register():
    return render_template(
        "clients/rights/register.html",
        activities=ACTIVITIES,
        measures=SECURITY_MEASURES,
        periods=retention_years(),
        case_types=categories.CASE_TYPES,
    )
