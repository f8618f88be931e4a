"""No oracle across facilities (OWASP ASVS 5.0 V8.4.1, V8.2.2): whether a citizen ID is held by a client
of another facility — a shelter's included — changes nothing a user sees when registering or editing a
client: the same answer, message and page as an unused number. The facility that holds it is told
silently (a request for its supervisors and a notification), except when either side is sealed or at a
shelter. A citizen ID stays unique within a facility. Lookups by number are audited, without the number."""

import io
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from caseapp.audit.models import AuditEvent
from caseapp.clients import services
from caseapp.clients.identity.models import IdentityMatchRequest
from caseapp.clients.models import Client
from caseapp.extensions import db
from caseapp.notifications.models import Notification
from caseapp.org.models import FacilityType
from caseapp.register.imports.models import ImportBatch, ImportRow

from .. import factories
from ..register import files
from .test_client_pages import _create

HELD = "079190000123"  # a number a client of the other facility holds
UNUSED = "079190000456"  # a number nobody holds
# a row of a register file (tests/register/files.py): name, birth, sex, ethnicity, citizen ID, … group, decision
REGISTER_ROW = ["Nguyễn Thị Hoa", "12/03/1950", "Nữ", "Kinh", HELD, None, None, None, "Người cao tuổi", "15/QĐ-UBND"]
REGISTER_ROW += ["01/01/2025", "1,5", None, None]


def _requests():
    return db.session.scalars(sa.select(IdentityMatchRequest).order_by(IdentityMatchRequest.id)).all()


def _notifications(user):
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)).all()


def _actions_since(mark, user):
    """The audit actions a request of `user` wrote (what that user's facility may read of them)."""
    return sorted(
        db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.id > mark, AuditEvent.user_id == user.id, AuditEvent.facility_id == user.facility_id
            )
        )
    )


def _last_audit_id():
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))


def _neutral(page, name):
    """The page with what differs between two registrations of different people taken out: ids, codes,
    the name, the number, the form's key."""
    page = page.replace(name, "NAME").replace(HELD, "NUMBER").replace(UNUSED, "NUMBER")
    page = re.sub(r"(?:TAM|DT)-[A-Z0-9]+-\d{4}-\d+", "CODE", page)
    page = re.sub(r'name="checked_key" type="hidden" value="[0-9a-f]*"', "KEY", page)
    page = re.sub(r'csrf_token"( type="hidden")? value="[^"]*"', "CSRF", page)  # signed with the time
    page = re.sub(r'data-seconds-left="\d+"', "SECONDS", page)  # the session's time left, read at each request
    return re.sub(r"/clients/\d+|client_id=\d+", "ID", page)


def _register(http, name, citizen_id):
    """The whole journey: the duplicate check, the create, and the page it leads to."""
    data = {"full_name": name, "sex": "female", "citizen_id": citizen_id, "purpose": ""}
    check = http.post("/clients/new", data={**data, "action": "check"})
    key = re.search(r'name="checked_key" type="hidden" value="([0-9a-f]*)"', check.get_data(as_text=True)).group(1)
    created = http.post("/clients/new", data={**data, "action": "create", "checked_key": key})
    landing = http.get(created.headers["Location"])
    return [
        (r.status_code, _neutral(r.get_data(as_text=True), name), r.headers.get("Location", "").rsplit("/", 1)[0])
        for r in (check, created, landing)
    ]


# --- the probe ----------------------------------------------------------------------------------------


def test_a_citizen_id_held_at_another_facility_gets_the_same_answer_as_an_unused_one(staff, new_client, signed_in):
    new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    http = signed_in(staff.worker)

    mark = _last_audit_id()
    held = _register(http, "Phan Thị Một", HELD)
    held_actions = _actions_since(mark, staff.worker)
    mark = _last_audit_id()
    unused = _register(http, "Phan Thị Hai", UNUSED)
    unused_actions = _actions_since(mark, staff.worker)

    assert [status for status, _page, _where in held] == [200, 302, 200]
    assert held == unused  # the same statuses, pages, messages and redirects
    assert held_actions == unused_actions  # and the same audit rows in the user's facility
    assert "Đã có đối tượng khác" not in held[0][1] + held[2][1]
    mine = db.session.scalars(sa.select(Client).where(Client.facility_id == staff.facility.id)).all()
    assert sorted(c.citizen_id for c in mine) == sorted([HELD, UNUSED])  # both registered here


