"""No stored value can break a page: dates are checked to a plausible range at every edge,
and a date the Jalali calendar cannot show (stored before) renders as itself."""

import datetime

import pytest
from django.utils import timezone

from entezam.core.dates import DateRange, date_bounds
from entezam.core.persian import format_jalali
from entezam.personnel.models import Person
from entezam.roster.choices import Mode
from entezam.roster.services import roster_import
from tests.permissions import api
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.roster.files import active_standards, roster_row, write_csv

pytestmark = pytest.mark.django_db

IMPOSSIBLE = ["0500-01-01", "9999-12-31", "1000-01-01"]


def test_the_ranges_follow_today():
    today = datetime.date(2026, 12, 1)
    assert date_bounds("birth", today) == (datetime.date(1926, 12, 1), datetime.date(2011, 12, 1))
    assert date_bounds("past", today) == (datetime.date(1976, 12, 1), today)
    assert date_bounds("any", today)[1] == datetime.date(2076, 12, 1)


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_the_api_refuses_a_birth_date_out_of_range(world, value):
    person = EmploymentFactory(institution=world.inst_a).person
    response = api(world.hq_admin).patch(f"/api/v1/people/{person.pk}/", {"birth_date": value})
    assert response.status_code == 400
    assert "birth_date" in response.json()
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1990, 5, 17)


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_the_api_refuses_licence_dates_out_of_range(world, value):
    response = api(world.hq_admin).patch(
        f"/api/v1/institutions/{world.inst_a.pk}/", {"licence_expires_on": value}
    )
    assert response.status_code == 400 and "licence_expires_on" in response.json()


def test_the_api_refuses_a_check_date_in_the_far_past(world):
    person = EmploymentFactory(institution=world.inst_a).person
    response = api(world.hq_admin).post(
        "/api/v1/background-checks/",
        {"person": person.pk, "result": "clear", "checked_on": "0500-01-01"},
    )
    assert response.status_code == 400 and "checked_on" in response.json()


def test_a_form_refuses_a_birth_date_out_of_range_with_the_range_in_jalali(world, client):
    person = EmploymentFactory(institution=world.inst_a).person
    client.force_login(world.hq_admin)
    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": "۱۳۹۸/۰۱/۰۱",  # six years old
            "gender": "male",
            "education": "diploma",
            "military_service": "completed",
        },
    )
    assert response.status_code == 200
    error = response.context["form"].errors.as_data()["birth_date"][0]
    assert error.code == "date_out_of_range"
    earliest, _latest = date_bounds("birth")
    assert format_jalali(earliest) in str(error.message % error.params)


def test_a_stored_impossible_date_renders_as_itself_and_breaks_no_list(world, client):
    person = PersonFactory()
    Person.objects.filter(pk=person.pk).update(birth_date=datetime.date(500, 1, 1))
    EmploymentFactory(person=person, institution=world.inst_a)
    client.force_login(world.hq_admin)
    assert client.get("/people/").status_code == 200
    assert client.get(f"/people/{person.pk}/").status_code == 200
    assert api(world.hq_admin).get("/api/v1/people/").status_code == 200
    assert format_jalali(datetime.date(500, 1, 1)) == "۰۵۰۰-۰۱-۰۱"
    assert format_jalali(datetime.date(9999, 12, 31), digits="en") == "9999-12-31"


def test_a_roster_birth_date_making_a_child_is_rejected(tmp_path, world):
    active_standards()
    row = roster_row(0)
    twelve = timezone.localdate().replace(year=timezone.localdate().year - 12)
    row[4] = twelve.isoformat()
    path = write_csv(tmp_path / "r.csv", [row])
    report = roster_import(
        actor=world.manager, institution=world.inst_a, path=path, mode=Mode.PARTIAL
    )
    assert [(e.column, e.code) for e in report.errors] == [("birth_date", "birth_out_of_range")]
    assert not Person.objects.exists()


def test_the_validator_lets_plausible_dates_through():
    DateRange("birth")(datetime.date(1990, 5, 17))
    DateRange("past")(timezone.localdate())
    DateRange("any")(timezone.localdate() + datetime.timedelta(days=3650))
