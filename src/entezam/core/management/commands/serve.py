from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from entezam.core.periodic import start_ticker


class Command(BaseCommand):
    help = "Serve Entezam (runserver); without Redis, run the periodic round every minute too."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # No beat without a broker: seal the audit log and send reminders in-process.
            start_ticker()
        call_command("runserver", addrport, use_reloader=False)
