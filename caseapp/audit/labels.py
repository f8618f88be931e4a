"""What the audit log shows a supervisor: every kind of event named in words, and its details written
as a sentence instead of codes and JSON.

One row per kind of event that the code records (audit.services.record / record_security_event);
tests/audit/test_event_labels.py reads the code and fails on a kind that has no row here. A kind's
sentence names details of the event by their keys (``%(case_id)s``); the details it does not name are
added as "label: value" when DETAIL_LABELS knows them. Nothing is looked up: the sentence shows only
what the event itself holds (never a name behind an id), so the page shows no more than the raw
details did.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class EventKind:
    label: LazyString
    sentence: LazyString | None = None  # %(key)s: a value of the event's details


EVENT_KINDS: dict[str, EventKind] = {
    "login_ok": EventKind(_l("Signed in successfully")),
    "login_failed": EventKind(_l("Sign-in failed")),
    "login_throttled": EventKind(_l("Sign-in refused: too many attempts")),
    "logout": EventKind(_l("Signed out")),
    "session_expired": EventKind(_l("Session ended after inactivity")),
    "session_ended": EventKind(_l("Session ended")),
    "other_sessions_ended": EventKind(_l("Other sessions ended")),
    "user_sessions_ended": EventKind(_l("A user's sessions ended")),
    "all_sessions_ended": EventKind(_l("All sessions ended")),
    "permission_denied": EventKind(
        _l("Access refused"), _l("Refused on page %(endpoint)s (permission needed: %(need)s).")
    ),
    "password_changed": EventKind(_l("Password changed")),
    "password_reset": EventKind(_l("Password reset by an administrator")),
    "user_created": EventKind(_l("User created"), _l("Role: %(role)s.")),
    "user_updated": EventKind(_l("User changed")),
    "user_deactivated": EventKind(_l("User deactivated")),
    "login_second_factor_ok": EventKind(_l("Second sign-in step passed"), _l("Method: %(method)s.")),
    "login_second_factor_failed": EventKind(_l("Second sign-in step failed")),
    "recovery_code_used": EventKind(_l("Recovery code used"), _l("%(left)s codes left.")),
    "recovery_codes_regenerated": EventKind(_l("Recovery codes made again")),
    "two_factor_enrolment_started": EventKind(_l("Two-step sign-in set-up started")),
    "two_factor_enrolled": EventKind(_l("Two-step sign-in set up")),
    "two_factor_reset": EventKind(_l("Two-step sign-in reset")),
    "two_factor_replaced": EventKind(_l("Authenticator replaced")),
    "two_factor_replacement_started": EventKind(_l("Authenticator replacement started")),
    "two_factor_replacement_cancelled": EventKind(_l("Authenticator replacement cancelled")),
    "two_factor_roles_changed": EventKind(_l("Roles that must use two-step sign-in changed")),
    "installation_set_up": EventKind(_l("System installed")),
    "facility_created": EventKind(_l("Facility created")),
    "facility_updated": EventKind(_l("Facility changed")),
    "client_created": EventKind(_l("Client registered")),
    "client_updated": EventKind(_l("Client details changed")),
    "client_viewed": EventKind(_l("Client's details opened")),
    "client_lookup": EventKind(_l("Client search")),
    "clients_listed": EventKind(_l("List of clients shown")),
    "clients_created": EventKind(_l("Clients registered"), _l("%(count)s clients.")),
    "clients_merge_viewed": EventKind(_l("Duplicate clients compared")),
    "clients_merged": EventKind(_l("Duplicate clients merged")),
    "client_anonymised": EventKind(_l("Client anonymised")),
    "client_data_exported": EventKind(_l("Client's data exported"), _l("Format: %(format)s.")),
    "data_request_recorded": EventKind(_l("Data request recorded")),
    "data_request_handled": EventKind(_l("Data request handled")),
    "identity_match_requested": EventKind(_l("Identity check requested")),
    "identity_match_handled": EventKind(_l("Identity check handled")),
    "consent_recorded": EventKind(_l("Consent recorded"), _l("Purpose: %(purpose)s.")),
    "consent_withdrawn": EventKind(_l("Consent withdrawn"), _l("Purpose: %(purpose)s.")),
    "family_member_added": EventKind(_l("Family member added")),
    "family_member_updated": EventKind(_l("Family member changed")),
    "family_member_removed": EventKind(_l("Family member removed")),
    "intake_created": EventKind(_l("Intake recorded")),
    "intake_updated": EventKind(_l("Intake changed")),
    "intake_viewed": EventKind(_l("Intake opened")),
    "case_opened": EventKind(_l("Case opened")),
    "case_viewed": EventKind(_l("Case opened for reading")),
    "case_details_updated": EventKind(_l("Case details changed")),
    "case_note_added": EventKind(_l("Case note added"), _l("A note of %(length)s characters.")),
    "case_contact_added": EventKind(_l("Contact with the client recorded")),
    "case_status_changed": EventKind(_l("Case status changed"), _l("From %(from)s to %(to)s.")),
    "case_reassigned": EventKind(_l("Case reassigned")),
    "case_intake_completed": EventKind(_l("Case intake completed")),
    "case_closed": EventKind(_l("Case closed")),
    "case_closure_viewed": EventKind(_l("Case closure opened")),
    "case_reopened": EventKind(_l("Case reopened")),
    "closure_requested": EventKind(_l("Closure sent for approval")),
    "case_flagged": EventKind(_l("Case flagged")),
    "case_flag_resolved": EventKind(_l("Case flag resolved")),
    "case_shared": EventKind(_l("Case shared with a user")),
    "case_access_restricted": EventKind(_l("Access to the case restricted")),
    "case_access_revoked": EventKind(_l("Access to the case withdrawn")),
    "case_access_reviewed": EventKind(_l("Access to the case reviewed")),
    "case_access_log_viewed": EventKind(_l("Case access log opened")),
    "case_break_glass": EventKind(_l("Emergency access to the case"), _l("For %(hours)s hours.")),
    "case_conference_recorded": EventKind(_l("Case conference recorded")),
    "supervision_session_recorded": EventKind(_l("Supervision session recorded")),
    "assessment_created": EventKind(_l("Needs assessment started"), _l("Case %(case_id)s, version %(version_no)s.")),
    "assessment_updated": EventKind(_l("Needs assessment changed"), _l("Case %(case_id)s, version %(version_no)s.")),
    "assessment_submitted": EventKind(
        _l("Needs assessment completed"), _l("Case %(case_id)s, version %(version_no)s.")
    ),
    "assessment_viewed": EventKind(_l("Needs assessment opened"), _l("Case %(case_id)s, version %(version_no)s.")),
    "plan_created": EventKind(_l("Intervention plan drawn up"), _l("Case %(case_id)s, version %(version_no)s.")),
    "plan_updated": EventKind(_l("Intervention plan changed"), _l("Case %(case_id)s, version %(version_no)s.")),
    "plan_superseded": EventKind(
        _l("Intervention plan replaced by a new version"), _l("Case %(case_id)s, version %(version_no)s.")
    ),
    "plan_viewed": EventKind(_l("Intervention plan opened"), _l("Case %(case_id)s, version %(version_no)s.")),
    "goal_outcome_recorded": EventKind(
        _l("Outcome of a plan goal recorded"),
        _l("Case %(case_id)s, plan version %(version_no)s: outcome %(outcome)s."),
    ),
    "approval_requested": EventKind(_l("Sent for approval")),
    "approval_decided": EventKind(_l("Approval decided")),
    "approval_refused": EventKind(_l("Returned for changes")),
    "follow_up_scheduled": EventKind(_l("Follow-up scheduled")),
    "follow_up_rescheduled": EventKind(_l("Follow-up rescheduled")),
    "follow_up_done": EventKind(_l("Follow-up done")),
    "follow_up_cancelled": EventKind(_l("Follow-up cancelled")),
    "referral_sent": EventKind(_l("Referral sent")),
    "referral_accepted": EventKind(_l("Referral accepted")),
    "referral_declined": EventKind(_l("Referral declined")),
    "referral_completed": EventKind(_l("Referral completed")),
    "referral_revoked": EventKind(_l("Referral revoked")),
    "referral_viewed": EventKind(_l("Referral opened")),
    "referral_escalated": EventKind(_l("Referral answer overdue: supervisor told")),
    "referral_consent_override": EventKind(_l("Referral sent without the client's consent")),
    "provider_created": EventKind(_l("Service provider added")),
    "provider_proposed": EventKind(_l("Service provider proposed")),
    "provider_approved": EventKind(_l("Service provider approved")),
    "provider_rejected": EventKind(_l("Service provider rejected")),
    "provider_updated": EventKind(_l("Service provider changed")),
    "transfer_requested": EventKind(_l("Case transfer requested")),
    "transfer_accepted": EventKind(_l("Case transfer accepted")),
    "transfer_declined": EventKind(_l("Case transfer declined")),
    "transfer_cancelled": EventKind(_l("Case transfer cancelled")),
    "transfer_requests_viewed": EventKind(_l("Case transfer requests opened")),
    "attachment_uploaded": EventKind(_l("Document attached")),
    "attachment_downloaded": EventKind(_l("Document downloaded")),
    "attachment_unreadable": EventKind(_l("Document could not be read")),
    "document_generated": EventKind(_l("Document printed"), _l("Kind: %(kind)s.")),
    "shelter_admitted": EventKind(_l("Admitted to the shelter")),
    "shelter_admission_resubmitted": EventKind(_l("Shelter admission sent again")),
    "stay_bed_assigned": EventKind(_l("Bed assigned")),
    "stay_extended": EventKind(_l("Stay extended"), _l("By %(days)s days.")),
    "stay_checked_out": EventKind(_l("Left the shelter")),
    "bed_board_viewed": EventKind(_l("Bed board opened")),
    "beds_added": EventKind(_l("Beds added"), _l("%(count)s beds.")),
    "bed_activated": EventKind(_l("Bed put back in use")),
    "bed_deactivated": EventKind(_l("Bed taken out of use")),
    "room_created": EventKind(_l("Room added"), _l("%(beds)s beds.")),
    "reminder_escalated": EventKind(_l("Overdue reminder sent to supervisors")),
    "retention_due_announced": EventKind(_l("Records due for deletion announced")),
    "mail_preferences_changed": EventKind(_l("E-mail settings changed")),
    "mail_requeued": EventKind(_l("Failed e-mails sent again"), _l("%(count)s e-mails.")),
    "register_exported": EventKind(_l("Register exported")),
    "register_import_read": EventKind(_l("Register file read for import")),
    "register_import_queued": EventKind(_l("Register import queued"), _l("%(rows)s rows.")),
    "register_import_viewed": EventKind(_l("Register import opened")),
    "register_import_row_settled": EventKind(_l("Row of a register import settled"), _l("Row %(row)s.")),
    "register_import_committed": EventKind(_l("Register import saved")),
    "register_import_undone": EventKind(_l("Register import undone")),
    "register_import_errors_downloaded": EventKind(_l("Errors of a register import downloaded")),
    "membership_added": EventKind(_l("Member added to a group")),
    "membership_changed": EventKind(_l("Group membership changed")),
    "membership_viewed": EventKind(_l("Group membership opened")),
    "memberships_added": EventKind(_l("Members added to groups"), _l("%(count)s members.")),
    "report_exported": EventKind(_l("Report exported"), _l("Format: %(format)s.")),
    "report_export_queued": EventKind(_l("Report export queued")),
    "report_export_unreadable": EventKind(_l("Exported report could not be read")),
    "report_drilldown_viewed": EventKind(_l("People behind a report figure listed")),
    "report_frozen": EventKind(_l("Report figures locked")),
    "report_reopened": EventKind(_l("Report figures unlocked")),
    "report_settings_changed": EventKind(_l("Report settings changed")),
    "report_deadline_created": EventKind(_l("Report deadline added")),
    "report_deadline_changed": EventKind(_l("Report deadline changed")),
    "report_deadline_stopped": EventKind(_l("Report deadline stopped")),
    "report_deadline_restarted": EventKind(_l("Report deadline restarted")),
    "report_deadline_sent": EventKind(_l("Report sent")),
    "reference_value_set": EventKind(_l("Reference figure entered")),
    "reference_value_confirmed": EventKind(_l("Reference figure confirmed")),
    "commune_group_created": EventKind(_l("Group of communes created")),
    "commune_group_changed": EventKind(_l("Group of communes changed")),
    "commune_group_deleted": EventKind(_l("Group of communes deleted")),
    "yearly_report_drafted": EventKind(_l("Yearly report drafted"), _l("Year %(year)s.")),
    "yearly_report_edited": EventKind(_l("Yearly report changed")),
    "yearly_report_issued": EventKind(_l("Yearly report issued"), _l("Year %(year)s, number %(number)s.")),
    "stored_files_rekeyed": EventKind(_l("Stored files encrypted with a new key")),
    "training_course_created": EventKind(_l("Training course recorded"), _l("Year %(year)s.")),
    "training_course_changed": EventKind(_l("Training course changed")),
    "training_course_deleted": EventKind(_l("Training course removed"), _l("Year %(year)s.")),
    "training_participants_added": EventKind(
        _l("Participants added to a training course"), _l("%(member_ids)s people added.")
    ),
    "training_participant_changed": EventKind(_l("Attendance or certificate of a participant changed")),
    "training_participant_removed": EventKind(_l("Participant taken off a training course")),
    "training_member_added": EventKind(_l("Person added to the workforce register from a training course")),
    "communication_activity_created": EventKind(_l("Communication activity recorded"), _l("Year %(year)s.")),
    "communication_activity_changed": EventKind(_l("Communication activity changed")),
    "communication_activity_deleted": EventKind(_l("Communication activity removed"), _l("Year %(year)s.")),
    "workforce_agency_created": EventKind(_l("Agency added to the workforce register")),
    "workforce_agency_changed": EventKind(_l("Agency of the workforce register changed")),
    "workforce_agency_deactivated": EventKind(_l("Agency of the workforce register deactivated")),
    "workforce_agency_reactivated": EventKind(_l("Agency of the workforce register made active again")),
    "workforce_member_created": EventKind(_l("Person added to the workforce register")),
    "workforce_member_changed": EventKind(_l("Person's record in the workforce register changed")),
    "workforce_member_ended": EventKind(_l("Person's post ended"), _l("Last day in the post: %(to_date)s.")),
    "workforce_member_viewed": EventKind(_l("Person's record in the workforce register opened")),
}

# The details a sentence may name "label: value"; the others (hashes, internal keys) stay in the
# technical details of the event.
DETAIL_LABELS: dict[str, LazyString] = {
    "case_id": _l("Case"),
    "version_no": _l("Version"),
    "fields": _l("Fields changed"),
    "reason": _l("Reason"),
    "from": _l("Before the change"),
    "to": _l("After the change"),
    "count": _l("How many"),
    "kind": _l("Kind"),
    "format": _l("Format"),
    "year": _l("Year"),
    "period_start": _l("Period from"),
    "period_end": _l("Period to"),
    "urgency": _l("Urgency"),
    "role": _l("Role"),
    "method": _l("Method"),
    "outcome": _l("Outcome"),
    "for": _l("Purpose"),
    "purpose": _l("Purpose"),
    "left": _l("Codes left"),
    "endpoint": _l("Page"),
    "need": _l("Permission needed"),
    "length": _l("Length (characters)"),
    "client_ids": _l("Number of clients"),
    "case_ids": _l("Number of cases"),
    "client_id": _l("Client"),
    "request_id": _l("Request"),
    "transfer_id": _l("Transfer"),
    "grant_id": _l("Access grant"),
    "provider_id": _l("Service provider"),
    "subject_type": _l("Approved record"),
    "subject_id": _l("Record number"),
    "status": _l("Status"),
    "active": _l("Active"),
    "days": _l("Days"),
    "hours": _l("Hours"),
    "children": _l("Children"),
    "due_at": _l("Due"),
    "due": _l("Due"),
    "done_at": _l("Done on"),
    "contacted_at": _l("Contacted on"),
    "expires_at": _l("Ends"),
    "risk_level": _l("Risk level"),
    "case_type": _l("Case type"),
    "decision": _l("Decision"),
    "channel": _l("Channel"),
    "page": _l("Page"),
    "name": _l("Name"),
    "title": _l("Title"),
    "number": _l("Document number"),
    "issued_on": _l("Issued on"),
    "sent_on": _l("Sent on"),
    "rows": _l("Number of rows"),
    "row": _l("Row"),
    "file": _l("File"),
    "destination": _l("Destination"),
    "goals": _l("Number of goals"),
    "activities": _l("Number of activities"),
    "overridden": _l("Checklist items overridden"),
    "identity_unknown": _l("Identity unknown"),
    "was_incomplete": _l("Was incomplete"),
    "urgent": _l("Urgent"),
    "consent": _l("Consent"),
    "service_type": _l("Service"),
    "side": _l("Side"),
    "via": _l("Through"),
    "size": _l("Size (bytes)"),
    "content_type": _l("File type"),
    "sessions": _l("Sessions"),
    "background": _l("In the background"),
    "province": _l("Province"),
    "commune": _l("Commune"),
    "group": _l("Group"),
    "value": _l("Value"),
    "old": _l("Previous value"),
    "before": _l("Before"),
    "after": _l("After"),
}

# The kinds of record an event is about, by table.
RECORD_LABELS: dict[str, LazyString] = {
    "cases": _l("Case"),
    "clients": _l("Client"),
    "client": _l("Client"),
    "users": _l("User"),
    "facilities": _l("Facility"),
    "referrals": _l("Referral"),
    "assessments": _l("Needs assessment"),
    "care_plans": _l("Intervention plan"),
    "plan_goals": _l("Goal of an intervention plan"),
    "approvals": _l("Approval"),
    "attachments": _l("Attached document"),
    "follow_ups": _l("Follow-up"),
    "intakes": _l("Intake"),
    "shelter_stays": _l("Shelter stay"),
    "beds": _l("Bed"),
    "rooms": _l("Room"),
    "transfers": _l("Case transfer"),
    "providers": _l("Service provider"),
    "consents": _l("Consent"),
    "family_members": _l("Family member"),
    "data_subject_requests": _l("Data request"),
    "import_batches": _l("Register import"),
    "mail_outbox": _l("E-mail"),
    "report_deadlines": _l("Report deadline"),
    "yearly_reports": _l("Yearly report"),
    "commune_groups": _l("Group of communes"),
    "case_flags": _l("Case flag"),
    "case_access_grants": _l("Access grant"),
    "case_conferences": _l("Case conference"),
    "supervision_sessions": _l("Supervision session"),
    "group_memberships": _l("Group membership"),
    "report_snapshots": _l("Locked report figures"),
    "report_reference_values": _l("Reference figure"),
    "identity_match_requests": _l("Identity check"),
    "reminders": _l("Reminder"),
    "training_courses": _l("Training course"),
    "communication_activities": _l("Communication activity"),
    "workforce_agencies": _l("Agency of the workforce register"),
    "workforce_members": _l("Person of the workforce register"),
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def kind_label(action: str) -> str:
    """The kind's name in words; the code itself for a kind of an older version that has no row."""
    kind = EVENT_KINDS.get(action)
    return str(kind.label) if kind is not None else action


