"""Vietnam's administrative units (two tiers since 1 July 2025): `flask load-units` loads the 34
provinces and 3,321 communes, and running it again changes nothing."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import event

from caseapp.extensions import db
from caseapp.org.models import Commune, Province

from ..conftest import build_app, database_url

PROVINCES = 34
COMMUNES = 3321


@pytest.fixture(scope="module")
def units_app():
    """An app on a database of its own, migrated but without units: the command's commits stay there."""
    url = database_url("units")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = build_app(url)
    with app.app_context():
        upgrade()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Province)) == 0
    result = app.test_cli_runner().invoke(args=["load-units"])
    app.first_load_output = result.output
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def counts():
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Province)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Commune)),
    )


def snapshot():
    provinces = db.session.execute(
        sa.select(Province.code, Province.name, Province.division_type).order_by(Province.code)
    ).all()
    communes = db.session.execute(
        sa.select(Commune.code, Commune.name, Commune.division_type, Commune.province_code).order_by(Commune.code)
    ).all()
    db.session.remove()
    return provinces, communes


class WriteCounter:
    """Every INSERT/UPDATE/DELETE the engine sends while active."""

    def __init__(self, engine):
        self.engine, self.writes = engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_load_units_loads_34_provinces_and_3321_communes(units_app):
    assert f"{PROVINCES} tỉnh/thành phố, {COMMUNES} xã/phường/đặc khu" in units_app.first_load_output
    with units_app.app_context():
        assert counts() == (PROVINCES, COMMUNES)


def test_units_have_official_codes_and_names(units_app):
    with units_app.app_context():
        hanoi = db.session.get(Province, "01")
        assert hanoi.name == "Thành phố Hà Nội"
        assert db.session.get(Province, "22").name == "Quảng Ninh"  # the demo province
        hoan_kiem = db.session.scalar(sa.select(Commune).where(Commune.name == "Phường Hoàn Kiếm"))
        assert hoan_kiem.province_code == "01"
        assert len(hoan_kiem.code) == 5 and hoan_kiem.code.isdigit()
        assert all(len(code) == 2 and code.isdigit() for code in db.session.scalars(sa.select(Province.code)))
        assert all(len(code) == 5 and code.isdigit() for code in db.session.scalars(sa.select(Commune.code)))
        orphans = db.session.scalar(
            sa.select(sa.func.count()).select_from(Commune).where(~Commune.province_code.in_(sa.select(Province.code)))
        )
        assert orphans == 0
        db.session.remove()


def test_second_load_changes_nothing(units_app):
    with units_app.app_context():
        before = snapshot()
        with WriteCounter(db.engine) as counter:
            result = units_app.test_cli_runner().invoke(args=["load-units"])
        assert result.exit_code == 0, result.output
        assert counter.writes == []
        after = snapshot()
    assert len(after[0]) == PROVINCES and len(after[1]) == COMMUNES
    assert after == before


def test_load_units_corrects_a_changed_name(units_app):
    with units_app.app_context():
        original = snapshot()
        db.session.execute(
            sa.update(Commune).where(Commune.name == "Phường Hoàn Kiếm").values(name="Phường Hoàn Kiếm (cũ)")
        )
        db.session.commit()
        db.session.remove()
        result = units_app.test_cli_runner().invoke(args=["load-units"])
        assert result.exit_code == 0, result.output
        assert snapshot() == original


def test_the_test_database_has_the_units_loaded(session):
    assert counts() == (PROVINCES, COMMUNES)
