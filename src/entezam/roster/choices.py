"""Import modes and outcomes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class Mode:
    ATOMIC = "atomic"
    PARTIAL = "partial"
    DRY_RUN = "dry_run"

    CHOICES = (
        (ATOMIC, _("All or nothing: write only if every row is valid")),
        (PARTIAL, _("Partial: write the valid rows, report the rejected ones")),
        (DRY_RUN, _("Trial run: check the file and write nothing")),
    )
    VALUES = (ATOMIC, PARTIAL, DRY_RUN)


class ImportOutcome:
    WRITTEN = "written"
    ROLLED_BACK = "rolled_back"
    DRY_RUN = "dry_run"
    FILE_REJECTED = "file_rejected"
