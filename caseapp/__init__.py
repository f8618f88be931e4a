"""caseapp: case management for Vietnam's social-work centres and emergency shelters.

The app factory imports the app's modules when it builds the app, inside its functions: importing any
caseapp module (a model, a job, a migration) imports this package first, and must not load every page."""

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None, **overrides):
    """Build the web app. It never starts the scheduler (that is `flask scheduler run`)."""
    from config import config_for_env

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
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
    _bound_request_input(app)  # before the blueprints: their URL rules take the id converter when added
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_template_helpers(app)
    from .cli import register_cli
    from .errors import register_error_handlers

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
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    from .i18n import COMPILED_DIR

    babel.init_app(app, locale_selector=_select_locale, default_translation_directories=str(COMPILED_DIR))
    from . import hooks
    from .core import language

    language.install(app, babel)  # the catalogue resolved once per request, not per string
    hooks.install(app)  # every event listener, and the request's one commit (core.transaction)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # our own server-side sessions (auth.sessions) do this job
    from .auth.sessions import load_user_for_request

    login_manager.user_loader(load_user_for_request)


def _bound_request_input(app):
    """What a request may carry, checked before any view reads it (core.boundary, core.urls): no
    invisible control characters in query and form values; and a record id in a URL is one the
    database can hold — `<id:…>`, and `<int:…>` too (a route that still says int), match only
    1 … 2^31−1, so any other number answers 404 instead of reaching a query. NUL is refused in
    _register_request_hooks."""
    from .core.boundary import CleanRequest
    from .core.urls import DatabaseIdConverter

    app.request_class = CleanRequest
    app.url_map.converters["id"] = DatabaseIdConverter
    app.url_map.converters["int"] = DatabaseIdConverter


def _register_blueprints(app):
    # Imported here, not at the top: importing a model or a service (jobs, CLI, migrations) must not load
    # every page of the app.
    from .audit import views as audit
    from .auth import views as auth
    from .auth.two_factor import views as two_factor  # noqa: F401  (two-step sign-in, on the auth blueprint)
    from .cases import task_views  # noqa: F401  (the tasks page, on the cases blueprint)
    from .cases import views as cases
    from .cases.access import views as case_access  # noqa: F401  (these five add their routes to
    from .cases.attachments import views as case_attachments  # noqa: F401  the cases blueprint:
    from .cases.caseload import views as case_caseload  # noqa: F401  imported before it is registered)
    from .cases.followups import views as case_followups  # noqa: F401
    from .cases.workflow import views as case_workflow  # noqa: F401
    from .clients import merge_views  # noqa: F401  (the merge pages, on the clients blueprint)
    from .clients import views as clients
    from .clients.identity import views as client_identity  # noqa: F401  (identity requests: clients blueprint)
    from .clients.rights import views as client_rights  # noqa: F401  (data requests, anonymisation: clients blueprint)
    from .documents import views as documents
    from .intake import views as intake
    from .mail import views as mail
    from .main import views as main
    from .notifications import views as notifications
    from .org import views as org
    from .plans import views as plans
    from .referrals import views as referrals
    from .register import views as register
    from .register.imports import views as register_imports  # noqa: F401  (on the register blueprint)
    from .reminders import views as reminders

    # pages of the reports on the reports blueprint, by subject: deadlines, commune groups, confirming
    # reference numbers, the yearly implementation report
    from .reports import deadline_views, group_views, reference_views, yearly_views  # noqa: F401
    from .reports import views as reports
    from .shelter import views as shelter
    from .supervision import views as supervision
    from .workforce import training_views
    from .workforce import views as workforce

    for domain in (
        main,
        auth,
        org,
        audit,
        clients,
        register,
        intake,
        cases,
        shelter,
        referrals,
        plans,
        notifications,
        documents,
        reminders,
        reports,
        mail,
        supervision,
        workforce,
    ):
        app.register_blueprint(domain.bp)
    # training courses and communication activities of the workforce: two blueprints of one module
    app.register_blueprint(training_views.training_bp)
    app.register_blueprint(training_views.communication_bp)
    _register_approval_subjects()
    _register_import_kinds()


def _register_approval_subjects():
    """The records a supervisor approves, each with its own services (approvals knows none of them)."""
    from .approvals.services import register_subject
    from .cases.workflow.closure import closure_subject
    from .plans.services import assessment_subject, plan_subject

    register_subject("assessment", assessment_subject)
    register_subject("plan", plan_subject)
    register_subject("closure", closure_subject)


def _register_import_kinds():
    """The kinds of list the import wizard brings in, each with its own columns and writes (the
    wizard knows none of them: the workforce kind is built on the wizard's reader and values)."""
    from .register.imports import kinds
    from .register.imports.services import BENEFICIARY_KIND
    from .workforce.imports.kind import WORKFORCE_KIND

    kinds.register(BENEFICIARY_KIND)
    kinds.register(WORKFORCE_KIND)


def _register_request_hooks(app):
    from .auth.sessions import require_password_change, require_second_factor_enrolment
    from .core.boundary import refuse_nul
    from .security import web as security_web

    app.before_request(refuse_nul)  # first: a request carrying NUL reaches no view and no query (400)
    security_web.install(app)  # default deny; a write on a closed case goes back to its page
    app.before_request(require_password_change)
    app.before_request(require_second_factor_enrolment)

    @app.after_request
    def security_headers(response):
        csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'"
        )
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("STRICT_TRANSPORT_SECURITY"):  # production only; nginx adds it to static files only
            response.headers.setdefault("Strict-Transport-Security", app.config["STRICT_TRANSPORT_SECURITY"])
        if request.endpoint != "static":
            # Pages hold personal data of vulnerable people: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _register_template_helpers(app):
    from .core import timeutil
    from .core.text import vn_number, vn_percent
    from .security.policy import Capability, Perm
    from .security.rules import can

    app.jinja_env.filters["date"] = timeutil.format_date
    app.jinja_env.filters["datetime"] = timeutil.format_datetime
    app.jinja_env.filters["vn_number"] = vn_number
    app.jinja_env.filters["vn_percent"] = vn_percent
    from .auth.forms import ROLE_LABELS
    from .core import categories

    def category_label(list_name, code):
        return categories.label(getattr(categories, list_name), code)

    def has_endpoint(name):
        """Is this page part of the app yet? (Menus link to other domains' pages only when they exist.)"""
        return name in current_app.view_functions

    app.jinja_env.globals.update(
        Perm=Perm,
        Capability=Capability,
        can=can,
        role_labels=ROLE_LABELS,
        category_label=category_label,
        categories=categories,
        has_endpoint=has_endpoint,
    )

    @app.context_processor
    def inject_locale():
        from .core.language import language

        return {"current_locale": language()}
