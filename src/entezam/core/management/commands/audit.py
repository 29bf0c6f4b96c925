from django.core.management.base import BaseCommand, CommandError

from entezam.core.audit import audit_seal, audit_verify
from entezam.core.audit_keys import rotate_key


class Command(BaseCommand):
    help = "Seal pending audit events into the chain, verify the chain, or rotate the audit key."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["verify", "seal", "rotate-key"])

    def handle(self, *args, operation, **options):
        if operation == "rotate-key":
            self.stdout.write(f"new audit key {rotate_key()} signs from now on")
            return
        if operation == "seal":
            count = audit_seal()
            self.stdout.write(f"sealed {count} events")
            return
        result = audit_verify()
        if not result.ok:
            raise CommandError(result.describe())
        self.stdout.write(result.describe())
        if options["verbosity"] >= 2:
            self.stdout.write(f"ids never written (rolled back before sealing): {result.absent}")
