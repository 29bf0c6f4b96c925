"""A large export runs on a real Celery worker (another process, on Redis): the worker
re-resolves the manager's list and scope from the job's address and query string, and the
manager downloads a file holding only their institution's staff.

Needs PostgreSQL and Redis (tests/worker_harness.py); skipped in the SQLite run.
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from python_calamine import CalamineWorkbook

from entezam.core.models import AuditEvent, Job
from tests import worker_harness as harness
from tests.personnel.factories import EmploymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUN_JOB = "entezam.core.tasks.run_job"


@pytest.fixture
def broker(settings, db):
    harness.require_services()
    settings.ENTEZAM_JOBS_INLINE = False
    with harness.broker_queue(settings, RUN_JOB, "exports") as queue:
        yield queue


def start_worker(queue, tmp, name):
    """A worker running tests.core.celery_worker, with this run's audit keys and media."""
    return harness.Worker(
        queue,
        tmp,
        name,
        module="tests.core.celery_worker",
        env={
            "ENTEZAM_MEDIA_ROOT": str(tmp / "media"),
            "ENTEZAM_AUDIT_KEY_FILE": str(django_settings.AUDIT_KEY_FILE),
            "ENTEZAM_AUDIT_ANCHOR_FILE": str(django_settings.AUDIT_ANCHOR_FILE),
        },
    )


def test_a_real_worker_writes_the_managers_scoped_export(broker, world, tmp_path, settings, client):
    settings.EXPORT_INLINE_LIMIT = 1
    settings.MEDIA_ROOT = tmp_path / "media"
    home = [EmploymentFactory(institution=world.inst_a).person for _ in range(3)]
    for _ in range(2):
        EmploymentFactory(institution=world.inst_b)
    worker = start_worker(broker, tmp_path, "worker")
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
