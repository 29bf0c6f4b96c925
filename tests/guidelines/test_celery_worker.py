"""A real Celery worker on Redis sends a guideline reminder; it is killed (SIGKILL) while
the reminder's SMS is with the provider but not yet recorded, and restarted. The reminder
task is delivered again as well (a re-delivery, or `entezam tick` beside beat). The manager
has one reminder, one delivery, and the provider (the file spool) one message.

Needs PostgreSQL and Redis (tests/worker_harness.py); skipped in the SQLite run.
"""

from __future__ import annotations

import datetime

import pytest

from entezam.guidelines.tasks import send_reminders
from entezam.notifications.models import Delivery, Notification
from entezam.notifications.services import preference_set
from tests import worker_harness as harness
from tests.guidelines.conftest import issued

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REMINDER = "entezam.guidelines.tasks.send_reminders"


@pytest.fixture
def broker(settings, db):
    harness.require_services()
    with harness.broker_queue(settings, REMINDER, "guidelines") as queue:
        yield queue


def start_worker(queue, tmp, name):
    """A worker running tests.guidelines.celery_worker, with the gated SMS spool."""
    return harness.Worker(
        queue,
        tmp,
        name,
        module="tests.guidelines.celery_worker",
        env={
            "ENTEZAM_SMS_BACKEND": "tests.notifications.fakes.GatedSpoolSmsBackend",
            "ENTEZAM_SMS_SPOOL_DIR": str(tmp / "spool"),
            "ENTEZAM_TEST_SMS_GATE_DIR": str(tmp / "gate"),
            "ENTEZAM_NOTIFY_CLAIM_SECONDS": "2",
            "ENTEZAM_TEST_VISIBILITY_TIMEOUT": "3",
        },
    )


def test_a_reminder_is_delivered_once_across_a_killed_worker(broker, world, hq2, tmp_path):
    (tmp_path / "gate").mkdir()
    manager = world.manager
    manager.mobile = "09121234567"
    manager.save(update_fields=["mobile"])
    preference_set(actor=manager, category="guidelines", channel="email", enabled=False)
    issuance = issued(world, hq2)
    today = (issuance.deadline - datetime.timedelta(days=3)).isoformat()

    first = start_worker(broker, tmp_path, "worker-1")
    second = None
    try:
        send_reminders.apply_async(kwargs={"today": today}, queue=broker)
        first.wait_for((tmp_path / "gate" / "blocked").exists, 60, "the reminder SMS to block")
        first.kill()
        reminder = Notification.objects.get(recipient=manager, event="guideline.reminder")
        delivery = Delivery.objects.get(notification=reminder, channel="sms")
        assert delivery.status == "sending"

        (tmp_path / "gate" / "open").touch()
        second = start_worker(broker, tmp_path, "worker-2")
        send_reminders.apply_async(kwargs={"today": today}, queue=broker)

        def done() -> bool:
            delivery.refresh_from_db()
            return (
                delivery.status == "sent"
                and f"{REMINDER}[" in second.output()
                and ("succeeded" in second.output().split(f"{REMINDER}[", 1)[-1])
            )

        second.wait_for(done, 90, "the delivery and the second reminder round")
    finally:
        first.kill()
        if second is not None:
            second.stop()

    assert Notification.objects.filter(recipient=manager, event="guideline.reminder").count() == 1
    assert Delivery.objects.filter(notification__recipient=manager, channel="sms").count() == 1
    assert delivery.attempts == 2 and delivery.provider_id == f"spool-{delivery.pk}"
    assert [p.name for p in (tmp_path / "spool").glob("*.json")] == [f"{delivery.pk}.json"]
