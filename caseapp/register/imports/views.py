"""The register import's pages: the template, the upload, the preview with the decisions only a
person may take, the commit, the error file and the undo; and the register's export."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...audit.services import record
from ...core.downloads import bytes_response
from ...core.timeutil import local_today
from ...core.transaction import refusal_flashed, saving
from ...core.urls import db_id
from ...extensions import db
from ...security.policy import Perm
from ...security.scopes import import_batch_scope, own_facility
from ...security.web import load_in_scope_or_404, requires
from ..views import bp
from . import files, services
from .columns import missing
from .forms import UploadForm, mapping_form
from .models import BatchStatus, ImportBatch, ImportRow, RowOutcome
from .rows import column_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PAGE = 100
OUTCOME_ORDER = [o.value for o in RowOutcome]


def _batch(batch_id):
    return load_in_scope_or_404(ImportBatch, batch_id, import_batch_scope, Perm.IMPORT_REGISTER)


def _xlsx(data, filename):
    return bytes_response(data, filename=filename, mimetype=XLSX)


@bp.get("/register/template.xlsx")
@requires(Perm.IMPORT_REGISTER)
def template():
    return _xlsx(files.template(), "mau-danh-sach-doi-tuong.xlsx")


@bp.get("/register/export.xlsx")
@requires(Perm.IMPORT_REGISTER)
def export():
    people = files.register_client_ids(current_user.facility_id, local_today())  # the file names them
    record(
        "register_exported",
        by=current_user,
        entity_type="facilities",
        entity_id=current_user.facility_id,
        detail={"client_ids": people},
    )
    data = files.register(current_user.facility_id, local_today())
    return _xlsx(data, f"danh-sach-doi-tuong-{local_today():%Y%m%d}.xlsx")


@bp.route("/register/imports", methods=["GET", "POST"])
@requires(Perm.IMPORT_REGISTER)
def imports():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with saving(form) as saved:
            batch = services.stage(upload.stream, upload.filename or "", user=current_user)
        if saved:
            return redirect(url_for("register.batch", batch_id=batch.id))
    batches = db.session.scalars(
        sa.select(ImportBatch)
        .options(joinedload(ImportBatch.created_by))
        .where(own_facility(ImportBatch.facility_id, current_user))
        .order_by(ImportBatch.created_at.desc())
        .limit(30)
    ).all()
    status = 422 if form.errors or form.form_errors else 200
    return render_template("register/imports.html", form=form, batches=batches), status


@bp.get("/register/imports/<id:batch_id>")
@requires(Perm.IMPORT_REGISTER)
def batch(batch_id):
    batch = _batch(batch_id)
    return _render_batch(batch)


def _clients_named(rows):
    """The clients a page of rows names: each row's client, and the probable duplicates offered."""
    named = {row.client_id for row in rows if row.client_id}
    named |= {option[0] for row in rows if row.outcome == RowOutcome.REVIEW for option in row.options}
    return sorted(named)


def _render_batch(batch, mapping=None, status=200):
    outcome = request.args.get("outcome") or None
    if outcome not in OUTCOME_ORDER:
        outcome = None
    after = request.args.get("after", type=db_id) or 0
    stmt = sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.row_number > after)
    if outcome:
        stmt = stmt.where(ImportRow.outcome == outcome)
    rows = db.session.scalars(stmt.order_by(ImportRow.row_number).limit(ROWS_PAGE + 1)).all()
    columns_chosen = {key: int(index) for key, index in batch.mapping["columns"].items()}
    # the rows hold personal data, and name the clients they were matched to or may be
    named = _clients_named(rows[:ROWS_PAGE])
    record("register_import_viewed", by=current_user, entity=batch, detail={"client_ids": named})
    return (
        render_template(
            "register/batch.html",
            batch=batch,
            rows=rows[:ROWS_PAGE],
            more=len(rows) > ROWS_PAGE,
            outcome=outcome,
            outcomes=OUTCOME_ORDER,
            mapping=mapping or mapping_form(batch.mapping["headers"], columns_chosen),
            lacking=missing(columns_chosen),
            ready=services.ready(batch),
            undoable=services.undoable(batch),
            column_header=column_header,
        ),
        status,
    )


@bp.post("/register/imports/<id:batch_id>/columns")
@requires(Perm.IMPORT_REGISTER)
def set_columns(batch_id):
    batch = _batch(batch_id)
    form = mapping_form(batch.mapping["headers"], {})
    if form.validate():
        with saving(form) as saved:
            services.set_mapping(batch, form.mapping(), user=current_user)
        if saved:
            flash(_("The columns were matched and every row was read again."), "success")
            return redirect(url_for("register.batch", batch_id=batch.id))
    return _render_batch(batch, mapping=form, status=422)


@bp.post("/register/imports/<id:batch_id>/rows/<id:row_id>")
@requires(Perm.IMPORT_REGISTER)
def settle(batch_id, row_id):
    batch = _batch(batch_id)
    with refusal_flashed():
        services.settle(batch, row_id, request.form.get("choice", ""), user=current_user)
    return redirect(url_for("register.batch", batch_id=batch.id, **_paging()) + f"#row-{row_id}")


def _paging():
    return {k: v for k, v in (("outcome", request.form.get("outcome")), ("after", request.form.get("after"))) if v}


@bp.post("/register/imports/<id:batch_id>/commit")
@requires(Perm.IMPORT_REGISTER)
def commit(batch_id):
    batch = _batch(batch_id)
    with refusal_flashed() as done:
        services.commit(batch, user=current_user)
    if done and batch.status == BatchStatus.QUEUED:
        flash(_("The file is large: it is imported in the background, and this page shows how far it is."), "info")
    elif done:
        flash(_("The register was imported."), "success")
    return redirect(url_for("register.batch", batch_id=batch.id))


@bp.post("/register/imports/<id:batch_id>/undo")
@requires(Perm.IMPORT_REGISTER)
def undo(batch_id):
    batch = _batch(batch_id)
    with refusal_flashed() as done:
        services.undo(batch, user=current_user)
    if done:
        flash(_("The import was undone."), "success")
    return redirect(url_for("register.batch", batch_id=batch.id))


@bp.get("/register/imports/<id:batch_id>/errors.xlsx")
@requires(Perm.IMPORT_REGISTER)
def error_file(batch_id):
    batch = _batch(batch_id)
    if not batch.counts.get(RowOutcome.REFUSED):
        abort(404)
    record("register_import_errors_downloaded", by=current_user, entity=batch)
    stem = batch.filename.rsplit(".", 1)[0]
    return _xlsx(files.error_file(batch), f"{stem}-loi.xlsx")
