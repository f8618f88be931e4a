"""Writes of the shelter domain: emergency admission, beds, check-in, check-out, extension, rooms,
completing the intake record later.

Services flush and audit (never personal data in the audit detail); the view commits. The acting
user is always an argument (`by`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..cases.followups.services import schedule_follow_up
from ..cases.models import Case
from ..cases.services import add_event, ensure_editable, open_case
from ..clients.services import birth_fields, create_client, update_client
from ..core.categories import CHANNELS, CHECKOUT_DESTINATIONS, CHECKOUT_SAFETY, IMMEDIATE_NEEDS, PROBLEMS, SEXES, codes
from ..core.services import ServiceError
from ..core.sql import prebuilt
from ..core.text import nfc
from ..core.timeutil import as_utc, format_date, utcnow
from ..deadlines.rules import URGENT, due_at
from ..extensions import db
from ..intake.models import Intake
from ..org.models import Facility
from ..register.services import set_groups
from . import queries
from .models import Bed, Room, ShelterStay

MAX_CHILDREN = 10
CHILD_MAX_AGE = 17  # accompanying children: under 18
ARRIVAL_PAST_LIMIT = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=10)
MAX_EXTENSION = timedelta(days=730)


class ShelterFull(ServiceError):
    """The shelter cannot take the person or group: the page offers the referral option."""

    full = True


@dataclass(frozen=True)
class AdmittedChild:
    """A child admitted with the adult: sex and (estimated) age always, the name when it is given."""

    age: int
    sex: str
    name: str | None = None


@dataclass
class Admission:
    stay: ShelterStay  # the adult's stay (carries the submission key)
    case: Case
    created: bool  # False: the same form was submitted again, nothing new was made


# --- emergency admission ------------------------------------------------------------------------


def _lock_facility(facility) -> None:
    """Serialise admissions of one shelter (PostgreSQL row lock; SQLite has one writer anyway),
    so two admissions at the same moment cannot both take the last place."""
    db.session.execute(*prebuilt(_facility_row_lock, facility_id=facility.id))


def _facility_row_lock(facility_id):
    return sa.select(Facility.id).where(Facility.id == facility_id).with_for_update()


def _check_capacity(facility, needed):
    capacity = queries.capacity_of(facility)
    occupied = queries.occupied_count(facility.id)
    if occupied + needed > capacity:
        raise ShelterFull(
            _(
                "The shelter is full: %(occupied)d of %(capacity)d places are taken and this "
                "admission needs %(needed)d. Refer the person to another shelter or centre.",
                occupied=occupied,
                capacity=capacity,
                needed=needed,
            )
        )


def _validate_admission(*, sex, approximate_age, arrived_at, children, immediate_needs, now):
    if sex not in codes(SEXES):
        raise ServiceError(_("Choose the sex."), field="sex")
    if approximate_age is None or not 0 <= approximate_age <= 120:
        raise ServiceError(_("The estimated age must be between 0 and 120."), field="approximate_age")
    if arrived_at is None:
        raise ServiceError(_("Enter the arrival time."), field="arrived_at")
    arrived_at = as_utc(arrived_at)
    if arrived_at > now + CLOCK_SKEW:
        raise ServiceError(_("The arrival time cannot be in the future."), field="arrived_at")
    if arrived_at < now - ARRIVAL_PAST_LIMIT:
        raise ServiceError(_("An emergency admission is recorded within 7 days of the arrival."), field="arrived_at")
    if len(children) > MAX_CHILDREN:
        raise ServiceError(_("At most %(n)d accompanying children.", n=MAX_CHILDREN), field="children")
    for child in children:
        if not isinstance(child.age, int) or not 0 <= child.age <= CHILD_MAX_AGE:
            raise ServiceError(_("Each child's age is a number from 0 to 17."), field="children")
        if child.sex not in codes(SEXES):
            raise ServiceError(_("Choose the child's sex."), field="children")
    unknown = set(immediate_needs) - set(codes(IMMEDIATE_NEEDS))
    if unknown:
        raise ServiceError(_("Unknown immediate need."), field="immediate_needs")
    return arrived_at


def admit_emergency(
    facility,
    *,
    sex,
    approximate_age,
    arrived_at,
    brought_by,
    immediate_danger,
    by,
    alias=None,
    full_name=None,
    children=(),
    immediate_needs=(),
    submission_key=None,
    now=None,
):
    """Emergency admission: in one transaction the adult client and one client per
    accompanying child (alias allowed, temporary code, estimated age), the intake, the emergency
    case (intake to be completed within the deadline), and one stay per person with a bed when one
    is free. A full shelter refuses the whole group (ShelterFull) and nothing is written.

    Idempotent on `submission_key`: the same form submitted again returns the first admission."""
    existing = queries.stay_by_submission_key(submission_key)
    if existing is not None:
        return _existing_admission(existing, by, facility)
    now = now or utcnow()
    children = list(children)
    arrived_at = _validate_admission(
        sex=sex,
        approximate_age=approximate_age,
        arrived_at=arrived_at,
        children=children,
        immediate_needs=immediate_needs,
        now=now,
    )
    try:
        with db.session.begin_nested():
            return _admit(
                facility,
                sex=sex,
                approximate_age=approximate_age,
                arrived_at=arrived_at,
                brought_by=nfc(brought_by) or "other",
                immediate_danger=bool(immediate_danger),
                by=by,
                alias=nfc(alias) or None,
                full_name=nfc(full_name) or None,
                children=children,
                immediate_needs=[c for c in codes(IMMEDIATE_NEEDS) if c in set(immediate_needs)],
                submission_key=submission_key or None,
            )
    except IntegrityError:
        # The same key committed by a concurrent request (double tap on two connections): theirs wins.
        existing = queries.stay_by_submission_key(submission_key)
        if existing is not None:
            return _existing_admission(existing, by, facility)
        raise ServiceError(_("Another admission took a bed at the same moment. Please submit again.")) from None


def _existing_admission(stay, by, facility):
    if stay.facility_id != facility.id:  # a key is never shared across shelters: refuse, reveal nothing
        raise ServiceError(_("This form was already used. Open the admission screen again."))
    case = db.session.get(Case, stay.case_id)
    record("shelter_admission_resubmitted", by=by, entity=stay, detail={"case_id": stay.case_id})
    return Admission(stay=stay, case=case, created=False)


def _admit(
    facility,
    *,
    sex,
    approximate_age,
    arrived_at,
    brought_by,
    immediate_danger,
    by,
    alias,
    full_name,
    children,
    immediate_needs,
    submission_key,
):
    _lock_facility(facility)
    _check_capacity(facility, 1 + len(children))

    birth_date, birth_year, precision = birth_fields(precision="estimated", estimated_age=approximate_age)
    adult = create_client(
        {
            "full_name": full_name,
            "alias": alias,
            "sex": sex,
            "birth_date": birth_date,
            "birth_year": birth_year,
            "birth_precision": precision,
        },
        facility=facility,
        by=by,
    )
    kids = []
    for number, child in enumerate(children, start=1):
        birth_date, birth_year, precision = birth_fields(precision="estimated", estimated_age=child.age)
        kids.append(
            create_client(
                {
                    "full_name": nfc(child.name) or None,
                    # the mother's code, never her name: the child's record stays free of her identity
                    "alias": f"Con {number} của {adult.code}",
                    "sex": child.sex,
                    "birth_date": birth_date,
                    "birth_year": birth_year,
                    "birth_precision": precision,
                },
                facility=facility,
                by=by,
            )
        )

    channel = brought_by if brought_by in codes(CHANNELS) else "other"
    urgency = "emergency" if immediate_danger else "high"
    intake = Intake(
        facility_id=facility.id,
        client_id=adult.id,
        received_at=arrived_at,
        channel=channel,
        problems=[],
        urgency=urgency,
        decision="open_case",
        is_emergency_admission=True,
        # the intake's screening vocabulary (intake.services.SCREENING_QUESTIONS: yes/no/unknown);
        # the immediate needs are kept on the stay
        screening={"danger_now": "yes" if immediate_danger else "no", "child_involved": "yes" if kids else "unknown"},
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(intake)
    db.session.flush()
    record(
        "intake_created",
        by=by,
        entity=intake,
        detail={"emergency_admission": True, "channel": channel, "urgency": urgency},
    )

    case = open_case(
        facility=facility,
        client=adult,
        case_type="emergency_shelter",
        urgency=urgency,
        by=by,
        assigned_worker_id=getattr(by, "id", None),
        intake=intake,
        care_kind="emergency",
        intake_incomplete=True,
        intake_due_at=due_at("intake_completion", arrived_at),
    )

    planned_end = due_at("shelter_stay", arrived_at, amount=facility.max_stay_days)
    beds = iter(queries.free_beds(facility.id))
    common = dict(
        facility_id=facility.id,
        case_id=case.id,
        admitted_at=arrived_at,
        planned_end_at=planned_end,
        brought_by=brought_by[:255],
        immediate_needs=immediate_needs,
        immediate_danger=immediate_danger,
        created_by_id=getattr(by, "id", None),
    )
    assigned = 0
    bed = next(beds, None)
    stay = ShelterStay(client_id=adult.id, bed_id=bed.id if bed else None, submission_key=submission_key, **common)
    assigned += bed is not None
    db.session.add(stay)
    db.session.flush()  # a second use of the submission key fails here (unique)
    for kid in kids:
        bed = next(beds, None)
        db.session.add(
            ShelterStay(client_id=kid.id, bed_id=bed.id if bed else None, accompanying_stay_id=stay.id, **common)
        )
        assigned += bed is not None
    db.session.flush()

    add_event(case, "admitted", by=by, at=arrived_at)
    record(
        "shelter_admitted",
        by=by,
        entity=stay,
        detail={"case_id": case.id, "children": len(kids), "beds_assigned": assigned, "urgency": urgency},
    )
    return Admission(stay=stay, case=case, created=True)


# --- beds: check-in, check-out, extension ---------------------------------------------------------


def _require_open(stay):
    if not stay.is_open:
        raise ServiceError(_("This stay has already ended."))


def _case_of(stay):
    return db.session.get(Case, stay.case_id) if stay.case_id else None


def check_in(stay, bed, *, by):
    """Assign a bed to an open stay, or move it to another bed. An occupied bed is refused; when no
    bed at all is free the refusal is ShelterFull (the page offers the referral option)."""
    _require_open(stay)
    room = db.session.get(Room, bed.room_id)
    if bed.facility_id != stay.facility_id:
        raise ServiceError(_("This bed belongs to another facility."), field="bed_id")
    if not bed.is_active or not room.is_active:
        raise ServiceError(_("This bed is not in use."), field="bed_id")
    if stay.bed_id == bed.id:
        return stay
    if queries.bed_is_occupied(bed.id, except_stay_id=stay.id):
        if not queries.free_beds(stay.facility_id):
            raise ShelterFull(
                _("No bed is free in the shelter. Refer the person to another shelter or centre."), field="bed_id"
            )
        raise ServiceError(_("This bed is already taken. Choose a free bed."), field="bed_id")
    previous = stay.bed_id
    try:
        with db.session.begin_nested():
            stay.bed_id = bed.id
            db.session.flush()  # the partial unique index: one open stay per bed, even under a race
    except IntegrityError:
        raise ServiceError(_("This bed is already taken. Choose a free bed."), field="bed_id") from None
    record("stay_bed_assigned", by=by, entity=stay, detail={"bed_id": bed.id, "from_bed_id": previous})
    db.session.flush()
    return stay


@dataclass(frozen=True)
class SafetyCheck:
    """What is known at check-out of where she goes: the place, whether it is safe there (with what was
    agreed when it is not known to be), and whether a safe way to reach her was agreed, and which."""

    safety: str  # categories.CHECKOUT_SAFETY
    place: str | None = None
    note: str | None = None
    contact_agreed: bool = False
    contact: str | None = None


@dataclass(frozen=True)
class FollowUpPlan:
    """The follow-up contact after leaving: its kind and due time (None: the deadline rule's)."""

    kind: str  # categories.FOLLOW_UP_KINDS
    due_at: datetime | None = None


def _checked_safety(check):
    if check.safety not in codes(CHECKOUT_SAFETY):
        raise ServiceError(_("Say whether the place she goes to is safe."), field="safety")
    place, note, contact = nfc(check.place) or None, nfc(check.note) or None, nfc(check.contact) or None
    if check.safety != "safe" and not note:
        raise ServiceError(
            _("Write what was agreed for her safety, since the place is not known to be safe."), field="safety_note"
        )
    if check.contact_agreed and not contact:
        raise ServiceError(_("Write how and when she can be reached safely."), field="contact")
    for value, name in ((place, "place"), (contact, "contact")):
        if value and len(value) > 255:
            raise ServiceError(_("At most %(max)d characters.", max=255), field=name)
    return SafetyCheck(check.safety, place, note, bool(check.contact_agreed), contact if check.contact_agreed else None)


def check_out(stay, *, destination, reason, safety, follow_up=None, by, at=None, children=(), now=None):
    """End a stay with destination, reason and the safety check; accompanying children chosen in
    `children` (their stays) leave with the same answers. The case stays open for the follow-up, which is
    scheduled here (`follow_up`; due by the deadline rule when no time is given — sooner where the place
    is not known to be safe)."""
    _require_open(stay)
    now = now or utcnow()
    at = as_utc(at) if at is not None else now
    if destination not in codes(CHECKOUT_DESTINATIONS):
        raise ServiceError(_("Choose where the person goes."), field="destination")
    reason = nfc(reason)
    if not reason:
        raise ServiceError(_("Enter the reason for leaving."), field="reason")
    if len(reason) > 255:
        raise ServiceError(_("At most %(max)d characters.", max=255), field="reason")
    if at > now + CLOCK_SKEW:
        raise ServiceError(_("The check-out time cannot be in the future."), field="checked_out_at")
    if at < as_utc(stay.admitted_at):
        raise ServiceError(_("The check-out time is before the admission."), field="checked_out_at")
    safety = _checked_safety(safety)
    leaving = [stay]
    for child in children:
        if child.accompanying_stay_id != stay.id:
            raise ServiceError(_("Only the children who came with this person can leave with them."))
        if child.is_open:
            leaving.append(child)
    for one in leaving:
        _end_stay(one, at=at, destination=destination, reason=reason, safety=safety)
    case = _case_of(stay)
    if case is not None:
        add_event(case, "checked_out", by=by, at=at, text=reason)
        if follow_up is not None:
            _schedule_follow_up_after(case, follow_up, safety=safety, left_at=at, by=by, now=now)
    record(
        "stay_checked_out",
        by=by,
        entity=stay,
        detail={"destination": destination, "children": len(leaving) - 1, "safety": safety.safety},
    )
    db.session.flush()
    return leaving


def _end_stay(stay, *, at, destination, reason, safety):
    stay.checked_out_at = at
    stay.checkout_destination = destination
    stay.checkout_reason = reason
    stay.checkout_place = safety.place
    stay.checkout_safety = safety.safety
    stay.checkout_safety_note = safety.note
    stay.checkout_contact_agreed = safety.contact_agreed
    stay.checkout_contact = safety.contact


def follow_up_due_after_checkout(left_at, safety):
    """The default due time of the contact after leaving (deadline rule "follow_up_after_checkout")."""
    return due_at("follow_up_after_checkout", left_at, variant="default" if safety == "safe" else URGENT)


def _schedule_follow_up_after(case, plan, *, safety, left_at, by, now):
    # counted from the moment she left; a check-out recorded days later makes the contact due now
    due = plan.due_at or max(follow_up_due_after_checkout(left_at, safety.safety), now)
    schedule_follow_up(case, kind=plan.kind, due_at=due, purpose=_("Contact after leaving the shelter"), by=by, at=now)


def extend_stay(stay, *, new_end, reason, by):
    """A supervisor's decision to extend a stay (a stay never ends silently). The open
    stays of the accompanying children are extended with it."""
    _require_open(stay)
    new_end = as_utc(new_end) if new_end is not None else None
    if new_end is None or new_end <= as_utc(stay.planned_end_at):
        raise ServiceError(
            _("The new end must be later than the planned end (%(date)s).", date=format_date(stay.planned_end_at)),
            field="new_end",
        )
    if new_end > as_utc(stay.admitted_at) + MAX_EXTENSION:
        raise ServiceError(_("A stay cannot be planned for more than 730 days."), field="new_end")
    reason = nfc(reason)
    if not reason:
        raise ServiceError(_("Enter the reason for the extension."), field="reason")
    old_end = as_utc(stay.planned_end_at)
    extended = [stay] + [c for c in queries.children_stays(stay) if as_utc(c.planned_end_at) < new_end]
    for one in extended:
        one.planned_end_at = new_end
    case = _case_of(stay)
    if case is not None:
        add_event(case, "stay_extended", by=by, text=f"{format_date(old_end)} → {format_date(new_end)}: {reason}")
    record(
        "stay_extended", by=by, entity=stay, detail={"days": (new_end - old_end).days, "children": len(extended) - 1}
    )
    db.session.flush()
    return extended


# --- rooms and beds -------------------------------------------------------------------------------


def _next_labels(existing, count):
    numbers = [int(label) for label in existing if label.isdigit()]
    start = max(numbers, default=0) + 1
    return [str(n) for n in range(start, start + count)]


def add_room(facility, *, name, beds: int = 0, by):
    name = nfc(name)
    if not name:
        raise ServiceError(_("Enter the room's name."), field="name")
    if len(name) > 64:
        raise ServiceError(_("At most %(max)d characters.", max=64), field="name")
    if db.session.scalar(sa.select(Room.id).where(Room.facility_id == facility.id, Room.name == name)):
        raise ServiceError(_("This shelter already has a room of that name."), field="name")
    room = Room(facility_id=facility.id, name=name, is_active=True)
    db.session.add(room)
    db.session.flush()
    record("room_created", by=by, entity=room, detail={"beds": beds})
    if beds:
        add_beds(room, count=beds, by=by)
    return room


def add_beds(room, *, count, by):
    if not 1 <= (count or 0) <= 50:
        raise ServiceError(_("Add from 1 to 50 beds at a time."), field="count")
    existing = db.session.scalars(sa.select(Bed.label).where(Bed.room_id == room.id)).all()
    beds = [
        Bed(facility_id=room.facility_id, room_id=room.id, label=label, is_active=True)
        for label in _next_labels(existing, count)
    ]
    db.session.add_all(beds)
    db.session.flush()
    record("beds_added", by=by, entity=room, detail={"count": count})
    return beds


def set_bed_active(bed, active, *, by):
    """Take a bed out of use (only when nobody sleeps in it) or back into use."""
    if not active and queries.bed_is_occupied(bed.id):
        raise ServiceError(_("Someone is staying in this bed: move them or check them out first."))
    if bed.is_active == active:
        return bed
    bed.is_active = active
    record("bed_activated" if active else "bed_deactivated", by=by, entity=bed)
    db.session.flush()
    return bed


# --- completing the intake record ------------------------------------------------------------------

INTAKE_TEXT_FIELDS = ("referrer_name", "referrer_org", "referrer_contact", "problem_note", "note")


def complete_intake(case, *, client_data, groups, intake_data, by):
    """Complete the record of an emergency admission: the client's identity and groups, the
    intake's channel, referrer and problems. Clears the case's "intake incomplete" task. A closed
    case is read-only until reopened."""
    ensure_editable(case)
    client = case.client
    problems = [p for p in intake_data.get("problems") or [] if p in codes(PROBLEMS)]
    if not problems:
        raise ServiceError(_("Choose at least one problem."), field="problems")
    channel = intake_data.get("channel")
    if channel not in codes(CHANNELS):
        raise ServiceError(_("Choose how the person reached the shelter."), field="channel")
    update_client(client, client_data, by=by)
    set_groups(client, groups, by=by)
    intake = db.session.get(Intake, case.intake_id) if case.intake_id else None
    if intake is not None:
        values = {"channel": channel, "problems": problems}
        for key in INTAKE_TEXT_FIELDS:
            values[key] = nfc(intake_data.get(key)) or None
        changed = sorted(k for k, v in values.items() if getattr(intake, k) != v)
        for key, value in values.items():
            setattr(intake, key, value)
        if changed:
            record("intake_updated", by=by, entity=intake, detail={"fields": changed})
    was_incomplete = case.intake_incomplete
    case.intake_incomplete = False
    case.is_sensitive = case.is_sensitive or client.is_sensitive
    case.updated_at = utcnow()
    if was_incomplete:
        add_event(case, "intake_completed", by=by)
    record("case_intake_completed", by=by, entity=case, detail={"was_incomplete": was_incomplete})
    db.session.flush()
    return case
