"""Every write of the reports: freezing a reporting period, re-opening it with a reason, the
reference data, and the groups of communes reports and reference data can be read by. Services take the acting user as `by=`, validate, write the audit event and flush;
the view commits once."""

import hashlib

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..core.services import ServiceError
from ..core.text import nfc
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..org.models import Commune
from ..security.policy import Perm, has_perm
from ..security.rules import can_manage_commune_group, reference_confirmation_refusal, same_facility
from . import exports, indicators, queries
from .models import CommuneGroup, ExportJob, ReferenceValue, ReportSettings, ReportSnapshot, SnapshotStatus

REASON_MIN = 10
REASON_MAX = 2000
SOURCE_MAX = 255


def _clean(text):
    return nfc((text or "").strip())


def snapshot_data(facility, period, now=None):
    """Every number of the facility's report for the period, with the reference data it used."""
    scope = queries.Scope("facility", facility_id=facility.id, province_code=facility.province_code)
    numbers = queries.statistics(scope, period, now=now)
    numbers["period"] = period.as_dict()
    numbers["facility"] = {"id": facility.id, "code": facility.code, "name": facility.name}
    numbers["reference"] = queries.reference_for(scope, period.year)
    return numbers


def freeze_report(facility, period, *, by, now=None):
    """Freeze the facility's statistics and indicators of the period: stored once, never recomputed."""
    if not same_facility(by, facility):
        raise ServiceError(_l("You can only freeze the report of your own facility."))
    now = now or utcnow()
    if period.start_utc >= now:
        raise ServiceError(_l("This period has not started yet."))
    if queries.frozen_snapshot(facility.id, period) is not None:
        raise ServiceError(_l("This period is already frozen for your facility. Re-open it first to freeze it again."))
    snapshot = ReportSnapshot(
        facility_id=facility.id,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        data=snapshot_data(facility, period, now=now),
        status="frozen",
        frozen_at=now,
        frozen_by_id=by.id,
    )
    try:
        with db.session.begin_nested():  # a failed insert leaves the session clean
            db.session.add(snapshot)
            db.session.flush()
    except sa.exc.IntegrityError:  # frozen meanwhile from another browser (ux_report_snapshots_one_frozen)
        raise ServiceError(
            _l("This period is already frozen for your facility. Re-open it first to freeze it again.")
        ) from None
    record(
        "report_frozen",
        by=by,
        entity=snapshot,
        detail={"period_start": period.start.isoformat(), "period_end": period.end.isoformat(), "kind": period.kind},
    )
    db.session.flush()
    return snapshot


def reopen_report(snapshot, reason, *, by, now=None):
    """Re-open a frozen report: the snapshot is kept (status reopened) with who, when and why."""
    if not same_facility(by, snapshot):
        raise ServiceError(_l("You can only re-open the report of your own facility."))
    if not snapshot.is_frozen:
        raise ServiceError(_l("This report has already been re-opened."))
    reason = _clean(reason)
    if len(reason) < REASON_MIN:
        raise ServiceError(
            _l("Say why the report is re-opened (at least %(n)d characters).", n=REASON_MIN), field="reason"
        )
    if len(reason) > REASON_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=REASON_MAX), field="reason")
    snapshot.status = SnapshotStatus.REOPENED
    snapshot.reopened_at = now or utcnow()
    snapshot.reopened_by_id = by.id
    snapshot.reopen_reason = reason
    record(
        "report_reopened",
        by=by,
        entity=snapshot,
        detail={
            "period_start": snapshot.period_start.isoformat(),
            "period_end": snapshot.period_end.isoformat(),
            "reason_length": len(reason),
        },
    )
    db.session.flush()
    return snapshot


def _reference_place(province_code, group, commune_code):
    """Refuse a place that is not of the province: a commune group or a commune of it, or None."""
    if group is not None and group.province_code != province_code:
        raise ServiceError(_l("Choose a group of communes of your province."), field="place")
    if commune_code is not None:
        commune = db.session.get(Commune, commune_code)
        if commune is None or commune.province_code != province_code:
            raise ServiceError(_l("Choose a commune of your province."), field="place")


