"""The periodic rounds: escalation past the deadline, closing unanswered resolutions,
erasing contacts past the retention period."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    HANDLING_STATUSES,
    EventKind,
    Status,
)
from ..conf import int_setting
from ..models import (
    Feedback,
)
from .common import _event, _record
from .handling import _escalate


def deadlines_round(*, today: datetime.date | None = None) -> str:
    """Escalate every message whose deadline passed (periodic; idempotent for a day: the
    escalation sets a new deadline in the future)."""
    today = today or timezone.localdate()
    overdue = Feedback.objects.filter(
        status__in=HANDLING_STATUSES, due_date__lt=today, duplicate_of__isnull=True
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(overdue[:500]):
        with transaction.atomic():
            feedback = Feedback.objects.select_for_update().get(pk=pk)
            if (
                feedback.status not in HANDLING_STATUSES
                or feedback.due_date is None
                or feedback.due_date >= today
            ):
                continue
            feedback.breached = True
            feedback.save(update_fields=["breached", "updated_at"])
            _escalate(feedback, actor=None, reason=str(_("The deadline passed.")))
            count += 1
    return f"escalated {count}"


def close_unanswered_round(*, now: datetime.datetime | None = None) -> str:
    """Close resolved messages the citizen neither confirmed nor disputed in the window."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=int_setting("FEEDBACK_DISPUTE_DAYS"))
    rows = list(
        Feedback.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for pk in rows:
        with transaction.atomic():
            feedback = Feedback.objects.select_for_update().get(pk=pk)
            if feedback.status != Status.RESOLVED:
                continue
            feedback.status = Status.CLOSED
            feedback.closed_at = now
            feedback.save(update_fields=["status", "closed_at", "updated_at"])
            _event(feedback, EventKind.CLOSED, public=True)
            _record(None, "feedback.close", feedback, {"status": "closed"})
    return f"closed {len(rows)}"


def contacts_erase_round(*, now: datetime.datetime | None = None) -> str:
    """Erase the name and contact of messages closed longer ago than the retention period."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=int_setting("FEEDBACK_CONTACT_RETENTION_DAYS"))
    rows = Feedback.objects.filter(Q(closed_at__lt=cutoff), contact_erased_at__isnull=True).exclude(
        contact="", name=""
    )
    count = rows.update(contact="", name="", contact_erased_at=now, updated_at=now)
    return f"erased {count}"
