"""Shared helpers of the operations tests (`flask setup`, `flask doctor`, `flask files …`, the
catalogue). These commands commit, so they run against apps on databases of their own."""

import shutil

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User
from caseapp.extensions import db
from caseapp.org.models import Facility

from ..conftest import dispose, forget_sqlite_file, reset_schema


def empty_database(app):
    """Back to a just-installed database: migrations and administrative units, nothing else."""
    dispose(app)
    forget_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    reset_schema(app)


def run(app, *args, **kwargs):
    """`flask <args>` against this app; the result has exit_code and output."""
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


def query(app, statement):
    """The rows of a statement, read in a session of its own (what is committed, nothing else)."""
    with app.app_context():
        try:
            return db.session.execute(statement).all()
        finally:
            db.session.remove()


def scalar(app, statement):
    [[value]] = query(app, statement)
    return value


def row_counts(app):
    return {
        model.__tablename__: scalar(app, sa.select(sa.func.count()).select_from(model))
        for model in (Facility, User, AuditEvent)
    }


def audit_actions(app):
    return [action for (action,) in query(app, sa.select(AuditEvent.action).order_by(AuditEvent.id))]


def private_catalogue(tmp_path, monkeypatch, *, compiled=True):
    """caseapp.i18n pointed at a copy of the catalogue's sources and at a compiled folder of its own,
    under tmp_path, so a test may remove or age the catalogue without touching the one the rest of
    the suite reads. Returns (sources, compiled folder)."""
    from caseapp import i18n

    sources, compiled_dir = tmp_path / "sources", tmp_path / "compiled"
    shutil.copytree(i18n.SOURCE_DIR, sources)
    monkeypatch.setattr(i18n, "SOURCE_DIR", sources)
    monkeypatch.setattr(i18n, "COMPILED_DIR", compiled_dir)
    monkeypatch.setattr(i18n, "STAMP", compiled_dir / "sources.sha256")
    if compiled:
        i18n.compile_catalogues()
    return sources, compiled_dir


def change_translation(sources, msgid, msgstr):
    """Edit one translation of the copied sources (what an upgrade does to them)."""
    for po in sorted((sources / "vi").rglob("*.po")):
        text = po.read_text(encoding="utf-8")
        entry = f'msgid "{msgid}"\nmsgstr "'
        if entry in text:
            start = text.index(entry) + len(entry)
            end = text.index('"\n', start)
            po.write_text(text[:start] + msgstr + text[end:], encoding="utf-8")
            return po
    raise LookupError(msgid)