def record_label(entity_type: str | None) -> str:
    if not entity_type:
        return ""
    label = RECORD_LABELS.get(entity_type)
    return str(label) if label is not None else entity_type


def describe(action: str, detail: Mapping[str, Any] | None) -> str:
    """The event's details as one sentence: its kind's sentence, when the details hold every value it
    names, then the other details DETAIL_LABELS names, as "label: value"."""
    detail = detail if isinstance(detail, Mapping) else {}
    parts: list[str] = []
    named: set[str] = set()
    kind = EVENT_KINDS.get(action)
    if kind is not None and kind.sentence is not None:
        keys = set(_PLACEHOLDER.findall(str(kind.sentence)))
        if keys <= detail.keys():
            parts.append(str(kind.sentence) % {key: _shown(key, detail[key]) for key in keys})
            named = keys
    parts += [
        f"{DETAIL_LABELS[key]}: {_shown(key, value)}."
        for key, value in detail.items()
        if key in DETAIL_LABELS and key not in named and _shown(key, value) != ""
    ]
    return " ".join(parts)


def _shown(key: str, value: Any) -> str:
    """A detail's value in words: yes/no, a count of the records behind a list of ids, a list joined."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        if key.endswith("_ids"):
            return str(len(value))
        return ", ".join(str(item) for item in value if not isinstance(item, dict | list))
    if isinstance(value, dict) or value is None:
        return ""
    return str(value)
