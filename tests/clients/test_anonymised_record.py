"""An anonymised client record stays as the anonymisation left it: its edit page and the services refuse
in Vietnamese, and its page says it was anonymised and offers no edit."""

import pytest
import sqlalchemy as sa

from caseapp.clients.models import Client, ClientChange
from caseapp.clients.rights.anonymise import anonymise_client
from caseapp.clients.services import add_family_member, update_client
from caseapp.core.services import ServiceError

from .test_data_rights import _closed_client

REFUSED_VI = "Hồ sơ này đã được ẩn danh hóa nên không thể sửa được nữa."


@pytest.fixture()
def anonymised(staff, new_client, new_case, in_request, session):
    client = _closed_client(staff, new_client, new_case, "Lê Văn Cũ", 6)
    anonymise_client(client, reason="Hết thời hạn lưu trữ", by=staff.supervisor)
    session.commit()
    return client


def test_the_services_refuse_to_change_an_anonymised_record(staff, anonymised, session):
    changes_before = session.scalar(sa.select(sa.func.count()).where(ClientChange.client_id == anonymised.id))
    with pytest.raises(ServiceError, match=REFUSED_VI):
        update_client(anonymised, {"full_name": "Lê Văn Cũ", "phone": "0912345678"}, by=staff.worker)
    with pytest.raises(ServiceError, match=REFUSED_VI):
        add_family_member(anonymised, {"full_name": "Lê Thị Mẹ", "relationship": "mother"}, by=staff.worker)
    session.rollback()
    assert session.get(Client, anonymised.id).full_name is None
    assert session.scalar(sa.select(sa.func.count()).where(ClientChange.client_id == anonymised.id)) == changes_before


def test_the_edit_page_of_an_anonymised_record_sends_back_to_its_page_saying_why(staff, anonymised, signed_in, session):
    http = signed_in(staff.worker)
    for response in (
        http.get(f"/clients/{anonymised.id}/edit"),
        http.post(f"/clients/{anonymised.id}/edit", data={"full_name": "Lê Văn Cũ", "version": "1"}),
        http.get(f"/clients/{anonymised.id}/family/new"),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/clients/{anonymised.id}")
    page = http.get(f"/clients/{anonymised.id}").get_data(as_text=True)
    assert REFUSED_VI in page
    assert "đã được ẩn danh hóa ngày" in page
    assert f"/clients/{anonymised.id}/edit" not in page
    assert f"/clients/{anonymised.id}/family/new" not in page
    session.expire_all()
    assert session.get(Client, anonymised.id).full_name is None


def test_a_record_not_anonymised_is_still_edited(staff, new_client, signed_in, session):
    client = new_client("Phạm Thị Còn")
    http = signed_in(staff.worker)
    assert http.get(f"/clients/{client.id}/edit").status_code == 200
    assert f"/clients/{client.id}/edit" in http.get(f"/clients/{client.id}").get_data(as_text=True)
