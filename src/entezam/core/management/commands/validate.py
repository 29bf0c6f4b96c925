from django.core.management.base import BaseCommand, CommandError

from entezam.core.management.commands.normalize import read_stdin_lines, use_utf8_stdout
from entezam.core.persian.validators import CHECKS

KINDS = {kind.replace("_", "-"): check for kind, check in CHECKS.items()}


class Command(BaseCommand):
    help = (
        "Validate Iranian identifiers given as arguments, or one per line on standard input. "
        "Prints 'valid<TAB>canonical' or 'invalid<TAB>reason' per value; "
        "exits with status 1 when any value is invalid."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("values", nargs="*", help="values to check (default: stdin lines)")

    def handle(self, *args, kind, values, **options):
        use_utf8_stdout(options)
        check = KINDS[kind]
        checked = invalid = 0
        for value in values or read_stdin_lines():
            result = check(value)
            checked += 1
            if result.ok:
                self.stdout.write(f"valid\t{result.value}")
            else:
                invalid += 1
                self.stdout.write(f"invalid\t{result.code}")
        if invalid:
            raise CommandError(f"{invalid} of {checked} values are invalid", returncode=1)
