"""Who reaches which person: pages and API, each role against its own and a foreign scope;
national codes masked for the roles that do not need them; opening a record is logged."""

import datetime

import pytest
from rest_framework.test import APIClient

from entezam.core.models import AuditEvent
from entezam.personnel.models import Person
from tests.personnel.factories import EmploymentFactory, PersonFactory

pytestmark = pytest.mark.django_db

ROLES = ["hq_admin", "hq_analyst", "province_officer", "station_officer", "manager"]
NO_PEOPLE_ROLES = ["operator", "trainer"]
VISIBLE = {
    "hq_admin": {"p_a", "p_a2", "p_b"},
    "hq_analyst": {"p_a", "p_a2", "p_b"},
    "province_officer": {"p_a", "p_a2"},
    "station_officer": {"p_a"},
    "manager": {"p_a"},
}
FULL_CODES = {"hq_admin", "province_officer", "manager"}
CAN_EDIT = {"hq_admin": {"p_a", "p_a2", "p_b"}, "manager": {"p_a"}}


@pytest.fixture
def people(world):
    p_a = EmploymentFactory(
        institution=world.inst_a,
        person=PersonFactory(national_code="0013542419", first_name="علی", last_name="کریمی"),
    ).person
    p_a2 = EmploymentFactory(
        institution=world.inst_a2, person=PersonFactory(first_name="رضا", last_name="کریمی")
    ).person
    p_b = EmploymentFactory(
        institution=world.inst_b, person=PersonFactory(first_name="حسن", last_name="کریمی")
    ).person
    return {"p_a": p_a, "p_a2": p_a2, "p_b": p_b}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_list_page_shows_exactly_the_scope(world, people, client, role):
    client.force_login(getattr(world, role))
    html = client.get("/people/").content.decode()
    for key, person in people.items():
        assert (f"/people/{person.pk}/" in html) == (key in VISIBLE[role]), key


@pytest.mark.parametrize("role", ROLES)
def test_detail_page_404_outside_scope(world, people, client, role):
    client.force_login(getattr(world, role))
    for key, person in people.items():
        status = client.get(f"/people/{person.pk}/").status_code
        assert status == (200 if key in VISIBLE[role] else 404), key


@pytest.mark.parametrize("role", ROLES)
def test_api_list_and_retrieve_follow_the_scope(world, people, role):
    client = api(getattr(world, role))
    listed = {row["id"] for row in client.get("/api/v1/people/").json()["results"]}
    assert listed == {people[key].pk for key in VISIBLE[role]}
    for key, person in people.items():
        status = client.get(f"/api/v1/people/{person.pk}/").status_code
        assert status == (200 if key in VISIBLE[role] else 404), key


@pytest.mark.parametrize("role", NO_PEOPLE_ROLES)
def test_roles_without_people_are_refused(world, people, client, role):
    user = getattr(world, role)
    client.force_login(user)
    assert client.get("/people/").status_code == 403
    assert client.get(f"/people/{people['p_a'].pk}/").status_code == 404
    assert api(user).get("/api/v1/people/").status_code == 403
    assert api(user).get("/api/v1/employments/").status_code == 403


