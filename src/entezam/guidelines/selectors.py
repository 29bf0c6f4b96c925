"""Reads of guidelines, scoped to the user: the pending list, compliance per province, and
the home-page panels."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from entezam.accounts.choices import Role

from .choices import OPEN_ACK_STATUSES, AckStatus
from .choices import VersionStatus as VS
from .models import Acknowledgement, Guideline, Issuance, Version


def pending_acknowledgements(*, user):
    """What the user's institutions still owe, nearest deadline first."""
    return (
        Acknowledgement.objects.visible_to(user, "acknowledge")
        .filter(status__in=OPEN_ACK_STATUSES)
        .select_related("issuance__version__guideline", "institution")
        .order_by("deadline", "pk")
    )


def compliance_by_province(*, user, issuance: Issuance) -> list[dict]:
    """Per province: acknowledgements, how many acknowledged, overdue, extended, and the
    share acknowledged (0-100), over the acknowledgements the user may see."""
    rows = (
        Acknowledgement.objects.visible_to(user)
        .filter(issuance=issuance)
        .exclude(status=AckStatus.SUPERSEDED)
        .values("institution__province_id", "institution__province__name")
        .annotate(
            total=Count("id"),
            acknowledged=Count("id", filter=Q(status=AckStatus.ACKNOWLEDGED)),
            overdue=Count("id", filter=Q(status=AckStatus.OVERDUE)),
            extended=Count("id", filter=Q(status=AckStatus.EXTENDED)),
            briefed=Count("id", filter=Q(briefings__isnull=False), distinct=True),
        )
        .order_by("institution__province__name")
    )
    return [
        {
            "province": r["institution__province__name"],
            "total": r["total"],
            "acknowledged": r["acknowledged"],
            "overdue": r["overdue"],
            "extended": r["extended"],
            "briefed": r["briefed"],
            "share": round(100 * r["acknowledged"] / r["total"]) if r["total"] else 0,
            "briefed_share": round(100 * r["briefed"] / r["total"]) if r["total"] else 0,
        }
        for r in rows
    ]


def mandate_panel(request) -> dict | None:
    """HQ's own deadlines: each HQ guideline with a mandate date not yet issued, counted
    down (red when late)."""
    if not request.user.has_role(Role.HQ_ADMIN, Role.HQ_ANALYST):
        return None
    issued = Version.objects.filter(
        guideline=OuterRef("pk"),
        status__in=[VS.ISSUED, VS.SUPERSEDED],
    )
    guidelines = list(
        Guideline.objects.visible_to(request.user)
        .filter(owner_institution__isnull=True, mandate_due_on__isnull=False)
        .annotate(is_issued=Exists(issued))
        .order_by("mandate_due_on")[:6]
    )
    if not guidelines:
        return None
    return {"mandates": guidelines}


def pending_panel(request) -> dict | None:
    if not request.user.has_role(Role.INSTITUTION_MANAGER):
        return None
    pending = list(pending_acknowledgements(user=request.user)[:6])
    if not pending:
        return None
    return {"pending": pending}


def institution_panel(request, institution) -> dict | None:
    """On an institution's page: every guideline it must acknowledge and where it stands."""
    rows = list(
        Acknowledgement.objects.visible_to(request.user)
        .filter(institution=institution)
        .exclude(status=AckStatus.SUPERSEDED)
        .select_related("issuance__version__guideline")
        .order_by("-issuance__issued_on", "-pk")[:20]
    )
    if not rows:
        return None
    return {"guideline_acks": rows}
