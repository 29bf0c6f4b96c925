"""factory-boy factories for people and employment (tests and benchmarks)."""

import datetime

import factory

from entezam.institutions.seed import national_code as _random_national_code
from entezam.personnel.models import Employment, Person, search_key

from .factories import InstitutionFactory


def _national_code(n: int) -> str:
    import random

    return _random_national_code(random.Random(f"person-{n}"))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    national_code = factory.Sequence(_national_code)
    first_name = "علی"
    last_name = factory.Sequence(lambda n: ["کریمی", "رضایی", "محمدی", "احمدی", "موسوی"][n % 5])
    father_name = "حسین"
    birth_date = datetime.date(1990, 5, 17)
    gender = "male"
    mobile = "09121234567"
    education = "diploma"
    military_service = "completed"
    search_name = factory.LazyAttribute(lambda o: search_key(o.first_name, o.last_name))


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(InstitutionFactory)
    position = "guard"
    start_date = datetime.date(2022, 4, 1)
