"""Institutions (tests and benchmarks)."""

import datetime

import factory
from django.utils import timezone

from entezam.institutions.models import Institution
from tests.geo.factories import PoliceUnitFactory


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    registration_number = factory.Sequence(lambda n: f"{50000 + n}")
    name = factory.Sequence(lambda n: f"موسسه حفاظتی نمونه {n}")
    province = factory.LazyAttribute(lambda o: o.supervising_unit.province)
    supervising_unit = factory.SubFactory(PoliceUnitFactory)
    managing_director = "علی رضایی"
    status = "active"
    licence_number = factory.Sequence(lambda n: f"L-{n:05d}")
    licence_issued_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=300)
    )
    licence_expires_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=400)
    )
    authorised_headcount = 50
