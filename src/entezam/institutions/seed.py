"""Demo institutions in every status, spread over the provinces by population weight."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from entezam.core.demo_data import names
from entezam.core.persian.validators import random_national_code
from entezam.geo.models import PoliceUnit, Province

from . import services
from .choices import InstitutionKind, InstitutionStatus
from .models import Institution

# Roughly the national mix: 790 active and 60 developing of 850, and a few in the rest.
STATUS_WEIGHTS = [
    (InstitutionStatus.ACTIVE, 880),
    (InstitutionStatus.DEVELOPING, 65),
    (InstitutionStatus.APPLICANT, 20),
    (InstitutionStatus.SUSPENDED, 18),
    (InstitutionStatus.REVOKED, 8),
    (InstitutionStatus.CLOSED, 9),
]
# Tehran, Razavi Khorasan, Isfahan, Fars, Khuzestan and East Azerbaijan hold most companies.
HEAVY_PROVINCES = {"23": 8, "09": 4, "10": 4, "07": 3, "06": 3, "03": 3, "30": 2}
KIND_WEIGHTS = [
    (InstitutionKind.GUARDING, 70),
    (InstitutionKind.ESCORT, 10),
    (InstitutionKind.ELECTRONIC, 12),
    (InstitutionKind.EVENTS, 8),
]


def person_name(rng: random.Random) -> str:
    data = names()
    first = rng.choice(
        data["male_first_names"] if rng.random() < 0.85 else data["female_first_names"]
    )
    return f"{first} {rng.choice(data['last_names'])}"


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def seed_institutions(*, actor, count: int, rng: random.Random) -> int:
    data = names()
    provinces = list(Province.objects.order_by("code"))
    weights = [HEAVY_PROVINCES.get(p.code, 1) for p in provinces]
    units_by_province: dict[int, list[PoliceUnit]] = {}
    for unit in PoliceUnit.objects.filter(kind__in=["station", "post"]).order_by("code"):
        units_by_province.setdefault(unit.province_id, []).append(unit)
    today = timezone.localdate()
    used_names = set(Institution.objects.values_list("name", flat=True))
    created = 0
    for index in range(1, count + 1):
        registration_number = f"{10000 + index}"
        if Institution.objects.filter(registration_number=registration_number).exists():
            continue
        province = rng.choices(provinces, weights=weights)[0]
        unit = rng.choice(units_by_province[province.pk])
        parts = data["institution_name_parts"]
        name = f"{rng.choice(parts['prefixes'])} {rng.choice(parts['names'])}"
        while name in used_names:
            name = f"{name} {province.name}" if province.name not in name else f"{name} {index}"
        used_names.add(name)
        status = weighted(rng, STATUS_WEIGHTS)
        issued = today - datetime.timedelta(days=rng.randint(30, 5 * 365))
        # A spread of expiry dates, some within the warning window, a few already passed.
        expires = today + datetime.timedelta(days=rng.randint(-20, 3 * 365))
        if expires <= issued:
            expires = issued + datetime.timedelta(days=365)
        institution = services.institution_create(
            actor=actor,
            registration_number=registration_number,
            name=name,
            kind=weighted(rng, KIND_WEIGHTS),
            province=province,
            county=unit.county,
            supervising_unit=unit,
            managing_director=person_name(rng),
            managing_director_national_code=random_national_code(rng),
            authorised_headcount=rng.choice([20, 40, 60, 80, 120, 150, 200, 300, 500]),
            phone=f"0{rng.randint(11, 87)}{rng.randint(3000000, 8999999)}",
            address=f"{(unit.county or province).name}، {rng.choice(data['streets'])}، "
            f"پلاک {rng.randint(1, 300)}",
        )
        created += 1
        _walk_to(actor, institution, status, issued, expires, index)
    if created:
        _make_flagship(actor)
    return created


# A few national companies employ far more guards than the rest: the largest is given
# 2.3 % of all authorised headcount, so about 2 % of all staff work there now (20,000 of
# 1,000,000 people, once employment histories have moved some on), which is how the page
# benchmark sees a manager of a large institution.
FLAGSHIP_SHARE = 0.023


def _make_flagship(actor) -> None:
    """Give the first active institution in Tehran the headcount of a national company.

    Derived from the headcounts drawn, not from the seed's rng, so every other draw of the
    demo stays as it was."""
    active = Institution.objects.filter(status=InstitutionStatus.ACTIVE)
    flagship = (
        active.filter(province__code="23").order_by("registration_number").first()
        or active.order_by("registration_number").first()
    )
    if flagship is None:
        return
    others = sum(active.exclude(pk=flagship.pk).values_list("authorised_headcount", flat=True))
    headcount = round(others * FLAGSHIP_SHARE / (1 - FLAGSHIP_SHARE))
    if headcount > flagship.authorised_headcount:
        services.institution_update(
            actor=actor, institution=flagship, authorised_headcount=headcount
        )


def _walk_to(actor, institution, status, issued, expires, index) -> None:
    """Take the institution through the real lifecycle services to its demo status."""
    licence = {
        "licence_number": f"{issued.year - 621}-{index:05d}",
        "licence_issued_on": issued,
        "licence_expires_on": max(expires, timezone.localdate() + datetime.timedelta(days=1)),
    }
    steps = {
        InstitutionStatus.APPLICANT: [],
        InstitutionStatus.DEVELOPING: ["develop"],
        InstitutionStatus.ACTIVE: ["develop", "activate"],
        InstitutionStatus.SUSPENDED: ["develop", "activate", "suspend"],
        InstitutionStatus.REVOKED: ["develop", "activate", "suspend", "revoke"],
        InstitutionStatus.CLOSED: ["develop", "close"],
    }[status]
    reasons = {
        "develop": "تکمیل مدارک ثبتی و معرفی مدیرعامل",
        "activate": "تأیید صلاحیت و صدور پروانه فعالیت",
        "suspend": "عدم رعایت ضوابط به‌کارگیری پلیس‌یار طبق گزارش بازرسی",
        "revoke": "تکرار تخلفات و عدم اصلاح در مهلت مقرر",
        "close": "انصراف موسسه از ادامه فعالیت",
    }
    for action in steps:
        extra = licence if action == "activate" else {}
        institution = services.institution_transition(
            actor=actor, institution=institution, action=action, reason=reasons[action], **extra
        )
    if expires != licence["licence_expires_on"] and institution.status in ("active", "suspended"):
        # Some licences in the demo have already run out: shown as expired, not auto-closed.
        services.institution_update(
            actor=actor, institution=institution, licence_expires_on=expires
        )


def demo_seed(*, actor, rng, options) -> str:
    """Demo step: `--institutions` institutions across the provinces, in every status."""
    # The demo's institutions were licensed before the conditions other apps add (the
    # managing director's certificate) could be met: their history is replayed without them.
    with transaction.atomic(), services.history_without_transition_checks():
        created = seed_institutions(actor=actor, count=options.get("institutions", 850), rng=rng)
    return f"institutions created: {created}"
