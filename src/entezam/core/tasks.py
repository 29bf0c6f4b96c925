from celery import shared_task


@shared_task(name="entezam.core.tasks.periodic_round", acks_late=True)
def periodic_round() -> dict:
    from .periodic import run_round

    return run_round()


@shared_task(name="entezam.core.tasks.run_job")
def run_job_task(job_id: int) -> None:
    from .jobs import run_job

    run_job(job_id)
