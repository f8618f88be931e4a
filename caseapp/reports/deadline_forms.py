"""Forms of the report deadlines: a deadline (added or changed), and a report recorded as sent."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange

from ..core.forms import BaseForm, max_length, required
from .deadlines import FIRST_YEAR, KINDS, NUMBER_SYMBOL_MAX, TEXT_MAX


class DeadlineForm(BaseForm):
    title = StringField(
        _l("Report"),
        validators=[required(), max_length(TEXT_MAX)],
        description=_l("For example: Báo cáo kết quả thực hiện Kế hoạch công tác xã hội năm"),
    )
    report_kind = SelectField(_l("Kind of report"), default="yearly")
    recipient = StringField(
        _l("Sent to"), validators=[required(), max_length(TEXT_MAX)], description=_l("For example: Sở Y tế")
    )
    due_day = IntegerField(
        _l("Due day"),
        validators=[
            InputRequired(message=_l("Give a day from 1 to 31.")),
            NumberRange(min=1, max=31, message=_l("Give a day from 1 to 31.")),
        ],
        description=_l("The report is due by the end of this day. 31: the month's last day."),
    )
    due_month = SelectField(_l("Due month"), coerce=int, default=12)
    version = HiddenField(default="0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_kind.choices = list(KINDS.items())
        self.due_month.choices = [(m, _l("Month %(number)d", number=m)) for m in range(1, 13)]


class SentForm(BaseForm):
    year = IntegerField(
        _l("Report of the year"),
        validators=[
            InputRequired(message=_l("Choose the year of the report.")),
            NumberRange(min=FIRST_YEAR, max=2100, message=_l("Choose the year of the report.")),
        ],
    )
    number_symbol = StringField(
        _l("Number and symbol"),
        validators=[required(), max_length(NUMBER_SYMBOL_MAX)],
        description=_l("As printed on the report, e.g. 15/BC-TTCTXH"),
    )
    sent_on = DateField(_l("Date sent"), validators=[InputRequired(message=_l("Give the date it was sent."))])