def test_anonymous_is_sent_to_login(people, client):
    response = client.get("/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert APIClient().get("/api/v1/people/").status_code in (401, 403)


def test_manager_does_not_see_a_person_employed_only_elsewhere(world, people, client):
    client.force_login(world.manager)
    assert client.get(f"/people/{people['p_b'].pk}/").status_code == 404
    assert client.get(f"/people/{people['p_a2'].pk}/edit/").status_code == 404
    assert api(world.manager).get(f"/api/v1/people/{people['p_b'].pk}/").status_code == 404


def test_station_officer_sees_only_institutions_its_unit_supervises(world, people):
    listed = api(world.station_officer).get("/api/v1/employments/").json()["results"]
    assert {row["institution"] for row in listed} == {world.inst_a.pk}


@pytest.mark.parametrize("role", ROLES)
def test_national_codes_masked_per_role_in_pages_and_api(world, people, client, role):
    user = getattr(world, role)
    client.force_login(user)
    person = people["p_a"]
    full_fa = "۰۰۱۳۵۴۲۴۱۹"
    masked_fa = "۰۰۱۳•••۴۱۹"
    for url in ("/people/", f"/people/{person.pk}/"):
        html = client.get(url).content.decode()
        if role in FULL_CODES:
            assert full_fa in html, url
        else:
            assert full_fa not in html and masked_fa in html, url
    row = api(user).get(f"/api/v1/people/{person.pk}/").json()
    listed = {r["id"]: r for r in api(user).get("/api/v1/people/").json()["results"]}
    expected = "0013542419" if role in FULL_CODES else "0013•••419"
    assert row["national_code"] == listed[person.pk]["national_code"] == expected
    assert row["national_code_masked"] is (role not in FULL_CODES)


def test_record_view_logged_on_detail_and_retrieve_not_on_list(world, people, client):
    person = people["p_a"]
    views = AuditEvent.objects.filter(action="person.view", object_id=str(person.pk))
    client.force_login(world.station_officer)
    client.get("/people/")
    api(world.station_officer).get("/api/v1/people/")
    assert views.count() == 0
    client.get(f"/people/{person.pk}/")
    assert views.count() == 1
    api(world.station_officer).get(f"/api/v1/people/{person.pk}/")
    assert views.count() == 2
    event = views.latest("id")
    assert event.actor == world.station_officer
    assert event.role == "station_officer"
    assert event.institution_id == world.inst_a.pk
    # A refused view is not a view.
    client.get(f"/people/{people['p_b'].pk}/")
    assert not AuditEvent.objects.filter(action="person.view", object_id=str(people["p_b"].pk))


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_and_api_patch_per_role(world, people, client, role):
    user = getattr(world, role)
    client.force_login(user)
    for key, person in people.items():
        page = client.get(f"/people/{person.pk}/edit/").status_code
        patch = (
            api(user)
            .patch(f"/api/v1/people/{person.pk}/", {"address": "تهران"}, format="json")
            .status_code
        )
        if key not in VISIBLE[role]:
            assert page == patch == 404, key
        elif key in CAN_EDIT.get(role, set()):
            assert page == patch == 200, key
        else:
            assert page == patch == 403, key


def test_manager_edits_own_employee_and_the_edit_is_audited(world, people, client):
    person = people["p_a"]
    client.force_login(world.manager)
    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "first_name": "علي",
            "last_name": "كريمي‌نژاد",
            "father_name": "حسین",
            "birth_date": "۱۳۶۹/۰۲/۲۷",
            "gender": "male",
            "mobile": "۰۹۱۲۱۲۳۴۵۶۷",
            "education": "bachelor",
            "military_service": "completed",
            "address": "",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.education == "bachelor"
    assert person.birth_date == datetime.date(1990, 5, 17)
    assert "كريمي" not in person.search_name and "کریمی" in person.search_name
    event = AuditEvent.objects.get(action="person.update", object_id=str(person.pk))
    assert event.changes["education"] == ["diploma", "bachelor"]


def test_edit_form_rejects_formula_names(world, people, client):
    person = people["p_a"]
    client.force_login(world.hq_admin)
    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "first_name": '=HYPERLINK("x")',
            "last_name": "کریمی",
            "birth_date": "1369/02/27",
            "gender": "male",
            "education": "diploma",
        },
    )
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    person.refresh_from_db()
    assert person.first_name == "علی"


def test_people_api_uses_cursor_pagination(world, people):
    body = api(world.hq_admin).get("/api/v1/people/?page_size=2").json()
    assert set(body) >= {"next", "previous", "results"} and "count" not in body
    assert len(body["results"]) == 2
    assert "cursor=" in body["next"]


def test_filters_institution_employment_position(world, people, client):
    former = PersonFactory(first_name="مهدی", last_name="رحیمی")
    EmploymentFactory(
        person=former,
        institution=world.inst_a,
        end_date=datetime.date(2023, 1, 1),
        end_reason="resigned",
    )
    client.force_login(world.hq_admin)

    def names(query):
        return {p.pk for p in client.get(f"/people/?{query}").context["object_list"]}

    assert names(f"institution={world.inst_a.pk}") == {people["p_a"].pk}
    assert names("employment=none") == {former.pk}
    assert names(f"employment=none&institution={world.inst_a.pk}") == {former.pk}
    assert names("position=supervisor") == set()
    assert names("position=guard&employment=active") == {
        people["p_a"].pk,
        people["p_a2"].pk,
        people["p_b"].pk,
    }
    # An institution outside the user's scope is not a valid choice.
    client.force_login(world.manager)
    response = client.get(f"/people/?institution={world.inst_b.pk}")
    assert response.context["filterset"].errors
    assert {p.pk for p in response.context["object_list"]} == {people["p_a"].pk, former.pk}


def test_person_model_keeps_search_name(world):
    person = PersonFactory(first_name="مهدي", last_name="كاظمي")
    person.save()
    assert Person.objects.get(pk=person.pk).search_name == "مهدی کاظمی"
