"""factory-boy factories that build data through the real models (tests and benchmarks)."""

import datetime

import factory
from django.utils import timezone

from entezam.accounts.models import RoleAssignment, User
from entezam.geo.models import County, PoliceUnit, Province
from entezam.institutions.models import Institution


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n % 100:02d}")
    name = factory.Sequence(lambda n: f"استان {n}")
    name_en = factory.Sequence(lambda n: f"Province {n}")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    province = factory.SubFactory(ProvinceFactory)
    name = factory.Sequence(lambda n: f"شهرستان {n}")


class PoliceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceUnit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"کلانتری {n}")
    kind = "station"
    province = factory.SubFactory(ProvinceFactory)
    parent = factory.LazyAttribute(
        lambda o: (
            PoliceUnit.objects.get_or_create(
                code=f"P{o.province.code}",
                defaults={"name": "فرماندهی", "kind": "provincial_command", "province": o.province},
            )[0]
            if o.kind in ("station", "post")
            else None
        )
    )


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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-Entezam-1404")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, scope=None, **kwargs) -> User:
    """A user holding one role; `scope` is a Province, PoliceUnit or Institution (or None)."""
    user = UserFactory(**kwargs)
    field = {Province: "province", PoliceUnit: "police_unit", Institution: "institution"}
    RoleAssignment.objects.create(
        user=user, role=role, **({field[type(scope)]: scope} if scope is not None else {})
    )
    return user
