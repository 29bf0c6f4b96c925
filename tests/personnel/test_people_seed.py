"""Demo people: deterministic, realistic, idempotent, one audit event per batch."""

import random

import pytest

from entezam.core.models import AuditEvent
from entezam.core.persian import check_national_code
from entezam.institutions.models import Institution
from entezam.personnel.models import Employment, Person, PersonReach
from entezam.personnel.seed import seed_people
from entezam.personnel.validators import check_person_name

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(
        Person.objects.values_list("national_code", "first_name", "last_name", "birth_date")
    )


def test_seed_is_deterministic_realistic_and_idempotent(world):
    Institution.objects.filter(pk=world.inst_a2.pk).update(status="suspended")
    created = seed_people(actor=world.hq_admin, count=300, rng=random.Random(7))
    assert created == 300 == Person.objects.count()
    first = snapshot()
    batches = AuditEvent.objects.filter(action="person.seed")
    # One event per institution batch, never one per person.
    assert batches.count() == 2
    assert set(batches.values_list("object_id", flat=True)) == {
        str(world.inst_a.pk),
        str(world.inst_b.pk),
    }
    for code, first_name, last_name, birth_date in first:
        assert check_national_code(code).value == code
        assert check_person_name(first_name).ok and check_person_name(last_name).ok
        assert 1960 <= birth_date.year <= 2004
    people = Person.objects.all()
    assert all(p.search_name for p in people)
    women = people.filter(gender="female").count()
    assert 5 <= women <= 50
    # Active institutions only; each person at most one active employment.
    active = Employment.objects.filter(end_date__isnull=True)
    assert not active.filter(institution=world.inst_a2).exists()
    assert active.count() == active.values("person").distinct().count() > 200
    # Every employment's link is in the reach table, which scoped lists read.
    links = set(Employment.objects.values_list("person_id", "institution_id"))
    assert set(PersonReach.objects.values_list("person_id", "institution_id")) == links
    assert set(PersonReach.objects.values_list("source", flat=True)) == {"personnel.employment"}

    assert seed_people(actor=world.hq_admin, count=300, rng=random.Random(7)) == 0
    assert snapshot() == first
    assert batches.count() == 2

    PersonReach.objects.all().delete()
    Employment.objects.all().delete()
    Person.objects.all().delete()
    assert seed_people(actor=world.hq_admin, count=300, rng=random.Random(7)) == 300
    assert snapshot() == first


def test_seed_without_active_institutions_adds_nothing(db):
    from entezam.accounts.seed import system_actor

    assert seed_people(actor=system_actor(), count=10, rng=random.Random(1)) == 0
