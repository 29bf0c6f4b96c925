"""The audit log and a person's history show national codes as the person page does:
in full only to those who may read that person's code (issue 8, section 5)."""

import pytest
from django.urls import reverse

from entezam.core import audit
from entezam.core.persian.text import to_persian_digits
from entezam.personnel.models import mask_national_code
from tests.personnel.factories import EmploymentFactory


@pytest.fixture
def registered(world):
    employment = EmploymentFactory(institution=world.inst_a)
    person = employment.person
    audit.record(
        actor=world.hq_admin,
        action="person.create",
        obj=person,
        changes={"national_code": [None, person.national_code], "last_name": [None, "کریمی"]},
    )
    return person


def _page(client, user, url) -> str:
    """The page's text with digits in ASCII (the pages show Persian digits)."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for ascii_digit in "0123456789":
        page = page.replace(to_persian_digits(ascii_digit), ascii_digit)
    return page


@pytest.mark.django_db
def test_the_analyst_reads_the_audit_log_with_codes_masked(client, world, registered):
    page = _page(client, world.hq_analyst, reverse("core:audit_list"))
    assert registered.national_code not in page
    assert mask_national_code(registered.national_code) in page


@pytest.mark.django_db
def test_hq_admin_reads_codes_in_full_in_the_audit_log(client, world, registered):
    page = _page(client, world.hq_admin, reverse("core:audit_list"))
    assert registered.national_code in page


@pytest.mark.django_db
def test_a_station_officer_sees_the_history_masked_on_the_person_page(client, world, registered):
    url = reverse("personnel:detail", args=[registered.pk])
    page = _page(client, world.station_officer, url)
    assert registered.national_code not in page
    assert mask_national_code(registered.national_code) in page


@pytest.mark.django_db
def test_the_employer_reads_the_code_in_full_in_the_history(client, world, registered):
    url = reverse("personnel:detail", args=[registered.pk])
    page = _page(client, world.manager, url)
    assert registered.national_code in page
