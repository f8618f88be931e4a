"""The client form's lists in Vietnamese alphabetical order (core.text.vn_sort_key), starting at the
facility's own province; the same order in the province → commune picker."""

import re
from html import unescape

from caseapp.core.text import place_sort_key, vn_sort_key


def _options(page, name):
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option([^>]*)value="([^"]*)"([^>]*)>([^<]*)<', select)


def _names(page, name):
    return [unescape(text) for _before, code, _after, text in _options(page, name) if code]


def _selected(page, name):
    return [code for before, code, after, _text in _options(page, name) if "selected" in before + after]


def test_the_new_client_form_lists_places_and_ethnic_groups_in_vietnamese_order(staff, signed_in):
    page = signed_in(staff.worker).get("/clients/new?next=intake").get_data(as_text=True)
    provinces = _names(page, "province_code")
    assert len(provinces) == 34 and provinces == sorted(provinces, key=place_sort_key)
    assert provinces.index("Thành phố Cần Thơ") < provinces.index("Điện Biên") < provinces.index("Gia Lai")
    communes = _names(page, "commune_code")
    assert communes and communes == sorted(communes, key=place_sort_key)
    check = {"full_name": "Hà Văn Mới", "sex": "male", "action": "check"}
    page = signed_in(staff.worker).post("/clients/new", data=check).get_data(as_text=True)
    groups = _names(page, "ethnicity")
    assert len(groups) == 56 and groups[:54] == sorted(groups[:54], key=vn_sort_key)


def test_the_new_client_form_starts_at_the_facilitys_province_and_keeps_a_posted_one(staff, signed_in):
    http = signed_in(staff.worker)
    page = http.get("/clients/new").get_data(as_text=True)
    assert _selected(page, "province_code") == [staff.facility.province_code]
    page = http.post("/clients/new", data={"full_name": "", "province_code": "", "action": "check"}).get_data(
        as_text=True
    )
    assert _selected(page, "province_code") in ([], [""])  # the user's choice is kept, even none


def test_the_commune_picker_lists_communes_in_vietnamese_order(staff, signed_in):
    listed = signed_in(staff.worker).get(f"/admin/facilities/communes/{staff.facility.province_code}").get_json()
    names = [row["name"] for row in listed]
    assert names and names == sorted(names, key=place_sort_key)
