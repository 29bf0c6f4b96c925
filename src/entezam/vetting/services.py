"""Writes on selection: standards, applications, checks and decisions."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import OPEN_APPLICATION_STATUSES, ApplicationStatus, StandardStatus
from .models import Application, ApplicationStep, Standard


def active_standard_for(position: str) -> Standard | None:
    """The active standard that selects for `position` (each position has at most one)."""
    for standard in Standard.objects.filter(status=StandardStatus.ACTIVE).order_by("code"):
        if position in standard.positions:
            return standard
    return None


def applications_open_bulk(
    *, actor, institution, items: Iterable[tuple[int, str]]
) -> dict[int, str]:
    """Open applications for many (person_id, position) pairs at one institution.

    Set-based: one query finds the pairs that already have an open or approved
    application there, one insert creates the rest. Returns {person_id: "opened" |
    "exists"}. The caller records the audit event (one per import, not one per row).
    Raises ValidationError when a position has no active standard.
    """
    items = list(items)
    if not items:
        return {}
    existing = set(
        Application.objects.filter(
            institution=institution,
            person_id__in=[person_id for person_id, _position in items],
            status__in=[*OPEN_APPLICATION_STATUSES, ApplicationStatus.APPROVED],
        ).values_list("person_id", flat=True)
    )
    standards: dict[str, Standard] = {}
    for _person_id, position in items:
        if position not in standards:
            standard = active_standard_for(position)
            if standard is None:
                raise ValidationError(
                    {"position": _("No active selection standard covers this position.")},
                    code="no_active_standard",
                )
            standards[position] = standard
    now = timezone.now()
    to_create = [
        Application(
            person_id=person_id,
            institution=institution,
            position=position,
            standard=standards[position],
            status=ApplicationStatus.SUBMITTED,
            submitted_at=now,
            status_changed_at=now,
        )
        for person_id, position in items
        if person_id not in existing
    ]
    with transaction.atomic():
        created = Application.objects.bulk_create(to_create, batch_size=2000)
        ApplicationStep.objects.bulk_create(
            (
                ApplicationStep(
                    application=app, to_status=ApplicationStatus.SUBMITTED, at=now, actor=actor
                )
                for app in created
            ),
            batch_size=2000,
        )
    result = {person_id: "exists" for person_id in existing}
    result.update({app.person_id: "opened" for app in created})
    return result
