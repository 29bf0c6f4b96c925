"""Demo people: realistic Persian guards, supervisors and managers of the active institutions.

Deterministic for a given `rng`: every random draw happens whatever the database already
holds, and people whose national code exists are skipped, so re-running adds nothing twice.
People are written one institution at a time, with one audit event per institution batch
(not one per person): on PostgreSQL with COPY (ids drawn from the sequence first, so the
employments and reach rows need no read-back), elsewhere with `bulk_create`; so
`--people 1000000` takes minutes, not hours.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from entezam.core import audit
from entezam.core.bulk import column_defaults, insert_rows, is_postgresql, next_ids
from entezam.core.demo_data import names
from entezam.core.persian.validators import random_national_code
from entezam.institutions.choices import InstitutionStatus
from entezam.institutions.models import Institution
from entezam.institutions.seed import weighted

from .choices import Education, EndReason, Gender, MilitaryService, Position
from .models import Employment, Person, PersonReach, search_key
from .reach import SCOPE_COLUMNS, reach_link_many
from .services import EMPLOYMENT

FEMALE_SHARE = 0.08
EDUCATION_WEIGHTS = [
    (Education.BELOW_DIPLOMA, 14),
    (Education.DIPLOMA, 52),
    (Education.ASSOCIATE, 16),
    (Education.BACHELOR, 14),
    (Education.MASTER, 3.6),
    (Education.DOCTORATE, 0.4),
]
# Guards must have settled their service; a few records are still being completed.
MILITARY_WEIGHTS = [
    (MilitaryService.COMPLETED, 82),
    (MilitaryService.EXEMPT, 15),
    (MilitaryService.SERVING, 1),
    (MilitaryService.LIABLE, 2),
]
POSITION_WEIGHTS = [(Position.GUARD, 92), (Position.SUPERVISOR, 7), (Position.MANAGER, 1)]
# Of the people seeded at an institution: most work there now, some left, some moved in.
HISTORY_WEIGHTS = [("current", 80), ("former", 12), ("transferred", 8)]
FORMER_REASONS = [
    (EndReason.RESIGNED, 50),
    (EndReason.CONTRACT_ENDED, 35),
    (EndReason.DISMISSED, 12),
    (EndReason.DECEASED, 3),
]
MOBILE_PREFIXES = ["0912", "0935", "0936", "0937", "0915", "0917", "0919", "0990", "0901", "0921"]
BIRTH_FROM = datetime.date(1960, 1, 1)
BIRTH_TO = datetime.date(2004, 12, 31)
EMPLOYMENT_FROM = datetime.date(2012, 3, 20)


@dataclass
class _Draft:
    person: Person
    employments: list[dict]


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder: the parts add up)."""
    weight_sum = sum(weights) or 1
    exact = [total * w / weight_sum for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _birth_date(rng: random.Random) -> datetime.date:
    # Most guards are in their twenties and thirties: skew toward the later years.
    span = (BIRTH_TO - BIRTH_FROM).days
    return BIRTH_FROM + datetime.timedelta(days=int(rng.triangular(0, span, span * 0.78)))


class PersonMaker:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.data = names()
        self.codes: set[str] = set()
        self.today = timezone.localdate()

    def make_codes_unique(self, people: list[Person]) -> None:
        """Give a new code to those of `people` whose national code is registered already.

        Codes are drawn from a space of 10⁹, so among a million registered people a few
        hundred demo applicants meet one now and then. Replacements come from an rng of
        their own, so the main sequence of draws (and all other demo data) stays the same.
        """
        spare = random.Random(len(people))
        pending = people
        while pending:
            taken = set()
            codes = [p.national_code for p in pending]
            for start in range(0, len(codes), 5000):
                taken.update(
                    Person.objects.filter(
                        national_code__in=codes[start : start + 5000]
                    ).values_list("national_code", flat=True)
                )
            pending = [p for p in pending if p.national_code in taken]
            for person in pending:
                while (code := random_national_code(spare)) in self.codes:
                    continue
                self.codes.add(code)
                person.national_code = code

    def national_code(self) -> str:
        while True:
            code = random_national_code(self.rng)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def person(self, province_name: str) -> Person:
        rng, data = self.rng, self.data
        female = rng.random() < FEMALE_SHARE
        first = rng.choice(data["female_first_names"] if female else data["male_first_names"])
        last = rng.choice(data["last_names"])
        return Person(
            national_code=self.national_code(),
            first_name=first,
            last_name=last,
            father_name=rng.choice(data["male_first_names"]),
            birth_date=_birth_date(rng),
            gender=Gender.FEMALE if female else Gender.MALE,
            mobile=f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}",
            education=weighted(rng, EDUCATION_WEIGHTS),
            military_service="" if female else weighted(rng, MILITARY_WEIGHTS),
            address=f"{province_name}، {rng.choice(data['streets'])}، پلاک {rng.randint(1, 250)}",
            search_name=search_key(first, last),
        )

    def employments(self, person: Person, institution: Institution, others) -> list[dict]:
        rng = self.rng
        adult = person.birth_date + datetime.timedelta(days=18 * 366)
        earliest = max(EMPLOYMENT_FROM, adult)
        history = weighted(rng, HISTORY_WEIGHTS)
        position = weighted(rng, POSITION_WEIGHTS)
        start = _date_between(rng, earliest, self.today - datetime.timedelta(days=30))
        if history == "current":
            return [{"institution": institution, "position": position, "start_date": start}]
        end = _date_between(rng, start, self.today - datetime.timedelta(days=1))
        if history == "former":
            reason = weighted(rng, FORMER_REASONS)
            return [
                {
                    "institution": institution,
                    "position": Position.GUARD,
                    "start_date": start,
                    "end_date": end,
                    "end_reason": reason,
                }
            ]
        index = rng.randrange(len(others))
        previous = others[index] if others[index] != institution else others[index - 1]
        return [
            {
                "institution": previous,
                "position": Position.GUARD,
                "start_date": start,
                "end_date": end,
                "end_reason": EndReason.TRANSFERRED,
            },
            {"institution": institution, "position": position, "start_date": end},
        ]


