from django.core.management.base import BaseCommand

from entezam.core.progress import ConsoleProgress
from entezam.personnel.reach import reach_rebuild


class Command(BaseCommand):
    help = "Who reaches whom: `rebuild` recomputes the person-reach table from its sources."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["rebuild"])
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, operation, no_progress: bool, **options):
        with ConsoleProgress(self.stderr._out, enabled=not no_progress, label="sources") as bar:
            result = reach_rebuild(progress=bar)
        self.stdout.write(
            f"added {result['added']}\tremoved {result['removed']}\trescoped {result['rescoped']}"
        )
