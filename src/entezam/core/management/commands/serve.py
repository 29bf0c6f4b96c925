from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from entezam.core.jobs import jobs_reap
from entezam.core.periodic import start_ticker


class Command(BaseCommand):
    help = "Serve Entezam (runserver); without Redis, run the periodic round every minute too."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Jobs run in this process's threads: any still marked running died with the
            # previous one. And with no beat without a broker, the periodic round (sealing
            # the audit log, reminders) runs in-process.
            reaped = jobs_reap(started_up=True)
            if reaped:
                self.stdout.write(f"{reaped} interrupted jobs marked failed; they can run again")
            start_ticker()
        call_command("runserver", addrport, use_reloader=False)
