"""Forms of the notification inbox."""

from ..core.forms import BaseForm, CursorField


class InboxPageForm(BaseForm):
    """The inbox's GET cursor (?after=<id>)."""

    class Meta:
        csrf = False  # a GET cursor

    after = CursorField()
