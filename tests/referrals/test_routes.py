"""Every page of the referrals blueprint: anonymous → sign-in page; a role without the permission
(a reporter) → 403, audited; a record of another facility → 404, never 403."""

import pytest

from .helpers import (
    facility_provider,
    make_provider,
    make_referral,
    make_transfer,
    open_client_case,
    outside_provider,
    proposed_provider,
)


@pytest.fixture()
def records(staff):
    """Records of `facility` (own) and of `other_facility` (other), by endpoint."""
    own_case = open_client_case(staff.facility, staff.worker)
    other_case = open_client_case(staff.other_facility, staff.outside_worker, full_name="Lê Văn Ngoài")
    hospital = make_provider(staff.facility.province_code)
    own_referral = make_referral(own_case, hospital, staff.worker)
    other_referral = make_referral(other_case, hospital, staff.outside_worker)
    to_us = make_referral(other_case, facility_provider(staff.facility), staff.outside_worker)
    to_them = make_referral(own_case, facility_provider(staff.other_facility), staff.worker)
    own_transfer = make_transfer(own_case, staff.other_facility, staff.worker)  # decided by `other`
    other_transfer = make_transfer(other_case, staff.facility, staff.outside_worker)  # decided by us
    return {
        "own_case": own_case.id,
        "other_case": other_case.id,
        "provider": hospital.id,
        "own_referral": own_referral.id,
        "other_referral": other_referral.id,
        "incoming": to_us.id,
        "outgoing": to_them.id,
        "own_transfer": own_transfer.id,
        "other_transfer": other_transfer.id,
        "own_outside": outside_provider(staff.facility).id,
        "other_outside": outside_provider(staff.other_facility).id,
        "own_proposal": proposed_provider(staff.facility, staff.worker).id,
        "other_proposal": proposed_provider(staff.other_facility, staff.outside_worker).id,
    }


# (method, path template, permission holder who may open it, the record of another facility)
ROUTES = [
    ("GET", "/providers", None, None),
    ("GET", "/providers/new", None, None),
    ("GET", "/providers/{provider}/edit", None, None),
    ("GET", "/providers/{own_outside}/edit", "supervisor", "/providers/{other_outside}/edit"),
    ("GET", "/providers/proposals", "worker", None),
    ("POST", "/providers/{own_proposal}/decide", None, "/providers/{other_proposal}/decide"),
    ("GET", "/cases/{own_case}/referrals/new", "worker", "/cases/{other_case}/referrals/new"),
    ("POST", "/cases/{own_case}/referrals/new", None, "/cases/{other_case}/referrals/new"),
    ("GET", "/referrals/{own_referral}", "worker", "/referrals/{other_referral}"),
    ("POST", "/referrals/{own_referral}/status", None, "/referrals/{other_referral}/status"),
    ("GET", "/referrals/overdue", "worker", None),
    ("GET", "/referrals/incoming", "supervisor", None),
    ("GET", "/referrals/incoming/{incoming}", "supervisor", "/referrals/incoming/{outgoing}"),
    ("GET", "/cases/{own_case}/transfer", "worker", "/cases/{other_case}/transfer"),
    ("GET", "/transfers/incoming", "supervisor", None),
    ("POST", "/transfers/{other_transfer}/decide", None, "/transfers/{own_transfer}/decide"),
    ("POST", "/transfers/{own_transfer}/cancel", None, "/transfers/{other_transfer}/cancel"),
]


@pytest.mark.parametrize("method,path,_holder,_other", ROUTES)
def test_anonymous_is_sent_to_sign_in(client, records, method, path, _holder, _other):
    response = client.open(path.format(**records), method=method)
    assert response.status_code == 302
    # to sign in; `next` only for a page that answers GET (never a POST-only URL, a 405 after signing in)
    assert response.headers["Location"].startswith("/login?next=" if method == "GET" else "/login")


@pytest.mark.parametrize("method,path,_holder,_other", ROUTES)
def test_reporter_is_refused(staff, records, signed_in, method, path, _holder, _other):
    assert signed_in(staff.reporter).open(path.format(**records), method=method).status_code == 403


@pytest.mark.parametrize("method,path,holder,_other", [r for r in ROUTES if r[2]])
def test_the_permission_holder_opens_the_page(staff, records, signed_in, method, path, holder, _other):
    assert signed_in(getattr(staff, holder)).open(path.format(**records), method=method).status_code == 200


@pytest.mark.parametrize("method,_path,_holder,other", [r for r in ROUTES if r[3]])
@pytest.mark.parametrize("who", ["worker", "supervisor"])
def test_a_record_of_another_facility_answers_404(staff, records, signed_in, method, _path, _holder, other, who):
    user = getattr(staff, who)
    if "/incoming/" in other or "/decide" in other or "/providers/" in other:
        user = staff.supervisor  # pages of the receiving facility and directory editing: supervisors only
    response = signed_in(user).open(other.format(**records), method=method)
    assert response.status_code == 404


def test_admin_manages_the_directory_but_sees_no_case_content(staff, records, signed_in):
    admin = signed_in(staff.admin)
    assert admin.get("/providers").status_code == 200
    assert admin.get(f"/providers/{records['provider']}/edit").status_code == 200
    assert admin.get(f"/referrals/{records['own_referral']}").status_code == 403
    assert admin.get("/referrals/overdue").status_code == 403
    assert admin.get("/transfers/incoming").status_code == 403
