"""caseapp: case management for Vietnam's social-work centres and emergency shelters."""
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None, **overrides):
    """Build the web app. It never starts the scheduler (that is `flask scheduler run`)."""
    from config import config_for_env

    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config or config_for_env())
    app.config.update(overrides)
    from .i18n import ensure_compiled

    ensure_compiled()  # never English by accident: a missing or stale catalogue is compiled, or we stop here
    if app.config.get("TRUSTED_PROXIES"):
        # Behind nginx every request comes from 127.0.0.1: without this, the per-IP login throttle
        # would count all clients as one (and the audit trail would record the proxy's address).
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    _init_extensions(app)
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_template_helpers(app)
    from .errors import register_error_handlers
    from .cli import register_cli

    register_error_handlers(app)
    register_cli(app)
    return app


def _select_locale():
    if not has_request_context():
        return "vi"  # jobs, CLI and tests outside a request: the default language
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return session.get("lang", "vi")


def _init_extensions(app):
    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    from .i18n import COMPILED_DIR

    babel.init_app(app, locale_selector=_select_locale, default_translation_directories=str(COMPILED_DIR))
    from . import hooks
    from .core import language

    language.install(app, babel)  # the catalogue resolved once per request, not per string
    hooks.install(app)            # every event listener, and the request's one commit (core.transaction)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # our own server-side sessions (auth.sessions) do this job
    from .auth.sessions import load_user_for_request

    login_manager.user_loader(load_user_for_request)


def _register_blueprints(app):
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .clients import bp as clients_bp
    from .documents import bp as documents_bp
    from .intake import bp as intake_bp
    from .main import bp as main_bp
    from .notifications import bp as notifications_bp
    from .org import bp as org_bp
    from .plans import bp as plans_bp
    from .referrals import bp as referrals_bp
    from .reports import bp as reports_bp
    from .reminders import bp as reminders_bp
    from .shelter import bp as shelter_bp

    for bp in (main_bp, auth_bp, org_bp, audit_bp, clients_bp, intake_bp, cases_bp, shelter_bp, referrals_bp,
               plans_bp, notifications_bp, documents_bp, reminders_bp, reports_bp):
        app.register_blueprint(bp)
    from .mail import bp as mail_bp  # e-mail settings and the outbox page

    app.register_blueprint(mail_bp)


def _register_request_hooks(app):
    from .auth.sessions import require_password_change
    from .security import web as security_web

    security_web.install(app)    # default deny; a write on a closed case goes back to its page
    app.before_request(require_password_change)

    @app.after_request
    def security_headers(response):
        csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
               "frame-ancestors 'none'")
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static":
            # Pages hold personal data of vulnerable people: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _register_template_helpers(app):
    from .core import timeutil
    from .security.policy import Capability, Perm
    from .security.rules import can

    app.jinja_env.filters["date"] = timeutil.format_date
    app.jinja_env.filters["datetime"] = timeutil.format_datetime
    from .auth.forms import ROLE_LABELS

    from .core import categories

    def category_label(list_name, code):
        return categories.label(getattr(categories, list_name), code)

    def has_endpoint(name):
        """Is this page part of the app yet? (Menus link to other domains' pages only when they exist.)"""
        return name in current_app.view_functions

    app.jinja_env.globals.update(Perm=Perm, Capability=Capability, can=can, role_labels=ROLE_LABELS, category_label=category_label,
                                 categories=categories, has_endpoint=has_endpoint)

    @app.context_processor
    def inject_locale():
        from .core.language import language

        return {"current_locale": language()}
