"""Two-step sign-in pages, on the auth blueprint: the code after the password, the set-up on the user's
account, an administrator's reset, and the roles a facility requires it of."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...core.transaction import refusal_flashed, saving
from ...extensions import db
from ...org.models import Facility
from ...security.policy import Perm
from ...security.rules import second_factor_required
from ...security.web import load_or_404, requires
from ..models import User
from ..sessions import current_token, forget_second_step, landing, pending_second_factor, renew_session, sign_in
from ..views import bp
from . import queries, services, totp
from .forms import ButtonForm, ConfirmEnrolmentForm, ReauthForm, SecondFactorRolesForm, SecondStepForm

# One message for every refusal, as at the password step: a wrong code and a throttled account look alike.
GENERIC_CODE_ERROR = _l("The code is not correct, or there were too many attempts. Please wait a minute and try again.")


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """Public: the password was right, no session exists yet (sessions.after_password)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    pending = pending_second_factor()
    user = db.session.get(User, pending[0]) if pending else None
    if user is None or not user.active:
        forget_second_step()
        flash(_("Please sign in again: the time to enter the code has run out."), "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if form.validate_on_submit():
        method = services.verify_second_factor(user, form.code.data, ip=request.remote_addr, config=current_app.config)
        if method in ("totp", "recovery"):
            sign_in(user)  # a new session id, only now (OWASP ASVS 5.0 V7.2.4)
            if method == "recovery":
                _recovery_code_used(user)
            return landing(user, pending[1])
        form.code.data = ""
        flash(str(GENERIC_CODE_ERROR), "error")
        # 200, not 422: the failed attempt's throttle row and audit event must be kept (committed)
        return render_template("auth/second_factor.html", form=form), 200
    return render_template("auth/second_factor.html", form=form)


def _recovery_code_used(user):
    left = queries.recovery_codes_left(user)
    flash(
        _(
            "You signed in with a recovery code, which cannot be used again; %(n)d are left. "
            "If your phone is lost, ask an administrator to reset your two-step sign-in.",
            n=left,
        ),
        "info",
    )


# --- the user's own set-up --------------------------------------------------------------------------


@bp.get("/account/two-factor")
@requires(Perm.USE_APP)
def two_factor():
    credential = queries.credential_of(current_user)
    if credential is not None and not credential.is_confirmed:
        return _enrolment_page(ConfirmEnrolmentForm())
    if credential is not None and credential.replacement_encrypted:
        return _replacement_page(ConfirmEnrolmentForm())
    return _two_factor_page()


def _two_factor_page(codes_form=None, replace_form=None):
    """The account's two-step sign-in: its state, and the forms that make new recovery codes and replace
    the phone (each asks for a code or the password again)."""
    credential = queries.credential_of(current_user)
    return render_template(
        "auth/two_factor.html",
        credential=credential,
        required=second_factor_required(current_user),
        codes_left=queries.recovery_codes_left(current_user) if credential else 0,
        start_form=ButtonForm(),
        codes_form=codes_form or ReauthForm(prefix="codes", formdata=None),
        replace_form=replace_form or ReauthForm(prefix="replace", formdata=None),
    )


def _enrolment_page(form):
    secret = services.enrolment_secret(current_user)
    return _key_page(form, secret, action=url_for("auth.confirm_two_factor"), replacing=False)


def _replacement_page(form):
    secret = services.replacement_secret(current_user)
    return _key_page(form, secret, action=url_for("auth.confirm_replacement"), replacing=True)


def _key_page(form, secret, *, action, replacing):
    uri = totp.provisioning_uri(secret, current_user.username)
    return render_template(
        "auth/two_factor_enrol.html",
        form=form,
        qr=totp.qr_svg(uri, _("QR code to scan with the authenticator app")),
        secret=totp.grouped(secret),
        required=second_factor_required(current_user),
        action=action,
        replacing=replacing,
        cancel_form=ButtonForm(),
    )


@bp.post("/account/two-factor/start")
@requires(Perm.USE_APP)
def start_two_factor():
    if ButtonForm().validate_on_submit():
        with refusal_flashed():
            services.start_enrolment(current_user, by=current_user)
    return redirect(url_for("auth.two_factor"))


@bp.post("/account/two-factor/confirm")
@requires(Perm.USE_APP)
def confirm_two_factor():
    credential = queries.credential_of(current_user)
    if credential is None or credential.is_confirmed:
        return redirect(url_for("auth.two_factor"))
    form = ConfirmEnrolmentForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            codes = services.confirm_enrolment(
                current_user, form.code.data, by=current_user, keep_token=current_token()
            )
        if saved:
            renew_session(current_user._get_current_object())
            # Shown this once, in this answer (never stored readable, never in a later page).
            return render_template("auth/recovery_codes.html", codes=codes)
    form.code.data = ""
    return _enrolment_page(form), 422


def _reauth(form):
    """What a change of factor passes to its service: the proof typed, who and from where."""
    return {
        "code": form.code.data,
        "password": form.password.data,
        "by": current_user,
        "ip": request.remote_addr,
        "config": current_app.config,
    }


@bp.post("/account/two-factor/recovery-codes")
@requires(Perm.USE_APP)
def regenerate_recovery_codes():
    form = ReauthForm(prefix="codes")
    if form.validate_on_submit():
        with saving(form) as saved:
            codes = services.regenerate_recovery_codes(current_user, **_reauth(form))
        if saved:
            # Shown this once, in this answer; the old codes no longer work.
            return render_template("auth/recovery_codes.html", codes=codes, renewed=True)
    form.code.data = form.password.data = ""
    return _two_factor_page(codes_form=form), 422


@bp.post("/account/two-factor/replace")
@requires(Perm.USE_APP)
def start_replacement():
    form = ReauthForm(prefix="replace")
    if form.validate_on_submit():
        with saving(form) as saved:
            services.start_replacement(current_user, **_reauth(form))
        if saved:
            return redirect(url_for("auth.two_factor"))
    form.code.data = form.password.data = ""
    return _two_factor_page(replace_form=form), 422


@bp.post("/account/two-factor/replace/confirm")
@requires(Perm.USE_APP)
def confirm_replacement():
    if services.replacement_secret(current_user) is None:
        return redirect(url_for("auth.two_factor"))
    form = ConfirmEnrolmentForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            services.confirm_replacement(current_user, form.code.data, by=current_user, keep_token=current_token())
        if saved:
            renew_session(current_user._get_current_object())
            flash(
                _(
                    "The new authenticator app is in force; the old one no longer works. Your other sessions were ended."
                ),
                "success",
            )
            return redirect(url_for("auth.two_factor"))
    form.code.data = ""
    return _replacement_page(form), 422


@bp.post("/account/two-factor/replace/cancel")
@requires(Perm.USE_APP)
def cancel_replacement():
    if ButtonForm().validate_on_submit():
        services.cancel_replacement(current_user, by=current_user)
        flash(_("The replacement was cancelled: your authenticator app stays as it was."), "info")
    return redirect(url_for("auth.two_factor"))


# --- administrators ---------------------------------------------------------------------------------


@bp.post("/admin/users/<int:user_id>/reset-two-factor")
@requires(Perm.MANAGE_USERS)
def reset_two_factor(user_id):
    user = load_or_404(User, user_id, Perm.MANAGE_USERS)
    if ButtonForm().validate_on_submit():
        with refusal_flashed() as saved:
            services.reset_second_factor(user, by=current_user)
        if saved:
            flash(
                _(
                    "Two-step sign-in of %(name)s was reset: their sessions were ended and they set it up "
                    "again at their next sign-in.",
                    name=user.username,
                ),
                "success",
            )
    return redirect(url_for("auth.edit_user", user_id=user.id))


@bp.route("/admin/facilities/<int:facility_id>/two-factor", methods=["GET", "POST"])
@requires(Perm.MANAGE_FACILITIES)
def facility_two_factor(facility_id):
    facility = load_or_404(Facility, facility_id, Perm.MANAGE_FACILITIES)
    form = SecondFactorRolesForm(data={"roles": facility.second_factor_role_list})  # a POST's own values win
    if form.validate_on_submit():
        with saving(form) as saved:
            services.set_second_factor_roles(facility, form.roles.data or [], by=current_user)
        if saved:
            flash(_("The changes were saved. They apply from each user's next sign-in."), "success")
            return redirect(url_for("org.edit_facility", facility_id=facility.id))
        return render_template("admin/facility_two_factor.html", form=form, facility=facility), 422
    return render_template("admin/facility_two_factor.html", form=form, facility=facility)
