"""'Việc cần làm': the user's due items (deadlines.items), grouped overdue / within 7 days / later, the first few of each group and "more" a page at a time (deadlines.tasks: ?group=…&after=…).
Supervisors may open the list of a worker of their facility (?worker=<id>) and the items of cases
nobody is assigned to (?worker=unassigned)."""

from flask import abort, render_template, request
from flask_login import current_user

from ..clients.reads import audit_cases_listed
from ..core.timeutil import utcnow
from ..deadlines import items as deadlines
from ..deadlines import tasks as task_pages
from ..extensions import db
from ..security.policy import Perm, has_perm
from ..security.web import deny, requires
from . import queries
from .views import bp

UNASSIGNED = "unassigned"


@bp.get("/tasks")
@requires(Perm.VIEW_CASES)
def tasks():
    workers = None
    if has_perm(current_user, Perm.VIEW_FACILITY_CASES):  # supervisors: every case of the facility
        workers = db.session.scalars(queries.facility_workers(current_user)).all()
    chosen = (request.args.get("worker") or "").strip()
    worker = current_user
    if chosen and chosen != str(current_user.id):
        if workers is None:
            deny(Perm.VIEW_FACILITY_CASES.value)
        if chosen == UNASSIGNED:
            worker = None
        else:
            worker = next((w for w in workers if str(w.id) == chosen), None)
            if worker is None:
                abort(404)  # not a worker of the supervisor's facility
    now = utcnow()
    found = deadlines.unassigned_items(current_user) if worker is None else deadlines.user_items(current_user, worker)
    group = _chosen_group()
    pages = task_pages.task_pages(found.items, now, group=group, after=request.args.get("after"))
    # each item shown names its client
    audit_cases_listed([item.case_id for page in pages for item in page.items], by=current_user)
    return render_template(
        "cases/tasks.html",
        pages=pages,
        group=group,
        truncated=found.truncated,
        worker=worker,
        workers=workers,
        worker_arg=chosen or None,
        now=now,
        texts=deadlines.item_texts(),
        own=worker is not None and worker.id == current_user.id,
        unassigned=UNASSIGNED,
    )


def _chosen_group():
    """The one group asked for (?group=…), or None for the first page of every group."""
    try:
        return task_pages.TaskGroup((request.args.get("group") or "").strip())
    except ValueError:
        return None
