"""Reads on people: scoped querysets, search, national-code masking, and who may edit whom."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from entezam.core.models import AuditEvent
from entezam.core.persian import normalize, to_ascii_digits
from entezam.core.scoping import ALL, Scope, assignment_q

from .models import NATIONAL_CODE_READERS, Employment, Person

# Shorter fragments match a large part of the register and cannot use the trigram index well.
MIN_SEARCH_LENGTH = 3
_CODE_CHARS = str.maketrans("", "", " -\u200c\u200e\u200f")


def national_code_query(value: str) -> str | None:
    """The canonical national code a query stands for (8 to 10 digits, any digit script)."""
    text = to_ascii_digits(value or "").translate(_CODE_CHARS).strip()
    if not (text.isascii() and text.isdigit() and 8 <= len(text) <= 10):
        return None
    return text.zfill(10)


def search_too_short(value: str | None) -> bool:
    """A name fragment too short to search for (a national code is never too short)."""
    key = normalize(value or "")
    return bool(key) and national_code_query(key) is None and len(key) < MIN_SEARCH_LENGTH


def person_search(queryset: QuerySet, value: str) -> QuerySet:
    """People whose normalised name contains the fragment, or whose national code it is.

    `search_name__contains` is a plain `LIKE '%…%'` on the stored key: on PostgreSQL the
    trigram GIN index answers it, so no function may be applied to the column here.
    """
    key = normalize(value)
    if not key:
        return queryset
    code = national_code_query(key)
    if code is not None:
        # A mistyped code still finds nothing rather than everyone: exact match only.
        return queryset.filter(national_code=code)
    if len(key) < MIN_SEARCH_LENGTH:
        return queryset.none()
    return queryset.filter(search_name__contains=key)


def person_list(*, user, action: str = "view") -> QuerySet:
    """People the user may reach, with their active employment loaded for display."""
    return Person.objects.visible_to(user, action).prefetch_related(
        Prefetch(
            "employments",
            queryset=Employment.objects.filter(end_date__isnull=True).select_related("institution"),
            to_attr="active_employments",
        )
    )


def person_get(*, user, pk) -> Person:
    """One person in the user's scope; `Person.DoesNotExist` otherwise (the caller 404s)."""
    return Person.objects.visible_to(user).get(pk=pk)


def _reader_assignments(user):
    if user is None or not user.is_authenticated:
        return []
    return [a for a in user.role_assignments_cached() if a.role in NATIONAL_CODE_READERS]


def readable_national_code_ids(user, person_ids: Iterable[int]) -> set[int]:
    """Of `person_ids`, those whose national code `user` may read in full.

    A code is readable when the person is in the scope of one of the user's assignments in a
    role that needs codes (`NATIONAL_CODE_READERS`); other roles see it masked.
    """
    person_ids = list(person_ids)
    conditions = []
    for assignment in _reader_assignments(user):
        scope_q = assignment_q(Person, assignment, "view")
        if scope_q is ALL:
            return set(person_ids)
        if scope_q is not None:
            conditions.append(scope_q)
    if not person_ids or not conditions:
        return set()
    condition = conditions[0]
    for extra in conditions[1:]:
        condition |= extra
    return set(
        Person.objects.filter(condition, pk__in=person_ids).values_list("pk", flat=True).distinct()
    )


def with_national_code_display(user, people: Iterable[Person]) -> list[Person]:
    """Set `national_code_display` on each person: full or masked for this user."""
    people = list(people)
    readable = readable_national_code_ids(user, (p.pk for p in people))
    for person in people:
        person.national_code_display = (
            person.national_code if person.pk in readable else person.national_code_masked
        )
    return people


def editable_people(*, user) -> QuerySet:
    """People the user may edit: HQ every one, a manager those their institution employs now."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    condition = Q(pk__in=[])
    for assignment in user.role_assignments_cached():
        if assignment_q(Person, assignment, "change") is None:
            continue
        if assignment.scope == Scope.NATION:
            return Person.objects.all()
        if assignment.scope == Scope.INSTITUTION:
            condition |= Q(
                pk__in=Employment.objects.filter(
                    institution_id=assignment.scope_object_id, end_date__isnull=True
                ).values("person_id")
            )
    return Person.objects.filter(condition)


def can_edit_person(user, person: Person) -> bool:
    return editable_people(user=user).filter(pk=person.pk).exists()


def employment_history(person: Person) -> QuerySet:
    return person.employments.select_related("institution", "institution__province").order_by(
        "-start_date", "-pk"
    )


def person_applications(*, user, person: Person) -> QuerySet:
    """The person's selection cases that the user may see, newest first."""
    from entezam.vetting.models import Application

    return (
        Application.objects.visible_to(user)
        .filter(person=person)
        .select_related("institution", "standard")
        .only(
            "status",
            "position",
            "submitted_at",
            "person_id",
            "institution__name",
            "standard__code",
            "standard__version",
        )
        .order_by("-submitted_at")
    )


def person_history(person: Person, limit: int = 100) -> QuerySet:
    """Changes to the person and their employments, newest first; record views left out."""
    employment_ids = [str(pk) for pk in person.employments.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(object_type="personnel.person", object_id=str(person.pk))
            | Q(object_type="personnel.employment", object_id__in=employment_ids)
        )
        .exclude(action="person.view")
        .order_by("-id")[:limit]
    )


def record_views(person: Person) -> QuerySet:
    return AuditEvent.objects.filter(
        object_type="personnel.person", object_id=str(person.pk), action="person.view"
    )
