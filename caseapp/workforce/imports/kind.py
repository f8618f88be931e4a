"""The workforce list as a kind of the import wizard (register.imports.kinds), registered by create_app."""

from typing import Any

from flask_babel import lazy_gettext as _l

from ...core.categories import label as category_label
from ...register.imports import kinds
from ...register.imports.models import ImportRow
from .. import categories
from .columns import COLUMNS
from .files import export, template
from .reading import WorkforceEvaluation
from .writing import undo, undoable, write


def _people_named(page: list[ImportRow]) -> dict[str, list[int]]:
    return {"member_ids": sorted({row.member_id for row in page if row.member_id})}


def _kind_label(row_values: dict[str, Any]) -> str | None:
    return category_label(categories.MEMBER_KINDS, row_values.get("member", {}).get("kind"))


WORKFORCE_KIND = kinds.ImportKind(
    name=kinds.WORKFORCE,
    columns=COLUMNS,
    evaluation=WorkforceEvaluation,
    write=write,
    undoable=undoable,
    undo=undo,
    template=template,
    export=export,
    template_name="mau-danh-sach-nhan-luc-ctxh.xlsx",
    export_name="danh-sach-nhan-luc-ctxh-{day}.xlsx",
    preview=(
        (_l("Full name"), lambda row_values: row_values.get("member", {}).get("full_name")),
        (_l("Kind of post"), _kind_label),
        (_l("Agency"), lambda row_values: row_values.get("agency", {}).get("name")),
    ),
    named=_people_named,
)
