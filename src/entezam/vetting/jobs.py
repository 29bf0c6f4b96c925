"""Background job handlers for selection (thin wrappers around services)."""

from entezam.institutions.models import Institution

from . import board, services


def run_screen_job(job, progress) -> dict:
    """`vetting_screen`: screen the open applications the job's owner may screen."""
    institution_id = (job.params or {}).get("institution")
    institution = Institution.objects.get(pk=institution_id) if institution_id else None
    report = services.applications_screen(
        actor=job.created_by, institution=institution, progress=progress
    )
    # The board shows what the screening just moved without waiting for its next round.
    board.refresh_stage_summary()
    return report.as_dict()
