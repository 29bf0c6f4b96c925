"""Sending deliveries exactly once as far as the provider allows.

A delivery is claimed in its own short transaction (row lock, status `sending`, the
claim's deadline in `next_attempt_at`), sent outside any transaction with its
idempotency key, and marked `sent`. Whoever comes next — a task delivered twice, a task
redelivered after its worker was killed (`acks_late`), the periodic round — finds it
sent and does nothing, finds a live claim and leaves it, or finds a claim past its
deadline (the worker died) and sends again with the same key, which the file spool and
Kavenegar refuse to repeat. A failure is retried by the periodic round with a doubling
delay, at most `ENTEZAM_NOTIFY_MAX_ATTEMPTS` attempts, then `failed` with the reason.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from entezam.core import audit
from entezam.core.scoping import require

from .. import conf
from ..channels import NO_ADDRESS, ChannelError, address_of, send
from ..choices import FINAL_STATUSES, PENDING_STATUSES, DeliveryStatus
from ..errors import error
from ..models import Delivery

log = logging.getLogger(__name__)

MAX_BACKOFF = datetime.timedelta(hours=6)
SWEEP_BATCH = 500


def claim_window() -> datetime.timedelta:
    """How long a worker's claim holds; longer than any backend's timeout."""
    return datetime.timedelta(seconds=conf.int_setting("NOTIFY_CLAIM_SECONDS"))


def backoff(attempts: int) -> datetime.timedelta:
    first = datetime.timedelta(seconds=conf.int_setting("NOTIFY_RETRY_SECONDS"))
    return min(first * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _claim(delivery_id: int, now: datetime.datetime) -> tuple[Delivery | None, str]:
    """Take the delivery for one attempt; returns it (None when there is nothing to send)
    and what was found."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None, "missing"
        if delivery.status in FINAL_STATUSES:
            return None, delivery.status
        if delivery.status == DeliveryStatus.SENDING and (
            delivery.next_attempt_at is not None and delivery.next_attempt_at > now
        ):
            return None, "claimed"
        interrupted = delivery.status == DeliveryStatus.SENDING or (
            delivery.error_code == "interrupted"
        )
        if delivery.attempts >= conf.int_setting("NOTIFY_MAX_ATTEMPTS"):
            delivery.status = DeliveryStatus.FAILED
            delivery.error_code = "interrupted" if interrupted else "gave_up"
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "error_code", "next_attempt_at", "updated_at"])
            return None, delivery.status
        delivery.status = DeliveryStatus.SENDING
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.next_attempt_at = now + claim_window()
        if interrupted:
            delivery.error_code = "interrupted"
        delivery.save(
            update_fields=[
                "status",
                "claimed_at",
                "attempts",
                "next_attempt_at",
                "error_code",
                "updated_at",
            ]
        )
        return delivery, "claimed-now"


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is still to be sent; returns its status afterwards (or
    what stopped it: `missing`, `claimed` by another worker)."""
    delivery, found = _claim(delivery_id, timezone.now())
    if delivery is None:
        return found
    mine = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
    )
    try:
        provider_id = send(delivery)
    except ChannelError as exc:
        final = not exc.retry or delivery.attempts >= conf.int_setting("NOTIFY_MAX_ATTEMPTS")
        now = timezone.now()
        mine.update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED,
            error_code=exc.code,
            error=exc.detail[:2000],
            next_attempt_at=None if final else now + backoff(delivery.attempts),
            updated_at=now,
        )
        log.warning(
            "delivery %s (%s) failed: %s %s", delivery.pk, delivery.channel, exc.code, exc.detail
        )
        return DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED
    now = timezone.now()
    # Not only our own claim: another worker may have taken over a claim it thought
    # stale and sent with the same key; either of us records the one message as sent.
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT,
        sent_at=now,
        provider_id=str(provider_id)[:100],
        error_code="",
        error="",
        next_attempt_at=None,
        updated_at=now,
    )
    return DeliveryStatus.SENT


def deliveries_dispatch(delivery_ids: list[int]) -> None:
    """Send these deliveries: on a Celery worker with Redis, inline without it (after the
    commit that created them). A lost dispatch is picked up by the periodic round."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for delivery_id in delivery_ids:
            try:
                delivery_send(delivery_id=delivery_id)
            except Exception:  # the periodic round takes it up again
                log.exception("delivery %s could not be sent inline", delivery_id)
        return
    from ..tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.delay(delivery_id)
        except Exception:  # broker down: the periodic round dispatches it again
            log.exception("delivery %s could not be queued", delivery_id)


def deliveries_due_round() -> str:
    """Periodic task `notification-deliveries`."""
    return str(deliveries_due())


def deliveries_due(*, now: datetime.datetime | None = None) -> int:
    """The periodic round: dispatch the deliveries whose retry is due, whose task was
    lost, or whose worker died mid-send; returns how many."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status__in=PENDING_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if not due:
        return 0
    # A claim past its deadline goes back to the queue, marked interrupted; every row
    # gets a new deadline, so the next round does not dispatch it again meanwhile.
    Delivery.objects.filter(
        pk__in=due, status=DeliveryStatus.SENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.QUEUED, error_code="interrupted", updated_at=now)
    Delivery.objects.filter(pk__in=due, status=DeliveryStatus.QUEUED).update(
        next_attempt_at=now + claim_window()
    )
    transaction.on_commit(lambda: deliveries_dispatch(due))
    return len(due)


@transaction.atomic
def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """An HQ administrator sends a failed or skipped delivery again, to the recipient's
    current address; one audit event."""
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("notification__recipient")
        .get(pk=delivery.pk)
    )
    require(actor, "retry", delivery)
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED):
        raise error("not_failed", "status")
    before = audit.snapshot(delivery, ["status", "attempts", "address", "error_code"])
    address = address_of(delivery.notification.recipient, delivery.channel)
    now = timezone.now()
    delivery.address = address
    delivery.attempts = 0
    if address:
        delivery.status = DeliveryStatus.QUEUED
        delivery.error_code = ""
        delivery.error = ""
        delivery.next_attempt_at = now + claim_window()
    else:
        delivery.status = DeliveryStatus.SKIPPED
        delivery.error_code = NO_ADDRESS[delivery.channel]
        delivery.next_attempt_at = None
    delivery.save()
    audit.record(
        actor=actor,
        action="delivery.retry",
        obj=delivery,
        changes=audit.diff(before, audit.snapshot(delivery, before.keys())),
        permission="retry",
    )
    if delivery.status == DeliveryStatus.QUEUED:
        transaction.on_commit(lambda: deliveries_dispatch([delivery.pk]))
    return delivery
