import json

from django.core.management.base import BaseCommand, CommandError

from entezam.accounts.models import User
from entezam.accounts.seed import system_actor
from entezam.institutions.models import Institution
from entezam.vetting.services import applications_screen


class _Bar:
    """A progress bar on stderr for `Progress`-like reporting."""

    def __init__(self, stream, enabled: bool):
        self.stream, self.enabled, self.total, self.done = stream, enabled, None, 0

    def set_total(self, total):
        self.total = total
        self._draw()

    def advance(self, count=1):
        self.done += count
        self._draw()

    def _draw(self):
        if not self.enabled or not self.total:
            return
        width = 30
        filled = int(width * self.done / self.total)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}", ending=""
        )
        if self.done >= self.total:
            self.stream.write("")


class Command(BaseCommand):
    help = "Selection: `screen` screens open applications in bulk against their standards."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["screen"])
        parser.add_argument("--institution", help="registration number of one institution")
        parser.add_argument("--as", dest="username", help="act as this user (default: system)")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, operation, institution, username, json: bool, **options):
        actor = _actor(username)
        target = None
        if institution:
            target = (
                Institution.objects.visible_to(actor)
                .filter(registration_number=institution.strip())
                .first()
            )
            if target is None:
                raise CommandError(f"no institution with registration number {institution}")
        bar = _Bar(self.stderr, enabled=not json)
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


def _actor(username):
    if not username:
        return system_actor()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username}")
    return user


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