def _drafts(rng: random.Random, count: int) -> Iterator[tuple[Institution, list[_Draft]]]:
    institutions = list(
        Institution.objects.filter(status=InstitutionStatus.ACTIVE)
        .select_related("province")
        .order_by("registration_number", "pk")
    )
    if not institutions:
        return
    maker = PersonMaker(rng)
    shares = _shares(count, [i.authorised_headcount or 1 for i in institutions])
    for institution, share in zip(institutions, shares, strict=True):
        drafts = []
        for _ in range(share):
            person = maker.person(institution.province.name)
            drafts.append(_Draft(person, maker.employments(person, institution, institutions)))
        yield institution, drafts


@transaction.atomic
def _write_batch(*, actor, institution: Institution, drafts: list[_Draft]) -> int:
    existing = set(
        Person.objects.filter(
            national_code__in=[d.person.national_code for d in drafts]
        ).values_list("national_code", flat=True)
    )
    drafts = [d for d in drafts if d.person.national_code not in existing]
    if not drafts:
        return 0
    if is_postgresql():
        _copy_batch(drafts)
    else:
        _orm_batch(drafts)
    active = sum(1 for d in drafts if any("end_date" not in e for e in d.employments))
    audit.record(
        actor=actor,
        action="person.seed",
        obj=institution,
        role="",
        changes={"people": [None, len(drafts)], "employed_now": [None, active]},
        reason="داده نمایشی",
    )
    return len(drafts)


PERSON_FIELDS_SEEDED = (
    "national_code",
    "first_name",
    "last_name",
    "father_name",
    "birth_date",
    "gender",
    "mobile",
    "education",
    "military_service",
    "address",
    "search_name",
)
PERSON_COLUMNS = ("id", *PERSON_FIELDS_SEEDED)
EMPLOYMENT_COLUMNS = (
    "person_id",
    "institution_id",
    "position",
    "start_date",
    "end_date",
    "end_reason",
)


def _copy_batch(drafts: list[_Draft]) -> None:
    """PostgreSQL: ids from the sequence, then one COPY each for people, employments, reach."""
    now = timezone.now()
    for draft, pk in zip(drafts, next_ids(Person, len(drafts)), strict=True):
        draft.person.pk = pk
    extra, values = column_defaults(Person, PERSON_COLUMNS, now)
    insert_rows(
        Person,
        [*PERSON_COLUMNS, *extra],
        [
            (d.person.pk, *(getattr(d.person, name) for name in PERSON_FIELDS_SEEDED), *values)
            for d in drafts
        ],
    )
    extra, values = column_defaults(Employment, EMPLOYMENT_COLUMNS, now)
    insert_rows(
        Employment,
        [*EMPLOYMENT_COLUMNS, *extra],
        [
            (
                d.person.pk,
                e["institution"].pk,
                e["position"],
                e["start_date"],
                e.get("end_date"),
                e.get("end_reason", ""),
                *values,
            )
            for d in drafts
            for e in d.employments
        ],
    )
    # The people are new: their reach rows cannot exist yet.
    insert_rows(
        PersonReach,
        ["person_id", "institution_id", *SCOPE_COLUMNS, "source", "created_at"],
        sorted(
            {
                (
                    d.person.pk,
                    e["institution"].pk,
                    *(getattr(e["institution"], column) for column in SCOPE_COLUMNS),
                    EMPLOYMENT,
                    now,
                )
                for d in drafts
                for e in d.employments
            }
        ),
    )


def _orm_batch(drafts: list[_Draft]) -> None:
    Person.objects.bulk_create([d.person for d in drafts], batch_size=2000)
    if any(d.person.pk is None for d in drafts):
        # Backends that return no ids from a bulk insert: read them back by national code.
        ids = dict(
            Person.objects.filter(
                national_code__in=[d.person.national_code for d in drafts]
            ).values_list("national_code", "pk")
        )
        for draft in drafts:
            draft.person.pk = ids[draft.person.national_code]
    Employment.objects.bulk_create(
        [Employment(person=d.person, **fields) for d in drafts for fields in d.employments],
        batch_size=2000,
    )
    reach_link_many(
        ((d.person.pk, fields["institution"].pk) for d in drafts for fields in d.employments),
        source=EMPLOYMENT,
    )


def seed_people(*, actor, count: int, rng: random.Random) -> int:
    """Register `count` demo people at the active institutions; returns how many were new."""
    created = 0
    for institution, drafts in _drafts(rng, count):
        if drafts:
            created += _write_batch(actor=actor, institution=institution, drafts=drafts)
    return created


def demo_seed(*, actor, rng, options) -> str | None:
    """Demo step: `--people` people and their employments."""
    count = options.get("people") or 0
    if not count:
        return None
    return f"people created: {seed_people(actor=actor, count=count, rng=rng)}"