def set_reference_value(province_code, year, key, value, source, *, by, group=None, commune_code=None):
    """Enter (or correct) one reference number of a year, with its source, for the province itself or
    for one of its commune groups or communes (queries.reference_for says which one a report uses).
    Entered by a holder of CONFIRM_REFERENCE_DATA (a supervisor) it is in force at once; otherwise it
    waits for a supervisor's confirmation (confirm_reference_value), and the number confirmed before
    stays in force until then."""
    if key not in indicators.REFERENCE_KEYS:
        raise ServiceError(_l("Choose what the number is."), field="key")
    if by.facility.province_code != province_code:
        raise ServiceError(_l("You can only enter reference data of your own province."))
    _reference_place(province_code, group, commune_code)
    if value is None or value < 0:
        raise ServiceError(_l("Give a number of zero or more."), field="value")
    if key.startswith("target_") and value > 1000:
        raise ServiceError(_l("A target is a percentage."), field="value")
    source = _clean(source)
    if not source:
        raise ServiceError(_l("Say where the number comes from."), field="source")
    if len(source) > SOURCE_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=SOURCE_MAX), field="source")
    group_id = group.id if group is not None else None
    row = queries.reference_values(province_code, year, group_id=group_id, commune_code=commune_code).get(key)
    old = None
    if row is None:
        row = ReferenceValue(
            province_code=province_code, commune_group_id=group_id, commune_code=commune_code, year=year, key=key
        )
        db.session.add(row)
    else:
        old = row.value
    row.value = float(value)
    row.source = source
    row.entered_by_id = by.id
    row.entered_at = utcnow()
    in_force = has_perm(by, Perm.CONFIRM_REFERENCE_DATA)
    if in_force:
        _put_in_force(row, by)
    db.session.flush()
    record(
        "reference_value_set",
        by=by,
        entity=row,
        detail={
            "province": province_code,
            "group": group_id,
            "commune": commune_code,
            "year": year,
            "key": key,
            "value": row.value,
            "old": old,
            "in_force": in_force,
        },
    )
    db.session.flush()
    return row


STALE_REFERENCE = _l("This number was entered again since you opened the page. Check it and confirm it again.")


def entry_stamp(row):
    """What tells one entry of a reference number from the next (its time, who, value and source): the
    confirmation page sends it back, so that a number entered again meanwhile is not confirmed unseen."""
    entry = f"{as_utc(row.entered_at).isoformat()}|{row.entered_by_id}|{row.value!r}|{row.source}"
    return hashlib.sha256(entry.encode()).hexdigest()[:16]


def confirm_reference_value(row, *, by, seen):
    """Put a reference number a reporter entered in force: a supervisor of its province confirms it,
    never the person who entered it (four eyes: rules.reference_confirmation_refusal). `seen`: the
    entry_stamp the page showed; an entry changed since is refused (STALE_REFERENCE)."""
    refusal = reference_confirmation_refusal(by, row)
    if refusal == "own_entry":
        raise ServiceError(_l("You entered this number: another supervisor confirms it."))
    if refusal is not None:
        raise ServiceError(_l("You may not confirm the reference numbers of this province."))
    if seen != entry_stamp(row):
        raise ServiceError(STALE_REFERENCE)
    if not row.is_pending:
        raise ServiceError(_l("This number is already in force."))
    old = row.confirmed_value
    _put_in_force(row, by)
    db.session.flush()
    record(
        "reference_value_confirmed",
        by=by,
        entity=row,
        detail={
            "province": row.province_code,
            "group": row.commune_group_id,
            "commune": row.commune_code,
            "year": row.year,
            "key": row.key,
            "value": row.value,
            "old": old,
            "entered_by": row.entered_by_id,
        },
    )
    db.session.flush()
    return row


def _put_in_force(row, by):
    row.confirmed_value, row.confirmed_source = row.value, row.source
    row.confirmed_by_id, row.confirmed_at = by.id, utcnow()


# --- commune groups --------------------------------------------------------------------------------------

GROUP_NAME_MAX = 128


def _group_name(province_code, name, group=None):
    """The group's name, cleaned; refused when empty, too long or already a group's of the province."""
    name = _clean(name)
    if not name:
        raise ServiceError(_l("Give the group a name."), field="name")
    if len(name) > GROUP_NAME_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=GROUP_NAME_MAX), field="name")
    others = sa.select(CommuneGroup.name).where(CommuneGroup.province_code == province_code)
    if group is not None:
        others = others.where(CommuneGroup.id != group.id)
    if name.casefold() in {other.casefold() for other in db.session.scalars(others)}:
        raise ServiceError(_l("Your province already has a group of communes of that name."), field="name")
    return name


def _group_communes(province_code, codes):
    """The communes chosen (at least one), every one of the province."""
    codes = sorted({code for code in codes or () if code})
    if not codes:
        raise ServiceError(_l("Choose the communes of the group."), field="communes")
    communes = db.session.scalars(
        sa.select(Commune).where(Commune.code.in_(codes), Commune.province_code == province_code)
    ).all()
    if len(communes) != len(codes):
        raise ServiceError(_l("Choose a commune of your province."), field="communes")
    return list(communes)


