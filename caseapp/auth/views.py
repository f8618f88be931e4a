"""Sign in and out, change one's own password, and the administrators' user pages."""

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record_security_event
from ..core.timeutil import utcnow
from ..core.transaction import refusal_flashed, renamed, saving
from ..core.urls import db_id, safe_next
from ..extensions import db
from ..org.models import Facility
from ..org.queries import visible_facilities
from ..security.policy import Perm
from ..security.scopes import own_sessions
from ..security.web import load_in_scope_or_404, load_or_404, requires
from . import queries, services
from .agents import describe_agent
from .forms import ChangePasswordForm, CreateUserForm, EditUserForm, LoginForm, ResetPasswordForm
from .models import User, UserSession
from .sessions import after_password, current_token, sign_out
from .sessions import keep_alive as keep_session_alive
from .sessions import seconds_left as session_seconds_left
from .two_factor.forms import ButtonForm
from .two_factor.queries import credential_of

bp = Blueprint("auth", __name__)

# One message for every refusal: it must not tell a wrong password from a throttled account.
GENERIC_LOGIN_ERROR = _l("Wrong username or password, or too many attempts. Please wait a minute and try again.")
STALE_USER_EDIT = _l(
    "Someone else changed this user while you were editing. Your changes are kept below; check them and save again."
)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user, outcome = services.authenticate(
            form.username.data, form.password.data, ip=request.remote_addr, config=current_app.config
        )
        if user is not None:
            return after_password(user, safe_next(form.next.data))
        form.password.data = ""
        flash(str(GENERIC_LOGIN_ERROR), "error")
        return render_template("auth/login.html", form=form), 200

    expired = session.pop("expired", False)
    return render_template("auth/login.html", form=form, expired=expired)


# What the browser must forget at sign-out (OWASP ASVS 5.0 V14.3.1): its cache and anything stored for
# the site. The cookie is cleared by the answer's own Set-Cookie.
CLEAR_SITE_DATA = '"cache", "storage"'


@bp.post("/logout")
@requires(Perm.USE_APP)
def logout():
    record_security_event("logout", user=current_user)
    sign_out()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@bp.app_template_global("idle_warning")
