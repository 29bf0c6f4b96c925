import json

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from entezam.accounts.cli import command_actor
from entezam.core.progress import ConsoleProgress
from entezam.institutions.selectors import institution_access
from entezam.vetting.services import applications_screen


class Command(BaseCommand):
    help = "Selection: `screen` screens open applications in bulk against their standards."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["screen"])
        parser.add_argument("--institution", help="registration number of one institution")
        parser.add_argument("--as", dest="username", help="act as this user (default: system)")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, operation, institution, username, json: bool, **options):
        actor = command_actor(username)
        target = None
        if institution:
            try:
                target = institution_access(user=actor, registration_number=institution)
            except Http404:
                raise CommandError(
                    f"no institution with registration number {institution}"
                ) from None
        with ConsoleProgress(self.stderr._out, enabled=not json, label="screen") as bar:
            report = applications_screen(actor=actor, institution=target, progress=bar)
        if json:
            self.stdout.write(_dumps(report.as_dict()))
            return
        totals = report.totals()
        if not totals:
            self.stdout.write("nothing to screen")
            return
        for key in ("screened", "interview", "background_check", "needs_review", "rejected"):
            self.stdout.write(f"{key:<18}{totals.get(key, 0):>10}")
        self.stdout.write(f"{'institutions':<18}{len(report.by_institution):>10}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
