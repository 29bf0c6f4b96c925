"""Panels the institutions app adds to the home page and to police-unit pages."""

from __future__ import annotations

from django.db.models import Count, Sum

from .choices import InstitutionStatus
from .filtersets import expiring_count
from .models import Institution


def home_panel(request) -> dict | None:
    """National (or scoped) figures: institutions by status, headcount, expiring licences."""
    institutions = Institution.objects.visible_to(request.user)
    by_status = dict(institutions.values_list("status").annotate(n=Count("id")).order_by())
    if not by_status:
        return None
    return {
        "institution_total": sum(by_status.values()),
        "by_status": [
            {"status": value, "label": label, "count": by_status.get(value, 0)}
            for value, label in InstitutionStatus.choices
        ],
        "headcount_total": institutions.filter(status=InstitutionStatus.ACTIVE).aggregate(
            total=Sum("authorised_headcount")
        )["total"]
        or 0,
        "expiring_total": expiring_count(institutions),
        "expiring": institutions.filter(
            status__in=[InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED]
        )
        .exclude(licence_expires_on=None)
        .order_by("licence_expires_on")
        .select_related("province")[:8],
    }


def supervised_institutions_panel(request, unit) -> dict:
    """The institutions a police unit supervises, as far as the reader may see them."""
    return {
        "supervised": Institution.objects.visible_to(request.user)
        .filter(supervising_unit=unit)
        .select_related("province")
    }
