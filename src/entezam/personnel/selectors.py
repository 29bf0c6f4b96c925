"""Reads on people: scoped querysets, search, national-code masking, and who may edit whom."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet

from entezam.core import audit
from entezam.core.counters import count_hit
from entezam.core.models import AuditEvent, AuditLink
from entezam.core.persian import normalize, to_ascii_digits
from entezam.core.scoping import access, can, checked_visible, same_scope_as_view

from .errors import MESSAGES
from .models import Employment, Person, mask_national_code

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


def person_search(queryset: QuerySet, value: str, *, user=None) -> QuerySet:
    """People whose normalised name contains the fragment, or whose national code it is.

    `search_name__contains` is a plain `LIKE '%…%'` on the stored key: on PostgreSQL the
    trigram GIN index answers it, so no function may be applied to the column here.

    A national-code search by `user` finds only people whose code they may read
    (`read_national_code`): a role that sees codes masked cannot recover one by trying the
    candidates. Each such lookup is rate-limited and audited (`code_lookup_checked`).
    """
    key = normalize(value)
    if not key:
        return queryset
    code = national_code_query(key)
    if code is not None:
        # A mistyped code still finds nothing rather than everyone: exact match only.
        if user is None:
            return queryset.filter(national_code=code)
        code_lookup_checked(user, code)
        readable = Person.objects.visible_to(user, "read_national_code").filter(national_code=code)
        return queryset.filter(national_code=code, pk__in=readable.values("pk"))
    if len(key) < MIN_SEARCH_LENGTH:
        return queryset.none()
    return queryset.filter(search_name__contains=key)


class TooManyLookups(PermissionDenied):
    """More national-code lookups than a user may make in an hour."""


def code_lookup_checked(user, code: str) -> None:
    """Count one exact national-code lookup by `user` (per hour, in the cache), refuse it
    past `CODE_LOOKUPS_PER_HOUR`, and record it in the audit log (the code masked)."""
    key = f"national-code-lookups:{user.pk}:{int(time.time()) // 3600}"
    count = count_hit(key, 3600)
    if count > settings.CODE_LOOKUPS_PER_HOUR:
        raise TooManyLookups(
            MESSAGES["too_many_lookups"] % {"limit": settings.CODE_LOOKUPS_PER_HOUR}
        )
    audit.record(
        actor=user,
        action="person.code_lookup",
        obj=user,
        changes={"code": mask_national_code(code)},
        role="",
    )


def person_list(*, user, action: str = "view") -> QuerySet:
    """People the user may reach, with their active employment loaded for display."""
    return Person.objects.visible_to(user, action).prefetch_related(
        Prefetch(
            "employments",
            queryset=Employment.objects.filter(end_date__isnull=True).select_related("institution"),
            to_attr="active_employments",
        )
    )


def person_access(*, user, pk, action: str = "view") -> Person:
    """One person in the user's scope (404 outside it; 403 without `action`)."""
    return access(Person, user=user, pk=pk, action=action)


def readable_national_code_ids(user, person_ids: Iterable[int]) -> set[int]:
    """Of `person_ids`, those whose national code `user` may read in full (the
    `read_national_code` action, within its scope); other roles see codes masked."""
    person_ids = list(person_ids)
    if not person_ids:
        return set()
    return set(
        Person.objects.visible_to(user, "read_national_code")
        .filter(pk__in=person_ids)
        .values_list("pk", flat=True)
    )


def with_national_code_display(user, people: Iterable[Person]) -> list[Person]:
    """Set `national_code_display` on each person: full or masked for this user."""
    people = list(people)
    checked = [p for p in people if checked_visible(user, p)]
    if checked and same_scope_as_view(user, Person, "read_national_code"):
        # Fetched through the view scope, which is also this user's code-reading scope.
        readable = {p.pk for p in checked} | readable_national_code_ids(
            user, (p.pk for p in people if p not in checked)
        )
    else:
        readable = readable_national_code_ids(user, (p.pk for p in people))
    for person in people:
        person.national_code_display = (
            person.national_code if person.pk in readable else person.national_code_masked
        )
    return people


def editable_people(*, user) -> QuerySet:
    """People the user may edit: HQ every one, a manager those their institution employs now."""
    return Person.objects.visible_to(user, "change")


def can_edit_person(user, person: Person) -> bool:
    return can(user, "change", person)


def employment_history(person: Person) -> QuerySet:
    return person.employments.select_related("institution", "institution__province").order_by(
        "-start_date", "-pk"
    )


def person_history(
    person: Person, limit: int = 100, employments: Iterable[Employment] | None = None
) -> QuerySet:
    """Changes to the person and their employments (`employments`, when the caller has
    them), and the bulk operations (roster imports) that created or linked them, newest
    first; record views left out."""
    if employments is None:
        employment_ids = [str(pk) for pk in person.employments.values_list("pk", flat=True)]
    else:
        employment_ids = [str(employment.pk) for employment in employments]
    linked = AuditLink.objects.filter(
        object_type="personnel.person", object_id=str(person.pk), event__isnull=False
    ).values("event_id")
    return (
        AuditEvent.objects.filter(
            Q(object_type="personnel.person", object_id=str(person.pk))
            | Q(object_type="personnel.employment", object_id__in=employment_ids)
            | Q(pk__in=linked)
        )
        .exclude(action="person.view")
        .order_by("-id")[:limit]
    )


def record_views(person: Person) -> QuerySet:
    return AuditEvent.objects.filter(
        object_type="personnel.person", object_id=str(person.pk), action="person.view"
    )


def national_code_shower(user, events: list) -> Callable[[Any, Any], Any]:
    """For the audit log and histories: a national code in an event about a person is shown
    in full only where the user may read that person's code; everywhere else masked."""
    person_ids = {
        int(event.object_id)
        for event in events
        if event.object_type == "personnel.person" and str(event.object_id).isdigit()
    }
    readable = {str(pk) for pk in readable_national_code_ids(user, person_ids)}

    def show(event, value):
        if not isinstance(value, str) or not value:
            return value
        if event.object_type == "personnel.person" and str(event.object_id) in readable:
            return value
        return mask_national_code(value)

    return show
