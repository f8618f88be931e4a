"""core.sql.prebuilt: a page's statement is built once and each execution binds its own values."""

import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.core.sql import prebuilt
from caseapp.extensions import db

from ..factories import make_case


def _cases_of_facility(facility_id):
    return sa.select(Case.id).where(Case.facility_id == facility_id).order_by(Case.id)


def test_a_prebuilt_statement_is_built_once_and_binds_each_calls_values(session, facility, other_facility):
    ours = make_case(facility)
    theirs = make_case(other_facility)
    session.flush()

    first, first_values = prebuilt(_cases_of_facility, facility_id=facility.id)
    second, second_values = prebuilt(_cases_of_facility, facility_id=other_facility.id)

    assert first is second  # built once
    assert db.session.scalars(first, first_values).all() == [ours.id]
    assert db.session.scalars(second, second_values).all() == [theirs.id]


def test_many_rows_are_inserted_with_their_ids_and_updated_by_id_as_single_inserts_would(session, facility, make_user):
    """insert_many, copy_rows and update_many (COPY and unnest on PostgreSQL): values converted as an
    INSERT converts them, the columns left out given their defaults, the ids in the rows' order."""
    from datetime import date

    from caseapp.clients.models import Client, ClientChange
    from caseapp.core.sql import copy_rows, insert_many, update_many

    user = make_user()
    rows = [
        {"code": f"SQL-{n}", "full_name": f"Người {n}", "search_name": f"nguoi {n}", "facility_id": facility.id}
        | {"birth_date": date(1990, 1, n), "birth_year": 1990, "created_by_id": user.id}
        for n in (1, 2, 3)
    ]
    ids = insert_many(Client, rows)
    copy_rows(
        ClientChange, [{"client_id": i, "kind": "imported", "changes": {"full_name": [None, "Người"]}} for i in ids]
    )
    update_many(Client, [{"id": ids[0], "phone": "0912000001"}, {"id": ids[2], "phone": None}])

    clients = db.session.scalars(sa.select(Client).where(Client.id.in_(ids)).order_by(Client.id)).all()
    assert [c.code for c in clients] == ["SQL-1", "SQL-2", "SQL-3"] and ids == sorted(ids)
    assert [c.birth_date for c in clients] == [date(1990, 1, 1), date(1990, 1, 2), date(1990, 1, 3)]
    assert [c.phone for c in clients] == ["0912000001", None, None]
    assert all(c.created_at is not None and c.created_at.tzinfo is not None for c in clients)  # defaults
    changes = db.session.scalars(sa.select(ClientChange).where(ClientChange.client_id.in_(ids))).all()
    assert [c.changes for c in changes] == [{"full_name": [None, "Người"]}] * 3
    assert all(c.changed_at is not None for c in changes)
    assert insert_many(Client, []) == []
