from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clients")

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
from . import merge_views  # noqa: E402,F401  (the views register their routes on the blueprint above)
