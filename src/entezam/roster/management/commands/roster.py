"""`entezam roster import FILE --institution REG [--partial] [--dry-run] [--report PATH]`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from entezam.accounts.cli import command_actor
from entezam.core.progress import ConsoleProgress
from entezam.roster.choices import ImportOutcome, Mode
from entezam.roster.report import ERROR_PREVIEW
from entezam.roster.selectors import importable_institution_access
from entezam.roster.services import roster_import

EXIT_REJECTED = 1
EXIT_FILE_REJECTED = 2

OUTCOME_TEXT = {
    ImportOutcome.WRITTEN: "written",
    ImportOutcome.ROLLED_BACK: "nothing written: the import is all-or-nothing and rows were "
    "rejected (use --partial to write the valid rows)",
    ImportOutcome.DRY_RUN: "dry run: nothing written",
    ImportOutcome.FILE_REJECTED: "the file was rejected: nothing written",
}


class Command(BaseCommand):
    help = "Import an institution's roster (CSV or XLSX): people and their applications."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser("import", help="import a roster file")
        run.add_argument("file", type=Path, help="CSV (UTF-8 or Windows-1256) or XLSX file")
        run.add_argument(
            "--institution",
            required=True,
            metavar="REGISTRATION_NUMBER",
            help="registration number of the institution the roster belongs to",
        )
        run.add_argument(
            "--partial", action="store_true", help="write the valid rows even if some are rejected"
        )
        run.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
        run.add_argument("--report", type=Path, metavar="PATH", help="write the JSON report here")
        run.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="act as this user (default: the system account)",
        )
        run.add_argument(
            "--json", action="store_true", help="print the JSON report on standard output"
        )
        run.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args, action, **options):
        if hasattr(sys.stdout, "reconfigure") and options.get("stdout") is None:
            sys.stdout.reconfigure(encoding="utf-8")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = command_actor(options["username"])
        try:
            institution = importable_institution_access(
                user=actor, registration_number=options["institution"]
            )
        except Http404:
            raise CommandError(
                f"no active or developing institution {options['institution']!r} that "
                f"{actor.get_username()} may import into"
            ) from None
        if options["dry_run"]:
            mode = Mode.DRY_RUN
        else:
            mode = Mode.PARTIAL if options["partial"] else Mode.ATOMIC
        with ConsoleProgress(self.stderr._out, enabled=not options["no_progress"]) as progress:
            report = roster_import(
                actor=actor,
                institution=institution,
                path=path,
                file_name=path.name,
                mode=mode,
                progress=progress,
            )
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8") as stream:
                report.write_json(stream)
        if options["json"]:
            report.write_json(self.stdout._out)
            self.stdout._out.flush()
        else:
            self._summary(report, institution)
        report.close()
        # A trial run of a partial import succeeds when the valid rows could be written.
        tolerated = options["partial"] and report.outcome == ImportOutcome.DRY_RUN
        if report.failed and not tolerated:
            code = (
                EXIT_FILE_REJECTED
                if report.outcome == ImportOutcome.FILE_REJECTED
                else EXIT_REJECTED
            )
            raise CommandError(OUTCOME_TEXT[report.outcome], returncode=code)

    def _summary(self, report, institution) -> None:
        write = self.stdout.write
        write(f"{report.file_name} → {institution.name} ({institution.registration_number})")
        write(
            f"rows {report.rows}  created {report.created}  updated {report.updated}  "
            f"unchanged {report.unchanged}  rejected {report.rejected}"
        )
        write(OUTCOME_TEXT[report.outcome])
        for error in report.errors[:ERROR_PREVIEW]:
            write(f"row {error.row}\t{error.column or '-'}\t{error.code}\t{error.message_en}")
        hidden = report.error_count - ERROR_PREVIEW
        if hidden > 0:
            write(f"… and {hidden} more problems: see --report")
