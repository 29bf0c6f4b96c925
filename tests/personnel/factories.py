"""People and employment (tests and benchmarks): one factory per model.

`PersonFactory(applicant=True)` is a person who meets the GUARD standard's personal
criteria today (age 30, diploma, military service completed).
"""

import datetime

import factory
from django.utils import timezone

from entezam.core.persian.validators import national_code_from
from entezam.personnel.models import Employment, Person, search_key
from entezam.personnel.reach import reach_link
from entezam.personnel.services import EMPLOYMENT
from tests.institutions.factories import InstitutionFactory


def thirty_years_ago() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - 30, day=1)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        applicant = factory.Trait(
            first_name="رضا",
            last_name=factory.Sequence(
                lambda n: ["نادری", "صالحی", "کاظمی", "جعفری", "امینی"][n % 5]
            ),
            father_name="",
            mobile="",
            birth_date=factory.LazyFunction(thirty_years_ago),
        )

    # Unique, valid and deterministic: the check digit comes from the validator.
    national_code = factory.Sequence(lambda n: national_code_from(123_000_000 + n * 7))
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
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(InstitutionFactory)
    position = "guard"
    start_date = datetime.date(2022, 4, 1)

    @factory.post_generation
    def reach(obj, create, extracted, **kwargs):
        """As `employment_start` does: the employment reaches the person."""
        if create:
            reach_link(person_id=obj.person_id, institution=obj.institution, source=EMPLOYMENT)
