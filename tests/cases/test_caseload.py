"""The supervisor's caseload review: the numbers per worker equal the linked case lists,
reassigning cases (one and many; audited, on the timeline, the new worker notified), flags to
workers, and the in-app notifications they write."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.cases.caseload import services as cl
from caseapp.cases.caseload.models import CaseFlag
from caseapp.cases.followups.models import FollowUp
from caseapp.cases.models import Case, CaseEvent
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import local_today, utcnow
from caseapp.extensions import db
from caseapp.notifications.models import Notification
from caseapp.notifications.services import mark_all_read, notify

from .. import factories

NUMBER = re.compile(r"[A-Z0-9]+-\d{4}-\d{6}")
LIST_LINK = re.compile(r'<a href="(/cases/facility\?[^"]+)">(\d+)</a>')


def numbers(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return sorted(set(NUMBER.findall(response.get_data(as_text=True))))


def audit(action, case):
    return db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.entity_type == "cases", AuditEvent.entity_id == str(case.id)
        )
    ).all()


def notifications_of(user):
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def make_case(facility, worker=None, **attrs):
    """A case through the factory; columns open_case does not take (risk, last contact) set after."""
    later = {k: attrs.pop(k) for k in ("risk_level", "last_contact_at") if k in attrs}
    case = factories.make_case(facility, worker=worker, **attrs)
    for key, value in later.items():
        setattr(case, key, value)
    db.session.flush()
    return case


def overdue_follow_up(case, worker):
    db.session.add(
        FollowUp(
            case_id=case.id,
            facility_id=case.facility_id,
            kind="phone",
            due_at=utcnow() - timedelta(days=2),
            assigned_to_id=worker.id,
        )
    )
    db.session.flush()


@pytest.fixture()
def caseload_world(staff):
    """worker: 4 open cases (one emergency, one assessed high risk with an overdue follow-up, one
    opened 40 days ago without contact, one contacted yesterday though opened 40 days ago) and one
    closed; colleague: one high-urgency case; two unassigned cases (one without contact for 60 days);
    a case of another facility; a pending approval requested by the worker."""
    f, w, c = staff.facility, staff.worker, staff.colleague
    old = utcnow() - timedelta(days=40)
    cases = {
        "emergency": factories.make_case(f, worker=w, urgency="emergency"),
        "risky": make_case(f, worker=w, urgency="low", risk_level="high"),
        "silent": factories.make_case(f, worker=w, opened_at=old),
        "contacted": make_case(f, worker=w, opened_at=old, last_contact_at=utcnow() - timedelta(days=1)),
        "closed": factories.make_case(f, worker=w, urgency="emergency", status="closed", opened_at=old),
        "colleague": factories.make_case(f, worker=c, urgency="high"),
        "free": factories.make_case(f),
        "free_silent": factories.make_case(f, opened_at=utcnow() - timedelta(days=60)),
        "elsewhere": factories.make_case(staff.other_facility, urgency="emergency"),
    }
    overdue_follow_up(cases["risky"], w)
    overdue_follow_up(cases["risky"], w)  # two on one case: the case counts once
    db.session.add(
        FollowUp(
            case_id=cases["silent"].id,
            facility_id=f.id,
            kind="phone",  # done: not overdue
            due_at=utcnow() - timedelta(days=3),
            done_at=utcnow(),
        )
    )
    overdue_follow_up(cases["closed"], w)  # a closed case is not in the review
    db.session.add(
        Approval(
            case_id=cases["risky"].id, facility_id=f.id, subject_type="closure", status="pending", requested_by_id=w.id
        )
    )
    db.session.flush()
    return cases


def test_caseload_numbers_equal_the_counts_of_the_linked_lists(staff, signed_in, caseload_world):
    sup = signed_in(staff.supervisor)
    page = sup.get("/cases/caseload")
    assert page.status_code == 200
    text = page.get_data(as_text=True)

    data = cl.caseload(staff.supervisor)
    by_worker = {r.worker.id if r.worker else None: r for r in data.rows + [data.unassigned]}
    worker, colleague, free = by_worker[staff.worker.id], by_worker[staff.colleague.id], by_worker[None]
    assert (worker.open, worker.high_risk, worker.overdue_follow_ups, worker.no_contact, worker.pending_approvals) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert (colleague.open, colleague.high_risk, colleague.overdue_follow_ups, colleague.no_contact) == (1, 1, 0, 0)
    assert (free.open, free.high_risk, free.no_contact) == (2, 0, 1)
    assert staff.shelter.id in by_worker  # every active worker has a row, even with nothing
    assert staff.supervisor.id not in by_worker and staff.admin.id not in by_worker

    links = [(html.unescape(href), int(n)) for href, n in LIST_LINK.findall(text)]
    assert len(links) == 8  # worker: 4 numbers, colleague: 2, unassigned: 2 (zeros are not links)
    for href, expected in links:
        assert len(numbers(sup.get(href))) == expected, href
    expected_links = {
        f"/cases/facility?status=open&worker={staff.worker.id}": 4,
        f"/cases/facility?status=open&worker={staff.worker.id}&high_risk=y": 2,
        f"/cases/facility?status=open&worker={staff.worker.id}&overdue_follow_up=y": 1,
        f"/cases/facility?status=open&worker={staff.worker.id}&no_contact_days=30": 1,
        "/cases/facility?status=open&worker=none": 2,
        "/cases/facility?status=open&worker=none&no_contact_days=30": 1,
    }
    assert expected_links.items() <= dict(links).items()
    assert numbers(sup.get(f"/cases/facility?status=open&worker={staff.worker.id}&high_risk=y")) == sorted(
        [caseload_world["emergency"].number, caseload_world["risky"].number]
    )
    assert "/approvals" in text  # the pending approval links to the queue


def test_caseload_page_runs_a_constant_number_of_queries(staff, signed_in, count_queries):
    sup = signed_in(staff.supervisor)

    def count():
        sup.get("/cases/caseload")
        db.session.expire_all()
        with count_queries() as counted:
            assert sup.get("/cases/caseload").status_code == 200
        return counted.count

    factories.make_case(staff.facility, worker=staff.worker)
    small = count()
    for i in range(6):
        extra = factories.make_user(role="social_worker", facility=staff.facility, full_name=f"Nhân viên {i}")
        case = factories.make_case(staff.facility, worker=extra, urgency="high")
        overdue_follow_up(case, extra)
        cl.raise_flag(case, to_worker=extra, note="Gọi lại", due_on=local_today(), by=staff.supervisor)
    factories.make_case(staff.facility)
    assert count() == small
    # sign-in session and user, the unread badge, the facility's transferred-out cases (case scope),
    # the four queries of the review
    assert small <= 10, small


def test_social_worker_cannot_open_caseload_review(staff, signed_in):
    assert signed_in(staff.worker).get("/cases/caseload").status_code == 403
    assert signed_in(staff.shelter).get("/cases/caseload").status_code == 403


# --- reassigning ------------------------------------------------------------------------------------


def test_supervisor_reassigns_one_case_audited_on_the_timeline_and_the_new_worker_notified(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    response = signed_in(staff.supervisor).post(f"/cases/{case.id}/reassign", data={"worker": staff.colleague.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).assigned_worker_id == staff.colleague.id
    [event] = audit("case_reassigned", case)
    assert event.detail == {"from": staff.worker.id, "to": staff.colleague.id}
    assert db.session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reassigned"))
    [note] = notifications_of(staff.colleague)
    assert (note.kind, note.case_id, note.params["number"]) == ("case_assigned", case.id, case.number)
    assert notifications_of(staff.worker) == []
    # the new worker sees the case and the notification; the header counts it
    colleague = signed_in(staff.colleague)
    assert colleague.get(f"/cases/{case.id}").status_code == 200
    inbox = colleague.get("/notifications/").get_data(as_text=True)
    assert case.number in inbox and "Hồ sơ" in inbox
    assert 'class="badge-count"' in inbox


def test_supervisor_reassigns_many_cases_from_the_facility_list(staff, signed_in):
    one = factories.make_case(staff.facility, worker=staff.worker)
    two = factories.make_case(staff.facility)
    mine_already = factories.make_case(staff.facility, worker=staff.colleague)
    sup = signed_in(staff.supervisor)
    listing = sup.get("/cases/facility").get_data(as_text=True)
    assert 'id="reassign-form"' in listing and f'value="{one.id}" form="reassign-form"' in listing
    response = sup.post(
        "/cases/reassign",
        data={
            "case_ids": [one.id, two.id, mine_already.id],
            "worker": staff.colleague.id,
            "next": "/cases/facility?status=open",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cases/facility?status=open"
    db.session.expire_all()
    assert {db.session.get(Case, c.id).assigned_worker_id for c in (one, two, mine_already)} == {staff.colleague.id}
    assert audit("case_reassigned", one)[0].detail == {"from": staff.worker.id, "to": staff.colleague.id}
    assert audit("case_reassigned", two)[0].detail == {"from": None, "to": staff.colleague.id}
    assert audit("case_reassigned", mine_already) == []  # already theirs: nothing happens
    assert sorted(n.case_id for n in notifications_of(staff.colleague)) == sorted([one.id, two.id])


def test_reassigning_without_a_case_or_a_worker_shows_the_form_again(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    sup = signed_in(staff.supervisor)
    response = sup.post("/cases/reassign", data={"case_ids": [case.id], "worker": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert case.number in body and "checked" in body
    assert sup.post("/cases/reassign", data={"worker": staff.colleague.id}).status_code == 422
    assert sup.post(f"/cases/{case.id}/reassign", data={"worker": staff.worker.id}).status_code == 422  # same worker
    db.session.expire_all()
    assert db.session.get(Case, case.id).assigned_worker_id == staff.worker.id


def test_garbled_input_is_refused_with_the_form_not_a_server_error(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    sup = signed_in(staff.supervisor)
    assert sup.post("/cases/reassign", data={"case_ids": ["abc"], "worker": staff.colleague.id}).status_code == 422
    assert sup.post(f"/cases/{case.id}/reassign", data={"worker": "abc"}).status_code == 422
    assert (
        sup.post(
            f"/cases/{case.id}/flags", data={"to_worker": staff.worker.id, "note": "Xem", "due_on": "31/02/2026"}
        ).status_code
        == 422
    )
    assert sup.get("/cases/facility?no_contact_days=abc").status_code == 200
    assert signed_in(staff.worker).get("/notifications/?after=abc").status_code == 200


def test_cannot_reassign_to_worker_of_other_facility(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    stranger = factories.make_user(role="social_worker", facility=staff.other_facility)
    sup = signed_in(staff.supervisor)
    assert sup.post(f"/cases/{case.id}/reassign", data={"worker": stranger.id}).status_code == 422
    assert sup.post("/cases/reassign", data={"case_ids": [case.id], "worker": stranger.id}).status_code == 422
    with pytest.raises(ServiceError):
        cl.assignable_worker(stranger.id, by=staff.supervisor)
    with pytest.raises(ServiceError):
        cl.reassign_cases([case], stranger, by=staff.supervisor)
    db.session.expire_all()
    assert db.session.get(Case, case.id).assigned_worker_id == staff.worker.id
    assert notifications_of(stranger) == []


def test_cannot_reassign_to_a_deactivated_worker_or_a_supervisor(staff):
    factories.make_case(staff.facility, worker=staff.worker)
    gone = factories.make_user(role="social_worker", facility=staff.facility, active=False)
    for target in (gone, staff.supervisor, staff.reporter):
        with pytest.raises(ServiceError):
            cl.assignable_worker(target.id, by=staff.supervisor)


def test_closed_case_cannot_be_reassigned(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker, status="closed")
    response = signed_in(staff.supervisor).post(
        "/cases/reassign", data={"case_ids": [case.id], "worker": staff.colleague.id}
    )
    assert response.status_code == 422
    assert case.number in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).assigned_worker_id == staff.worker.id


def test_supervisor_cannot_reassign_case_of_other_facility(staff, signed_in):
    theirs = factories.make_case(staff.other_facility, worker=factories.make_user(facility=staff.other_facility))
    ours = factories.make_case(staff.facility, worker=staff.worker)
    sup = signed_in(staff.supervisor)
    assert sup.post(f"/cases/{theirs.id}/reassign", data={"worker": staff.colleague.id}).status_code == 404
    assert (
        sup.post("/cases/reassign", data={"case_ids": [ours.id, theirs.id], "worker": staff.colleague.id}).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(Case, ours.id).assigned_worker_id == staff.worker.id
    assert db.session.get(Case, theirs.id).assigned_worker_id != staff.colleague.id


def test_social_worker_cannot_reassign(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    assert (
        signed_in(staff.worker).post(f"/cases/{case.id}/reassign", data={"worker": staff.colleague.id}).status_code
        == 403
    )
    assert 'id="reassign-form"' not in signed_in(staff.worker).get("/cases/mine").get_data(as_text=True)


# --- flags ------------------------------------------------------------------------------------------


def test_flag_raised_by_supervisor_is_resolved_by_the_worker(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    sup = signed_in(staff.supervisor)
    due = local_today() + timedelta(days=3)
    response = sup.post(
        f"/cases/{case.id}/flags",
        data={"to_worker": staff.worker.id, "note": "Gọi lại cho mẹ", "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    flag = db.session.scalar(sa.select(CaseFlag).where(CaseFlag.case_id == case.id))
    assert (flag.to_user_id, flag.raised_by_id, flag.note, flag.resolved_at) == (
        staff.worker.id,
        staff.supervisor.id,
        "Gọi lại cho mẹ",
        None,
    )
    assert audit("case_flagged", case)[0].detail["to"] == staff.worker.id
    [note] = notifications_of(staff.worker)
    assert note.kind == "case_flagged" and note.params == {"number": case.number, "due": due.strftime("%d/%m/%Y")}
    # the supervisor sees it among the open flags of the review
    assert "Gọi lại cho mẹ" in sup.get("/cases/caseload").get_data(as_text=True)

    worker = signed_in(staff.worker)
    page = worker.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Gọi lại cho mẹ" in page and f"/flags/{flag.id}/resolve" in page
    field = f"flag{flag.id}-resolution_note"
    refused = worker.post(f"/cases/{case.id}/flags/{flag.id}/resolve", data={field: "  "})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(CaseFlag, flag.id).resolved_at is None
    done = worker.post(f"/cases/{case.id}/flags/{flag.id}/resolve", data={field: "Đã gọi, hẹn thăm nhà"})
    assert done.status_code == 302
    db.session.expire_all()
    flag = db.session.get(CaseFlag, flag.id)
    assert flag.resolved_at is not None and flag.resolution_note == "Đã gọi, hẹn thăm nhà"
    assert audit("case_flag_resolved", case)[0].detail == {"flag_id": flag.id}
    kinds = db.session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "flagged" in kinds and "flag_resolved" in kinds
    assert [n.kind for n in notifications_of(staff.supervisor)] == ["flag_resolved"]
    assert "Gọi lại cho mẹ" not in sup.get("/cases/caseload").get_data(as_text=True)


def test_flag_with_empty_note_or_past_due_date_shows_the_form_again(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    sup = signed_in(staff.supervisor)
    response = sup.post(
        f"/cases/{case.id}/flags", data={"to_worker": staff.worker.id, "note": "", "due_on": local_today().isoformat()}
    )
    assert response.status_code == 422
    past = sup.post(
        f"/cases/{case.id}/flags",
        data={
            "to_worker": staff.worker.id,
            "note": "Kiểm tra hồ sơ",
            "due_on": (local_today() - timedelta(days=1)).isoformat(),
        },
    )
    assert past.status_code == 422
    body = past.get_data(as_text=True)
    assert "Kiểm tra hồ sơ" in body  # what the supervisor typed stays
    assert db.session.scalar(sa.select(CaseFlag).where(CaseFlag.case_id == case.id)) is None


def test_flag_cannot_go_to_a_worker_who_cannot_open_the_case(staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    with pytest.raises(ServiceError):  # a social worker sees only the cases assigned to them
        cl.raise_flag(case, to_worker=staff.colleague, note="Xem giúp", due_on=local_today(), by=staff.supervisor)
    with pytest.raises(ServiceError):  # only a supervisor flags
        cl.raise_flag(case, to_worker=staff.worker, note="Xem giúp", due_on=local_today(), by=staff.worker)


def test_worker_cannot_resolve_a_flag_addressed_to_someone_else(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    flag = cl.raise_flag(case, to_worker=staff.worker, note="Xem lại", due_on=local_today(), by=staff.supervisor)
    db.session.flush()
    # shelter staff can open this (not sealed) case, but the flag is the worker's
    response = signed_in(staff.shelter).post(
        f"/cases/{case.id}/flags/{flag.id}/resolve", data={f"flag{flag.id}-resolution_note": "Xong"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(CaseFlag, flag.id).resolved_at is None


def test_worker_cannot_resolve_flag_of_case_of_other_facility(staff, signed_in):
    other_worker = factories.make_user(facility=staff.other_facility)
    case = factories.make_case(staff.other_facility, worker=other_worker)
    flag = cl.raise_flag(case, to_worker=other_worker, note="Xem lại", due_on=local_today(), by=staff.outsider)
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/flags/{flag.id}/resolve", data={f"flag{flag.id}-resolution_note": "Xong"}
    )
    assert response.status_code == 404


# --- notifications -----------------------------------------------------------------------------------


def test_notification_unique_key_prevents_duplicates(staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    first = notify(staff.worker.id, "case_assigned", case, "case_assigned", unique_key="test:once")
    again = notify(staff.worker.id, "case_assigned", case, "case_assigned", unique_key="test:once")
    db.session.flush()
    assert again.id == first.id
    assert len(notifications_of(staff.worker)) == 1
    with pytest.raises(IntegrityError), db.session.begin_nested():  # the database refuses it too
        db.session.add(
            Notification(user_id=staff.worker.id, kind="x", text_key="case_assigned", unique_key="test:once")
        )


def test_notifications_carry_the_case_number_never_the_client_name(staff):
    client = factories.make_client(staff.facility, full_name="Trần Thị Bí Mật")
    case = factories.make_case(staff.facility, client=client, worker=staff.worker)
    cl.reassign_cases([case], staff.colleague, by=staff.supervisor)
    [note] = notifications_of(staff.colleague)
    assert "Bí Mật" not in repr(note.params) and note.params["number"] == case.number


def test_inbox_lists_newest_first_and_marks_read(staff, signed_in):
    cases = [factories.make_case(staff.facility, worker=staff.worker) for _ in range(3)]
    for i, case in enumerate(cases):
        notify(
            staff.worker.id,
            "case_assigned",
            case,
            "case_assigned",
            unique_key=f"test:{i}",
            at=utcnow() - timedelta(minutes=10 - i),
        )
    db.session.flush()
    worker = signed_in(staff.worker)
    body = worker.get("/notifications/").get_data(as_text=True)
    positions = [body.index(c.number) for c in cases]
    assert positions == sorted(positions, reverse=True)  # newest first
    assert '<span class="badge-count" title="Chưa đọc">3</span>' in body

    first = notifications_of(staff.worker)[0]
    opened = worker.post(f"/notifications/{first.id}/read", data={"open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/cases/{first.case_id}"
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert '<span class="badge-count" title="Chưa đọc">2</span>' in worker.get("/notifications/").get_data(as_text=True)

    assert worker.post("/notifications/read-all").status_code == 302
    db.session.expire_all()
    assert all(n.read_at is not None for n in notifications_of(staff.worker))
    assert 'class="badge-count" title="Chưa đọc"' not in worker.get("/notifications/").get_data(as_text=True)


def test_user_cannot_mark_read_a_notification_of_another_user(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    note = notify(staff.worker.id, "case_assigned", case, "case_assigned", unique_key="test:theirs")
    db.session.flush()
    assert signed_in(staff.colleague).post(f"/notifications/{note.id}/read").status_code == 404
    assert signed_in(staff.colleague).post("/notifications/read-all").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_mark_all_read_touches_only_the_users_notifications(staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    mine = notify(staff.worker.id, "case_assigned", case, "case_assigned", unique_key="test:mine")
    theirs = notify(staff.colleague.id, "case_assigned", case, "case_assigned", unique_key="test:other")
    db.session.flush()
    assert mark_all_read(by=staff.worker) == 1
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert db.session.get(Notification, theirs.id).read_at is None
