"""The background-job handler of a roster import."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

from django.core.files import File

from .choices import Mode
from .report import ERROR_PREVIEW
from .selectors import importable_institutions
from .services import roster_import

# --- jobs


def run_import_job(job, progress) -> dict:
    """`core.jobs` handler `roster_import`; params: `institution_id`, `mode`, `file_name`."""
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
    # The report as JSON lines, written from the spool: memory does not grow with it.
    with tempfile.TemporaryFile(mode="w+b") as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", write_through=True)
        report.write_lines(text)
        text.detach()
        spool.seek(0)
        job.output_file.save(f"roster-report-{job.pk}.jsonl", File(spool), save=False)
    report.close()
    type(job).objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    if progress.total is None:
        progress.set_total(report.rows)
    return {
        **report.summary(),
        "institution": institution.registration_number,
        "errors": [error.as_dict() for error in report.errors[:ERROR_PREVIEW]],
    }
