from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clients")

from . import views  # noqa: E402,F401
from . import merge_views  # noqa: E402,F401
