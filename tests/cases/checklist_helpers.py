"""For tests that close a case on the way to something else: a reason for every loose end of the
closure checklist that can be overridden (cases.workflow.checklist)."""

from caseapp.cases.workflow.checklist import loose_ends
from caseapp.cases.workflow.forms import OVERRIDE_PREFIX

REASON = "Đã trao đổi với gia đình; không cần theo dõi thêm"


def explain_all(case_id, reason=REASON):
    """{LooseEnd.key: reason} — the `overrides` of closure.request_closure."""
    return {item.key: reason for item in loose_ends(case_id) if item.overridable}


def with_reasons(case_id, data, reason=REASON):
    """The closure form's data with a reason typed for every loose end."""
    return {**data, **{OVERRIDE_PREFIX + key: text for key, text in explain_all(case_id, reason).items()}}
