"""The minute of a case conference as PDF: "Biên bản họp hội chẩn", in the layout of Nghị định
30/2020/NĐ-CP (templates/pdf/_layout.html): issuing body = the case's facility, "Số:" = the
conference in the unit's minutes (BB: biên bản), the place = the facility's province, the date = the
day the conference was held (so a minute printed twice reads the same). Generating it is audited
(`document_generated`, no personal data)."""

from flask_babel import force_locale

from ..audit.services import record
from ..auth.models import User
from ..cases.models import Case
from ..core.pdf import DocumentHeader, Signature, place_name, render_pdf
from ..core.timeutil import to_local
from ..documents import queries as document_queries
from ..documents.services import client_facts
from ..extensions import db
from .models import CaseConference

DOC_TYPE = "BIÊN BẢN HỌP HỘI CHẨN"
KIND = "case_conference"


def _header(case: Case, conference: CaseConference, facility) -> DocumentHeader:
    chair = conference.chaired_by.full_name if conference.chaired_by else ""
    return DocumentHeader(
        issuing_body=facility.name,
        doc_type=DOC_TYPE,
        number=f"{conference.id}/BB-HC",
        place=place_name(facility.province.name if facility.province else ""),
        day=to_local(conference.held_at).date(),
        title=f"Trường hợp {case.number}",
        signature=Signature(title="CHỦ TRÌ", name=chair),
        pdf_title=f"Biên bản họp hội chẩn — {case.number}",
    )


def conference_minute(case: Case, conference: CaseConference, *, by: User) -> bytes:
    """The minute of `conference` (loaded with queries.conference_page) of `case` (loaded in `by`'s
    case scope with its client), audited."""
    with force_locale("vi"):  # an official Vietnamese document, whatever the user's UI language
        facility = db.session.scalar(document_queries.facility_with_units(case.facility_id))
        pdf = render_pdf(
            "pdf/case_conference.html",
            doc=_header(case, conference, facility),
            case=case,
            client=case.client,
            facility=facility,
            conference=conference,
            held_at=to_local(conference.held_at),
            client_facts=client_facts(case.client)[:5],
        )
    record(
        "document_generated", by=by, entity=case, detail={"kind": KIND, "case_id": case.id, "subject_id": conference.id}
    )
    return pdf
