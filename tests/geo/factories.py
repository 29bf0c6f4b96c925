"""Provinces, counties and police units (tests and benchmarks)."""

import factory

from entezam.geo.models import County, PoliceUnit, Province


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
