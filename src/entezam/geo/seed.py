"""Reference data: the 31 provinces, counties, and police units in every province."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from entezam.core.persian import to_persian_digits

from .choices import UnitKind
from .models import County, PoliceUnit, Province
from .services import police_unit_create

DATA = Path(__file__).parent / "data"
HQ_CODE = "HQ"


def load_provinces() -> int:
    """Provinces and counties from the shipped files; re-running updates names in place."""
    created = 0
    for row in json.loads((DATA / "provinces.json").read_text(encoding="utf-8")):
        _, was_created = Province.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name_fa"],
                "name_en": row["name_en"],
                "capital": row["capital_fa"],
            },
        )
        created += was_created
    provinces = {p.code: p for p in Province.objects.all()}
    for row in json.loads((DATA / "counties.json").read_text(encoding="utf-8")):
        County.objects.update_or_create(
            province=provinces[row["province_code"]],
            name=row["name_fa"],
            defaults={"name_en": row["name_en"]},
        )
    return created


def seed_police_units(*, actor, stations_per_county: int = 2) -> int:
    """HQ, a command per province, stations in each county and posts on its roads."""
    created = 0

    def ensure(code: str, **data) -> PoliceUnit:
        nonlocal created
        unit = PoliceUnit.objects.filter(code=code).first()
        if unit is None:
            unit = police_unit_create(actor=actor, code=code, **data)
            created += 1
        return unit

    hq = ensure(
        HQ_CODE, name="ستاد فرماندهی انتظامی", name_en="Police Headquarters", kind=UnitKind.HQ
    )
    for province in Province.objects.order_by("code"):
        command = ensure(
            f"P{province.code}",
            name=f"فرماندهی انتظامی استان {province.name}",
            name_en=f"{province.name_en} Provincial Police Command",
            kind=UnitKind.PROVINCIAL_COMMAND,
            parent=hq,
            province=province,
        )
        serial = 0
        for county in province.counties.order_by("name"):
            for _ in range(stations_per_county):
                serial += 1
                number = serial
                ensure(
                    f"S{province.code}{serial:03d}",
                    name=f"کلانتری {to_persian_digits(number)} {county.name}",
                    name_en=f"{county.name_en} Police Station {number}",
                    kind=UnitKind.STATION,
                    parent=command,
                    province=province,
                    county=county,
                )
            serial += 1
            ensure(
                f"S{province.code}{serial:03d}",
                name=f"پاسگاه انتظامی {county.name}",
                name_en=f"{county.name_en} Police Post",
                kind=UnitKind.POST,
                parent=command,
                province=province,
                county=county,
            )
    return created


def demo_seed(*, actor, rng, options) -> str:
    """Demo step: provinces, counties and the police units of every province."""
    with transaction.atomic():
        load_provinces()
        created = seed_police_units(
            actor=actor, stations_per_county=options.get("stations_per_county", 2)
        )
    return f"police units created: {created}"
