"""Vietnamese error pages; never a stack trace to the user."""

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from .extensions import db


def _wants_json():
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_error_handlers(app):
    def render(status):
        def handler(error):
            if status == 500:
                db.session.rollback()
            if _wants_json():
                return jsonify(error=status), status
            return render_template(f"errors/{status}.html", error=error), status

        return handler

    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, render(status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", error=error, csrf_failed=True), 400
