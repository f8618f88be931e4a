"""Search of the client registry: one fold() for the stored column and the query, on SQLite and
PostgreSQL alike; results only from what the user may see; keyset pages."""

import re

import pytest

from caseapp.clients.queries import search_page
from caseapp.extensions import db

from .. import factories
from ..conftest import build_app, database_url, is_postgres

PLAN_CACHE_MODE = "SELECT current_setting('plan_cache_mode')"


def names(user, q, **kwargs):
    return [c.full_name or c.alias for c in search_page(user, q, **kwargs).rows]


@pytest.mark.parametrize(
    "query",
    [
        "nguyen van duc",
        "NGUYEN VAN DUC",
        "Nguyễn Văn Đức",
        "nguyễn văn đức",
        "duc nguyen",
        "Đức",
        "van  duc",
        "NguyÊn vĂn dỨc",
    ],
)
def test_name_search_ignores_tones_case_and_word_order(staff, new_client, query):
    new_client("Nguyễn Văn Đức")
    new_client("Trần Thị Mai")
    assert names(staff.worker, query) == ["Nguyễn Văn Đức"]


def test_a_name_typed_without_tones_is_found_by_the_name_with_tones(staff, new_client):
    new_client("nguyen van duc")
    assert names(staff.worker, "Nguyễn Văn Đức") == ["nguyen van duc"]


def test_d_and_dj_find_each_other(staff, new_client):
    new_client("Đinh Thị Đào")
    assert names(staff.worker, "dinh thi dao") == ["Đinh Thị Đào"]
    assert names(staff.worker, "ĐINH") == ["Đinh Thị Đào"]


def test_decomposed_unicode_input_is_found(staff, new_client):
    import unicodedata

    new_client("Nguyễn Văn Đức")
    assert names(staff.worker, unicodedata.normalize("NFD", "Nguyễn Văn Đức")) == ["Nguyễn Văn Đức"]


def test_alias_and_other_names_are_searched(staff, new_client):
    new_client(None, alias="Bé Na")
    new_client("Lò Thị Hoa", other_names="Mỉ")
    assert names(staff.worker, "be na") == ["Bé Na"]
    assert names(staff.worker, "mi") == ["Lò Thị Hoa"]


def test_search_by_phone_in_any_spelling(staff, new_client):
    new_client("Lê Thị Lan", phone="0912 345 678")
    for query in ("0912345678", "0912 345 678", "0912.345.678"):
        assert names(staff.worker, query) == ["Lê Thị Lan"], query


def test_search_by_citizen_id(staff, new_client):
    new_client("Lê Thị Lan", citizen_id="001203004005")
    new_client("Lê Thị Lan Anh", citizen_id="001203004006")
    assert names(staff.worker, "001203004005") == ["Lê Thị Lan"]


def test_search_by_case_number(staff, new_client, new_case):
    client = new_client("Hoàng Văn Nam")
    case = new_case(client, worker=staff.worker)
    new_client("Hoàng Văn Nam Phong")
    assert names(staff.worker, case.number) == ["Hoàng Văn Nam"]
    assert names(staff.worker, case.number.lower()) == ["Hoàng Văn Nam"]


def test_search_by_client_code(staff, new_client):
    client = new_client(None, alias="Người đàn ông ở chợ")
    assert names(staff.worker, client.code) == ["Người đàn ông ở chợ"]


def test_clients_of_another_facility_are_never_found(staff, new_client):
    new_client("Nguyễn Văn Đức", facility=staff.other_facility, phone="0987654321", citizen_id="079090001234")
    for user in (staff.worker, staff.supervisor):
        assert names(user, "nguyen van duc") == []
        assert names(user, "0987654321") == []
        assert names(user, "079090001234") == []
        assert names(user, "") == []
    assert names(staff.outsider, "nguyen van duc") == ["Nguyễn Văn Đức"]


def test_sensitive_client_is_hidden_from_a_worker_without_a_visible_case(staff, new_client, new_case):
    client = new_client("Vũ Thị Kín", is_sensitive=True, by=staff.supervisor)  # not the worker: its creator sees it
    assert names(staff.worker, "vu thi kin") == []
    assert names(staff.supervisor, "vu thi kin") == ["Vũ Thị Kín"]
    new_case(client, worker=staff.colleague)
    assert names(staff.worker, "vu thi kin") == []  # a colleague's case: still sealed
    assert names(staff.colleague, "vu thi kin") == ["Vũ Thị Kín"]


def test_roles_without_the_registry_find_nothing(staff, new_client):
    new_client("Nguyễn Văn Đức")
    assert names(staff.admin, "duc") == []
    assert names(staff.reporter, "duc") == []


def test_keyset_pages_cover_every_match_once(staff, new_client):
    for i in range(30):
        new_client(f"Trịnh Văn Số {i}")
    new_client("Người Khác")
    first = search_page(staff.worker, "trinh van", per_page=25)
    assert len(first.rows) == 25 and first.has_next
    second = search_page(staff.worker, "trinh van", after=first.next_cursor, per_page=25)
    assert len(second.rows) == 5 and not second.has_next
    seen = [c.id for c in first.rows + second.rows]
    assert len(set(seen)) == 30
    assert seen == sorted(seen, reverse=True)  # newest first, on the primary key


