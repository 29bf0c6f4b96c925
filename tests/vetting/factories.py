"""Selection standards, applications, background checks and medical certificates (tests and
benchmarks)."""

import datetime

import factory
from django.utils import timezone

from entezam.personnel.models import Person
from entezam.personnel.reach import reach_link
from entezam.vetting.choices import CheckResult, RuleKind, StandardStatus
from entezam.vetting.models import (
    Application,
    ApplicationStep,
    BackgroundCheck,
    MedicalCertificate,
    Standard,
    StandardRule,
)
from entezam.vetting.services.applications import APPLICATION
from tests.institutions.factories import InstitutionFactory
from tests.personnel.factories import PersonFactory

GUARD_RULES = {
    RuleKind.AGE_RANGE: {"min": 20, "max": 45},
    RuleKind.MIN_EDUCATION: {"level": "diploma"},
    RuleKind.MILITARY_SERVICE: {},
    RuleKind.BACKGROUND_CHECK: {"valid_days": 365},
    RuleKind.MEDICAL_FITNESS: {},
    RuleKind.NOT_EMPLOYED_ELSEWHERE: {},
    RuleKind.NOT_REVOKED_RECENTLY: {"years": 5},
}


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard
        skip_postgeneration_save = True

    code = "GUARD"
    version = factory.Sequence(lambda n: n + 1)
    title = "ضوابط گزینش پلیس‌یار"
    status = StandardStatus.ACTIVE
    effective_date = factory.LazyFunction(timezone.localdate)
    positions = factory.LazyFunction(lambda: ["guard", "supervisor"])

    @factory.post_generation
    def rules(obj, create, extracted, **kwargs):
        """`rules={kind: params}`; GUARD's rules by default."""
        if not create:
            return
        rules = GUARD_RULES if extracted is None else extracted
        order = {kind: i for i, kind in enumerate(RuleKind.values)}
        StandardRule.objects.bulk_create(
            StandardRule(standard=obj, kind=kind, params=params, position=order[kind])
            for kind, params in rules.items()
        )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory, applicant=True)
    institution = factory.SubFactory(InstitutionFactory)
    position = "guard"
    standard = factory.LazyFunction(
        lambda: Standard.objects.filter(code="GUARD", status="active").first() or StandardFactory()
    )
    status = "submitted"

    @factory.post_generation
    def first_step(obj, create, extracted, **kwargs):
        if create:
            ApplicationStep.objects.create(application=obj, to_status=obj.status)
            # As `application_open` does: the application reaches the person.
            reach_link(person_id=obj.person_id, institution=obj.institution, source=APPLICATION)


class BackgroundCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BackgroundCheck

    person = factory.SubFactory(PersonFactory, applicant=True)
    provider = "manual"
    result = CheckResult.CLEAR
    reference = factory.Sequence(lambda n: f"REF-{n:06d}")
    checked_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))


class MedicalCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalCertificate

    person = factory.SubFactory(PersonFactory, applicant=True)
    fit = True
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=300))


def eligible_applicant(**kwargs) -> Person:
    """An applicant with a clear background check and a valid medical certificate."""
    person = PersonFactory(applicant=True, **kwargs)
    BackgroundCheckFactory(person=person)
    MedicalCertificateFactory(person=person)
    return person
