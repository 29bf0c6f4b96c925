"""A real Celery worker on Redis is killed (SIGKILL) while it sends an SMS, after the
provider has the message but before the delivery is recorded; a restarted worker gets
the redelivered task (`acks_late`), finds the stale claim, sends again with the same
idempotency key, and the provider (the file spool) keeps one message.

Needs PostgreSQL (the worker is another process and must see committed rows) and Redis
(ENTEZAM_TEST_REDIS_URL); tests/worker_harness.py says when it runs.
"""

from __future__ import annotations

import pytest

from entezam.notifications.models import Delivery
from entezam.notifications.services import notify, preference_set
from tests import worker_harness as harness

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DELIVER = "entezam.notifications.tasks.deliver"


@pytest.fixture
def broker(settings, db):
    harness.require_services()
    with harness.broker_queue(settings, DELIVER, "notifications") as queue:
        yield queue


def start_worker(queue, tmp, name):
    """A worker with the gated SMS spool: a send blocks until the test opens the gate."""
    return harness.Worker(
        queue,
        tmp,
        name,
        module="tests.notifications.celery_worker",
        env={
            "ENTEZAM_SMS_BACKEND": "tests.notifications.fakes.GatedSpoolSmsBackend",
            "ENTEZAM_SMS_SPOOL_DIR": str(tmp / "spool"),
            "ENTEZAM_TEST_SMS_GATE_DIR": str(tmp / "gate"),
            "ENTEZAM_NOTIFY_CLAIM_SECONDS": "2",
            "ENTEZAM_TEST_VISIBILITY_TIMEOUT": "3",
        },
    )


def test_a_worker_killed_mid_send_and_restarted_delivers_exactly_once(broker, world, tmp_path):
    (tmp_path / "gate").mkdir()
    manager = world.manager
    manager.mobile = "09121234567"
    manager.save(update_fields=["mobile"])
    preference_set(actor=manager, category="general", channel="email", enabled=False)

    first = start_worker(broker, tmp_path, "worker-1")
    second = None
    try:
        (notification,) = notify(
            recipients=[manager],
            event="announcement",
            title="مهلت تأیید دریافت شیوه‌نامه همکاری امروز به پایان می‌رسد",
            urgent=True,
        )
        delivery = Delivery.objects.get(notification=notification)
        assert delivery.channel == "sms"

        # The provider has the message; the worker blocks before recording it: kill it.
        first.wait_for((tmp_path / "gate" / "blocked").exists, 60, "the send to block")
        first.kill()
        delivery.refresh_from_db()
        assert delivery.status == "sending" and delivery.attempts == 1
        assert [p.name for p in (tmp_path / "spool").glob("*.json")] == [f"{delivery.pk}.json"]

        (tmp_path / "gate" / "open").touch()
        second = start_worker(broker, tmp_path, "worker-2")

        def sent() -> bool:
            delivery.refresh_from_db()
            return delivery.status == "sent"

        second.wait_for(sent, 90, "the redelivered task to finish the delivery")
    finally:
        first.kill()
        if second is not None:
            second.stop()

    assert delivery.attempts == 2 and delivery.provider_id == f"spool-{delivery.pk}"
    # Sent twice to the provider, with one key; the provider kept one message.
    attempts = (tmp_path / "gate" / "attempts.log").read_text().split("\n")
    keys = [line.split()[1] for line in attempts if line]
    assert keys == [str(delivery.pk), str(delivery.pk)]
    assert [p.name for p in (tmp_path / "spool").glob("*.json")] == [f"{delivery.pk}.json"]
    assert Delivery.objects.filter(notification__recipient=manager).count() == 1
