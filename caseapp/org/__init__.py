from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/admin/facilities")

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
