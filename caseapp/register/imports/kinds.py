"""The kinds of list the import wizard brings in: one wizard (upload, columns, preview, commit, error
file, undo, template, export), a template per kind of list.

- PAGES says where each kind's pages are and who may use them: it is known before any kind's code
  is loaded, because the wizard's routes are made when its views are imported.
- An ImportKind is what differs between kinds: its columns, how a row is decided, how the decided
  rows are written and undone, its template and its export.

The kinds are registered by the app factory (create_app), as the approval subjects are, and not
imported here: the workforce kind (caseapp.workforce.imports) is built on this package's reader,
columns and values, so importing it from here would make register and workforce import each other.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from ...security.policy import Perm, has_perm
from .columns import ColumnSet
from .models import ImportBatch, ImportRow

BENEFICIARIES = "beneficiaries"
WORKFORCE = "workforce"


@dataclass(frozen=True)
class Pages:
    perm: Perm  # every page of the kind's wizard declares it
    url: str  # the wizard's URL prefix
    prefix: str  # its endpoints' prefix on the register blueprint
    title: Any

    def endpoint(self, page: str) -> str:
        return f"register.{self.prefix}{page}"


PAGES = {
    BENEFICIARIES: Pages(Perm.IMPORT_REGISTER, "/register", "", _l("Beneficiary register")),
    WORKFORCE: Pages(Perm.MANAGE_WORKFORCE, "/register/workforce", "workforce_", _l("Workforce register")),
}


class Evaluation(Protocol):
    """Decides the rows of one batch, a chunk at a time (services.StagedRow: values, outcome, messages)."""

    def decide(self, chunk: list[Any]) -> None: ...

    def audit_lookup(self) -> None: ...


@dataclass(frozen=True)
class ImportKind:
    name: str
    columns: ColumnSet
    evaluation: Callable[[ImportBatch, Any], Evaluation]  # (batch, user)
    write: Callable[[ImportBatch, list[ImportRow], Any], None]  # the chunk's rows that write, as the user
    undoable: Callable[[ImportBatch], bool]
    undo: Callable[[ImportBatch, Any], None]  # (batch, user)
    template: Callable[[], bytes]
    export: Callable[[Any], tuple[bytes, dict[str, Any]]]  # the user's facility: (file, the audit's detail)
    template_name: str
    export_name: str  # "{day}" is replaced by the day of the export
    preview: tuple[tuple[Any, Callable[[dict[str, Any]], Any]], ...]  # (label, value of a row's values)
    named: Callable[[list[ImportRow]], dict[str, list[int]]]  # the people a page of rows names (audited)

    @property
    def pages(self) -> Pages:
        return PAGES[self.name]


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    if kind.name not in PAGES:
        raise ValueError(f"unknown import kind {kind.name!r}")
    _KINDS[kind.name] = kind


def get(name: str) -> ImportKind:
    return _KINDS[name]


def of(batch: ImportBatch) -> ImportKind:
    return get(batch.kind)


def usable_by(user: Any) -> list[str]:
    """The kinds of list the user may import, in the wizard's order."""
    return [name for name, pages in PAGES.items() if has_perm(user, pages.perm)]
