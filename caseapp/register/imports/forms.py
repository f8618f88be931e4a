"""The import's forms: the file, and the columns of its layout."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField

from ...core.forms import BaseForm, required
from .columns import BENEFICIARY_COLUMNS, ColumnSet


class UploadForm(BaseForm):
    file = FileField(_l("Register file (.xlsx, .xls, .ods or .csv)"), validators=[required()])


class _MappingForm(BaseForm):
    selects: list[tuple[Any, Any]]

    def mapping(self) -> dict[str, int]:
        return {column.key: int(field.data) for column, field in self.selects if (field.data or "").isdecimal()}


def mapping_form(headers: list[str], current: dict[str, int], columns: ColumnSet = BENEFICIARY_COLUMNS) -> _MappingForm:
    """One select per column of the kind of list: which of the file's headers holds it (the current
    mapping chosen; a posted form keeps what the user chose)."""
    options = [("", "—")] + [(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]
    fields = {
        f"col_{column.key}": SelectField(column.label, choices=options, default=str(current.get(column.key, "")))
        for column in columns
    }
    form = type("MappingForm", (_MappingForm,), fields)()
    form.selects = [(column, form[f"col_{column.key}"]) for column in columns]
    return form
