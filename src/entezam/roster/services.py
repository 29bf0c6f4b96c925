"""Roster import: an institution's staff list (CSV or XLSX) into people and applications.

The file is read twice, row by row, so memory stays flat however long it is:

1. the *national-code pass* reads only the national codes and spills them, with their row
   numbers, into a temporary SQLite file, which then names the codes that occur in more
   than one row (every one of those rows is rejected, each naming the others);
2. the *row pass* validates every row completely and, chunk by chunk, checks for active
   employment elsewhere (one query), creates and updates people in bulk and opens
   applications. On PostgreSQL a chunk is streamed with COPY into a temporary staging
   table and settled with a few set-based statements (`PostgresChunkWriter`); elsewhere
   through the ORM's bulk operations and `vetting.services.applications_open_bulk`.

Validation is the hot loop: each row is first tried on a fast path (memoised per distinct
cell value, no per-row objects); a row that fails it, or is a duplicate, is validated again
by `validate_row`, which names every problem. Only the fast path's *acceptances* are
trusted, so the errors reported are exactly `validate_row`'s.

The whole row pass is one transaction. In the default atomic mode it is rolled back when
any row is rejected; `partial` keeps the valid rows; `dry_run` always rolls back and reports
what would have happened. Employment starts when an application is approved, never here.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from entezam.core.audit import LinkRecorder, record
from entezam.core.jobs import job_start
from entezam.core.models import Job
from entezam.core.scoping import acting_role
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position
from entezam.vetting.services import active_standard_for

from .choices import ImportOutcome, Mode
from .errors import RosterFileError
from .reading import RosterSource
from .report import ERROR_PREVIEW, ErrorSpool, ImportReport
from .selectors import IMPORT_ACTION, JOB_KIND, importable_institutions
from .validation import NationalCodeIndex, ParsedRow, row_validator
from .writers import CHUNK_SIZE, OrmChunkWriter, PostgresChunkWriter

if TYPE_CHECKING:
    from django.core.files import File

    from entezam.accounts.models import User

# --- import

ProgressCallback = Callable[[str, int, int | None], None]


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


class _RollBack(Exception):
    """Raised inside the import transaction to undo it."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def roster_import(
    *,
    actor: User,
    institution: Institution,
    path: Path | str,
    file_name: str = "",
    mode: str = Mode.ATOMIC,
    progress: ProgressCallback = _no_progress,
    chunk_size: int = CHUNK_SIZE,
) -> ImportReport:
    """Import one roster file into `institution` as `actor`; see the module docstring.

    Raises PermissionError when `actor` may not import into `institution`. Problems with
    the file or its rows never raise: they are in the report.
    """
    if mode not in Mode.VALUES:
        raise ValueError(f"unknown mode {mode!r}")
    if not importable_institutions(actor).filter(pk=institution.pk).exists():
        raise PermissionError("this user may not import a roster into this institution")
    path = Path(path)
    report = ImportReport(file_name=file_name or path.name, mode=mode)
    report.sha256 = file_sha256(path)
    try:
        source = RosterSource.open(path, report.file_name)
        report.headers = source.headers
        with tempfile.TemporaryDirectory(prefix="entezam-roster-") as directory:
            index = NationalCodeIndex(directory)
            try:
                counter = _Counter("read", progress)
                index.add_all(source.national_codes(directory), counter.tick)
                counter.finish()
                duplicates = index.duplicates()
            finally:
                index.close()
            report.rows = index.rows
            _row_pass(actor, institution, source, mode, duplicates, report, progress, chunk_size)
    except RosterFileError as exc:
        report.headers = exc.headers or report.headers
        report.created = report.updated = report.unchanged = 0
        if exc.error.code == "too_many_rejected":
            # The rows found so far stay in the report, after the reason it stopped.
            report.errors.insert(0, exc.error)
            report.errors[ERROR_PREVIEW:] = []
        else:
            report.rows = report.rejected = 0
            report.errors = [exc.error]
            report.spool.close()
            report.spool = ErrorSpool()
        report.spool.write(exc.error)
        report.outcome = ImportOutcome.FILE_REJECTED
    return report


class _Counter:
    """Reports progress for a phase whose total is not known yet, every 1,000 rows."""

    def __init__(self, phase: str, progress: ProgressCallback):
        self.phase, self.progress, self.done = phase, progress, 0

    def tick(self) -> None:
        self.done += 1
        if self.done % 1000 == 0:
            self.progress(self.phase, self.done, None)

    def finish(self) -> None:
        self.progress(self.phase, self.done, self.done)


def _row_pass(
    actor: User,
    institution: Institution,
    source: RosterSource,
    mode: str,
    duplicates: dict[str, list[int]],
    report: ImportReport,
    progress: ProgressCallback,
    chunk_size: int,
) -> None:

    standards = {position: active_standard_for(position) for position in Position}
    validate = row_validator(
        timezone.localdate(),
        duplicates,
        {position: standard is not None for position, standard in standards.items()},
    )
    standard_ids = {
        str(position): standard.pk for position, standard in standards.items() if standard
    }
    writer_class = PostgresChunkWriter if connection.vendor == "postgresql" else OrmChunkWriter
    try:
        with transaction.atomic():
            links = LinkRecorder()
            writer = writer_class(actor, institution, mode, report, standard_ids, links)
            accepted: list[tuple] = []
            rejected: list[ParsedRow] = []
            done = 0
            progress("import", 0, report.rows)
            for row, cells in source.rows():
                result = validate(row, cells)
                if isinstance(result, ParsedRow):
                    rejected.append(result)
                else:
                    accepted.append(result)
                if len(accepted) + len(rejected) >= chunk_size:
                    done += len(accepted) + len(rejected)
                    writer.write(accepted, rejected)
                    accepted, rejected = [], []
                    progress("import", done, report.rows)
            if accepted or rejected:
                done += len(accepted) + len(rejected)
                writer.write(accepted, rejected)
            writer.close()
            progress("import", done, report.rows)
            if mode == Mode.DRY_RUN:
                report.outcome = ImportOutcome.DRY_RUN
                raise _RollBack
            if mode == Mode.ATOMIC and report.rejected:
                report.outcome = ImportOutcome.ROLLED_BACK
                raise _RollBack
            report.outcome = ImportOutcome.WRITTEN
            event = record(
                actor=actor,
                action="roster.import",
                obj=institution,
                role=acting_role(actor, IMPORT_ACTION, institution),
                changes={
                    "file_name": report.file_name,
                    "sha256": report.sha256,
                    "mode": mode,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": report.rejected,
                    # The people it created or linked: each sees this import in their history.
                    "people": links.summary(),
                },
            )
            links.attach(event)
    except _RollBack:
        pass
    if report.outcome == ImportOutcome.ROLLED_BACK:
        report.created = report.updated = report.unchanged = 0


def roster_import_start(*, actor: User, institution: Institution, upload: File, mode: str) -> Job:
    """Start an import of an uploaded roster as a background job (`roster_import`)."""
    if mode not in Mode.VALUES:
        raise ValueError(f"unknown mode {mode!r}")
    if not importable_institutions(actor).filter(pk=institution.pk).exists():
        raise PermissionError("this user may not import a roster into this institution")
    return job_start(
        actor=actor,
        kind=JOB_KIND,
        params={
            "institution_id": institution.pk,
            "institution": institution.registration_number,
            "institution_name": institution.name,
            "mode": mode,
            "file_name": Path(upload.name or "").name[:200],
        },
        input_file=upload,
    )
