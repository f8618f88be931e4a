"""E-mail delivery of notifications: the outbox, SMTP with retries, the daily digest, preferences."""
from flask import Blueprint

bp = Blueprint("mail", __name__)

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
