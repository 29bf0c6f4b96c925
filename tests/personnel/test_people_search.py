"""Search by a name fragment (normalised) or a national code (any digits, padded)."""

import pytest

from entezam.personnel.models import Person
from entezam.personnel.selectors import national_code_query, person_search, search_too_short
from tests.permissions import api
from tests.personnel.factories import EmploymentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ali(world):
    person = PersonFactory(national_code="0013542419", first_name="علی", last_name="کریمی")
    EmploymentFactory(person=person, institution=world.inst_a)
    PersonFactory(national_code="0499370899", first_name="رضا", last_name="محمدی")
    return person


def found(query):
    return list(person_search(Person.objects.all(), query))


def test_arabic_spelling_finds_persian_name(ali):
    assert found("علي كريمي") == [ali]
    assert found("كريم") == [ali]
    assert found("  علی   کریمی ") == [ali]


def test_persian_digits_find_the_exact_national_code(ali):
    assert found("۰۰۱۳۵۴۲۴۱۹") == [ali]
    assert found("0013542419") == [ali]
    # Leading zeros lost in a spreadsheet: padded like the validator does.
    assert found("13542419") == [ali]
    assert found("٠٠١٣٥٤٢٤١٩") == [ali]


def test_national_code_is_exact_not_a_fragment(ali):
    assert found("0013542410") == []
    assert national_code_query("1234567") is None
    assert national_code_query("۰۰۱۳ ۵۴۲ ۴۱۹") == "0013542419"


def test_fragments_under_three_letters_are_not_searched(ali, client, world):
    assert search_too_short("عل") and search_too_short("ab")
    assert not search_too_short("علی") and not search_too_short("13542419")
    assert found("عل") == []
    client.force_login(world.hq_admin)
    response = client.get("/people/?q=عل")
    assert response.status_code == 200
    assert response.context["search_hint"] is True
    assert not response.context["object_list"]
    assert "۳" in response.content.decode()


def test_list_page_and_api_search(world, ali, client):
    client.force_login(world.hq_admin)
    response = client.get("/people/", {"q": "علي كريمي"})
    assert [p.pk for p in response.context["object_list"]] == [ali.pk]
    rows = api(world.hq_admin).get("/api/v1/people/", {"q": "۰۰۱۳۵۴۲۴۱۹"}).json()["results"]
    assert [r["id"] for r in rows] == [ali.pk]


def test_search_query_has_no_function_on_the_column(ali):
    sql = str(person_search(Person.objects.all(), "کریمی").query)
    assert "LIKE" in sql.upper() and "UPPER(" not in sql.upper() and "LOWER(" not in sql.upper()


def test_a_common_fragment_counts_only_up_to_the_cap(world, client, monkeypatch):
    from entezam.personnel import views

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 3)
    for _ in range(5):
        EmploymentFactory(
            person=PersonFactory(first_name="حسین", last_name="رضایی"), institution=world.inst_a
        )
    client.force_login(world.hq_admin)
    page = client.get("/people/", {"q": "رضایی"})
    assert page.context["page_obj"].paginator.capped
    assert "بیش از ۳ نفر" in page.content.decode()
    # Past the cap the list moves by keyset pages: the first page holds every match (five,
    # fewer than a page), in stable id order, and offers no next page.
    ids = [p.pk for p in page.context["object_list"]]
    assert len(ids) == 5 and ids == sorted(ids)
    assert page.context["page_obj"].keyset and not page.context["page_obj"].has_next
    # The whole register (no search) is counted exactly.
    assert client.get("/people/").context["page_obj"].paginator.count == Person.objects.count()
