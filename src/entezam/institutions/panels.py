"""Panels the institutions app adds to the home page and to police-unit pages."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.scoping import ALL, scope_condition
from entezam.geo.models import PoliceUnit

from .choices import InstitutionStatus
from .filtersets import expiring_count, expiring_q
from .models import Institution

HOME_ROLES = frozenset(
    {Role.HQ_ADMIN, Role.HQ_ANALYST, Role.PROVINCE_OFFICER, Role.STATION_OFFICER}
)
OPERATING = (InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED)


def home_panel(request) -> dict | None:
    """The institutions the user supervises: nationally, the figures by status; in a
    province or station, the institutions themselves. An operating institution whose
    licence has expired is counted apart (it is not simply "active")."""
    institutions = Institution.objects.visible_to(request.user)
    by_status = dict(institutions.values_list("status").annotate(n=Count("id")).order_by())
    if not by_status:
        return None
    today = timezone.localdate()
    lapsed = institutions.filter(status__in=OPERATING, licence_expires_on__lt=today)
    lapsed_by_status = dict(lapsed.values_list("status").annotate(n=Count("id")).order_by())
    rows = []
    for value, label in InstitutionStatus.choices:
        count = by_status.get(value, 0)
        lapsed_count = lapsed_by_status.get(value, 0)
        rows.append({"status": value, "label": label, "count": count - lapsed_count})
        if value in OPERATING:
            rows.append(
                {
                    "status": f"{value}_lapsed",
                    "label": format_lazy(_("{} — licence expired"), label),
                    "count": lapsed_count,
                }
            )
    national = scope_condition(request.user, Institution, "view") is ALL
    expiring = (
        institutions.filter(expiring_q())
        .exclude(licence_expires_on=None)
        .order_by("licence_expires_on", "pk")
        .select_related("province")
    )
    return {
        "national": national,
        "institution_total": sum(by_status.values()),
        "by_status": rows,
        "active_valid": by_status.get(InstitutionStatus.ACTIVE, 0)
        - lapsed_by_status.get(InstitutionStatus.ACTIVE, 0),
        "lapsed_total": sum(lapsed_by_status.values()),
        "headcount_total": institutions.filter(status=InstitutionStatus.ACTIVE).aggregate(
            total=Sum("authorised_headcount")
        )["total"]
        or 0,
        "expiring_total": expiring_count(institutions),
        "expiring": expiring[:8],
        "own": None
        if national
        else institutions.select_related("supervising_unit").order_by("search_name")[:10],
    }


def _unit_tree_ids(unit) -> list[int]:
    """The unit and every unit below it (one query per level: the tree is a few deep)."""
    ids, level = [unit.pk], [unit.pk]
    while level:
        level = list(PoliceUnit.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids += level
    return ids


SUPERVISED_SHOWN = 15


def supervised_institutions_panel(request, unit) -> dict:
    """The institutions a police unit supervises, itself or through the units below it
    (a provincial command sees its province), as far as the reader may see them."""
    tree = _unit_tree_ids(unit)
    institutions = Institution.objects.visible_to(request.user).filter(supervising_unit_id__in=tree)
    total = institutions.count()
    return {
        "unit": unit,
        "supervised": institutions.select_related("province", "supervising_unit").order_by(
            "search_name"
        )[:SUPERVISED_SHOWN],
        "supervised_total": total,
        "more": max(0, total - SUPERVISED_SHOWN),
        "direct_only": len(tree) == 1,
    }