def test_the_holding_facility_supervisor_gets_the_request_and_a_notification(staff, new_client, signed_in):
    holder = new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    case = factories.make_case(staff.other_facility, client=holder, worker=staff.outsider)
    _create(signed_in(staff.worker), full_name="Đỗ Thị Giữ", citizen_id=HELD)

    [request] = _requests()
    registered = db.session.get(Client, request.registered_client_id)
    assert (request.facility_id, request.client_id) == (staff.other_facility.id, holder.id)
    assert (registered.facility_id, request.registered_facility_id) == (staff.facility.id, staff.facility.id)
    [notification] = _notifications(staff.outsider_supervisor)
    assert notification.params == {"facility": staff.facility.name}
    assert _notifications(staff.outsider) == [] and _notifications(staff.supervisor) == []

    inbox = signed_in(staff.outsider_supervisor).get("/notifications/").get_data(as_text=True)
    assert f"vừa được đăng ký tại {staff.facility.name}" in inbox
    page = signed_in(staff.outsider_supervisor).get("/clients/identity-matches").get_data(as_text=True)
    assert "Đỗ Thị Giữ" in page and staff.facility.name in page
    assert f'href="/cases/{case.id}/transfer"' in page  # the existing transfer feature, for the open case
    assert registered.code not in page  # the other facility's client is never shown


def test_the_registering_facility_sees_no_request(staff, new_client, signed_in):
    new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    _create(signed_in(staff.worker), citizen_id=HELD)
    page = signed_in(staff.supervisor).get("/clients/identity-matches").get_data(as_text=True)
    assert "Chưa có cơ sở nào khác đăng ký số định danh" in page
    assert signed_in(staff.worker).get("/clients/identity-matches").status_code == 403


def _sealed_holder(staff, new_client):
    return new_client("Đỗ Thị Kín", citizen_id=HELD, facility=staff.other_facility, is_sensitive=True)


def _holder_with_a_sealed_case(staff, new_client):
    holder = new_client("Đỗ Thị Kín", citizen_id=HELD, facility=staff.other_facility)
    factories.make_case(staff.other_facility, client=holder, worker=staff.outsider, is_sensitive=True)
    return holder


def _holder_at_a_shelter(staff, new_client):
    shelter = factories.make_facility(type=FacilityType.SHELTER.value)
    factories.make_user(role="supervisor", facility=shelter)
    return new_client("Đỗ Thị Tạm Lánh", citizen_id=HELD, facility=shelter, by=None)


def _holder_at_a_confidential_address(staff, new_client):
    hidden = factories.make_facility(confidential_address=True)
    factories.make_user(role="supervisor", facility=hidden)
    return new_client("Đỗ Thị Ẩn", citizen_id=HELD, facility=hidden, by=None)


@pytest.mark.parametrize(
    "holder", [_sealed_holder, _holder_with_a_sealed_case, _holder_at_a_shelter, _holder_at_a_confidential_address]
)
def test_a_sealed_or_shelter_clients_number_creates_no_request(staff, new_client, signed_in, holder):
    holder(staff, new_client)
    response = _create(signed_in(staff.worker), citizen_id=HELD)
    assert response.status_code == 302  # accepted as any number
    assert _requests() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_a_number_registered_at_a_shelter_or_sealed_tells_no_one(staff, new_client, in_request):
    """The other direction: the holding centre is not told that the person is at a shelter, or is a
    sealed client somewhere."""
    new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    shelter = factories.make_facility(type=FacilityType.SHELTER.value)
    services.create_client({"full_name": "Đỗ Thị Giữ", "citizen_id": HELD}, facility=shelter, by=None)
    services.create_client(
        {"full_name": "Đỗ Thị Giữ", "citizen_id": HELD, "is_sensitive": True}, facility=staff.facility, by=staff.worker
    )
    assert _requests() == []


