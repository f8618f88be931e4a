"""The caseload's part of the case page (the supervision section and its forms) and the facility
list's bulk-reassign form: shared by cases.page, cases.views and this sub-domain's views."""

from datetime import timedelta

from flask_login import current_user

from ...core.timeutil import local_today
from ...security.policy import Capability, Perm, has_perm
from ...security.rules import can_be_given
from . import services as cl
from .forms import BulkReassignForm, FlagForm, ReassignForm, ResolveFlagForm


def bulk_reassign_form(workers):
    """The facility list's reassign form, for a supervisor (None for anyone else). `workers` are the
    list's worker-filter accounts, already loaded: the active social workers and shelter staff among them."""
    if workers is None or not has_perm(current_user, Perm.REVIEW_CASELOAD):
        return None
    choices = [w for w in workers if can_be_given(w, w.facility_id, Capability.HOLDS_CASELOAD)]
    return BulkReassignForm(formdata=None, workers=choices)


def _resolve_prefix(flag_id):
    return f"flag{flag_id}"


def flags_section(case, user, *, reassign_form=None, flag_form=None, resolve_form=None, resolve_flag_id=None):
    """The case page's supervision section with its forms (those given keep what the user typed)."""
    section = cl.case_section(case, user)
    if section.can_review:
        section.reassign_form = reassign_form or ReassignForm(
            formdata=None, workers=section.workers, worker=str(case.assigned_worker_id or "")
        )
        section.flag_form = flag_form or FlagForm(
            formdata=None,
            workers=section.workers,
            to_worker=str(case.assigned_worker_id or ""),
            due_on=local_today() + timedelta(days=7),
        )
    section.resolve_forms = {
        f.id: (
            resolve_form
            if resolve_form is not None and f.id == resolve_flag_id
            else ResolveFlagForm(formdata=None, prefix=_resolve_prefix(f.id))
        )
        for f in section.open_flags
        if section.can_resolve(f)
    }
    return section
