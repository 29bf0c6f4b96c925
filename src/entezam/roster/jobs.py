"""The background-job handler of a roster import."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .choices import Mode
from .report import ERROR_PREVIEW
from .selectors import importable_institutions
from .services import roster_import

# --- jobs


def run_import_job(job, progress) -> dict:
    """`core.jobs` handler `roster_import`; params: `institution_id`, `mode`, `file_name`."""
    from django.core.files.base import ContentFile

    params = job.params
    actor = job.created_by
    institution = importable_institutions(actor).get(pk=params["institution_id"])

    def report_progress(phase: str, done: int, total: int | None) -> None:
        if phase != "import":
            return
        if progress.total != total:
            progress.set_total(total)
        progress.advance(done - progress.done)

    with tempfile.TemporaryDirectory(prefix="entezam-roster-job-") as directory:
        local = Path(directory) / "roster"
        with job.input_file.open("rb") as uploaded, open(local, "wb") as target:
            shutil.copyfileobj(uploaded, target, 1024 * 1024)
        report = roster_import(
            actor=actor,
            institution=institution,
            path=local,
            file_name=params.get("file_name") or os.path.basename(job.input_file.name),
            mode=params.get("mode", Mode.ATOMIC),
            progress=report_progress,
        )
    content = json.dumps(report.as_dict(), ensure_ascii=False, indent=1).encode()
    job.output_file.save(f"roster-report-{job.pk}.json", ContentFile(content), save=False)
    type(job).objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    if progress.total is None:
        progress.set_total(report.rows)
    return {
        **report.summary(),
        "institution": institution.registration_number,
        "errors": [error.as_dict() for error in report.errors[:ERROR_PREVIEW]],
    }