def test_editing_a_client_to_a_number_held_elsewhere_is_accepted_and_tells_the_holder(
    staff, new_client, signed_in, session
):
    holder = new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    mine = new_client("Đỗ Thị Giữ")
    http = signed_in(staff.worker)
    form = http.get(f"/clients/{mine.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    mark = re.search(r'name="history_mark" type="hidden" value="(\d*)"', form).group(1)
    response = http.post(
        f"/clients/{mine.id}/edit",
        data={
            "full_name": "Đỗ Thị Giữ",
            "sex": "unknown",
            "citizen_id": HELD,
            "version": version,
            "history_mark": mark,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Client, mine.id).citizen_id == HELD
    assert [(r.client_id, r.registered_client_id) for r in _requests()] == [(holder.id, mine.id)]


def test_the_same_pair_is_asked_about_once(staff, new_client, in_request):
    holder = new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    mine = new_client("Đỗ Thị Giữ", citizen_id=HELD)
    services.update_client(mine, {"citizen_id": UNUSED}, by=staff.worker)
    services.update_client(mine, {"citizen_id": HELD}, by=staff.worker)
    assert [(r.client_id, r.registered_client_id) for r in _requests()] == [(holder.id, mine.id)]
    assert len(_notifications(staff.outsider_supervisor)) == 1


def test_the_supervisor_marks_a_request_handled_once(staff, new_client, signed_in):
    new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    new_client("Đỗ Thị Giữ", citizen_id=HELD)
    [request] = _requests()
    http = signed_in(staff.outsider_supervisor)
    assert http.post(f"/clients/identity-matches/{request.id}/handled").status_code == 302
    db.session.expire_all()
    assert request.handled_by_id == staff.outsider_supervisor.id
    http.post(f"/clients/identity-matches/{request.id}/handled")
    page = http.get("/clients/identity-matches").get_data(as_text=True)
    assert "Yêu cầu này đã được đánh dấu là đã xử lý trước đó." in page
    assert signed_in(staff.supervisor).post(f"/clients/identity-matches/{request.id}/handled").status_code == 404


# --- unique within a facility -------------------------------------------------------------------------


def test_a_citizen_id_is_unique_within_a_facility_not_across_facilities(staff):
    factories.make_client(staff.facility, citizen_id=HELD)
    factories.make_client(staff.other_facility, citizen_id=HELD)  # another facility: allowed
    with pytest.raises(IntegrityError), db.session.begin_nested():
        factories.make_client(staff.facility, citizen_id=HELD)


# --- the register import ------------------------------------------------------------------------------


def test_a_register_row_with_a_number_held_elsewhere_is_a_new_client_and_tells_the_holder(staff, new_client, signed_in):
    holder = new_client("Nguyễn Thị Hoa", citizen_id=HELD, facility=staff.other_facility)
    http = signed_in(staff.supervisor)
    data = files.xlsx([REGISTER_ROW, [*REGISTER_ROW[:4], UNUSED, *REGISTER_ROW[5:]]])
    http.post("/register/imports", data={"file": (io.BytesIO(data), "ds.xlsx")}, content_type="multipart/form-data")
    batch = db.session.scalar(sa.select(ImportBatch).order_by(ImportBatch.id.desc()))
    outcomes = db.session.scalars(sa.select(ImportRow.outcome).where(ImportRow.batch_id == batch.id)).all()
    assert sorted(outcomes) == ["create", "create"]  # not refused, not matched to the other facility's client
    assert http.post(f"/register/imports/{batch.id}/commit").status_code == 302
    assert [r.client_id for r in _requests()] == [holder.id]


# --- lookups by number are audited --------------------------------------------------------------------


def _lookups(user):
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "client_lookup", AuditEvent.user_id == user.id)
    ).all()


def test_a_search_by_number_is_audited_with_the_fields_and_the_count_never_the_number(staff, new_client, signed_in):
    new_client("Đỗ Thị Giữ", citizen_id=HELD)
    new_client("Đỗ Thị Khác", citizen_id=UNUSED, facility=staff.other_facility)
    http = signed_in(staff.worker)
    http.get(f"/clients/?q={HELD}")
    http.get(f"/clients/?q={UNUSED}")
    http.get("/clients/?q=Đỗ Thị")  # a name: no lookup by number
    found = [(e.detail["fields"], e.detail["found"], e.detail["page"]) for e in _lookups(staff.worker)]
    assert found == [(["citizen_id", "phone"], 1, "clients.search"), (["citizen_id", "phone"], 0, "clients.search")]
    assert all(HELD not in str(e.detail) and UNUSED not in str(e.detail) for e in _lookups(staff.worker))


def test_the_duplicate_check_by_citizen_id_or_phone_is_audited(staff, new_client, signed_in):
    new_client("Đỗ Thị Giữ", citizen_id=HELD, facility=staff.other_facility)
    _create(signed_in(staff.worker), citizen_id=HELD, phone="0912 000 333")
    lookups = _lookups(staff.worker)
    assert [(e.detail["fields"], e.detail["found"]) for e in lookups] == [(["citizen_id", "phone"], 0)] * 2
    assert all(HELD not in str(e.detail) for e in lookups)