# --- the page ------------------------------------------------------------------------------------


def test_search_page_shows_code_name_birth_year_commune_and_sensitive_badge(staff, new_client, signed_in):
    commune = factories.any_commune()
    client = new_client(
        "Nguyễn Văn Đức",
        birth_year=2012,
        birth_precision="year",
        province_code=commune.province_code,
        commune_code=commune.code,
    )
    new_client("Nguyễn Văn Đức Anh", is_sensitive=True)
    page = signed_in(staff.supervisor).get("/clients/?q=nguyen+van+duc").get_data(as_text=True)
    assert client.code in page
    assert "Nguyễn Văn Đức" in page
    assert "2012" in page
    assert commune.name in page
    assert "Nhạy cảm" in page  # the sensitive badge
    assert '<html lang="vi">' in page


def test_search_page_next_link_continues_after_the_last_row(staff, new_client, signed_in):
    for i in range(27):
        new_client(f"Đỗ Văn Trang {i}")
    http = signed_in(staff.worker)
    page = http.get("/clients/?q=do+van+trang").get_data(as_text=True)
    assert page.count("Đỗ Văn Trang") == 25
    after = re.search(r'href="[^"]*after=(\d+)', page).group(1)
    page2 = http.get(f"/clients/?q=do+van+trang&after={after}").get_data(as_text=True)
    assert page2.count("Đỗ Văn Trang") == 2
    assert not re.search(r'href="[^"]*after=', page2)


def test_search_page_runs_a_fixed_number_of_queries(staff, new_client, signed_in, session):
    """No query per row: 5 rows or 25 rows, the page costs the same."""
    from sqlalchemy import event

    http = signed_in(staff.worker)
    commune = factories.any_commune()

    def count(q):
        statements = []
        engine = db.session.get_bind()

        def listener(_conn, _cursor, statement, *args, **kwargs):
            # Queries only: where the test's own set-up writes end (a savepoint of the test's
            # transaction) is not the page's cost.
            if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
                statements.append(1)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert http.get(f"/clients/?q={q}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    for i in range(5):
        new_client(f"Phan Văn Ít {i}", province_code=commune.province_code, commune_code=commune.code)
    for i in range(25):
        new_client(f"Phan Văn Nhiều {i}", province_code=commune.province_code, commune_code=commune.code)
    count("phan")  # the first request of a session loads more (session row, user)
    assert count("phan+van+it") == count("phan+van+nhieu")


@pytest.mark.parametrize("query", ["uye", "guyen th", "hi an", "an", "ng%en", "nguy_n"])
def test_parts_of_words_and_like_wildcards_are_found_as_before(staff, new_client, query):
    """On PostgreSQL the facility trigram index narrows the search (migration 0010); the parts of
    words shorter than a trigram, and words with LIKE's wildcards, still match as the LIKEs do."""
    new_client("Nguyễn Thị Anh")
    new_client("Lê Thị Bình")
    assert names(staff.worker, query) == ["Nguyễn Thị Anh"]


@pytest.mark.skipif(not is_postgres(), reason="the facility trigram index is PostgreSQL's (migration 0010)")
def test_the_facility_trigrams_of_postgresql_are_those_the_search_asks_for(staff):
    from caseapp.clients.queries import facility_trigrams

    for name in ("nguyen thi anh", "le an", "be na  kc-2026-000001", "o", ""):
        stored = db.session.scalar(db.text("SELECT clients_facility_trigrams(7, :name)"), {"name": name})
        assert set(stored) == facility_trigrams(7, name.split(" ")), name


@pytest.mark.skipif(not is_postgres(), reason="psycopg's prepared statements and PostgreSQL's generic plans")
def test_a_search_is_planned_for_its_words(staff, new_client):
    """After five uses psycopg prepares the search and PostgreSQL may plan it once for any words;
    that plan read every facility's clients of a common name (bench/). Each search is planned for
    its words."""
    new_client("Nguyễn Thị Anh")
    assert db.session.scalar(db.text(PLAN_CACHE_MODE)) == "auto"
    for _ in range(6):
        assert names(staff.worker, "nguyen anh") == ["Nguyễn Thị Anh"]
    assert db.session.scalar(db.text(PLAN_CACHE_MODE)) == "force_custom_plan"


@pytest.mark.skipif(not is_postgres(), reason="psycopg's prepared statements and PostgreSQL's generic plans")
def test_planning_for_the_values_ends_with_the_transaction(app):  # `app`: the test database, migrated
    from caseapp.core.sql import plan_for_the_values

    other = build_app(database_url())  # outside the savepoint fixture: its transactions really end
    with other.app_context():
        plan_for_the_values()
        backend = db.session.scalar(db.text("SELECT pg_backend_pid()"))
        assert db.session.scalar(db.text(PLAN_CACHE_MODE)) == "force_custom_plan"
        db.session.commit()
        assert db.session.scalar(db.text("SELECT pg_backend_pid()")) == backend  # the same connection …
        assert db.session.scalar(db.text(PLAN_CACHE_MODE)) == "auto"  # … its next transaction
        db.session.rollback()
        db.engine.dispose()
