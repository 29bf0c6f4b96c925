"""Run the suite on SQLite, then on PostgreSQL when it is configured or answers locally.

ENTEZAM_TEST_DATABASE_URL names the PostgreSQL server to test on (default:
postgres://postgres@127.0.0.1:5432/entezam when something answers there).
ENTEZAM_TEST_POSTGRES=required makes a missing PostgreSQL run a failure (CI).
The test database is created from a UTF-8 template so pg_trgm indexes Persian text.
Both runs go side by side (ENTEZAM_TEST_SERIAL=1 runs them one after the other), each
with its own var and media directories; each run's output is printed when it ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
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


Run = tuple[str, subprocess.Popen, Path]


def start(env_extra: dict[str, str], label: str, log_dir: Path) -> Run:
    """Start one run of the suite; its output goes to a log printed when it ends, so two
    runs side by side do not interleave. Each run has its own media and var directories."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"entezam-test-{label.lower()}-", dir=log_dir))
    env = {
        **os.environ,
        "ENTEZAM_VAR_DIR": str(var_dir),
        "ENTEZAM_MEDIA_ROOT": str(var_dir / "media"),
        **env_extra,
    }
    log = log_dir / f"{label.lower()}.log"
    args = [sys.executable, "-m", "pytest", "-q", *sys.argv[1:]]
    print(f"=== test suite on {label}: started (log {log}) ===", flush=True)
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    return label, process, log


def finish(run: Run, started: float) -> int:
    label, process, log = run
    status = process.wait()
    print(f"\n=== test suite on {label} ({time.monotonic() - started:.0f} s) ===", flush=True)
    sys.stdout.buffer.write(log.read_bytes())
    sys.stdout.flush()
    return status


def main() -> int:
    # The SQLite run uses the embedded default database, whatever the caller's environment.
    os.environ.pop("ENTEZAM_DATABASE_URL", None)
    required = os.environ.get("ENTEZAM_TEST_POSTGRES", "").lower() == "required"
    url = os.environ.get("ENTEZAM_TEST_DATABASE_URL") or DEFAULT_URL
    postgres = bool(os.environ.get("ENTEZAM_TEST_DATABASE_URL")) or postgres_answers(url)
    if not postgres and required:
        print("PostgreSQL is required (ENTEZAM_TEST_POSTGRES=required) but does not answer.")
        return 1
    serial = os.environ.get("ENTEZAM_TEST_SERIAL", "") == "1"
    log_dir = Path(tempfile.mkdtemp(prefix="entezam-tests-"))
    started = time.monotonic()
    # The two runs share nothing (own database, media, var directory), so on a machine with
    # two cores or more they run side by side: the wall time is the longer of the two.
    sqlite = start({}, "SQLite", log_dir)
    if serial:
        status = finish(sqlite, started)
    pg = None
    if postgres:
        ensure_template(url)
        pg = start(
            {"ENTEZAM_DATABASE_URL": url, "ENTEZAM_TEST_DB_TEMPLATE": TEMPLATE},
            "PostgreSQL",
            log_dir,
        )
    if not serial:
        status = finish(sqlite, started)
    if pg is None:
        print("\nPostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL run is skipped.")
        return status
    pg_status = finish(pg, started)
    print(f"\nSQLite run: {'passed' if status == 0 else 'FAILED'}")
    print(f"PostgreSQL run: {'passed' if pg_status == 0 else 'FAILED'}")
    return status or pg_status


if __name__ == "__main__":
    sys.exit(main())
