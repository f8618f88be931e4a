"""The case documents' route: thin — load the case in the user's case scope (like the case page:
outside it → 404), build and audit the PDF (services.generate), commit, send it."""
from flask import Response, abort, request
from flask_login import current_user

from ..cases import queries as case_queries
from ..core.pdf import content_disposition
from ..extensions import db
from ..security import Perm, requires
from . import bp, services


@bp.get("/cases/<int:case_id>/documents/<kind>.pdf")
@requires(Perm.VIEW_CASES)
def case_document(case_id, kind):
    case = db.session.scalar(case_queries.case_for_page(current_user, case_id))
    if case is None or kind not in services.KINDS:
        abort(404)  # another facility's case, a sealed case without a grant, or no such form
    item_id = request.args.get("id", type=int)
    if "id" in request.args and item_id is None:
        abort(404)
    try:
        document = services.generate(case, kind, by=current_user, item_id=item_id)
    except services.DocumentUnavailable:
        abort(404)
    db.session.commit()  # the audit event (reads of personal data are audited)
    response = Response(document.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(document.filename)
    return response
