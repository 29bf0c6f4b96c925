"""Demo applicants: seeding works when the drawn national codes are registered already."""

import random

import pytest
from django.db import transaction

from entezam.personnel.models import Person
from entezam.vetting.models import Application
from entezam.vetting.seed import seed_applications, seed_standards
from tests.personnel.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_applicants_whose_drawn_codes_are_taken_get_other_codes(world):
    seed_standards(actor=world.hq_admin)
    # The codes a first run draws, rolled back.
    with transaction.atomic():
        seed_applications(actor=world.hq_admin, count=30, rng=random.Random(3))
        drawn = sorted(Person.objects.values_list("national_code", flat=True))
        transaction.set_rollback(True)
    assert len(drawn) == 30 and not Person.objects.exists()
    # A million people make collisions likely; here a third of the codes are taken.
    taken = {code: PersonFactory(national_code=code) for code in drawn[::3]}

    assert seed_applications(actor=world.hq_admin, count=30, rng=random.Random(3)) == 30

    assert Person.objects.count() == 30 + len(taken)
    applicants = Person.objects.filter(applications__isnull=False).distinct()
    assert applicants.count() == 30
    # The registered people are left alone: none of them became an applicant.
    assert not applicants.filter(pk__in=[p.pk for p in taken.values()]).exists()
    assert Application.objects.count() == 30
    # Untouched draws keep their codes: the rest of the demo data stays deterministic.
    kept = set(applicants.values_list("national_code", flat=True))
    assert set(drawn) - set(taken) <= kept
