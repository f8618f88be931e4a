"""The import wizard's pages, one set per kind of list (kinds.PAGES: the beneficiary register at
/register, the workforce register at /register/workforce), each page declaring the kind's permission:
the template, the upload, the preview with the decisions only a person may take, the commit, the
error file and the undo; and the register's export in the template's layout."""

from functools import partial

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
from ...security.scopes import import_batch_scope, own_facility
from ...security.web import load_in_scope_or_404, requires
from ..views import bp
from . import files, kinds, services
from .forms import UploadForm, mapping_form
from .models import BatchStatus, ImportBatch, ImportRow, RowOutcome

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PAGE = 100
OUTCOME_ORDER = [o.value for o in RowOutcome]


def _batch(kind, batch_id):
    """A batch of this kind of list within the user's reach (else 404), with the kind's permission."""

    def scope(user):
        return sa.and_(import_batch_scope(user), ImportBatch.kind == kind)

    return load_in_scope_or_404(ImportBatch, batch_id, scope, kinds.PAGES[kind].perm)


def _page(kind, name):
    return kinds.PAGES[kind].endpoint(name)


def _xlsx(data, filename):
    return bytes_response(data, filename=filename, mimetype=XLSX)


def template(kind):
    list_kind = kinds.get(kind)
    return _xlsx(list_kind.template(), list_kind.template_name)


def export(kind):
    list_kind = kinds.get(kind)
    data, named = list_kind.export(current_user)  # the file names them: the audit row says whom
    detail = named if kind == kinds.BENEFICIARIES else {**named, "kind": kind}
    record(
        "register_exported",
        by=current_user,
        entity_type="facilities",
        entity_id=current_user.facility_id,
        detail=detail,
    )
    return _xlsx(data, list_kind.export_name.format(day=f"{local_today():%Y%m%d}"))


def imports(kind):
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with saving(form) as saved:
            batch = services.stage(upload.stream, upload.filename or "", user=current_user, kind=kind)
        if saved:
            return redirect(url_for(_page(kind, "batch"), batch_id=batch.id))
    batches = db.session.scalars(
        sa.select(ImportBatch)
        .options(joinedload(ImportBatch.created_by))
        .where(
            own_facility(ImportBatch.facility_id, current_user),
            import_batch_scope(current_user),
            ImportBatch.kind == kind,
        )
        .order_by(ImportBatch.created_at.desc())
        .limit(30)
    ).all()
    status = 422 if form.errors or form.form_errors else 200
    page = render_template(
        "register/imports.html",
        form=form,
        batches=batches,
        kind=kind,
        pages=kinds.PAGES[kind],
        usable={name: kinds.PAGES[name] for name in kinds.usable_by(current_user)},
    )
    return page, status


def batch(kind, batch_id):
    return _render_batch(_batch(kind, batch_id))


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
    list_kind = kinds.of(batch)
    # the rows hold personal data, and name the people they were matched to or may be
    named = list_kind.named(rows[:ROWS_PAGE])
    detail = named if batch.kind == kinds.BENEFICIARIES else {**named, "kind": batch.kind}
    record("register_import_viewed", by=current_user, entity=batch, detail=detail)
    return (
        render_template(
            "register/batch.html",
            batch=batch,
            rows=rows[:ROWS_PAGE],
            more=len(rows) > ROWS_PAGE,
            outcome=outcome,
            outcomes=OUTCOME_ORDER,
            mapping=mapping or mapping_form(batch.mapping["headers"], columns_chosen, list_kind.columns),
            lacking=list_kind.columns.missing(columns_chosen),
            ready=services.ready(batch),
            undoable=services.undoable(batch),
            column_header=list_kind.columns.header,
            list_kind=list_kind,
            page=partial(_page, batch.kind),
        ),
        status,
    )


def set_columns(kind, batch_id):
    batch = _batch(kind, batch_id)
    form = mapping_form(batch.mapping["headers"], {}, kinds.get(kind).columns)
    if form.validate():
        with saving(form) as saved:
            services.set_mapping(batch, form.mapping(), user=current_user)
        if saved:
            flash(_("The columns were matched and every row was read again."), "success")
            return redirect(url_for(_page(kind, "batch"), batch_id=batch.id))
    return _render_batch(batch, mapping=form, status=422)


def settle(kind, batch_id, row_id):
    batch = _batch(kind, batch_id)
    with refusal_flashed():
        services.settle(batch, row_id, request.form.get("choice", ""), user=current_user)
    return redirect(url_for(_page(kind, "batch"), batch_id=batch.id, **_paging()) + f"#row-{row_id}")


def _paging():
    return {k: v for k, v in (("outcome", request.form.get("outcome")), ("after", request.form.get("after"))) if v}


def commit(kind, batch_id):
    batch = _batch(kind, batch_id)
    with refusal_flashed() as done:
        services.commit(batch, user=current_user)
    if done and batch.status == BatchStatus.QUEUED:
        flash(_("The file is large: it is imported in the background, and this page shows how far it is."), "info")
    elif done:
        flash(_("The register was imported."), "success")
    return redirect(url_for(_page(kind, "batch"), batch_id=batch.id))


def undo(kind, batch_id):
    batch = _batch(kind, batch_id)
    with refusal_flashed() as done:
        services.undo(batch, user=current_user)
    if done:
        flash(_("The import was undone."), "success")
    return redirect(url_for(_page(kind, "batch"), batch_id=batch.id))


def error_file(kind, batch_id):
    batch = _batch(kind, batch_id)
    if not batch.counts.get(RowOutcome.REFUSED):
        abort(404)
    record("register_import_errors_downloaded", by=current_user, entity=batch)
    stem = batch.filename.rsplit(".", 1)[0]
    return _xlsx(files.error_file(batch, header=kinds.of(batch).columns.header), f"{stem}-loi.xlsx")


# (page, URL under the kind's prefix, view, methods)
WIZARD = (
    ("template", "/template.xlsx", template, ["GET"]),
    ("export", "/export.xlsx", export, ["GET"]),
    ("imports", "/imports", imports, ["GET", "POST"]),
    ("batch", "/imports/<id:batch_id>", batch, ["GET"]),
    ("set_columns", "/imports/<id:batch_id>/columns", set_columns, ["POST"]),
    ("settle", "/imports/<id:batch_id>/rows/<id:row_id>", settle, ["POST"]),
    ("commit", "/imports/<id:batch_id>/commit", commit, ["POST"]),
    ("undo", "/imports/<id:batch_id>/undo", undo, ["POST"]),
    ("error_file", "/imports/<id:batch_id>/errors.xlsx", error_file, ["GET"]),
)

for _kind, _pages in kinds.PAGES.items():
    for _name, _url, _view, _methods in WIZARD:
        bp.add_url_rule(
            _pages.url + _url,
            endpoint=_pages.prefix + _name,
            view_func=requires(_pages.perm)(partial(_view, _kind)),
            methods=_methods,
        )
