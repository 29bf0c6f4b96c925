"""Courses, sessions, enrolments and certificates (tests and benchmarks)."""

import datetime

import factory
from django.utils import timezone

from entezam.core.persian import add_months
from entezam.personnel.reach import reach_link
from entezam.training.models import Certificate, Course, Enrolment, Session
from entezam.training.services import ENROLMENT
from tests.personnel.factories import PersonFactory


def today() -> datetime.date:
    return timezone.localdate()


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"G{n:03d}")
    title = factory.Sequence(lambda n: f"دوره آموزش پلیس‌یار {n}")
    audience = "guard"
    hours = 40
    pass_mark = 60
    validity_months = 24
    mandatory_for = factory.LazyFunction(lambda: ["guard"])


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    province = factory.SubFactory("tests.geo.factories.ProvinceFactory")
    venue = "مرکز آموزش انتظامی"
    start_date = factory.LazyFunction(lambda: today() + datetime.timedelta(days=10))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=2))
    capacity = 20
    status = "open"

    @factory.post_generation
    def trainers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.trainers.set(extracted)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory("tests.institutions.factories.InstitutionFactory")

    @factory.post_generation
    def reach(obj, create, extracted, **kwargs):
        if create:
            reach_link(person_id=obj.person_id, institution=obj.institution, source=ENROLMENT)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    person = factory.SubFactory(PersonFactory)
    course = factory.SubFactory(CourseFactory)
    number = factory.Sequence(lambda n: f"TC-T-{n:07d}")
    issued_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=100))
    expires_on = factory.LazyAttribute(lambda o: add_months(o.issued_on, o.course.validity_months))
