"""Flat snapshots of an assessment or a plan, to say what changed: between two versions (the
assessment page) and between the row a user started editing and the row as it is now (a stale save).
Pure functions: no query, no request.

A snapshot is a flat dict of JSON values: "domains.safety.situation", "risk_level", "safety.injuries",
"blocks.health.illnesses" (an assessment stored before the blocks existed has them empty), "goals.1", "activities.2", "safety_plan.steps" … so a hidden form field can carry it.
"""

import json
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ..core import categories as cat
from ..core.timeutil import format_date
from .blocks import BLOCKS, BLOCKS_BY_CODE, block_title, field_label, value_label

DOMAIN_FIELDS = ("situation", "need_level", "strengths", "client_view")
DOMAIN_FIELD_LABELS = {
    "situation": _l("Situation"),
    "need_level": _l("Need level"),
    "strengths": _l("Strengths"),
    "client_view": _l("Client's own view"),
}
SAFETY_PLAN_FIELDS = ("warning_signs", "safe_places", "contacts", "steps")
SAFETY_PLAN_LABELS = {
    "warning_signs": _l("Warning signs"),
    "safe_places": _l("Safe places"),
    "contacts": _l("Emergency contacts"),
    "steps": _l("Steps to take when in danger"),
}
SAFETY_PLAN = _l("Safety plan")
ANSWERS = {"yes": _l("Yes"), "no": _l("No"), "unknown": _l("Not known")}
ACTIVITY_STATUSES = {
    "planned": lazy_pgettext("plan activity", "Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
TOP_LABELS = {
    "risk_level": _l("Overall risk level"),
    "risk_reasons": _l("Reasons for the risk level"),
    "client_view": _l("Client's view of the assessment"),
    "review_due_on": _l("Plan review date"),
    "client_participation": _l("Client participation"),
    "guardian_participated": _l("The guardian took part"),
    "assessment_id": _l("Assessment the plan is based on"),
}


def _text(value):
    return (value or "").strip()


def _iso(value):
    return value.isoformat() if isinstance(value, date) else (value or None)


def assessment_snapshot(assessment=None, *, data=None):
    """From a stored Assessment, or from the data dict the services take."""
    if data is None:
        data = {
            "domains": assessment.domains or {},
            "risk_level": assessment.risk_level,
            "risk_reasons": assessment.risk_reasons,
            "client_view": assessment.client_view,
            "safety": assessment.safety or {},
            "blocks": assessment.blocks or {},
        }
    snap = {}
    blocks = data.get("blocks") or {}
    for block in BLOCKS:
        values = blocks.get(block.code) or {}
        for f in block.fields:
            snap[f"blocks.{block.code}.{f.code}"] = _text(values.get(f.code))
    domains = data.get("domains") or {}
    for domain in cat.NEED_DOMAINS:
        values = domains.get(domain.code) or {}
        for name in DOMAIN_FIELDS:
            snap[f"domains.{domain.code}.{name}"] = _text(values.get(name))
    snap["risk_level"] = data.get("risk_level") or ""
    snap["risk_reasons"] = _text(data.get("risk_reasons"))
    snap["client_view"] = _text(data.get("client_view"))
    safety = data.get("safety") or {}
    for question in cat.SAFETY_QUESTIONS:
        snap[f"safety.{question.code}"] = safety.get(question.code) or ""
    return snap


def _goal_value(goal):
    return {
        "need_domain": goal.get("need_domain") or "",
        "description": _text(goal.get("description")),
        "target_on": _iso(goal.get("target_on")),
    }


def _activity_value(activity):
    return {
        "goal": activity.get("goal"),
        "service_type": activity.get("service_type") or "",
        "description": _text(activity.get("description")),
        "responsible_user_id": activity.get("responsible_user_id"),
        "responsible_org": _text(activity.get("responsible_org")),
        "start_on": _iso(activity.get("start_on")),
        "due_on": _iso(activity.get("due_on")),
        "status": activity.get("status") or "planned",
    }


def plan_data(plan):
    """A stored CarePlan (goals and activities loaded) as the data dict the services take."""
    goal_index = {goal.id: i for i, goal in enumerate(plan.goals, start=1)}
    return {
        "review_due_on": plan.review_due_on,
        "client_participation": plan.client_participation or "",
        "guardian_participated": bool(plan.guardian_participated),
        "safety_plan": dict(plan.safety_plan or {}),
        "goals": [
            {"need_domain": g.need_domain, "description": g.description, "target_on": g.target_on} for g in plan.goals
        ],
        "activities": [
            {
                "goal": goal_index.get(a.goal_id),
                "service_type": a.service_type,
                "description": a.description,
                "responsible_user_id": a.responsible_user_id,
                "responsible_org": a.responsible_org or "",
                "start_on": a.start_on,
                "due_on": a.due_on,
                "status": a.status,
            }
            for a in plan.activities
        ],
    }


def plan_snapshot(plan=None, *, data=None):
    data = plan_data(plan) if data is None else data
    snap = {
        "review_due_on": _iso(data.get("review_due_on")),
        "client_participation": _text(data.get("client_participation")),
        "guardian_participated": bool(data.get("guardian_participated")),
    }
    safety_plan = data.get("safety_plan") or {}
    for name in SAFETY_PLAN_FIELDS:
        snap[f"safety_plan.{name}"] = _text(safety_plan.get(name))
    for i, goal in enumerate(data.get("goals") or (), start=1):
        snap[f"goals.{i}"] = _goal_value(goal)
    for i, activity in enumerate(data.get("activities") or (), start=1):
        snap[f"activities.{i}"] = _activity_value(activity)
    return snap


def dumps(snapshot):
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text):
    """A snapshot sent back by the browser; None if it is missing or not one of ours."""
    try:
        value = json.loads(text or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _empty(value):
    return value in (None, "", False, {}, [])


def changed_keys(old, new):
    """Keys whose value differs, in a stable reading order (the order of `new`, then removed ones)."""
    keys = list(new) + [k for k in old if k not in new]
    return [k for k in keys if old.get(k) != new.get(k) and not (_empty(old.get(k)) and _empty(new.get(k)))]


def _category(categories, code):
    return cat.label(categories, code) if code else ""


def label(key):
    """A field's name for people, in the current language."""
    parts = key.split(".")
    if parts[0] == "domains" and len(parts) == 3:
        return f"{_category(cat.NEED_DOMAINS, parts[1])} — {DOMAIN_FIELD_LABELS.get(parts[2], parts[2])}"
    if parts[0] == "safety" and len(parts) == 2:
        return _category(cat.SAFETY_QUESTIONS, parts[1])
    if parts[0] == "blocks" and len(parts) == 3 and parts[1] in BLOCKS_BY_CODE:
        return f"{block_title(parts[1])} — {field_label(parts[1], parts[2])}"
    if parts[0] == "safety_plan" and len(parts) == 2:
        return f"{SAFETY_PLAN} — {SAFETY_PLAN_LABELS.get(parts[1], parts[1])}"
    if parts[0] == "goals" and len(parts) == 2:
        return str(_l("Goal %(n)s", n=parts[1]))
    if parts[0] == "activities" and len(parts) == 2:
        return str(_l("Activity %(n)s", n=parts[1]))
    return str(TOP_LABELS.get(key, key))


def _date_text(value):
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def display(key, value, *, users=None):
    """A snapshot value as text for people (category labels, dd/mm/yyyy dates, yes/no)."""
    users = users or {}
    parts = key.split(".")
    if _empty(value) and value is not False:
        return "—"
    if parts[0] == "domains" and parts[-1] == "need_level":
        return _category(cat.NEED_LEVELS, value)
    if key == "risk_level":
        return _category(cat.RISK_LEVELS, value)
    if parts[0] == "safety":
        return str(ANSWERS.get(value, value))
    if parts[0] == "blocks" and len(parts) == 3:
        return value_label(parts[1], parts[2], value)
    if key == "review_due_on":
        return _date_text(value)
    if key == "guardian_participated":
        return str(_l("Yes") if value else _l("No"))
    if parts[0] == "goals" and isinstance(value, dict):
        text = f"{_category(cat.NEED_DOMAINS, value.get('need_domain'))}: {value.get('description') or ''}"
        if value.get("target_on"):
            text += " (" + str(_l("by %(date)s", date=_date_text(value["target_on"]))) + ")"
        return text
    if parts[0] == "activities" and isinstance(value, dict):
        who = users.get(value.get("responsible_user_id")) or value.get("responsible_org") or ""
        bits = [_category(cat.SERVICE_TYPES, value.get("service_type")), value.get("description") or ""]
        if who:
            bits.append(who)
        dates = " – ".join(filter(None, (_date_text(value.get("start_on")), _date_text(value.get("due_on")))))
        if dates:
            bits.append(dates)
        bits.append(str(ACTIVITY_STATUSES.get(value.get("status"), value.get("status") or "")))
        return "; ".join(b for b in bits if b)
    return str(value)


def describe_changes(old, new, *, users=None):
    """[(label, value now)] for each changed key: what the page shows when a save was stale."""
    return [(label(k), display(k, new.get(k), users=users)) for k in changed_keys(old, new)]


__all__ = [
    "assessment_snapshot",
    "plan_snapshot",
    "plan_data",
    "dumps",
    "loads",
    "changed_keys",
    "label",
    "display",
    "describe_changes",
    "DOMAIN_FIELDS",
    "DOMAIN_FIELD_LABELS",
    "SAFETY_PLAN_FIELDS",
    "SAFETY_PLAN_LABELS",
    "ANSWERS",
    "ACTIVITY_STATUSES",
]