def _store_group(group, action, by):
    """Flush the group (its name unique in the province, whatever two browsers do) and audit it."""
    try:
        with db.session.begin_nested():
            db.session.add(group)
            db.session.flush()
    except sa.exc.IntegrityError:  # the same name saved meanwhile (uq_commune_groups_province_code_name)
        raise ServiceError(_l("Your province already has a group of communes of that name."), field="name") from None
    codes = [commune.code for commune in group.communes]
    record(action, by=by, entity=group, detail={"name": group.name, "communes": codes})
    db.session.flush()
    return group


def create_commune_group(name, commune_codes, *, by):
    """A new named group of communes of the user's province (a former district's communes)."""
    if not has_perm(by, Perm.MANAGE_COMMUNE_GROUPS):
        raise ServiceError(_l("You may not manage the groups of communes."))
    province_code = by.facility.province_code
    group = CommuneGroup(
        province_code=province_code,
        name=_group_name(province_code, name),
        communes=_group_communes(province_code, commune_codes),
        created_by_id=by.id,
        created_at=utcnow(),
    )
    return _store_group(group, "commune_group_created", by)


def update_commune_group(group, name, commune_codes, *, by):
    """Rename a group or change its communes (its reports and targets follow: they read the group)."""
    if not can_manage_commune_group(by, group):
        raise ServiceError(_l("You may not manage the groups of communes."))
    group.name = _group_name(group.province_code, name, group)
    group.communes = _group_communes(group.province_code, commune_codes)
    return _store_group(group, "commune_group_changed", by)


def delete_commune_group(group, *, by):
    """Delete a group and the reference numbers entered for it."""
    if not can_manage_commune_group(by, group):
        raise ServiceError(_l("You may not manage the groups of communes."))
    removed = db.session.execute(sa.delete(ReferenceValue).where(ReferenceValue.commune_group_id == group.id)).rowcount
    record("commune_group_deleted", by=by, entity=group, detail={"name": group.name, "reference_values": removed})
    db.session.delete(group)
    db.session.flush()


# --- report files made in the background ---------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx", "pdf", "docx")
EXPORT_PARAM_KEYS = ("kind", "year", "number", "date_from", "date_to", "scope", "commune", "group", "snapshot")


def enqueue_export(fmt, params, *, by):
    """Queue a report file for the scheduler's next tick (reports.jobs.run_export_jobs). The params are
    checked now, as the user may see them, so the job cannot fail on a refusal later."""
    if fmt not in EXPORT_FORMATS:
        raise ServiceError(_l("Choose a file format."))
    params = {k: str(v) for k, v in params.items() if k in EXPORT_PARAM_KEYS and v not in (None, "")}
    try:
        period = exports.source(by, params).period
    except LookupError:
        raise ServiceError(_l("This report is out of your reach.")) from None
    except ValueError as error:
        raise ServiceError(str(error)) from error
    job = ExportJob(
        user_id=by.id,
        facility_id=by.facility_id,
        fmt=fmt,
        params=params,
        label=str(period.label)[:128],
        status="queued",
        progress=0,
    )
    db.session.add(job)
    db.session.flush()
    record(
        "report_export_queued",
        by=by,
        entity=job,
        detail={"format": fmt, "period_start": period.start.isoformat(), "period_end": period.end.isoformat()},
    )
    db.session.flush()
    return job


# --- how the facility heads and signs its reports ---------------------------------------------------------

SETTINGS_FIELDS = ("parent_body", "abbreviation", "signer_authority", "signer_title", "signer_name", "recipients")
STALE_SETTINGS = _l("Someone else changed these settings since you opened them. Check them and save again.")


def save_report_settings(facility, data, *, by, seen_version):
    """The facility's report settings as the form gives them; refused when someone saved them since
    the form was opened (`seen_version`, 0 before the first save)."""
    settings = queries.report_settings(facility.id)
    if (settings.version if settings else 0) != seen_version:
        raise ServiceError(STALE_SETTINGS)
    if settings is None:
        settings = ReportSettings(facility_id=facility.id)
        db.session.add(settings)
    values = {key: nfc(data.get(key) or "") or None for key in SETTINGS_FIELDS if key != "recipients"}
    lines = [nfc(line) for line in str(data.get("recipients") or "").splitlines()]
    values["recipients"] = "\n".join(line for line in lines if line) or None  # one recipient a line
    abbreviation = values["abbreviation"]
    if abbreviation and not all(c.isalnum() or c in "-." for c in abbreviation):
        raise ServiceError(_l("Letters, digits and hyphens only (e.g. TTCTXH)."), field="abbreviation")
    changed = sorted(key for key, value in values.items() if getattr(settings, key) != value)
    for key, value in values.items():
        setattr(settings, key, value)
    settings.updated_at, settings.updated_by_id = utcnow(), by.id
    db.session.flush()
    record("report_settings_changed", by=by, entity=settings, detail={"fields": changed})
    return settings
