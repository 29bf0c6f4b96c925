"""Who may import into which institution, and their import jobs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from entezam.core.models import Job
from entezam.core.scoping import ScopedQuerySet, access
from entezam.institutions.choices import OPERATING_STATUSES
from entezam.institutions.models import Institution
from entezam.institutions.selectors import clean_registration_number

from .report import read_report_lines

JOB_KIND = "roster_import"
# The permission on an institution to import a roster into it (granted in apps.py).
IMPORT_ACTION = "import_roster"


def importable_institutions(user) -> ScopedQuerySet[Institution]:
    """Institutions `user` may import a roster into: in the scope of a role that imports,
    and operating (active or developing)."""
    return Institution.objects.visible_to(user, IMPORT_ACTION).filter(status__in=OPERATING_STATUSES)


def importable_institution_access(
    *, user, pk=None, registration_number: str | None = None
) -> Institution:
    """One institution `user` may import into, by id or registration number; else 404."""
    if pk is not None:
        lookup = {"pk": pk}
    else:
        lookup = {"registration_number": clean_registration_number(registration_number)}
    return access(importable_institutions(user), user=user, action=IMPORT_ACTION, **lookup)


def roster_jobs(user) -> ScopedQuerySet[Job]:
    return Job.objects.visible_to(user).filter(kind=JOB_KIND)


def roster_job_access(*, user, pk) -> Job:
    return access(roster_jobs(user), user=user, pk=pk)


@contextmanager
def job_report(job: Job) -> Iterator[tuple[dict, Iterator[dict]] | None]:
    """(summary, problems) of the report a finished roster-import job wrote, read lazily
    from its JSON-lines file, or None."""
    if not job.output_file:
        yield None
        return
    with job.output_file.open("rb") as raw:
        yield read_report_lines(io.TextIOWrapper(raw, encoding="utf-8"))
