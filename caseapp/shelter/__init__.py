from flask import Blueprint

bp = Blueprint("shelter", __name__, url_prefix="/shelter")

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
