"""Service providers, referrals (chuyển gửi) and transfers of a case to another facility.
The blueprint has no URL prefix: /providers, /cases/<id>/referrals/new, /cases/<id>/transfer,
/referrals/…, /transfers/…"""
from flask import Blueprint

bp = Blueprint("referrals", __name__)

from . import views  # noqa: E402,F401  (the views register their routes on the blueprint above)
