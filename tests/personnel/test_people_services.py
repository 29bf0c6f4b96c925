"""Employment rules: one active employment per person, in the service and in the database."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from entezam.core.models import AuditEvent
from entezam.personnel import services
from entezam.personnel.models import Employment
from tests.personnel.factories import EmploymentFactory, PersonFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2024, 3, 20)


def test_start_and_end_employment_are_audited(world):
    person = PersonFactory()
    employment = services.employment_start(
        actor=world.manager,
        person=person,
        institution=world.inst_a,
        position="guard",
        start_date=START,
    )
    assert employment.is_active
    started = AuditEvent.objects.get(action="employment.start", object_id=str(employment.pk))
    assert started.role == "institution_manager"
    services.employment_end(
        actor=world.manager,
        employment=employment,
        end_date=datetime.date(2025, 1, 1),
        reason="resigned",
    )
    employment.refresh_from_db()
    assert employment.end_date == datetime.date(2025, 1, 1)
    assert AuditEvent.objects.filter(action="employment.end").count() == 1


def test_second_active_employment_is_refused_with_a_clear_error(world):
    person = EmploymentFactory(institution=world.inst_b).person
    with pytest.raises(ValidationError) as error:
        services.employment_start(
            actor=world.hq_admin,
            person=person,
            institution=world.inst_a,
            position="guard",
            start_date=START,
        )
    assert error.value.error_dict["person"][0].code == "already_employed"
    assert Employment.objects.filter(person=person).count() == 1


def test_concurrent_insert_hitting_the_constraint_becomes_a_validation_error(world):
    person = PersonFactory()
    EmploymentFactory(person=person, institution=world.inst_b)
    # As if the other transaction's row was committed after this one checked: only the
    # database constraint stands in the way, and its IntegrityError becomes a clear error.
    with (
        mock.patch.object(services, "_has_active_employment", return_value=False),
        mock.patch.object(Employment, "validate_constraints"),
        pytest.raises(ValidationError) as error,
    ):
        services.employment_start(
            actor=world.hq_admin,
            person=person,
            institution=world.inst_a,
            position="guard",
            start_date=START,
        )
    assert error.value.error_dict["person"][0].code == "already_employed"
    assert Employment.objects.filter(person=person).count() == 1


def test_database_refuses_a_raw_second_active_employment(world):
    person = EmploymentFactory(institution=world.inst_a).person
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.bulk_create(
            [
                Employment(
                    person=person, institution=world.inst_b, position="guard", start_date=START
                )
            ]
        )


def test_ended_employment_allows_a_new_one(world):
    person = EmploymentFactory(
        institution=world.inst_b, end_date=datetime.date(2023, 1, 1), end_reason="resigned"
    ).person
    services.employment_start(
        actor=world.manager,
        person=person,
        institution=world.inst_a,
        position="guard",
        start_date=START,
    )
    assert Employment.objects.filter(person=person, end_date__isnull=True).count() == 1


def test_manager_cannot_employ_at_another_institution(world):
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        services.employment_start(
            actor=world.manager,
            person=person,
            institution=world.inst_b,
            position="guard",
            start_date=START,
        )
    assert not Employment.objects.filter(person=person).exists()
    assert not AuditEvent.objects.filter(action="employment.start").exists()


def test_institution_must_be_operating(world):
    world.inst_a.status = "suspended"
    world.inst_a.save()
    with pytest.raises(ValidationError) as error:
        services.employment_start(
            actor=world.hq_admin,
            person=PersonFactory(),
            institution=world.inst_a,
            position="guard",
            start_date=START,
        )
    assert error.value.error_dict["institution"][0].code == "institution_not_operating"


def test_end_before_start_and_twice_are_refused(world):
    employment = EmploymentFactory(institution=world.inst_a, start_date=START)
    with pytest.raises(ValidationError):
        services.employment_end(
            actor=world.hq_admin,
            employment=employment,
            end_date=START - datetime.timedelta(days=1),
            reason="resigned",
        )
    services.employment_end(
        actor=world.hq_admin, employment=employment, end_date=START, reason="dismissed"
    )
    with pytest.raises(ValidationError):
        services.employment_end(
            actor=world.hq_admin, employment=employment, end_date=START, reason="resigned"
        )


def test_person_update_scope_and_fixed_national_code(world):
    own = EmploymentFactory(institution=world.inst_a).person
    former = EmploymentFactory(
        institution=world.inst_a, end_date=datetime.date(2023, 1, 1), end_reason="resigned"
    ).person
    services.person_update(actor=world.manager, person=own, education="master")
    assert AuditEvent.objects.filter(action="person.update", object_id=str(own.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        # Former staff are visible to the institution, but it no longer edits them.
        services.person_update(actor=world.manager, person=former, education="master")
    with pytest.raises(ValidationError):
        services.person_update(actor=world.hq_admin, person=own, national_code="0499370899")
    # No change, no event.
    services.person_update(actor=world.hq_admin, person=own, education="master")
    assert AuditEvent.objects.filter(action="person.update", object_id=str(own.pk)).count() == 1


def test_person_record_viewed_is_one_event(world):
    person = EmploymentFactory(institution=world.inst_a).person
    services.person_record_viewed(actor=world.hq_analyst, person=person)
    event = AuditEvent.objects.get(action="person.view")
    assert event.object_id == str(person.pk) and event.role == "hq_analyst"
