"""Completing the record of an emergency admission later: the "intake incomplete" task until then."""

import sqlalchemy as sa

from caseapp.cases.models import Case, CaseEvent
from caseapp.clients.models import Client
from caseapp.core.timeutil import local_today
from caseapp.intake.models import Intake
from caseapp.register.queries import managed_group_codes

from .. import factories


def form(case, client, **overrides):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "alias": client.alias,
        "sex": "female",
        "birth_precision": "year",
        "birth_year": "1994",
        "ethnicity": "01",
        "citizen_id": "",
        "phone": "0912 345 678",
        "province_code": "",
        "commune_code": "",
        "street_address": "",
        "hometown": "Hải Dương",
        "groups": ["em_domestic_violence"],
        "channel": "police",
        "referrer_name": "Công an xã",
        "referrer_org": "",
        "referrer_contact": "",
        "problems": ["domestic_violence"],
        "problem_note": "Bị chồng đánh",
        "note": "",
        "version": f"{case.version}-{client.version}",
    }
    data.update(overrides)
    return data


def test_the_case_page_shows_the_intake_incomplete_task_until_it_is_completed(session, signed_in, staff, admit):
    admission = admit()
    client = signed_in(staff)
    page = client.get(f"/cases/{admission.case.id}").get_data(as_text=True)
    assert f"/shelter/cases/{admission.case.id}/complete-intake" in page
    person = session.get(Client, admission.stay.client_id)
    case = session.get(Case, admission.case.id)
    assert client.get(f"/shelter/cases/{case.id}/complete-intake").status_code == 200
    response = client.post(f"/shelter/cases/{case.id}/complete-intake", data=form(case, person))
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    case = session.get(Case, admission.case.id)
    person = session.get(Client, admission.stay.client_id)
    intake = session.get(Intake, case.intake_id)
    assert case.intake_incomplete is False
    assert person.full_name == "Nguyễn Thị Hoa" and person.birth_year == 1994 and person.birth_precision == "year"
    assert person.hometown == "Hải Dương" and person.ethnicity == "01"
    assert session.scalars(managed_group_codes(person.id, local_today())).all() == ["em_domestic_violence"]
    assert intake.problems == ["domestic_violence"] and intake.referrer_name == "Công an xã"
    assert intake.problem_note == "Bị chồng đánh"
    kinds = session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "intake_completed" in kinds
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/shelter/cases/{case.id}/complete-intake" not in page


def test_a_stale_save_is_refused_and_keeps_the_input(session, signed_in, staff, admit):
    admission = admit()
    person = session.get(Client, admission.stay.client_id)
    case = session.get(Case, admission.case.id)
    stale = form(case, person, version="0-0", hometown="Thái Bình")
    response = signed_in(staff).post(f"/shelter/cases/{case.id}/complete-intake", data=stale)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Người khác đã sửa hồ sơ này" in page and 'value="Thái Bình"' in page
    session.expire_all()
    assert session.get(Case, case.id).intake_incomplete is True
    assert session.get(Client, person.id).full_name is None


def test_completion_needs_at_least_one_problem(session, signed_in, staff, admit):
    admission = admit()
    person = session.get(Client, admission.stay.client_id)
    case = session.get(Case, admission.case.id)
    response = signed_in(staff).post(f"/shelter/cases/{case.id}/complete-intake", data=form(case, person, problems=[]))
    assert response.status_code == 200
    assert "Hãy chọn ít nhất một vấn đề." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Case, case.id).intake_incomplete is True


def test_an_invalid_citizen_id_is_refused_on_its_field(session, signed_in, staff, admit):
    admission = admit()
    person = session.get(Client, admission.stay.client_id)
    case = session.get(Case, admission.case.id)
    response = signed_in(staff).post(
        f"/shelter/cases/{case.id}/complete-intake", data=form(case, person, citizen_id="123")
    )
    assert response.status_code == 200
    session.expire_all()
    assert session.get(Case, case.id).intake_incomplete is True


def test_a_reporter_cannot_complete_an_intake(signed_in, shelter, admit):
    admission = admit()
    reporter = factories.make_user(role="reporter", facility=shelter)
    assert signed_in(reporter).get(f"/shelter/cases/{admission.case.id}/complete-intake").status_code == 403


def test_the_intake_form_starts_at_the_shelters_province_when_none_is_recorded(session, signed_in, staff, admit):
    import re

    admission = admit()
    page = signed_in(staff).get(f"/shelter/cases/{admission.case.id}/complete-intake").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="province_code".*?</select>', page, re.S).group(0)
    selected = re.findall(r'<option([^>]*)value="([^"]*)"([^>]*)>', select)
    assert [code for before, code, after in selected if "selected" in before + after] == [staff.facility.province_code]
