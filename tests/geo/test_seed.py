"""`entezam seed`: reference data and demo data, deterministic and idempotent; unit rules."""

import random
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction

from entezam.accounts.seed import system_actor
from entezam.core.audit import audit_verify
from entezam.core.models import AuditEvent
from entezam.core.persian import check_national_code
from entezam.core.persian.validators import random_national_code as national_code
from entezam.geo.models import County, PoliceUnit, Province
from entezam.geo.seed import load_provinces, seed_police_units
from entezam.geo.services import police_unit_create
from entezam.institutions.models import Institution
from entezam.institutions.seed import person_name, seed_institutions
from tests.geo.factories import CountyFactory


def _counts() -> dict:
    return {
        "provinces": Province.objects.count(),
        "counties": County.objects.count(),
        "units": PoliceUnit.objects.count(),
        "institutions": Institution.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def _seed() -> str:
    out = StringIO()
    call_command("seed", institutions=30, seed=7, stdout=out)
    return out.getvalue()


def test_seed_builds_the_country_seals_it_and_reruns_idempotently(db):
    output = _seed()

    assert "institutions created: 30" in output
    assert Province.objects.count() == 31
    assert PoliceUnit.objects.filter(kind="hq").count() == 1
    for province in Province.objects.all():
        units = PoliceUnit.objects.filter(province=province)
        assert units.filter(kind="provincial_command").count() == 1, province.name
        assert units.filter(kind="station").exists(), province.name
        assert (
            not units.filter(kind__in=["station", "post"])
            .exclude(parent__kind="provincial_command", parent__province=province)
            .exists()
        )
    assert Institution.objects.count() == 30
    assert len(set(Institution.objects.values_list("status", flat=True))) >= 3
    for institution in Institution.objects.select_related("supervising_unit"):
        assert institution.supervising_unit.province_id == institution.province_id
    result = audit_verify()
    assert result.ok
    assert result.pending == 0
    assert result.sealed == AuditEvent.objects.count() > 0

    # Running it again adds nothing: same rows, no new audit events.
    before = _counts()
    names = sorted(Institution.objects.values_list("name", flat=True))
    output = _seed()
    assert "police units created: 0" in output
    assert "institutions created: 0" in output
    assert _counts() == before
    assert sorted(Institution.objects.values_list("name", flat=True)) == names
    assert audit_verify().ok


def test_seeded_institutions_follow_the_seed(db):
    load_provinces()
    actor = system_actor()
    seed_police_units(actor=actor, stations_per_county=1)

    def names_for(seed: int) -> list[tuple[str, str, str]]:
        with transaction.atomic():
            seed_institutions(actor=actor, count=8, rng=random.Random(seed))
            rows = list(
                Institution.objects.order_by("registration_number").values_list(
                    "name", "status", "managing_director_national_code"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = names_for(7)
    assert Institution.objects.count() == 0
    assert names_for(7) == first
    assert names_for(8) != first


def test_demo_identities_are_deterministic_and_valid():
    codes = [national_code(random.Random(1)) for _ in range(2)]
    assert codes[0] == codes[1]
    assert check_national_code(codes[0]).ok
    rng = random.Random(5)
    assert all(check_national_code(national_code(rng)).ok for _ in range(50))
    assert person_name(random.Random(3)) == person_name(random.Random(3))


# Police unit rules


@pytest.fixture
def command_a(world):
    return PoliceUnit.objects.get(code=f"P{world.province_a.code}")


def _station(actor, **data):
    return police_unit_create(
        actor=actor,
        **{"code": "S23900", "name": "کلانتری ۹۰۰ تهران", "kind": "station", **data},
    )


def test_station_needs_a_provincial_command_parent(world, command_a):
    with pytest.raises(ValidationError) as caught:
        _station(world.hq_admin, province=world.province_a)
    assert "parent" in caught.value.error_dict

    with pytest.raises(ValidationError) as caught:
        _station(world.hq_admin, province=world.province_a, parent=world.station_a)
    assert "parent" in caught.value.error_dict
    assert not PoliceUnit.objects.filter(code="S23900").exists()


def test_parent_from_another_province_is_rejected(world):
    command_b = PoliceUnit.objects.get(code=f"P{world.province_b.code}")

    with pytest.raises(ValidationError) as caught:
        _station(world.hq_admin, province=world.province_a, parent=command_b)

    assert "parent" in caught.value.error_dict


def test_county_from_another_province_is_rejected(world, command_a):
    county_b = CountyFactory(province=world.province_b)

    with pytest.raises(ValidationError) as caught:
        _station(world.hq_admin, province=world.province_a, parent=command_a, county=county_b)

    assert set(caught.value.error_dict) == {"county"}
    assert not PoliceUnit.objects.filter(code="S23900").exists()


def test_province_officer_adds_a_station_in_their_province(world, command_a):
    county_a = CountyFactory(province=world.province_a)

    unit = _station(
        world.province_officer, province=world.province_a, parent=command_a, county=county_a
    )

    event = AuditEvent.objects.get(action="police_unit.create")
    assert (event.actor, event.role) == (world.province_officer, "province_officer")
    assert (event.province_id, event.police_unit_id) == (world.province_a.pk, unit.pk)


def test_province_officer_cannot_add_a_station_elsewhere(world):
    command_b = PoliceUnit.objects.get(code=f"P{world.province_b.code}")

    with pytest.raises(PermissionDenied):
        _station(world.province_officer, province=world.province_b, parent=command_b)

    assert not PoliceUnit.objects.filter(code="S23900").exists()
    assert not AuditEvent.objects.exists()
