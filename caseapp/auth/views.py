"""Sign in and out, change one's own password, and the administrators' user pages."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record_security_event
from ..core.transaction import renamed, saving
from ..core.urls import db_id, safe_next
from ..extensions import db
from ..org.models import Facility
from ..org.queries import visible_facilities
from ..security.policy import Perm
from ..security.web import load_or_404, requires
from . import queries, services
from .forms import ChangePasswordForm, CreateUserForm, EditUserForm, LoginForm, ResetPasswordForm
from .models import User
from .sessions import after_password, current_token, sign_out
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


@bp.post("/logout")
@requires(Perm.USE_APP)
def logout():
    record_security_event("logout", user=current_user)
    sign_out()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


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
    """The user page's two-step sign-in section: the user's authenticator (or None) and the reset button."""
    return {"second_factor": credential_of(user), "second_factor_form": ButtonForm(formdata=None)}


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
