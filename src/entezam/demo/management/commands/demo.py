import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from entezam.core.models import AuditSeal
from entezam.demo.users import demo_users
from entezam.institutions.models import Institution


class Command(BaseCommand):
    help = "Set up the embedded demo (migrate, seed, demo users) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true")
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--institutions", type=int, default=850)
        parser.add_argument("--people", type=int, default=8000)
        parser.add_argument("--applicants", type=int, default=600)
        parser.add_argument(
            "--on-this-database",
            action="store_true",
            help="allow the demo (and its users with the published password) on a database "
            "other than the embedded SQLite one",
        )

    def handle(self, *args, no_serve, addrport, institutions, people, applicants, **options):
        engine = connection.vendor
        if engine != "sqlite" and not options["on_this_database"]:
            raise CommandError(
                f"The demo creates users whose password is published; it runs on the embedded "
                f"SQLite database only, and this one is {engine}. Pass --on-this-database "
                f"if this {engine} database is a disposable demo."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Institution.objects.exists():
            self._set_aside_stale_anchor_log()
            self.stdout.write("Seeding demo data (once)…")
            call_command(
                "seed",
                institutions=institutions,
                people=people,
                applicants=applicants,
                demo_users=True,
            )
        rows = demo_users()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Entezam demo: http://{addrport}/"))
        self.stdout.write("Demo users (username / password / role):")
        width = max(len(u) for u, _, _ in rows)
        for username, password, role in rows:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {role}")
        self.stdout.write("")
        if not no_serve:
            call_command("serve", addrport)

    def _set_aside_stale_anchor_log(self) -> None:
        """A new demo database starts a new audit chain: an anchor log left by an earlier
        one (its database deleted) would not match it."""
        path = Path(settings.AUDIT_ANCHOR_FILE)
        if path.exists() and path.stat().st_size and not AuditSeal.objects.exists():
            stale = path.with_name(f"{path.name}.{int(time.time())}.old")
            path.rename(stale)
            self.stdout.write(f"An earlier database's audit anchor log was moved to {stale}.")
