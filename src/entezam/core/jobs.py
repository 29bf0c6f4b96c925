"""Background jobs with visible progress.

A job runs on a Celery worker when Redis is configured, and in a background thread in
the embedded mode (so a web upload still returns at once and its progress bar moves).
Progress goes through the cache, not the database: an atomic import holds its writes in
one transaction, which other connections cannot see until it commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Job
from .registry import JOB_HANDLERS as HANDLERS

log = logging.getLogger(__name__)


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


class Progress:
    """Reports progress of one job; cheap enough to call for every row."""

    def __init__(self, job: Job, every: int = 500):
        self.job_id = job.pk
        self.every = every
        self.done = 0
        self.total: int | None = None

    def set_total(self, total: int | None) -> None:
        self.total = total
        self._publish()

    def advance(self, count: int = 1) -> None:
        before = self.done // self.every
        self.done += count
        if self.done // self.every != before:
            self._publish()

    def _publish(self) -> None:
        cache.set(_progress_key(self.job_id), (self.done, self.total), timeout=24 * 3600)


def live_progress(job: Job) -> tuple[int, int | None]:
    if job.is_finished:
        return job.done, job.total
    return cache.get(_progress_key(job.pk)) or (job.done, job.total)


def job_start(
    *, actor: AbstractBaseUser, kind: str, params: dict | None = None, input_file=None
) -> Job:
    """Create a job and run it after the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, created_by_id=actor.pk, params=params or {})
    if input_file is not None:
        job.input_file.save(input_file.name, input_file, save=True)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def dispatch(job_id: int) -> None:
    if getattr(settings, "ENTEZAM_JOBS_INLINE", False):
        run_job(job_id)
    elif settings.CELERY_TASK_ALWAYS_EAGER:
        threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start()
    else:
        from .tasks import run_job_task

        run_job_task.delay(job_id)


def _run_in_thread(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        close_old_connections()


def run_job(job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    progress = Progress(job)
    handler: Callable = import_string(HANDLERS[job.kind])
    try:
        result = handler(job, progress)
    except Exception as exc:  # the job records any failure for its owner
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            done=progress.done,
            total=progress.total,
            error=str(exc)[:2000],
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED,
            finished_at=timezone.now(),
            done=progress.done,
            total=progress.total if progress.total is not None else progress.done,
            result=result or {},
        )
    cache.delete(_progress_key(job.pk))
    job.refresh_from_db()
    return job
