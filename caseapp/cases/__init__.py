from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
from . import caseload_views  # noqa: E402,F401  (the supervisor's caseload review)
from . import workflow_views  # noqa: E402,F401  (steps, closure, reopening, details)
from . import attachment_views, followup_views  # noqa: E402,F401  (follow-ups, contacts, documents)
from . import task_views  # noqa: E402,F401  (Việc cần làm)
from . import access_views  # noqa: E402,F401  (sealed cases, break the glass, sharing)
