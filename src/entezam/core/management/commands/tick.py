from django.core.management.base import BaseCommand

from entezam.core.periodic import run_round


class Command(BaseCommand):
    help = (
        "Run one periodic round by hand: every registered periodic task "
        "(audit sealing, job reaping, the selection board summary, ...)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--due-only", action="store_true", help="only the tasks whose interval has passed"
        )

    def handle(self, *args, due_only: bool, **options):
        for name, result in run_round(force=not due_only).items():
            if result is None:
                self.stdout.write(f"{name}\tnot due")
            else:
                self.stdout.write(f"{name}\t{result or 'done'}")
