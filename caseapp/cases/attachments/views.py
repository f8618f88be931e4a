"""Case documents: upload (a write: edit rights on an open case) and the one access-checked,
audited download route. Files are never served from static/."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...core.downloads import download_response, unreadable_file_page
from ...core.sealing import UnreadableFile
from ...core.transaction import saving
from ...extensions import db
from ...security.policy import Perm
from ...security.web import requires
from ..page import load_case as _load_case
from ..views import bp
from . import services as attachments
from .forms import AttachmentForm


def _upload(storage):
    """(the uploaded file's stream, its name); the service reads it a chunk at a time."""
    if storage is None or not getattr(storage, "filename", None):
        return None, None
    return storage.stream, storage.filename


@bp.route("/<id:case_id>/attachments/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def upload_attachment(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES, editable=True, back_to="documents")
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            data, filename = _upload(request.files.get("file"))
            with saving(form) as saved:
                attachment = attachments.add_attachment(
                    case, data=data, filename=filename, description=form.description.data, by=current_user
                )
            if saved:
                flash(_l("%(name)s was attached to the case.", name=attachment.filename), "success")
                return redirect(url_for("cases.show", case_id=case.id, section="documents", _anchor="documents"))
        status = 422
    return render_template(
        "cases/attachment_form.html",
        case=case,
        form=form,
        max_mb=max(1, round(attachments.max_bytes() / (1024 * 1024))),
    ), status


@bp.get("/<id:case_id>/attachments/<id:attachment_id>")
@requires(Perm.VIEW_CASES)
def download_attachment(case_id, attachment_id):
    case = _load_case(case_id, Perm.VIEW_CASES)  # outside the user's case scope → 404
    attachment = db.session.scalar(attachments.attachment_of_case(case.id, attachment_id))
    if attachment is None:
        abort(404)
    try:
        content = attachments.content_of(attachment)
    except UnreadableFile as error:
        attachments.record_unreadable(attachment, error, by=current_user)
        return unreadable_file_page(f"attachment {attachment.id}", error)
    if content is None:
        abort(404)
    attachments.record_download(attachment, by=current_user)
    return download_response(
        content, filename=attachment.filename, mimetype=attachment.content_type, size=attachment.size
    )
