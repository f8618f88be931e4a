from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/scheduler")

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
