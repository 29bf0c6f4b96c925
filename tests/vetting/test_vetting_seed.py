"""Demo applicants: seeding works when the drawn national codes are registered already; the
benchmark's bulk applications are complete, scoped, counted on the board and deterministic."""

import random

import pytest
from django.db import transaction
from django.db.models import Count

from entezam.personnel.models import Person
from entezam.vetting.models import Application, StageSummary
from entezam.vetting.seed import (
    demo_seed_bulk_applications,
    seed_applications,
    seed_bulk_applications,
    seed_standards,
)
from tests.accounts.factories import user_with_role
from tests.personnel.factories import EmploymentFactory, PersonFactory

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


def _bulk_world(world):
    seed_standards(actor=world.hq_admin)
    employed = [EmploymentFactory(institution=world.inst_b).person for _ in range(5)]
    others = PersonFactory.create_batch(40)
    return employed, others


def test_bulk_applications_give_each_person_one_and_approve_the_employed(world):
    employed, others = _bulk_world(world)
    options = {"applications": 45}

    message = demo_seed_bulk_applications(
        actor=world.hq_admin, rng=random.Random(7), options=options
    )

    assert message == "applications added in bulk: 45"
    assert Application.objects.count() == 45
    assert set(Application.objects.values_list("person_id", flat=True)) == {
        p.pk for p in employed + others
    }
    for person in employed:
        application = Application.objects.get(person=person)
        assert (application.status, application.institution) == ("approved", world.inst_b)
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"rejected", "approved"} <= statuses and len(statuses) >= 4
    # Each application's steps end in its stage, at the time it entered it.
    for application in Application.objects.all():
        last = application.steps.order_by("at", "pk").last()
        assert (last.to_status, last.at) == (application.status, application.status_changed_at)
        assert application.submitted_at <= application.status_changed_at
    # Re-running adds nothing: the database holds the applications asked for.
    assert seed_bulk_applications(actor=world.hq_admin, count=45, rng=random.Random(7)) == 0


def test_bulk_applications_reach_their_people_in_the_right_scope(world):
    employed, _others = _bulk_world(world)
    seed_bulk_applications(actor=world.hq_admin, count=45, rng=random.Random(7))
    officer_b = user_with_role("province_officer", world.province_b)
    seen_b = set(Person.objects.visible_to(officer_b).values_list("pk", flat=True))
    at_b = set(
        Application.objects.filter(institution__province=world.province_b).values_list(
            "person_id", flat=True
        )
    )
    assert seen_b == at_b | {p.pk for p in employed}
    seen_a = set(Person.objects.visible_to(world.province_officer).values_list("pk", flat=True))
    assert seen_a == set(
        Application.objects.filter(institution__province=world.province_a).values_list(
            "person_id", flat=True
        )
    )
    assert seen_a and not (seen_a & {p.pk for p in employed})


def test_the_board_counts_the_bulk_applications(world):
    _bulk_world(world)
    demo_seed_bulk_applications(
        actor=world.hq_admin, rng=random.Random(7), options={"applications": 45}
    )
    expected = dict(Application.objects.values_list("status").annotate(n=Count("id")).order_by())
    nation = StageSummary.objects.filter(scope="nation")
    assert {row.status: row.count for row in nation if row.count} == expected


def test_bulk_applications_are_deterministic(world):
    _bulk_world(world)

    def draw():
        with transaction.atomic():
            seed_bulk_applications(actor=world.hq_admin, count=45, rng=random.Random(11))
            rows = sorted(Application.objects.values_list("person_id", "institution_id", "status"))
            transaction.set_rollback(True)
        return rows

    assert draw() == draw()
