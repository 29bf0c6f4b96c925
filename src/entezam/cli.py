"""The `entezam` console script: Django's management commands plus Entezam's own."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entezam.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["entezam", *argv])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
