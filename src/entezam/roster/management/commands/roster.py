"""`entezam roster import FILE --institution REG [--partial] [--dry-run] [--report PATH]`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from entezam.core.persian import to_ascii_digits
from entezam.roster.choices import ImportOutcome, Mode
from entezam.roster.report import ERROR_PREVIEW
from entezam.roster.selectors import importable_institutions
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


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        # A phase reports first when its first 1,000 rows are done: it began when the
        # previous phase ended (or when the import began).
        self.phase_started = self.previous_phase_ended = self.started
        self.phase = ""
        self.last_draw = 0.0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase != self.phase:
            self.phase, self.phase_started = phase, self.previous_phase_ended
        final = total is not None and done >= total
        if final:
            self.previous_phase_ended = now
        if not final and now - self.last_draw < 0.1:
            return
        self.last_draw = now
        elapsed = now - self.phase_started
        speed = f"  {done / elapsed:,.0f} rows/s" if elapsed >= 0.05 and done else ""
        if total:
            filled = int(self.WIDTH * min(done, total) / total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"{phase:<7}[{bar}] {done:,}/{total:,} rows{speed}"
        else:
            line = f"{phase:<7}{done:,} rows{speed}"
        self.stream.write("\r" + line.ljust(78))
        if final:
            self.stream.write("\n")
        self.stream.flush()


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
        actor = self._actor(options["username"])
        registration_number = to_ascii_digits(options["institution"]).strip()
        institution = (
            importable_institutions(actor).filter(registration_number=registration_number).first()
        )
        if institution is None:
            raise CommandError(
                f"no active or developing institution {registration_number!r} that "
                f"{actor.get_username()} may import into"
            )
        if options["dry_run"]:
            mode = Mode.DRY_RUN
        else:
            mode = Mode.PARTIAL if options["partial"] else Mode.ATOMIC
        progress = None if options["no_progress"] else ProgressBar(self.stderr._out)
        report = roster_import(
            actor=actor,
            institution=institution,
            path=path,
            file_name=path.name,
            mode=mode,
            progress=progress or (lambda phase, done, total: None),
        )
        data = report.as_dict()
        if options["report"]:
            options["report"].write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self._summary(report, institution)
        # A trial run of a partial import succeeds when the valid rows could be written.
        tolerated = options["partial"] and report.outcome == ImportOutcome.DRY_RUN
        if report.failed and not tolerated:
            code = (
                EXIT_FILE_REJECTED
                if report.outcome == ImportOutcome.FILE_REJECTED
                else EXIT_REJECTED
            )
            raise CommandError(OUTCOME_TEXT[report.outcome], returncode=code)

    def _actor(self, username: str | None):
        from entezam.accounts.models import User
        from entezam.accounts.seed import system_actor

        if not username:
            return system_actor()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

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
        hidden = len(report.errors) - ERROR_PREVIEW
        if hidden > 0:
            write(f"… and {hidden} more problems: see --report")
