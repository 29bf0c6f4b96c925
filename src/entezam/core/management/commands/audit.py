from django.core.management.base import BaseCommand, CommandError

from entezam.core.audit import audit_seal, audit_verify


class Command(BaseCommand):
    help = "Seal pending audit events into the hash chain, or verify the chain."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["verify", "seal"])

    def handle(self, *args, operation, **options):
        if operation == "seal":
            count = audit_seal()
            self.stdout.write(f"sealed {count} events")
            return
        result = audit_verify()
        if not result.ok:
            raise CommandError(result.describe())
        self.stdout.write(result.describe())
