"""A station officer reads an applicant's national code by task: for the applicants of
applications awaiting a background check that their unit records, through the scoping's
task grant, and for nobody else their unit sees."""

from __future__ import annotations

import pytest

from entezam.core.persian import to_ascii_digits
from entezam.core.scoping import can
from entezam.personnel.models import Person
from tests.personnel.factories import EmploymentFactory
from tests.vetting.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _code_cell(html: str) -> str:
    return to_ascii_digits(html.split("data-national-code>", 1)[1].split("</dd>", 1)[0])


def _page(client, url: str) -> str:
    """The page with its digits read back as Latin (codes display in Persian digits)."""
    response = client.get(url)
    assert response.status_code == 200
    return to_ascii_digits(response.content.decode())


@pytest.fixture
def awaiting(world):
    return ApplicationFactory(institution=world.inst_a, status="background_check")


def test_the_officer_sees_the_code_on_the_background_check_page(client, world, awaiting):
    client.force_login(world.station_officer)
    cell = _code_cell(_page(client, f"/selection/applications/{awaiting.pk}/check/"))
    assert awaiting.person.national_code in cell and "*" not in cell
    assert can(world.station_officer, "read_national_code", awaiting.person)


def test_not_for_a_person_outside_the_task(client, world, awaiting):
    staff = EmploymentFactory(institution=world.inst_a).person  # their unit sees this person
    screening = ApplicationFactory(institution=world.inst_a, status="screening")
    client.force_login(world.station_officer)
    page = _page(client, f"/people/{staff.pk}/")
    assert staff.national_code not in page
    assert to_ascii_digits(staff.national_code_masked) in page
    check_page = _page(client, f"/selection/applications/{screening.pk}/check/")
    assert screening.person.national_code not in check_page
    for person in (staff, screening.person):
        assert not can(world.station_officer, "read_national_code", person)
    # The list shows the task's applicant in full and the rest masked.
    readable = set(
        Person.objects.visible_to(world.station_officer, "read_national_code").values_list(
            "pk", flat=True
        )
    )
    assert readable == {awaiting.person_id}


def test_not_for_an_application_of_another_unit(client, world):
    foreign = ApplicationFactory(institution=world.inst_b, status="background_check")
    neighbour = ApplicationFactory(institution=world.inst_a2, status="background_check")
    client.force_login(world.station_officer)
    assert client.get(f"/selection/applications/{foreign.pk}/check/").status_code == 404
    for application in (foreign, neighbour):
        assert not can(world.station_officer, "read_national_code", application.person)


def test_the_code_is_masked_again_once_the_check_is_done(client, world, awaiting):
    client.force_login(world.station_officer)
    response = client.post(
        f"/selection/applications/{awaiting.pk}/check/",
        {"result": "clear", "checked_on": "1403/01/10", "reference": "REF-1", "detail": ""},
    )
    assert response.status_code == 302
    type(awaiting).objects.filter(pk=awaiting.pk).update(status="interview")
    assert not can(world.station_officer, "read_national_code", awaiting.person)
    page = _page(client, f"/people/{awaiting.person_id}/")
    assert awaiting.person.national_code not in page


def test_other_roles_are_unchanged(world, awaiting):
    assert can(world.province_officer, "read_national_code", awaiting.person)
    assert can(world.manager, "read_national_code", awaiting.person)
    assert not can(world.hq_analyst, "read_national_code", awaiting.person)
