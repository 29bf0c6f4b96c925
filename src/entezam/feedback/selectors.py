"""Reads of citizen messages: queues, one message, what a citizen may see, statistics."""

from __future__ import annotations

import datetime
import math
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from entezam.accounts.choices import Role
from entezam.core.persian import format_jalali
from entezam.core.scoping import Scope, access, assignments_of

from .choices import (
    HANDLING_STATUSES,
    OPEN_STATUSES,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Category,
    Priority,
    Status,
)
from .conf import int_setting
from .models import Feedback


def confirmed_labels() -> list[tuple[str, str]]:
    """Operator-confirmed categories, oldest first (training examples beside the corpus)."""
    return list(
        Feedback.objects.filter(category_confirmed_at__isnull=False, duplicate_of__isnull=True)
        .order_by("id")
        .values_list("text", "category")
    )


def confirmed_labels_count() -> int:
    return Feedback.objects.filter(
        category_confirmed_at__isnull=False, duplicate_of__isnull=True
    ).count()


def feedback_list(*, user, action: str = "view") -> QuerySet[Feedback]:
    return Feedback.objects.visible_to(user, action).select_related("province")


def triage_queue(*, user) -> QuerySet[Feedback]:
    """Messages waiting for an operator: urgent first, then oldest first."""
    return (
        Feedback.objects.visible_to(user, "triage")
        .select_related("province")
        .filter(status=Status.NEW, duplicate_of__isnull=True)
        .order_by("-priority", "id")
    )


def handling_queue(*, user) -> QuerySet[Feedback]:
    """Messages assigned to the user's units, urgent first, then by deadline."""
    return (
        Feedback.objects.visible_to(user, "handle")
        .select_related("province")
        .filter(status__in=HANDLING_STATUSES, duplicate_of__isnull=True)
        .order_by("-priority", "due_date", "id")
    )


def feedback_access(*, user, pk, action: str = "view") -> Feedback:
    return access(Feedback, user=user, action=action, pk=pk)


def public_lookup(code: str) -> Feedback:
    """The message of a tracking code (404 for anything that is not one)."""
    code = (code or "").strip().upper()
    if len(code) != TRACKING_LENGTH or any(c not in TRACKING_ALPHABET for c in code):
        raise Http404
    try:
        return Feedback.objects.select_related("duplicate_of").get(tracking_code=code)
    except Feedback.DoesNotExist:
        raise Http404 from None


def public_case(feedback: Feedback) -> Feedback:
    """What the citizen follows: a duplicate shows its original's case."""
    return feedback.duplicate_of or feedback


def card_for_feedback(token: str):
    """The card a citizen's message is about, from its verification token (the link on
    the card's public page), or None. Only what that public page shows is used."""
    from entezam.credentials.verification import card_by_token

    return card_by_token(str(token or "")[:200])


def subject_lookup(
    *,
    user,
    national_code: str = "",
    registration_number: str = "",
    unit_code: str = "",
    card_number: str = "",
) -> dict:
    """The subject an operator names on a call: a guard by card number or national code,
    an institution by registration number, a police unit by code. An unknown one is a
    field error; a national-code lookup is counted and audited like every exact code
    search. A card names its holder and the institution it was issued for."""
    from entezam.core.errors import field_error
    from entezam.core.persian import to_ascii_digits
    from entezam.geo.models import PoliceUnit
    from entezam.institutions.models import Institution
    from entezam.personnel.models import Person
    from entezam.personnel.selectors import code_lookup_checked

    from .errors import MESSAGES

    subjects: dict = {}
    national_code = to_ascii_digits(national_code or "").strip()
    registration_number = to_ascii_digits(registration_number or "").strip()
    unit_code = to_ascii_digits(unit_code or "").strip()
    card_number = to_ascii_digits(card_number or "").strip()
    if card_number:
        from entezam.credentials.models import Card

        card = Card.objects.select_related("person", "institution").filter(number=card_number)
        found = card.first()
        if found is None:
            raise field_error("subject_card", "subject_not_found", MESSAGES)
        subjects["subject_person"] = found.person
        subjects["subject_institution"] = found.institution
    if national_code:
        code_lookup_checked(user, national_code)
        person = Person.objects.filter(national_code=national_code).first()
        if person is None:
            raise field_error("subject_national_code", "subject_not_found", MESSAGES)
        subjects["subject_person"] = person
    if registration_number:
        institution = Institution.objects.filter(registration_number=registration_number).first()
        if institution is None:
            raise field_error("subject_institution", "subject_not_found", MESSAGES)
        subjects["subject_institution"] = institution
    if unit_code:
        unit = PoliceUnit.objects.filter(code=unit_code).first()
        if unit is None:
            raise field_error("subject_police_unit", "subject_not_found", MESSAGES)
        subjects["subject_police_unit"] = unit
    return subjects


def can_see_contact(user, feedback: Feedback) -> bool:
    """Operators (in their scope) and the current assignee see the citizen's contact."""
    active = list(feedback.assignments.filter(is_active=True))
    for assignment in assignments_of(user):
        if assignment.role == Role.CENTER_OPERATOR and (
            assignment.scope == Scope.NATION or assignment.scope_object_id == feedback.province_id
        ):
            return True
        for handled in active:
            if (
                (
                    assignment.role == Role.INSTITUTION_MANAGER
                    and handled.institution_id == assignment.scope_object_id
                )
                or (
                    assignment.role == Role.STATION_OFFICER
                    and handled.police_unit_id == assignment.scope_object_id
                )
                or (
                    assignment.role == Role.PROVINCE_OFFICER
                    and handled.province_id == assignment.scope_object_id
                )
                or (assignment.role == Role.HQ_ADMIN and handled.level == "hq")
            ):
                return True
    return False


