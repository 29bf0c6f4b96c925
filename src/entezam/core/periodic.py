"""The periodic round: every task an app registered with `register_periodic`, when due.

Celery beat runs one round a minute (`entezam.core.tasks.periodic_round`); the embedded
demo (no Redis) runs the same round in a thread of `entezam demo` / `entezam serve`; and
`entezam tick` runs one round by hand. Each task must be idempotent: a round delivered
twice, or run by hand beside beat, must not send a reminder twice.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicRun
from .registry import PERIODIC_TASKS, PeriodicTask

log = logging.getLogger(__name__)


def _due(run: PeriodicRun, task: PeriodicTask, now: datetime.datetime) -> bool:
    if run.last_started_at is None:
        return True
    # A little early is on time: a minute's round must not miss a 60-second task.
    return now - run.last_started_at >= datetime.timedelta(seconds=task.seconds) * 0.9


def run_task(task: PeriodicTask, *, force: bool = False, now=None) -> str | None:
    """Run one task if due (or `force`); returns its result text, or None if not run."""
    now = now or timezone.now()
    PeriodicRun.objects.get_or_create(name=task.name)
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().get(name=task.name)
        if not force and not _due(run, task, now):
            return None
        run.last_started_at = now
        try:
            with transaction.atomic():
                result = import_string(task.function)()
        except Exception as exc:  # one failing task does not stop the round
            log.exception("periodic task %s failed", task.name)
            run.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            result = None
        else:
            run.last_error = ""
        run.last_finished_at = timezone.now()
        run.last_result = "" if result is None else str(result)[:2000]
        run.save()
    return run.last_result


def run_round(*, force: bool = False, now=None) -> dict[str, str | None]:
    """Run the due tasks (all with `force`), in name order; returns their results."""
    return {
        name: run_task(task, force=force, now=now) for name, task in sorted(PERIODIC_TASKS.items())
    }


class Ticker(threading.Thread):
    """The embedded mode's beat: a daemon thread running the round every `interval` s."""

    def __init__(self, interval: float = 60.0):
        super().__init__(name="entezam-ticker", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            started = time.monotonic()
            try:
                run_round()
            except Exception:  # keep ticking: the next round may succeed
                log.exception("periodic round failed")
            finally:
                close_old_connections()
            self.stopped.wait(max(1.0, self.interval - (time.monotonic() - started)))

    def stop(self) -> None:
        self.stopped.set()


def start_ticker(interval: float = 60.0) -> Ticker:
    ticker = Ticker(interval)
    ticker.start()
    return ticker
