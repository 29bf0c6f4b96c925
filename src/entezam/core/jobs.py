"""Background jobs with visible progress, a heartbeat, and recovery when the worker dies.

A job runs on a Celery worker when Redis is configured, and in a background thread in
the embedded mode (so a web upload still returns at once and its progress bar moves).
Progress and the heartbeat go through the cache, not the database: an atomic import holds
its writes in one transaction, which other connections cannot see until it commits.

While a job runs, a thread of its worker touches the heartbeat every few seconds. The
periodic round (and `entezam serve` on start-up, in the embedded mode) marks a running job
whose heartbeat has stopped as failed, with the reason; its work was one transaction, so
nothing of it was written. Its uploaded file is kept so it can be run again; a job that
ends (well or not) deletes its uploaded file and keeps only the file's SHA-256.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import Job
from .registry import JOB_HANDLERS as HANDLERS

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
# A running job whose heartbeat is older than this has lost its worker.
STALE_SECONDS = 60
# Embedded mode: a job still queued after this never got its thread (the server stopped).
STALE_QUEUED_SECONDS = 600

WORKER_GONE = _(
    "The work stopped: the server running it was restarted or the process was stopped. "
    "Nothing of it was written; run it again."
)


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def _heartbeat_key(job_id: int) -> str:
    return f"job-heartbeat:{job_id}"


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


def job_percent(job: Job, done: int, total: int | None) -> int:
    """The bar's width: 100 only once the job has succeeded, never before."""
    if job.status == Job.Status.SUCCEEDED:
        return 100
    if total:
        return min(99, int(100 * done / total))
    return 0


def beat(job_id: int) -> None:
    cache.set(_heartbeat_key(job_id), time.time(), timeout=24 * 3600)


class _Heartbeat(threading.Thread):
    def __init__(self, job_id: int):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            beat(self.job_id)


def _file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def job_start(
    *, actor: AbstractBaseUser, kind: str, params: dict | None = None, input_file=None
) -> Job:
    """Create a job and run it after the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    params = dict(params or {})
    if input_file is not None:
        params["input_sha256"] = _file_sha256(input_file)
        params["input_bytes"] = input_file.size
    job = Job.objects.create(kind=kind, created_by_id=actor.pk, params=params)
    if input_file is not None:
        job.input_file.save(input_file.name, input_file, save=True)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


@transaction.atomic
def job_rerun(*, actor, job: Job) -> Job:
    """Run a failed job again, from its kept input (its owner, or whoever sees every job)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if not Job.objects.visible_to(actor).filter(pk=job.pk).exists():
        raise PermissionDenied
    if job.status != Job.Status.FAILED or (job.params.get("input_sha256") and not job.input_file):
        raise ValidationError(
            _("Only a failed job whose file is still kept can run again."), code="not_rerunnable"
        )
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.QUEUED,
        started_at=None,
        finished_at=None,
        done=0,
        total=None,
        error="",
        result={},
    )
    cache.delete(_progress_key(job.pk))
    transaction.on_commit(lambda: dispatch(job.pk))
    job.refresh_from_db()
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
    # Only one worker takes a queued job, even when a task is delivered twice.
    taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not taken:
        return job
    beat(job.pk)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    progress = Progress(job)
    handler: Callable = import_string(HANDLERS[job.kind])
    try:
        result = handler(job, progress)
    except Exception as exc:  # the job records any failure for its owner
        log.exception("job %s failed", job.pk)
        outcome: dict[str, object] = {"status": Job.Status.FAILED, "error": str(exc)[:2000]}
        total = progress.total
    else:
        outcome = {"status": Job.Status.SUCCEEDED, "result": result or {}}
        total = progress.total if progress.total is not None else progress.done
    finally:
        heartbeat.stopped.set()
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now(), done=progress.done, total=total, **outcome
    )
    _delete_input(job)
    cache.delete(_progress_key(job.pk))
    cache.delete(_heartbeat_key(job.pk))
    job.refresh_from_db()
    return job


def _delete_input(job: Job) -> None:
    """The uploaded file (national codes, names) goes once the job has ended; its hash stays."""
    if job.input_file:
        name = job.input_file.name
        job.input_file.storage.delete(name)
        Job.objects.filter(pk=job.pk).update(input_file="")


def jobs_reap(*, now: datetime.datetime | None = None, started_up: bool = False) -> int:
    """Mark jobs whose worker is gone as failed, with the reason; returns how many.

    `started_up`: the embedded server has just started, so no job of this process runs.
    """
    now = now or timezone.now()
    embedded = settings.CELERY_TASK_ALWAYS_EAGER
    reaped = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING):
        last = cache.get(_heartbeat_key(job.pk))
        started = job.started_at or job.created_at
        alive = last is not None and time.time() - last < STALE_SECONDS
        if (started_up and embedded) or (
            not alive and now - started > datetime.timedelta(seconds=STALE_SECONDS)
        ):
            reaped += _fail(job, now)
    if embedded:
        queued = Job.objects.filter(status=Job.Status.QUEUED)
        if not started_up:
            queued = queued.filter(
                created_at__lt=now - datetime.timedelta(seconds=STALE_QUEUED_SECONDS)
            )
        for job in queued:
            reaped += _fail(job, now)
    return reaped


def _fail(job: Job, now) -> int:
    with translation.override("en"):
        error = str(WORKER_GONE)
    return Job.objects.filter(pk=job.pk, status=job.status).update(
        status=Job.Status.FAILED,
        finished_at=now,
        error=error,
        result={"error_code": "worker_gone"},
    )


def reap_jobs_task() -> str:
    """Periodic task `jobs-reap`."""
    return str(jobs_reap())
