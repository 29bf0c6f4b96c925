"""A masked national code cannot be recovered by searching: exact-code search finds only
people whose code the searcher may read, and every lookup is counted and audited. Lists
return what a list needs; the full record is one audited read."""

import pytest
from django.test import override_settings

from entezam.core.models import AuditEvent
from tests.permissions import api
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard(world):
    return EmploymentFactory(institution=world.inst_a).person


def _found(client, code) -> list:
    return client.get("/api/v1/people/", {"q": code}).json()["results"]


def test_a_role_that_reads_codes_masked_cannot_find_a_person_by_code(world, guard, client):
    assert _found(api(world.province_officer), guard.national_code)
    assert not _found(api(world.station_officer), guard.national_code)
    assert not _found(api(world.hq_analyst), guard.national_code)
    client.force_login(world.station_officer)
    page = client.get("/people/", {"q": guard.national_code}).content.decode()
    assert guard.last_name not in page
    # By name the station officer still finds the person, with the code masked.
    page = client.get("/people/", {"q": guard.last_name}).content.decode()
    assert guard.last_name in page and guard.national_code not in page


def test_every_code_lookup_is_audited_with_the_code_masked(world, guard):
    _found(api(world.province_officer), guard.national_code)
    event = AuditEvent.objects.get(action="person.code_lookup")
    assert event.actor == world.province_officer
    assert guard.national_code not in str(event.changes)
    assert event.changes["code"].endswith(guard.national_code[-3:])


@override_settings(CODE_LOOKUPS_PER_HOUR=3)
def test_code_lookups_are_rate_limited(world, guard):
    client = api(world.province_officer)
    for _ in range(3):
        assert client.get("/api/v1/people/", {"q": guard.national_code}).status_code == 200
    response = client.get("/api/v1/people/", {"q": guard.national_code})
    assert response.status_code == 403
    # Searching by name is not limited.
    assert client.get("/api/v1/people/", {"q": guard.last_name}).status_code == 200


def test_the_list_gives_what_a_list_needs_and_the_record_is_one_audited_read(world, guard):
    client = api(world.hq_admin)
    row = client.get("/api/v1/people/").json()["results"][0]
    assert {"birth_date", "mobile", "address", "father_name"}.isdisjoint(row)
    assert not AuditEvent.objects.filter(action="person.view").exists()
    record = client.get(f"/api/v1/people/{guard.pk}/").json()
    assert record["mobile"] == guard.mobile and record["birth_date"]
    assert AuditEvent.objects.filter(action="person.view", object_id=str(guard.pk)).count() == 1
