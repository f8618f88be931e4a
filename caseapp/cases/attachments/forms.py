"""The upload form of a case's documents."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Optional

from ...core.forms import BaseForm, max_length
from .services import DESCRIPTION_MAX_LENGTH


class AttachmentForm(BaseForm):
    file = FileField(_l("File (PDF, JPEG or PNG)"))
    description = StringField(_l("Description"), validators=[Optional(), max_length(DESCRIPTION_MAX_LENGTH)])
