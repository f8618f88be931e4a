"""Forms of the notification inbox."""

from wtforms import IntegerField
from wtforms.validators import Optional

from ..core.forms import BaseForm


class InboxPageForm(BaseForm):
    """The inbox's GET cursor (?after=<id>)."""

    class Meta:
        csrf = False  # a GET cursor

    after = IntegerField(validators=[Optional()])