def idle_warning() -> dict[str, int]:
    """What the page's idle warning counts down from (templates/_session_guard.html): the seconds the
    session has left, and how many of the last ones the warning shows (at most two minutes)."""
    idle_seconds = int(current_app.config["SESSION_IDLE_MINUTES"] * 60)
    return {"seconds_left": session_seconds_left(), "warn_seconds": min(120, idle_seconds // 2)}


@bp.post("/session/keep-alive")
@requires(Perm.USE_APP)
def keep_alive():
    """The idle warning's "Keep working" (static/js/session.js): the session's last activity is now.
    A POST with the CSRF token: a GET writes nothing (but session rows), and no other site may keep a
    session alive."""
    return jsonify(seconds_left=keep_session_alive())


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Perm.USE_APP)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.change_own_password(
                current_user, form.current_password.data, form.new_password.data, keep_token=current_token()
            )
        if saved:
            flash(_("Your password has been changed. Other sessions were signed out."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


# --- the user's own sessions ------------------------------------------------------------------


def _live_sessions(user):
    config = current_app.config
    return db.session.scalars(
        queries.live_sessions_of(
            user,
            now=utcnow(),
            idle_minutes=config["SESSION_IDLE_MINUTES"],
            absolute_hours=config["SESSION_ABSOLUTE_HOURS"],
        )
    ).all()


@bp.get("/account/sessions")
@requires(Perm.USE_APP)
def sessions():
    rows = _live_sessions(current_user)
    current_hash = services.session_token_hash(current_token())
    return render_template(
        "auth/sessions.html",
        sessions=[(row, describe_agent(row.user_agent), row.token_hash == current_hash) for row in rows],
        button=ButtonForm(),
    )


@bp.post("/account/sessions/<id:session_id>/end")
@requires(Perm.USE_APP)
def end_session(session_id):
    row = load_in_scope_or_404(UserSession, session_id, own_sessions, Perm.USE_APP)
    if ButtonForm().validate_on_submit():
        with refusal_flashed() as saved:
            services.end_own_session(current_user, row, current_token=current_token())
        if saved:
            flash(_("The session was ended: that browser must sign in again."), "success")
    return redirect(url_for("auth.sessions"))


@bp.post("/account/sessions/end-others")
@requires(Perm.USE_APP)
def end_other_sessions():
    if ButtonForm().validate_on_submit():
        ended = services.end_own_other_sessions(current_user, current_token=current_token())
        flash(_("%(n)d other sessions were ended.", n=ended), "success")
    return redirect(url_for("auth.sessions"))


# --- administrators: users ---------------------------------------------------------------------


def _facility_choices():
    return db.session.scalars(visible_facilities(current_user).order_by(Facility.code)).all()


@bp.get("/admin/users")
@requires(Perm.MANAGE_USERS)
def users():
    q = (request.args.get("q") or "").strip()
    facility_id = request.args.get("facility_id", type=db_id)
    rows = db.session.scalars(queries.users_page(current_user, q=q, facility_id=facility_id).limit(500)).all()
    return render_template("admin/users.html", users=rows, q=q, facility_id=facility_id, facilities=_facility_choices())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_USERS)
def create_user():
    form = CreateUserForm(facilities=_facility_choices())
    if form.validate_on_submit():
        with saving(form, show=renamed(new_password="password")) as saved:
            user = services.create_user(
                username=form.username.data,
                full_name=form.full_name.data,
                role=form.role.data,
                facility_id=form.facility_id.data,
                password=form.password.data,
                email=form.email.data,
                phone=form.phone.data,
                by=current_user,
            )
        if saved:
            flash(_("User %(name)s was created.", name=user.username), "success")
            return redirect(url_for("auth.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@requires(Perm.MANAGE_USERS)
def edit_user(user_id):
    user = load_or_404(User, user_id, Perm.MANAGE_USERS)
    form = EditUserForm(obj=user, facilities=_facility_choices())
    if request.method == "GET":
        form.version.data = user.version
    if form.validate_on_submit():
        if str(user.version) != (form.version.data or ""):
            form.form_errors.append(str(STALE_USER_EDIT))
            form.version.data = user.version
        elif user.id == current_user.id and not form.active.data:
            form.active.errors = [_("You cannot deactivate your own account.")]
        else:
            try:
                services.update_user(
                    user,
                    full_name=form.full_name.data,
                    role=form.role.data,
                    facility_id=form.facility_id.data,
                    email=form.email.data,
                    phone=form.phone.data,
                    active=form.active.data,
                    by=current_user,
                )
                db.session.flush()  # a concurrent change (version check) shows here
            except StaleDataError:
                db.session.rollback()
                form.form_errors.append(str(STALE_USER_EDIT))
                user = load_or_404(User, user_id, Perm.MANAGE_USERS)
                form.version.data = user.version
            else:
                flash(_("The changes were saved."), "success")
                return redirect(url_for("auth.users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        reset_form=ResetPasswordForm(formdata=None),
        **_second_factor(user),
    )


def _second_factor(user):
    """The user page's sections on signing in: the user's authenticator (or None) and its reset button,
    how many sessions the user has open and the button that ends them."""
    return {
        "second_factor": credential_of(user),
        "second_factor_form": ButtonForm(formdata=None),
        "live_sessions": len(_live_sessions(user)),
    }


@bp.post("/admin/users/<id:user_id>/end-sessions")
@requires(Perm.MANAGE_USERS)
def end_user_sessions(user_id):
    user = load_or_404(User, user_id, Perm.MANAGE_USERS)
    if ButtonForm().validate_on_submit():
        with refusal_flashed() as saved:
            ended = services.end_sessions_of(user, by=current_user)
        if saved:
            flash(_("%(n)d sessions of %(name)s were ended.", n=ended, name=user.username), "success")
    return redirect(url_for("auth.edit_user", user_id=user.id, _anchor="sessions"))


def _on_password(form, error):
    form.password.errors = [str(error)]  # whatever field the service names: the form has one


@bp.post("/admin/users/<id:user_id>/reset-password")
@requires(Perm.MANAGE_USERS)
def reset_password(user_id):
    user = load_or_404(User, user_id, Perm.MANAGE_USERS)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with saving(form, show=_on_password) as saved:
            services.reset_password(user, form.password.data, by=current_user)
        if saved:
            flash(_("The password was reset. The user must change it at the next sign-in."), "success")
            return redirect(url_for("auth.edit_user", user_id=user.id))
    edit_form = EditUserForm(obj=user, facilities=_facility_choices(), formdata=None)
    edit_form.version.data = user.version
    return render_template(
        "admin/user_form.html", form=edit_form, user=user, reset_form=form, **_second_factor(user)
    ), 400
