"""A real Celery worker on Redis sends a guideline reminder; it is killed (SIGKILL) while
the reminder's SMS is with the provider but not yet recorded, and restarted. The reminder
task is delivered again as well (a re-delivery, or `entezam tick` beside beat). The manager
has one reminder, one delivery, and the provider (the file spool) one message.

Needs PostgreSQL and Redis, like tests/notifications/test_celery_worker.py (whose worker
harness this reuses); skipped in the SQLite run.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery, current_app

from entezam.guidelines.tasks import send_reminders
from entezam.notifications.models import Delivery, Notification
from entezam.notifications.services import preference_set
from tests.guidelines.conftest import issued
from tests.notifications import test_celery_worker as harness

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REMINDER = "entezam.guidelines.tasks.send_reminders"
PROJECT = harness.PROJECT


@pytest.fixture
def broker(settings, services_present):
    queue = f"entezam-test-guidelines-{uuid.uuid4().hex[:8]}"
    app = Celery("entezam-guidelines-worker-test", set_as_current=False)
    app.conf.update(
        broker_url=harness.REDIS_URL,
        task_always_eager=False,
        task_routes={REMINDER: {"queue": queue}},
    )
    previous = current_app._get_current_object()
    app.set_current()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield queue
    finally:
        previous.set_current()
        app.close()
        import redis

        client = redis.Redis.from_url(harness.REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


services_present = harness.services_present


class Worker(harness.Worker):
    """The notifications harness' worker process, running tests.guidelines.celery_worker."""

    def __init__(self, queue: str, tmp: Path, name: str):
        self.log = tmp / f"{name}.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")]),
            "ENTEZAM_DATABASE_URL": harness._database_url(),
            "ENTEZAM_REDIS_URL": harness.REDIS_URL,
            "ENTEZAM_VAR_DIR": str(tmp / "var"),
            "ENTEZAM_SECRET_KEY": "worker-test",
            "ENTEZAM_SMS_BACKEND": "tests.notifications.fakes.GatedSpoolSmsBackend",
            "ENTEZAM_SMS_SPOOL_DIR": str(tmp / "spool"),
            "ENTEZAM_TEST_SMS_GATE_DIR": str(tmp / "gate"),
            "ENTEZAM_NOTIFY_CLAIM_SECONDS": "2",
            "ENTEZAM_TEST_VISIBILITY_TIMEOUT": "3",
        }
        env.pop("ENTEZAM_TEST_DB_TEMPLATE", None)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.guidelines.celery_worker", queue],
                cwd=PROJECT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for(lambda: b" ready." in self.log.read_bytes(), 60, "the worker to start")


def test_a_reminder_is_delivered_once_across_a_killed_worker(broker, world, hq2, tmp_path):
    (tmp_path / "gate").mkdir()
    manager = world.manager
    manager.mobile = "09121234567"
    manager.save(update_fields=["mobile"])
    preference_set(actor=manager, category="guidelines", channel="email", enabled=False)
    issuance = issued(world, hq2)
    today = (issuance.deadline - datetime.timedelta(days=3)).isoformat()

    first = Worker(broker, tmp_path, "worker-1")
    second = None
    try:
        send_reminders.apply_async(kwargs={"today": today}, queue=broker)
        first.wait_for((tmp_path / "gate" / "blocked").exists, 60, "the reminder SMS to block")
        first.kill()
        reminder = Notification.objects.get(recipient=manager, event="guideline.reminder")
        delivery = Delivery.objects.get(notification=reminder, channel="sms")
        assert delivery.status == "sending"

        (tmp_path / "gate" / "open").touch()
        second = Worker(broker, tmp_path, "worker-2")
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
