"""Case numbers under concurrency: two threads open 20 cases each for the same facility
at the same moment, each case in its own committed transaction, on a database of their own (real
commits, no test transaction) — 40 distinct numbers, 1 … 40, on SQLite and on PostgreSQL."""

import threading

import pytest
import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.cases.services import format_case_number, open_case
from caseapp.clients.models import Client
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.extensions import db
from caseapp.org.models import Facility

from .. import factories
from ..conftest import app_on_own_database, dispose

PER_THREAD = 20
THREADS = 2


@pytest.fixture(scope="module")
def concurrency_app():
    app = app_on_own_database("concurrency")
    yield app
    dispose(app)


def test_concurrent_case_openings_get_unique_consecutive_numbers(concurrency_app):
    app = concurrency_app
    with app.app_context():
        facility = factories.make_facility(code="SONG01")
        worker = factories.make_user(facility=facility)
        clients = [factories.make_client(facility, full_name=f"Khách {i}") for i in range(THREADS)]
        db.session.commit()
        facility_id, worker_id, client_ids = facility.id, worker.id, [c.id for c in clients]
        db.session.remove()

    start = threading.Barrier(THREADS)
    errors, numbers = [], []
    lock = threading.Lock()

    def open_many(client_id):
        try:
            with app.app_context():
                start.wait(timeout=30)
                for _ in range(PER_THREAD):
                    fac = db.session.get(Facility, facility_id)
                    client = db.session.get(Client, client_id)
                    case = open_case(
                        facility=fac,
                        client=client,
                        case_type="center",
                        urgency="medium",
                        by=None,
                        assigned_worker_id=worker_id,
                    )
                    number = case.number
                    db.session.commit()
                    with lock:
                        numbers.append(number)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(repr(error))

    threads = [threading.Thread(target=open_many, args=(client_ids[i],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(numbers) == THREADS * PER_THREAD
    assert len(set(numbers)) == THREADS * PER_THREAD
    year = utcnow().astimezone(VN_TZ).year
    assert set(numbers) == {format_case_number("SONG01", year, n) for n in range(1, THREADS * PER_THREAD + 1)}
    with app.app_context():
        stored = db.session.scalars(sa.select(Case.number).where(Case.facility_id == facility_id)).all()
        db.session.remove()
    assert sorted(stored) == sorted(numbers)
