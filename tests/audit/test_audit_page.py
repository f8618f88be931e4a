"""The audit page: filters by user, action, record type and date; supervisors see their own
facility's events, admins every facility's. On PostgreSQL the table is append-only."""

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.audit.services import record

from ..conftest import is_postgres
from ..factories import make_user
from ..security.conftest import sign_in


class Trail:
    """Three marked events: two at `facility` either side of a Vietnamese midnight, one elsewhere."""

    def __init__(self, facility, other_facility):
        self.supervisor = make_user("supervisor", facility)
        self.worker = make_user("social_worker", facility)
        self.stranger = make_user("supervisor", other_facility)
        self.admin = make_user("admin", other_facility)
        # 10/03/2026 23:30 and 11/03/2026 00:30 in Vietnam (UTC+7)
        self._add("marker_viewed", self.supervisor, "clients", "MARK-A1", datetime(2026, 3, 10, 16, 30))
        self._add("marker_edited", self.worker, "cases", "MARK-A2", datetime(2026, 3, 10, 17, 30))
        self._add("marker_viewed", self.stranger, "clients", "MARK-B1", datetime(2026, 3, 10, 17, 0))

    @staticmethod
    def _add(action, user, entity_type, entity_id, utc):
        event = record(action, by=user, entity_type=entity_type, entity_id=entity_id)
        event.occurred_at = utc.replace(tzinfo=timezone.utc)


@pytest.fixture()
def trail(session, facility, other_facility):
    t = Trail(facility, other_facility)
    session.flush()
    return t


def marks(response):
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {m for m in ("MARK-A1", "MARK-A2", "MARK-B1") if m in page}


def test_supervisor_sees_only_their_facilitys_events(client, trail):
    sign_in(client, trail.supervisor)
    assert marks(client.get("/audit/")) == {"MARK-A1", "MARK-A2"}


def test_admin_sees_every_facilitys_events(client, trail):
    sign_in(client, trail.admin)
    assert marks(client.get("/audit/")) == {"MARK-A1", "MARK-A2", "MARK-B1"}


def test_filter_by_user(client, trail):
    sign_in(client, trail.supervisor)
    assert marks(client.get(f"/audit/?user_id={trail.worker.id}")) == {"MARK-A2"}


def test_supervisor_cannot_filter_on_a_user_of_another_facility(client, trail):
    sign_in(client, trail.supervisor)
    response = client.get(f"/audit/?user_id={trail.stranger.id}")
    assert marks(response) == set()
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)


def test_filter_by_action(client, trail):
    sign_in(client, trail.admin)
    assert marks(client.get("/audit/?action=marker_viewed")) == {"MARK-A1", "MARK-B1"}
    assert marks(client.get("/audit/?action=marker_edited")) == {"MARK-A2"}


def test_filter_by_record_type_and_id(client, trail):
    sign_in(client, trail.admin)
    assert marks(client.get("/audit/?entity_type=cases")) == {"MARK-A2"}
    assert marks(client.get("/audit/?entity_type=clients&entity_id=MARK-B1")) == {"MARK-B1"}


def test_filter_by_date_uses_vietnamese_days(client, trail):
    sign_in(client, trail.supervisor)
    assert marks(client.get("/audit/?date_to=2026-03-10")) == {"MARK-A1"}
    assert marks(client.get("/audit/?date_from=2026-03-11")) == {"MARK-A2"}
    assert marks(client.get("/audit/?date_from=2026-03-10&date_to=2026-03-11")) == {"MARK-A1", "MARK-A2"}
    assert marks(client.get("/audit/?date_from=2026-03-12")) == set()


def test_filters_combine_and_stay_scoped(client, trail):
    sign_in(client, trail.supervisor)
    assert marks(client.get("/audit/?action=marker_viewed&date_from=2026-03-10")) == {"MARK-A1"}


def test_supervisor_sees_failed_logins_on_their_staff_accounts(app, client, session, trail):
    app.test_client().post("/login", data={"username": trail.worker.username, "password": "sai"})
    app.test_client().post("/login", data={"username": trail.stranger.username, "password": "sai"})
    sign_in(client, trail.supervisor)
    page = client.get("/audit/?action=login_failed").get_data(as_text=True)
    assert trail.worker.username in page and trail.stranger.username not in page


def test_audit_page_is_refused_to_workers(client, trail):
    sign_in(client, trail.worker)
    assert client.get("/audit/").status_code == 403


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL trigger")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'rewritten' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "TRUNCATE audit_events",
    ],
)
def test_audit_events_cannot_be_changed_or_removed_on_postgresql(session, trail, statement):
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_id == "MARK-A1"))
    connection = session.connection()
    # In a savepoint: the test's transaction survives the refusal.
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(sa.text(statement), {"id": event.id})
    assert (
        connection.execute(sa.text("SELECT action FROM audit_events WHERE id = :id"), {"id": event.id}).scalar()
        == "marker_viewed"
    )
