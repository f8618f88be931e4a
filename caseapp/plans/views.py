"""Pages of needs assessments (đánh giá nhu cầu), intervention plans (kế hoạch trợ giúp) and the
supervisors' approval queue. Thin: load the case in the user's scope → form → service → commit.

Every route loads the case with security.web.load_case (another facility's case → 404; a role without
the permission → 403, audited). Reading an assessment or a plan is audited. Edits of a draft or a
returned version carry the row's version and a snapshot of what the user started from; a stale
save is refused (409) with what changed meanwhile, and the user's input stays in the form.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..approvals import services as approval_services
from ..approvals.models import Approval
from ..audit.services import record
from ..cases.models import Case
from ..cases.statuses import ENDED_STATUSES, ApprovalStatus, ApprovalSubject
from ..clients.reads import audit_clients_listed
from ..core import categories as cat
from ..core.forms import add_service_error
from ..core.language import language
from ..core.timeutil import local_today, to_local
from ..core.transaction import keep_despite_error, refusal_flashed, saving
from ..core.urls import db_id, safe_next
from ..extensions import db
from ..security.policy import Perm
from ..security.rules import can
from ..security.scopes import case_scope
from ..security.web import load_case, requires
from . import blocks, compare, labels, queries, services
from .forms import ADD_ROWS, AssessmentForm, DecisionForm, GoalOutcomeForm, PlanForm
from .models import Assessment, AssessmentStatus, CarePlan, PlanStatus

# No url_prefix: the pages hang under /cases/<id>/assessments, /cases/<id>/plans and /approvals.
bp = Blueprint("plans", __name__)

SAVED_DRAFT = _l("The draft was saved.")


def _action():
    """Which submit button: "draft" (save only) or "submit" (complete / send for approval)."""
    return "draft" if request.form.get("action") == "draft" else "submit"


def _audit_read(action, entity, case, purpose):
    """Opening a form filled with an assessment or a plan is a read of personal data: audited
    (committed by _rendered once the page is built)."""
    record(
        action,
        by=current_user,
        entity=entity,
        detail={"case_id": case.id, "version_no": entity.version_no, "for": purpose},
    )


# A concurrent change of an assessment or a plan: the form is shown again beside the current version.
STALE = (services.StaleEdit, StaleDataError)


def _rendered(template, status, **context):
    """Render, and keep what the request recorded even on an error status (a read's audit event;
    nothing else is pending on a form page: a refused write was rolled back)."""
    response = render_template(template, **context)
    keep_despite_error()
    return response, status


def _common(case):
    return {"case": case, "labels": labels, "compare": compare}


# --- assessments ----------------------------------------------------------------------------------------


def _assessment_or_404(case, assessment_id):
    assessment = db.session.scalar(queries.assessment_of_case(case.id, assessment_id))
    if assessment is None:
        abort(404)
    return assessment


def _arm(form, snapshot, version):
    form.version.data = version
    form.snapshot.data = compare.dumps(snapshot)


def _stale(form, started_text, current_snapshot, version, users=None):
    """Refuse a save based on an old version: list what changed meanwhile (its value now), keep the
    user's input, and arm the form with the current version so a second save goes through."""
    started = compare.loads(started_text)
    changes = compare.describe_changes(started, current_snapshot, users=users) if started is not None else []
    form.form_errors.append(str(services.StaleEdit()))
    _arm(form, current_snapshot, version)
    return changes


