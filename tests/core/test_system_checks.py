"""The system check that refuses a PostgreSQL database unable to index Persian text."""

import copy
import os

import pytest
from django.db import connection
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql.base import DatabaseWrapper

from entezam.core.checks import check_postgres_database, postgres_problems

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL database checks"
)


def _wrapper(name: str) -> DatabaseWrapper:
    """A second connection to the same server, to database `name` (autocommit).

    Django's alias for connections outside `DATABASES`, as its own test setup uses.
    """
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["NAME"] = name
    return DatabaseWrapper(settings_dict, alias=NO_DB_ALIAS)


@pytest.fixture
def c_locale_database(db):
    """A database whose LC_CTYPE is C, as `createdb` makes on a cluster with that default."""
    name = f"entezam_check_c_{os.getpid()}"
    admin = _wrapper("postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C' LC_CTYPE 'C'"
            )
        target = _wrapper(name)
        try:
            yield target
        finally:
            target.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def test_test_database_passes(db):
    assert postgres_problems(connection) == []
    assert check_postgres_database(databases=["default"]) == []


def test_c_ctype_database_is_refused(c_locale_database):
    problems = postgres_problems(c_locale_database)

    assert [p.id for p in problems] == ["entezam.E001"]
    assert "'C'" in problems[0].msg
    assert "UTF8" in problems[0].hint


def test_pg_trgm_makes_persian_trigrams_on_the_test_database(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm(%s)", ["علی"])
        (trigrams,) = cursor.fetchone()
        cursor.execute("SELECT similarity(%s, %s)", ["موسسه حفاظتی امین", "حفاظتی امین"])
        (similarity,) = cursor.fetchone()

    assert trigrams
    assert similarity > 0.5


def test_pg_trgm_makes_no_persian_trigrams_under_c_ctype(c_locale_database):
    # The reason for E001: search by name would find nothing.
    with c_locale_database.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("SELECT show_trgm(%s)", ["علی"])
        (trigrams,) = cursor.fetchone()

    assert trigrams == []
