"""Background jobs: a heartbeat while they run, failure with the reason when the worker is
gone, a way to run again, and uploaded files that do not outlive the job."""

import datetime
import os

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from entezam.core import jobs
from entezam.core.models import Job
from entezam.core.periodic import run_round
from entezam.core.registry import JOB_HANDLERS, register_job

pytestmark = pytest.mark.django_db

SEEN: list[dict] = []


def recording_handler(job, progress):
    """A job handler that notes what it saw: its input file and its heartbeat."""
    SEEN.append(
        {
            "input": job.input_file.read() if job.input_file else None,
            "heartbeat": cache.get(f"job-heartbeat:{job.pk}") is not None,
        }
    )
    progress.set_total(1)
    progress.advance(1)
    return {"ok": True}


def failing_handler(job, progress):
    raise RuntimeError("disk full")


@pytest.fixture(autouse=True)
def handlers(settings):
    settings.ENTEZAM_JOBS_INLINE = True
    SEEN.clear()
    saved = dict(JOB_HANDLERS)
    register_job("test_record", "tests.core.test_jobs.recording_handler")
    register_job("test_fail", "tests.core.test_jobs.failing_handler")
    yield
    JOB_HANDLERS.clear()
    JOB_HANDLERS.update(saved)


def _started(world, kind="test_record", **fields) -> Job:
    upload = SimpleUploadedFile("roster.csv", "کد ملی\n0013542419\n".encode())
    with pytest.MonkeyPatch.context() as patch:
        # Keep the job queued: the test runs it (or not) by hand.
        patch.setattr(jobs, "dispatch", lambda job_id: None)
        job = jobs.job_start(actor=world.manager, kind=kind, input_file=upload)
    if fields:
        Job.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def test_a_job_beats_while_it_runs_and_deletes_its_upload_when_it_ends(world):
    job = _started(world)
    assert job.params["input_sha256"] and job.params["input_bytes"] > 0
    path = job.input_file.path
    job = jobs.run_job(job.pk)
    assert job.status == Job.Status.SUCCEEDED and job.result == {"ok": True}
    assert [{"input": "کد ملی\n0013542419\n".encode(), "heartbeat": True}] == SEEN
    assert not job.input_file
    assert not os.path.exists(path)
    assert len(job.params["input_sha256"]) == 64  # what stays of the file


def test_a_failing_job_also_deletes_its_upload(world):
    job = jobs.run_job(_started(world, kind="test_fail").pk)
    assert job.status == Job.Status.FAILED and "disk full" in job.error
    assert not job.input_file


def test_a_job_delivered_twice_runs_once(world):
    job = _started(world)
    jobs.run_job(job.pk)
    jobs.run_job(job.pk)
    assert len(SEEN) == 1


def test_a_running_job_whose_worker_died_is_marked_failed_and_keeps_its_file(world):
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    dead = _started(world, status=Job.Status.RUNNING, started_at=long_ago)
    alive = _started(world, status=Job.Status.RUNNING, started_at=long_ago)
    jobs.beat(alive.pk)
    just_started = _started(world, status=Job.Status.RUNNING, started_at=timezone.now())

    assert run_round(force=True)["jobs-reap"] == "1"

    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.result == {"error_code": "worker_gone"}
    assert "restarted" in dead.error
    assert dead.input_file  # kept, so that it can run again
    alive.refresh_from_db()
    just_started.refresh_from_db()
    assert alive.status == just_started.status == Job.Status.RUNNING


def test_on_start_up_the_embedded_server_fails_what_it_was_running(world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    running = _started(world, status=Job.Status.RUNNING, started_at=timezone.now())
    jobs.beat(running.pk)
    _started(world)  # queued, never started
    assert jobs.jobs_reap(started_up=True) == 2
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.FAILED}


def test_a_failed_job_runs_again_from_its_kept_file(world):
    job = _started(
        world,
        status=Job.Status.FAILED,
        error="worker gone",
        result={"error_code": "worker_gone"},
    )
    with pytest.MonkeyPatch.context() as patch:
        dispatched = []
        patch.setattr(jobs, "dispatch", dispatched.append)
        with transaction.atomic():
            again = jobs.job_rerun(actor=world.manager, job=job)
    assert again.status == Job.Status.QUEUED and again.error == ""
    finished = jobs.run_job(job.pk)
    assert finished.status == Job.Status.SUCCEEDED and len(SEEN) == 1


def test_only_a_failed_job_with_its_file_runs_again_and_only_for_its_owner(world):
    job = _started(world)
    with pytest.raises(ValidationError):
        jobs.job_rerun(actor=world.manager, job=job)
    failed = _started(world, status=Job.Status.FAILED)
    with pytest.raises(PermissionDenied):
        jobs.job_rerun(actor=world.province_officer, job=failed)
