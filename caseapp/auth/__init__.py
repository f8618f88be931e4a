from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
