"""Run the suite on SQLite, then on PostgreSQL when it is configured or answers locally.

ENTEZAM_TEST_DATABASE_URL names the PostgreSQL server to test on (default:
postgres://postgres@127.0.0.1:5432/entezam when something answers there).
ENTEZAM_TEST_POSTGRES=required makes a missing PostgreSQL run a failure (CI).
The test database is created from a UTF-8 template so pg_trgm indexes Persian text.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/entezam"
TEMPLATE = "entezam_test_template"


def postgres_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), 2):
            return True
    except OSError:
        return False


def ensure_template(url: str) -> None:
    """A UTF-8 template database with pg_trgm, whatever the cluster's default locale."""
    import psycopg

    parsed = urlparse(url)
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]).fetchone()
        if not exists:
            locale = conn.execute(
                "SELECT collname FROM pg_collation WHERE collname IN "
                "('C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8') ORDER BY collname LIMIT 1"
            ).fetchone()
            locale_clause = f" LOCALE '{locale[0]}'" if locale else ""
            conn.execute(
                f"CREATE DATABASE {TEMPLATE} TEMPLATE template0 ENCODING 'UTF8'{locale_clause}"
            )
    with psycopg.connect(parsed._replace(path=f"/{TEMPLATE}").geturl(), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def pytest(env_extra: dict[str, str], label: str) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    env = {**os.environ, **env_extra}
    args = [sys.executable, "-m", "pytest", "-q", *sys.argv[1:]]
    return subprocess.call(args, env=env)


def main() -> int:
    # The SQLite run uses the embedded default database, whatever the caller's environment.
    os.environ.pop("ENTEZAM_DATABASE_URL", None)
    status = pytest({}, "SQLite")
    required = os.environ.get("ENTEZAM_TEST_POSTGRES", "").lower() == "required"
    url = os.environ.get("ENTEZAM_TEST_DATABASE_URL") or DEFAULT_URL
    if not os.environ.get("ENTEZAM_TEST_DATABASE_URL") and not postgres_answers(url):
        if required:
            print("PostgreSQL is required (ENTEZAM_TEST_POSTGRES=required) but does not answer.")
            return 1
        print("\nPostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL run is skipped.")
        return status
    ensure_template(url)
    pg_status = pytest(
        {"ENTEZAM_DATABASE_URL": url, "ENTEZAM_TEST_DB_TEMPLATE": TEMPLATE}, "PostgreSQL"
    )
    if pg_status == 0:
        print("PostgreSQL run: passed")
    return status or pg_status


if __name__ == "__main__":
    sys.exit(main())
