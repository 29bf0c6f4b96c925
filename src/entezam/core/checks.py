"""System checks: refuse a PostgreSQL database that cannot index Persian text."""

from django.core.checks import Error, Tags, register
from django.db import connections
from django.db.utils import DatabaseError


def postgres_problems(connection) -> list[Error]:
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        (ctype,) = cursor.fetchone()
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        has_trgm = cursor.fetchone() is not None
        migrated = _core_migrated(cursor)
    normalized = (ctype or "").lower().replace("-", "")
    if "utf8" not in normalized:
        problems.append(
            Error(
                f"PostgreSQL database LC_CTYPE is {ctype!r}, not UTF-8: pg_trgm makes no "
                "trigrams of Persian letters under it.",
                hint="Create the database with LC_CTYPE and LC_COLLATE of a UTF-8 locale, "
                "e.g. createdb -T template0 -E UTF8 --locale=C.UTF-8 entezam",
                id="entezam.E001",
            )
        )
    if migrated and not has_trgm:
        problems.append(
            Error(
                "The pg_trgm extension is not installed in the database.",
                hint="Run `entezam migrate`; the core migration installs it "
                "(it needs a role allowed to CREATE EXTENSION).",
                id="entezam.E002",
            )
        )
    return problems


def _core_migrated(cursor) -> bool:
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SELECT 1 FROM django_migrations WHERE app = 'core' LIMIT 1")
    return cursor.fetchone() is not None


@register(Tags.database)
def check_postgres_database(app_configs=None, databases=None, **kwargs):
    errors: list[Error] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            errors.extend(postgres_problems(connection))
        except DatabaseError as exc:
            errors.append(Error(f"Cannot inspect database {alias!r}: {exc}", id="entezam.E003"))
    return errors
