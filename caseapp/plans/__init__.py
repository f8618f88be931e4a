from flask import Blueprint

# No url_prefix: the pages hang under /cases/<id>/assessments, /cases/<id>/plans and /approvals.
bp = Blueprint("plans", __name__)

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
