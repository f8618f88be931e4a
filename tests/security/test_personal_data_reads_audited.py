"""Every read of personal data is audited (OWASP ASVS 5.0 V14.2.4, V16.2; Nghị định 13/2023/NĐ-CP):
every GET page of the access matrix, opened by every role allowed to, that shows a client's name,
code or citizen ID writes, in that same request, an audit row naming that client — or one of its
cases — and names it once only (one row per client per request, never two).

Besides the records of each endpoint's own row (tests/security/matrix.py TARGETS), the world holds
a client of the user's facility with a case the user works, so the lists, boards and dashboards
have someone to show.
"""

import io
import re
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case
from caseapp.clients.models import Client
from caseapp.clients.reads import audit_client_read, audit_clients_listed
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.security.policy import Capability, capable
from caseapp.shelter.models import ShelterStay

from .. import factories
from .matrix import url_values
from .test_access_matrix import ALLOWED, _signed_in, _url

SEEN_NAME = "Trần Thị Riêng Tư"
SEEN_CITIZEN_ID = "079301004321"


def _a_client_the_user_works_on(world, role):
    """A client of the user's facility with an open case (the user's own for a role holding a
    caseload, else the facility social worker's: every case-working role sees it), staying in the
    shelter and a member of a beneficiary group — so the lists, the bed board and the register show them."""
    user = world.users[role]
    worker = user if capable(user, Capability.HOLDS_CASELOAD) else world.users["social_worker"]
    client = factories.make_client(world.facility, full_name=SEEN_NAME, citizen_id=SEEN_CITIZEN_ID, phone="0912345678")
    case = factories.make_case(world.facility, client=client, worker=worker)
    now = utcnow()
    stay = ShelterStay(
        facility_id=world.facility.id,
        client_id=client.id,
        case_id=case.id,
        admitted_at=now,
        planned_end_at=now + timedelta(days=30),
    )
    db.session.add(stay)
    factories.make_membership(client, "bt_elderly")


def _shown(session, body):
    """{client id: what of it the page shows}: its code, citizen ID, or a name borne by no other client
    (a name two clients share names neither of them for sure)."""
    rows = session.execute(sa.select(Client.id, Client.full_name, Client.code, Client.citizen_id)).all()
    bearers = {}
    for row in rows:
        bearers.setdefault(row.full_name, []).append(row.id)
    shown = {}
    for row in rows:
        marks = [row.code, row.citizen_id] + ([row.full_name] if len(bearers[row.full_name]) == 1 else [])
        found = [mark for mark in marks if mark and mark in body]
        if found:
            shown[row.id] = found
    return shown


def _text_of(response):
    """What a reader of the response sees: the page, the PDF's text, or the text of an Office file."""
    data = response.get_data()
    if data.startswith(b"%PDF"):
        try:
            return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        except (PdfReadError, ValueError):  # a file a user uploaded that only starts like a PDF
            pass
    if data.startswith(b"PK"):  # .xlsx, .docx: XML files in a zip
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = " ".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))
        return re.sub(r"<[^>]+>", "", xml)
    return data.decode(errors="replace")  # a page, a CSV — or a file a user uploaded, as it is


def _named(session, events):
    """{client id: how many of the events name it} — as the record, one of its cases, or in the detail."""
    case_clients = dict(session.execute(sa.select(Case.id, Case.client_id)).tuples().all())
    named = {}
    for event in events:
        ids = set()
        detail = event.detail or {}
        if event.entity_type == "clients" and event.entity_id:
            ids.add(int(event.entity_id))
        if event.entity_type == "cases" and event.entity_id:
            ids.add(case_clients.get(int(event.entity_id)))
        ids.update(_ints(detail.get("client_id")) | _ints(detail.get("client_ids")))
        ids.update(case_clients.get(i) for i in _ints(detail.get("case_id")) | _ints(detail.get("case_ids")))
        for client_id in ids - {None}:
            named[client_id] = named.get(client_id, 0) + 1
    return named


def _ints(value):
    values = value if isinstance(value, list) else [value]
    return {int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())}


READS = ("client_viewed", "clients_listed", "case_viewed")  # the rows that record a read of a client or case


@pytest.mark.parametrize("endpoint,role", ALLOWED)
def test_a_page_showing_a_client_audits_that_read_once(app, session, world, endpoint, role):
    _a_client_the_user_works_on(world, role)
    path = _url(app, endpoint, url_values(endpoint, world))
    client = _signed_in(app, world.users[role])
    mark = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))
    response = client.get(path)
    assert response.status_code == 200, path
    session.expire_all()
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id)).all()
    shown = _shown(session, _text_of(response))
    named = _named(session, events)
    assert {i: marks for i, marks in shown.items() if i not in named} == {}, (path, [e.action for e in events])
    reads = _named(session, [e for e in events if e.action in READS])
    assert {i: n for i, n in reads.items() if n > 1} == {}, (path, [e.action for e in events])


def test_a_client_read_twice_in_one_request_is_audited_once(app, session, facility):
    user = factories.make_user(role="supervisor", facility=facility)
    seen, other = factories.make_client(facility), factories.make_client(facility, full_name="Lê Thị Khác")
    mark = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))
    with app.test_request_context("/clients/"):
        audit_client_read(seen, by=user, page="clients.show")
        audit_client_read(seen, by=user, page="clients.show")
        audit_clients_listed([seen.id, other.id], by=user)
    with app.test_request_context("/clients/"):  # the next request reads it again
        audit_client_read(seen, by=user, page="clients.show")
    session.flush()
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_id, (e.detail or {}).get("client_ids")) for e in events] == [
        ("client_viewed", str(seen.id), None),
        ("clients_listed", None, [other.id]),
        ("client_viewed", str(seen.id), None),
    ]