def recognition(*, institution=None, person=None, latest: int = 3) -> dict:
    """Appreciation about an institution or guard: how many, and the latest texts."""
    rows = Feedback.objects.filter(category=Category.APPRECIATION, duplicate_of__isnull=True)
    if institution is not None:
        rows = rows.filter(
            Q(subject_institution=institution)
            | Q(subject_person__employments__institution=institution)
        )
    if person is not None:
        rows = rows.filter(subject_person=person)
    rows = rows.exclude(status=Status.NEW).distinct()
    return {"count": rows.count(), "latest": list(rows.order_by("-id")[:latest])}


# --------------------------------------------------------------------------- statistics


def jalali_month(value: datetime.datetime) -> str:
    """ "1404/08" of a time (Tehran), ASCII digits (a key; shown through the digits filter)."""
    return format_jalali(value, "short", digits="en")[:7]


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (honest for small and extreme counts)."""
    if total == 0:
        return (0.0, 0.0)
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class RankingRow:
    key: int | None
    name: str
    total: int
    appreciation: int
    complaints: int
    share: float
    low: float
    high: float
    comparable: bool


@dataclass
class Statistics:
    start: datetime.date
    end: datetime.date
    total: int
    by_category: dict[str, int]
    shares: dict[str, float]
    appreciation_interval: tuple[float, float]
    median_hours_to_resolve: float | None
    breached: int
    disputed: int
    urgent: int
    minimum: int
    months: list[dict] = field(default_factory=list)
    provinces: list[RankingRow] = field(default_factory=list)
    institutions: list[RankingRow] = field(default_factory=list)
    police_units: list[RankingRow] = field(default_factory=list)


def _ranking(rows: QuerySet, key: str, name: str, minimum: int) -> list[RankingRow]:
    grouped = (
        rows.exclude(**{f"{key}__isnull": True})
        .values(key, name)
        .annotate(
            total=Count("id"),
            appreciation=Count("id", filter=Q(category=Category.APPRECIATION)),
            complaints=Count("id", filter=Q(category=Category.COMPLAINT)),
        )
    )
    result = []
    for row in grouped:
        low, high = wilson_interval(row["appreciation"], row["total"])
        result.append(
            RankingRow(
                key=row[key],
                name=row[name] or "",
                total=row["total"],
                appreciation=row["appreciation"],
                complaints=row["complaints"],
                share=row["appreciation"] / row["total"] if row["total"] else 0.0,
                low=low,
                high=high,
                comparable=row["total"] >= minimum,
            )
        )
    # Ranked by the lower end of the interval (a unit with 3 of 3 does not beat one with
    # 180 of 200); units with too few messages come last, unranked.
    result.sort(key=lambda r: (not r.comparable, -r.low if r.comparable else 0, r.name))
    return result


def statistics_for(*, user, start: datetime.date, end: datetime.date) -> Statistics:
    """Counts and shares for messages received in [start, end] that the user may see.
    Duplicates are not counted."""
    rows = Feedback.objects.visible_to(user, "view").filter(
        duplicate_of__isnull=True, created_at__date__gte=start, created_at__date__lte=end
    )
    minimum = int_setting("FEEDBACK_MIN_RANKING_COUNT")
    counts = dict(rows.values_list("category").annotate(n=Count("id")).order_by())
    by_category = {c: counts.get(c, 0) for c in Category.values}
    total = sum(by_category.values())
    shares = {c: (n / total if total else 0.0) for c, n in by_category.items()}
    durations = [
        (resolved - created).total_seconds() / 3600
        for created, resolved in rows.filter(resolved_at__isnull=False).values_list(
            "created_at", "resolved_at"
        )[:100000]
        if resolved is not None
    ]
    months: dict[str, dict[str, int]] = {}
    for created, category in rows.values_list("created_at", "category")[:200000]:
        month = jalali_month(created)
        months.setdefault(month, dict.fromkeys(Category.values, 0))[category] += 1
    return Statistics(
        start=start,
        end=end,
        total=total,
        by_category=by_category,
        shares=shares,
        appreciation_interval=wilson_interval(by_category[Category.APPRECIATION], total),
        median_hours_to_resolve=statistics.median(durations) if durations else None,
        breached=rows.filter(breached=True).count(),
        disputed=rows.filter(disputes__gt=0).count(),
        urgent=rows.filter(priority=Priority.URGENT).count(),
        minimum=minimum,
        months=[{"month": m, **v} for m, v in sorted(months.items())],
        provinces=_ranking(rows, "province", "province__name", minimum),
        institutions=_ranking(rows, "subject_institution", "subject_institution__name", minimum),
        police_units=_ranking(
            rows.filter(assignments__level="police_unit"),
            "assignments__police_unit",
            "assignments__police_unit__name",
            minimum,
        ),
    )


def open_counts(*, user) -> dict[str, int]:
    return {
        "triage": triage_queue(user=user).count(),
        "handling": handling_queue(user=user).count(),
        "open": Feedback.objects.visible_to(user, "view")
        .filter(status__in=OPEN_STATUSES, duplicate_of__isnull=True)
        .count(),
    }
