"""No GET writes anything but audit and session rows: every GET page of the access matrix, opened by
every role allowed to, leaves the row count of every other table as it was.

Not compared:
- audit_events: reads of personal data are audited, by design;
- user_sessions: the signed-in session's "last seen" (and its end when it expired);
- dashboard_rollups, statistics_rollups: pure caches of numbers counted from the other tables (the
  supervisor dashboard, the province statistics), stored by the page that counted them and dropped
  or recounted at will; nothing is read from them that the other tables do not hold.
"""

import pytest
import sqlalchemy as sa

from caseapp.extensions import db

from .matrix import url_values
from .test_access_matrix import ALLOWED, _signed_in, _url

NOT_COMPARED = frozenset({"audit_events", "user_sessions", "dashboard_rollups", "statistics_rollups"})


def _row_counts(session):
    session.expire_all()
    return {
        name: session.scalar(sa.select(sa.func.count()).select_from(table))
        for name, table in db.metadata.tables.items()
        if name not in NOT_COMPARED
    }


@pytest.mark.parametrize("endpoint,role", ALLOWED)
def test_a_get_page_writes_no_row_but_audit_and_session_rows(app, session, world, endpoint, role):
    path = _url(app, endpoint, url_values(endpoint, world))
    client = _signed_in(app, world.users[role])
    before = _row_counts(session)
    response = client.get(path)
    assert response.status_code == 200, path
    after = _row_counts(session)
    assert {t: (before[t], after[t]) for t in before if before[t] != after[t]} == {}, path
