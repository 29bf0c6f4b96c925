"""A large export runs on a real Celery worker (another process, on Redis): the worker
re-resolves the manager's list and scope from the job's address and query string, and the
manager downloads a file holding only their institution's staff.

Needs PostgreSQL and Redis, like tests/notifications/test_celery_worker.py (whose worker
harness this reuses); skipped in the SQLite run.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.conf import settings as django_settings
from python_calamine import CalamineWorkbook

from entezam.core.models import AuditEvent, Job
from tests.notifications import test_celery_worker as harness
from tests.personnel.factories import EmploymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUN_JOB = "entezam.core.tasks.run_job"
services_present = harness.services_present


@pytest.fixture
def broker(settings, services_present):
    queue = f"entezam-test-exports-{uuid.uuid4().hex[:8]}"
    app = Celery("entezam-export-worker-test", set_as_current=False)
    app.conf.update(
        broker_url=harness.REDIS_URL,
        task_always_eager=False,
        task_routes={RUN_JOB: {"queue": queue}},
    )
    previous = current_app._get_current_object()
    app.set_current()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.ENTEZAM_JOBS_INLINE = False
    try:
        yield queue
    finally:
        previous.set_current()
        app.close()
        import redis

        client = redis.Redis.from_url(harness.REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


class Worker(harness.Worker):
    def __init__(self, queue: str, tmp: Path, name: str):
        self.log = tmp / f"{name}.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(harness.PROJECT), os.environ.get("PYTHONPATH", "")]),
            "ENTEZAM_DATABASE_URL": harness._database_url(),
            "ENTEZAM_REDIS_URL": harness.REDIS_URL,
            "ENTEZAM_VAR_DIR": str(tmp / "var"),
            "ENTEZAM_MEDIA_ROOT": str(tmp / "media"),
            "ENTEZAM_AUDIT_KEY_FILE": str(django_settings.AUDIT_KEY_FILE),
            "ENTEZAM_AUDIT_ANCHOR_FILE": str(django_settings.AUDIT_ANCHOR_FILE),
            "ENTEZAM_SECRET_KEY": "worker-test",
        }
        env.pop("ENTEZAM_TEST_DB_TEMPLATE", None)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.core.celery_worker", queue],
                cwd=harness.PROJECT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for(lambda: b" ready." in self.log.read_bytes(), 60, "the worker to start")


def test_a_real_worker_writes_the_managers_scoped_export(broker, world, tmp_path, settings, client):
    settings.EXPORT_INLINE_LIMIT = 1
    settings.MEDIA_ROOT = tmp_path / "media"
    home = [EmploymentFactory(institution=world.inst_a).person for _ in range(3)]
    for _ in range(2):
        EmploymentFactory(institution=world.inst_b)
    worker = Worker(broker, tmp_path, "worker")
    try:
        client.force_login(world.manager)
        response = client.get("/people/", {"export": "xlsx"})
        assert response.status_code == 302
        job = Job.objects.get(kind="list_export")

        def finished() -> bool:
            job.refresh_from_db()
            return job.is_finished

        worker.wait_for(finished, 90, "the export job")
    finally:
        worker.stop()
    assert job.status == Job.Status.SUCCEEDED, (job.error, worker.output())
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sorted(row[0] for row in rows[1:]) == sorted(p.last_name for p in home)
    event = AuditEvent.objects.get(action="list.export")
    assert event.actor_id == world.manager.pk and event.changes["rows"] == 3
