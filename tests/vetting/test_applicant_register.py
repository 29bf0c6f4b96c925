"""Registering one applicant by hand: a one-row roster through a form."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from entezam.core.models import AuditEvent
from entezam.institutions.choices import InstitutionStatus
from entezam.personnel.models import Person
from entezam.vetting import services
from entezam.vetting.models import Application
from tests.permissions import api
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.roster.files import national_code

URL = reverse("vetting:applicant_register")


def form_data(world, **overrides):
    data = {
        "institution": world.inst_a.pk,
        "position": "guard",
        "national_code": national_code(41),
        "first_name": "علي",  # Arabic yeh: kept as written, found by search as «علی»
        "last_name": "کریمی",
        "father_name": "حسن",
        "birth_date": "۱۳۷۰/۰۵/۱۲",
        "gender": "male",
        "mobile": "۰۹۱۲۳۴۵۶۷۸۹",
        "education": "diploma",
        "military_service": "completed",
    }
    data.update(overrides)
    return data


def test_a_manager_registers_a_new_applicant(world, guard_standard, client):
    client.force_login(world.manager)
    response = client.post(URL, form_data(world))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    person = application.person
    assert (person.national_code, person.first_name, person.mobile) == (
        national_code(41),
        "علي",
        "09123456789",
    )
    assert "علی کریمی" in person.search_name
    assert person.birth_date == datetime.date(1991, 8, 3)
    assert (application.institution, application.position, application.status) == (
        world.inst_a,
        "guard",
        "submitted",
    )
    assert application.standard == guard_standard
    assert list(application.steps.values_list("to_status", "actor")) == [
        ("submitted", world.manager.pk)
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"person.create", "application.open"} <= actions
    # The manager now sees the person they registered.
    assert client.get(reverse("personnel:detail", args=[person.pk])).status_code == 200


def test_the_form_offers_only_institutions_the_user_may_register_into(world, client):
    client.force_login(world.manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields["institution"].queryset) == [world.inst_a]
    client.force_login(world.hq_admin)
    response = client.get(URL)
    queryset = response.context["form"].fields["institution"].queryset
    assert set(queryset) == {world.inst_a, world.inst_a2, world.inst_b}
    # Searched through the scoped lookup, not listed in the page.
    page = response.content.decode()
    start = page.index('<select name="institution"')
    select = page[start : page.index("</select>", start)]
    assert 'data-lookup="/lookup/institution/"' in select and select.count("<option") == 1


def test_the_service_refuses_a_foreign_institution(world, guard_standard):
    # The form and the API: tests/vetting/test_permissions.py.
    with pytest.raises(Http404):
        services.applicant_register(
            actor=world.manager,
            institution=world.inst_b,
            position="guard",
            national_code=national_code(41),
            first_name="علی",
            last_name="کریمی",
            birth_date=datetime.date(1991, 8, 3),
            gender="male",
            education="diploma",
            military_service="completed",
        )
    assert not Person.objects.exists()


def test_every_bad_field_is_named(world, guard_standard, client):
    client.force_login(world.manager)
    response = client.post(
        URL,
        form_data(
            world,
            national_code="0012345678",
            first_name="=HYPERLINK(1)",
            birth_date="1370/13/40",
            mobile="0912",
        ),
    )
    errors = response.context["form"].errors
    assert set(errors) == {"national_code", "first_name", "birth_date", "mobile"}
    assert not Person.objects.exists()


def test_men_need_a_military_service_status(world, guard_standard, client):
    client.force_login(world.manager)
    response = client.post(URL, form_data(world, military_service=""))
    assert "military_service" in response.context["form"].errors
    assert not Person.objects.exists()
    response = client.post(URL, form_data(world, gender="female", military_service=""))
    assert response.status_code == 302


def _registered(**overrides):
    """The person `form_data` describes, already registered (by another institution)."""
    fields = {
        "national_code": national_code(41),
        "first_name": "علی",
        "last_name": "کريمي",  # stored with Arabic letters: the same name, normalised
        "father_name": "حسن",
        "birth_date": datetime.date(1991, 8, 3),
        "gender": "male",
        "mobile": "09120000000",
        **overrides,
    }
    return PersonFactory(**fields)


def test_a_registered_person_whose_identity_matches_is_linked_not_changed(
    world, guard_standard, client
):
    person = _registered()
    before = {f: getattr(person, f) for f in ("first_name", "last_name", "mobile", "education")}
    client.force_login(world.manager)
    response = client.post(URL, form_data(world, education="bachelor"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert Person.objects.count() == 1
    # The manager's institution does not employ her: nothing of the person changes.
    assert {f: getattr(person, f) for f in before} == before
    assert Application.objects.get().person == person
    assert not AuditEvent.objects.filter(action="person.update").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "رضا"),
        ("last_name", "احمدی"),
        ("father_name", "حسین"),
        ("birth_date", "۱۳۷۱/۰۵/۱۲"),
        ("gender", "female"),
    ],
)
def test_a_registered_identity_cannot_be_overwritten_by_another_institution(
    world, guard_standard, client, field, value
):
    person = _registered()
    client.force_login(world.manager)
    response = client.post(URL, form_data(world, **{field: value, "military_service": "completed"}))
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert list(errors) == [field]
    assert errors[field][0].code == "identity_mismatch"
    # The reason names the field, never the stored value.
    stored = str(getattr(person, field))
    assert stored not in str(errors[field][0].message)
    unchanged = Person.objects.get()
    assert unchanged == person and str(getattr(unchanged, field)) == stored
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["person.update", "application.open"])


def test_the_institution_employing_a_person_brings_their_details_up_to_date(
    world, guard_standard, client
):
    person = _registered(first_name="رضا")
    EmploymentFactory(person=person, institution=world.inst_a)
    client.force_login(world.manager)
    response = client.post(URL, form_data(world, mobile=""))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "علي"
    assert person.mobile == "09120000000"  # left empty on the form: kept
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes["first_name"] == ["رضا", "علي"]


def test_over_the_api_a_foreign_identity_is_neither_rewritten_nor_exposed(world, guard_standard):
    person = _registered(gender="female", military_service="")
    payload = {**form_data(world, gender="male"), "institution": world.inst_a.registration_number}
    payload["birth_date"] = "1991-08-03"
    response = api(world.manager).post("/api/v1/applications/register/", payload)
    assert response.status_code == 400
    assert "gender" in response.json()
    person.refresh_from_db()
    assert person.gender == "female"
    assert api(world.manager).get(f"/api/v1/people/{person.pk}/").status_code == 404


def test_someone_employed_elsewhere_is_refused(world, guard_standard, client):
    person = PersonFactory(national_code=national_code(41))
    EmploymentFactory(person=person, institution=world.inst_b)
    client.force_login(world.manager)
    response = client.post(URL, form_data(world))
    error = response.context["form"].errors.as_data()["national_code"][0]
    assert error.code == "employed_elsewhere"
    assert "موسسه دیگری" in str(error.message)
    assert not Application.objects.exists()


def test_sending_the_form_twice_opens_one_application(world, guard_standard, client):
    client.force_login(world.manager)
    assert client.post(URL, form_data(world)).status_code == 302
    response = client.post(URL, form_data(world))
    assert response.status_code == 200
    error = response.context["form"].errors.as_data()["national_code"][0]
    assert error.code == "application_exists"
    assert Application.objects.count() == 1 and Person.objects.count() == 1


def test_a_position_without_an_active_standard_is_refused(world, guard_standard, client):
    client.force_login(world.manager)
    response = client.post(URL, form_data(world, position="manager"))
    assert "position" in response.context["form"].errors
    assert not Person.objects.exists()


def test_an_institution_that_is_not_hiring_is_refused(world, guard_standard):
    world.inst_a.status = InstitutionStatus.SUSPENDED
    world.inst_a.save()
    with pytest.raises(ValidationError) as caught:
        services.applicant_register(
            actor=world.hq_admin,
            institution=world.inst_a,
            position="guard",
            national_code=national_code(41),
            first_name="علی",
            last_name="کریمی",
            birth_date=datetime.date(1991, 8, 3),
            gender="male",
            education="diploma",
            military_service="completed",
        )
    assert caught.value.error_dict["institution"][0].code == "institution_not_hiring"
    assert not Person.objects.exists()


def test_the_application_list_links_to_the_form_for_those_who_may_use_it(world, client):
    client.force_login(world.manager)
    assert URL in client.get(reverse("vetting:application_list")).content.decode()
    client.force_login(world.station_officer)
    assert URL not in client.get(reverse("vetting:application_list")).content.decode()


# --- API ------------------------------------------------------------------------------

API_URL = "/api/v1/applications/register/"


def api_payload(world, **overrides):
    payload = {
        "institution": world.inst_a.registration_number,
        "position": "guard",
        "national_code": "۱۰۰۰۰۰۲۸۷۱",
        "first_name": "علی",
        "last_name": "کریمی",
        "birth_date": "1370/05/12",
        "gender": "male",
        "education": "diploma",
        "military_service": "completed",
    }
    payload.update(overrides)
    return payload


def test_api_registers_an_applicant(world, guard_standard):
    response = api(world.manager).post(API_URL, api_payload(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["position"], body["institution"]) == (
        "submitted",
        "guard",
        world.inst_a.registration_number,
    )
    person = Person.objects.get()
    assert person.national_code == "1000002871"
    assert person.birth_date == datetime.date(1991, 8, 3)
    assert AuditEvent.objects.filter(action="application.open").count() == 1


def test_api_names_every_bad_field(world, guard_standard):
    response = api(world.manager).post(
        API_URL,
        api_payload(world, national_code="123", first_name="=CMD()", birth_date="1370/14/01"),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"national_code", "first_name", "birth_date"}
    assert not Person.objects.exists()


def test_api_reports_a_conflict_on_the_national_code(world, guard_standard):
    person = PersonFactory(national_code="1000002871")
    EmploymentFactory(person=person, institution=world.inst_b)
    response = api(world.manager).post(API_URL, api_payload(world), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["national_code"]
    assert not Application.objects.exists()
