"""The case documents' route: thin — load the case in the user's case scope (like the case page:
outside it → 404), build and audit the PDF (services.generate), commit, send it."""

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from ..cases import queries as case_queries
from ..core.pdf import content_disposition
from ..core.urls import db_id
from ..security.policy import Perm
from ..security.web import load_case, requires
from . import services

bp = Blueprint("documents", __name__)


@bp.get("/cases/<id:case_id>/documents/<kind>.pdf")
@requires(Perm.VIEW_CASES)
def case_document(case_id, kind):
    # another facility's case, a sealed case without a grant → 404, as for no such form
    case = load_case(current_user, case_id, Perm.VIEW_CASES, options=case_queries.case_page_options())
    if kind not in services.KINDS:
        abort(404)
    item_id = request.args.get("id", type=db_id)
    if "id" in request.args and item_id is None:
        abort(404)
    try:
        document = services.generate(case, kind, by=current_user, item_id=item_id)
    except services.DocumentUnavailable:
        abort(404)
    response = Response(document.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(document.filename)
    return response
