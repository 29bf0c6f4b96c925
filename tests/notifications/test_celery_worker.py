"""A real Celery worker on Redis is killed (SIGKILL) while it sends an SMS, after the
provider has the message but before the delivery is recorded; a restarted worker gets
the redelivered task (`acks_late`), finds the stale claim, sends again with the same
idempotency key, and the provider (the file spool) keeps one message.

Needs PostgreSQL (the worker is another process and must see committed rows) and Redis
(ENTEZAM_TEST_REDIS_URL). Skipped in the SQLite run; in the PostgreSQL run a missing Redis
skips it locally and fails it in CI (ENTEZAM_TEST_POSTGRES=required, set by .ci/run).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.db import connection

from entezam.notifications.models import Delivery
from entezam.notifications.services import notify, preference_set

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ENTEZAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _required() -> bool:
    return os.environ.get("ENTEZAM_TEST_POSTGRES", "").lower() == "required"


def _skip_or_fail(reason: str) -> None:
    if _required():
        pytest.fail(f"{reason} (ENTEZAM_TEST_POSTGRES=required)")
    pytest.skip(reason)


@pytest.fixture
def services_present(db):
    if connection.vendor != "postgresql":
        # The SQLite run; `make test` and CI run the suite on PostgreSQL too, where it runs.
        pytest.skip("the worker test needs PostgreSQL (set ENTEZAM_DATABASE_URL)")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        _skip_or_fail(f"Redis does not answer at {REDIS_URL}")


@pytest.fixture
def broker(settings, services_present):
    """This process sends tasks to Redis (not eagerly) on a queue of this test's own."""
    queue = f"entezam-test-notifications-{uuid.uuid4().hex[:8]}"
    app = Celery("entezam-worker-test", set_as_current=False)
    app.conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        task_routes={"entezam.notifications.tasks.deliver": {"queue": queue}},
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

        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, queue: str, tmp: Path, name: str):
        self.log = tmp / f"{name}.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")]),
            "ENTEZAM_DATABASE_URL": _database_url(),
            "ENTEZAM_REDIS_URL": REDIS_URL,
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
                [sys.executable, "-m", "tests.notifications.celery_worker", queue],
                cwd=PROJECT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the kill takes the pool too
            )
        self.wait_for(lambda: b" ready." in self.log.read_bytes(), 60, "the worker to start")

    def wait_for(self, condition, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; worker log:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def test_a_worker_killed_mid_send_and_restarted_delivers_exactly_once(broker, world, tmp_path):
    (tmp_path / "gate").mkdir()
    manager = world.manager
    manager.mobile = "09121234567"
    manager.save(update_fields=["mobile"])
    preference_set(actor=manager, category="general", channel="email", enabled=False)

    first = Worker(broker, tmp_path, "worker-1")
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
        second = Worker(broker, tmp_path, "worker-2")

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
