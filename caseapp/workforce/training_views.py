"""Pages of the training courses (blueprint "training") and the communication activities (blueprint
"communication"), for the facility's administrators and supervisors (Perm.MANAGE_WORKFORCE). Thin: load
within the user's scope (another facility's record answers 404) → form → service → redirect; a refused
input re-renders the form with what was typed (422)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core import categories as cat
from ..core.forms import seen_version
from ..core.transaction import refusal_flashed, saving
from ..org.queries import communes_of
from ..security.policy import Perm
from ..security.web import requires
from . import categories as wcat
from . import communication, training
from .training_forms import (
    ActivityFilterForm,
    ActivityForm,
    ChooseMembersForm,
    CourseFilterForm,
    CourseForm,
    DeleteForm,
    MemberSearchForm,
    NewPersonForm,
    ParticipantForm,
)

training_bp = Blueprint("training", __name__, url_prefix="/training")
communication_bp = Blueprint("communication", __name__, url_prefix="/communication")

COURSE_FORM = "workforce/training_course_form.html"
ADD_PAGE = "workforce/training_participants_add.html"
ACTIVITY_FORM = "workforce/communication_activity_form.html"


def _labels():
    return {
        "training_kinds": cat.labels(wcat.TRAINING_KINDS),
        "training_levels": cat.labels(wcat.TRAINING_LEVELS),
        "member_kinds": cat.labels(wcat.MEMBER_KINDS),
        "communication_kinds": cat.labels(wcat.COMMUNICATION_KINDS),
        "communication_topics": cat.labels(wcat.COMMUNICATION_TOPICS),
    }


def _filter_args():
    return {k: v for k, v in request.args.items() if k != "after" and v}


# --- training courses ----------------------------------------------------------------------------------


@training_bp.get("/")
@requires(Perm.MANAGE_WORKFORCE)
def courses():
    form = CourseFilterForm(request.args)
    filters = form.filters if form.validate() else training.CourseFilters()
    page = training.course_page(current_user, filters, after=form.after.data)
    return render_template(
        "workforce/training_courses.html", form=form, page=page, args=_filter_args(), labels=_labels()
    )


def _course_or_404(course_id):
    course = training.course_in_scope(current_user, course_id)
    if course is None:
        abort(404)  # another facility's course, or none
    return course


@training_bp.route("/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def new_course():
    form = CourseForm(communes=communes_of(current_user.facility.province_code))
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            course = training.create_course(form.as_input(), by=current_user)
        if saved:
            flash(_l("The course was recorded. Now add its participants."), "success")
            return redirect(url_for("training.add_participants", course_id=course.id))
    status = 422 if request.method == "POST" else 200
    return render_template(COURSE_FORM, form=form, course=None), status


@training_bp.get("/<id:course_id>")
@requires(Perm.MANAGE_WORKFORCE)
def course(course_id):
    return _render_course(_course_or_404(course_id))


def _render_course(course, *, failed=None, status=200):
    """The course page; `failed`: (participant id, its refused form), shown with what was typed."""
    participants = training.participants_of(course)
    forms = {p.id: ParticipantForm(formdata=None, obj=p, prefix=f"p{p.id}") for p in participants}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "workforce/training_course.html",
        course=course,
        commune=training.commune_of(course),
        participants=participants,
        forms=forms,
        labels=_labels(),
    ), status


@training_bp.route("/<id:course_id>/edit", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def edit_course(course_id):
    course = _course_or_404(course_id)
    communes = communes_of(course.facility.province_code)
    if request.method == "GET":
        form = CourseForm(obj=course, communes=communes)
        form.version.data = str(course.version)
        return render_template(COURSE_FORM, form=form, course=course)
    form = CourseForm(communes=communes)
    if form.validate():
        with saving(form, stale_message=training.STALE) as saved:
            training.update_course(course, form.as_input(), by=current_user, seen_version=seen_version(form))
        if saved:
            flash(_l("The changes were saved."), "success")
            return redirect(url_for("training.course", course_id=course.id))
    return render_template(COURSE_FORM, form=form, course=course), 422


@training_bp.post("/<id:course_id>/delete")
@requires(Perm.MANAGE_WORKFORCE)
def delete_course(course_id):
    course = _course_or_404(course_id)
    if not DeleteForm().validate():
        abort(400)
    with refusal_flashed() as saved:
        training.delete_course(course, by=current_user)
    if saved:
        flash(_l("The course was removed."), "success")
        return redirect(url_for("training.courses"))
    return redirect(url_for("training.course", course_id=course.id))


def _render_add(course, *, choose=None, new=None, status=200):
    search = MemberSearchForm(request.args)
    q = search.q.data if search.validate() else None
    people = training.candidates(current_user, course, q)
    if choose is None:
        choose = ChooseMembersForm(candidates=people)
    choose.members.choices = [(str(m.id), m.full_name) for m in people]
    if new is None:
        new = NewPersonForm(agencies=training.agencies_for(current_user))
    return render_template(
        ADD_PAGE,
        course=course,
        search=search,
        q=q,
        people=people,
        more_people=len(people) >= training.CANDIDATES_LIMIT,
        choose=choose,
        new=new,
        labels=_labels(),
    ), status


@training_bp.route("/<id:course_id>/participants/add", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def add_participants(course_id):
    course = _course_or_404(course_id)
    if request.method == "GET":
        return _render_add(course)
    form = ChooseMembersForm()
    if form.validate():
        with saving(form) as saved:
            added = training.add_participants(course, form.member_ids, by=current_user)
        if saved:
            flash(_l("%(n)d people added to the course.", n=len(added)), "success")
            return redirect(url_for("training.course", course_id=course.id, _anchor="participants"))
    return _render_add(course, choose=form, status=422)


@training_bp.post("/<id:course_id>/participants/new")
@requires(Perm.MANAGE_WORKFORCE)
def new_participant(course_id):
    course = _course_or_404(course_id)
    form = NewPersonForm(agencies=training.agencies_for(current_user))
    if form.validate():
        with saving(form) as saved:
            training.add_new_person(
                course, full_name=form.full_name.data, kind=form.kind.data, agency_id=form.agency_id, by=current_user
            )
        if saved:
            flash(_l("%(name)s was added to the register and to the course.", name=form.full_name.data), "success")
            return redirect(url_for("training.course", course_id=course.id, _anchor="participants"))
    return _render_add(course, new=form, status=422)


def _participant_or_404(course, participant_id):
    participant = training.participant_of(course, participant_id)
    if participant is None:
        abort(404)
    return participant


@training_bp.post("/<id:course_id>/participants/<id:participant_id>")
@requires(Perm.MANAGE_WORKFORCE)
def update_participant(course_id, participant_id):
    course = _course_or_404(course_id)
    participant = _participant_or_404(course, participant_id)
    form = ParticipantForm(prefix=f"p{participant.id}")
    if form.validate():
        with saving(form) as saved:
            training.update_participant(
                course,
                participant,
                attended=bool(form.attended.data),
                certificate_number=form.certificate_number.data,
                certificate_date=form.certificate_date.data,
                by=current_user,
            )
        if saved:
            flash(_l("Saved for %(name)s.", name=participant.member.full_name), "success")
            return redirect(url_for("training.course", course_id=course.id, _anchor=f"participant-{participant.id}"))
    return _render_course(course, failed=(participant.id, form), status=422)


@training_bp.post("/<id:course_id>/participants/<id:participant_id>/remove")
@requires(Perm.MANAGE_WORKFORCE)
def remove_participant(course_id, participant_id):
    course = _course_or_404(course_id)
    participant = _participant_or_404(course, participant_id)
    if not DeleteForm().validate():
        abort(400)
    name = participant.member.full_name
    with refusal_flashed() as saved:
        training.remove_participant(course, participant, by=current_user)
    if saved:
        flash(_l("%(name)s was taken off the course.", name=name), "success")
    return redirect(url_for("training.course", course_id=course.id, _anchor="participants"))


# --- communication activities --------------------------------------------------------------------------


@communication_bp.get("/")
@requires(Perm.MANAGE_WORKFORCE)
def activities():
    form = ActivityFilterForm(request.args)
    filters = form.filters if form.validate() else communication.ActivityFilters()
    page = communication.activity_page(current_user, filters, after=form.after.data)
    return render_template(
        "workforce/communication_activities.html",
        form=form,
        page=page,
        args=_filter_args(),
        labels=_labels(),
    )


def _activity_or_404(activity_id):
    activity = communication.activity_in_scope(current_user, activity_id)
    if activity is None:
        abort(404)  # another facility's activity, or none
    return activity


@communication_bp.route("/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def new_activity():
    form = ActivityForm(communes=communes_of(current_user.facility.province_code))
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            communication.create_activity(form.as_input(), by=current_user)
        if saved:
            flash(_l("The activity was recorded."), "success")
            return redirect(url_for("communication.activities"))
    status = 422 if request.method == "POST" else 200
    return render_template(ACTIVITY_FORM, form=form, activity=None), status


@communication_bp.route("/<id:activity_id>/edit", methods=["GET", "POST"])
@requires(Perm.MANAGE_WORKFORCE)
def edit_activity(activity_id):
    activity = _activity_or_404(activity_id)
    communes = communes_of(activity.facility.province_code)
    if request.method == "GET":
        form = ActivityForm(obj=activity, communes=communes)
        form.version.data = str(activity.version)
        return render_template(ACTIVITY_FORM, form=form, activity=activity)
    form = ActivityForm(communes=communes)
    if form.validate():
        with saving(form, stale_message=communication.STALE) as saved:
            communication.update_activity(activity, form.as_input(), by=current_user, seen_version=seen_version(form))
        if saved:
            flash(_l("The changes were saved."), "success")
            return redirect(url_for("communication.activities"))
    return render_template(ACTIVITY_FORM, form=form, activity=activity), 422


@communication_bp.post("/<id:activity_id>/delete")
@requires(Perm.MANAGE_WORKFORCE)
def delete_activity(activity_id):
    activity = _activity_or_404(activity_id)
    if not DeleteForm().validate():
        abort(400)
    with refusal_flashed() as saved:
        communication.delete_activity(activity, by=current_user)
    if saved:
        flash(_l("The activity was removed."), "success")
    return redirect(url_for("communication.activities"))
