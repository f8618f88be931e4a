"""Reports: statistics of a period, the QĐ 112/QĐ-TTg programme indicators, frozen
reporting periods, the province view, reference data, and XLSX / CSV / PDF exports. Aggregates
only: no page of this blueprint shows a person, except the drill-down list for users who may open
the facility's cases."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
