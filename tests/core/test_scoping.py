"""The one scoping path: `visible_to(user, action)` reaches different rows per action, and
`access()` fetches and authorises in one call."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from entezam.core.scoping import access, parse_id
from entezam.institutions.models import Institution
from entezam.institutions.selectors import institution_access
from entezam.personnel.models import Person
from tests.personnel.factories import EmploymentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):
    current = EmploymentFactory(institution=world.inst_a).person
    former = EmploymentFactory(
        institution=world.inst_a,
        end_date=datetime.date(2024, 1, 1),
        end_reason="resigned",
    ).person
    foreign = EmploymentFactory(institution=world.inst_b).person
    return current, former, foreign


def test_one_model_reaches_other_rows_for_another_action(world, staff):
    current, former, foreign = staff
    manager = world.manager
    assert set(Person.objects.visible_to(manager, "view")) == {current, former}
    # Editing needs a current employment at the manager's institution.
    assert set(Person.objects.visible_to(manager, "change")) == {current}
    assert set(Person.objects.visible_to(world.hq_admin, "change")) == {current, former, foreign}


def test_reading_national_codes_is_an_action_of_its_own(world, staff):
    current, former, _foreign = staff
    assert set(Person.objects.visible_to(world.station_officer, "view")) == {current, former}
    assert not Person.objects.visible_to(world.station_officer, "read_national_code").exists()
    assert set(Person.objects.visible_to(world.province_officer, "read_national_code")) == {
        current,
        former,
    }


def test_an_app_above_may_add_an_action_to_a_lower_model(world):
    # The roster app grants `import_roster` on institutions (roster/apps.py).
    assert set(Institution.objects.visible_to(world.manager, "import_roster")) == {world.inst_a}
    assert not Institution.objects.visible_to(world.station_officer, "import_roster").exists()


def test_access_is_404_outside_the_scope_and_403_without_the_action(world):
    assert access(Institution, user=world.manager, pk=world.inst_a.pk) == world.inst_a
    with pytest.raises(Http404):
        access(Institution, user=world.manager, pk=world.inst_b.pk)
    with pytest.raises(PermissionDenied):
        access(Institution, user=world.manager, pk=world.inst_a.pk, action="suspend")
    with pytest.raises(Http404):
        access(Institution, user=world.manager, pk=world.inst_b.pk, action="suspend")


def test_institution_access_by_registration_number_in_any_digits(world):
    number = world.inst_a.registration_number
    persian = number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert institution_access(user=world.province_officer, registration_number=persian) == (
        world.inst_a
    )
    with pytest.raises(Http404):
        institution_access(
            user=world.province_officer, registration_number=world.inst_b.registration_number
        )
    with pytest.raises(Http404):
        institution_access(user=world.province_officer, registration_number="  ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("۱۲", 12), (" 7 ", 7), ("²", None), ("1e20", None), ("-4", None), ("0", None)],
)
def test_ids_from_user_input(value, expected):
    assert parse_id(value) == expected


def test_a_person_outside_every_reach_is_invisible_to_scoped_roles(world):
    stranger = PersonFactory()
    for role in ("province_officer", "station_officer", "manager"):
        assert not Person.objects.visible_to(getattr(world, role)).filter(pk=stranger.pk).exists()
    assert Person.objects.visible_to(world.hq_analyst).filter(pk=stranger.pk).exists()


def test_a_write_on_an_instance_access_read_is_still_rechecked(world):
    """`access` stamps the instance it read (later checks reuse that read); a write must
    not: moving the institution to another province is refused and nothing changes."""
    from entezam.institutions.services import institution_update

    officer = world.province_officer
    institution = access(Institution, user=officer, pk=world.inst_a.pk, action="change")
    with pytest.raises(PermissionDenied):
        institution_update(
            actor=officer,
            institution=institution,
            province=world.province_b,
            supervising_unit=world.station_b,
        )
    world.inst_a.refresh_from_db()
    assert world.inst_a.province_id == world.province_a.pk


def test_a_station_turned_into_a_headquarters_leaves_no_trace(world):
    from entezam.geo.choices import UnitKind
    from entezam.geo.models import PoliceUnit
    from entezam.geo.services import police_unit_update

    officer = world.province_officer
    unit = access(PoliceUnit, user=officer, pk=world.station_a.pk, action="change")
    with pytest.raises(PermissionDenied):
        police_unit_update(actor=officer, unit=unit, kind=UnitKind.HQ, parent=None, province=None)
    world.station_a.refresh_from_db()
    assert world.station_a.province_id == world.province_a.pk
    assert world.station_a.kind != UnitKind.HQ
