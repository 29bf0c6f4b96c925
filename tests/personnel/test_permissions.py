"""Who reaches which person: the shared suite (tests/permissions.py) over people employed
at inst_a (home), inst_a2 (same province) and inst_b (another province), for the register,
the records, their edits and photos, and employments; national codes masked for the roles
that do not need them; opening a record is logged."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from entezam.core.models import AuditEvent
from entezam.personnel.models import Employment, Person
from tests.permissions import Action, ActionTests, DetailTests, ListTests, UpdateTests, api
from tests.personnel.factories import EmploymentFactory, PersonFactory

pytestmark = pytest.mark.django_db

KEYS = ("p_a", "p_a2", "p_b")
VISIBLE = {
    "hq_admin": {"p_a", "p_a2", "p_b"},
    "hq_analyst": {"p_a", "p_a2", "p_b"},
    "province_officer": {"p_a", "p_a2"},
    "station_officer": {"p_a"},
    "manager": {"p_a"},
}
# Operators and trainers never see people.
NO_PEOPLE = frozenset({"operator", "trainer"})
FULL_CODES = {"hq_admin", "province_officer", "manager"}
# HQ edits anyone; a manager the people their institution employs now.
EDITORS = frozenset({"hq_admin", "manager"})


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


def png_upload(person) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (90, 120), (30, 60, 90)).save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue())


class TestPersonPermissions(ListTests, DetailTests, UpdateTests, ActionTests):
    model = Person
    keys = KEYS
    foreign = "p_b"
    visible = VISIBLE
    closed_to = NO_PEOPLE

    @pytest.fixture
    def objects(self, people, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        return people

    list_url = "/people/"
    api_list_url = "/api/v1/people/"
    list_shows = "/people/{pk}/"
    detail_url = "/people/{pk}/"
    api_detail_url = "/api/v1/people/{pk}/"
    detail_shows = "{obj.last_name}"

    update_url = "/people/{pk}/edit/"
    api_update_url = "/api/v1/people/{pk}/"
    update_roles = EDITORS
    update_event = "person.update"
    update_changes = {"education": "bachelor"}
    api_update = {"address": "تهران"}

    def update_form(self, world, obj):
        return {
            "first_name": obj.first_name,
            "last_name": obj.last_name,
            "father_name": obj.father_name,
            "birth_date": "۱۳۶۹/۰۲/۲۷",
            "gender": obj.gender,
            "mobile": obj.mobile,
            "education": "bachelor",
            "military_service": obj.military_service,
            "address": "",
        }

    actions = {
        # GET /people/<pk>/photo/ serves the photo itself: there is no dialog.
        "photo": Action(
            roles=EDITORS,
            event="person.photo",
            web="/people/{pk}/photo/",
            form={"photo": png_upload},
            dialog=False,
            after={"photo": bool},
        ),
    }


class TestEmploymentPermissions(ListTests, DetailTests):
    """Employments, read only over the API, follow the institution."""

    model = Employment
    keys = ("e_a", "e_a2", "e_b")
    foreign = "e_b"
    visible = {role: {f"e{key[1:]}" for key in keys} for role, keys in VISIBLE.items()}
    closed_to = NO_PEOPLE

    @pytest.fixture
    def objects(self, people):
        return {f"e{key[1:]}": person.employments.get() for key, person in people.items()}

    api_list_url = "/api/v1/employments/"
    api_detail_url = "/api/v1/employments/{pk}/"


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_national_codes_masked_per_role_in_pages_and_api(world, people, client, role):
    user = getattr(world, role)
    client.force_login(user)
    person = people["p_a"]
    full_fa = "۰۰۱۳۵۴۲۴۱۹"
    masked_fa = "۰۰۱۳***۴۱۹"
    for url in ("/people/", f"/people/{person.pk}/"):
        html = client.get(url).content.decode()
        if role in FULL_CODES:
            assert full_fa in html, url
        else:
            assert full_fa not in html and masked_fa in html, url
    row = api(user).get(f"/api/v1/people/{person.pk}/").json()
    listed = {r["id"]: r for r in api(user).get("/api/v1/people/").json()["results"]}
    expected = "0013542419" if role in FULL_CODES else "0013***419"
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
    # An institution outside the user's scope matches nothing, as an unknown one does:
    # the answer tells nothing about it (and the API answers the same, not 400).
    client.force_login(world.manager)
    assert names(f"institution={world.inst_b.pk}") == set()
    assert names("institution=999999") == set()
    assert names("employment=none") == {former.pk}


def test_person_model_keeps_search_name(world):
    person = PersonFactory(first_name="مهدي", last_name="كاظمي")
    person.save()
    assert Person.objects.get(pk=person.pk).search_name == "مهدی کاظمی"
