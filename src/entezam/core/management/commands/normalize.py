import sys
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError

from entezam.core.persian.text import normalize


def read_stdin_lines() -> Iterator[str]:
    """Lines of standard input read as UTF-8 whatever the locale (a leading BOM is dropped)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        lines: Iterator[str | bytes] = iter(sys.stdin)
    else:
        lines = iter(stream)
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise CommandError(f"line {number} of standard input is not UTF-8") from error
        elif number == 1:
            line = line.removeprefix("\ufeff")
        yield line.removesuffix("\n").removesuffix("\r")


def use_utf8_stdout(options: dict) -> None:
    """Write UTF-8 to the terminal or pipe even under a non-UTF-8 locale."""
    if options.get("stdout") is None and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")


class Command(BaseCommand):
    help = "Print the search key (normalize) of each line of standard input."
    requires_system_checks = []

    def handle(self, *args, **options):
        use_utf8_stdout(options)
        for line in read_stdin_lines():
            self.stdout.write(normalize(line))
