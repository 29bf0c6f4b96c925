"""`make stack`: the Procfile's processes (web, worker, beat) on this machine, against
PostgreSQL and Redis, through honcho.

ENTEZAM_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/entezam) and
ENTEZAM_REDIS_URL (default redis://127.0.0.1:6379/0) say where; the database is created
(UTF-8) when missing, migrated, and the static files collected. Plain HTTP on
http://127.0.0.1:8000 (ENTEZAM_HTTPS=0). The processes run in var/, where beat keeps its
schedule file. Ctrl-C stops all three.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        locale = conn.execute(
            "SELECT collname FROM pg_collation WHERE collname IN "
            "('C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8') ORDER BY collname LIMIT 1"
        ).fetchone()
        clause = f" LOCALE '{locale[0]}'" if locale else ""
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'{clause}")
        print(f"created database {name}")


def main() -> int:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ENTEZAM_DATABASE_URL": os.environ.get(
            "ENTEZAM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/entezam"
        ),
        "ENTEZAM_REDIS_URL": os.environ.get("ENTEZAM_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "ENTEZAM_HTTPS": os.environ.get("ENTEZAM_HTTPS", "0"),
        "PYTHONUNBUFFERED": "1",
    }
    ensure_database(env["ENTEZAM_DATABASE_URL"])
    (PROJECT / "var").mkdir(exist_ok=True)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run([str(BIN / "entezam"), *command], env=env, check=True)
    honcho = [str(BIN / "honcho"), "start", "--procfile", str(PROJECT / "Procfile")]
    return subprocess.call(honcho, env=env, cwd=PROJECT / "var")


if __name__ == "__main__":
    sys.exit(main())
