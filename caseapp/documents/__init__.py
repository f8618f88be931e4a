"""Official case documents as PDF: the five case forms in the Vietnamese
administrative layout (templates/pdf/_layout.html, rendered by core.pdf). No URL prefix: the
documents hang under /cases/<id>/documents/<kind>.pdf."""
from flask import Blueprint

bp = Blueprint("documents", __name__)

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
