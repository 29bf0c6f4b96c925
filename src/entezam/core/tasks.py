from celery import shared_task

from . import audit


@shared_task(name="entezam.core.tasks.audit_seal")
def audit_seal() -> int:
    return audit.audit_seal()
