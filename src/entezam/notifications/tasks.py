"""Celery tasks: thin wrappers around the services.

`acks_late`: the message is acknowledged only once the task has finished, so a worker
killed mid-send leaves it to be delivered again; `reject_on_worker_lost` does the same
when only the pool process dies. The service makes the second run harmless.
"""

from celery import shared_task


@shared_task(
    name="entezam.notifications.tasks.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def deliver(delivery_id: int) -> str:
    from .services import delivery_send

    return delivery_send(delivery_id=delivery_id)
