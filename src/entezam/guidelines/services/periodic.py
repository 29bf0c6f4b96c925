"""Periodic work: late joiners, reminders, overdue escalation (idempotent)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.core import audit
from entezam.core.persian.jalali import format_jalali
from entezam.notifications.services import notify

from ..choices import REMINDER_DAYS, AckStatus
from ..models import (
    Acknowledgement,
    Issuance,
)
from .common import _managers, _officers, default_deadline
from .issuing import audience

# --------------------------------------------------------------------------- periodic work


def late_joiners_round(*, today: datetime.date | None = None) -> str:
    """Institutions that entered a current issuance's audience after it was issued
    (licensed later) receive it, with a deadline counted from today."""
    today = today or timezone.localdate()
    created = 0
    for issuance in Issuance.objects.filter(current=True).select_related("version__guideline"):
        missing = (
            audience(province=issuance.audience_province, kind=issuance.audience_kind)
            .exclude(acknowledgements__issuance=issuance)
            .values_list("pk", flat=True)
        )
        ids = list(missing)
        if not ids:
            continue
        deadline = default_deadline(today)
        rows = [
            Acknowledgement(
                issuance=issuance,
                institution_id=pk,
                joined_on=today,
                deadline=deadline,
            )
            for pk in ids
        ]
        Acknowledgement.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
        for pk in ids:
            audit.record(
                actor=None,
                action="acknowledgement.late_join",
                obj=Acknowledgement.objects.get(issuance=issuance, institution_id=pk),
                changes={"deadline": deadline},
            )
        notify(
            recipients=_managers(ids),
            event="guideline.issued",
            title=_("Issued to your institution: %(title)s — acknowledge by %(deadline)s")
            % {"title": issuance.version.guideline.title, "deadline": format_jalali(deadline)},
            url=reverse("guidelines:pending"),
            obj=issuance,
            dedupe_key=f"guideline-issued:{issuance.pk}",
        )
    return f"{created} late joiners"


def reminders_round(*, today: datetime.date | None = None) -> str:
    """Remind managers 14 and 3 days before the deadline and on the day; flag what is past
    its deadline as overdue and tell the supervising station and province officers. Each
    message carries a key (acknowledgement, deadline, day): never sent twice."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    sent = escalated = 0
    due = (
        Acknowledgement.objects.filter(
            status__in=[AckStatus.PENDING, AckStatus.EXTENDED],
            deadline__lte=horizon,
            deadline__gte=today,
        )
        .select_related("issuance__version__guideline")
        .order_by("pk")
    )
    for ack in due.iterator(chunk_size=500):
        days_left = (ack.deadline - today).days
        # The nearest reminder day already reached: a round missed on the day itself still
        # reminds (once), and a deadline given fewer days ahead starts at its own point.
        step = min(d for d in REMINDER_DAYS if d >= days_left)
        created = notify(
            recipients=_managers([ack.institution_id]),
            event="guideline.reminder",
            title=_("%(title)s: acknowledge by %(deadline)s (%(days)s days left)")
            % {
                "title": ack.issuance.version.guideline.title,
                "deadline": format_jalali(ack.deadline),
                "days": days_left,
            }
            if days_left
            else _("%(title)s: the deadline to acknowledge is today")
            % {"title": ack.issuance.version.guideline.title},
            obj=ack,
            dedupe_key=f"guideline-reminder:{ack.pk}:{ack.deadline.isoformat()}:{step}",
        )
        sent += len(created)
    late = (
        Acknowledgement.objects.filter(
            status__in=[AckStatus.PENDING, AckStatus.EXTENDED], deadline__lt=today
        )
        .select_related("institution", "issuance__version__guideline")
        .order_by("pk")
    )
    for ack in late.iterator(chunk_size=500):
        with transaction.atomic():
            updated = Acknowledgement.objects.filter(
                pk=ack.pk, status__in=[AckStatus.PENDING, AckStatus.EXTENDED]
            ).update(status=AckStatus.OVERDUE, overdue_since=today, updated_at=timezone.now())
            if not updated:
                continue
            audit.record(
                actor=None,
                action="acknowledgement.overdue",
                obj=ack,
                changes={"status": [ack.status, AckStatus.OVERDUE]},
            )
            key = f"guideline-overdue:{ack.pk}:{ack.deadline.isoformat()}"
            title = _("%(institution)s has not acknowledged %(title)s (due %(deadline)s)") % {
                "institution": ack.institution.name,
                "title": ack.issuance.version.guideline.title,
                "deadline": format_jalali(ack.deadline),
            }
            notify(
                recipients=_officers(ack.institution) + _managers([ack.institution_id]),
                event="guideline.overdue",
                title=title,
                obj=ack,
                dedupe_key=key,
            )
            escalated += 1
    return f"{sent} reminders, {escalated} overdue"