@bp.route("/cases/<id:case_id>/assessments/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def new_assessment(case_id):
    case = load_case(current_user, case_id, Perm.EDIT_CASES, editable=True)
    unfinished = db.session.scalar(queries.open_assessment(case.id))
    if unfinished is not None:
        flash(_l("This case has an assessment that is not approved yet: finish that one first."), "info")
        endpoint = "plans.edit_assessment" if unfinished.status in queries.EDITABLE_STATUSES else "plans.assessment"
        return redirect(url_for(endpoint, case_id=case.id, assessment_id=unfinished.id))
    violence = queries.is_violence_case(case)
    previous = db.session.scalar(queries.latest_assessment(case.id))
    intake = db.session.scalar(queries.intake_of_case(case)) if previous is None else None
    form = AssessmentForm(violence=violence)
    status = 200
    if request.method == "GET":
        if previous is not None:
            form.fill(previous)  # a re-assessment starts from the last version
            _audit_read("assessment_viewed", previous, case, "reassessment")
        elif intake is not None:  # a first assessment starts from the intake's answers, not asking again
            form.prefill(blocks.intake_prefill(intake.problems, intake.problem_note, intake.screening))
            record("intake_viewed", by=current_user, entity=intake, detail={"case_id": case.id, "for": "assessment"})
    else:
        complete = _action() == "submit"
        if form.validate() & form.check(complete=complete):
            with saving(form) as saved:
                assessment = services.create_assessment(case, form.service_data(), by=current_user, submit=complete)
            if saved:
                flash(_assessment_saved_message(assessment), "success")
                return redirect(url_for("plans.assessment", case_id=case.id, assessment_id=assessment.id))
        status = 422
    return _rendered(
        "plans/assessment_form.html",
        status,
        form=form,
        assessment=None,
        previous=previous,
        intake=intake,
        intake_facts=blocks.intake_facts(intake.problems, intake.screening, intake.urgency) if intake else (),
        violence=violence,
        changes=None,
        **_common(case),
    )


def _assessment_saved_message(assessment):
    if assessment.status == AssessmentStatus.PENDING:
        return _l("The assessment was saved and sent to a supervisor for approval.")
    if assessment.status == AssessmentStatus.APPROVED:
        return _l("The assessment was saved.")
    return SAVED_DRAFT


@bp.route("/cases/<id:case_id>/assessments/<id:assessment_id>/edit", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def edit_assessment(case_id, assessment_id):
    case = load_case(current_user, case_id, Perm.EDIT_CASES, editable=True)
    assessment = _assessment_or_404(case, assessment_id)
    if assessment.status not in queries.EDITABLE_STATUSES:
        flash(_l("Only a draft or a returned assessment can be changed: make a new version instead."), "info")
        return redirect(url_for("plans.assessment", case_id=case.id, assessment_id=assessment.id))
    violence = queries.is_violence_case(case)
    form = AssessmentForm(violence=violence)
    changes, status = None, 200
    if request.method == "GET":
        form.fill(assessment)
        _arm(form, compare.assessment_snapshot(assessment), assessment.version)
        _audit_read("assessment_viewed", assessment, case, "edit")
    else:
        complete = _action() == "submit"
        if form.validate() & form.check(complete=complete):
            try:
                with saving(form, passes=STALE) as saved:
                    services.update_assessment(
                        assessment,
                        case,
                        form.service_data(),
                        version=form.version.data,
                        by=current_user,
                        submit=complete,
                    )
            except STALE:
                db.session.rollback()
                current = _assessment_or_404(case, assessment_id)
                changes = _stale(form, form.snapshot.data, compare.assessment_snapshot(current), current.version)
                return _render_assessment_form(form, current, violence, changes, 409)
            if saved:
                flash(_assessment_saved_message(assessment), "success")
                return redirect(url_for("plans.assessment", case_id=case.id, assessment_id=assessment.id))
        status = 422
    return _render_assessment_form(form, assessment, violence, changes, status)


def _render_assessment_form(form, assessment, violence, changes, status):
    case = db.session.get(Case, assessment.case_id)
    return _rendered(
        "plans/assessment_form.html",
        status,
        form=form,
        assessment=assessment,
        previous=None,
        intake=None,
        intake_facts=(),
        violence=violence,
        changes=changes,
        **_common(case),
    )


def _shown(rows):
    """Empty unchanged fields are left out of the page."""
    return [r for r in rows if r["before"] is not None or r["value"] != "—"]


def _assessment_sections(current, before):
    """The assessment as sections of rows (label, value, value before or None when unchanged)."""
    now = compare.assessment_snapshot(current)
    old = compare.assessment_snapshot(before) if before is not None else None

    def row(key, label=None):
        changed = old is not None and key in compare.changed_keys({key: old.get(key)}, {key: now.get(key)})
        return {
            "key": key,
            "label": label or compare.label(key),
            "value": compare.display(key, now.get(key)),
            "before": compare.display(key, old.get(key)) if changed else None,
        }

    def block(code):
        fields = blocks.BLOCKS_BY_CODE[code].fields
        rows = [row(f"blocks.{code}.{f.code}", blocks.field_label(code, f.code)) for f in fields]
        return {"title": blocks.block_title(code), "rows": _shown(rows)}

    sections = [block(b.code) for b in blocks.BLOCKS if b.code != "view"]
    safety_rows = [row("risk_level"), row("risk_reasons")]
    if current.safety or (before is not None and before.safety):
        safety_rows += [row(f"safety.{q.code}") for q in cat.SAFETY_QUESTIONS]
    sections.append({"title": _l("Safety and risks"), "rows": safety_rows})
    sections.append({"title": _l("Needs and strengths"), "group": True, "rows": []})
    for domain in cat.NEED_DOMAINS:
        rows = [
            row(f"domains.{domain.code}.{name}", compare.DOMAIN_FIELD_LABELS[name]) for name in compare.DOMAIN_FIELDS
        ]
        # The need level shows as the heading's badge.
        rows = _shown([r for r in rows if not r["key"].endswith(".need_level") or r["before"] is not None])
        level = (current.domains or {}).get(domain.code, {}).get("need_level") or "none"
        sections.append({"title": domain.label(language()), "rows": rows, "level": level})
    view = block("view")
    view["rows"] = [row("client_view", compare.label("client_view"))] + view["rows"]
    sections.append(view)
    return sections


def _decision_form(approval, author_id):
    """The approve / return form for the pending approval, if this user may decide it."""
    if approval is None or approval.status != ApprovalStatus.PENDING:
        return None
    if approval_services.refusal_reason(approval, current_user, author_id=author_id) is not None:
        return None
    return DecisionForm(formdata=None, approval_id=approval.id, next=request.full_path.rstrip("?"))


@bp.get("/cases/<id:case_id>/assessments/<id:assessment_id>")
@requires(Perm.VIEW_CASES)
def assessment(case_id, assessment_id):
    case = load_case(current_user, case_id, Perm.VIEW_CASES)
    versions = db.session.scalars(queries.assessments_of_case(case.id)).unique().all()
    current = next((a for a in versions if a.id == assessment_id), None)
    if current is None:
        abort(404)
    compare_id = request.args.get("compare", type=db_id)
    before = next((a for a in versions if a.id == compare_id and a.id != current.id), None)
    if before is None and compare_id != 0:
        before = next((a for a in versions if a.version_no < current.version_no), None)
    history = db.session.scalars(approval_services.approvals_for_subject("assessment", current.id)).unique().all()
    pending = next((a for a in history if a.status == ApprovalStatus.PENDING), None)
    response = render_template(
        "plans/assessment.html",
        assessment=current,
        versions=versions,
        before=before,
        sections=_assessment_sections(current, before),
        only_changes=request.args.get("changes") == "1",
        history=history,
        decision_form=_decision_form(pending, current.created_by_id),
        pending=pending,
        can_edit=case.status not in ENDED_STATUSES and can(current_user, Perm.EDIT_CASES, case),
        **_common(case),
    )
    record(
        "assessment_viewed",
        by=current_user,
        entity=current,
        detail={"case_id": case.id, "version_no": current.version_no},
    )
    return response


# --- plans -------------------------------------------------------------------------------------------------


def _plan_or_404(case, plan_id):
    plan = db.session.scalar(queries.plan_of_case(case.id, plan_id))
    if plan is None:
        abort(404)
    return plan


def _plan_error(form, error):
    if error.field in form.row_errors:
        form.row_errors[error.field].append(str(error))
        form.form_errors.append(str(_l("Please correct the goals and activities below.")))
    else:
        add_service_error(form, error)


def _plan_form(case, base):
    staff = db.session.scalars(queries.facility_staff(case.facility_id)).all()
    return PlanForm(domains=services.assessed_domains(base), staff=staff), staff


def _add_rows(form):
    """The "add more rows" buttons: re-render with the input kept and empty rows added."""
    which = request.form.get("add_rows")
    form.pad(goals=ADD_ROWS if which == "goals" else 0, activities=ADD_ROWS if which == "activities" else 0)


def _render_plan_form(case, form, *, plan, base, violence, changes=None, status=200):
    return _rendered(
        "plans/plan_form.html",
        status,
        form=form,
        plan=plan,
        base=base,
        violence=violence,
        changes=changes,
        **_common(case),
    )


@bp.route("/cases/<id:case_id>/plans/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def new_plan(case_id):
    case = load_case(current_user, case_id, Perm.EDIT_CASES, editable=True)
    unfinished = db.session.scalar(queries.open_plan(case.id))
    if unfinished is not None:
        flash(_l("This case has a plan that is not approved yet: finish that one first."), "info")
        endpoint = "plans.edit_plan" if unfinished.status in queries.EDITABLE_STATUSES else "plans.plan"
        return redirect(url_for(endpoint, case_id=case.id, plan_id=unfinished.id))
    base = db.session.scalar(queries.approved_assessment(case.id))
    violence = queries.is_violence_case(case)
    if base is None:  # nothing to plan from yet: the page says why and links to the assessment
        return _render_plan_form(case, None, plan=None, base=None, violence=violence)
    form, _staff = _plan_form(case, base)
    status = 200
    if request.method == "GET":
        latest = db.session.scalar(queries.latest_plan(case.id))
        data = compare.plan_data(latest) if latest is not None else {"goals": [], "activities": []}
        form.fill(data)  # a revised plan starts from the last version
        form.review_due_on.data = services.default_review_date(case)
        if latest is not None:
            _audit_read("plan_viewed", latest, case, "revision")
    elif request.form.get("add_rows"):
        _add_rows(form)
    else:
        submit = _action() == "submit"
        if form.validate():
            with saving(form, show=_plan_error) as saved:
                plan = services.create_plan(case, form.service_data(), by=current_user, submit=submit)
            if saved:
                flash(
                    _l("The plan was saved and sent to a supervisor for approval.") if submit else SAVED_DRAFT,
                    "success",
                )
                return redirect(url_for("plans.plan", case_id=case.id, plan_id=plan.id))
        status = 422
    return _render_plan_form(case, form, plan=None, base=base, violence=violence, status=status)


@bp.route("/cases/<id:case_id>/plans/<id:plan_id>/edit", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def edit_plan(case_id, plan_id):
    case = load_case(current_user, case_id, Perm.EDIT_CASES, editable=True)
    plan = _plan_or_404(case, plan_id)
    if plan.status not in queries.EDITABLE_STATUSES:
        flash(_l("Only a draft or a returned plan can be changed: make a new version instead."), "info")
        return redirect(url_for("plans.plan", case_id=case.id, plan_id=plan.id))
    base = db.session.scalar(queries.approved_assessment(case.id))
    violence = queries.is_violence_case(case)
    form, staff = _plan_form(case, base)
    status = 200
    if request.method == "GET":
        form.fill(compare.plan_data(plan))
        _arm(form, compare.plan_snapshot(plan), plan.version)
        _audit_read("plan_viewed", plan, case, "edit")
    elif request.form.get("add_rows"):
        _add_rows(form)
    else:
        submit = _action() == "submit"
        if form.validate():
            try:
                with saving(form, show=_plan_error, passes=STALE) as saved:
                    services.update_plan(
                        plan, case, form.service_data(), version=form.version.data, by=current_user, submit=submit
                    )
            except STALE:
                db.session.rollback()
                current = _plan_or_404(case, plan_id)
                changes = _stale(
                    form,
                    form.snapshot.data,
                    compare.plan_snapshot(current),
                    current.version,
                    users={u.id: u.full_name for u in staff},
                )
                return _render_plan_form(
                    case, form, plan=current, base=base, violence=violence, changes=changes, status=409
                )
            if saved:
                flash(
                    _l("The plan was saved and sent to a supervisor for approval.") if submit else SAVED_DRAFT,
                    "success",
                )
                return redirect(url_for("plans.plan", case_id=case.id, plan_id=plan_id))
        status = 422
    return _render_plan_form(case, form, plan=plan, base=base, violence=violence, status=status)


@bp.post("/cases/<id:case_id>/plans/<id:plan_id>/request-approval")
@requires(Perm.EDIT_CASES)
def request_plan_approval(case_id, plan_id):
    case = load_case(current_user, case_id, Perm.EDIT_CASES)
    plan = _plan_or_404(case, plan_id)
    with refusal_flashed() as saved:
        services.request_plan_approval(plan, case, by=current_user)
    if saved:
        flash(_l("The plan was sent to a supervisor for approval."), "success")
    return redirect(url_for("plans.plan", case_id=case_id, plan_id=plan_id))


@bp.get("/cases/<id:case_id>/plans/<id:plan_id>")
@requires(Perm.VIEW_CASES)
def plan(case_id, plan_id):
    case = load_case(current_user, case_id, Perm.VIEW_CASES)
    current = _plan_or_404(case, plan_id)
    versions = db.session.scalars(queries.plans_of_case(case.id)).unique().all()
    base = db.session.get(Assessment, current.assessment_id) if current.assessment_id else None
    history = db.session.scalars(approval_services.approvals_for_subject("plan", current.id)).unique().all()
    pending = next((a for a in history if a.status == ApprovalStatus.PENDING), None)
    approver = next((a.decided_by for a in history if a.status == ApprovalStatus.APPROVED), None)
    goal_numbers = {g.id: n for n, g in enumerate(current.goals, start=1)}
    response = render_template(
        "plans/plan.html",
        plan=current,
        versions=versions,
        base=base,
        history=history,
        pending=pending,
        approver=approver,
        goal_numbers=goal_numbers,
        decision_form=_decision_form(pending, current.created_by_id),
        can_edit=case.status not in ENDED_STATUSES and can(current_user, Perm.EDIT_CASES, case),
        **_common(case),
    )
    record(
        "plan_viewed", by=current_user, entity=current, detail={"case_id": case.id, "version_no": current.version_no}
    )
    return response


# --- outcomes of the goals ----------------------------------------------------------------------------------

GOAL_CHANGED_MEANWHILE = _l("Someone else recorded an outcome of this goal meanwhile. Check it and save again.")


def _goal_or_404(case, plan_id, goal_id):
    goal = db.session.scalar(queries.goal_of_case(case.id, plan_id, goal_id))
    if goal is None:
        abort(404)
    return goal


def _goal_back(case, goal):
    """Where the form returns by default: the goal on the case page's plan section."""
    return url_for("cases.show", case_id=case.id, section="assessment-plan", _anchor=f"goal-{goal.id}")


@bp.route("/cases/<id:case_id>/plans/<id:plan_id>/goals/<id:goal_id>/outcome", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def goal_outcome(case_id, plan_id, goal_id):
    """Record how far a goal of the approved plan was reached, from the case page or straight from the
    closure checklist (`next`: the page to go back to once it is recorded)."""
    case = load_case(current_user, case_id, Perm.EDIT_CASES, editable=True, back_to="assessment-plan")
    goal = _goal_or_404(case, plan_id, goal_id)
    form = GoalOutcomeForm(goal_id=goal.id)
    asked = form.next.data if request.method == "POST" else request.args.get("next")
    back = safe_next(asked) or _goal_back(case, goal)
    status = 200
    if request.method == "GET":
        form.fill(goal, today=local_today(), next_url=back)
        _audit_read("plan_viewed", goal.plan, case, "goal_outcome")
    elif form.validate():
        try:
            with saving(form, stale_message=GOAL_CHANGED_MEANWHILE, passes=(services.StaleEdit,)) as saved:
                services.record_goal_outcome(
                    goal,
                    form.outcome.data,
                    form.note.data,
                    form.assessed_on.data,
                    by=current_user,
                    seen_version=form.version.data,
                )
        except services.StaleEdit as error:
            db.session.rollback()
            goal = _goal_or_404(case, plan_id, goal_id)
            form.form_errors.append(str(error))
            form.version.data = goal.version  # what is kept in the form goes through on a second save
            return _render_goal_outcome(case, goal, form, back, 409)
        if saved:
            flash(_l("The outcome of the goal was recorded."), "success")
            return redirect(back)
        goal = _goal_or_404(case, plan_id, goal_id)  # read again: a concurrent save rolled the session back
        if str(GOAL_CHANGED_MEANWHILE) in form.form_errors:
            form.version.data = goal.version
        status = 422
    else:
        status = 422
    return _render_goal_outcome(case, goal, form, back, status)


def _render_goal_outcome(case, goal, form, back, status):
    return _rendered(
        "plans/goal_outcome.html",
        status,
        form=form,
        goal=goal,
        plan=goal.plan,
        in_force=goal.plan.status == PlanStatus.APPROVED,
        back=back,
        today_iso=local_today().isoformat(),
        **_common(case),
    )


# --- approvals -------------------------------------------------------------------------------------------


def _subject_rows(rows):
    """For the queue: each pending approval with its case number, subject version and author."""
    ids = {"assessment": set(), "plan": set()}
    for approval, _number in rows:
        if approval.subject_type in ids and approval.subject_id is not None:
            ids[approval.subject_type].add(approval.subject_id)
    subjects = {}
    for subject_type, model in (("assessment", Assessment), ("plan", CarePlan)):
        if ids[subject_type]:
            for sid, version_no, author_id in db.session.execute(
                sa.select(model.id, model.version_no, model.created_by_id).where(model.id.in_(ids[subject_type]))
            ):
                subjects[(subject_type, sid)] = (version_no, author_id)
    items = []
    for approval, number in rows:
        version_no, author_id = subjects.get((approval.subject_type, approval.subject_id), (None, None))
        refusal = approval_services.refusal_reason(approval, current_user, author_id=author_id)
        items.append(
            {
                "approval": approval,
                "case_number": number,
                "version_no": version_no,
                "waiting_days": (local_today() - to_local(approval.requested_at).date()).days,
                "url": _subject_url(approval),
                "refusal": approval_services.REFUSALS.get(refusal) or _decided_on_its_page(approval),
                "form": DecisionForm(formdata=None, approval_id=approval.id, next=url_for("plans.approvals"))
                if refusal is None and not _decided_on_its_page(approval)
                else None,
            }
        )
    return items


def _decided_on_its_page(approval):
    """A closure is decided on its own page, where its checklist and the worker's reasons are read."""
    if approval.subject_type == ApprovalSubject.CLOSURE:
        return _l("Open the request to read its checklist before deciding.")
    return None


def _subject_url(approval):
    if approval.subject_type == ApprovalSubject.ASSESSMENT:
        return url_for("plans.assessment", case_id=approval.case_id, assessment_id=approval.subject_id)
    if approval.subject_type == ApprovalSubject.PLAN:
        return url_for("plans.plan", case_id=approval.case_id, plan_id=approval.subject_id)
    if (
        approval.subject_type == ApprovalSubject.CLOSURE
    ):  # the request, its summary and the decision (cases.workflow.views)
        return url_for("cases.closure_page", case_id=approval.case_id)
    return url_for("cases.show", case_id=approval.case_id, section="assessment-plan")


@bp.get("/approvals")
@requires(Perm.APPROVE)
def approvals():
    rows = db.session.execute(approval_services.pending_for_facility(current_user)).unique().all()
    details = queries.queue_items(current_user, [approval for approval, _number in rows])
    audit_clients_listed([d.client.id for d in details.values() if d.client], by=current_user)
    return render_template("plans/approvals.html", items=_subject_rows(rows), details=details, labels=labels)


@bp.post("/approvals/<id:approval_id>/decide")
@requires(Perm.APPROVE)
def decide(approval_id):
    approval = db.session.scalar(
        sa.select(Approval)
        .join(Case, Case.id == Approval.case_id)
        .where(Approval.id == approval_id, case_scope(current_user))
    )
    if approval is None:
        abort(404)
    form = DecisionForm(approval_id=approval.id)
    back = safe_next(form.next.data) or url_for("plans.approvals")
    if not form.validate() or not (form.approve.data or form.send_back.data):
        flash(_l("Choose to approve or to return, with a comment when returning."), "error")
        return redirect(back)
    try:
        with refusal_flashed(passes=approval_services.ApprovalRefused) as saved:
            approval_services.decide(
                approval, approve=bool(form.approve.data), comment=form.comment.data, by=current_user
            )
    except approval_services.ApprovalRefused as error:
        keep_despite_error()  # the refusal is in the audit trail
        return render_template("plans/refused.html", message=str(error), back=back), 403
    if not saved:
        return redirect(back)
    flash(_l("Approved.") if form.approve.data else _l("Returned with your comment."), "success")
    return redirect(back)
