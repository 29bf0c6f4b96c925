"""Celery tasks: thin wrappers around the services.

`acks_late` and `reject_on_worker_lost`: a worker killed mid-task leaves the message to be
delivered again; the reminder keys make the second run send nothing new.
"""

import datetime

from celery import shared_task


@shared_task(
    name="entezam.guidelines.tasks.send_reminders",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_reminders(today: str | None = None) -> str:
    """One round of reminders and overdue escalation (`today`: an ISO date, for replays)."""
    from .services import reminders_round

    return reminders_round(today=datetime.date.fromisoformat(today) if today else None)
