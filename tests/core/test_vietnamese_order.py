"""Vietnamese alphabetical order (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, tones after
the letters) for every choice list: provinces, communes, ethnic groups, people's names."""

from caseapp.core import categories
from caseapp.core.text import people_sorted, person_sort_key, place_sort_key, vn_sort_key


def test_d_with_stroke_comes_right_after_d_and_before_e():
    names = ["Gia Lai", "Điện Biên", "Cần Thơ", "Đà Nẵng", "Ê-đê", "Dao", "Đồng Nai", "An Giang"]
    assert sorted(names, key=vn_sort_key) == [
        "An Giang",
        "Cần Thơ",
        "Dao",
        "Đà Nẵng",
        "Điện Biên",
        "Đồng Nai",
        "Ê-đê",
        "Gia Lai",
    ]


def test_letters_with_marks_follow_their_base_letter_in_the_alphabets_order():
    assert sorted(["ư", "ơ", "ô", "o", "u", "â", "ă", "a", "ê", "e", "b"], key=vn_sort_key) == [
        "a",
        "ă",
        "â",
        "b",
        "e",
        "ê",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
    ]


def test_tones_only_break_ties_between_the_same_letters():
    assert sorted(["hoa", "hoạ", "hoá", "hõa", "hỏa", "hòa", "hoan"], key=vn_sort_key) == [
        "hoa",
        "hòa",
        "hỏa",
        "hõa",
        "hoá",
        "hoạ",
        "hoan",
    ]


def test_people_are_ordered_by_given_name_then_family_and_middle_names():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn An", "Đỗ Thị Đào"]
    assert sorted(names, key=person_sort_key) == ["Lê Văn An", "Nguyễn Thị An", "Trần Văn Bình", "Đỗ Thị Đào"]

    class Person:
        def __init__(self, full_name):
            self.full_name = full_name

    assert [p.full_name for p in people_sorted(map(Person, names))][0] == "Lê Văn An"


def test_ethnic_groups_are_listed_alphabetically_with_foreign_and_unknown_last(app):
    with app.test_request_context():
        labels = [label for _code, label in categories.sorted_choices(categories.ETHNIC_GROUPS, last=2)]
    assert labels[:54] == sorted(labels[:54], key=vn_sort_key)
    assert labels.index("Ê-đê") > labels.index("Dao") and labels[-2:] == ["Người nước ngoài", "Chưa rõ"]


def test_places_sort_by_their_own_name_not_by_the_kind_of_unit():
    places = ["Xã Yên Lạc", "Phường Bến Thành", "Thành phố Đà Nẵng", "Đặc khu Côn Đảo", "Xã Đông Hòa", "Cao Bằng"]
    assert sorted(places, key=place_sort_key) == [
        "Phường Bến Thành",
        "Cao Bằng",
        "Đặc khu Côn Đảo",
        "Thành phố Đà Nẵng",
        "Xã Đông Hòa",
        "Xã Yên Lạc",
    ]
